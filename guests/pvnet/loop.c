/* pvnet role=loop: the same round trips through the switch in either virtio mode, each guest
 * alone (tests/manifests/pvnet-baseline.toml: one guest served by the sidecore, one in
 * baseline mode, in the same run). Port 0 sends a ping to port 1 of the same guest, port 1
 * answers it to port 0: two frames per round trip, each through the switch. Frames are polled
 * on the used rings; receive interrupts stay on (exitless or injected, as the manifest says),
 * so the baseline guest pays what a classic driver pays: each kick exits (the notify store's
 * fault and its single step), each interrupt is injected and its EOI exits.
 * BENCH rows: <mode>-net-loop-exits-per-1000-frames and <mode>-net-loop-rtt-cycles. */
#include "pvnet.h"

#define LOOPS 64
#define TRIES 4                     /* sidecore windows measured before one with exits fails */

static uint64_t kicks(void)
{
    uint64_t n = 0;
    for (unsigned k = 0; k < NPORTS; k++)
        n += ports[k].d.q[VIRTIO_NET_RX_Q].notifies + ports[k].d.q[VIRTIO_NET_TX_Q].notifies;
    return n;
}

/* One frame of `kind` and seq from port `from` to port `to`, taken there; false if it did not
 * arrive intact. */
static bool hop(struct port *from, struct port *to, enum kind kind, uint32_t seq)
{
    struct rx r;
    if (!send_frame(from, to->mac, from->mac, kind, seq, FRAME_LEN, NULL))
        return false;
    for (uint64_t n = 0; n < SPINS; n++)
        if (recv(to, &r))
            return r.kind == kind && r.seq == seq && r.intact;
    return false;
}

/* One window of LOOPS round trips; the exits, kicks and TSC cycles it took. */
static unsigned window(const volatile uint64_t *irqs, uint64_t *exits, uint64_t *nkicks,
                       uint64_t *cycles)
{
    static uint32_t seq = 1;
    struct hc_exit_stats s0, s1;
    struct port *a = &ports[0], *b = &ports[1];
    unsigned good = 0;
    guest_wait_quiet(irqs);
    uint64_t k0 = kicks();
    guest_exit_stats(&s0);
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < LOOPS; i++, seq++)
        if (hop(a, b, K_PING, seq) && hop(b, a, K_PONG, seq))
            good++;
    uint64_t t1 = rdtsc();
    guest_exit_stats(&s1);
    *exits = s1.total_exits - s0.total_exits - 1;     /* the second stats hypercall */
    *nkicks = kicks() - k0;
    *cycles = t1 - t0;
    if (*exits)
        guest_print_exit_kinds("pvnet loop: measured window", &s0, &s1);
    return good;
}

__attribute__((noreturn)) void role_loop(const char *cmdline, const volatile uint64_t *irqs)
{
    bool baseline = guest_has_word(cmdline, "mode=baseline");
    const char *mode = baseline ? "baseline" : "sidecore";
    struct port *a = &ports[0], *b = &ports[1];
    bool up = hop(a, b, K_PING, 0) && hop(b, a, K_PONG, 0);
    if (!check("loop-up", up, "a frame from port 0 reached port 1 and back"))
        guest_stop(1);
    uint64_t exits = 0, nkicks = 0, cycles = 0;
    unsigned good = 0;
    for (unsigned t = 0; t < (baseline ? 1 : TRIES); t++) {
        good = window(irqs, &exits, &nkicks, &cycles);
        if (good != LOOPS || !exits)
            break;
    }
    check("loop-intact", good == LOOPS, "%u of %u round trips intact", good, LOOPS);
    if (baseline)   /* every kick exits twice; a classic driver kicks for each buffer it adds */
        check("baseline-kicks-exit", nkicks >= 2 * LOOPS && exits >= 2 * nkicks,
              "%lu exits for %lu kicks and %u round trips", exits, nkicks, LOOPS);
    else
        check("data-path-no-exits", exits == 0, "%lu exits for %u round trips (%lu kicks)", exits,
              LOOPS, nkicks);
    check("rx-interrupts", *irqs > 0, "%lu receive interrupts taken", *irqs);
    gprintf("BENCH %s-net-loop-exits-per-1000-frames %lu exits\n", mode, exits * 1000 / (2 * LOOPS));
    gprintf("BENCH %s-net-loop-rtt-cycles %lu cycles\n", mode, cycles / LOOPS);
    guest_stop(0);
}
