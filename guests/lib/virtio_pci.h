/* A small virtio 1.x driver for the test guests over the virtual PCI's virtio-pci functions.
 * Configuration space through mechanism #1; BAR0's registers through the PCI configuration
 * access window (virtio 4.1.4.9); notifications (when the device has not suppressed them) as
 * stores to the notification region, which is memory. Every queue interrupts on MSI-X entry 0,
 * to this core. */
#ifndef GUEST_VIRTIO_PCI_H
#define GUEST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "exitless/virtio.h"

#define VQ_SIZE 16
#define VIO_MAX_QUEUES 2

struct vio_queue {
    uint16_t size;              /* queue size in use */
    struct vring_desc *desc;
    struct vring_avail *avail;
    struct vring_used *used;
    uint16_t avail_idx, used_seen;
    uint64_t notify_at;         /* this queue's notification address */
    uint16_t index;
    uint64_t notifies;          /* notify stores made (device had not suppressed them) */
};

/* The rings of one queue of VQ_SIZE entries, laid out as the device requires. */
struct vio_ring {
    struct vring_desc desc[VQ_SIZE] __attribute__((aligned(4096)));
    uint16_t avail[3 + VQ_SIZE] __attribute__((aligned(4096)));
    uint8_t used[6 + 8 * VQ_SIZE] __attribute__((aligned(4096)));
};

struct vdisk {
    unsigned slot;              /* PCI device number on bus 0 */
    uint8_t win;                /* configuration offset of the access window capability */
    uint8_t msix;               /* configuration offset of the MSI-X capability */
    uint64_t bar0;
    uint32_t notify_off_mul, notify_bar_off;
    uint64_t features;          /* offered */
    struct vio_queue q[VIO_MAX_QUEUES];
    volatile uint64_t irqs;     /* interrupts taken */
    uint64_t notifies;          /* queue 0's notify stores (kept for the single-queue users) */
};

/* Finds the n-th virtio-pci function of type `type` (0-based): its slot, or 0. */
unsigned vio_find(uint16_t type, unsigned n);
/* The access window onto BAR0. */
uint32_t vio_read(struct vdisk *d, uint32_t off, unsigned len);
void vio_write(struct vdisk *d, uint32_t off, unsigned len, uint32_t val);
/* Initialisation (3.1.1) up to FEATURES_OK and MSI-X entry 0 on `vector` to this core,
 * accepting VERSION_1 and the device features in `want`. NULL, or what failed. */
const char *vio_begin(struct vdisk *d, unsigned slot, uint8_t vector, uint64_t want);
/* Queue qi on ring r, interrupting on MSI-X entry 0. NULL, or what failed. */
const char *vio_queue(struct vdisk *d, uint16_t qi, struct vio_ring *r);
/* The same with the three areas at any guest-physical address the caller names (hostile
 * guests place them outside their memory on purpose). */
const char *vio_queue_at(struct vdisk *d, uint16_t qi, uint64_t desc, uint64_t avail,
                         uint64_t used);
/* DRIVER_OK. NULL, or what failed. */
const char *vio_ready(struct vdisk *d);
/* vio_begin, queue 0 on r, vio_ready: a single-queue device. */
const char *vio_init(struct vdisk *d, unsigned slot, uint8_t vector, uint64_t want,
                     struct vio_ring *r);
/* Makes chain `head` of queue qi available and notifies if the device wants it. */
void vio_submit_q(struct vdisk *d, uint16_t qi, uint16_t head);
static inline void vio_submit(struct vdisk *d, uint16_t head) { vio_submit_q(d, 0, head); }
/* Raw hooks for hostile guests. The device status byte; waiting (bounded reads) until all of
 * `bits` are set in it. */
uint8_t vio_status(struct vdisk *d);
bool vio_wait_status(struct vdisk *d, uint8_t bits, uint64_t max_reads);
/* One notify store for queue qi, whether or not the device suppressed notifications. */
void vio_notify(struct vdisk *d, uint16_t qi);
/* Sets queue qi's avail idx to any value (the ring entries are the caller's) and notifies. */
void vio_publish_q(struct vdisk *d, uint16_t qi, uint16_t idx);
/* Takes the next used entry of queue qi if there is one: true with its id and length. */
bool vio_poll_used(struct vdisk *d, uint16_t qi, uint32_t *id, uint32_t *len);
/* Waits for the next used entry of queue 0 (bounded spins): true with its id and length. */
bool vio_wait_used(struct vdisk *d, uint32_t *id, uint32_t *len, uint64_t max_spins);

#endif
