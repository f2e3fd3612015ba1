/* virtio-net ports on the software switch (vmm/virtio/vnet.h). */
#include <string.h>

#include "vmm/virtio/vnet.h"

/* What one receive buffer gets: the header and the frame, optionally with a tag inserted. */
struct rx_copy {
    const uint8_t *frame;
    uint32_t len;
    uint16_t tag;               /* 0: as it is; else an 802.1Q tag with this TCI after the MACs */
};

static int fill(const void *ctx, const struct virtq *q, const struct vq_chain *c, uint32_t *written)
{
    const struct rx_copy *x = ctx;
    uint32_t len = x->len + (x->tag ? VSW_TAG_LEN : 0);
    if (c->write_bytes < VNET_HDR_LEN + len)
        return VDEV_E_REQUEST;
    struct virtio_net_hdr h = { .num_buffers = 1 };
    if (!vq_chain_write(q, c, 0, &h, sizeof(h)))
        return VDEV_E_REQUEST;
    if (!x->tag) {
        if (!vq_chain_write(q, c, VNET_HDR_LEN, x->frame, x->len))
            return VDEV_E_REQUEST;
    } else {
        uint8_t tag[VSW_TAG_LEN] = { VSW_TPID_8021Q >> 8, VSW_TPID_8021Q & 0xff,
                                     (uint8_t)(x->tag >> 8), (uint8_t)x->tag };
        if (!vq_chain_write(q, c, VNET_HDR_LEN, x->frame, 12) ||
            !vq_chain_write(q, c, VNET_HDR_LEN + 12, tag, sizeof(tag)) ||
            !vq_chain_write(q, c, VNET_HDR_LEN + 12 + VSW_TAG_LEN, x->frame + 12, x->len - 12))
            return VDEV_E_REQUEST;
    }
    *written = VNET_HDR_LEN + len;
    return 0;
}

/* Into port p's next receive buffer. */
static void deliver(struct vnet_fabric *fab, uint16_t p, const struct rx_copy *x)
{
    struct vnet *r = p < VSW_MAX_PORTS ? fab->dev[p] : NULL;
    if (!r)
        return;
    bool irq, cfg_irq;
    int rc = vdev_deliver(&r->dev, VIRTIO_NET_RX_Q, fill, x, &irq, &cfg_irq);
    if (rc == 1)
        r->rx_nobuf++;
    r->rx_irq |= irq;
    r->cfg_irq |= cfg_irq;
}

/* fab->frame (untagged, len bytes) to the verdict's ports, and to its mirror. */
static void deliver_all(struct vnet_fabric *fab, const struct vsw_verdict *v, uint32_t len)
{
    struct rx_copy x = { fab->frame, len, 0 };
    for (unsigned w = 0; w < VSW_MAX_PORTS / 64; w++)
        for (uint64_t bits = v->dest.w[w]; bits; bits &= bits - 1)
            deliver(fab, (uint16_t)(w * 64 + (unsigned)__builtin_ctzll(bits)), &x);
    if (v->mirror_port != VSW_NO_PORT) {
        x.tag = v->mirror_tag;
        deliver(fab, v->mirror_port, &x);
    }
}

static int vnet_serve(struct vdev *d, uint16_t qi, const struct virtq *q, const struct vq_chain *c,
                      uint32_t *written)
{
    struct vnet *n = d->backend;
    struct vnet_fabric *fab = n->fab;
    *written = 0;
    if (qi != VIRTIO_NET_TX_Q || c->read_bytes < VNET_HDR_LEN)
        return VDEV_E_REQUEST;
    uint64_t t0 = fab->now();
    uint32_t len = c->read_bytes - VNET_HDR_LEN;
    uint32_t hlen = len < VSW_HDR_LEN ? len : VSW_HDR_LEN;
    if (hlen && !vq_chain_read(q, c, VNET_HDR_LEN, fab->frame, hlen))
        return VDEV_E_REQUEST;
    fab->header_reads++;
    struct vsw_verdict v;
    vsw_decide(&fab->sw, n->port, fab->frame, hlen, len, t0, &v);
    if (v.action == VSW_DEFER) {
        n->tx_deferred++;
        return VDEV_DEFER;
    }
    if (v.action != VSW_DELIVER) {
        if (v.why == VSW_WHY_POLICED) {
            n->policed++;
            n->policed_ticks += fab->now() - t0;
        }
        return 0;           /* dropped and counted by the switch; the chain is done */
    }
    if (len > sizeof(fab->frame) ||
        (len > hlen && !vq_chain_read(q, c, VNET_HDR_LEN + hlen, fab->frame + hlen, len - hlen)))
        return VDEV_E_REQUEST;
    fab->frame_copies++;
    /* Frames from a port are untagged (the switch refuses tags from access ports), so each
     * port receives them as they are; only the mirror copy may carry its VLAN's tag. */
    deliver_all(fab, &v, len);
    if (v.uplink) {
        fab->wire_out++;
        if (!fab->up || !fab->up->tx(v.uplink_nic, fab->frame, len, v.uplink_tag))
            fab->wire_lost++;
    }
    n->delivered++;
    n->delivered_ticks += fab->now() - t0;
    return 0;
}

void vnet_uplinks_set(struct vnet_fabric *fab, const struct vnet_uplink_ops *up)
{
    fab->up = up;
    fab->uplinks = 0;
    for (unsigned p = 0; p < VSW_MAX_PORTS; p++)
        if (fab->sw.port[p].present && fab->sw.port[p].uplink != VSW_NO_UPLINK)
            fab->uplinks |= (uint8_t)(1u << fab->sw.port[p].uplink);
}

struct wire_ctx {
    struct vnet_fabric *fab;
    uint8_t nic;
};

/* The device's buffer is read once: the header for the decision, then the rest of a frame
 * the switch delivers; both into fab->frame, never from the buffer again. */
static void copy_in(uint8_t *dst, const volatile uint8_t *src, uint32_t len)
{
    memcpy(dst, (const uint8_t *)(uintptr_t)src, len);
}

static void from_wire(void *arg, const volatile uint8_t *frame, uint32_t len)
{
    struct wire_ctx *w = arg;
    struct vnet_fabric *fab = w->fab;
    uint64_t t0 = fab->now();
    uint32_t hlen = len < VSW_HDR_LEN ? len : VSW_HDR_LEN;
    fab->wire_in++;
    copy_in(fab->frame, frame, hlen);
    fab->header_reads++;
    struct vsw_verdict v;
    vsw_decide(&fab->sw, VSW_SRC_UPLINK(w->nic), fab->frame, hlen, len, t0, &v);
    if (v.action != VSW_DELIVER || len > sizeof(fab->frame))
        return;                     /* counted by the switch (a wire frame is never deferred) */
    if (len > hlen)
        copy_in(fab->frame + hlen, frame + hlen, len - hlen);
    fab->frame_copies++;
    if (v.strip_tag) {              /* ports receive untagged frames */
        memmove(fab->frame + 12, fab->frame + 12 + VSW_TAG_LEN, len - 12 - VSW_TAG_LEN);
        len -= VSW_TAG_LEN;
    }
    deliver_all(fab, &v, len);
}

unsigned vnet_uplink_poll(struct vnet_fabric *fab, unsigned budget)
{
    unsigned got = 0;
    if (!fab->up)
        return 0;
    for (uint8_t nic = 0; nic < VSW_MAX_UPLINKS; nic++) {
        if (!(fab->uplinks & (1u << nic)))
            continue;
        struct wire_ctx w = { fab, nic };
        got += fab->up->rx(nic, from_wire, &w, budget);
    }
    return got;
}

static void vnet_config_read(struct vdev *d, uint32_t off, void *dst, uint32_t len)
{
    const struct vnet *n = d->backend;
    memcpy(dst, (const uint8_t *)&n->cfg + off, len);
}

static const struct vdev_ops vnet_ops = {
    .serve = vnet_serve,
    .config_read = vnet_config_read,
};

void vnet_init(struct vnet *n, const char *name, const struct vq_guest *g,
               struct vnet_fabric *fab, uint16_t port, const uint8_t mac[6],
               void (*log)(const char *line))
{
    memset(n, 0, sizeof(*n));
    n->fab = fab;
    n->port = port;
    memcpy(n->cfg.mac, mac, 6);
    n->cfg.status = VIRTIO_NET_S_LINK_UP;
    struct vdev_info info = {
        .name = name, .type = VIRTIO_ID_NET,
        .features = VIRTIO_FEATURE(VIRTIO_NET_F_MAC) | VIRTIO_FEATURE(VIRTIO_NET_F_STATUS),
        .nqueues = 2, .config_len = sizeof(n->cfg), .max_bytes = VNET_MAX_BYTES,
        .pull_queues = 1u << VIRTIO_NET_RX_Q,
    };
    vdev_init(&n->dev, &info, &vnet_ops, n, g, log);
}
