/* Restart soak, in the test build only (build/exitless-test.elf): with the command-line word
 * `soak`, every restart of a guest (its manifest's on_fault = "restart") ends with a resource
 * census (vmm/census.h) that must equal the first restart's, count for count; after the
 * guest's last restart the hypervisor prints `PASS: soak-census-stable (N cycles: ...)`, or
 * `FAIL: soak-census-stable: ...` at the first cycle that differs. `soak-leak` is the control:
 * each restart keeps one frame it never frees, and the soak must find that leak
 * (`PASS: soak-leak-found (cycle N: ...)`). Production builds refuse both words. */
#ifndef EXITLESS_SELFTEST_SOAK_H
#define EXITLESS_SELFTEST_SOAK_H

#include <stdbool.h>

/* True when the command line asks for the soak (every build, so production can refuse it). */
bool soak_requested(const char *cmdline);
/* Arms the soak before the guests start. Weak: NULL in production builds. */
void soak_arm(const char *cmdline) __attribute__((weak));

#endif
