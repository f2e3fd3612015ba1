/* Unit tests: virtio-net ports on the software switch (vmm/virtio/vnet.c) and the device
 * core's pull queues and held chains (vdev_deliver(), VDEV_DEFER), driven as drivers would
 * through fake guests' memory. */
#include "check.h"
#include "fake_guest.h"
#include "vmm/virtio/vnet.h"

#define QSIZE 8
#define RX_DESC  (FG_BASE + 0x0000)
#define RX_AVAIL (FG_BASE + 0x1000)
#define RX_USED  (FG_BASE + 0x2000)
#define TX_DESC  (FG_BASE + 0x3000)
#define TX_AVAIL (FG_BASE + 0x4000)
#define TX_USED  (FG_BASE + 0x5000)
#define TXBUF    (FG_BASE + 0x6000)   /* QSIZE x 0x800 */
#define RXBUF    (FG_BASE + 0xa000)   /* 3 buffers of 0x600... (see post_rx) */
#define HZ 1000000000ull              /* the buckets' clock: nanoseconds */

enum { A, B, M, NDEV };
static struct fake_guest fg[NDEV];
static struct vnet dev[NDEV];
static struct vnet_fabric fab;
static uint64_t clock_ns;
static unsigned log_lines;
static const uint8_t MAC[NDEV][6] = { { 2, 0, 0, 0, 0, 0xa }, { 2, 0, 0, 0, 0, 0xb }, { 2, 0, 0, 0, 0, 0xc } };
static uint16_t tx_slot[NDEV];

static uint64_t now(void) { return clock_ns; }
static void log_line(const char *line) { (void)line; log_lines++; }

static void bring_up(struct vdev *d)
{
    vdev_set_status(d, 0);
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vdev_set_driver_features(d, 0, VIRTIO_FEATURE(VIRTIO_NET_F_MAC));
    vdev_set_driver_features(d, 1, 1);      /* VERSION_1 */
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    uint64_t rings[2][3] = { { RX_DESC, RX_AVAIL, RX_USED }, { TX_DESC, TX_AVAIL, TX_USED } };
    for (uint16_t q = 0; q < 2; q++) {
        vdev_queue_write(d, q, VDEV_Q_SIZE, QSIZE);
        vdev_queue_write(d, q, VDEV_Q_DESC, rings[q][0]);
        vdev_queue_write(d, q, VDEV_Q_DRIVER, rings[q][1]);
        vdev_queue_write(d, q, VDEV_Q_DEVICE, rings[q][2]);
        vdev_queue_write(d, q, VDEV_Q_ENABLE, 1);
    }
    vdev_set_status(d, vdev_status(d) | VIRTIO_STATUS_DRIVER_OK);
    CHECK(vdev_status(d) == (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                             VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK), "device up");
}

/* The three ports' devices on the fabric, each brought up by its driver. */
static void add_ports(struct vsw_port_cfg *c)
{
    for (unsigned i = 0; i < NDEV; i++) {
        memcpy(c[i].mac, MAC[i], 6);
        CHECK(vsw_add_port(&fab.sw, &c[i], clock_ns) == 0, "port %u", c[i].port);
        fg_init(&fg[i]);
        vnet_init(&dev[i], "net", &fg[i].g, &fab, c[i].port, MAC[i], log_line);
        fab.dev[c[i].port] = &dev[i];
        bring_up(&dev[i].dev);
        tx_slot[i] = 0;
    }
}

/* Ports: A 1 and B 2 on VLAN 5, M 3 untagged and the mirror target of A's traffic. */
static void fresh(uint64_t a_egress_bps, uint64_t b_ingress_bps)
{
    memset(&fab, 0, sizeof(fab));
    fab.now = now;
    clock_ns = 1000;
    log_lines = 0;
    vsw_init(&fab.sw, 2, HZ);
    struct vsw_port_cfg c[NDEV] = {
        { .port = 1, .vlan = 5, .uplink = VSW_NO_UPLINK, .spoof_check = true, .egress_bps = a_egress_bps },
        { .port = 2, .vlan = 5, .uplink = VSW_NO_UPLINK, .spoof_check = true, .ingress_bps = b_ingress_bps },
        { .port = 3, .vlan = 0, .uplink = VSW_NO_UPLINK, .spoof_check = true },
    };
    add_ports(c);
    struct vsw_portset src = { { 0 } };
    vsw_set_add(&src, 1);
    CHECK(vsw_set_mirror(&fab.sw, &src, NULL, 0, 3) == 0, "mirror");
}

static void post_rx(unsigned i, uint16_t n, uint32_t len)
{
    for (uint16_t k = 0; k < n; k++) {
        fg_desc(&fg[i], RX_DESC, k, RXBUF + 0x800u * k, len, VRING_DESC_F_WRITE, 0);
        fg_avail_add(&fg[i], RX_AVAIL, QSIZE, k);
    }
}

/* Queues a frame of len bytes (after the virtio-net header) from device i, source src. */
static void send(unsigned i, const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t fill)
{
    uint16_t s = tx_slot[i]++ % QSIZE;
    uint64_t buf = TXBUF + 0x800u * s;
    uint8_t *p = fg_ptr(&fg[i], buf);
    memset(p, 0, 12);
    memcpy(p + 12, dst, 6);
    memcpy(p + 18, src, 6);
    p[24] = 0x88;
    p[25] = 0xb5;
    memset(p + 26, fill, len - 14);
    fg_desc(&fg[i], TX_DESC, s, buf, 12 + len, 0, 0);
    fg_avail_add(&fg[i], TX_AVAIL, QSIZE, s);
}

static uint32_t turn(unsigned i)
{
    uint32_t irq;
    bool cfg;
    return vdev_turn(&dev[i].dev, 16, &irq, &cfg);
}

static uint16_t used_idx(unsigned i, uint64_t used) { return fg_get16(&fg[i], used + 2); }
static uint32_t used_len(unsigned i, uint64_t used, uint16_t k) { return fg_get32(&fg[i], used + 4 + 8u * k + 4); }

static void test_unicast_and_mirror(void)
{
    fresh(0, 0);
    post_rx(B, 2, 1526);
    post_rx(M, 2, 1526);
    send(A, MAC[B], MAC[A], 100, 0x5a);
    CHECK(turn(A) == 1, "one transmit chain served");
    CHECK(used_idx(A, TX_USED) == 1 && used_len(A, TX_USED, 0) == 0, "transmit chain completed, nothing written");
    CHECK(used_idx(B, RX_USED) == 1 && used_len(B, RX_USED, 0) == 112, "B received header + 100 bytes: %u",
          used_len(B, RX_USED, 0));
    const uint8_t *f = fg_ptr(&fg[B], RXBUF);
    struct virtio_net_hdr h;
    memcpy(&h, f, sizeof(h));
    CHECK(h.num_buffers == 1 && h.flags == 0, "receive header: one buffer, no offload");
    CHECK(!memcmp(f + 12, MAC[B], 6) && !memcmp(f + 18, MAC[A], 6) && f[12 + 99] == 0x5a,
          "frame intact");
    CHECK(dev[B].rx_irq, "B's receive interrupt is due");
    /* The mirror copy, tagged with VLAN 5 because the target has no port VLAN. */
    CHECK(used_idx(M, RX_USED) == 1 && used_len(M, RX_USED, 0) == 116, "mirror copy: tagged, %u",
          used_len(M, RX_USED, 0));
    const uint8_t *mc = fg_ptr(&fg[M], RXBUF) + 12;
    CHECK(mc[12] == 0x81 && mc[13] == 0x00 && mc[14] == 0 && mc[15] == 5 && mc[16] == 0x88 && mc[17] == 0xb5,
          "802.1Q tag for VLAN 5 after the addresses");
    CHECK(fab.frame_copies == 1 && fab.header_reads == 1, "one header read, one whole copy");
}

static void test_drops_cost_a_header(void)
{
    fresh(0, 0);
    post_rx(B, 2, 1526);
    uint8_t spoof[6] = { 2, 0, 0, 0, 0, 0x99 };
    send(A, MAC[B], spoof, 1000, 1);
    unsigned reads = fg[A].reads;
    CHECK(turn(A) == 1, "spoofed chain served");
    CHECK(fab.sw.port[1].c.drop_spoof == 1, "counted as spoofed");
    CHECK(used_idx(B, RX_USED) == 0 && used_idx(M, RX_USED) == 0, "nobody received it, no mirror copy");
    CHECK(fab.frame_copies == 0, "the payload was never copied");
    CHECK(fg[A].reads - reads <= 5, "avail index, ring entry, descriptor, header, avail flags: %u reads",
          fg[A].reads - reads);
    CHECK(used_idx(A, TX_USED) == 1, "the sender got its chain back");
    /* B without a buffer: the frame is lost there, counted. */
    fresh(0, 0);
    send(A, MAC[B], MAC[A], 60, 2);
    CHECK(turn(A) == 1 && dev[B].rx_nobuf == 1, "no receive buffer: counted");
    CHECK(!(vdev_status(&dev[B].dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET), "not a driver error");
}

static void test_ingress_policing(void)
{
    fresh(0, 1000000);          /* B: 1 Mbit/s; burst two largest frames */
    post_rx(B, QSIZE, 1526);
    for (unsigned k = 0; k < 4; k++)
        send(A, MAC[B], MAC[A], 1514, (uint8_t)k);
    CHECK(turn(A) == 4, "all four chains served");
    CHECK(used_idx(B, RX_USED) == 2 && fab.sw.port[2].c.drop_ingress == 2,
          "B gets its burst (2 frames), 2 dropped by policing: %u received", used_idx(B, RX_USED));
    CHECK(fab.frame_copies == 2, "policed frames were never copied: %lu copies", fab.frame_copies);
}

static void test_egress_defer(void)
{
    fresh(1000000, 0);          /* A: 1 Mbit/s egress */
    post_rx(B, QSIZE, 1526);
    for (unsigned k = 0; k < 3; k++)
        send(A, MAC[B], MAC[A], 1514, (uint8_t)k);
    CHECK(turn(A) == 2, "two frames within the burst");
    CHECK(dev[A].tx_deferred == 1 && dev[A].dev.q[VIRTIO_NET_TX_Q].held, "the third is held");
    CHECK(used_idx(A, TX_USED) == 2 && used_idx(B, RX_USED) == 2, "held chain not completed, not delivered");
    CHECK(turn(A) == 0 && dev[A].tx_deferred == 2, "still held before its time");
    clock_ns += 20000000;       /* 20 ms: 20,000 bits earned, one 1514-byte frame's worth */
    send(A, MAC[B], MAC[A], 60, 9);
    CHECK(turn(A) >= 1, "the held chain goes first");
    const uint8_t *third = fg_ptr(&fg[B], RXBUF + 0x800u * 2) + 12;
    CHECK(used_idx(B, RX_USED) >= 3 && third[20] == 2, "B's third frame is the held one");
}

static void test_driver_errors(void)
{
    fresh(0, 0);
    post_rx(B, 1, 64);          /* too small for a whole frame */
    send(A, MAC[B], MAC[A], 200, 3);
    CHECK(turn(A) == 1, "sender served");
    CHECK(vdev_status(&dev[B].dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "receiver with a small buffer needs reset");
    CHECK(dev[B].cfg_irq && log_lines == 1, "its configuration interrupt is due, one log line");
    CHECK(!(vdev_status(&dev[A].dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET), "the sender carries on");
    /* A transmit chain shorter than the header. */
    fg_desc(&fg[A], TX_DESC, 5, TXBUF, 8, 0, 0);
    fg_avail_add(&fg[A], TX_AVAIL, QSIZE, 5);
    turn(A);
    CHECK(vdev_status(&dev[A].dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "short transmit chain: needs reset");
    /* A receive buffer that is device-readable. */
    fresh(0, 0);
    fg_desc(&fg[B], RX_DESC, 0, RXBUF, 1526, 0, 0);
    fg_avail_add(&fg[B], RX_AVAIL, QSIZE, 0);
    send(A, MAC[B], MAC[A], 100, 4);
    turn(A);
    CHECK(vdev_status(&dev[B].dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "read-only receive buffer: needs reset");
    for (unsigned i = 0; i < NDEV; i++)
        CHECK(fg[i].outside == 0, "no access outside guest %u's memory", i);
}

/* The fake wire of NIC 0: what the fabric sent, and frames waiting to come in. */
static struct {
    unsigned sent;
    uint8_t last[1600];
    uint32_t last_len;
    uint16_t last_tci;
    bool refuse;
    uint8_t in[4][1600];
    uint32_t in_len[4];
    unsigned nin, next;
} wire;

static bool wire_tx(uint8_t nic, const uint8_t *frame, uint32_t len, uint16_t tci)
{
    CHECK(nic == 0, "only NIC 0 is an uplink");
    if (wire.refuse)
        return false;
    memcpy(wire.last, frame, len);
    wire.last_len = len;
    wire.last_tci = tci;
    wire.sent++;
    return true;
}

static unsigned wire_rx(uint8_t nic, vnet_wire_fn fn, void *arg, unsigned budget)
{
    unsigned got = 0;
    CHECK(nic == 0, "only NIC 0 is polled");
    while (got < budget && wire.next < wire.nin) {
        fn(arg, wire.in[wire.next], wire.in_len[wire.next]);
        wire.next++;
        got++;
    }
    return got;
}

static const struct vnet_uplink_ops wire_ops = { .tx = wire_tx, .rx = wire_rx };

/* A frame on the fake wire: tagged with VLAN vid when vid != 0. */
static void wire_frame(const uint8_t *dst, const uint8_t *src, uint16_t vid, uint32_t len, uint8_t fill)
{
    uint8_t *p = wire.in[wire.nin];
    unsigned o = 12;
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    if (vid) {
        p[12] = 0x81, p[13] = 0x00, p[14] = (uint8_t)(vid >> 8), p[15] = (uint8_t)vid;
        o = 16;
    }
    p[o] = 0x88, p[o + 1] = 0xb5;
    memset(p + o + 2, fill, len - o - 2);
    wire.in_len[wire.nin++] = len;
}

/* Ports: A 1 on VLAN 5 and B 2 untagged, both with NIC 0 as uplink; M 3 without one. */
static void fresh_uplink(void)
{
    memset(&fab, 0, sizeof(fab));
    memset(&wire, 0, sizeof(wire));
    fab.now = now;
    clock_ns = 1000;
    vsw_init(&fab.sw, 2, HZ);
    struct vsw_port_cfg c[NDEV] = {
        { .port = 1, .vlan = 5, .uplink = 0, .spoof_check = true },
        { .port = 2, .vlan = 0, .uplink = 0, .spoof_check = true },
        { .port = 3, .vlan = 0, .uplink = VSW_NO_UPLINK, .spoof_check = true },
    };
    add_ports(c);
    vnet_uplinks_set(&fab, &wire_ops);
    CHECK(fab.uplinks == 1, "NIC 0 is the one uplink: %#x", fab.uplinks);
}

static void test_uplink_out(void)
{
    static const uint8_t far[6] = { 2, 0, 0, 0, 0, 0xe0 };
    fresh_uplink();
    send(A, far, MAC[A], 100, 0x33);
    CHECK(turn(A) == 1, "A's frame served");
    CHECK(wire.sent == 1 && wire.last_len == 100 && wire.last_tci == 5, "to the wire with A's VLAN: "
          "%u frames, %u bytes, tag %u", wire.sent, wire.last_len, wire.last_tci);
    CHECK(!memcmp(wire.last, far, 6) && !memcmp(wire.last + 6, MAC[A], 6) && wire.last[99] == 0x33,
          "the frame as A sent it");
    send(B, far, MAC[B], 60, 1);
    turn(B);
    CHECK(wire.sent == 2 && wire.last_tci == 0, "B's untagged: tag %u", wire.last_tci);
    wire.refuse = true;
    send(B, far, MAC[B], 60, 2);
    turn(B);
    CHECK(fab.wire_out == 3 && fab.wire_lost == 1, "a full ring is a counted loss: %lu out, %lu lost",
          fab.wire_out, fab.wire_lost);
    send(M, far, MAC[M], 60, 3);
    turn(M);
    CHECK(fab.wire_out == 3 && fab.sw.port[3].c.drop_unknown == 1, "M has no uplink: unknown, dropped");
}

static void test_uplink_in(void)
{
    static const uint8_t far[6] = { 2, 0, 0, 0, 0, 0xe0 }, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    fresh_uplink();
    post_rx(A, 2, 1526);
    post_rx(B, 2, 1526);
    post_rx(M, 2, 1526);
    wire_frame(MAC[A], far, 5, 104, 0x44);      /* tagged 5 for A */
    wire_frame(MAC[A], far, 0, 100, 0x45);      /* untagged: not A's VLAN */
    wire_frame(MAC[B], MAC[A], 0, 100, 0x46);   /* A's own address from outside */
    wire_frame(bcast, far, 0, 60, 0x47);        /* untagged broadcast: B only */
    CHECK(vnet_uplink_poll(&fab, 2) == 2, "the budget bounds a pass");
    CHECK(vnet_uplink_poll(&fab, 8) == 2, "the rest next pass");
    CHECK(fab.wire_in == 4, "four frames from the wire: %lu", fab.wire_in);
    CHECK(used_idx(A, RX_USED) == 1 && used_len(A, RX_USED, 0) == 12 + 100, "A: one frame, tag "
          "removed: %u bytes", used_len(A, RX_USED, 0));
    const uint8_t *f = fg_ptr(&fg[A], RXBUF) + 12;
    CHECK(!memcmp(f, MAC[A], 6) && f[12] == 0x88 && f[13] == 0xb5 && f[14] == 0x44 && f[99] == 0x44,
          "A's frame intact after the tag's removal");
    CHECK(fab.sw.uplink[0].drop_unknown == 1 && fab.sw.uplink[0].drop_spoof == 1,
          "untagged for A: unknown (%lu); A's address from the wire: spoofed (%lu)",
          fab.sw.uplink[0].drop_unknown, fab.sw.uplink[0].drop_spoof);
    CHECK(used_idx(B, RX_USED) == 1 && used_len(B, RX_USED, 0) == 12 + 60, "B: the broadcast");
    CHECK(used_idx(M, RX_USED) == 0, "M, not on the uplink, got nothing");
    CHECK(fab.frame_copies == 2 && fab.header_reads == 4, "dropped frames cost a header read only: "
          "%lu copies, %lu reads", fab.frame_copies, fab.header_reads);
    CHECK(dev[A].rx_irq && dev[B].rx_irq && !dev[M].rx_irq, "receive interrupts due on A and B");
    for (unsigned i = 0; i < NDEV; i++)
        CHECK(fg[i].outside == 0, "no access outside guest %u's memory", i);
}

int main(void)
{
    test_unicast_and_mirror();
    test_drops_cost_a_header();
    test_ingress_policing();
    test_egress_defer();
    test_driver_errors();
    test_uplink_out();
    test_uplink_in();
    return check_summary("vnet");
}
