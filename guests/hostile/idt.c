/* hostile (exitless): attacks on the shadowed IDT from two vCPUs, and the checks that the
 * shadow still stands after each. */
#include "hostile.h"

/* Three pages: the IDT from 0x800 below the page boundary up to 0x800 above it, then room. */
uint8_t idt_area[3 * PAGE] __attribute__((aligned(PAGE)));
static uint8_t idt_other[PAGE] __attribute__((aligned(PAGE)));

__asm__(".text\n.globl hostile_int_on_stack\nhostile_int_on_stack:\n"
        "    mov %rsp, %rax\n    mov %rdi, %rsp\n    int $0x47\n    mov %rax, %rsp\n    ret\n");

static volatile uint64_t step_handler_runs;
volatile bool step_spins;
void on_step(uint8_t v, uint64_t e)
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

void self_ipi(uint8_t vec) { wrmsr(X2APIC_SELF_IPI, vec); }

/* The shadow still stands: IDT writes exit, the hypervisor's IPI goes around the guest,
 * the guest's own rewritten gate is the one its vector uses. */
static void shadow_checks(const char *after)
{
    char name[64];
    uint8_t *idt = IDT_SPLIT;
    uint64_t alt0 = vec_count[VEC_GATE_ALT], gate0 = vec_count[VEC_GATE];
    guest_exit_stats(&s0);
    guest_set_gate(idt, VEC_GATE, guest_isr_stub(VEC_GATE_ALT), true);
    guest_exit_stats(&s1);
    uint64_t ept = s1.exits[EXIT_EPT_VIOLATION] - s0.exits[EXIT_EPT_VIOLATION];
    gsnprintf(name, sizeof(name), "idt-write-exits-after-%s", after);
    check(name, ept >= 1, "a gate write to the IDT page: %lu EPT-violation exits", ept);

    /* The hypervisor's request (an NMI: the guest owns every fixed vector on its cores) runs
     * in the hypervisor and reaches none of the guest's handlers. */
    uint64_t foreign0 = 0;
    for (int v = 0x20; v < 256; v++)
        foreign0 += vec_count[v];
    int done = notify_hv_ipi();
    uint64_t foreign = 0;
    for (int v = 0x20; v < 256; v++)
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

void idt_phase(void)
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
