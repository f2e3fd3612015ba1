/* The guest's power management ports (hardware-reduced ACPI, vmm/platform/pm.h).
 *
 * Linux powers off by writing SLP_TYP (from \_S5) | SLP_EN to the sleep control register
 * after clearing WAK_STS in the sleep status register (ACPICA acpi_hw_extended_sleep); it
 * reboots by writing RESET_VALUE to the reset register (acpi_reboot), then, if it is still
 * running, with the keyboard controller's reset command. */
#include "kernel/log.h"
#include "vmm/guest.h"
#include "vmm/platform/pm.h"

/* Logs the first of each kind of refusal; `bit` is in *mask. */
static bool first_time(uint8_t *mask, uint8_t bit)
{
    return !(__atomic_fetch_or(mask, bit, __ATOMIC_RELAXED) & bit);
}

static void sleep_control(struct guest *g, uint8_t v)
{
    unsigned typ = pm_slp_typ(v);
    if (!(v & PM_SLP_EN))
        return;                 /* the sleep type alone does nothing */
    if (typ == PM_SLP_TYP_S5) {
        if (guest_finish(g, 0, "powered off (ACPI S5)"))
            log_info("guest", "%s: powered off (ACPI S5)", g->name);
        return;
    }
    if (first_time(&g->pm.refused_sleep, (uint8_t)(1u << typ)))
        log_warn("guest", "%s: sleep type %u refused: only S5 (type %u, power-off) is provided; "
                 "the write is ignored (logged once)", g->name, typ, PM_SLP_TYP_S5);
}

static void reset_register(struct guest *g, uint8_t v)
{
    if (v == PM_RESET_VALUE) {
        guest_request_reboot(g, "ACPI reset register");
        return;
    }
    if (first_time(&g->pm.refused_reset, 1))
        log_warn("guest", "%s: reset register write %#x ignored: the reset value is %#x "
                 "(logged once)", g->name, v, PM_RESET_VALUE);
}

bool pm_port(struct guest *g, uint16_t port, bool write, uint8_t *v)
{
    switch (port) {
    case PM_SLEEP_CONTROL_PORT:
        if (write)
            sleep_control(g, *v);
        else
            *v = 0;
        return true;
    case PM_SLEEP_STATUS_PORT:
        if (!write)
            *v = 0;             /* WAK_STS clear: the guest never sleeps and wakes */
        return true;            /* a write clears status bits: there are none to clear */
    case PM_RESET_PORT:
        if (write)
            reset_register(g, *v);
        else
            *v = 0;
        return true;
    case KBC_COMMAND_PORT:
        /* No keyboard controller otherwise: its status reads stay all ones (absent). */
        if (!write || *v != KBC_CMD_PULSE_RESET)
            return false;
        guest_request_reboot(g, "keyboard controller reset");
        return true;
    default:
        return false;
    }
}
