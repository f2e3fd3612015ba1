/* eli: interrupt delivery in the guest's own mode. Exitless (ELI): its LAPIC timer and IPIs
 * from another core arrive with no exit, a virtual interrupt still works through injection,
 * a hypervisor IPI exits through #NP unnoticed, its own #NP is reflected, IDT edits and a new
 * IDT are followed, and what it may not do (IPIs to other cores, foreign vectors) is refused.
 * Injected (command line "mode=injected"): the same deliveries, each costing exits. */
#include "guest.h"
#include "systab.h"

#define N 50
#define VEC_TIMER 0x40
#define VEC_IPI 0x41
#define VEC_VIRT 0x42
#define VEC_IPI_ALT 0x43
#define VEC_HV_XCALL 0xf3
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_LVT_TIMER 0x832
#define MSR_TIMER_INIT 0x838
#define MSR_TIMER_DIV 0x83e
#define TIMER_DIV_1 0xb
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define MSR_ICR 0x830
#define MSR_EOI 0x80b
#define LVT_TSC_DEADLINE (2u << 17)
#define EXIT_EXTINT HC_EXIT_EXTINT
#define EXIT_EXCEPTION HC_EXIT_EXCEPTION
#define EXIT_NMI HC_EXIT_NMI
#define EXIT_WRMSR HC_EXIT_MSR_WRITE
#define EXIT_WINDOW HC_EXIT_INTR_WINDOW

static volatile uint64_t timer_count, ipi_count, virt_count, alt_count, foreign_count;
static struct hc_notify_req req __attribute__((aligned(64)));
static uint64_t lat_sum, lat_min = ~0ull;
static struct hc_exit_stats s0, s1;
static uint8_t second_idt[4096] __attribute__((aligned(4096)));
static bool injected, tsc_deadline;

static void eoi(void) { wrmsr(MSR_EOI, 0); }
static void on_timer(uint8_t v, uint64_t e) { (void)v; (void)e; timer_count++; eoi(); }
static void on_virt(uint8_t v, uint64_t e) { (void)v; (void)e; virt_count++; eoi(); }
static void on_alt(uint8_t v, uint64_t e) { (void)v; (void)e; alt_count++; req.counter++; eoi(); }
static void on_foreign(uint8_t v, uint64_t e) { (void)v; (void)e; foreign_count++; eoi(); }
static void on_ipi(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    uint64_t lat = rdtsc() - req.stamp;
    lat_sum += lat;
    if (lat < lat_min)
        lat_min = lat;
    ipi_count++;
    req.counter++;
    eoi();
}

static uint64_t d(unsigned reason) { return s1.exits[reason] - s0.exits[reason]; }

static int notify(uint32_t op, uint32_t vector, uint32_t count)
{
    req.op = op;
    req.vector = vector;
    req.count = count;
    req.done = 0;
    req.counter = 0;
    if (hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0))
        return -2;
    while (!__atomic_load_n(&req.done, __ATOMIC_ACQUIRE))
        __asm__ volatile("sti; pause");
    return req.done;
}

/* The LAPIC timer in TSC-deadline mode where the CPU has it (CPUID.1:ECX[24]), else one-shot
 * (QEMU TCG has no TSC-deadline mode): both registers are the guest's own (passed through),
 * so either way an interrupt costs no exit. */
static void timer_setup(void)
{
    tsc_deadline = cpuid(1, 0).c & CPUID1_ECX_TSC_DEADLINE;
    if (tsc_deadline) {
        wrmsr(MSR_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
    } else {
        wrmsr(MSR_TIMER_DIV, TIMER_DIV_1);
        wrmsr(MSR_LVT_TIMER, VEC_TIMER);
    }
}

static void timer_arm(void)
{
    if (tsc_deadline)
        wrmsr(MSR_TSC_DEADLINE, rdtsc() + 3000);
    else
        wrmsr(MSR_TIMER_INIT, 3000);
}

static void timer_phase(void)
{
    timer_setup();
    guest_exit_stats(&s0);
    bool ok = true;
    for (uint64_t i = 1; i <= N && ok; i++) {
        timer_arm();
        ok = guest_wait_count(&timer_count, i, 50000000ull);
    }
    guest_exit_stats(&s1);
    check("timer-delivered", ok && timer_count == N, "%lu of %d timer interrupts", timer_count, N);
    if (!injected)
        check("timer-no-exits", d(EXIT_EXTINT) + d(EXIT_EXCEPTION) + d(EXIT_WRMSR) + d(EXIT_WINDOW) == 0,
              "external %lu exception %lu wrmsr %lu window %lu", d(EXIT_EXTINT), d(EXIT_EXCEPTION),
              d(EXIT_WRMSR), d(EXIT_WINDOW));
    else
        check("timer-injected-exits", d(EXIT_EXTINT) == N && d(EXIT_WRMSR) == N,
              "external %lu wrmsr (EOI) %lu for %d interrupts", d(EXIT_EXTINT), d(EXIT_WRMSR), N);
    gprintf("BENCH %s-timer-exits-per-10k %lu exits\n", injected ? "injected" : "exitless",
            (s1.total_exits - s0.total_exits - 1) * 10000 / N);
}

static void ipi_phase(void)
{
    guest_exit_stats(&s0);
    int done = notify(HC_NOTIFY_IPIS, VEC_IPI, N);
    guest_exit_stats(&s1);
    check("ipi-delivered", done == 1 && ipi_count == N, "done %d, %lu of %d IPIs", done, ipi_count, N);
    uint64_t exits = s1.total_exits - s0.total_exits - 2; /* the notify and stats VMCALLs */
    if (!injected)
        check("ipi-no-exits", exits == 0, "%lu exits for %d IPIs (external %lu exception %lu "
              "wrmsr %lu)", exits, N, d(EXIT_EXTINT), d(EXIT_EXCEPTION), d(EXIT_WRMSR));
    else
        /* Each IPI costs its trapped EOI and an exit to be delivered (an external-interrupt
         * exit, or an interrupt-window exit when it arrived while the core was in the host). */
        check("ipi-injected-exits", d(EXIT_WRMSR) == N && exits >= 2 * N - 1,
              "%lu exits, %lu trapped EOIs for %d IPIs", exits, d(EXIT_WRMSR), N);
    const char *m = injected ? "injected" : "exitless";
    gprintf("BENCH %s-ipi-exits-per-10k %lu exits\n", m, exits * 10000 / N);
    gprintf("BENCH %s-ipi-latency-avg %lu cycles\n", m, ipi_count ? lat_sum / ipi_count : 0);
    gprintf("BENCH %s-ipi-latency-min %lu cycles\n", m, lat_min);
}

static void virtual_phase(void)
{
    guest_exit_stats(&s0);
    hypercall(HC_INJECT_SELF, VEC_VIRT, 0, 0);
    bool ok = guest_wait_count(&virt_count, 1, 50000000ull);
    guest_exit_stats(&s1);
    check("virtual-interrupt-injected", ok && d(EXIT_WRMSR) == 1,
          "delivered %d, trapped EOIs %lu (want 1)", ok, d(EXIT_WRMSR));
    if (injected)
        return;
    /* Its EOI was trapped; the next physical interrupt's EOI passes through again. */
    guest_exit_stats(&s0);
    timer_arm();
    ok = guest_wait_count(&timer_count, N + 1, 50000000ull);
    guest_exit_stats(&s1);
    check("eoi-passthrough-restored", ok && d(EXIT_WRMSR) == 0, "EOI exits %lu", d(EXIT_WRMSR));
}

static void hypervisor_ipi_phase(void)
{
    guest_exit_stats(&s0);
    int done = notify(HC_NOTIFY_HV_IPI, 0, 0);
    guest_exit_stats(&s1);
    check("hv-ipi-handled", done == 1, "cross-call to this core: %d", done);
    /* Exitless: the guest owns every fixed vector on its core, so the hypervisor's request
     * comes by NMI, which exits whatever the guest's IDT says: no #NP. */
    if (!injected)
        check("hv-ipi-by-nmi", s1.hv_interrupts - s0.hv_interrupts == 1 &&
              d(EXIT_EXCEPTION) == 0, "hypervisor requests %lu, NMI exits %lu, exception exits %lu",
              s1.hv_interrupts - s0.hv_interrupts, d(EXIT_NMI), d(EXIT_EXCEPTION));
}

static void idt_phase(void)
{
    uint8_t *idt = guest_idt();
    /* Its own not-present gate: the #NP is reflected to it with the CPU's error code. */
    guest_set_gate(idt, 0x50, guest_isr_stub(0x50), false);
    int vec = probe_int50();
    if (!injected)
        check("own-np-reflected", vec == 11 && guest_last_fault_error == ((0x50u << 3) | 2),
              "vector %d error %#lx", vec, guest_last_fault_error);
    /* A gate edited at run time: VEC_IPI now enters through VEC_IPI_ALT's stub. */
    guest_set_handler(VEC_IPI_ALT, on_alt);
    guest_set_gate(idt, VEC_IPI, guest_isr_stub(VEC_IPI_ALT), true);
    int done = notify(HC_NOTIFY_IPIS, VEC_IPI, 1);
    check("idt-edit-followed", done == 1 && alt_count == 1, "done %d alt %lu", done, alt_count);
    /* A new IDT: a copy where VEC_IPI is back on its own stub. */
    __builtin_memcpy(second_idt, idt, 4096);
    guest_set_gate(second_idt, VEC_IPI, guest_isr_stub(VEC_IPI), true);
    guest_load_idt(second_idt);
    uint64_t before = ipi_count;
    done = notify(HC_NOTIFY_IPIS, VEC_IPI, 1);
    check("new-idt-followed", done == 1 && ipi_count == before + 1 && alt_count == 1,
          "done %d ipi %lu alt %lu", done, ipi_count - before, alt_count);
}

static void containment_phase(const struct exitless_boot_info *bi)
{
    /* Its IDT has a gate for 0xf3, the cross-call vector of cores without an exitless
     * guest: the hypervisor's request to this core does not come through it. */
    guest_set_handler(VEC_HV_XCALL, on_foreign);
    guest_set_gate(second_idt, VEC_HV_XCALL, guest_isr_stub(VEC_HV_XCALL), true);
    int done = notify(HC_NOTIFY_HV_IPI, 0, 0);
    check("hv-vector-not-stolen", done == 1 && foreign_count == 0, "done %d, guest saw %lu",
          done, foreign_count);
    guest_exit_stats(&s0);
    uint32_t other = bi->apic_ids[0] == 0 ? 1 : 0;
    wrmsr(MSR_ICR, ((uint64_t)other << 32) | VEC_IPI);      /* another core */
    wrmsr(MSR_ICR, ((uint64_t)bi->apic_ids[0] << 32) | (4u << 8)); /* an NMI to itself */
    guest_exit_stats(&s1);
    check("foreign-ipis-refused", s1.denied_apic_writes - s0.denied_apic_writes == 2,
          "%lu of 2 refused", s1.denied_apic_writes - s0.denied_apic_writes);
    eoi(); /* nothing in service: no effect on anyone */
    done = notify(HC_NOTIFY_HV_IPI, 0, 0);
    check("stray-eoi-harmless", done == 1, "hypervisor IPI after a stray EOI: %d", done);
}

/* A request rewritten after its post: the management CPU serves the copy it took then. With
 * the rewritten values it would send a hypervisor IPI, or 2^32-1 IPIs on VEC_IPI_STOP. */
static void rewrite_phase(void)
{
    uint64_t before = ipi_count;
    req.op = HC_NOTIFY_IPIS;
    req.vector = VEC_IPI;
    req.count = 3;
    req.done = 0;
    req.counter = 0;
    long rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    req.op = HC_NOTIFY_HV_IPI;
    req.vector = 0xf0;
    req.count = 0xffffffffu;
    while (!rc && !__atomic_load_n(&req.done, __ATOMIC_ACQUIRE))
        __asm__ volatile("sti; pause");
    check("notify-rewrite-ignored", rc == 0 && req.done == 1 && ipi_count - before == 3,
          "rc %ld done %d, %lu IPIs (posted 3)", rc, req.done, ipi_count - before);
    req.op = HC_NOTIFY_IPIS;    /* vector 0xf0 and count 2^32-1 posted as they are */
    req.done = 0;
    rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    check("notify-hv-vector-refused", rc == -HC_EINVAL, "rc %ld", rc);
}

int guest_main(const struct exitless_boot_info *bi)
{
    injected = guest_has_word(bi->cmdline, "mode=injected");
    guest_set_handler(VEC_TIMER, on_timer);
    guest_set_handler(VEC_IPI, on_ipi);
    guest_set_handler(VEC_VIRT, on_virt);
    __asm__ volatile("sti");
    timer_phase();
    ipi_phase();
    virtual_phase();
    hypervisor_ipi_phase();
    idt_phase();
    containment_phase(bi);
    rewrite_phase();
    systab_phase();
    return 0;
}
