/*
 * The split virtqueue, device side: a walker that turns a guest's descriptor chains into
 * validated lists of segments, and the used ring and notification logic around it. Pure logic:
 * guest memory is reached only through struct vq_guest (the host tests and the fuzzer supply a
 * fake), so nothing here depends on how the hypervisor maps a guest.
 *
 * The guest is hostile and may change its rings from other CPUs while they are walked, so:
 *  - the avail index is read once per turn, and every ring entry and descriptor is copied
 *    once into the hypervisor and only the copy is used;
 *  - every index, length, chain length, flag and address is checked before use: a chain is
 *    bounded by the queue size (or the indirect table) and by VQ_MAX_SEGS segments and the
 *    queue's byte bound, so walking one costs bounded time;
 *  - every segment lies inside one region of the guest's memory map, with no overflow;
 *  - device-readable segments come before device-writable ones;
 *  - a head is handed out once until it is pushed back to the used ring.
 * A failed check returns a specific VQ_E_* error and leaves the queue where it was: the caller
 * (vmm/virtio/vdev.c) then marks its device as needing reset.
 *
 * Owner: a struct virtq belongs to its device (vmm/virtio/vdev.h) and is reached only under
 * that device's lock.
 */
#ifndef EXITLESS_VMM_VIRTIO_VIRTQ_H
#define EXITLESS_VMM_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include <exitless/virtio.h>

#define VQ_MAX_SIZE     256       /* the largest queue_size the devices offer */
#define VQ_MAX_SEGS     64        /* segments in one chain, direct or indirect */
#define VQ_MAX_INDIRECT VQ_MAX_SEGS   /* descriptors in one indirect table */
#define VQ_MAX_REGIONS  8         /* regions of a guest memory map */

/* One guest-physical range of the guest's own RAM. */
struct vq_region {
    uint64_t gpa, size;
};

/*
 * A guest as the walker sees it: its RAM regions and copy functions. read/write copy len bytes
 * at guest-physical gpa, which the walker has already checked lies in one region; they return
 * false if the copy could not be made (the walker treats that as an address error).
 */
struct vq_guest {
    struct vq_region region[VQ_MAX_REGIONS];
    unsigned nregions;
    bool (*read)(void *ctx, uint64_t gpa, void *dst, uint32_t len);
    bool (*write)(void *ctx, uint64_t gpa, const void *src, uint32_t len);
    void *ctx;
};

/* True if [gpa, gpa + len) lies inside one region of g (len 0 never does). */
bool vq_guest_range_ok(const struct vq_guest *g, uint64_t gpa, uint64_t len);

enum vq_err {
    VQ_OK = 0,
    VQ_E_SETUP = -1,        /* queue size or ring addresses invalid */
    VQ_E_AVAIL_IDX = -2,    /* avail idx moved more than the queue size past the device */
    VQ_E_HEAD = -3,         /* head index out of range */
    VQ_E_HEAD_BUSY = -4,    /* head already handed out and not yet used */
    VQ_E_NEXT = -5,         /* next index out of range */
    VQ_E_LOOP = -6,         /* chain longer than its table: a loop */
    VQ_E_FLAGS = -7,        /* unknown descriptor flag */
    VQ_E_LEN = -8,          /* zero-length buffer */
    VQ_E_ADDR = -9,         /* buffer outside the guest's memory, or a copy failed */
    VQ_E_ORDER = -10,       /* device-readable buffer after a device-writable one */
    VQ_E_INDIRECT = -11,    /* indirect not negotiated, nested, not at the head, with NEXT, bad size */
    VQ_E_SEGS = -12,        /* more than VQ_MAX_SEGS segments */
    VQ_E_BYTES = -13,       /* more bytes than the queue's bound */
    VQ_E_USED = -14,        /* pushing a head that is not handed out */
};

/* A short name of an error, for the one log line (a static string). */
const char *vq_err_name(int err);

struct vq_seg {
    uint64_t gpa;
    uint32_t len;
};

/* A validated chain: nread device-readable segments, then nwrite device-writable ones. */
#define VQ_NO_HEAD 0xffff
struct vq_chain {
    uint16_t head;              /* after an error: the head read, or VQ_NO_HEAD */
    uint16_t nread, nwrite;
    uint32_t read_bytes, write_bytes;
    struct vq_seg seg[VQ_MAX_SEGS];
};

struct virtq {
    const struct vq_guest *g;
    uint16_t size;              /* power of two, 1..VQ_MAX_SIZE */
    uint64_t desc, avail, used; /* guest-physical areas, checked by vq_setup() */
    bool indirect;              /* VIRTIO_F_INDIRECT_DESC negotiated */
    bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
    uint32_t max_bytes;         /* bound on a chain's total bytes */
    uint16_t last_avail;        /* next avail entry the device takes */
    uint16_t turn_end;          /* last_avail stops here this turn */
    uint16_t used_idx;          /* next used entry; published by vq_publish() */
    uint16_t signalled_used;    /* used idx at the last interrupt decision */
    bool signalled_valid;
    uint8_t inflight[VQ_MAX_SIZE / 8];  /* heads handed out, not yet pushed */
    uint16_t ninflight;
};

/* Checks and installs a queue: size a power of two up to VQ_MAX_SIZE, each area aligned
 * and inside guest memory; features are the negotiated ones. VQ_OK or VQ_E_SETUP. */
int vq_setup(struct virtq *q, const struct vq_guest *g, uint16_t size, uint64_t desc,
             uint64_t avail, uint64_t used, uint64_t features, uint32_t max_bytes)
    __attribute__((warn_unused_result));

/* Starts a turn: reads avail idx once and allows at most `budget` chains until the next
 * turn. Returns how many chains the turn may take, or VQ_E_AVAIL_IDX / VQ_E_ADDR. */
int vq_turn_begin(struct virtq *q, uint16_t budget) __attribute__((warn_unused_result));

/* The next chain of this turn into *c: VQ_OK, 1 when the turn has no more, or a VQ_E_*
 * error (the entry stays unconsumed). */
int vq_next(struct virtq *q, struct vq_chain *c) __attribute__((warn_unused_result));

/* Puts a used entry for a handed-out head (written = bytes the device wrote into it); not
 * visible to the guest before vq_publish(). VQ_OK, VQ_E_USED or VQ_E_ADDR. */
int vq_push(struct virtq *q, uint16_t head, uint32_t written) __attribute__((warn_unused_result));

/* Makes the pushed entries visible: used idx written after them (release order). */
int vq_publish(struct virtq *q) __attribute__((warn_unused_result));

/* After vq_publish(): whether the driver wants an interrupt for what was published since the
 * last decision (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX). */
bool vq_want_interrupt(struct virtq *q);

/* Notifications from the driver: suppress them while a sidecore polls, or ask for them
 * again before it stops polling. vq_notify_enable() returns true if chains arrived that
 * the device has not taken (the caller must serve them before it sleeps). */
void vq_notify_suppress(struct virtq *q);
bool vq_notify_enable(struct virtq *q);

/* Copies bytes of a chain: from its device-readable part at offset off, or into its
 * device-writable part at offset off. False if the range is not inside that part or a copy
 * failed. */
bool vq_chain_read(const struct virtq *q, const struct vq_chain *c, uint32_t off, void *dst,
                   uint32_t len);
bool vq_chain_write(const struct virtq *q, const struct vq_chain *c, uint32_t off, const void *src,
                    uint32_t len);

#endif
