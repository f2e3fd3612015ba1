/*
 * The software switch's forwarding decision on a frame's header (docs/virtio-switch.md):
 * anti-spoofing, access-port VLANs, unicast by the manifest's MACs, flooding of broadcast and
 * multicast within the VLAN, unknown unicast to the uplink, ingress policing per receiver
 * before any copy, and one mirror copy. Owner sidecore only (see vswitch.h): no locks.
 */
#include <string.h>

#include "vmm/virtio/vswitch.h"

#define MAC_GROUP_BIT 0x01u  /* I/G bit of the first address byte: multicast or broadcast */

struct eth {
    const uint8_t *dst, *src;
    bool group;                          /* destination is multicast or broadcast */
    bool tagged;                         /* an 802.1Q tag follows the source address */
    uint16_t vid;                        /* the tag's VLAN id (0: priority tag only) */
};

/* Reads the header copy; false when the frame cannot be an Ethernet frame we switch. */
static bool parse(const uint8_t *h, uint32_t hdr_len, uint32_t len, struct eth *e)
{
    if (len < VSW_ETH_HLEN || hdr_len < VSW_ETH_HLEN || hdr_len > len)
        return false;
    e->dst = h;
    e->src = h + 6;
    e->group = (h[0] & MAC_GROUP_BIT) != 0;
    e->tagged = ((uint32_t)h[12] << 8 | h[13]) == VSW_TPID_8021Q;
    e->vid = 0;
    if (e->tagged) {
        if (hdr_len < VSW_HDR_LEN)
            return false;
        e->vid = (uint16_t)(((uint32_t)h[14] << 8 | h[15]) & VSW_VID_MASK);
    }
    if (len > VSW_MAX_FRAME + (e->tagged ? VSW_TAG_LEN : 0))
        return false;
    /* A group address is never a valid source. */
    return !(e->src[0] & MAC_GROUP_BIT);
}

/* Polices receiver q for `bytes` and adds it to the verdict, or counts the drop. */
static void offer(struct vsw *sw, struct vsw_verdict *v, uint16_t q, uint32_t bytes, uint64_t now)
{
    struct vsw_port *p = &sw->port[q];
    if (!vsw_bucket_take(&p->ingress, now, bytes)) {
        p->c.drop_ingress++;
        return;
    }
    vsw_set_add(&v->dest, q);
    v->ndest++;
    p->c.rx_frames++;
    p->c.rx_bytes += bytes;
}

static bool dest_meets(const struct vsw_portset *a, const struct vsw_portset *b)
{
    for (unsigned i = 0; i < VSW_MAX_PORTS / 64; i++)
        if (a->w[i] & b->w[i])
            return true;
    return false;
}

/* One copy to the mirror target when a rule matches a frame that leaves the switch. */
static void mirror(struct vsw *sw, struct vsw_verdict *v, uint32_t src, uint32_t len, uint64_t now)
{
    const struct vsw_mirror *m = &sw->mirror;
    if (!m->present || (!v->ndest && !v->uplink) || m->target == src || vsw_set_has(&v->dest, m->target))
        return;
    bool match = vsw_set_has(&m->sources, src) || dest_meets(&m->sources, &v->dest);
    for (unsigned i = 0; !match && i < m->nvlans; i++)
        match = v->vlan != 0 && m->vlans[i] == v->vlan;
    if (!match)
        return;
    struct vsw_port *t = &sw->port[m->target];
    uint16_t tag = t->vlan ? 0 : v->vlan;     /* as the target would receive it from a wire */
    uint32_t bytes = len + (tag ? VSW_TAG_LEN : 0);
    if (!vsw_bucket_take(&t->ingress, now, bytes)) {
        t->c.drop_ingress++;
        return;
    }
    v->mirror_port = m->target;
    v->mirror_tag = tag;
    t->c.mirrored++;
    t->c.rx_frames++;
    t->c.rx_bytes += bytes;
}

/* Ends a decision whose candidates were offered: deliver, or say why nothing goes out. */
static void finish(struct vsw *sw, struct vsw_verdict *v, uint32_t src, uint32_t len, unsigned offered,
                   uint64_t now)
{
    mirror(sw, v, src, len, now);
    if (v->ndest || v->uplink) {
        v->action = VSW_DELIVER;
        v->why = VSW_OK;
        return;
    }
    v->action = VSW_DROP;
    v->why = offered ? VSW_WHY_POLICED : VSW_WHY_UNKNOWN;
}

static void from_port(struct vsw *sw, uint16_t src, const uint8_t *hdr, uint32_t hdr_len, uint32_t len,
                      uint64_t now, struct vsw_verdict *v)
{
    struct vsw_port *p = &sw->port[src];
    struct eth e;
    if (!p->present) {
        v->why = VSW_WHY_NO_PORT;
        return;
    }
    if (!parse(hdr, hdr_len, len, &e)) {
        p->c.drop_malformed++;
        v->why = VSW_WHY_MALFORMED;
        return;
    }
    if (p->spoof_check && memcmp(e.src, p->mac, 6) != 0) {
        p->c.drop_spoof++;
        v->why = VSW_WHY_SPOOF;
        return;
    }
    /* Access port: the switch adds the port's VLAN; a guest's own tag is refused, as the NIC's
     * VLAN anti-spoofing refuses a VF's tag outside its VLANs. */
    if (e.tagged) {
        p->c.drop_vlan++;
        v->why = VSW_WHY_VLAN;
        return;
    }
    if (!vsw_bucket_take(&p->egress, now, len)) {
        p->c.egress_deferred++;
        v->action = VSW_DEFER;
        v->why = VSW_WHY_EGRESS;
        v->retry_at = vsw_bucket_ready_at(&p->egress, len);
        return;
    }
    p->c.tx_frames++;
    p->c.tx_bytes += len;
    v->vlan = p->vlan;
    unsigned offered = 0;
    bool to_uplink = false;
    if (e.group) {
        for (unsigned i = 0; i < sw->nmacs; i++) {
            uint16_t q = sw->macs[i].port;
            if (q != src && sw->port[q].vlan == p->vlan) {
                offer(sw, v, q, len, now);
                offered++;
            }
        }
        to_uplink = p->uplink != VSW_NO_UPLINK;
    } else {
        uint16_t q = vsw_lookup(sw, e.dst);
        if (q == src) {
            p->c.drop_unknown++;
            v->why = VSW_WHY_SELF;
            return;
        }
        if (q != VSW_NO_PORT && sw->port[q].vlan == p->vlan) {
            offer(sw, v, q, len, now);
            offered++;
        } else {
            to_uplink = p->uplink != VSW_NO_UPLINK;   /* unknown in this VLAN */
        }
    }
    if (to_uplink) {
        struct vsw_uplink_counters *u = &sw->uplink[p->uplink];
        v->uplink = true;
        v->uplink_nic = p->uplink;
        v->uplink_tag = p->vlan;
        u->tx_frames++;
        u->tx_bytes += len + (p->vlan ? VSW_TAG_LEN : 0);
    }
    finish(sw, v, src, len, offered, now);
    if (v->action == VSW_DROP && v->why == VSW_WHY_UNKNOWN)
        p->c.drop_unknown++;
}

static void from_wire(struct vsw *sw, uint8_t nic, const uint8_t *hdr, uint32_t hdr_len, uint32_t len,
                      uint64_t now, struct vsw_verdict *v)
{
    struct vsw_uplink_counters *u = &sw->uplink[nic];
    struct eth e;
    if (!parse(hdr, hdr_len, len, &e)) {
        u->drop_malformed++;
        v->why = VSW_WHY_MALFORMED;
        return;
    }
    /* One of our own addresses coming in from the wire is a loop or a forgery. */
    if (vsw_lookup(sw, e.src) != VSW_NO_PORT) {
        u->drop_spoof++;
        v->why = VSW_WHY_SPOOF;
        return;
    }
    v->vlan = e.vid;
    v->strip_tag = e.tagged;
    uint32_t bytes = len - (e.tagged ? VSW_TAG_LEN : 0);
    unsigned offered = 0;
    if (e.group) {
        for (unsigned i = 0; i < sw->nmacs; i++) {
            uint16_t q = sw->macs[i].port;
            if (sw->port[q].uplink == nic && sw->port[q].vlan == e.vid) {
                offer(sw, v, q, bytes, now);
                offered++;
            }
        }
    } else {
        uint16_t q = vsw_lookup(sw, e.dst);
        if (q != VSW_NO_PORT && sw->port[q].uplink == nic && sw->port[q].vlan == e.vid) {
            offer(sw, v, q, bytes, now);
            offered++;
        }
    }
    finish(sw, v, VSW_SRC_UPLINK(nic), bytes, offered, now);
    if (v->action == VSW_DELIVER)
        u->rx_frames++;
    else if (v->why == VSW_WHY_UNKNOWN)
        u->drop_unknown++;
}

void vsw_decide(struct vsw *sw, uint32_t src, const uint8_t *hdr, uint32_t hdr_len, uint32_t len,
                uint64_t now, struct vsw_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->action = VSW_DROP;
    v->mirror_port = VSW_NO_PORT;
    if (src < VSW_MAX_PORTS)
        from_port(sw, (uint16_t)src, hdr, hdr_len, len, now, v);
    else if (src >= VSW_SRC_UPLINK(0) && src < VSW_SRC_UPLINK(VSW_MAX_UPLINKS))
        from_wire(sw, (uint8_t)(src - VSW_SRC_UPLINK(0)), hdr, hdr_len, len, now, v);
    else
        v->why = VSW_WHY_NO_PORT;
}
