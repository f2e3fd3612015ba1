/* virtio-blk requests on a RAM disk (virtio 1.2, 5.2); what is checked is in vblk.h. */
#include <string.h>

#include "vmm/virtio/vblk.h"

/* A request's data part: its buffers must each fit size_max. */
static bool data_segs_ok(const struct vq_chain *c, unsigned first, unsigned n)
{
    for (unsigned i = first; i < first + n; i++)
        if (c->seg[i].len > VBLK_SIZE_MAX)
            return false;
    return true;
}

/* Sectors [sector, sector + bytes / 512) inside the disk, bytes whole sectors. */
static bool range_ok(const struct vblk *b, uint64_t sector, uint64_t bytes)
{
    return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->sectors &&
           bytes / VIRTIO_BLK_SECTOR <= b->sectors - sector;
}

/* Reads: the whole readable part is the header; data fills the writable part but the status. */
static uint8_t do_in(struct vblk *b, const struct virtq *q, const struct vq_chain *c,
                     uint64_t sector, uint32_t *written)
{
    uint32_t bytes = c->write_bytes - 1;
    if (c->read_bytes != sizeof(struct virtio_blk_req_hdr) || !range_ok(b, sector, bytes) ||
        !data_segs_ok(c, c->nread, c->nwrite))
        return VIRTIO_BLK_S_IOERR;
    if (bytes && !vq_chain_write(q, c, 0, b->disk + sector * VIRTIO_BLK_SECTOR, bytes))
        return VIRTIO_BLK_S_IOERR;
    *written = bytes;
    b->reads++;
    return VIRTIO_BLK_S_OK;
}

/* Writes: data follows the header in the readable part; the writable part is the status. */
static uint8_t do_out(struct vblk *b, const struct virtq *q, const struct vq_chain *c,
                      uint64_t sector)
{
    uint32_t bytes = c->read_bytes - (uint32_t)sizeof(struct virtio_blk_req_hdr);
    if (b->read_only)
        return VIRTIO_BLK_S_IOERR;      /* 5.2.6.1, with VIRTIO_BLK_F_RO offered */
    if (c->write_bytes != 1 || !range_ok(b, sector, bytes) || !data_segs_ok(c, 0, c->nread))
        return VIRTIO_BLK_S_IOERR;
    if (bytes && !vq_chain_read(q, c, sizeof(struct virtio_blk_req_hdr),
                                b->disk + sector * VIRTIO_BLK_SECTOR, bytes))
        return VIRTIO_BLK_S_IOERR;
    b->writes++;
    return VIRTIO_BLK_S_OK;
}

static uint8_t do_get_id(struct vblk *b, const struct virtq *q, const struct vq_chain *c,
                         uint32_t *written)
{
    uint32_t room = c->write_bytes - 1;
    uint32_t n = room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES;
    if (c->read_bytes != sizeof(struct virtio_blk_req_hdr) || !n)
        return VIRTIO_BLK_S_IOERR;
    if (!vq_chain_write(q, c, 0, b->id, n))
        return VIRTIO_BLK_S_IOERR;
    *written = n;
    return VIRTIO_BLK_S_OK;
}

static int vblk_serve(struct vdev *d, uint16_t qi, const struct virtq *q, const struct vq_chain *c,
                      uint32_t *written)
{
    struct vblk *b = d->backend;
    struct virtio_blk_req_hdr h;        /* the one copy of the header */
    uint32_t data = 0;
    uint8_t st;
    (void)qi;
    if (c->read_bytes < sizeof(h) || c->write_bytes < 1 || !vq_chain_read(q, c, 0, &h, sizeof(h)))
        return VDEV_E_REQUEST;
    switch (h.type) {
    case VIRTIO_BLK_T_IN: st = do_in(b, q, c, h.sector, &data); break;
    case VIRTIO_BLK_T_OUT: st = do_out(b, q, c, h.sector); break;
    case VIRTIO_BLK_T_FLUSH:
        st = c->read_bytes == sizeof(h) && c->write_bytes == 1 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
        b->flushes += st == VIRTIO_BLK_S_OK;
        break;
    case VIRTIO_BLK_T_GET_ID: st = do_get_id(b, q, c, &data); break;
    default: st = VIRTIO_BLK_S_UNSUPP; break;
    }
    if (st != VIRTIO_BLK_S_OK)
        data = 0;
    b->ioerrs += st == VIRTIO_BLK_S_IOERR;
    b->unsupp += st == VIRTIO_BLK_S_UNSUPP;
    if (!vq_chain_write(q, c, c->write_bytes - 1, &st, 1))
        return VDEV_E_REQUEST;
    *written = data + 1;
    return 0;
}

static void vblk_config_read(struct vdev *d, uint32_t off, void *dst, uint32_t len)
{
    const struct vblk *b = d->backend;
    memcpy(dst, (const uint8_t *)&b->cfg + off, len);
}

static const struct vdev_ops vblk_ops = {
    .serve = vblk_serve,
    .config_read = vblk_config_read,
};

void vblk_init(struct vblk *b, const char *name, const struct vq_guest *g, uint8_t *disk,
               uint64_t size, bool read_only, const char *id, void (*log)(const char *line))
{
    memset(b, 0, sizeof(*b));
    b->disk = disk;
    b->sectors = size / VIRTIO_BLK_SECTOR;
    b->read_only = read_only;
    strncpy(b->id, id ? id : "", sizeof(b->id));
    b->cfg.capacity = b->sectors;
    b->cfg.size_max = VBLK_SIZE_MAX;
    b->cfg.seg_max = VBLK_SEG_MAX;
    b->cfg.blk_size = VIRTIO_BLK_SECTOR;
    uint64_t features = VIRTIO_FEATURE(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_FEATURE(VIRTIO_BLK_F_SEG_MAX) |
                        VIRTIO_FEATURE(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH);
    if (read_only)
        features |= VIRTIO_FEATURE(VIRTIO_BLK_F_RO);
    struct vdev_info info = {
        .name = name, .type = VIRTIO_ID_BLOCK, .features = features, .nqueues = 1,
        .config_len = sizeof(b->cfg), .max_bytes = VBLK_MAX_BYTES,
    };
    vdev_init(&b->dev, &info, &vblk_ops, b, g, log);
}
