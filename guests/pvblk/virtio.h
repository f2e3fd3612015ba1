/* pvblk: a small virtio 1.x driver over the virtual PCI's virtio-pci functions. Configuration
 * space through mechanism #1; BAR0's registers through the PCI configuration access window
 * (virtio 4.1.4.9), as the hypervisor emulates no MMIO stores; notifications (when the device
 * has not suppressed them) as stores to the notification region, which is memory. One split
 * queue per device, MSI-X entry 0 for it. */
#ifndef PVBLK_VIRTIO_H
#define PVBLK_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "exitless/virtio.h"

#define VQ_SIZE 16

struct vdisk {
    unsigned slot;              /* PCI device number on bus 0 */
    uint8_t win;                /* configuration offset of the access window capability */
    uint8_t msix;               /* configuration offset of the MSI-X capability */
    uint64_t bar0;
    uint32_t notify_off_mul, notify_off; /* this queue's notification address */
    uint64_t features;          /* offered */
    uint16_t size;              /* queue size in use */
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t avail_idx, used_seen;
    volatile uint64_t irqs;     /* interrupts taken */
    uint64_t notifies;          /* notify stores made (device had not suppressed them) */
};

/* Finds the n-th virtio-pci function of type `type` (0-based): its slot, or 0. */
unsigned vio_find(uint16_t type, unsigned n);
/* The access window onto BAR0. */
uint32_t vio_read(struct vdisk *d, uint32_t off, unsigned len);
void vio_write(struct vdisk *d, uint32_t off, unsigned len, uint32_t val);
/* Initialisation (3.1.1) with queue 0 and MSI-X entry 0 on `vector` to this core; accepts
 * VERSION_1 and the device features in `want`. NULL, or what failed. */
const char *vio_init(struct vdisk *d, unsigned slot, uint8_t vector, uint64_t want,
                     struct vring_desc *desc, struct vring_avail *avail, struct vring_used *used);
/* Makes chain `head` available and notifies if the device wants it. */
void vio_submit(struct vdisk *d, uint16_t head);
/* Waits for the next used entry (bounded spins): true with its id and length. */
bool vio_wait_used(struct vdisk *d, uint32_t *id, uint32_t *len, uint64_t max_spins);

#endif
