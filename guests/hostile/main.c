/* hostile: a guest that attacks the hypervisor from two vCPUs at once and reports what the
 * hypervisor did; one image, the attacks chosen by command-line words:
 *   console  both vCPUs flood the hypercall console and the virtual UART without newlines
 *   notify   vCPU 1 rewrites an HC_NOTIFY request while the management CPU serves it
 *   x2apic   every x2APIC MSR a guest may write, with each bit 0..63 set in turn
 *   xsetbv   CPUID.OSXSAVE, XSETBV and XGETBV against CR4.OSXSAVE
 *   idt      (exitless) a two-page IDT: a write straddling its pages, LIDT back and forth
 *            under a vCPU taking interrupts, an interrupt whose stack is the IDT page
 *            (idt-straddle, idt-lidt, idt-step: only those)
 *   neighbour rounds=N   no attack: N rounds of HC_PING, then PASS heartbeat
 * Blockers (one line, then never give the core back; the manifest's time_limit must stop
 * them): block-cli, block-cr8, block-idt-limit=0x30|0xe0, block-step. */
#include "guest.h"

#define VEC_MAIN 0x41       /* self IPIs of the sweep, notify IPIs */
#define VEC_NOTIFY 0x40
#define VEC_GATE 0x44       /* the gate the IDT checks rewrite */
#define VEC_GATE_ALT 0x45   /* ... to this vector's stub */
#define VEC_VCPU1 0x46      /* vCPU 1's self IPIs */
#define VEC_STEP 0x47       /* the interrupt taken with the stack on the IDT page */
#define VEC_HOSTILE 0xf0    /* the hypervisor's (VEC_IPI_STOP) */
#define VEC_GUEST_FIRST 0x30
#define VEC_GUEST_LAST 0xdf
#define SPINS 400000000ull  /* spin bound of every wait: only a hang reaches it */
#define EXIT_IO 30
#define EXIT_VMCALL 18
#define EXIT_EPT_VIOLATION 48
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ESR 0x828
#define X2APIC_LVT_CMCI 0x82f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_THERMAL 0x833
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_LINT1 0x836
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TIMER_INIT 0x838
#define X2APIC_TIMER_DIV 0x83e
#define X2APIC_SELF_IPI 0x83f
#define LVT_MASKED (1ull << 16)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE (1ull << 18)
#define VEC_GP 13
#define VEC_UD 6
#define PAGE 4096

static const struct exitless_boot_info *bi;
static bool exitless;
static volatile uint64_t vec_count[256];    /* interrupts seen, by vector */
static struct hc_notify_req req __attribute__((aligned(64)));
static struct hc_exit_stats s0, s1;

static void stats(struct hc_exit_stats *s) { hypercall(HC_GET_EXIT_STATS, (unsigned long)s, sizeof(*s), 0); }
static void eoi(void) { wrmsr(X2APIC_EOI, 0); }
static void on_irq(uint8_t v, uint64_t e) { (void)e; vec_count[v]++; eoi(); }
static uint64_t others_than(uint8_t a, uint8_t b)
{
    uint64_t n = 0;
    for (int v = 32; v < 256; v++)
        if (v != a && v != b)
            n += vec_count[v];
    return n;
}

/* ---------------------------------------------------------------- vCPU 1's mailbox */

enum job { JOB_NONE, JOB_CONSOLE, JOB_NOTIFY_REWRITE, JOB_IDT_GATES, JOB_SELF_IPIS, JOB_LOAD_IDT };
static volatile uint64_t job, job_seq, job_done_seq, job_stop, job_result;
static volatile uint64_t vcpu1_index = ~0ull, vcpu1_id = ~0ull, vcpu1_rsp, vcpu1_up;
static struct guest_barrier barrier;

static void run_on_vcpu1(enum job j)
{
    job_stop = 0;
    job = j;
    atomic_inc(&job_seq);
}

static bool vcpu1_finished(void)
{
    for (uint64_t i = 0; atomic_load(&job_done_seq) != atomic_load(&job_seq); i++) {
        if (i > SPINS)
            return false;
        __asm__ volatile("sti; pause");
    }
    return true;
}

/* ---------------------------------------------------------------- a. console race */

#define FLOOD_HC_BYTES 4000
#define FLOOD_HC_ROUNDS 4
#define FLOOD_UART_BYTES 3000
static char flood[2][FLOOD_HC_BYTES];
static volatile uint64_t hc_short[2];

static void console_flood(unsigned who)
{
    for (int i = 0; i < FLOOD_HC_BYTES; i++)
        flood[who][i] = (char)((who ? 'a' : 'A') + i % 26);
    guest_barrier_wait(&barrier, 2, SPINS);
    for (int r = 0; r < FLOOD_HC_ROUNDS; r++)
        if (hypercall(HC_CONSOLE_WRITE, (unsigned long)flood[who], FLOOD_HC_BYTES, 0) != FLOOD_HC_BYTES)
            hc_short[who]++;
    for (int i = 0; i < FLOOD_UART_BYTES; i++)
        outb(0x3f8, (uint8_t)((who ? '0' : 'K') + i % 10));
    guest_barrier_wait(&barrier, 2, SPINS);
}

static void console_phase(void)
{
    stats(&s0);
    run_on_vcpu1(JOB_CONSOLE);
    console_flood(0);
    bool joined = vcpu1_finished();
    outb(0x3f8, '\n');
    gprintf("\n");
    stats(&s1);
    check("console-race-hc-lengths", joined && !hc_short[0] && !hc_short[1],
          "vCPU 1 finished %d, short writes %lu and %lu", joined, hc_short[0], hc_short[1]);
    uint64_t io = s1.exits[EXIT_IO] - s0.exits[EXIT_IO], vmcalls = s1.exits[EXIT_VMCALL] - s0.exits[EXIT_VMCALL];
    uint64_t sum = 0;
    for (unsigned r = 0; r < HC_STATS_REASONS; r++)
        sum += s1.exits[r];
    check("console-race-stats-sane",
          io >= 2 * FLOOD_UART_BYTES && vmcalls >= 2 * FLOOD_HC_ROUNDS && s1.total_exits >= sum &&
              s1.total_exits - s0.total_exits >= io + vmcalls && s1.unclaimed_port_accesses == 0 &&
              s1.hv_interrupts <= s1.total_exits,
          "I/O exits %lu vmcalls %lu total %lu (sum %lu) unclaimed %lu", io, vmcalls,
          s1.total_exits, sum, s1.unclaimed_port_accesses);
    uart_puts("console-after-race: the virtual UART still prints whole lines\n");
    char line[96];
    int n = gsnprintf(line, sizeof(line), "console-after-race: the hypercall console too (%s)\n", bi->name);
    long wrote = hypercall(HC_CONSOLE_WRITE, (unsigned long)line, (unsigned long)n, 0);
    check("console-after-race", wrote == n, "HC_CONSOLE_WRITE of %d bytes returned %ld", n, wrote);
}

/* ---------------------------------------------------------------- b. notify rewrite */

#define NOTIFY_COUNT 200
static volatile uint64_t notify_seen;

static void on_notify(uint8_t v, uint64_t e)
{
    (void)e;
    vec_count[v]++;
    /* Acknowledge only what was asked for: a 201st IPI is left unanswered, so a request
     * the hypervisor lets grow past 200 gives up instead of running for ever. */
    if (++notify_seen <= NOTIFY_COUNT)
        req.counter++;
    eoi();
}

static volatile uint64_t rewriting;

static void notify_rewrite(void)
{
    volatile uint32_t *vector = &req.vector, *count = &req.count;
    while (!atomic_load(&job_stop)) {
        *vector = VEC_HOSTILE;
        *count = 0xffffffffu;
        *vector = VEC_NOTIFY;
        *count = NOTIFY_COUNT;
        guest_flag_set(&rewriting);
    }
}

static int notify_wait(void)
{
    for (uint64_t i = 0; !__atomic_load_n(&req.done, __ATOMIC_ACQUIRE); i++) {
        if (i > 4 * SPINS)
            return 0;
        __asm__ volatile("sti; pause");
    }
    return req.done;
}

static void notify_phase(void)
{
    guest_set_handler(VEC_NOTIFY, on_notify);
    req.done = 0;
    req.counter = 0;
    req.op = HC_NOTIFY_IPIS;
    req.vector = VEC_NOTIFY;
    req.count = NOTIFY_COUNT;
    run_on_vcpu1(JOB_NOTIFY_REWRITE);
    guest_flag_wait(&rewriting, SPINS);
    /* The post is validated against whatever vCPU 1 has just written: retry until a valid
     * copy was seen; the management CPU then reads the request while it still changes. */
    long rc = -1;
    unsigned tries = 0;
    for (; tries < 100000 && rc; tries++)
        rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    int done = rc ? -2 : notify_wait();
    job_stop = 1;
    bool joined = vcpu1_finished();
    gprintf("notify-rewrite: posted after %u tries, done %d, %lu on 0x%x, %lu elsewhere\n", tries,
            done, vec_count[VEC_NOTIFY], VEC_NOTIFY, others_than(VEC_NOTIFY, VEC_NOTIFY));
    check("notify-rewrite-bounded", rc == 0 && (done == 1 || done == -1) && joined,
          "post %ld after %u tries, done %d", rc, tries, done);
    check("notify-rewrite-at-most-count", vec_count[VEC_NOTIFY] <= NOTIFY_COUNT,
          "%lu interrupts on 0x%x for a request of %d", vec_count[VEC_NOTIFY], VEC_NOTIFY, NOTIFY_COUNT);
    check("notify-rewrite-no-other-vector", others_than(VEC_NOTIFY, VEC_NOTIFY) == 0,
          "%lu interrupts on other vectors (0x%x: %lu)", others_than(VEC_NOTIFY, VEC_NOTIFY),
          VEC_HOSTILE, vec_count[VEC_HOSTILE]);
    /* A clean request afterwards is served in full. */
    uint64_t before = vec_count[VEC_NOTIFY];
    notify_seen = 0;
    req.op = HC_NOTIFY_IPIS;
    req.vector = VEC_NOTIFY;
    req.count = 20;
    req.done = 0;
    req.counter = 0;
    rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    done = rc ? -2 : notify_wait();
    check("notify-clean-after-rewrite", rc == 0 && done == 1 && vec_count[VEC_NOTIFY] - before == 20,
          "post %ld done %d, %lu of 20 IPIs", rc, done, vec_count[VEC_NOTIFY] - before);
}

/* ---------------------------------------------------------------- c. x2APIC reserved bits */

enum outcome { ANY, OK, GP };

struct sweep {
    uint32_t msr;
    const char *name;
    uint64_t must_gp;       /* bits whose write must raise #GP */
    uint64_t must_ok;       /* bits whose write must be accepted (no exception) */
    bool keeps;             /* the hypervisor keeps its value: reads back unchanged */
};

static bool own_apic(uint32_t id)
{
    for (uint32_t i = 0; i < bi->nvcpus && i < EXITLESS_BOOT_MAX_CPUS; i++)
        if (bi->apic_ids[i] == id)
            return true;
    return false;
}

static uint64_t base_value(uint32_t msr, uint64_t keep)
{
    switch (msr) {
    case X2APIC_ICR: return ((uint64_t)bi->apic_ids[0] << 32) | VEC_MAIN;
    case X2APIC_SELF_IPI: return VEC_MAIN;
    case X2APIC_LVT_TIMER: return LVT_MASKED | VEC_MAIN;
    case X2APIC_SVR: return keep;
    case X2APIC_LVT_CMCI:
    case X2APIC_LVT_THERMAL ... X2APIC_LVT_ERROR: return LVT_MASKED | VEC_MAIN;
    default: return 0;
    }
}

static void sweep_one(const struct sweep *s)
{
    uint64_t keep = 0;
    int rd = probe_rdmsr(s->msr, &keep);
    uint64_t base = base_value(s->msr, keep);
    int first_bad = -1, got_bad = 0, faults = 0;
    int rc = probe_wrmsr(s->msr, base);
    bool base_ok = rc == 0;
    for (int bit = 0; bit < 64; bit++) {
        uint64_t val = base | (1ull << bit);
        rc = probe_wrmsr(s->msr, val);
        if (rc)
            faults++;
        if (s->msr == X2APIC_TPR || s->msr == X2APIC_LVT_TIMER || s->msr == X2APIC_TIMER_INIT ||
            s->msr == MSR_TSC_DEADLINE || s->msr == X2APIC_TIMER_DIV)
            probe_wrmsr(s->msr, base);  /* back to harmless */
        bool bad = ((s->must_gp >> bit) & 1) ? rc != VEC_GP : ((s->must_ok >> bit) & 1) ? rc != 0 : false;
        if (bad && first_bad < 0) {
            first_bad = bit;
            got_bad = rc;
        }
    }
    uint64_t after = 0;
    /* (A register the CPU itself refuses to read cannot be compared.) */
    bool kept = !s->keeps || rd != 0 || (probe_rdmsr(s->msr, &after) == 0 && after == keep);
    char name[48];
    gsnprintf(name, sizeof(name), "x2apic-reserved-%s", s->name);
    check(name, base_ok && first_bad < 0 && kept,
          "base 0x%lx: %d; first unexpected bit %d (got %d); value kept %d (0x%lx -> 0x%lx)", base,
          base_ok ? 0 : 1, first_bad, got_bad, kept, keep, after);
    gprintf("x2apic sweep %s: %d of 64 single-bit writes faulted\n", s->name, faults);
}

#define BITS(lo, hi) ((((hi) >= 63 ? 0 : (1ull << ((hi) + 1))) - (1ull << (lo))))
#define BIT(b) (1ull << (b))

static void x2apic_phase(void)
{
    __asm__ volatile("sti");
    static const struct sweep sweeps[] = {
        /* ICR: 12 (delivery status), 13, 16-17, 20-31 reserved; 32-63 the destination. */
        { X2APIC_ICR, "ICR", BIT(12) | BIT(13) | BITS(16, 17) | BITS(20, 31), 0, false },
        { X2APIC_SELF_IPI, "SELF_IPI", BITS(8, 63), 0, false },
        { X2APIC_TPR, "TPR", BITS(8, 63), BITS(0, 7), false },
        { X2APIC_EOI, "EOI", BITS(0, 63), 0, false },
        { X2APIC_LVT_TIMER, "LVT_TIMER", BITS(13, 15) | BITS(19, 63), BITS(0, 7) | BIT(16), false },
        { X2APIC_LVT_CMCI, "LVT_CMCI", BIT(11) | BIT(13) | BIT(15) | BITS(17, 63), 0, true },
        { X2APIC_LVT_THERMAL, "LVT_THERMAL", BIT(11) | BIT(13) | BIT(15) | BITS(17, 63), 0, true },
        { X2APIC_LVT_THERMAL + 1, "LVT_PERF", BIT(11) | BIT(13) | BIT(15) | BITS(17, 63), 0, true },
        { X2APIC_LVT_LINT0, "LVT_LINT0", BIT(11) | BITS(17, 63), 0, true },
        { X2APIC_LVT_LINT1, "LVT_LINT1", BIT(11) | BITS(17, 63), 0, true },
        { X2APIC_LVT_ERROR, "LVT_ERROR", BITS(8, 11) | BIT(13) | BIT(15) | BITS(17, 63), 0, true },
        { X2APIC_SVR, "SVR", BITS(10, 11) | BITS(13, 63), 0, true },
        /* Passed through: the CPU decides; the guest only has to survive. */
        { X2APIC_TIMER_INIT, "TIMER_INIT", 0, 0, false },
        { X2APIC_TIMER_DIV, "TIMER_DIV", 0, 0, false },
        { X2APIC_ESR, "ESR", 0, 0, false },
        { MSR_TSC_DEADLINE, "TSC_DEADLINE", 0, 0, false },
    };
    for (unsigned i = 0; i < sizeof(sweeps) / sizeof(sweeps[0]); i++)
        sweep_one(&sweeps[i]);
    /* ICR destinations: only the guest's own APIC ids; others refused silently and counted. */
    uint64_t base = base_value(X2APIC_ICR, 0), foreign = 0;
    int faults = 0;
    stats(&s0);
    for (int bit = 32; bit < 64; bit++) {
        uint64_t val = base | (1ull << bit);
        if (!own_apic((uint32_t)(val >> 32)))
            foreign++;
        faults += probe_wrmsr(X2APIC_ICR, val) != 0;
    }
    stats(&s1);
    uint64_t denied = s1.denied_apic_writes - s0.denied_apic_writes;
    check("x2apic-ICR-foreign-destinations-denied", faults == 0 && denied == foreign,
          "%d faults, %lu of %lu foreign destinations counted as denied", faults, denied, foreign);
    guest_wait_count(&vec_count[VEC_MAIN], 1, SPINS);
    check("x2apic-self-ipis-arrive", vec_count[VEC_MAIN] >= 1, "none of the base writes' IPIs arrived");
    gprintf("x2apic: interrupts seen on 0x%x: %lu, on other vectors: %lu\n", VEC_MAIN,
            vec_count[VEC_MAIN], others_than(VEC_MAIN, VEC_MAIN));
    probe_wrmsr(X2APIC_TPR, 0);
}

/* ---------------------------------------------------------------- d. XSETBV */

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void xsetbv_phase(void)
{
    if (!(cpuid(1, 0).c & CPUID1_ECX_XSAVE)) {
        gprintf("xsetbv: skipped: this CPU has no XSAVE (CPUID.1:ECX.XSAVE clear)\n");
        return;
    }
    bool os_before = cpuid(1, 0).c & CPUID1_ECX_OSXSAVE;
    int ud = probe_xsetbv(0, 3);
    check("xsetbv-without-osxsave-ud", ud == VEC_UD, "XSETBV with CR4.OSXSAVE clear: vector %d", ud);
    int set = probe_set_cr4(read_cr4() | CR4_OSXSAVE);
    bool os_after = cpuid(1, 0).c & CPUID1_ECX_OSXSAVE;
    check("cpuid-osxsave-follows-cr4", !os_before && set == 0 && os_after,
          "OSXSAVE before %d, CR4 write %d, after %d", os_before, set, os_after);
    if (set)
        return;
    int ok = probe_xsetbv(0, 3);
    uint64_t xcr0 = ok ? 0 : xgetbv0();
    check("xsetbv-valid", ok == 0 && xcr0 == 3, "XSETBV(XCR0 = 3): vector %d, XGETBV 0x%lx", ok, xcr0);
    int xcr1 = probe_xsetbv(1, 3), nox87 = probe_xsetbv(0, 2), high = probe_xsetbv(0, 3 | (1ull << 63));
    check("xsetbv-invalid-gp", xcr1 == VEC_GP && nox87 == VEC_GP && high == VEC_GP,
          "ECX=1: %d, XCR0 without x87: %d, bit 63: %d", xcr1, nox87, high);
    check("xsetbv-xcr0-kept", xgetbv0() == 3, "XCR0 0x%lx after the refused writes", xgetbv0());
}

/* ---------------------------------------------------------------- e. shadowed IDT */

/* Three pages: the IDT from 0x800 below the page boundary up to 0x800 above it, then room. */
static uint8_t idt_area[3 * PAGE] __attribute__((aligned(PAGE)));
static uint8_t idt_other[PAGE] __attribute__((aligned(PAGE)));
#define IDT_SPLIT ((void *)(idt_area + PAGE - 0x800))
#define IDT_SPLIT_LIMIT 0xfff

void hostile_int_on_stack(uint64_t rsp);
__asm__(".text\n.globl hostile_int_on_stack\nhostile_int_on_stack:\n"
        "    mov %rsp, %rax\n    mov %rdi, %rsp\n    int $0x47\n    mov %rax, %rsp\n    ret\n");

static volatile uint64_t step_handler_runs;
static volatile bool step_spins;
static void on_step(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    step_handler_runs++;
    if (step_spins) {
        gprintf("block-step: inside the interrupt whose stack is the IDT page, interrupts off, "
                "spinning\n");
        for (;;)
            __asm__ volatile("pause");
    }
}

static void self_ipi(uint8_t vec) { wrmsr(X2APIC_SELF_IPI, vec); }

/* The shadow still stands: IDT writes exit, the hypervisor's IPI goes around the guest,
 * the guest's own rewritten gate is the one its vector uses. */
static void shadow_checks(const char *after)
{
    char name[64];
    uint8_t *idt = IDT_SPLIT;
    uint64_t alt0 = vec_count[VEC_GATE_ALT], gate0 = vec_count[VEC_GATE];
    stats(&s0);
    guest_set_gate(idt, VEC_GATE, guest_isr_stub(VEC_GATE_ALT), true);
    stats(&s1);
    uint64_t ept = s1.exits[EXIT_EPT_VIOLATION] - s0.exits[EXIT_EPT_VIOLATION];
    gsnprintf(name, sizeof(name), "idt-write-exits-after-%s", after);
    check(name, ept >= 1, "a gate write to the IDT page: %lu EPT-violation exits", ept);

    uint64_t foreign0 = 0;
    for (int v = VEC_GUEST_LAST + 1; v < 256; v++)
        foreign0 += vec_count[v];
    stats(&s0);
    req.op = HC_NOTIFY_HV_IPI;
    req.done = 0;
    long rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    int done = rc ? -2 : notify_wait();
    stats(&s1);
    uint64_t foreign = 0;
    for (int v = VEC_GUEST_LAST + 1; v < 256; v++)
        foreign += vec_count[v];
    gsnprintf(name, sizeof(name), "hv-ipi-through-hypervisor-after-%s", after);
    check(name, done == 1 && s1.hv_interrupts > s0.hv_interrupts && foreign == foreign0,
          "done %d, hypervisor interrupts +%lu, guest handlers for hypervisor vectors +%lu", done,
          s1.hv_interrupts - s0.hv_interrupts, foreign - foreign0);

    self_ipi(VEC_GATE);
    bool arrived = guest_wait_count(&vec_count[VEC_GATE_ALT], alt0 + 1, SPINS);
    gsnprintf(name, sizeof(name), "rewritten-gate-used-after-%s", after);
    check(name, arrived && vec_count[VEC_GATE] == gate0, "self IPI 0x%x: new handler %d, old +%lu",
          VEC_GATE, arrived, vec_count[VEC_GATE] - gate0);
    guest_set_gate(idt, VEC_GATE, guest_isr_stub(VEC_GATE), true);
}

static void idt_straddle(void)
{
    uint8_t *idt = IDT_SPLIT;
    volatile uint64_t *straddle = (volatile uint64_t *)(idt + 127 * 16 + 12); /* crosses the page */
    uint64_t same = *straddle;  /* gate 127's reserved dword + gate 128's offset and selector */
    run_on_vcpu1(JOB_IDT_GATES);
    for (int i = 0; i < 200; i++)
        *straddle = same;
    job_stop = 1;
    bool joined = vcpu1_finished();
    check("idt-straddle-survived", joined && guest_debug_traps == 0,
          "vCPU 1 finished %d, stray single-step traps %lu", joined, guest_debug_traps);
}

static void idt_lidt_race(void)
{
    __builtin_memcpy(idt_other, IDT_SPLIT, PAGE);
    uint64_t before = vec_count[VEC_VCPU1];
    run_on_vcpu1(JOB_SELF_IPIS);
    for (int i = 0; i < 200; i++) {
        guest_load_idt(idt_other);
        guest_load_idt_limit(IDT_SPLIT, IDT_SPLIT_LIMIT);
    }
    job_stop = 1;
    bool joined = vcpu1_finished();
    uint64_t got = vec_count[VEC_VCPU1] - before;
    check("idt-lidt-race-self-ipis", joined && got == job_result,
          "vCPU 1 finished %d, %lu of %lu self IPIs arrived", joined, got, job_result);
}

static void idt_step(void)
{
    guest_set_handler(VEC_STEP, on_step);
    guest_catch_debug = true;
    uint64_t traps = guest_debug_traps;
    hostile_int_on_stack((uint64_t)(idt_area + 2 * PAGE)); /* the end of the IDT's last page */
    check("idt-never-ending-step-returned", step_handler_runs == 1 && guest_debug_traps == traps,
          "handler ran %lu times, stray single-step traps %lu", step_handler_runs,
          guest_debug_traps - traps);
}

static void idt_setup(void)
{
    __builtin_memcpy(IDT_SPLIT, guest_idt(), 256 * 16);
    guest_load_idt_limit(IDT_SPLIT, IDT_SPLIT_LIMIT);
    run_on_vcpu1(JOB_LOAD_IDT);
    vcpu1_finished();
    __asm__ volatile("sti");
}

static void idt_phase(void)
{
    if (!exitless) {
        gprintf("idt: skipped: the shadowed IDT is the exitless mode's\n");
        return;
    }
    /* "idt" runs every attack; "idt-straddle", "idt-lidt", "idt-step" pick some. */
    const char *c = bi->cmdline;
    bool all = !guest_has_word(c, "idt-");
    guest_catch_debug = true;
    idt_setup();
    shadow_checks("setup");
    if (all || guest_has_word(c, "idt-straddle")) {
        idt_straddle();
        shadow_checks("straddle");
    }
    if (all || guest_has_word(c, "idt-lidt")) {
        idt_lidt_race();
        shadow_checks("lidt-race");
    }
    if (all || guest_has_word(c, "idt-step")) {
        idt_step();
        shadow_checks("step");
    }
}

/* ---------------------------------------------------------------- vCPU 1 */

void guest_vcpu_main(unsigned index)
{
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    vcpu1_index = index;
    vcpu1_id = guest_id();
    vcpu1_rsp = rsp;
    guest_flag_set(&vcpu1_up);
    if (index != 1)
        return;
    uint64_t seen = 0;
    for (;;) {
        while (atomic_load(&job_seq) == seen)
            __asm__ volatile("sti; pause");
        seen = atomic_load(&job_seq);
        switch (job) {
        case JOB_CONSOLE: console_flood(1); break;
        case JOB_NOTIFY_REWRITE: notify_rewrite(); break;
        case JOB_IDT_GATES: {
            uint8_t *idt = IDT_SPLIT;
            while (!atomic_load(&job_stop))
                for (int v = 0x90; v < 0xa0; v++)
                    guest_set_gate(idt, (uint8_t)v, guest_isr_stub((uint8_t)v), true);
            break;
        }
        case JOB_SELF_IPIS: {
            uint64_t sent = 0;
            __asm__ volatile("sti");
            while (!atomic_load(&job_stop)) {
                uint64_t want = vec_count[VEC_VCPU1] + 1;
                self_ipi(VEC_VCPU1);
                sent++;
                if (!guest_wait_count(&vec_count[VEC_VCPU1], want, SPINS))
                    break;
            }
            job_result = sent;
            break;
        }
        case JOB_LOAD_IDT: guest_load_idt_limit(IDT_SPLIT, IDT_SPLIT_LIMIT); break;
        default: break;
        }
        atomic_store(&job_done_seq, seen);
    }
}

/* ---------------------------------------------------------------- blockers, neighbour */

static uint64_t word_number(const char *s, const char *w)
{
    for (; *s; s++) {
        const char *a = s, *b = w;
        while (*b && *a == *b)
            a++, b++;
        if (*b)
            continue;
        uint64_t n = 0;
        unsigned base = 10;
        if (a[0] == '0' && a[1] == 'x')
            a += 2, base = 16;
        for (;; a++) {
            unsigned d = *a >= '0' && *a <= '9' ? (unsigned)(*a - '0')
                       : base == 16 && *a >= 'a' && *a <= 'f' ? (unsigned)(*a - 'a' + 10) : 99;
            if (d >= base)
                return n;
            n = n * base + d;
        }
    }
    return 0;
}

static volatile uint64_t swallowed;
static void swallow(uint8_t v, uint64_t e) { (void)v; (void)e; swallowed++; }

static __attribute__((noreturn)) void block(void)
{
    const char *c = bi->cmdline;
    if (guest_has_word(c, "block-cli")) {
        gprintf("block-cli: interrupts off, spinning for ever\n");
        __asm__ volatile("cli; 1: jmp 1b");
    } else if (guest_has_word(c, "block-cr8")) {
        gprintf("block-cr8: CR8 = 15, interrupts on, spinning for ever\n");
        __asm__ volatile("mov %0, %%cr8; sti; 1: jmp 1b" ::"r"(15ull));
    } else if (guest_has_word(c, "block-idt-limit=")) {
        uint64_t vectors = word_number(c, "block-idt-limit=");
        gprintf("block-idt-limit: IDT limit 0x%lx (vectors from 0x%lx on raise #GP), interrupts on, "
                "spinning for ever\n", vectors * 16 - 1, vectors);
        guest_set_handler(VEC_GP, swallow);  /* a hostile guest's #GP handler: return */
        guest_load_idt_limit(guest_idt(), (uint16_t)(vectors * 16 - 1));
        /* A hypervisor IPI past the limit raises #GP: it must still reach the hypervisor
         * (its cross-call runs, the request is done) and never the guest's handler. */
        __asm__ volatile("sti");
        stats(&s0);
        req.op = HC_NOTIFY_HV_IPI;
        req.done = 0;
        long rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
        int done = rc ? -2 : notify_wait();
        stats(&s1);
        check("short-idt-hv-ipi-through-hypervisor",
              done == 1 && s1.hv_interrupts > s0.hv_interrupts && swallowed == 0,
              "done %d, hypervisor interrupts +%lu, guest #GP handler ran %lu times", done,
              s1.hv_interrupts - s0.hv_interrupts, swallowed);
        __asm__ volatile("1: jmp 1b");
    } else if (guest_has_word(c, "block-step")) {
        __builtin_memcpy(IDT_SPLIT, guest_idt(), 256 * 16);
        guest_load_idt_limit(IDT_SPLIT, IDT_SPLIT_LIMIT);
        guest_set_handler(VEC_STEP, on_step);
        step_spins = true;
        gprintf("block-step: int 0x%x with the stack at the end of the IDT page\n", VEC_STEP);
        hostile_int_on_stack((uint64_t)(idt_area + 2 * PAGE));
    }
    check("blocker-kept-running", false, "the blocker returned");
    guest_stop(1);
}

static int neighbour(void)
{
    uint64_t rounds = word_number(bi->cmdline, "rounds=");
    if (!rounds)
        rounds = 100000;
    uint64_t pings_ok = 0;
    for (uint64_t r = 1; r <= rounds; r++) {
        pings_ok += hypercall(HC_PING, 0, 0, 0) == 0;
        if (r % (rounds / 10 ? rounds / 10 : 1) == 0)
            gprintf("heartbeat: round %lu of %lu\n", r, rounds);
    }
    return check("heartbeat", pings_ok == rounds, "%lu of %lu pings answered", pings_ok, rounds) ? 0 : 1;
}

int guest_main(const struct exitless_boot_info *boot)
{
    bi = boot;
    const char *c = bi->cmdline;
    exitless = guest_has_word(c, "exitless");
    if (guest_has_word(c, "neighbour"))
        return neighbour();
    if (guest_has_word(c, "block-"))
        block();
    /* The runtime's SMP start: vCPU 1 came up with its own index, stack and IDT. */
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    bool up = bi->nvcpus >= 2 && guest_flag_wait(&vcpu1_up, SPINS);
    uint64_t d = vcpu1_rsp > rsp ? vcpu1_rsp - rsp : rsp - vcpu1_rsp;
    check("smp-vcpu1-started", up && vcpu1_index == 1 && vcpu1_id == guest_id() && guest_vcpu_index() == 0 &&
              d >= 8192 && d < 2 * 16384,
          "nvcpus %u up %d index %lu id %lu/%u, stacks 0x%lx and 0x%lx", bi->nvcpus, up, vcpu1_index,
          vcpu1_id, guest_id(), rsp, vcpu1_rsp);
    if (!up)
        return 1;
    /* Every interrupt is counted by vector (a few phases put their own handlers on top). */
    for (int v = 0x20; v <= 0xff; v++)
        guest_set_handler((uint8_t)v, on_irq);
    if (guest_has_word(c, "console"))
        console_phase();
    if (guest_has_word(c, "notify"))
        notify_phase();
    if (guest_has_word(c, "x2apic"))
        x2apic_phase();
    if (guest_has_word(c, "xsetbv"))
        xsetbv_phase();
    if (guest_has_word(c, "idt"))
        idt_phase();
    /* Still in one piece: a last check and statistics that name this guest. */
    stats(&s1);
    check("hypervisor-still-answers", s1.total_exits > 0 && hypercall(HC_PING, 0, 0, 0) == 0,
          "total exits %lu", s1.total_exits);
    return 0;
}
