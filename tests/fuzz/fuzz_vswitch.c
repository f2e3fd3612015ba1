/* libFuzzer harness: the software switch's forwarding decision (vmm/virtio/vswitch_forward.c)
 * on a fuzzed switch (up to 8 ports: numbers, MACs, VLANs, uplinks, spoof_check, egress and
 * ingress limits, a mirror) and a fuzzed sequence of frames from ports and wires at advancing
 * times. After every decision it asserts:
 *  - a drop delivers nothing and says why; a deferral only for a port over its egress limit,
 *    with a retry time in the future; a delivery goes somewhere;
 *  - receivers are present ports in the frame's VLAN, never the sender; a unicast reaches at
 *    most the port owning the address; a flood reaches every other port of the VLAN (of that
 *    uplink, from a wire) except those whose ingress drop counter rose;
 *  - a spoofed source or a guest's own tag is never delivered; the uplink gets only frames
 *    from a port with an uplink, tagged with that port's VLAN; a mirror copy goes only to the
 *    target, not already a receiver, tagged as the target needs;
 *  - the counters add up, and no port ever sent or received more bytes than its bucket
 *    allows since time 0 (burst plus rate times elapsed time, exactly);
 *  - nothing past the header copy's length is read (the copy is a heap block of that size).
 * Input: port count, 4 bytes per port, a mirror byte, then steps of 8 bytes. */
#include <stdbool.h>

#include "fuzz_input.h"
#include "vmm/virtio/vswitch.h"

#define HZ        1000000u      /* a microsecond clock */
#define MAX_IN    8

static struct vsw sw;

static bool mac_eq(const uint8_t *a, const uint8_t *b) { return memcmp(a, b, 6) == 0; }

static unsigned popcount(const struct vsw_portset *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < VSW_MAX_PORTS / 64; i++)
        n += (unsigned)__builtin_popcountll(s->w[i]);
    return n;
}

/* Bytes a bucket can have let through by time now, in credit units. */
static bool within(const struct vsw_bucket *b, uint64_t bytes, uint64_t now)
{
    return !b->rate_bps || bytes * 8 * b->hz <= b->cap + b->rate_bps * now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    uint16_t ports[MAX_IN];
    unsigned n = 0, want = fuzz_u8(&in) % MAX_IN + 1;
    vsw_init(&sw, 0, HZ);
    for (unsigned i = 0; i < want; i++) {
        uint8_t num = fuzz_u8(&in), macb = fuzz_u8(&in), flags = fuzz_u8(&in), rate = fuzz_u8(&in);
        static const uint16_t vlans[4] = { 0, 10, 20, 4094 };
        struct vsw_port_cfg c = { .port = num, .mac = { 0x02, 0, 0, 0, 0, macb },
                                  .vlan = vlans[flags & 3],
                                  .uplink = (flags >> 2 & 3) == 3 ? VSW_NO_UPLINK : (flags >> 2 & 3),
                                  .spoof_check = !(flags & 0x10) };
        uint64_t bps = ((uint64_t)rate + 1) * 100000;   /* 100 kbit/s .. 25.6 Mbit/s */
        c.egress_bps = flags & 0x20 ? bps : 0;
        c.ingress_bps = flags & 0x40 ? bps : 0;
        if (vsw_add_port(&sw, &c, 0) == 0)
            ports[n++] = num;
    }
    FUZZ_ASSERT(sw.nports == n && sw.nmacs == n, "port count %u vs %u", sw.nports, n);
    uint8_t mb = fuzz_u8(&in);
    if (n >= 2 && (mb & 0x80)) {
        struct vsw_portset src = { { 0 } };
        uint16_t target = ports[mb % n];
        for (unsigned i = 0; i < n; i++)
            if ((mb >> (i % 4 + 3)) & 1 && ports[i] != target)
                vsw_set_add(&src, ports[i]);
        uint16_t vl[1] = { 10 };
        FUZZ_ASSERT(vsw_set_mirror(&sw, &src, vl, mb & 0x40 ? 1 : 0, target) == 0, "mirror refused");
    }
    uint64_t now = 0;
    while (fuzz_left(&in) && n) {
        uint8_t ssel = fuzz_u8(&in), dsel = fuzz_u8(&in), msel = fuzz_u8(&in), tsel = fuzz_u8(&in);
        uint32_t len = fuzz_u16(&in) % (VSW_MAX_FRAME + 16);
        now += fuzz_u16(&in);
        bool wire = ssel & 0x80;
        uint32_t src = wire ? VSW_SRC_UPLINK(ssel % 3) : ports[ssel % n];
        uint8_t dst[6] = { 0x02, 0, 0, 0, 0, dsel }, smac[6] = { 0x02, 0, 0, 0, 0, msel };
        if (dsel >= 0xf0)
            memset(dst, 0xff, 6);
        else if (dsel >= 0xe0)
            dst[0] = 0x01;
        if (!wire && !(msel & 0x80))
            memcpy(smac, sw.port[src].mac, 6);     /* mostly its own address */
        if (msel == 0x7f)
            smac[0] = 0x03;                        /* a group source */
        uint8_t h[VSW_HDR_LEN];
        memcpy(h, dst, 6);
        memcpy(h + 6, smac, 6);
        bool tagged = tsel & 1;
        uint16_t tvid = (uint16_t)((tsel >> 1) % 3 * 10);
        h[12] = tagged ? 0x81 : 0x08, h[13] = 0;
        h[14] = 0, h[15] = (uint8_t)tvid, h[16] = 0x08, h[17] = 0;
        uint32_t hl = tsel & 0x80 ? VSW_ETH_HLEN : (len < VSW_HDR_LEN ? len : VSW_HDR_LEN);

        uint64_t rx_before = 0, drop_before[VSW_MAX_PORTS];
        for (unsigned i = 0; i < n; i++) {
            rx_before += sw.port[ports[i]].c.rx_frames;
            drop_before[ports[i]] = sw.port[ports[i]].c.drop_ingress;
        }
        struct vsw_verdict v;
        /* Exactly hl bytes on the heap: a read past the header copy is an ASan report. */
        uint8_t *copy = malloc(hl ? hl : 1);
        FUZZ_ASSERT(copy != NULL, "out of memory");
        memcpy(copy, h, hl);
        vsw_decide(&sw, src, copy, hl, len, now, &v);
        free(copy);

        unsigned nd = popcount(&v.dest);
        FUZZ_ASSERT(nd == v.ndest, "ndest %u, set has %u", v.ndest, nd);
        if (v.action != VSW_DELIVER)
            FUZZ_ASSERT(!nd && !v.uplink && v.mirror_port == VSW_NO_PORT && v.why != VSW_OK,
                        "a drop or deferral delivers nothing (why %d)", v.why);
        if (v.action == VSW_DEFER) {
            FUZZ_ASSERT(!wire && vsw_bucket_limited(&sw.port[src].egress) && v.why == VSW_WHY_EGRESS,
                        "deferral only for an egress-limited port");
            FUZZ_ASSERT(v.retry_at > now && v.retry_at != UINT64_MAX, "retry %llu at %llu",
                        (unsigned long long)v.retry_at, (unsigned long long)now);
        }
        if (v.action == VSW_DELIVER)
            FUZZ_ASSERT(nd || v.uplink, "a delivery goes somewhere");
        bool group = dst[0] & 1;
        if (!wire && v.action == VSW_DELIVER) {
            const struct vsw_port *p = &sw.port[src];
            FUZZ_ASSERT(!tagged, "a guest's tag is never forwarded");
            FUZZ_ASSERT(!p->spoof_check || mac_eq(smac, p->mac), "a spoofed source is never forwarded");
            FUZZ_ASSERT(v.vlan == p->vlan && !v.strip_tag, "the sender's VLAN");
            if (v.uplink)
                FUZZ_ASSERT(p->uplink != VSW_NO_UPLINK && v.uplink_nic == p->uplink && v.uplink_tag == p->vlan,
                            "uplink of the sender, its VLAN");
        }
        if (wire && v.action == VSW_DELIVER)
            FUZZ_ASSERT(!v.uplink && v.vlan == (tagged ? tvid : 0) && v.strip_tag == tagged, "from the wire");
        uint8_t nic = (uint8_t)(ssel % 3);
        for (unsigned i = 0; i < n; i++) {
            uint16_t q = ports[i];
            const struct vsw_port *p = &sw.port[q];
            bool in_dest = vsw_set_has(&v.dest, q);
            if (in_dest) {
                FUZZ_ASSERT(q != src && p->vlan == v.vlan, "receiver %u in VLAN %u", q, v.vlan);
                FUZZ_ASSERT(group || mac_eq(p->mac, dst), "unicast to its owner only");
                FUZZ_ASSERT(!wire || p->uplink == nic, "from the wire only to ports of that uplink");
            }
            bool eligible = q != src && p->vlan == v.vlan && (!wire || p->uplink == nic);
            if (v.action == VSW_DELIVER && group && eligible && !in_dest)
                FUZZ_ASSERT(p->c.drop_ingress > drop_before[q], "flood skipped port %u without policing it", q);
            FUZZ_ASSERT(within(&p->egress, p->c.tx_bytes, now), "port %u sent beyond its egress bucket", q);
            FUZZ_ASSERT(within(&p->ingress, p->c.rx_bytes, now), "port %u got beyond its ingress bucket", q);
            FUZZ_ASSERT(p->egress.credit <= p->egress.cap && p->ingress.credit <= p->ingress.cap, "credit cap");
        }
        if (v.mirror_port != VSW_NO_PORT) {
            const struct vsw_port *t = &sw.port[v.mirror_port];
            FUZZ_ASSERT(sw.mirror.present && v.mirror_port == sw.mirror.target && v.mirror_port != src &&
                        !vsw_set_has(&v.dest, v.mirror_port), "mirror copy to the target only");
            FUZZ_ASSERT(v.mirror_tag == (t->vlan ? 0 : v.vlan), "mirror tag");
        }
        uint64_t rx_after = 0;
        for (unsigned i = 0; i < n; i++)
            rx_after += sw.port[ports[i]].c.rx_frames;
        FUZZ_ASSERT(rx_after - rx_before == nd + (v.mirror_port != VSW_NO_PORT),
                    "rx counters rose by the receivers");
    }
    return 0;
}
