/* What the hypervisor runs on (real machine, QEMU, Bochs) and how a run ends there. */
#ifndef EXITLESS_KERNEL_PLATFORM_H
#define EXITLESS_KERNEL_PLATFORM_H

#include <stdbool.h>

enum platform_kind {
    PLATFORM_HARDWARE,  /* or any machine we cannot identify */
    PLATFORM_QEMU,
    PLATFORM_BOCHS,
};

enum platform_kind platform_detect(void);
enum platform_kind platform_kind(void);
const char *platform_name(void);

enum end_action { END_HALT, END_REBOOT, END_POWEROFF };

/* Ends the run. END_HALT under an emulator with an exit device (QEMU isa-debug-exit, Bochs
 * magic break / shutdown port): the emulator's exit status carries `success`. Otherwise the
 * action is carried out: halt, reset (FADT reset register, 0xCF9, 8042) or power-off (ACPI S5
 * with the DSDT's \_S5 sleep types). Flushes the console first. */
__attribute__((noreturn)) void platform_end(enum end_action action, bool success);

#endif
