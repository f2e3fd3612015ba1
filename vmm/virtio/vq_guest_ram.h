/* The virtio walker's view of a real guest (struct vq_guest, vmm/virtio/virtq.h): one region,
 * the guest's own RAM [0, mem_size), copied through the hypervisor's mapping of that block.
 * Nothing else is reachable through it: not the guest's MMIO window, not the hypervisor pages
 * mapped over guest addresses (shadow IDT, MSI-X shadows), not hypervisor memory. */
#ifndef EXITLESS_VMM_VIRTIO_VQ_GUEST_RAM_H
#define EXITLESS_VMM_VIRTIO_VQ_GUEST_RAM_H

#include "vmm/virtio/virtq.h"

struct guest;
/* Fills *q for guest g (its RAM block must not move while q is used: it never does). */
void vq_guest_ram_init(struct vq_guest *q, struct guest *g);

#endif
