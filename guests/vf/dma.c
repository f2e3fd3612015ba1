/* vf case=dma and case=restart: frames between guests' VFs through the NIC's switch, from
 * rings and buffers in each guest's own memory; then one guest points descriptors outside
 * its memory, VT-d blocks every read, and the hypervisor stops (or restarts) that guest
 * while its neighbours keep passing traffic.
 *
 * case=dma, three guests: role=faulter trades a frame with role=neighbour (peer=), tells
 * it the fault starts and DMAs outside its memory until it is stopped; the neighbour then
 * trades frames with role=witness (peer2=) for PEER_RUN_US; the faulter fails unless it is
 * stopped within FAULT_LIMIT_US, so the rounds after that point ran after its stop.
 * case=restart, two guests: role=restarter (on_fault = "restart") brings its VF up and trades
 * a frame with role=echo in each run; in its first run (CPUID 0x40000001 EDX = 0) it then
 * faults the same way; restarted, it checks that its VF came back reset, brings it up again,
 * trades a frame and ends well. */
#include "vf.h"

#define UP_WAIT_US      60000000    /* a peer's bring-up, on a busy emulator */
#define EXCHANGE_US     2000000
#define FAULT_PACE_US   2000        /* one blocked read at a time: each is its own fault record */
#define FAULT_LIMIT_US  8000000     /* the faulter must be stopped within this (busy host) */
#define PEER_RUN_US     (FAULT_LIMIT_US + 5000000)
#define MIN_LATE_ROUNDS 5
#define END_SENDS       3
#define RAW_MSI_ADDR    0xfee00000u

static struct vf vf;
static struct frame f;

/* The MACs of the peers named by `keys` (NULL-terminated) from the command line. */
static bool peers(const char *cmdline, const char *const *keys, uint8_t (*mac)[6])
{
    for (unsigned i = 0; keys[i]; i++)
        if (!arg_mac(cmdline, keys[i], mac[i]))
            return vcheck("peer-addresses", false, "no %s= MAC on the command line", keys[i]);
    return vcheck("peer-addresses", true, "%s", "");
}

static bool peer(const char *cmdline, const char *key, uint8_t mac[6])
{
    const char *keys[] = { key, NULL };
    return peers(cmdline, keys, (uint8_t (*)[6])mac);
}

/* "hvframes" (test image): the hypervisor names frames that are not this guest's (its text,
 * a canary, the host frame past this guest's RAM); the VF is told to read each (TX) and to
 * write the neighbour's next reply into the canary (RX). VT-d translates those numbers as
 * this guest's addresses: each access faults or lands in its own memory, and the neighbour
 * later asks the hypervisor whether the frames are unchanged. */
static void hv_frames_attack(const struct exitless_boot_info *bi, const uint8_t nb[6])
{
    static uint64_t hpa[4];
    int64_t n = (int64_t)hypercall(HC_TEST_HV_FRAMES, 0, (uint64_t)(uintptr_t)hpa, 4);
    if (!vcheck("hv-frames-given", n >= 2 && n <= 4, "HC_TEST_HV_FRAMES gave %ld frames (a test image?)", n))
        return;
    for (int64_t i = 0; i < n; i++)
        gprintf("%s: DMA at the hypervisor's frame 0x%lx\n", bi->name, hpa[i]);
    vf_rx_point_at(&vf, hpa[1]);
    frame_send(&vf, nb, 0, "EXL-DMA-A2B", 2);   /* its reply is written at the canary */
    delay_us(EXCHANGE_US / 4);
    for (int64_t i = 0; i < n; i++) {
        vf_send_raw(&vf, hpa[i], 64);
        delay_us(FAULT_PACE_US);
    }
    /* A raw MSI: the neighbour's next reply written at the interrupt address of APIC id 0,
     * the management CPU's (the NIC's write as an interrupt request, not through MSI-X). */
    gprintf("%s: RX buffers now at 0x%x: a raw MSI write\n", bi->name, RAW_MSI_ADDR);
    vf_rx_point_at(&vf, RAW_MSI_ADDR);
    frame_send(&vf, nb, 0, "EXL-DMA-A2B", 3);
    delay_us(EXCHANGE_US / 4);
}

static int faulter(const struct exitless_boot_info *bi)
{
    uint8_t nb[6];
    if (!peer(bi->cmdline, "peer", nb) || !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    bool got = frame_exchange(&vf, nb, 0, "EXL-DMA-A2B", "EXL-DMA-B2A", 1, UP_WAIT_US, &f);
    vcheck("frame-sent-and-received", got && frame_is(&f, vf.mac, nb, "EXL-DMA-B2A", 1),
           "%s from the neighbour (length %d, status 0x%x)", got ? "reply not intact" : "no reply", f.len, f.status);
    if (guest_has_word(bi->cmdline, "hvframes"))
        hv_frames_attack(bi, nb);
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, nb, 0, "EXL-DMA-FAULT", 1);
    gprintf("%s: TX descriptors now point at 0x%lx, outside its %lu MiB\n", bi->name,
            (unsigned long)(bi->mem_size + 0x1000000u), (unsigned long)(bi->mem_size >> 20));
    vf_dma_outside(&vf, bi->mem_size, FAULT_PACE_US, FAULT_LIMIT_US);
    vcheck("stopped-by-its-dma-fault", false, "still running %u ms after its first DMA outside its memory",
           FAULT_LIMIT_US / 1000);
    return 1;
}

static int neighbour(const struct exitless_boot_info *bi)
{
    static const char *const keys[] = { "peer", "peer2", NULL };
    uint8_t m[2][6];
    if (!peers(bi->cmdline, keys, m) || !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    const uint8_t *a = m[0], *w = m[1];
    /* The faulter's frames until it says the fault starts. */
    unsigned from_a = 0, bad = 0;
    bool announced = false;
    for (uint64_t end = deadline_us(UP_WAIT_US); !announced && vf_recv(&vf, &f, end);) {
        if (str_same(f.marker, "EXL-DMA-A2B")) {
            from_a++;
            bad += !frame_is(&f, vf.mac, a, "EXL-DMA-A2B", f.seq);
            frame_send(&vf, a, 0, "EXL-DMA-B2A", f.seq);
        } else if (str_same(f.marker, "EXL-DMA-FAULT")) {
            announced = true;
        }
    }
    vcheck("frame-from-faulting-neighbour", from_a && !bad, "%u frames from it, %u not intact", from_a, bad);
    if (!vcheck("neighbour-fault-announced", announced, "the faulter never said its fault starts"))
        return 1;
    /* Traffic with the witness while the faulter is stopped and after. */
    uint64_t t0 = rdtsc(), late_from = t0 + us_to_cycles(FAULT_LIMIT_US), end = t0 + us_to_cycles(PEER_RUN_US);
    unsigned rounds = 0, late = 0, lost = 0;
    uint32_t seq = 0;
    while (rdtsc() < end) {
        seq++;
        bool ok = frame_exchange(&vf, w, 0, "EXL-DMA-B2C", "EXL-DMA-C2B", seq, EXCHANGE_US, &f) &&
                  frame_is(&f, vf.mac, w, "EXL-DMA-C2B", seq);
        if (!ok) {
            lost++;
            continue;
        }
        rounds++;
        late += rdtsc() > late_from;
    }
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, w, 0, "EXL-DMA-DONE", seq);
    gprintf("%s: %u round trips with the witness, %u after the faulter's stop deadline, %u lost\n",
            bi->name, rounds, late, lost);
    if (guest_has_word(bi->cmdline, "hvframes")) {
        int64_t r = (int64_t)hypercall(HC_TEST_HV_FRAMES, 1, 0, 0);
        vcheck("hv-frames-unchanged", r > 0 && (r >> 16) >= 2 && (r & 0xffff) == (r >> 16),
               "%ld of %ld frames the faulter aimed its DMA at are unchanged", r & 0xffff, r >> 16);
    }
    return vcheck("traffic-after-neighbour-fault", !lost && late >= MIN_LATE_ROUNDS,
                  "%u round trips with the witness, %u of them after the faulter's stop deadline "
                  "(want >= %d), %u lost or corrupted", rounds, late, MIN_LATE_ROUNDS, lost) ? 0 : 1;
}

/* Answers `in` frames from `from` with `out` (same sequence) until `done` comes from it or
 * UP_WAIT_US pass without it; returns the answered frames, *bad those not intact. */
static unsigned serve(const uint8_t from[6], const char *in, const char *out, const char *done,
                      uint32_t done_seq, unsigned *bad, uint32_t *seen)
{
    unsigned n = 0;
    for (uint64_t end = deadline_us(UP_WAIT_US); vf_recv(&vf, &f, end);) {
        if (str_same(f.marker, in)) {
            n++;
            *bad += !frame_is(&f, vf.mac, from, in, f.seq);
            if (f.seq < 32)
                *seen |= 1u << f.seq;
            frame_send(&vf, from, 0, out, f.seq);
        } else if (str_same(f.marker, done) && f.seq >= done_seq) {
            break;
        }
        end = deadline_us(UP_WAIT_US);
    }
    return n;
}

static int witness(const struct exitless_boot_info *bi)
{
    uint8_t b[6];
    if (!peer(bi->cmdline, "peer", b) || !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    unsigned bad = 0;
    uint32_t seen = 0;
    unsigned n = serve(b, "EXL-DMA-B2C", "EXL-DMA-C2B", "EXL-DMA-DONE", 1, &bad, &seen);
    gprintf("%s: answered %u frames from the neighbour, %u not intact\n", bi->name, n, bad);
    return vcheck("served-neighbour", n >= MIN_LATE_ROUNDS && !bad, "%u frames answered, %u not intact", n, bad)
               ? 0 : 1;
}

int case_dma(const struct exitless_boot_info *bi)
{
    char role[16] = "";
    arg_word(bi->cmdline, "role", role, sizeof(role));
    if (str_same(role, "faulter"))
        return faulter(bi);
    if (str_same(role, "neighbour"))
        return neighbour(bi);
    if (str_same(role, "witness"))
        return witness(bi);
    vcheck("role", false, "role=%s: want faulter, neighbour or witness", role);
    return 1;
}

/* The restarter's two runs. */
static int restarter(const struct exitless_boot_info *bi)
{
    uint32_t run = cpuid(HC_CPUID_LEAF_BASE + 1, 0).d;
    static char prefix[8];
    gsnprintf(prefix, sizeof(prefix), "run%u", run);
    check_prefix = prefix;
    uint8_t e[6];
    if (!peer(bi->cmdline, "peer", e) || !vf_find(&vf))
        return 1;
    /* Before the driver touches it: a VF fresh from its function-level reset has its queues
     * off (the previous run left both on). */
    uint32_t tx = vf_rd(&vf, VF_TXDCTL), rx = vf_rd(&vf, VF_RXDCTL);
    vcheck("vf-queues-off-at-start", !(tx & XDCTL_ENABLE) && !(rx & XDCTL_ENABLE),
           "TXDCTL 0x%x RXDCTL 0x%x: queue 0 still enabled from before", tx, rx);
    if (!vf_bring_up(&vf, bi->cmdline))
        return 1;
    bool got = frame_exchange(&vf, e, 0, "EXL-RST-PING", "EXL-RST-PONG", run + 1, UP_WAIT_US, &f);
    vcheck("frame-sent-and-received", got && frame_is(&f, vf.mac, e, "EXL-RST-PONG", run + 1),
           "%s (length %d)", got ? "reply not intact" : "no reply from the echo guest", f.len);
    if (run == 0) {
        gprintf("%s: first run done; TX descriptors now point outside its memory\n", bi->name);
        vf_dma_outside(&vf, bi->mem_size, FAULT_PACE_US, FAULT_LIMIT_US);
        vcheck("stopped-by-its-dma-fault", false, "still running %u ms after its first DMA outside "
               "its memory", FAULT_LIMIT_US / 1000);
        return 1;
    }
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, e, 0, "EXL-RST-DONE", run + 1);
    return vcheck("restarted-once", run == 1, "restart count %u (max_restarts = 1)", run) ? 0 : 1;
}

static int echo(const struct exitless_boot_info *bi)
{
    uint8_t r[6];
    if (!peer(bi->cmdline, "peer", r) || !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    unsigned bad = 0;
    uint32_t seen = 0;
    unsigned n = serve(r, "EXL-RST-PING", "EXL-RST-PONG", "EXL-RST-DONE", 2, &bad, &seen);
    return vcheck("served-both-runs", (seen & 0x6) == 0x6 && !bad, "%u frames answered, %u not intact; "
                  "run 0 %s, run 1 %s", n, bad, seen & 2 ? "seen" : "missing", seen & 4 ? "seen" : "missing")
               ? 0 : 1;
}

int case_restart(const struct exitless_boot_info *bi)
{
    char role[16] = "";
    arg_word(bi->cmdline, "role", role, sizeof(role));
    if (str_same(role, "restarter"))
        return restarter(bi);
    if (str_same(role, "echo"))
        return echo(bi);
    vcheck("role", false, "role=%s: want restarter or echo", role);
    return 1;
}
