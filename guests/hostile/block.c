/* hostile: blockers that never give their core back, and the neighbour's heartbeat. */
#include "hostile.h"

static volatile uint64_t swallowed;
static void swallow(uint8_t v, uint64_t e) { (void)v; (void)e; swallowed++; }

__attribute__((noreturn)) void block(void)
{
    const char *c = bi->cmdline;
    if (guest_has_word(c, "block-cli")) {
        gprintf("block-cli: interrupts off, spinning for ever\n");
        __asm__ volatile("cli; 1: jmp 1b");
    } else if (guest_has_word(c, "block-cr8")) {
        gprintf("block-cr8: CR8 = 15, interrupts on, spinning for ever\n");
        __asm__ volatile("mov %0, %%cr8; sti; 1: jmp 1b" ::"r"(15ull));
    } else if (guest_has_word(c, "block-idt-limit=")) {
        uint64_t vectors = guest_word_number(c, "block-idt-limit=", 0);
        gprintf("block-idt-limit: IDT limit 0x%lx (vectors from 0x%lx on raise #GP), interrupts on, "
                "spinning for ever\n", vectors * 16 - 1, vectors);
        guest_set_handler(VEC_GP, swallow);  /* a hostile guest's #GP handler: return */
        guest_load_idt_limit(guest_idt(), (uint16_t)(vectors * 16 - 1));
        /* The hypervisor's request to this core comes by NMI, which no IDT limit holds: its
         * cross-call runs, the request is done, and the guest's #GP handler never runs. */
        __asm__ volatile("sti");
        int done = notify_hv_ipi();
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

int neighbour(void)
{
    uint64_t rounds = guest_word_number(bi->cmdline, "rounds=", 0);
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
