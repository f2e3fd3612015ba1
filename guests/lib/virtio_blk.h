/* virtio-blk requests for the test guests (on the driver in virtio_pci.h): one request at a
 * time on queue 0, descriptors 0..2 (header, optional data, status). */
#ifndef GUEST_VIRTIO_BLK_H
#define GUEST_VIRTIO_BLK_H

#include "virtio_pci.h"

/* One request: header, data (device-writable when data_in), status; waits for its completion
 * (bounded spins). Returns the status byte, or -1 when no completion came or it was not for
 * this chain; *used_len (if given) gets the used length. */
int vblk_request(struct vdisk *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
                 bool data_in, uint32_t *used_len, uint64_t max_spins);

/* Adler-32 of n bytes (read-back checks). */
uint32_t vblk_checksum(const uint8_t *p, uint32_t n);

#endif
