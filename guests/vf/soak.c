/* vf case=soak: a guest with a VF faults and is restarted hundreds of times while a
 * neighbour passes traffic through its own VF; the hypervisor's test image takes a resource
 * census after each restart and compares it with the first (selftest/soak.c).
 *
 * role=cycler (on_fault = "restart", max_restarts = cycles=): each run (CPUID 0x40000001 EDX)
 * finds its VF, brings it up through the PF mailbox, programs an MSI-X entry through the
 * shadowed table and trades a frame with the echo guest; then, until its last run, it faults:
 * even runs by DMA outside its memory (VT-d stops it), odd runs by a triple fault. Its last
 * run tells the talker it is done. With `novf` (Bochs: no VFs, no IOMMU) it only faults, by a
 * triple fault, and its neighbour is a hostile-guest heartbeat instead.
 * role=talker: sends a frame to the echo guest and waits for its answer, one at a time, for
 * as long as the cycler restarts; every round trip is counted and none may be lost (no
 * answer within ANSWER_US). A ping left unanswered for RESEND_US is sent again with the same
 * sequence number, as a network protocol would; the resends are counted and reported, so a
 * dropped frame shows without failing the soak, while a neighbour whose traffic stops does.
 * role=echo: answers the talker's and the cycler's frames until the talker is done. */
#include "vf.h"

#define UP_WAIT_US      60000000    /* a peer's bring-up, on a busy emulator */
#define EXCHANGE_US     2000000     /* a round trip slower than this is counted as slow */
#define RESEND_US       5000000     /* no answer within this: the ping is sent again */
#define ANSWER_US       30000000    /* no answer to any send within this: the round trip is lost */
#define FAULT_PACE_US   2000
#define FAULT_WAIT_US   10000       /* per blocked descriptor (it never completes) */
#define FAULT_LIMIT_US  8000000     /* the cycler must be stopped within this */
#define END_SENDS       3
#define MAX_CYCLES      10000       /* the manifest's max_restarts bound */
#define VEC_SOAK        0x50

static struct vf vf;
static struct frame f;

static uint64_t arg_num(const char *cmdline, const char *key, uint64_t dflt)
{
    char w[16];
    if (!arg_word(cmdline, key, w, sizeof(w)) || !w[0])
        return dflt;
    uint64_t n = 0;
    for (const char *p = w; *p; p++) {
        if (*p < '0' || *p > '9')
            return dflt;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    return n;
}

static int cycler(const struct exitless_boot_info *bi)
{
    uint32_t run = cpuid(HC_CPUID_LEAF_BASE + 1, 0).d;
    uint64_t cycles = arg_num(bi->cmdline, "cycles", 0);
    bool novf = guest_has_word(bi->cmdline, "novf");
    bool last = run >= cycles;
    vcheck_quiet = !last;       /* each run checks everything; only failures speak */
    if (!vcheck("cycles-given", cycles >= 1 && cycles <= MAX_CYCLES, "cycles=%lu: want 1..%d",
                (unsigned long)cycles, MAX_CYCLES))
        return 1;
    uint8_t echo[6], talker[6];
    if (!novf) {
        if (!arg_mac(bi->cmdline, "peer", echo) || !arg_mac(bi->cmdline, "talker", talker)) {
            vcheck("peer-addresses", false, "no peer= or talker= MAC");
            return 1;
        }
        if (!vf_find(&vf))
            return 1;
        uint32_t tx = vf_rd(&vf, VF_TXDCTL), rx = vf_rd(&vf, VF_RXDCTL);
        if (!vcheck("vf-queues-off-at-start", !(tx & XDCTL_ENABLE) && !(rx & XDCTL_ENABLE),
                    "run %u: TXDCTL 0x%x RXDCTL 0x%x: queue 0 still enabled from before", run, tx, rx) ||
            !vf_bring_up(&vf, bi->cmdline))
            return 1;
        /* An MSI-X entry through the shadow: the hypervisor programs a remapping entry. */
        msix_set(&vf, 0, bi->apic_ids[0], VEC_SOAK, false);
        msix_enable(&vf, true);
        bool got = frame_exchange(&vf, echo, 0, "EXL-SOAK-CYC", "EXL-SOAK-CYR", run, UP_WAIT_US, &f);
        if (!vcheck("frame-sent-and-received", got && frame_is(&f, vf.mac, echo, "EXL-SOAK-CYR", run),
                    "run %u: %s (length %d)", run, got ? "reply not intact" : "no reply from echo", f.len))
            return 1;
    }
    if (!last) {
        if (!novf && run % 2 == 0) {
            vf_dma_outside_waiting(&vf, bi->mem_size, FAULT_PACE_US, FAULT_WAIT_US, FAULT_LIMIT_US);
            vcheck("stopped-by-its-dma-fault", false, "run %u: still running %u ms after its first "
                   "DMA outside its memory", run, FAULT_LIMIT_US / 1000);
        } else {
            guest_triple_fault();
            vcheck("stopped-by-its-triple-fault", false, "run %u: still running", run);
        }
        return 1;
    }
    for (int i = 0; !novf && i < END_SENDS; i++)
        frame_send(&vf, talker, 0, "EXL-SOAK-DONE", run);
    gprintf("%s: run %u of %lu: done\n", bi->name, run, (unsigned long)cycles);
    return vcheck("restarted-every-cycle", run == cycles, "run %u, cycles=%lu", run,
                  (unsigned long)cycles) ? 0 : 1;
}

/* The neighbours' start: both peers' MACs from the command line, then the VF up. */
static bool neighbour_up(const struct exitless_boot_info *bi, const char *k1, uint8_t m1[6],
                         const char *k2, uint8_t m2[6])
{
    if (!arg_mac(bi->cmdline, k1, m1) || !arg_mac(bi->cmdline, k2, m2))
        return vcheck("peer-addresses", false, "no %s= or %s= MAC", k1, k2);
    return vf_find(&vf) && vf_bring_up(&vf, bi->cmdline);
}

static int talker(const struct exitless_boot_info *bi)
{
    uint8_t echo[6], cyc[6];
    if (!neighbour_up(bi, "peer", echo, "cycler", cyc))
        return 1;
    /* The echo guest is up once it answers (not counted: it may still be starting). */
    if (!vcheck("echo-answers", frame_exchange(&vf, echo, 0, "EXL-SOAK-PING", "EXL-SOAK-PONG", 0,
                                               UP_WAIT_US, &f), "no answer from echo"))
        return 1;
    uint64_t limit = deadline_us(arg_num(bi->cmdline, "limit_s", 3600) * 1000000);
    uint32_t seq = 0, cycles = 0;
    unsigned rounds = 0, lost = 0, bad = 0, slow = 0, resent = 0;
    bool done = false;
    while (!done && rdtsc() < limit) {
        seq++;
        bool answered = false;
        uint64_t t0 = rdtsc();
        /* A frame the network drops is sent again (the same sequence number, counted as a
         * resend) after RESEND_US; the round trip is lost only when ANSWER_US pass with no
         * answer to any of its sends. */
        uint64_t lost_at = deadline_us(ANSWER_US);
        for (unsigned send = 0; !answered && rdtsc() < lost_at; send++) {
            if (send)
                resent++;
            if (!frame_send(&vf, echo, 0, "EXL-SOAK-PING", seq))
                continue;
            uint64_t end = deadline_us(RESEND_US);
            if (end > lost_at)
                end = lost_at;
            while (!answered && vf_recv(&vf, &f, end)) {
                if (str_same(f.marker, "EXL-SOAK-PONG") && f.seq == seq) {
                    answered = true;
                    bad += !frame_is(&f, vf.mac, echo, "EXL-SOAK-PONG", seq);
                } else if (str_same(f.marker, "EXL-SOAK-DONE") && mem_same(f.src, cyc, 6)) {
                    done = true;
                    cycles = f.seq;
                }
            }
        }
        if (answered)
            rounds++;
        else
            lost++;
        slow += answered && rdtsc() - t0 > us_to_cycles(EXCHANGE_US);
    }
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, echo, 0, "EXL-SOAK-END", cycles);
    gprintf("%s: %u round trips through the soak's %u cycles, %u lost, %u not intact, %u frames "
            "sent again after %u ms without an answer (%u slower than %u ms: a busy host)\n",
            bi->name, rounds, cycles, lost, bad, resent, RESEND_US / 1000, slow, EXCHANGE_US / 1000);
    return vcheck("traffic-through-soak", done && rounds && !lost && !bad,
                  "%s; %u round trips, %u lost, %u not intact", done ? "the cycler finished"
                  : "the cycler never said it was done", rounds, lost, bad) ? 0 : 1;
}

static uint8_t cycle_seen[MAX_CYCLES / 8 + 1];

static int echo(const struct exitless_boot_info *bi)
{
    uint8_t tk[6], cyc[6];
    if (!neighbour_up(bi, "talker", tk, "cycler", cyc))
        return 1;
    uint64_t limit = deadline_us(arg_num(bi->cmdline, "limit_s", 3600) * 1000000);
    unsigned pings = 0, runs = 0, bad = 0, unsent = 0;
    uint32_t cycles = 0;
    bool end = false;
    while (!end && rdtsc() < limit) {
        if (!vf_recv(&vf, &f, deadline_us(EXCHANGE_US)))
            continue;
        if (str_same(f.marker, "EXL-SOAK-PING")) {
            pings++;
            bad += !frame_is(&f, vf.mac, tk, "EXL-SOAK-PING", f.seq);
            unsent += !frame_send(&vf, tk, 0, "EXL-SOAK-PONG", f.seq);
        } else if (str_same(f.marker, "EXL-SOAK-CYC")) {
            bad += !frame_is(&f, vf.mac, cyc, "EXL-SOAK-CYC", f.seq);
            if (f.seq <= MAX_CYCLES && !(cycle_seen[f.seq / 8] & (1u << (f.seq % 8)))) {
                cycle_seen[f.seq / 8] |= (uint8_t)(1u << (f.seq % 8));
                runs++;
            }
            unsent += !frame_send(&vf, cyc, 0, "EXL-SOAK-CYR", f.seq);
        } else if (str_same(f.marker, "EXL-SOAK-END") && mem_same(f.src, tk, 6)) {
            end = true;
            cycles = f.seq;
        }
    }
    /* An answer whose descriptor did not complete in time stays posted: a later send may
     * reuse its slot before the NIC has read it. Counted, so that a lost round trip says
     * whether this side's ring was behind. */
    gprintf("%s: answered %u pings from the talker and frames from %u of the cycler's runs, "
            "%u not intact, %u answers not confirmed sent\n", bi->name, pings, runs, bad, unsent);
    return vcheck("served-every-run", end && !bad && runs == cycles + 1,
                  "%s; frames from %u runs, want %u (cycles + 1); %u not intact",
                  end ? "the talker finished" : "the talker never said it was done", runs,
                  cycles + 1, bad) ? 0 : 1;
}

int case_soak(const struct exitless_boot_info *bi)
{
    char role[16] = "";
    arg_word(bi->cmdline, "role", role, sizeof(role));
    if (str_same(role, "cycler"))
        return cycler(bi);
    if (str_same(role, "talker"))
        return talker(bi);
    if (str_same(role, "echo"))
        return echo(bi);
    vcheck("role", false, "role=%s: want cycler, talker or echo", role);
    return 1;
}
