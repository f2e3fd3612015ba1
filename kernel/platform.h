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

/* Ends the run. Under an emulator with an exit device (QEMU isa-debug-exit, Bochs
 * magic break / shutdown port) the emulator's exit status carries `success`; elsewhere the
 * action is carried out (halt, reset, power-off). Flushes the console first. */
__attribute__((noreturn)) void platform_end(enum end_action action, bool success);

#endif
