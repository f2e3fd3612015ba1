/* smpboot (exitless, three vCPUs): the local APIC as an OS finds it, and INIT-SIPI-SIPI.
 * vCPU 0 checks the APIC base MSR, reads every x2APIC register, takes its LVT timer on 0xec
 * and a self IPI on 0xfd (the vectors Linux uses) without exits, sends INIT to a core that
 * is not the guest's (refused), a STARTUP to a running AP (ignored), then INIT, INIT
 * de-assert and two STARTUPs to each AP, as Linux does. Each AP restarts in real mode in
 * trampoline.S, reaches long mode and reports here. */
#include "guest.h"
#include "smpboot.h"

#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_MCG_CAP 0x179
#define MCG_CMCI_P (1ull << 10)
#define APIC_BASE_EXPECTED 0xfee00c00ull    /* base | enable | x2APIC */
#define APIC_BASE_BSP (1ull << 8)
#define X2APIC_ID 0x802
#define X2APIC_TPR 0x808
#define X2APIC_PPR 0x80a
#define X2APIC_EOI 0x80b
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TIMER_INIT 0x838
#define X2APIC_TIMER_DIV 0x83e
#define X2APIC_SELF_IPI 0x83f
#define LVT_MASKED (1u << 16)
#define ICR_INIT 0x4500ull                  /* INIT, level assert */
#define ICR_INIT_DEASSERT 0x8500ull
#define ICR_STARTUP 0x4600ull
#define VEC_LINUX_TIMER 0xec
#define VEC_LINUX_RESCHED 0xfd
#define VEC_GP 13
#define SPINS 400000000ull                  /* every wait's bound: only a hang reaches it */
#define SETTLE_SPINS 2000000ull             /* a while for a wrongly started AP to show */

struct ap_report {
    uint64_t apic_id, apic_base;
};

static const struct exitless_boot_info *bi;
static volatile uint64_t vec_count[256];
static volatile uint64_t entry_runs[GUEST_MAX_VCPUS];  /* APs that ran from the ELF entry */
static volatile uint64_t ap_started;
static struct ap_report reports[AP_SLOTS];
static uint8_t ap_stacks[AP_SLOTS + 1][AP_STACK_SIZE] __attribute__((aligned(16)));
static struct hc_exit_stats s0, s1;

static void on_irq(uint8_t v, uint64_t e) { (void)e; vec_count[v]++; wrmsr(X2APIC_EOI, 0); }

/* The trampoline's copy at TRAMP_BASE, field by its link address. */
static volatile void *tramp(const char *sym) { return (volatile void *)(uintptr_t)(TRAMP_BASE + (sym - smp_tramp_start)); }

void guest_vcpu_main(unsigned index)
{
    if (index < GUEST_MAX_VCPUS)
        atomic_store(&entry_runs[index], 1);
    /* Back to the runtime: sti; hlt until the INIT. */
}

void smp_ap_main(uint32_t slot)
{
    uint64_t id = 0, base = 0;
    guest_idt_load_shared();    /* first: the probes recover through it */
    probe_rdmsr(X2APIC_ID, &id);
    probe_rdmsr(MSR_APIC_BASE, &base);
    if (slot < AP_SLOTS)
        reports[slot] = (struct ap_report){ .apic_id = id, .apic_base = base };
    atomic_inc(&ap_started);
    for (;;)
        __asm__ volatile("sti; hlt");
}

static void check_apic_base(void)
{
    uint64_t base = 0;
    int rc = probe_rdmsr(MSR_APIC_BASE, &base);
    check("apic-base-read", rc == 0 && base == (APIC_BASE_EXPECTED | APIC_BASE_BSP),
          "rdmsr %d value 0x%lx", rc, base);
    check("apic-base-write-same-accepted", probe_wrmsr(MSR_APIC_BASE, base) == 0, "#GP");
    int off = probe_wrmsr(MSR_APIC_BASE, base & ~(1ull << 11));
    int xapic = probe_wrmsr(MSR_APIC_BASE, base & ~(1ull << 10));
    int moved = probe_wrmsr(MSR_APIC_BASE, (base & 0xfff) | 0xfed00000ull);
    uint64_t after = 0;
    probe_rdmsr(MSR_APIC_BASE, &after);
    check("apic-base-disable-gp", off == VEC_GP && xapic == VEC_GP && moved == VEC_GP &&
          after == base, "disable %d, leave x2APIC %d, move %d; now 0x%lx", off, xapic, moved,
          after);
}

/* Every architectural x2APIC register reads (SDM vol. 3, table 11-6); the write-only ones
 * (EOI, self IPI) raise #GP; CMCI's LVT exists only where MCG_CAP says so. */
static void check_register_reads(void)
{
    static const struct { uint32_t msr; const char *name; } regs[] = {
        { 0x802, "ID" }, { 0x803, "version" }, { 0x808, "TPR" }, { 0x80a, "PPR" },
        { 0x80d, "LDR" }, { 0x80f, "SVR" }, { 0x828, "ESR" }, { 0x830, "ICR" },
        { 0x832, "LVT timer" }, { 0x833, "LVT thermal" }, { 0x834, "LVT perf" },
        { 0x835, "LVT LINT0" }, { 0x836, "LVT LINT1" }, { 0x837, "LVT error" },
        { 0x838, "timer initial" }, { 0x839, "timer current" }, { 0x83e, "timer divide" },
    };
    int bad = -1, rc = 0;
    uint64_t val;
    for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]) && bad < 0; i++)
        if ((rc = probe_rdmsr(regs[i].msr, &val)) != 0)
            bad = (int)i;
    for (uint32_t m = 0x810; m <= 0x827 && bad < 0; m++)     /* ISR, TMR, IRR */
        if ((rc = probe_rdmsr(m, &val)) != 0)
            bad = 100 + (int)(m - 0x810);
    check("x2apic-registers-readable", bad < 0, "register %d (%s) read raised %d", bad,
          bad >= 0 && bad < 100 ? regs[bad].name : "ISR/TMR/IRR", rc);
    uint64_t mcg = 0, cmci = 0;
    probe_rdmsr(MSR_MCG_CAP, &mcg);
    int cmci_rc = probe_rdmsr(0x82f, &cmci);
    check("x2apic-cmci-as-mcg-cap-says", (mcg & MCG_CMCI_P) ? cmci_rc == 0 : cmci_rc == VEC_GP ||
          cmci_rc == 0, "MCG_CAP 0x%lx, LVT CMCI read %d", mcg, cmci_rc);
    int eoi = probe_rdmsr(X2APIC_EOI, &val), self = probe_rdmsr(X2APIC_SELF_IPI, &val);
    check("x2apic-write-only-gp", eoi == VEC_GP && self == VEC_GP, "EOI %d, self IPI %d", eoi, self);
    uint64_t ppr0 = ~0ull, ppr1 = ~0ull, tpr = 0;
    probe_rdmsr(X2APIC_PPR, &ppr0);
    wrmsr(X2APIC_TPR, 0x25);
    probe_rdmsr(X2APIC_PPR, &ppr1);
    probe_rdmsr(X2APIC_TPR, &tpr);
    wrmsr(X2APIC_TPR, 0);
    check("x2apic-ppr-follows-tpr", ppr0 == 0 && ppr1 == 0x25 && tpr == 0x25,
          "PPR 0x%lx, with TPR 0x%lx: 0x%lx", ppr0, tpr, ppr1);
}

/* Linux's vectors: its local timer 0xec and its reschedule IPI 0xfd, with no exit. */
static void check_linux_vectors(void)
{
    guest_set_handler(VEC_LINUX_TIMER, on_irq);
    guest_set_handler(VEC_LINUX_RESCHED, on_irq);
    wrmsr(X2APIC_TIMER_DIV, 0xb);                       /* divide by 1 */
    guest_exit_stats(&s0);
    wrmsr(X2APIC_LVT_TIMER, VEC_LINUX_TIMER);           /* one-shot */
    wrmsr(X2APIC_TIMER_INIT, 20000);
    bool timer = guest_wait_count(&vec_count[VEC_LINUX_TIMER], 1, SPINS);
    guest_exit_stats(&s1);
    uint64_t extint = s1.exits[HC_EXIT_EXTINT] - s0.exits[HC_EXIT_EXTINT];
    uint64_t exc = s1.exits[HC_EXIT_EXCEPTION] - s0.exits[HC_EXIT_EXCEPTION];
    check("lvt-timer-0xec-no-exits", timer && extint == 0 && exc == 0,
          "arrived %d; interrupt exits %lu, exception exits %lu", timer, extint, exc);
    wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | VEC_LINUX_TIMER);
    wrmsr(X2APIC_SELF_IPI, VEC_LINUX_RESCHED);
    bool ipi = guest_wait_count(&vec_count[VEC_LINUX_RESCHED], 1, SPINS);
    check("self-ipi-0xfd-delivered", ipi, "none arrived");
}

static bool own_apic(uint32_t id)
{
    for (uint32_t i = 0; i < bi->nvcpus; i++)
        if (bi->apic_ids[i] == id)
            return true;
    return false;
}

static void check_foreign_init(void)
{
    uint32_t foreign = 0;
    while (own_apic(foreign))
        foreign++;
    guest_exit_stats(&s0);
    int init = probe_wrmsr(X2APIC_ICR, ((uint64_t)foreign << 32) | ICR_INIT);
    int sipi = probe_wrmsr(X2APIC_ICR, ((uint64_t)foreign << 32) | ICR_STARTUP | TRAMP_VECTOR);
    int bcast = probe_wrmsr(X2APIC_ICR, ICR_INIT | (3u << 18));     /* all but self */
    guest_exit_stats(&s1);
    uint64_t denied = s1.denied_apic_writes - s0.denied_apic_writes;
    check("init-sipi-foreign-refused", init == 0 && sipi == 0 && bcast == 0 && denied == 3,
          "APIC id %u: INIT %d, STARTUP %d, broadcast INIT %d; %lu of 3 refused", foreign, init,
          sipi, bcast, denied);
}

static void send_icr(uint32_t apic, uint64_t low) { wrmsr(X2APIC_ICR, ((uint64_t)apic << 32) | low); }

static void copy_trampoline(void)
{
    volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)TRAMP_BASE;
    for (const char *p = smp_tramp_start; p < smp_tramp_end; p++)
        dst[p - smp_tramp_start] = (uint8_t)*p;
    uint64_t cr3, efer = rdmsr(MSR_EFER);
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    *(volatile uint32_t *)tramp(tr_cr3) = (uint32_t)cr3;
    *(volatile uint32_t *)tramp(tr_cr4) = (uint32_t)read_cr4();
    *(volatile uint32_t *)tramp(tr_efer) = (uint32_t)(efer & ~(1ull << 10));
    *(volatile uint64_t *)tramp(tr_stacks) = (uint64_t)(uintptr_t)ap_stacks;
}

int guest_main(const struct exitless_boot_info *boot)
{
    bi = boot;
    uint32_t aps = bi->nvcpus - 1;
    check("smp-three-vcpus", bi->nvcpus == 3, "%u vCPUs", bi->nvcpus);
    check_apic_base();
    check_register_reads();
    check_linux_vectors();
    check_foreign_init();

    bool running = true;
    for (uint32_t i = 1; i <= aps; i++)
        running &= guest_flag_wait(&entry_runs[i], SPINS);
    check("aps-ran-from-entry", running, "not every AP reached its entry");

    copy_trampoline();
    volatile uint32_t *entries = tramp(tr_real_entries);
    /* A STARTUP without INIT: the AP runs, so it ignores it (SDM 9.4.4). */
    send_icr(bi->apic_ids[1], ICR_STARTUP | TRAMP_VECTOR);
    for (volatile uint64_t i = 0; i < SETTLE_SPINS; i++)
        __asm__ volatile("pause");
    check("sipi-without-init-ignored", *entries == 0, "%u real-mode entries", *entries);

    /* As Linux wakes each AP: INIT, INIT de-assert, STARTUP twice. */
    for (uint32_t i = 1; i <= aps; i++) {
        send_icr(bi->apic_ids[i], ICR_INIT);
        send_icr(bi->apic_ids[i], ICR_INIT_DEASSERT);
        send_icr(bi->apic_ids[i], ICR_STARTUP | TRAMP_VECTOR);
        send_icr(bi->apic_ids[i], ICR_STARTUP | TRAMP_VECTOR);
    }
    bool up = guest_wait_count(&ap_started, aps, SPINS);
    for (volatile uint64_t i = 0; i < SETTLE_SPINS; i++)
        __asm__ volatile("pause");
    check("aps-started-once-each", up && *entries == aps && ap_started == aps,
          "%lu of %u APs in long mode, %u real-mode entries", ap_started, aps, *entries);

    const volatile struct tr_seen *seen = tramp(tr_seen);
    uint16_t ip = *(const uint16_t *)tr_ip_expected;
    bool at_vector = true, real = true;
    for (uint32_t i = 0; i < aps && i < AP_SLOTS; i++) {
        at_vector &= seen[i].cs == (TRAMP_VECTOR << 8) && seen[i].ip == ip;
        /* Real mode: PE and PG clear (ET set). INIT leaves CR0 = 0x60000010; CD and NW are
         * cache controls an emulator may not keep (Bochs's VM entry drops them). */
        real &= (seen[i].cr0 & 0x80000011u) == 0x10u;
        gprintf("AP entry %u: CS 0x%x IP 0x%x CR0 0x%x\n", i, seen[i].cs, seen[i].ip, seen[i].cr0);
    }
    check("aps-started-at-sipi-vector", at_vector, "CS:IP other than 0x%x:0x%x",
          TRAMP_VECTOR << 8, ip);
    check("aps-started-in-real-mode", real, "CR0 with PE or PG set, or ET clear, at the start");
    bool ids = true, bases = true;
    for (uint32_t i = 1; i <= aps; i++) {
        bool found = false;
        for (uint32_t k = 0; k < aps && k < AP_SLOTS; k++)
            found |= reports[k].apic_id == bi->apic_ids[i];
        ids &= found;
    }
    for (uint32_t k = 0; k < aps && k < AP_SLOTS; k++)
        bases &= reports[k].apic_base == APIC_BASE_EXPECTED;
    check("aps-report-own-apic-ids", ids, "an AP's APIC id is missing");
    check("aps-apic-base-no-bsp", bases, "AP APIC base 0x%lx", reports[0].apic_base);
    return 0;
}
