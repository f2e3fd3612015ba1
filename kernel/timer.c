/* Per-CPU deadline timer on LAPIC TSC-deadline mode or one-shot mode (SDM vol. 3, 11.5.4). */
#include "kernel/arch.h"
#include "kernel/cpuinfo.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"
#include "kernel/vectors.h"

#define CALIBRATE_US 10000
#define LAPIC_COUNT_MAX 0xffffffffu
#define LAPIC_TIMER_DIVISOR 16 /* LAPIC_DIVIDE_BY_16 */

static enum timer_mode default_mode;
static uint64_t lapic_timer_hz; /* after the divider */

enum timer_mode timer_mode(void) { return this_cpu()->timer_mode; }
uint64_t timer_lapic_hz(void) { return lapic_timer_hz; }

static void timer_interrupt(struct trap_frame *f)
{
    (void)f;
    struct percpu *c = this_cpu();
    timer_fn fn = c->timer_fn;
    void *arg = c->timer_arg;
    c->timer_fn = 0;
    lapic_eoi();
    if (fn)
        fn(arg);
}

static void program_lvt(enum timer_mode mode)
{
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | (mode == TIMER_TSC_DEADLINE
                                                  ? LAPIC_TIMER_TSC_DEADLINE
                                                  : LAPIC_TIMER_ONESHOT));
    /* The LVT write must be ordered before the first IA32_TSC_DEADLINE write (SDM 11.5.4.1). */
    __asm__ volatile("mfence" ::: "memory");
}

bool timer_set_mode(enum timer_mode mode)
{
    if (mode == TIMER_TSC_DEADLINE && !cpu_features()->tsc_deadline)
        return false;
    timer_cancel();
    this_cpu()->timer_mode = mode;
    lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_BY_16);
    program_lvt(mode);
    return true;
}

void timer_setup(void)
{
    /* Calibrate the one-shot count against the TSC (the LAPIC clock is the bus/crystal clock). */
    lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INITIAL, LAPIC_COUNT_MAX);
    uint64_t t0 = rdtsc();
    udelay(CALIBRATE_US);
    uint32_t left = lapic_read(LAPIC_TIMER_CURRENT);
    uint64_t t1 = rdtsc();
    lapic_write(LAPIC_TIMER_INITIAL, 0);
    lapic_timer_hz = mul_div_u64(LAPIC_COUNT_MAX - left, tsc_hz(), t1 - t0);
    default_mode = cpu_features()->tsc_deadline ? TIMER_TSC_DEADLINE : TIMER_ONESHOT;
    irq_register(VEC_TIMER, timer_interrupt);
    log_info("time", "hypervisor timer: %s on vector %#x; LAPIC timer %lu Hz after divide-by-%u",
             default_mode == TIMER_TSC_DEADLINE ? "TSC-deadline" : "LAPIC one-shot (no TSC-deadline)",
             VEC_TIMER, lapic_timer_hz, LAPIC_TIMER_DIVISOR);
    timer_set_mode(default_mode);
}

void timer_init_cpu(void)
{
    timer_set_mode(default_mode);
}

void timer_arm(uint64_t deadline_tsc, timer_fn fn, void *arg)
{
    struct percpu *c = this_cpu();
    uint64_t flags = read_rflags();
    irq_disable();
    c->timer_fn = fn;
    c->timer_arg = arg;
    if (c->timer_mode == TIMER_TSC_DEADLINE) {
        wrmsr(MSR_TSC_DEADLINE, deadline_tsc ? deadline_tsc : 1); /* 0 would disarm */
    } else {
        uint64_t now = rdtsc();
        uint64_t cycles = deadline_tsc > now ? deadline_tsc - now : 0;
        uint64_t count = mul_div_u64(cycles, lapic_timer_hz, tsc_hz()) + 1;
        lapic_write(LAPIC_TIMER_INITIAL, count > LAPIC_COUNT_MAX ? LAPIC_COUNT_MAX
                                                                 : (uint32_t)count);
    }
    if (flags & RFLAGS_IF)
        irq_enable();
}

void timer_cancel(void)
{
    struct percpu *c = this_cpu();
    c->timer_fn = 0;
    if (c->timer_mode == TIMER_TSC_DEADLINE && cpu_features()->tsc_deadline)
        wrmsr(MSR_TSC_DEADLINE, 0);
    else
        lapic_write(LAPIC_TIMER_INITIAL, 0);
}
