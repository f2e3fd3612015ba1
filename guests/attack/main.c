/* attack: a guest that tries every way out of its partition it can reach from one vCPU and
 * reports what the hypervisor did; the words of its command line choose the attacks, run in
 * this order (each between "attack: NAME: begin" and "attack: NAME: end" lines):
 *   reads        loads from every guest-physical region it does not own (memory.c)
 *   ports msrs cpuid xsetbv virt   the CPU's privileged interfaces (cpu.c)
 *   ipis         IPIs, shorthands, NMI, INIT, SIPI at other cores (irq.c)
 *   hcfuzz=N     N hypercalls with random numbers, arguments and pointers (hcfuzz.c)
 *   writes       one store outside its memory per run: run k (CPUID 0x40000001 EDX, the
 *                restart count) stores into region k; the hypervisor stops it and the manifest
 *                restarts it, until the regions are done (memory.c)
 *   triple       a triple fault (the run after the last write)
 *   idtalias     write its (shadowed) IDT through page-table aliases, and walk it as a page
 *                table (idt.c; an exitless guest)
 *   lapic spin   reprogram its LAPIC to mask everything, load an unshadowed IDT copy, spin
 *                with interrupts off for ever: only the manifest's time_limit stops it (irq.c)
 * The first run does the non-fatal attacks (after start-ms=, default 0); later runs only
 * their fatal one. */
#include "attack.h"

const struct exitless_boot_info *bi;
volatile uint64_t irq_count[256];
static uint64_t phase_tsc, tsc_khz;

static void on_irq(uint8_t v, uint64_t e) { (void)e; irq_count[v]++; wrmsr(X2APIC_EOI, 0); }

void phase_begin(const char *name)
{
    gprintf("attack: %s: begin\n", name);
    phase_tsc = rdtsc();
}

void phase_end(const char *name)
{
    uint64_t min = tsc_khz * guest_word_number(bi->cmdline, "min-ms=", 200);
    while (rdtsc() - phase_tsc < min)
        __asm__ volatile("pause");
    gprintf("attack: %s: end\n", name);
}

int guest_main(const struct exitless_boot_info *boot)
{
    bi = boot;
    const char *c = bi->cmdline;
    tsc_khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    unsigned run = cpuid(HC_CPUID_LEAF_BASE + 1, 0).d;
    for (int v = 0x20; v <= 0xff; v++)
        guest_set_handler((uint8_t)v, on_irq);
    gprintf("attack: run %u, command line \"%s\"\n", run, c);
    if (run == 0) {
        /* start-ms=: time for the neighbour to start beating before the first attack. */
        for (uint64_t t0 = rdtsc(), w = tsc_khz * guest_word_number(c, "start-ms=", 0); rdtsc() - t0 < w;)
            __asm__ volatile("pause");
        if (guest_has_word(c, "reads"))
            memory_reads();
        if (guest_has_word(c, "ports"))
            cpu_ports();
        if (guest_has_word(c, "msrs"))
            cpu_msrs();
        if (guest_has_word(c, "cpuid"))
            cpu_cpuid();
        if (guest_has_word(c, "xsetbv"))
            cpu_xsetbv();
        if (guest_has_word(c, "virt"))
            cpu_virt_insns();
        if (guest_has_word(c, "ipis"))
            irq_ipis();
        if (guest_has_word(c, "hcfuzz="))
            hc_fuzz(guest_word_number(c, "hcfuzz=", 0));
        if (guest_has_word(c, "idtalias"))
            idt_alias();
        if (guest_has_word(c, "lapic"))
            irq_lapic();
        if (guest_has_word(c, "spin"))
            irq_spin();
    }
    unsigned writes = guest_has_word(c, "writes") ? memory_writes() : 0;
    if (run < writes)
        memory_write(run);
    if (guest_has_word(c, "triple") && run == writes) {
        gprintf("attack: triple: an exception with an empty IDT\n");
        guest_triple_fault();
        check("triple-fault-stopped", false, "still running after a triple fault");
        return 1;
    }
    check("hypervisor-still-answers", hypercall(HC_PING, 0, 0, 0) == 0, "HC_PING failed");
    return 0;
}
