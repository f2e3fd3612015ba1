/* Bring-up of every enabled MADT processor (INIT-SIPI-SIPI) and the idle loop of the cores. */
#ifndef EXITLESS_KERNEL_SMP_H
#define EXITLESS_KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* Boot CPU, after LAPIC and TSC: starts every enabled MADT processor, one at a time; a core
 * that does not check in within the timeout is reported and left out. Returns CPUs online. */
uint32_t smp_boot_aps(void);
/* Boot CPU's own check-in line (the APs print theirs when they start). */
void smp_checkin_bsp(void);
/* Panic path: stops every other CPU with an NMI (they halt in the NMI handler). */
void smp_stop_others(void);
/* NMI hook (trap.c): halts during a panic stop, counts NMIs a self-check announced, takes
 * kicks; an NMI nobody sent is counted and ignored. */
bool smp_handle_nmi(void);
/* Management CPU: logs the NMIs nobody sent, per CPU, since the last call. */
void smp_report_unknown_nmis(void);
/* Sends `cpu` a kick NMI: it leaves guest mode (NMIs always exit) or wakes from HLT, and
 * looks at why. Safe from any context; the target must not be the caller. */
void smp_kick_nmi(uint32_t cpu);
/* Gives an idle CPU its role: fn(arg) runs in that CPU's idle loop (not in interrupt
 * context) until it returns. Returns 0, or -1 when the CPU is offline or already has one. */
int smp_assign_role(uint32_t cpu, void (*fn)(void *arg), void *arg);

/* The low-power wait every core sits in until it gets a role. */
__attribute__((noreturn)) void cpu_idle_loop(void);

#endif
