/*
 * A virtio-pci modern function (virtio 1.2, 4.1) emulated in a guest's virtual PCI: a
 * configuration space of its own (vendor 0x1af4, device 0x1040 + type, no INTx), one 64-bit
 * memory BAR, vendor capabilities for the common configuration, notification, ISR and device
 * configuration regions and the PCI configuration access window, and an MSI-X table. The
 * registers turn into calls of the device (vmm/virtio/vdev.h). Pure: host unit-tested.
 *
 * BAR0 (32 KiB, at a guest-physical address the hypervisor chooses; the guest cannot move it):
 *   0x0000 common configuration   0x1000 ISR status   0x2000 device configuration
 *   0x3000 notification (4 bytes per queue; a page of its own, mapped as memory in a guest,
 *          which the sidecore reads instead of taking the write as an exit)
 *   0x4000 MSI-X table            0x5000 MSI-X pending bits (read as 0)
 * Accesses of a size or place no register has read 0 and are ignored.
 *
 * In a guest (vmm/vpci/vpci_virtio_fn.h): configuration space through the virtual PCI's ports,
 * BAR0's registers by memory accesses (emulated, vmm/vpci/vpci_virtio_mmio.c) or through the
 * PCI configuration access window; the notification page is memory.
 *
 * Locking: struct vpci_virtio.lock protects the transport's fields; it is taken before the
 * device's own lock (vdev.lock), never inside it. isr and kicked are also changed by the
 * serving CPU, with atomic operations only.
 */
#ifndef EXITLESS_VMM_VPCI_VIRTIO_H
#define EXITLESS_VMM_VPCI_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "vmm/virtio/vdev.h"
#include "vmm/vpci/vpci.h"

#define VPCI_VIRTIO_BAR_SIZE   0x8000u
#define VPCI_VIRTIO_COMMON     0x0000u
#define VPCI_VIRTIO_ISR        0x1000u
#define VPCI_VIRTIO_DEVCFG     0x2000u
#define VPCI_VIRTIO_NOTIFY     0x3000u
#define VPCI_VIRTIO_NOTIFY_MUL 4u
#define VPCI_VIRTIO_MSIX_TABLE 0x4000u
#define VPCI_VIRTIO_MSIX_PBA   0x5000u
#define VPCI_VIRTIO_MSIX_VECS  8u        /* one per queue and one for configuration changes */

/* Configuration-space offsets of the capabilities (a fixed list). */
#define VPCI_VIRTIO_CAP_COMMON 0x40
#define VPCI_VIRTIO_CAP_NOTIFY 0x50
#define VPCI_VIRTIO_CAP_ISR    0x64
#define VPCI_VIRTIO_CAP_DEVICE 0x74
#define VPCI_VIRTIO_CAP_PCICFG 0x84
#define VPCI_VIRTIO_CAP_MSIX   0x98

/* Effects of a BAR write for the caller. */
#define VPCI_VIRTIO_FX_KICK (1u << 0)   /* a queue notification (bits in kicked) */
#define VPCI_VIRTIO_FX_MSIX (1u << 1)   /* the MSI-X table or control changed */

struct vpci_virtio {
    struct spinlock lock;       /* protects the fields below but isr and kicked */
    struct vdev *dev;
    uint64_t bar_gpa;           /* BAR0, 32 KiB aligned */
    uint16_t command;           /* the guest's command register (memory, bus master) */
    uint8_t bar_sizing;         /* bit 0 low, bit 1 high dword: the guest wrote all-ones, it reads the size mask */
    uint16_t msix_ctrl;         /* enable and function mask */
    struct vpci_msix_entry msix[VPCI_VIRTIO_MSIX_VECS];
    uint32_t dfselect, gfselect;    /* device/driver feature word selects */
    uint16_t queue_select;
    uint16_t config_vector;     /* MSI-X entry for configuration changes, or NO_VECTOR */
    uint8_t pcicfg_bar;         /* the PCI configuration access window (4.1.4.9) */
    uint32_t pcicfg_offset, pcicfg_length;
    uint8_t isr;                /* atomic: ISR status bits, cleared by the guest's read */
    uint32_t kicked;            /* atomic: bit per queue notified since the last take */
    uint32_t kicks;             /* notifications written */
};

void vpci_virtio_init(struct vpci_virtio *v, struct vdev *dev, uint64_t bar_gpa);

/* Configuration space (off < 256, size 1, 2 or 4, naturally aligned; others read all-ones). */
uint32_t vpci_virtio_cfg_read(struct vpci_virtio *v, uint16_t off, unsigned size);
void vpci_virtio_cfg_write(struct vpci_virtio *v, uint16_t off, unsigned size, uint32_t val);

/* BAR0 at offset off (size 1, 2, 4 or 8, naturally aligned). Writes return VPCI_VIRTIO_FX_*. */
uint64_t vpci_virtio_mmio_read(struct vpci_virtio *v, uint32_t off, unsigned size);
unsigned vpci_virtio_mmio_write(struct vpci_virtio *v, uint32_t off, unsigned size, uint64_t val);

/* The serving side: the queues notified since the last call (and clears them); raises ISR
 * bits before an interrupt; where MSI-X entry `entry` sends its interrupt (false: none, while
 * MSI-X is off, the function or entry is masked, or the entry fails vpci_msix_check()). */
uint32_t vpci_virtio_take_kicks(struct vpci_virtio *v);
void vpci_virtio_isr_raise(struct vpci_virtio *v, uint8_t bits);
bool vpci_virtio_route(struct vpci_virtio *v, uint16_t entry, const uint32_t *apic_ids,
                       unsigned napic, enum intr_mode mode, uint8_t *vector, uint32_t *apic);

#endif
