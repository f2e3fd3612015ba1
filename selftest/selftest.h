/* Boot-time self-checks of the kernel core (command-line word `selftest`). */
#ifndef EXITLESS_KERNEL_SELFTEST_H
#define EXITLESS_KERNEL_SELFTEST_H

#include <stdbool.h>

#include "kernel/mb2.h"

/* Runs every check, printing `PASS: name` / `FAIL: name: why`; true when all passed. */
bool selftest_run(const struct boot_info *bi);

/* Prints one result line; returns ok. */
bool test_report(const char *name, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
