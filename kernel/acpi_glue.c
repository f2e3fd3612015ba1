/* Binds drivers/acpi to the kernel: physical mapping, logging, the RSDP source, S5 and reset. */
#include <stdint.h>

#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/mm.h"

#define BIOS_RSDP_SCAN_START 0xe0000 /* ACPI 6.5 section 5.2.5.1: the BIOS read-only area */
#define BIOS_RSDP_SCAN_LEN   0x20000
#define PM1_CNT_SCI_EN   (1u << 0)  /* ACPI 6.5 table 4.13, PM1 control register */
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_EN   (1u << 13)
#define ACPI_ENABLE_WAIT_LOOPS 1000000

static struct acpi_info acpi; /* ~45 KB: static, never on a stack */
static bool acpi_ok;

static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (!len || phys + len < phys)
        return NULL;
    return (const void *)(uintptr_t)phys_map_range(phys, len);
}

static void report_line(void *ctx, const char *line)
{
    (void)ctx;
    log_warn("acpi", "%s", line);
}

static const struct acpi_env env = { .map = map_phys, .report = report_line, .ctx = NULL };

static void log_summary(int (*fn)(const struct acpi_info *, char *, size_t))
{
    char line[400];
    fn(&acpi, line, sizeof(line));
    log_info("acpi", "%s", line);
}

bool acpi_init(const struct boot_info *bi)
{
    int rc;
    if (bi->rsdp) {
        rc = acpi_parse(&env, bi->rsdp, bi->rsdp_len, &acpi);
        log_info("acpi", "RSDP from multiboot2 tag %u", bi->rsdp_tag);
    } else if (bi->firmware == FIRMWARE_BIOS) {
        uint64_t phys;
        rc = acpi_find_rsdp(&env, BIOS_RSDP_SCAN_START, BIOS_RSDP_SCAN_LEN, &phys);
        if (rc == 0)
            rc = acpi_parse_at(&env, phys, &acpi);
        log_info("acpi", "no RSDP tag; legacy BIOS scan of %#x-%#x: %s", BIOS_RSDP_SCAN_START,
                 BIOS_RSDP_SCAN_START + BIOS_RSDP_SCAN_LEN - 1, rc ? "nothing" : "found");
    } else {
        log_warn("acpi", "UEFI boot without an RSDP tag: no ACPI (no legacy scan under UEFI)");
        return false;
    }
    if (rc) {
        log_warn("acpi", "no usable ACPI tables (error %d): one CPU, no IOAPIC, no PM timer", rc);
        return false;
    }
    acpi_ok = true;
    log_summary(acpi_summarize_tables);
    log_summary(acpi_summarize_madt);
    log_summary(acpi_summarize_mcfg);
    log_summary(acpi_summarize_dmar);
    log_summary(acpi_summarize_fadt);
    return true;
}

struct acpi_info *acpi_get(void)
{
    return acpi_ok ? &acpi : NULL;
}

/* A 16-bit PM1 control register (ACPI 6.5 section 4.8.3.2.1): I/O port or memory. */
static void gas_write16(const struct acpi_gas *g, uint16_t v)
{
    if (g->space == ACPI_GAS_IO)
        outw((uint16_t)g->address, v);
    else if (g->space == ACPI_GAS_MEMORY)
        *(volatile uint16_t *)mmio_map(g->address, 2) = v;
}

static uint16_t gas_read16(const struct acpi_gas *g)
{
    if (g->space == ACPI_GAS_IO)
        return inw((uint16_t)g->address);
    if (g->space == ACPI_GAS_MEMORY)
        return *(volatile uint16_t *)mmio_map(g->address, 2);
    return 0;
}

/* Legacy firmware starts in SMM mode: ask it to hand ACPI to us first (ACPI 6.5 4.8.2.5). */
static void acpi_enable_mode(const struct acpi_fadt *f)
{
    if (f->hw_reduced || !f->smi_cmd || !f->acpi_enable ||
        (gas_read16(&f->pm1a_cnt) & PM1_CNT_SCI_EN))
        return;
    outb((uint16_t)f->smi_cmd, f->acpi_enable);
    for (int i = 0; i < ACPI_ENABLE_WAIT_LOOPS && !(gas_read16(&f->pm1a_cnt) & PM1_CNT_SCI_EN);
         i++)
        cpu_relax();
}

void acpi_poweroff(void)
{
    const struct acpi_fadt *f = &acpi.fadt;
    uint8_t typa, typb;
    if (!acpi_ok || !f->present || !f->pm1a_cnt.address || !f->dsdt_valid) {
        log_warn("acpi", "power-off: no FADT PM1a control block or DSDT");
        return;
    }
    const uint8_t *dsdt = map_phys(NULL, f->dsdt_phys, f->dsdt_length);
    if (!dsdt || acpi_find_s5(dsdt, f->dsdt_length, &typa, &typb)) {
        log_warn("acpi", "power-off: no static \\_S5 package in the DSDT");
        return;
    }
    log_info("acpi", "power-off: S5 with SLP_TYPa %u SLP_TYPb %u", typa, typb);
    acpi_enable_mode(f);
    gas_write16(&f->pm1a_cnt, (uint16_t)((typa << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN));
    if (f->pm1b_cnt.address)
        gas_write16(&f->pm1b_cnt, (uint16_t)((typb << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN));
    log_warn("acpi", "power-off: still running after the S5 write");
}

void acpi_reset(void)
{
    const struct acpi_fadt *f = &acpi.fadt;
    if (!acpi_ok || !f->reset_present)
        return;
    /* ACPI 6.5 section 4.8.3.6: the reset register is I/O, memory or PCI config space. */
    if (f->reset_reg.space == ACPI_GAS_IO)
        outb((uint16_t)f->reset_reg.address, f->reset_value);
    else if (f->reset_reg.space == ACPI_GAS_MEMORY)
        *(volatile uint8_t *)mmio_map(f->reset_reg.address, 1) = f->reset_value;
}
