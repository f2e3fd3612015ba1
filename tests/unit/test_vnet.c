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
    for (unsigned i = 0; i < NDEV; i++) {
        memcpy(c[i].mac, MAC[i], 6);
        CHECK(vsw_add_port(&fab.sw, &c[i], clock_ns) == 0, "port %u", c[i].port);
        fg_init(&fg[i]);
        vnet_init(&dev[i], "net", &fg[i].g, &fab, c[i].port, MAC[i], log_line);
        fab.dev[c[i].port] = &dev[i];
        bring_up(&dev[i].dev);
        tx_slot[i] = 0;
    }
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

int main(void)
{
    test_unicast_and_mirror();
    test_drops_cost_a_header();
    test_ingress_policing();
    test_egress_defer();
    test_driver_errors();
    return check_summary("vnet");
}
