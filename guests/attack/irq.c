/* attack: interrupts. IPIs at every core that is not the guest's (fixed, NMI, SMI, INIT,
 * STARTUP, lowest priority, logical), the broadcast shorthands; then its own LAPIC set to
 * mask everything (LVTs on exception vectors, spurious vector in the exception range with
 * the APIC software-disabled, TPR and CR8 at 15), its IDT moved to a copy the hypervisor
 * never saw, interrupts off and a spin that never ends: the hypervisor must still stop it
 * (by its time_limit, through an NMI or the preemption timer, which no guest setting holds). */
#include "attack.h"

static uint8_t idt_copy[4096] __attribute__((aligned(4096)));
static struct hc_exit_stats a, b;

static bool own_apic(uint32_t id)
{
    for (uint32_t i = 0; i < bi->nvcpus && i < EXITLESS_BOOT_MAX_CPUS; i++)
        if (bi->apic_ids[i] == id)
            return true;
    return false;
}

void irq_ipis(void)
{
    phase_begin("ipis");
    __asm__ volatile("sti");
    static const uint64_t modes[] = {
        VEC_FOREIGN,                /* fixed */
        0x0100 | VEC_FOREIGN,       /* lowest priority */
        0x0200,                     /* SMI */
        0x0400,                     /* NMI */
        0x4500,                     /* INIT assert */
        0x8500,                     /* INIT level de-assert */
        0x4600 | 0x08,              /* STARTUP at 0x8000 */
        0x0800 | VEC_FOREIGN,       /* fixed, logical */
        0x0c00 | 0x4600,            /* STARTUP, logical */
    };
    static const uint64_t all_but_self[] = {
        (3u << 18) | VEC_FOREIGN, (3u << 18) | 0x0400, (3u << 18) | 0x4500, (3u << 18) | 0x4608,
        (3u << 18) | 0x0200,
    };
    unsigned nm = sizeof(modes) / sizeof(modes[0]), nb = sizeof(all_but_self) / sizeof(all_but_self[0]);
    /* Each must be refused (and counted), except two forms the architecture gives no effect
     * here: INIT level de-assert (ignored since the Pentium 4) and a fixed IPI to all but
     * itself, which reaches only the guest's own other cores (none: it has one). Whether
     * any reached a foreign core the neighbour's stray-interrupt check says. */
    uint64_t sent = 0, wrong = 0, first_wrong = 0, refused = 0;
    int faults = 0;
    for (uint32_t id = 0; id <= 16 + nb; id++) {
        if (id < 16 && own_apic(id))
            continue;
        /* id 16: the x2APIC broadcast destination 0xffffffff; then the shorthands. */
        uint64_t dest = id < 16 ? (uint64_t)id << 32 : 0xffffffffull << 32;
        for (unsigned i = 0; i < (id <= 16 ? nm : 1); i++, sent++) {
            uint64_t icr = id <= 16 ? dest | modes[i] : all_but_self[id - 17];
            bool no_effect = icr == (dest | 0x8500) || icr == ((3u << 18) | VEC_FOREIGN);
            guest_exit_stats(&a);
            faults += probe_wrmsr(X2APIC_ICR, icr) != 0;
            guest_exit_stats(&b);
            bool counted = b.denied_apic_writes != a.denied_apic_writes;
            refused += counted;
            if (counted == no_effect && !wrong++)
                first_wrong = icr;
        }
    }
    gprintf("attack: ipis: %lu IPIs at other cores: %lu refused, %lu not as expected (first ICR 0x%lx)\n",
            sent, refused, wrong, first_wrong);
    check("ipis-foreign-refused", faults == 0 && wrong == 0,
          "%d faults, %lu of %lu not as expected (first ICR 0x%lx)", faults, wrong, sent, first_wrong);
    /* All including self: at most its own core may see it. */
    uint64_t own0 = irq_count[VEC_OWN];
    guest_exit_stats(&a);
    faults = probe_wrmsr(X2APIC_ICR, (2u << 18) | VEC_OWN) != 0;
    guest_wait_count(&irq_count[VEC_OWN], own0 + 1, 50000000);
    guest_exit_stats(&b);
    gprintf("attack: ipis: all-including-self: %lu refused, %lu arrived here\n",
            b.denied_apic_writes - a.denied_apic_writes, irq_count[VEC_OWN] - own0);
    /* A self IPI still works: the guest's own interrupts are its own. */
    own0 = irq_count[VEC_OWN];
    probe_wrmsr(X2APIC_ICR, (1u << 18) | VEC_OWN);
    check("ipis-self-still-delivered", faults == 0 && guest_wait_count(&irq_count[VEC_OWN], own0 + 1, 400000000),
          "the self IPI did not arrive");
    phase_end("ipis");
}

void irq_lapic(void)
{
    phase_begin("lapic");
    static const struct { const char *what; uint32_t msr; uint64_t v; } w[] = {
        { "LVT timer: vector 0x0d, periodic, unmasked", X2APIC_LVT_TIMER, (1u << 17) | 0x0d },
        { "timer initial count 1", X2APIC_TIMER_INIT, 1 },
        { "LINT0: NMI", X2APIC_LVT_LINT0, 0x400 },
        { "LINT0: ExtINT", X2APIC_LVT_LINT0, 0x700 },
        { "LVT error: vector 2", X2APIC_LVT_ERROR, 0x02 },
        { "TPR 0xff", X2APIC_TPR, 0xff },
        { "spurious vector 0x0f, APIC software-disabled", X2APIC_SVR, 0x0f },
        { "spurious vector 0xff, APIC software-disabled", X2APIC_SVR, 0xff },
    };
    for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        int rc = probe_wrmsr(w[i].msr, w[i].v);
        uint64_t back = 0;
        int rrc = probe_rdmsr(w[i].msr, &back);
        gprintf("attack: lapic: %s: write vector %d, reads back 0x%lx (vector %d)\n", w[i].what, rc,
                back, rrc);
    }
    /* What the hypervisor set up stays: its timer vector, LINT0 masked, its error vector,
     * the APIC software-enabled (the guest's writes are dropped, or refused and counted). */
    uint64_t timer = 0, lint0 = 0, err = 0, svr = 0;
    probe_rdmsr(X2APIC_LVT_TIMER, &timer);
    probe_rdmsr(X2APIC_LVT_LINT0, &lint0);
    probe_rdmsr(X2APIC_LVT_ERROR, &err);
    probe_rdmsr(X2APIC_SVR, &svr);
    check("lapic-hypervisor-settings-kept",
          (timer & 0xff) != 0x0d && (lint0 & (1u << 16)) && (err & 0xff) != 0x02 && (svr & (1u << 8)) &&
              (svr & 0xff) != 0x0f,
          "LVT timer 0x%lx, LINT0 0x%lx, LVT error 0x%lx, SVR 0x%lx", timer, lint0, err, svr);
    __asm__ volatile("mov %0, %%cr8" ::"r"(15ull));
    phase_end("lapic");
}

void irq_spin(void)
{
    __builtin_memcpy(idt_copy, guest_idt(), sizeof(idt_copy));
    guest_load_idt_limit(idt_copy, sizeof(idt_copy) - 1);
    gprintf("attack: spin: IDT copy at 0x%lx loaded, interrupts off, spinning for ever\n",
            (uint64_t)idt_copy);
    __asm__ volatile("cli; 1: pause; jmp 1b");
    __builtin_unreachable();
}
