/* panic(): the one way a hypervisor bug stops the machine, loudly. */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

static volatile int panicking;

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
        cpu_halt_forever(); /* a second CPU (or a nested fault) panicking: just stop */
    smp_stop_others();      /* NMI: the other CPUs halt, so the panic report is the last word */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    console_force_unlock();
    backtrace_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
    log_err("panic", "PANIC on cpu%u: %s", current_cpu_id(), msg);
    console_write("PANIC: ", 7);
    console_write(msg, __builtin_strlen(msg));
    console_write("\nRESULT: FAIL\n", 14);
    platform_end(END_HALT, false);
}
