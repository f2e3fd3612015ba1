/* hostile: every x2APIC register a guest may write, each bit set in turn. */
#include "hostile.h"

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


void x2apic_phase(void)
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
    guest_exit_stats(&s0);
    for (int bit = 32; bit < 64; bit++) {
        uint64_t val = base | (1ull << bit);
        if (!own_apic((uint32_t)(val >> 32)))
            foreign++;
        faults += probe_wrmsr(X2APIC_ICR, val) != 0;
    }
    guest_exit_stats(&s1);
    uint64_t denied = s1.denied_apic_writes - s0.denied_apic_writes;
    check("x2apic-ICR-foreign-destinations-denied", faults == 0 && denied == foreign,
          "%d faults, %lu of %lu foreign destinations counted as denied", faults, denied, foreign);
    /* Every delivery mode but fixed, and INIT/STARTUP, logical and broadcast forms, at a core
     * that is not the guest's: refused (counted), no fault. */
    uint32_t other = 0;
    while (own_apic(other))
        other++;
    static const uint64_t special[] = {
        0x0400,                     /* NMI */
        0x0200,                     /* SMI */
        0x0100 | VEC_MAIN,          /* lowest priority */
        0x4500,                     /* INIT */
        0x4608,                     /* STARTUP */
        0x0800 | VEC_MAIN,          /* fixed, logical destination */
        0x4d00,                     /* INIT, logical */
    };
    static const uint64_t broadcast[] = {
        0x0400 | (3u << 18),        /* NMI to all but self */
        0x4500 | (3u << 18),        /* INIT to all but self */
        0x4608 | (2u << 18),        /* STARTUP to all */
        0x0200 | (2u << 18),        /* SMI to all */
    };
    unsigned n = sizeof(special) / sizeof(special[0]), nb = sizeof(broadcast) / sizeof(broadcast[0]);
    faults = 0;
    guest_exit_stats(&s0);
    for (unsigned i = 0; i < n; i++)
        faults += probe_wrmsr(X2APIC_ICR, ((uint64_t)other << 32) | special[i]) != 0;
    for (unsigned i = 0; i < nb; i++)
        faults += probe_wrmsr(X2APIC_ICR, broadcast[i]) != 0;
    guest_exit_stats(&s1);
    denied = s1.denied_apic_writes - s0.denied_apic_writes;
    check("x2apic-foreign-special-modes-denied", faults == 0 && denied == n + nb,
          "APIC id %u: %d faults, %lu of %u refused", other, faults, denied, n + nb);
    guest_wait_count(&vec_count[VEC_MAIN], 1, SPINS);
    check("x2apic-self-ipis-arrive", vec_count[VEC_MAIN] >= 1, "none of the base writes' IPIs arrived");
    gprintf("x2apic: interrupts seen on 0x%x: %lu, on other vectors: %lu\n", VEC_MAIN,
            vec_count[VEC_MAIN], others_than(VEC_MAIN, VEC_MAIN));
    probe_wrmsr(X2APIC_TPR, 0);
}
