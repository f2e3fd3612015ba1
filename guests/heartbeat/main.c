/* heartbeat: the neighbour of an attack. Its own LAPIC timer beats at a fixed rate (TSC
 * deadline where the CPU has it, else the timer's periodic mode); every beat is one HC_PING
 * answered by the hypervisor, every `print=` beats a console line "hb N", so the log shows the
 * beats between the attacker's "begin" and "end" lines. When `duration-ms=` of its TSC have
 * gone by (time the attack's length is known in, on every emulator, unlike the timer's rate,
 * which a periodic timer calibrated under a loaded host gets only roughly) it reports the
 * beats, the pings answered and the largest gap between two beats (reported, not judged: an
 * emulator's clock follows the host), and passes when the beats kept coming to the end (the
 * last one in the final tenth of the run) and every ping was answered; a second check says no
 * interrupt or NMI reached it on any other vector (an attacker's IPI that got through). The
 * duration must outlast the attack: if it does not, the case's order checks fail (never a
 * false pass).
 * Command line: duration-ms=N (default 5000) period-us=N (default 10000) print=N (default 5). */
#include "guest.h"

#define VEC_BEAT 0x40
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EOI 0x80b
#define MSR_LVT_TIMER 0x832
#define MSR_TIMER_INIT 0x838
#define MSR_TIMER_DIV 0x83e
#define TIMER_DIV_1 0xb
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static volatile uint64_t beats, last_tsc, max_gap, period_tsc;
static bool deadline_mode;
static volatile uint64_t stray, stray_last;  /* interrupts on any other vector */

static void on_stray(uint8_t v, uint64_t e) { (void)e; stray++; stray_last = v; wrmsr(MSR_EOI, 0); }

static void on_beat(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    uint64_t now = rdtsc();
    if (beats && now - last_tsc > max_gap)
        max_gap = now - last_tsc;
    last_tsc = now;
    beats++;
    if (deadline_mode)
        wrmsr(MSR_TSC_DEADLINE, now + period_tsc);
    wrmsr(MSR_EOI, 0);
}

int guest_main(const struct exitless_boot_info *bi)
{
    const char *c = bi->cmdline;
    uint64_t duration_ms = guest_word_number(c, "duration-ms=", 5000);
    uint64_t period_us = guest_word_number(c, "period-us=", 10000);
    uint64_t print = guest_word_number(c, "print=", 5);
    uint64_t tsc_khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    if (!tsc_khz || !duration_ms || !period_us || !print) {
        check("heartbeat-setup", false, "TSC %lu kHz, %lu ms, period %lu us, print %lu", tsc_khz,
              duration_ms, period_us, print);
        return 1;
    }
    period_tsc = tsc_khz * period_us / 1000;
    for (int v = 0x20; v <= 0xff; v++)
        guest_set_handler((uint8_t)v, on_stray);
    guest_set_handler(2, on_stray);   /* an NMI that reached the guest */
    guest_set_handler(VEC_BEAT, on_beat);
    deadline_mode = cpuid(1, 0).c & CPUID1_ECX_TSC_DEADLINE;
    if (deadline_mode) {
        wrmsr(MSR_LVT_TIMER, LVT_TSC_DEADLINE | VEC_BEAT);
        wrmsr(MSR_TSC_DEADLINE, rdtsc() + period_tsc);
    } else {
        /* The timer's own clock is unknown: count its ticks against the TSC for one
         * period's worth of TSC, then program that count as the period. */
        wrmsr(MSR_TIMER_DIV, TIMER_DIV_1);
        wrmsr(MSR_LVT_TIMER, 1u << 16);
        wrmsr(MSR_TIMER_INIT, 0xffffffffu);
        uint64_t t0 = rdtsc();
        while (rdtsc() - t0 < 5 * period_tsc)
            __asm__ volatile("pause");
        uint64_t ticks = (0xffffffffull - rdmsr(0x839)) / 5;
        wrmsr(MSR_LVT_TIMER, LVT_PERIODIC | VEC_BEAT);
        wrmsr(MSR_TIMER_INIT, ticks ? ticks : 1);
    }
    gprintf("heartbeat: %lu ms of beats every %lu us (%s), a line every %lu\n", duration_ms, period_us,
            deadline_mode ? "TSC deadline" : "periodic LAPIC timer", print);
    uint64_t pings_ok = 0, seen = 0, first_tsc = rdtsc(), end = first_tsc + tsc_khz * duration_ms;
    __asm__ volatile("sti");
    while (rdtsc() < end) {
        /* Halted between beats (an emulator runs the other cores faster for it); a beat that
         * never comes leaves the guest here, and the case without its PASS line. */
        __asm__ volatile("cli");
        while (atomic_load(&beats) == seen)
            __asm__ volatile("sti; hlt; cli");
        __asm__ volatile("sti");
        seen++;
        pings_ok += hypercall(HC_PING, 0, 0, 0) == 0;
        if (seen % print == 0)
            gprintf("hb %lu\n", seen);
    }
    __asm__ volatile("cli");
    wrmsr(MSR_LVT_TIMER, 1u << 16);
    uint64_t span = rdtsc() - first_tsc;
    uint64_t last_at = last_tsc - first_tsc;
    gprintf("heartbeat: %lu beats, %lu pings answered, largest gap %lu us (period %lu us), "
            "%lu ms in all, the last at %lu ms\n", seen, pings_ok, max_gap * 1000 / tsc_khz,
            period_us, span / tsc_khz, last_at / tsc_khz);
    check("no-stray-interrupts", stray == 0, "%lu interrupts on other vectors (last %lu)", stray, stray_last);
    return check("beats", seen > 0 && pings_ok == seen && last_at * 10 >= span * 9,
                 "%lu beats, %lu pings answered, the last at %lu of %lu ms", seen, pings_ok,
                 last_at / tsc_khz, span / tsc_khz) ? 0 : 1;
}
