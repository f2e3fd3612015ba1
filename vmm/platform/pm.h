/* The guest's power management registers (hardware-reduced ACPI): the FADT names them, the
 * hypervisor traps them. A sleep-control write of S5 powers the guest off; the reset
 * register restarts it as its on_fault/restart policy allows. */
#ifndef EXITLESS_VMM_PLATFORM_PM_H
#define EXITLESS_VMM_PLATFORM_PM_H

#define PM_SLEEP_CONTROL_PORT 0x600   /* FADT SLEEP_CONTROL_REG: SLP_TYP bits 4:2, SLP_EN bit 5 */
#define PM_SLEEP_STATUS_PORT  0x601   /* FADT SLEEP_STATUS_REG: WAK_STS bit 7 */
#define PM_RESET_PORT         0x602   /* FADT RESET_REG */
#define PM_RESET_VALUE        0x01    /* FADT RESET_VALUE */
#define PM_SLP_TYP_S5         5       /* the DSDT's \_S5 package */

#endif
