/* The guest's power management registers (hardware-reduced ACPI): the FADT names them, the
 * hypervisor traps them. A sleep-control write of S5 powers the guest off; the reset
 * register restarts it as its on_fault/restart policy allows. */
#ifndef EXITLESS_VMM_PLATFORM_PM_H
#define EXITLESS_VMM_PLATFORM_PM_H

#include <stdbool.h>
#include <stdint.h>

#define PM_SLEEP_CONTROL_PORT 0x600   /* FADT SLEEP_CONTROL_REG: SLP_TYP bits 4:2, SLP_EN bit 5 */
#define PM_SLEEP_STATUS_PORT  0x601   /* FADT SLEEP_STATUS_REG: WAK_STS bit 7 */
#define PM_RESET_PORT         0x602   /* FADT RESET_REG */
#define PM_RESET_VALUE        0x01    /* FADT RESET_VALUE */
#define PM_SLP_TYP_S5         5       /* the DSDT's \_S5 package */

/* Sleep control register fields (ACPI 6.4 section 4.8.3.7). */
#define PM_SLP_EN             0x20u
#define PM_SLP_TYP_SHIFT      2
#define PM_SLP_TYP_MASK       0x1cu
#define pm_slp_typ(v)         (((v) & PM_SLP_TYP_MASK) >> PM_SLP_TYP_SHIFT)

/* The 8042 keyboard controller's command port: "pulse reset line" is the reset Linux tries
 * when the ACPI reset register did not reset. */
#define KBC_COMMAND_PORT      0x64
#define KBC_CMD_PULSE_RESET   0xfe

struct guest;

/* Per guest. Any of its vCPUs may write; the fields are updated atomically, no lock. */
struct guest_pm {
    uint8_t refused_sleep;      /* bit n: a request for sleep type n was refused and logged */
    uint8_t refused_reset;      /* a reset register write of another value was logged */
};

/* One byte access to a power management port; false when the port (or, for the keyboard
 * controller, the access) is not one of them. */
bool pm_port(struct guest *g, uint16_t port, bool write, uint8_t *v);

#endif
