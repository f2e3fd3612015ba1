/*
 * virtio-blk on a RAM module (a manifest [[guest.virtio_blk]]: `module`, `read_only`): one
 * request queue; read, write, flush and get-id. Offered besides the core features (vdev.h):
 * VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH, and
 * VIRTIO_BLK_F_RO for a read-only disk.
 *
 * Requests (5.2.6): a 16-byte device-readable header (it may span buffers; it is copied once),
 * then data, then one status byte, the last device-writable byte. A chain too short for a
 * header or without a status byte cannot be answered: the device needs reset. Every other bad
 * request is answered: VIRTIO_BLK_S_IOERR for a sector range outside the disk, data that is
 * not whole sectors, a data buffer longer than size_max, a layout that does not fit the type,
 * or a write to a read-only disk (5.2.6.1: no data is written); VIRTIO_BLK_S_UNSUPP for an
 * unknown type. Flush has nothing to do on RAM and answers OK.
 *
 * Owner: a struct vblk is its device's (vblk->dev.lock), like its disk bytes.
 */
#ifndef EXITLESS_VMM_VIRTIO_VBLK_H
#define EXITLESS_VMM_VIRTIO_VBLK_H

#include "vmm/virtio/vdev.h"

#define VBLK_SIZE_MAX  65536u                     /* largest data buffer of a request */
#define VBLK_SEG_MAX   (VQ_MAX_SEGS - 2)          /* data buffers, besides header and status */
#define VBLK_MAX_BYTES (VQ_MAX_SEGS * VBLK_SIZE_MAX)

struct vblk {
    struct vdev dev;            /* first: the backend is found from the device */
    uint8_t *disk;              /* the module's bytes (the hypervisor's mapping) */
    uint64_t sectors;           /* whole 512-byte sectors of the module */
    bool read_only;
    char id[VIRTIO_BLK_ID_BYTES];   /* get-id answer, NUL-padded */
    struct virtio_blk_config cfg;
    uint64_t reads, writes, flushes, ioerrs, unsupp;
};

/* A disk over bytes [disk, disk + size) (a trailing partial sector is not exposed). */
void vblk_init(struct vblk *b, const char *name, const struct vq_guest *g, uint8_t *disk,
               uint64_t size, bool read_only, const char *id, void (*log)(const char *line));

#endif
