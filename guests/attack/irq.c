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
    uint64_t sent = 0, uncounted = 0, first_uncounted = 0;
    int faults = 0;
    stats(&b);
    uint64_t denied0 = b.denied_apic_writes;
    for (uint32_t id = 0; id <= 16; id++) {
        if (id < 16 && own_apic(id))
            continue;
        /* id 16: the x2APIC broadcast destination 0xffffffff. */
        uint64_t dest = id < 16 ? (uint64_t)id << 32 : 0xffffffffull << 32;
        for (unsigned i = 0; i < nm; i++, sent++) {
            stats(&a);
            faults += probe_wrmsr(X2APIC_ICR, dest | modes[i]) != 0;
            stats(&b);
            if (b.denied_apic_writes == a.denied_apic_writes && !uncounted++)
                first_uncounted = dest | modes[i];
        }
    }
    for (unsigned i = 0; i < nb; i++, sent++) {
        stats(&a);
        faults += probe_wrmsr(X2APIC_ICR, all_but_self[i]) != 0;
        stats(&b);
        if (b.denied_apic_writes == a.denied_apic_writes && !uncounted++)
            first_uncounted = all_but_self[i];
    }
    gprintf("attack: ipis: %lu IPIs at other cores, %lu not counted as refused (first ICR 0x%lx)\n",
            sent, uncounted, first_uncounted);
    uint64_t denied = b.denied_apic_writes - denied0;
    check("ipis-foreign-refused", faults == 0 && denied == sent,
          "%d faults, %lu of %lu foreign IPIs refused", faults, denied, sent);
    /* All including self: at most its own core may see it. */
    uint64_t own0 = irq_count[VEC_OWN];
    stats(&a);
    faults = probe_wrmsr(X2APIC_ICR, (2u << 18) | VEC_OWN) != 0;
    guest_wait_count(&irq_count[VEC_OWN], own0 + 1, 50000000);
    stats(&b);
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
