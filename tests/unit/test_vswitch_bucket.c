/* Unit tests of the software switch's token buckets: the bucket arithmetic to the unit, an
 * egress limit over long simulated windows on a nanosecond and a cycle clock, and ingress
 * policing of a flood to two receivers, one limited and one not, with a sidecore whose time
 * is spent by header reads and copies (the shape of the two-VM ingress QoS experiment). */
#include <inttypes.h>

#include "check.h"
#include "tests/unit/vswitch_frames.h"

static struct vsw sw;

static void test_bucket_math(void)
{
    struct vsw_bucket b;
    CHECK(vsw_bucket_init(&b, 0, 0, 0, 5) == 0 && !vsw_bucket_limited(&b), "rate 0: unlimited");
    CHECK(vsw_bucket_take(&b, 0, 1000000), "unlimited takes anything");
    CHECK(vsw_bucket_init(&b, 1000, 0, 100, 0) == -1, "hz 0");
    CHECK(vsw_bucket_init(&b, 1000, VSW_HZ_MAX + 1, 100, 0) == -1, "hz too high");
    CHECK(vsw_bucket_init(&b, VSW_RATE_MAX + 1, 1000, 100, 0) == -1, "rate too high");
    CHECK(vsw_bucket_init(&b, 1000, 1000, VSW_BURST_MAX + 1, 0) == -1, "burst too big");
    CHECK(vsw_bucket_init(&b, 1000, 1000, 0, 0) == -1, "burst 0");
    CHECK(vsw_bucket_init(&b, VSW_RATE_MAX, VSW_HZ_MAX, VSW_BURST_MAX, 0) == 0, "the bounds themselves");
    CHECK_EQ_U64(b.cap, 1ull << 63, "largest bucket is 2^63 units");
    CHECK(vsw_bucket_take(&b, 0, (uint32_t)VSW_BURST_MAX), "a full largest bucket pays its burst");
    vsw_bucket_refill(&b, UINT64_MAX);
    CHECK_EQ_U64(b.credit, b.cap, "refill over the whole clock range: full, no overflow");

    /* 8000 bit/s on a 1000 Hz clock: 1 byte per tick; a unit is 1/1000 bit. */
    CHECK(vsw_bucket_init(&b, 8000, 1000, 100, 50) == 0, "small bucket");
    CHECK_EQ_U64(b.cap, 100 * 8 * 1000, "cap in units");
    CHECK(vsw_bucket_take(&b, 50, 100) && !vsw_bucket_take(&b, 50, 1), "burst of 100 bytes, then nothing");
    CHECK_EQ_U64(vsw_bucket_ready_at(&b, 10), 60, "10 bytes affordable 10 ticks later");
    CHECK(!vsw_bucket_take(&b, 59, 10), "not at tick 59");
    CHECK_EQ_U64(b.credit, 9 * 8000, "9 ticks earned 9 bytes exactly");
    CHECK(vsw_bucket_take(&b, 60, 10), "at tick 60");
    CHECK_EQ_U64(b.credit, 0, "empty again");
    vsw_bucket_refill(&b, 40);
    CHECK(b.credit == 0 && b.last == 60, "a clock going backwards earns nothing and keeps last");
    vsw_bucket_refill(&b, 1000000);
    CHECK_EQ_U64(b.credit, b.cap, "long idle: full, not more");
    CHECK_EQ_U64(vsw_bucket_ready_at(&b, 101), UINT64_MAX, "a frame larger than the bucket never fits");
    CHECK(!vsw_bucket_take(&b, 1000000, 101), "and is refused");
    /* A rate that does not divide the clock: 3 bit/s on a 7 Hz clock. */
    CHECK(vsw_bucket_init(&b, 3, 7, 10, 0) == 0, "odd rate");
    CHECK(vsw_bucket_take(&b, 0, 10), "burst");
    uint64_t at = vsw_bucket_ready_at(&b, 1);  /* 8 bits * 7 units = 56 units at 3 per tick: 19 ticks */
    CHECK_EQ_U64(at, 19, "ceil(56 / 3)");
    CHECK(!vsw_bucket_take(&b, 18, 1) && vsw_bucket_take(&b, 19, 1), "refused at 18, taken at 19");
    CHECK_EQ_U64(b.credit, 1, "57 - 56 units left over, kept exactly");
    CHECK_EQ_U64(vsw_burst_for(8000000, 1518), 3036, "8 Mbit/s: two frames (1 ms is 1000 bytes)");
    CHECK_EQ_U64(vsw_burst_for(1000000000, 1518), 125000, "1 Gbit/s: 1 ms");
    CHECK_EQ_U64(vsw_burst_for(100000000000ull, 1518), VSW_BURST_MAX, "100 Gbit/s: capped");
}

/*
 * A greedy sender on port 1 to port 2, egress_limit rate, frames of `frame` bytes (0: sizes
 * cycling 64..1514), over `window` ticks of an hz clock, retrying a deferred frame at the
 * verdict's retry_at. Checks the bytes sent against the bucket exactly and the limit to 5%.
 */
static void egress_window(uint64_t rate, uint64_t hz, uint64_t window, uint32_t frame)
{
    struct vsw_verdict v;
    uint8_t a[6], b[6];
    mac_n(a, 1);
    mac_n(b, 2);
    vsw_init(&sw, 0, hz);
    struct vsw_port_cfg pa = port_cfg(1, 1, 0, VSW_NO_UPLINK), pb = port_cfg(2, 2, 0, VSW_NO_UPLINK);
    pa.egress_bps = rate;
    CHECK(vsw_add_port(&sw, &pa, 0) == 0 && vsw_add_port(&sw, &pb, 0) == 0, "ports");
    uint64_t now = 0, sent = 0, frames = 0, defers = 0, bad_retry = 0, lost = 0, twice = 0;
    uint32_t len = frame ? frame : 64;
    bool deferred = false;
    for (;;) {
        send_frame(&sw, 1, b, a, -1, len, now, &v);
        twice += deferred && v.action == VSW_DEFER;
        deferred = v.action == VSW_DEFER;
        if (v.action == VSW_DEFER) {
            defers++;
            bad_retry += v.retry_at <= now;
            if (v.retry_at > window || v.retry_at <= now)   /* a retry in the past would loop */
                break;
            now = v.retry_at;
            continue;
        }
        lost += v.action != VSW_DELIVER;
        sent += len;
        frames++;
        if (!frame)
            len = 64 + (uint32_t)(frames * 97 % (VSW_MAX_FRAME - 64 + 1));
    }
    /* Credit earned by the end of the window, in units of 1/hz bit. */
    uint64_t burst = vsw_burst_for(rate, VSW_MAX_FRAME + VSW_TAG_LEN);
    uint64_t budget = burst * 8 * hz + rate * window;
    uint64_t spent = sent * 8 * hz;
    CHECK(spent <= budget, "never above the bucket: %" PRIu64 " > %" PRIu64, spent, budget);
    /* The next frame (len bytes) did not fit before the window ended. */
    CHECK(budget - spent < (uint64_t)len * 8 * hz, "short of the bucket by less than the next frame");
    if (frame)
        CHECK_EQ_U64(frames, budget / ((uint64_t)frame * 8 * hz), "frames = floor(bucket / frame cost)");
    uint64_t want = rate * (window / hz) / 8;  /* bytes the limit allows, without the burst */
    uint64_t diff = sent > want ? sent - want : want - sent;
    CHECK(diff * 20 < want, "within 5%%: sent %" PRIu64 " bytes, limit %" PRIu64, sent, want);
    CHECK_EQ_U64(bad_retry, 0, "retry_at always in the future");
    CHECK_EQ_U64(lost, 0, "every frame not deferred was delivered");
    CHECK_EQ_U64(twice, 0, "a frame retried at its retry_at is sent then, not deferred again");
    CHECK_EQ_U64(sw.port[1].c.egress_deferred, defers, "deferrals counted");
    CHECK_EQ_U64(sw.port[1].c.tx_bytes, sent, "tx bytes counted");
    CHECK_EQ_U64(sw.port[2].c.rx_bytes, sent, "all of it delivered");
    printf("  egress %" PRIu64 " bit/s over %" PRIu64 " ticks at %" PRIu64 " Hz: %" PRIu64
           " bytes in %" PRIu64 " frames (limit %" PRIu64 " + burst %" PRIu64 "), error %.3f%%\n",
           rate, window, hz, sent, frames, want, burst, 100.0 * (double)diff / (double)want);
}

/* A sender below its limit is never held back. */
static void test_egress_below_limit(void)
{
    struct vsw_verdict v;
    uint8_t a[6], b[6];
    mac_n(a, 1);
    mac_n(b, 2);
    vsw_init(&sw, 0, 1000000000ull);
    struct vsw_port_cfg pa = port_cfg(1, 1, 0, VSW_NO_UPLINK), pb = port_cfg(2, 2, 0, VSW_NO_UPLINK);
    pa.egress_bps = 10000000;
    CHECK(vsw_add_port(&sw, &pa, 0) == 0 && vsw_add_port(&sw, &pb, 0) == 0, "ports");
    unsigned ok = 0;
    for (uint64_t i = 0; i < 10000; i++) {      /* 1000 bytes every 1 ms: 8 Mbit/s */
        send_frame(&sw, 1, b, a, -1, 1000, i * 1000000, &v);
        ok += v.action == VSW_DELIVER;
    }
    CHECK_EQ_U64(ok, 10000, "8 Mbit/s under a 10 Mbit/s limit: all sent");
    CHECK_EQ_U64(sw.port[1].c.egress_deferred, 0, "no deferral");
}

/* The sidecore's costs, in cycles of a 2 GHz clock: a header read, and a copy per byte. */
#define HZ          ((uint64_t)2000000000)
#define HEADER_COST 200u
#define BYTE_COST   1u

struct qos_run {
    uint64_t limited_bytes, unlimited_bytes, dropped, cycles_on_drops, wrong_drops;
};

/*
 * Port 1 floods 1000-byte frames alternately to port 2 (ingress_limit) and port 3 (none) as
 * fast as the sidecore can move them, for `window` cycles. police_first: the switch decides on
 * the header and the sidecore copies only what the verdict delivers; otherwise a sidecore
 * that polices after the copy (what the switch avoids) pays the copy of every frame.
 */
static void qos_flood(uint64_t limit, uint64_t window, bool police_first, struct qos_run *r)
{
    struct vsw_verdict v;
    uint8_t m[4][6];
    for (uint8_t i = 0; i < 4; i++)
        mac_n(m[i], i);
    vsw_init(&sw, 0, HZ);
    struct vsw_port_cfg src = port_cfg(1, 1, 0, VSW_NO_UPLINK), lim = port_cfg(2, 2, 0, VSW_NO_UPLINK),
                        unl = port_cfg(3, 3, 0, VSW_NO_UPLINK);
    lim.ingress_bps = limit;
    CHECK(vsw_add_port(&sw, &src, 0) == 0 && vsw_add_port(&sw, &lim, 0) == 0 &&
          vsw_add_port(&sw, &unl, 0) == 0, "ports");
    *r = (struct qos_run){ 0 };
    const uint32_t len = 1000;
    uint64_t now = 0;
    for (uint64_t i = 0; now < window; i++) {
        uint8_t to = i % 2 ? 3 : 2;
        send_frame(&sw, 1, m[to], m[1], -1, len, now, &v);
        now += HEADER_COST;
        if (v.action == VSW_DELIVER) {
            now += BYTE_COST * len;
            *(to == 2 ? &r->limited_bytes : &r->unlimited_bytes) += len;
        } else {
            r->wrong_drops += v.why != VSW_WHY_POLICED || to != 2;
            r->dropped++;
            if (!police_first)
                now += BYTE_COST * len;   /* copied, then thrown away */
            r->cycles_on_drops += HEADER_COST + (police_first ? 0 : BYTE_COST * len);
        }
    }
}

static void test_ingress_qos(void)
{
    const uint64_t limit = 200000000;   /* 200 Mbit/s */
    const uint64_t window = 2 * HZ;     /* 2 s of sidecore time */
    struct qos_run first, after;
    qos_flood(limit, window, true, &first);
    uint64_t burst = vsw_burst_for(limit, VSW_MAX_FRAME + VSW_TAG_LEN);
    /* The limited receiver gets exactly what its bucket allows by the last offer. */
    uint64_t budget_bytes = (burst * 8 * HZ + limit * window) / (8 * HZ);
    CHECK(first.limited_bytes <= budget_bytes && budget_bytes - first.limited_bytes < 2 * 1000,
          "limited receiver at its limit: %" PRIu64 " of %" PRIu64 " bytes", first.limited_bytes, budget_bytes);
    uint64_t want = limit / 8 * (window / HZ);
    uint64_t diff = first.limited_bytes > want ? first.limited_bytes - want : want - first.limited_bytes;
    CHECK(diff * 20 < want, "limited receiver within 5%% of 200 Mbit/s");
    CHECK_EQ_U64(first.wrong_drops, 0, "only the limited receiver's frames were dropped, all by policing");
    CHECK_EQ_U64(sw.port[3].c.drop_ingress, 0, "the unlimited receiver lost nothing");
    CHECK_EQ_U64(sw.port[2].c.drop_ingress, first.dropped, "the limited receiver's drops are counted");
    CHECK_EQ_U64(first.cycles_on_drops, first.dropped * HEADER_COST, "a dropped frame cost a header read only");
    /* The rest: every cycle not spent on the limited receiver went to the unlimited one. */
    uint64_t frames_u = first.unlimited_bytes / 1000, frames_l = first.limited_bytes / 1000;
    uint64_t used = (frames_u + frames_l) * (HEADER_COST + 1000 * BYTE_COST) + first.dropped * HEADER_COST;
    CHECK(used >= window && used < window + HEADER_COST + 1000 * BYTE_COST, "the sidecore's time is all accounted for");
    qos_flood(limit, window, false, &after);
    CHECK(first.unlimited_bytes > after.unlimited_bytes,
          "policing before the copy leaves the unlimited receiver more: %" PRIu64 " > %" PRIu64,
          first.unlimited_bytes, after.unlimited_bytes);
    printf("  ingress flood over %" PRIu64 " cycles: limited %" PRIu64 " bytes (%" PRIu64
           " Mbit/s, limit %" PRIu64 "), unlimited %" PRIu64 " bytes (%" PRIu64 " Mbit/s), %" PRIu64
           " drops at %u cycles each\n", window, first.limited_bytes,
           first.limited_bytes * 8 / (window / HZ) / 1000000, limit / 1000000, first.unlimited_bytes,
           first.unlimited_bytes * 8 / (window / HZ) / 1000000, first.dropped, HEADER_COST);
    printf("  same flood, policed after the copy: limited %" PRIu64 " bytes, unlimited %" PRIu64
           " bytes (%" PRIu64 " Mbit/s), %u cycles per drop\n", after.limited_bytes, after.unlimited_bytes,
           after.unlimited_bytes * 8 / (window / HZ) / 1000000, HEADER_COST + 1000 * BYTE_COST);
}

/* Flooding with one limited receiver: the broadcast still reaches the others. */
static void test_flood_policing(void)
{
    struct vsw_verdict v;
    const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t a[6];
    mac_n(a, 1);
    vsw_init(&sw, 0, 1000);
    struct vsw_port_cfg p1 = port_cfg(1, 1, 0, VSW_NO_UPLINK), p2 = port_cfg(2, 2, 0, VSW_NO_UPLINK),
                        p3 = port_cfg(3, 3, 0, VSW_NO_UPLINK);
    p2.ingress_bps = 8000;   /* 1 byte per tick; burst 2 * 1518 bytes */
    CHECK(vsw_add_port(&sw, &p1, 0) == 0 && vsw_add_port(&sw, &p2, 0) == 0 && vsw_add_port(&sw, &p3, 0) == 0,
          "ports");
    send_frame(&sw, 1, bcast, a, -1, 1500, 0, &v);
    send_frame(&sw, 1, bcast, a, -1, 1500, 0, &v);
    CHECK(v.ndest == 2, "two broadcasts within the burst reach both");
    send_frame(&sw, 1, bcast, a, -1, 1500, 0, &v);
    CHECK(v.action == VSW_DELIVER && v.ndest == 1 && vsw_set_has(&v.dest, 3) && !vsw_set_has(&v.dest, 2),
          "the third reaches only the unlimited port");
    CHECK_EQ_U64(sw.port[2].c.drop_ingress, 1, "counted at the limited port");
    send_frame(&sw, 1, bcast, a, -1, 1500, 1500, &v);
    CHECK(v.ndest == 2, "1500 ticks later it has room again");
    /* A unicast over the limit is dropped before any copy. */
    vsw_init(&sw, 0, 1000);
    CHECK(vsw_add_port(&sw, &p1, 0) == 0 && vsw_add_port(&sw, &p2, 0) == 0, "ports");
    uint8_t b[6];
    mac_n(b, 2);
    send_frame(&sw, 1, b, a, -1, 1500, 0, &v);
    send_frame(&sw, 1, b, a, -1, 1500, 0, &v);
    send_frame(&sw, 1, b, a, -1, 1500, 0, &v);
    CHECK(v.action == VSW_DROP && v.why == VSW_WHY_POLICED && v.ndest == 0, "unicast over the limit: drop");
}

int main(void)
{
    test_bucket_math();
    egress_window(10000000, 1000000000ull, 60ull * 1000000000ull, 1000);         /* 10 Mbit/s, ns, 60 s */
    egress_window(100000000, 2500000000ull, 30ull * 2500000000ull, 1514);        /* 100 Mbit/s, cycles, 30 s */
    egress_window(3333333, 2900000000ull, 120ull * 2900000000ull, 0);            /* odd rate, mixed sizes, 120 s */
    egress_window(1000000000, 1000000000ull, 1000000000ull, 64);                 /* 1 Gbit/s of small frames, 1 s */
    test_egress_below_limit();
    test_flood_policing();
    test_ingress_qos();
    return check_summary("vswitch_bucket");
}
