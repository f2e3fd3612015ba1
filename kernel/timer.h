/* The hypervisor's per-CPU timer: one deadline per CPU on the TSC-deadline MSR, or the LAPIC
 * one-shot count where the CPU lacks TSC-deadline mode. */
#ifndef EXITLESS_KERNEL_TIMER_H
#define EXITLESS_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*timer_fn)(void *arg);

enum timer_mode { TIMER_TSC_DEADLINE, TIMER_ONESHOT };

/* Boot CPU: picks the mode, calibrates the LAPIC timer against the TSC, registers VEC_TIMER. */
void timer_setup(void);
/* Every other CPU, after its LAPIC is on: the boot CPU's mode on this CPU. */
void timer_init_cpu(void);
/* Arms this CPU's timer: fn(arg) runs in interrupt context once the TSC reaches
 * `deadline_tsc` (at once if it already has). Replaces a pending deadline. */
void timer_arm(uint64_t deadline_tsc, timer_fn fn, void *arg);
void timer_cancel(void);
enum timer_mode timer_mode(void);
/* Self-checks: switch this CPU's mode (ONESHOT works everywhere, DEADLINE needs CPUID). */
bool timer_set_mode(enum timer_mode mode);
uint64_t timer_lapic_hz(void);

#endif
