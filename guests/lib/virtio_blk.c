/* virtio-blk requests for the test guests (virtio_blk.h). */
#include "guest.h"
#include "virtio_blk.h"

static struct virtio_blk_req_hdr hdr __attribute__((aligned(16)));
static volatile uint8_t status_byte;

int vblk_request(struct vdisk *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
                 bool data_in, uint32_t *used_len, uint64_t max_spins)
{
    hdr = (struct virtio_blk_req_hdr){ .type = type, .sector = sector };
    status_byte = 0xff;
    unsigned n = 0;
    d->q[0].desc[n] = (struct vring_desc){ (uint64_t)(uintptr_t)&hdr, sizeof(hdr), VRING_DESC_F_NEXT, 1 };
    n++;
    if (len) {
        d->q[0].desc[n] = (struct vring_desc){ (uint64_t)(uintptr_t)data, len,
                                          (uint16_t)(VRING_DESC_F_NEXT | (data_in ? VRING_DESC_F_WRITE : 0)), 2 };
        n++;
    }
    d->q[0].desc[n] = (struct vring_desc){ (uint64_t)(uintptr_t)&status_byte, 1, VRING_DESC_F_WRITE, 0 };
    vio_submit(d, 0);
    uint32_t id, l;
    if (!vio_wait_used(d, &id, &l, max_spins) || id != 0)
        return -1;
    if (used_len)
        *used_len = l;
    return status_byte;
}

uint32_t vblk_checksum(const uint8_t *p, uint32_t n)
{
    uint32_t a = 1, b = 0;
    for (uint32_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}
