/* Platform identification and the end of a run (exit devices of QEMU and Bochs). */
#include <string.h>

#include "drivers/uart/uart16550.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/platform.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define FW_CFG_PORT_SEL   0x510
#define FW_CFG_PORT_DATA  0x511
#define FW_CFG_SIGNATURE  0x0000
#define QEMU_DEBUG_EXIT_PORT 0x501 /* -device isa-debug-exit,iobase=0x501 */
#define BOCHS_E9_PORT     0xe9     /* port_e9_hack reads back 0xe9 */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define KBC_CMD_PORT      0x64
#define KBC_CMD_RESET     0xfe      /* 8042 command: pulse the CPU reset line */
#define RST_CNT_PORT      0xcf9     /* PCH/PIIX reset control register */
#define  RST_CNT_SYS_RST  0x02      /* full (not soft) reset */
#define  RST_CNT_RST_CPU  0x04      /* the 0->1 edge triggers the reset */
#define RESET_SETTLE_LOOPS 1000000

static enum platform_kind kind;

static bool qemu_fw_cfg_present(void)
{
    char sig[4];
    outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
    for (int i = 0; i < 4; i++)
        sig[i] = (char)inb(FW_CFG_PORT_DATA);
    return memcmp(sig, "QEMU", 4) == 0;
}

enum platform_kind platform_detect(void)
{
    /* QEMU (TCG or KVM) sets the hypervisor bit and has fw_cfg; Bochs sets neither but
     * answers on its debug port when port_e9_hack is on (our bochsrc turns it on). */
    if ((cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR) && qemu_fw_cfg_present())
        kind = PLATFORM_QEMU;
    else if (inb(BOCHS_E9_PORT) == BOCHS_E9_PORT)
        kind = PLATFORM_BOCHS;
    else
        kind = PLATFORM_HARDWARE;
    return kind;
}

enum platform_kind platform_kind(void) { return kind; }

const char *platform_name(void)
{
    static const char *const names[] = {
        [PLATFORM_HARDWARE] = "hardware", [PLATFORM_QEMU] = "QEMU", [PLATFORM_BOCHS] = "Bochs",
    };
    return names[kind];
}

static void settle(void)
{
    for (int i = 0; i < RESET_SETTLE_LOOPS; i++)
        cpu_relax();
}

/* FADT reset register first, then the 0xCF9 reset control, then the keyboard controller. */
static void reboot(void)
{
    acpi_reset();
    settle();
    outb(RST_CNT_PORT, RST_CNT_SYS_RST);
    outb(RST_CNT_PORT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
    settle();
    outb(KBC_CMD_PORT, KBC_CMD_RESET);
    settle();
    log_warn("boot", "reset did not happen (FADT reset register, 0xcf9, 8042); halting");
    uart_flush();
}

static void poweroff(void)
{
    acpi_poweroff(); /* returns only if ACPI S5 is unavailable or did not take */
    log_warn("boot", "power-off through ACPI S5 failed; halting");
    uart_flush();
}

void platform_end(enum end_action action, bool success)
{
    uart_flush();
    /* Power-off and reboot are carried out even under an emulator (so they can be tested);
     * only a plain end of run uses the exit devices. */
    switch (action == END_HALT ? kind : PLATFORM_HARDWARE) {
    case PLATFORM_QEMU:
        /* QEMU exits with status (value << 1) | 1: 1 = success, 3 = failure. */
        outb(QEMU_DEBUG_EXIT_PORT, success ? 0 : 1);
        break;
    case PLATFORM_BOCHS:
        if (success) {
            __asm__ volatile("xchg %%bx, %%bx" ::: "memory"); /* magic break: exit 0 */
        } else {
            for (const char *p = "Shutdown"; *p; p++)
                outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
        }
        break;
    case PLATFORM_HARDWARE:
        break;
    }
    if (action == END_REBOOT)
        reboot();
    else if (action == END_POWEROFF)
        poweroff();
    cpu_halt_forever();
}
