/* FADT parser: PM timer, reset register, SCI, PM1 control blocks, DSDT and FACS addresses. */
#include "acpi_priv.h"

/*
 * Field offsets from ACPI 6.5 section 5.2.9, table 5.9. The FADT grew with every revision
 * (ACPI 1.0 ends at 116 bytes, 2.0 at 244, 5.0 at 268, 6.0 at 276), so a field is read only
 * when the table's length covers it.
 */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_V1_LEN 116 /* ACPI 1.0 FADT ends here */
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_X_PM_TMR_BLK 208

#define PM_TMR_LEN_BYTES 4 /* PM_TMR_LEN must be 4 when the timer is supported */

static bool has(uint32_t len, uint32_t off, uint32_t size) { return len >= off + size; }

static struct acpi_gas read_gas(const uint8_t *p)
{
    struct acpi_raw_gas raw;

    memcpy(&raw, p, sizeof raw);
    return (struct acpi_gas){.space = raw.space, .bit_width = raw.bit_width,
                             .bit_offset = raw.bit_offset, .access_size = raw.access_size,
                             .address = raw.address};
}

static struct acpi_gas io_block(uint32_t port, uint8_t bytes)
{
    return (struct acpi_gas){.space = ACPI_GAS_IO, .bit_width = (uint8_t)(bytes * 8),
                             .address = port};
}

/* The 64-bit GAS at `xoff` if present and non-zero, else the legacy 32-bit I/O block. */
static struct acpi_gas pick_block(const uint8_t *p, uint32_t len, uint32_t xoff, uint32_t off,
                                  uint8_t bytes)
{
    if (has(len, xoff, sizeof(struct acpi_raw_gas))) {
        struct acpi_gas g = read_gas(p + xoff);

        if (g.address)
            return g;
    }
    return io_block(acpi_rd32(p + off), bytes);
}

/* X_PM_TMR_BLK if set, else PM_TMR_BLK as a port when PM_TMR_LEN says the timer exists. */
static bool pick_pm_timer(const uint8_t *p, uint32_t len, struct acpi_gas *g)
{
    if (has(len, FADT_X_PM_TMR_BLK, sizeof(struct acpi_raw_gas))) {
        *g = read_gas(p + FADT_X_PM_TMR_BLK);
        if (g->address)
            return true;
    }
    if (acpi_rd32(p + FADT_PM_TMR_BLK) && p[FADT_PM_TMR_LEN] == PM_TMR_LEN_BYTES) {
        *g = io_block(acpi_rd32(p + FADT_PM_TMR_BLK), PM_TMR_LEN_BYTES);
        return true;
    }
    memset(g, 0, sizeof *g);
    return false;
}

static uint64_t pick_addr(const uint8_t *p, uint32_t len, uint32_t xoff, uint32_t off)
{
    uint64_t x = has(len, xoff, 8) ? acpi_rd64(p + xoff) : 0;

    return x ? x : acpi_rd32(p + off);
}

static bool gas_usable(const struct acpi_gas *g)
{
    return g->address && (g->space == ACPI_GAS_MEMORY || g->space == ACPI_GAS_IO ||
                          g->space == ACPI_GAS_PCI_CONFIG);
}

int acpi_parse_fadt(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_fadt *out)
{
    const uint8_t *p = tbl;

    memset(out, 0, sizeof *out);
    if (len < FADT_V1_LEN) {
        acpi_report(env, "FADT: length %u, shorter than the ACPI 1.0 FADT (%u)", len, FADT_V1_LEN);
        return -ACPI_E_LENGTH;
    }
    out->revision = p[offsetof(struct acpi_raw_header, revision)];
    out->flags = acpi_rd32(p + FADT_FLAGS);
    out->boot_arch = acpi_rd16(p + FADT_IAPC_BOOT_ARCH);
    out->hw_reduced = out->flags & ACPI_FADT_HW_REDUCED;
    out->sci_irq = acpi_rd16(p + FADT_SCI_INT);
    out->smi_cmd = acpi_rd32(p + FADT_SMI_CMD);
    out->acpi_enable = p[FADT_ACPI_ENABLE];
    out->acpi_disable = p[FADT_ACPI_DISABLE];

    out->pm_timer_present = pick_pm_timer(p, len, &out->pm_timer);
    out->pm_timer_bits = (out->flags & ACPI_FADT_TMR_VAL_EXT) ? 32 : 24;

    out->pm1a_cnt = pick_block(p, len, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, p[FADT_PM1_CNT_LEN]);
    out->pm1b_cnt = pick_block(p, len, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK, p[FADT_PM1_CNT_LEN]);

    if (has(len, FADT_RESET_VALUE, 1)) {
        out->reset_reg = read_gas(p + FADT_RESET_REG);
        out->reset_value = p[FADT_RESET_VALUE];
        out->reset_present = (out->flags & ACPI_FADT_RESET_REG_SUP) && gas_usable(&out->reset_reg);
    }

    out->dsdt_phys = pick_addr(p, len, FADT_X_DSDT, FADT_DSDT);
    out->facs_phys = pick_addr(p, len, FADT_X_FIRMWARE_CTRL, FADT_FIRMWARE_CTRL);
    out->present = true;
    return 0;
}
