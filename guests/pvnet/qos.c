/* pvnet's rate-limit roles (tests/manifests/pvnet-qos.toml), timed by the TSC, whose rate
 * CPUID leaf 0x15 gives:
 *  - role=qos-src: port 0 has an egress_limit; port 1 none. It sends EGRESS_FRAMES frames from
 *    port 0 as fast as the switch takes them and measures the rate past the first burst (goal:
 *    the limit within 5%); then floods from port 1, alternately to a receiver with an
 *    ingress_limit and to one without, for flood_ms, and tells the sink what it sent.
 *  - role=qos-sink: port 0 has the ingress_limit, port 1 none. It counts what arrives and
 *    checks that the limited port received what its bucket allows over the flood's window
 *    (within 5%) and the unlimited one everything sent to it. */
#include "pvnet.h"

#define LEN 1000                    /* frame bytes */
#define EGRESS_FRAMES 150
#define EGRESS_SKIP 10              /* frames of the first burst, left out of the rate */
#define SWITCH_FRAME 1518           /* the switch's burst is at least two of these */


/* Bits per second of n frames of LEN bytes over `ticks` of a TSC at hz. */
static uint64_t bps(uint64_t n, uint64_t ticks, uint64_t hz)
{
    return ticks ? n * LEN * 8 * hz / ticks : 0;
}

void role_qos_src(const char *cmdline)
{
    struct port *lim = &ports[0], *fl = &ports[1];
    uint8_t sink[6], limited[6];
    peer_mac(cmdline, "sink=", sink);
    peer_mac(cmdline, "limited=", limited);
    uint64_t egress = guest_word_number(cmdline, "egress=", 0);
    uint64_t flood_ms = guest_word_number(cmdline, "flood_ms=", 200);
    uint64_t hz = guest_tsc_hz();
    if (!check("tsc-rate", hz != 0, "%lu Hz from CPUID 0x15", hz))
        guest_stop(1);
    /* Until the sink answers. */
    bool up = false;
    struct rx r;
    for (unsigned tries = 0; !up && tries < 200; tries++) {
        send_frame(fl, sink, fl->mac, K_PING, 0, LEN, NULL);
        for (uint64_t n = 0; !up && n < SPINS / 200; n++)
            up = recv(fl, &r) && r.kind == K_PONG;
    }
    if (!check("sink-answers", up, "the sink answered"))
        guest_stop(1);

    /* Egress: as fast as the switch takes them. */
    uint64_t t_skip = 0;
    bool ok = true;
    for (uint32_t k = 0; k < EGRESS_FRAMES && ok; k++) {
        ok = send_frame(lim, sink, lim->mac, K_EGRESS, k, LEN, NULL);
        take_completions(lim);
        if (!t_skip && lim->tx_out >= EGRESS_SKIP)
            t_skip = rdtsc();
    }
    ok = ok && drain_tx(lim);
    uint64_t t_end = rdtsc();
    uint64_t rate = bps(EGRESS_FRAMES - EGRESS_SKIP, t_end - t_skip, hz);
    uint64_t diff = rate > egress ? rate - egress : egress - rate;
    check("egress-within-5pct", ok && t_skip && egress && diff * 20 <= egress,
          "%u frames of %u bytes past the first %u: %lu bit/s against an egress_limit of %lu bit/s "
          "(%lu.%02lu%% off)", EGRESS_FRAMES - EGRESS_SKIP, LEN, EGRESS_SKIP, rate, egress,
          egress ? diff * 100 / egress : 0, egress ? diff * 10000 / egress % 100 : 0);
    gprintf("BENCH sidecore-net-egress-limit %lu bit/s\n", egress);
    gprintf("BENCH sidecore-net-egress-measured %lu bit/s\n", rate);

    /* Ingress: flood both receivers for flood_ms. */
    uint64_t sent[2] = { 0, 0 };
    uint64_t t0 = rdtsc(), span = hz / 1000 * flood_ms;
    for (unsigned k = 0; ok && rdtsc() - t0 < span; k ^= 1) {
        ok = send_frame(fl, k ? sink : limited, fl->mac, K_FLOOD, (uint32_t)sent[k], LEN, NULL);
        sent[k] += ok;
        take_completions(fl);
    }
    ok = ok && drain_tx(fl);
    uint64_t window = rdtsc() - t0;
    check("flood-sent", ok, "%lu frames to the limited receiver, %lu to the other, in %lu ticks",
          sent[0], sent[1], window);
    gprintf("BENCH sidecore-net-flood-offered %lu bit/s\n", bps(sent[0] + sent[1], window, hz));
    uint64_t v = window | sent[1] << 48;
    ok = send_frame(fl, sink, fl->mac, K_END, (uint32_t)sent[0], LEN, &v) && drain_tx(fl);
    check("end-sent", ok, "the flood's figures sent to the sink");
    guest_stop(0);
}

void role_qos_sink(const char *cmdline)
{
    struct port *lim = &ports[0], *free_port = &ports[1];
    uint64_t ingress = guest_word_number(cmdline, "ingress=", 0);
    uint64_t hz = guest_tsc_hz();
    uint64_t got[2] = { 0, 0 }, egress_frames = 0;
    uint64_t window = 0, sent_lim = 0, sent_free = 0;
    bool end = false;
    struct rx r;
    for (uint64_t n = 0; !end && n < 4 * SPINS; n++) {
        if (recv(lim, &r) && r.kind == K_FLOOD)
            got[0]++;
        if (!recv(free_port, &r))
            continue;
        switch (r.kind) {
        case K_PING: send_frame(free_port, r.src, free_port->mac, K_PONG, r.seq, LEN, NULL); break;
        case K_EGRESS: egress_frames++; break;
        case K_FLOOD: got[1]++; break;
        case K_END:
            end = true;
            sent_lim = r.seq;
            window = r.value & ((1ull << 48) - 1);
            sent_free = r.value >> 48;
            break;
        default: break;
        }
    }
    /* Every flood frame was delivered before END was sent: take what is left in port 0. */
    for (uint64_t n = 0; n < 1000; n++)
        if (recv(lim, &r) && r.kind == K_FLOOD)
            got[0]++;
    check("end-received", end, "the flood's figures arrived");
    check("egress-frames-arrived", egress_frames == 150, "%lu of 150 egress-limited frames", egress_frames);
    /* What the limited port's bucket allows over the window: its burst (1 ms of the rate, at
     * least two largest frames) and the rate. */
    uint64_t burst = ingress / 8000 > 2 * SWITCH_FRAME ? ingress / 8000 : 2 * SWITCH_FRAME;
    uint64_t allowed = hz ? (burst * 8 * hz + ingress * window) / (8ull * LEN * hz) : 0;
    if (allowed > sent_lim)
        allowed = sent_lim;
    uint64_t diff = got[0] > allowed ? got[0] - allowed : allowed - got[0];
    check("flood-exceeds-limit", sent_lim > allowed + allowed / 2,
          "%lu frames offered to the limited port, its bucket allows %lu", sent_lim, allowed);
    check("limited-receives-its-limit", end && allowed && (diff * 20 <= allowed || diff <= 1),
          "received %lu of %lu offered, bucket allows %lu (ingress_limit %lu bit/s over %lu ticks)",
          got[0], sent_lim, allowed, ingress, window);
    check("unlimited-gets-the-rest", end && got[1] == sent_free,
          "received %lu of %lu offered", got[1], sent_free);
    gprintf("BENCH sidecore-net-ingress-limit %lu bit/s\n", ingress);
    gprintf("BENCH sidecore-net-ingress-limited-received %lu bit/s\n", bps(got[0], window, hz));
    gprintf("BENCH sidecore-net-ingress-unlimited-received %lu bit/s\n", bps(got[1], window, hz));
    guest_stop(0);
}
