/* Self-checks of the platform layer: every CPU online, cross-calls, IPIs, TSC, timer. */
#ifndef EXITLESS_KERNEL_SMPTEST_H
#define EXITLESS_KERNEL_SMPTEST_H

#include <stdbool.h>

#include "kernel/mb2.h"

/* Prints one PASS/FAIL line per check; true when all passed. */
bool smptest_run(const struct boot_info *bi);

#endif
