/* Unit tests of the software switch's forwarding decision: unicast, VLAN isolation, flooding,
 * anti-spoofing, malformed headers, the uplink verdicts, frames from the wire, mirroring, and
 * the switch built from a manifest. */
#include <stdlib.h>

#include "check.h"
#include "tests/unit/vswitch_frames.h"
#include <exitless/manifest.h>

static struct vsw sw;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* Ports: 1 A (vlan -), 2 B (-), 3 C (10), 4 D (10, uplink nic 0), 5 E (-, spoof_check off),
 * 6 F (-, uplink nic 1). MACs 02:..:nn with nn = port. */
static void setup(void)
{
    vsw_init(&sw, 3, 1000000000ull);
    struct vsw_port_cfg c[] = {
        port_cfg(1, 1, 0, VSW_NO_UPLINK), port_cfg(2, 2, 0, VSW_NO_UPLINK), port_cfg(3, 3, 10, VSW_NO_UPLINK),
        port_cfg(4, 4, 10, 0), port_cfg(5, 5, 0, VSW_NO_UPLINK), port_cfg(6, 6, 0, 1),
    };
    c[4].spoof_check = false;
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        CHECK(vsw_add_port(&sw, &c[i], 0) == 0, "add port %u", c[i].port);
}

static uint8_t M[8][6];

static void test_unicast_and_vlans(void)
{
    struct vsw_verdict v;
    setup();
    send_frame(&sw, 1, M[2], M[1], -1, 100, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 1 && vsw_set_has(&v.dest, 2) && !v.uplink,
          "A to B: delivered to B only (action %d ndest %u)", v.action, v.ndest);
    CHECK(v.mirror_port == VSW_NO_PORT && v.vlan == 0 && !v.strip_tag, "no mirror, untagged");
    CHECK_EQ_U64(sw.port[1].c.tx_frames, 1, "A tx");
    CHECK_EQ_U64(sw.port[1].c.tx_bytes, 100, "A tx bytes");
    CHECK_EQ_U64(sw.port[2].c.rx_frames, 1, "B rx");
    CHECK_EQ_U64(sw.port[2].c.rx_bytes, 100, "B rx bytes");

    /* C is in VLAN 10: unknown in A's VLAN; A has no uplink. */
    send_frame(&sw, 1, M[3], M[1], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN && v.ndest == 0, "A to C isolated (%d/%d)",
          v.action, v.why);
    CHECK_EQ_U64(sw.port[3].c.rx_frames, 0, "C got nothing");
    CHECK_EQ_U64(sw.port[1].c.drop_unknown, 1, "A unknown");
    send_frame(&sw, 3, M[1], M[3], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "C to A isolated");
    CHECK_EQ_U64(sw.port[1].c.rx_frames, 0, "A got nothing from C");

    send_frame(&sw, 3, M[4], M[3], -1, 200, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 1 && vsw_set_has(&v.dest, 4) && v.vlan == 10 && !v.uplink,
          "C to D within VLAN 10");

    /* D has an uplink: A's MAC is unknown in VLAN 10, so it leaves tagged through NIC 0. */
    send_frame(&sw, 4, M[1], M[4], -1, 300, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 0 && v.uplink && v.uplink_nic == 0 && v.uplink_tag == 10,
          "D to A goes to the uplink tagged 10 (uplink %d nic %u tag %u)", v.uplink, v.uplink_nic,
          v.uplink_tag);
    CHECK_EQ_U64(sw.uplink[0].tx_frames, 1, "uplink 0 tx");
    CHECK_EQ_U64(sw.uplink[0].tx_bytes, 304, "uplink 0 tx bytes with the tag");
    uint8_t far[6] = { 0x02, 0x99, 0, 0, 0, 1 };
    send_frame(&sw, 6, far, M[6], -1, 64, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.uplink && v.uplink_nic == 1 && v.uplink_tag == 0 && v.ndest == 0,
          "F unknown unicast to uplink 1 untagged");
    send_frame(&sw, 2, far, M[2], -1, 64, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "B unknown unicast without uplink: dropped");
    CHECK_EQ_U64(sw.port[2].c.drop_unknown, 1, "B unknown counted");

    send_frame(&sw, 1, M[1], M[1], -1, 64, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_SELF, "to itself: no hairpin");
}

static void test_flooding(void)
{
    struct vsw_verdict v;
    setup();
    send_frame(&sw, 1, bcast, M[1], -1, 60, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 3 && vsw_set_has(&v.dest, 2) && vsw_set_has(&v.dest, 5) &&
          vsw_set_has(&v.dest, 6) && !vsw_set_has(&v.dest, 1) && !vsw_set_has(&v.dest, 3) &&
          !vsw_set_has(&v.dest, 4) && !v.uplink, "A's broadcast: B, E, F in the untagged segment (ndest %u)",
          v.ndest);
    send_frame(&sw, 6, bcast, M[6], -1, 60, 0, &v);
    CHECK(v.ndest == 3 && vsw_set_has(&v.dest, 1) && v.uplink && v.uplink_nic == 1 && v.uplink_tag == 0,
          "F's broadcast also goes to its uplink");
    send_frame(&sw, 4, mcast, M[4], -1, 60, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 1 && vsw_set_has(&v.dest, 3) && v.uplink && v.uplink_tag == 10,
          "D's multicast: C and the uplink, tagged 10");
    send_frame(&sw, 3, mcast, M[3], -1, 60, 0, &v);
    CHECK(v.ndest == 1 && vsw_set_has(&v.dest, 4) && !v.uplink, "C's multicast: D only");
    CHECK_EQ_U64(sw.port[4].c.rx_frames, 1, "D rx");
    CHECK_EQ_U64(sw.port[1].c.rx_frames, 1, "A rx");
    /* A VLAN with one port and no uplink: the broadcast reaches nobody. */
    vsw_init(&sw, 3, 1000);
    struct vsw_port_cfg lone = port_cfg(0, 1, 7, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &lone, 0) == 0, "lone port");
    send_frame(&sw, 0, bcast, M[1], -1, 60, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "lone broadcast goes nowhere");
}

static void test_spoofing_and_malformed(void)
{
    struct vsw_verdict v;
    uint8_t h[VSW_HDR_LEN];
    setup();
    send_frame(&sw, 1, M[2], M[2], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_SPOOF && v.ndest == 0, "A claiming B's MAC: dropped");
    CHECK_EQ_U64(sw.port[1].c.drop_spoof, 1, "A spoof counted");
    CHECK_EQ_U64(sw.port[1].c.tx_frames, 0, "not accepted");
    CHECK_EQ_U64(sw.port[2].c.rx_frames, 0, "B got nothing");
    uint8_t other[6] = { 0x02, 0x55, 0, 0, 0, 9 };
    send_frame(&sw, 1, bcast, other, -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_SPOOF, "A broadcasting from a made-up MAC: dropped");
    send_frame(&sw, 5, M[1], other, -1, 100, 0, &v);
    CHECK(v.action == VSW_DELIVER && vsw_set_has(&v.dest, 1), "E has spoof_check off: delivered");

    /* Access ports: any tag from a guest is refused, its own VLAN's included. */
    send_frame(&sw, 1, M[2], M[1], 0, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_VLAN, "priority-tagged frame from A");
    send_frame(&sw, 3, M[4], M[3], 10, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_VLAN, "C tagging its own VLAN");
    send_frame(&sw, 1, M[3], M[1], 10, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_VLAN && sw.port[3].c.rx_frames == 0,
          "A tagging itself into VLAN 10 to reach C");
    CHECK_EQ_U64(sw.port[1].c.drop_vlan, 2, "A VLAN drops");
    CHECK_EQ_U64(sw.port[3].c.drop_vlan, 1, "C VLAN drops");

    uint32_t hl = hdr_make(h, M[2], M[1], -1);
    vsw_decide(&sw, 1, h, hl, 13, 0, &v);
    CHECK(v.why == VSW_WHY_MALFORMED, "13-byte frame");
    vsw_decide(&sw, 1, h, 13, 100, 0, &v);
    CHECK(v.why == VSW_WHY_MALFORMED, "13 header bytes");
    vsw_decide(&sw, 1, h, hl, VSW_MAX_FRAME + 1, 0, &v);
    CHECK(v.why == VSW_WHY_MALFORMED, "1515 bytes");
    vsw_decide(&sw, 1, h, hl, VSW_MAX_FRAME, 0, &v);
    CHECK(v.action == VSW_DELIVER, "1514 bytes");
    vsw_decide(&sw, 1, h, hl, VSW_ETH_HLEN, 0, &v);
    CHECK(v.action == VSW_DELIVER, "header-only frame");
    hl = hdr_make(h, M[2], M[1], 5);
    vsw_decide(&sw, 1, h, VSW_ETH_HLEN, 100, 0, &v);
    CHECK(v.why == VSW_WHY_MALFORMED, "a tag without its TCI bytes");
    hl = hdr_make(h, M[2], mcast, -1);
    vsw_decide(&sw, 5, h, hl, 100, 0, &v);
    CHECK(v.why == VSW_WHY_MALFORMED, "group source address, even without spoof_check");
    CHECK_EQ_U64(sw.port[1].c.drop_malformed, 4, "A malformed");
    CHECK_EQ_U64(sw.port[5].c.drop_malformed, 1, "E malformed");

    vsw_decide(&sw, 9, h, hl, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_NO_PORT, "no port 9");
    vsw_decide(&sw, VSW_SRC_UPLINK(VSW_MAX_UPLINKS), h, hl, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_NO_PORT, "no such uplink");
    vsw_decide(&sw, 0xffffffffu, h, hl, 100, 0, &v);
    CHECK(v.why == VSW_WHY_NO_PORT, "source out of range");
}

static void test_wire(void)
{
    struct vsw_verdict v;
    uint8_t far[6] = { 0x02, 0x99, 0, 0, 0, 1 };
    setup();
    send_frame(&sw, VSW_SRC_UPLINK(0), M[4], far, 10, 104, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 1 && vsw_set_has(&v.dest, 4) && v.strip_tag && v.vlan == 10,
          "wire frame for D in VLAN 10: delivered, tag stripped");
    CHECK_EQ_U64(sw.port[4].c.rx_bytes, 100, "D is charged the untagged length");
    send_frame(&sw, VSW_SRC_UPLINK(0), M[4], far, -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "untagged wire frame for D: not in its VLAN");
    send_frame(&sw, VSW_SRC_UPLINK(0), M[3], far, 10, 104, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "C is not on uplink 0");
    send_frame(&sw, VSW_SRC_UPLINK(1), M[4], far, 10, 104, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "D is not on uplink 1");
    send_frame(&sw, VSW_SRC_UPLINK(0), bcast, far, 10, 104, 0, &v);
    CHECK(v.ndest == 1 && vsw_set_has(&v.dest, 4), "wire broadcast in VLAN 10: D only");
    send_frame(&sw, VSW_SRC_UPLINK(1), bcast, far, -1, 100, 0, &v);
    CHECK(v.ndest == 1 && vsw_set_has(&v.dest, 6) && !v.strip_tag, "wire broadcast untagged on NIC 1: F only");
    send_frame(&sw, VSW_SRC_UPLINK(1), M[6], far, 0, 104, 0, &v);
    CHECK(v.ndest == 1 && vsw_set_has(&v.dest, 6) && v.strip_tag && v.vlan == 0,
          "priority-tagged wire frame: untagged segment, tag stripped");
    send_frame(&sw, VSW_SRC_UPLINK(0), M[4], M[1], 10, 104, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_SPOOF, "our own MAC from the wire");
    CHECK_EQ_U64(sw.uplink[0].rx_frames, 2, "uplink 0 rx");
    CHECK_EQ_U64(sw.uplink[0].drop_unknown, 2, "uplink 0 unknown");
    CHECK_EQ_U64(sw.uplink[0].drop_spoof, 1, "uplink 0 spoof");
    CHECK_EQ_U64(sw.uplink[1].drop_unknown, 1, "uplink 1 unknown");
}

static void test_mirror(void)
{
    struct vsw_verdict v;
    struct vsw_portset src = { { 0 } };
    uint16_t vlans[1] = { 10 };
    setup();
    struct vsw_port_cfg mon = port_cfg(7, 7, 0, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &mon, 0) == 0, "monitor port");
    vsw_set_add(&src, 1);
    vsw_set_add(&src, 7);
    CHECK(vsw_set_mirror(&sw, &src, vlans, 1, 7) == -1, "target may not be a source");
    vsw_set_del(&src, 7);
    vsw_set_add(&src, 9);
    CHECK(vsw_set_mirror(&sw, &src, vlans, 1, 7) == -1, "a source must be a port");
    vsw_set_del(&src, 9);
    CHECK(vsw_set_mirror(&sw, &src, vlans, 1, 8) == -1, "the target must be a port");
    uint16_t bad[1] = { 4095 };
    CHECK(vsw_set_mirror(&sw, &src, bad, 1, 7) == -1, "VLAN 4095");
    CHECK(vsw_set_mirror(&sw, &src, vlans, 1, 7) == 0, "mirror A and VLAN 10 to port 7");

    send_frame(&sw, 1, M[2], M[1], -1, 100, 0, &v);
    CHECK(v.action == VSW_DELIVER && vsw_set_has(&v.dest, 2) && v.mirror_port == 7 && v.mirror_tag == 0,
          "A's sent frame is copied untagged (mirror %u tag %u)", v.mirror_port, v.mirror_tag);
    send_frame(&sw, 2, M[1], M[2], -1, 100, 0, &v);
    CHECK(v.mirror_port == 7, "A's received frame is copied");
    send_frame(&sw, 2, M[5], M[2], -1, 100, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.mirror_port == VSW_NO_PORT, "B to E: no rule matches");
    send_frame(&sw, 3, M[4], M[3], -1, 100, 0, &v);
    CHECK(v.mirror_port == 7 && v.mirror_tag == 10, "VLAN 10 frame copied with its tag to an untagged monitor");
    CHECK_EQ_U64(sw.port[7].c.rx_bytes, 304, "the copies' bytes, the tag included");
    send_frame(&sw, 2, bcast, M[2], -1, 100, 0, &v);
    CHECK(vsw_set_has(&v.dest, 7) && v.mirror_port == VSW_NO_PORT, "monitor already receives the broadcast: one copy");
    send_frame(&sw, 1, M[2], M[2], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.mirror_port == VSW_NO_PORT, "a spoofed frame is not copied");
    uint8_t far[6] = { 0x02, 0x99, 0, 0, 0, 1 };
    send_frame(&sw, 1, far, M[1], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.mirror_port == VSW_NO_PORT, "a frame that goes nowhere is not copied");
    send_frame(&sw, 4, far, M[4], -1, 100, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.uplink && v.mirror_port == 7 && v.mirror_tag == 10,
          "VLAN 10 frame to the uplink is copied");
    send_frame(&sw, VSW_SRC_UPLINK(0), M[4], far, 10, 104, 0, &v);
    CHECK(v.mirror_port == 7 && v.mirror_tag == 10, "VLAN 10 frame from the wire is copied");
    CHECK_EQ_U64(sw.port[7].c.mirrored, 5, "copies counted at the target");

    /* A target in a VLAN of its own receives copies untagged, like any access port. */
    setup();
    struct vsw_port_cfg mon20 = port_cfg(7, 7, 20, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &mon20, 0) == 0, "monitor port in VLAN 20");
    CHECK(vsw_set_mirror(&sw, &src, vlans, 1, 7) == 0, "mirror set");
    send_frame(&sw, 3, M[4], M[3], -1, 100, 0, &v);
    CHECK(v.mirror_port == 7 && v.mirror_tag == 0, "copy to a VLAN-20 monitor is untagged");
    send_frame(&sw, 7, M[1], M[7], -1, 100, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_UNKNOWN, "the monitor itself stays isolated in VLAN 20");
}

static void test_ports(void)
{
    setup();
    struct vsw_port_cfg c = port_cfg(1, 9, 0, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "port number taken");
    c = port_cfg(9, 1, 0, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "MAC taken");
    c = port_cfg(9, 9, 4095, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "VLAN 4095");
    c = port_cfg(9, 9, 0, VSW_MAX_UPLINKS);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "uplink out of range");
    c = port_cfg(VSW_MAX_PORTS, 9, 0, VSW_NO_UPLINK);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "port 256");
    c = port_cfg(9, 9, 0, VSW_NO_UPLINK);
    c.mac[0] = 0x03;
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "multicast MAC");
    memset(c.mac, 0, 6);
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "zero MAC");
    c = port_cfg(9, 9, 0, VSW_NO_UPLINK);
    c.egress_bps = VSW_RATE_MAX + 1;
    CHECK(vsw_add_port(&sw, &c, 0) == -1, "rate beyond the buckets");
    CHECK_EQ_U64(sw.nports, 6, "failed adds leave the table alone");
    for (unsigned i = 1; i < sw.nmacs; i++)
        CHECK(sw.macs[i - 1].mac < sw.macs[i].mac, "forwarding table sorted at %u", i);
    for (uint8_t n = 1; n <= 6; n++)
        CHECK_EQ_U64(vsw_lookup(&sw, M[n]), n, "lookup");
    CHECK_EQ_U64(vsw_lookup(&sw, M[7]), VSW_NO_PORT, "lookup of an unknown MAC");
    /* Many ports: the binary search over a full table. */
    vsw_init(&sw, 0, 1000);
    for (unsigned p = 0; p < VSW_MAX_PORTS; p++) {
        struct vsw_port_cfg k = { .port = (uint16_t)p, .mac = { 0x02, 0, 0, 0, (uint8_t)(p * 7 % 256), 1 } };
        CHECK(vsw_add_port(&sw, &k, 0) == 0, "port %u", p);
    }
    unsigned found = 0;
    for (unsigned p = 0; p < VSW_MAX_PORTS; p++) {
        uint8_t mac[6] = { 0x02, 0, 0, 0, (uint8_t)(p * 7 % 256), 1 };
        found += vsw_lookup(&sw, mac) == p;
    }
    CHECK_EQ_U64(found, VSW_MAX_PORTS, "every port found in a full table");
}

static struct mf_workspace ws;

static void test_build(void)
{
    static const char text[] =
        "[hypervisor]\nsidecores = [5, 3]\n"
        "[virtio_switch]\nmirror = { sources = [\"a\"], vlans = [30], target = \"mon\" }\n"
        "[[nic]]\nname = \"n0\"\npci = \"0000:01:00.0\"\n"
        "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = \"64M\"\nimage = \"i\"\n"
        "  [[guest.virtio_net]]\n  port = 4\n  vlan = 30\n  uplink = \"n0\"\n"
        "  egress_limit = \"10Mbit\"\n  ingress_limit = \"20Mbit\"\n"
        "[[guest]]\nname = \"b\"\ncpus = [2]\nmemory = \"64M\"\nimage = \"i\"\n"
        "  [[guest.virtio_net]]\n  mac = \"02:00:00:00:00:42\"\n  spoof_check = false\n"
        "[[guest]]\nname = \"mon\"\ncpus = [4]\nmemory = \"64M\"\nimage = \"i\"\n"
        "  [[guest.virtio_net]]\n";
    int rc = mf_parse(&ws, "t.toml", text, sizeof(text) - 1);
    CHECK(rc == 0, "manifest parses (%u errors: %s)", ws.diag.count, ws.diag.count ? ws.diag.err[0].msg : "");
    if (rc)
        return;
    CHECK(vsw_build(&sw, &ws.model, 2000000000ull, 0) == 0, "switch built");
    CHECK_EQ_U64(sw.owner_cpu, 3, "owned by the lowest sidecore");
    CHECK_EQ_U64(sw.nports, 3, "three ports");
    const struct vsw_port *a = &sw.port[4], *b = &sw.port[0], *mon = &sw.port[1];
    CHECK(a->present && a->vlan == 30 && a->uplink == 0 && a->spoof_check, "port 4: guest a");
    CHECK_EQ_U64(a->egress.rate_bps, 10000000, "a's egress limit");
    CHECK_EQ_U64(a->ingress.rate_bps, 20000000, "a's ingress limit");
    CHECK_EQ_U64(a->egress.hz, 2000000000ull, "the clock");
    CHECK(b->present && !b->spoof_check && b->mac[5] == 0x42 && b->uplink == VSW_NO_UPLINK &&
          !vsw_bucket_limited(&b->egress) && !vsw_bucket_limited(&b->ingress), "port 0: guest b");
    CHECK(mon->present && mon->guest == 2 && mon->mac[5] == 1, "port 1: mon, MAC from its port");
    CHECK(sw.mirror.present && sw.mirror.target == 1 && vsw_set_has(&sw.mirror.sources, 4) &&
          sw.mirror.nvlans == 1 && sw.mirror.vlans[0] == 30, "mirror from [virtio_switch]");
    uint8_t am[6];
    memcpy(am, a->mac, 6);
    CHECK_EQ_U64(vsw_lookup(&sw, am), 4, "a's MAC finds port 4");

    /* What the switch cannot hold is refused, even in a model that skipped the check. */
    static struct mf_manifest bad;
    bad = ws.model;
    memset(&bad.hv.sidecores, 0, sizeof(bad.hv.sidecores));
    CHECK(vsw_build(&sw, &bad, 1000, 0) == -1, "ports without a sidecore to own them");
    bad = ws.model;
    bad.guests[1].virtio_net[0].mac = bad.guests[0].virtio_net[0].mac;
    CHECK(vsw_build(&sw, &bad, 1000, 0) == -1, "two ports with one MAC");
    bad = ws.model;
    bad.guests[0].virtio_net[0].egress_limit_bps = VSW_RATE_MAX + 1;
    CHECK(vsw_build(&sw, &bad, 1000, 0) == -1, "a rate beyond the buckets");
    bad = ws.model;
    bad.vswitch.mirror.target_port = 4;
    CHECK(vsw_build(&sw, &bad, 1000, 0) == -1, "mirror target that is also a source");
    CHECK(vsw_build(&sw, &ws.model, 0, 0) == -1, "a limited port on a clock of 0 Hz");
}

int main(void)
{
    for (uint8_t n = 0; n < 8; n++)
        mac_n(M[n], n);
    test_unicast_and_vlans();
    test_flooding();
    test_spoofing_and_malformed();
    test_wire();
    test_mirror();
    test_ports();
    test_build();
    return check_summary("vswitch");
}
