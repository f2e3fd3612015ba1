/*
 * A virtio device, independent of its transport and of what it does: feature negotiation,
 * device status and reset, queue setup, and one polling turn over its queues. A backend
 * (virtio-blk in vblk.c; virtio-net later) supplies struct vdev_ops and gets validated chains;
 * a transport (the virtio-pci function in the guest's virtual PCI, vmm/vpci/) turns
 * register accesses into the calls below; a sidecore calls vdev_turn().
 *
 * What is offered: VIRTIO_F_VERSION_1 (required: a driver that does not accept it never gets
 * FEATURES_OK), VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX, and the backend's own features.
 * Split virtqueues only; no legacy interface.
 *
 * Any error in what the guest put in a queue (a walker error, vmm/virtio/virtq.h, or a request
 * the backend cannot even answer) sets VIRTIO_STATUS_DEVICE_NEEDS_RESET with one log line and
 * stops this device's queues until the driver resets it; nothing else changes: not the
 * sidecore, not the other devices.
 *
 * Locking: struct vdev.lock protects every field of the device and its queues. The transport
 * holds it for one register access (a vCPU's configuration exit); the sidecore holds it for the
 * device's turn, which vdev_turn()'s budget bounds. The functions below take it themselves.
 */
#ifndef EXITLESS_VMM_VIRTIO_VDEV_H
#define EXITLESS_VMM_VIRTIO_VDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "vmm/virtio/virtq.h"

#define VDEV_MAX_QUEUES 4

/* Core features every device offers besides its own. */
#define VDEV_CORE_FEATURES (VIRTIO_FEATURE(VIRTIO_F_VERSION_1) |       \
                            VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC) |   \
                            VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX))

/* A backend's error: the request cannot be answered at all (no status byte, no header). */
#define VDEV_E_REQUEST (-32)
/* A backend's answer: not now (a rate limit). The device holds the chain, serves it first on
 * a later turn, and takes no other chain of that queue before it. */
#define VDEV_DEFER 1

struct vdev;

struct vdev_ops {
    /* Serves one validated chain of queue qi and sets *written to the bytes it wrote into the
     * chain's device-writable part. 0, or VDEV_E_REQUEST: the device then needs reset. */
    int (*serve)(struct vdev *d, uint16_t qi, const struct virtq *q, const struct vq_chain *c,
                 uint32_t *written);
    /* Copies len bytes of the device configuration at off (within config_len). */
    void (*config_read)(struct vdev *d, uint32_t off, void *dst, uint32_t len);
    /* The driver reset the device (optional). */
    void (*reset)(struct vdev *d);
};

/* What a backend tells vdev_init(). */
struct vdev_info {
    const char *name;       /* for the log: "guest 'a' virtio-blk 0"; vdev_init() copies it */
    uint16_t type;          /* VIRTIO_ID_* */
    uint64_t features;      /* the backend's feature bits */
    uint16_t nqueues;       /* 1..VDEV_MAX_QUEUES */
    uint32_t config_len;    /* bytes of device configuration */
    uint32_t max_bytes;     /* bound on one chain's bytes */
    uint32_t pull_queues;   /* bit qi: queue qi's chains are buffers the backend takes with
                               vdev_deliver(), never in a turn (virtio-net's receive queue) */
};

/* Queue registers of the virtio-pci common configuration (4.1.4.3). */
enum vdev_qreg { VDEV_Q_SIZE, VDEV_Q_MSIX, VDEV_Q_ENABLE, VDEV_Q_DESC, VDEV_Q_DRIVER, VDEV_Q_DEVICE };

struct vdev_queue {
    uint16_t size;          /* the driver's choice; VQ_MAX_SIZE after reset */
    uint16_t msix_vector;
    bool enabled;
    uint64_t desc, driver, device;
    struct virtq vq;        /* valid while enabled */
    bool held;              /* a chain the backend deferred (VDEV_DEFER), served first */
    struct vq_chain hold;
};

#define VDEV_NAME_LEN 64

struct vdev {
    struct spinlock lock;   /* protects everything below (see the top of this file) */
    struct vdev_info info;  /* info.name points at name[] */
    char name[VDEV_NAME_LEN];   /* the device's own copy (callers pass names on their stack) */
    const struct vdev_ops *ops;
    void *backend;
    const struct vq_guest *g;
    void (*log)(const char *line);
    uint64_t offered, driver;   /* feature bits: device's, driver's (as written) */
    uint8_t status;
    uint8_t config_generation;
    bool polling;           /* notifications suppressed: a sidecore polls the queues */
    struct vdev_queue q[VDEV_MAX_QUEUES];
    int last_error;         /* VQ_E_* or VDEV_E_REQUEST of the last needs-reset */
    uint32_t needs_reset_count;
    uint64_t served;        /* chains served since init */
};

void vdev_init(struct vdev *d, const struct vdev_info *info, const struct vdev_ops *ops,
               void *backend, const struct vq_guest *g, void (*log)(const char *line));

/* Feature words (sel 0: bits 0-31, 1: bits 32-63; others read 0 and ignore writes). The
 * driver's are writable only between DRIVER and FEATURES_OK. */
uint32_t vdev_device_features(struct vdev *d, uint32_t sel);
uint32_t vdev_driver_features(struct vdev *d, uint32_t sel);
void vdev_set_driver_features(struct vdev *d, uint32_t sel, uint32_t val);

/* Device status (2.1, 3.1.1): 0 resets; bits are only added; FEATURES_OK sticks only for a
 * subset of the offered features that includes VERSION_1; DRIVER_OK only after FEATURES_OK;
 * DEVICE_NEEDS_RESET is the device's and stays until reset. */
uint8_t vdev_status(struct vdev *d);
void vdev_set_status(struct vdev *d, uint8_t val);
void vdev_reset(struct vdev *d);

/* Queue registers of queue qi (qi >= nqueues reads 0, ignores writes). Addresses and size are
 * writable while the queue is disabled; enabling checks it (vq_setup()); a queue the guest
 * set up wrongly puts the device in needs-reset. */
uint64_t vdev_queue_read(struct vdev *d, uint16_t qi, enum vdev_qreg reg);
void vdev_queue_write(struct vdev *d, uint16_t qi, enum vdev_qreg reg, uint64_t val);

/* The configuration generation (4.1.4.3); these devices never change their configuration. */
uint8_t vdev_config_generation(struct vdev *d);

/* Device configuration bytes (out of range reads 0). */
void vdev_config_read(struct vdev *d, uint32_t off, void *dst, uint32_t len);

/* Polling on: driver notifications suppressed on every queue. Off: asked for again; returns
 * true if chains arrived that must be served before the caller may sleep, or a chain is held
 * (the buffers of a pull queue wait for the device and are not counted). */
bool vdev_set_polling(struct vdev *d, bool on);

/*
 * Fills the next buffer of pull queue qi: under d's lock, takes one chain, calls fill (which
 * sets *written and returns 0, or VDEV_E_REQUEST: the device then needs reset), puts it in the
 * used ring and publishes it; *irq tells whether the driver wants an interrupt for it.
 * Returns 0 when delivered, 1 when the driver has no buffer there (or the device is not
 * live), or a negative error when the device just failed (*config_irq set).
 * Lock order: a backend may call this inside its own device's turn, holding that device's
 * lock; only the one CPU that serves both devices does so, and a device never delivers to
 * itself, so the two locks are always taken sender first and never by anyone in reverse.
 */
int vdev_deliver(struct vdev *d, uint16_t qi,
                 int (*fill)(const void *ctx, const struct virtq *q, const struct vq_chain *c,
                             uint32_t *written),
                 const void *ctx, bool *irq, bool *config_irq);

/* One turn over the device's queues, at most `budget` chains per queue. Returns the chains
 * served; *irq gets bit qi for each queue whose driver wants an interrupt, *config_irq is
 * set when the device entered needs-reset in this turn (a configuration change, 2.1.2). */
uint32_t vdev_turn(struct vdev *d, uint16_t budget, uint32_t *irq, bool *config_irq);

#endif
