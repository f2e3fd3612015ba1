/* The guest's ACPI tables (ACPI 6.4 chapter 5): RSDP -> XSDT -> {FADT -> DSDT, MADT}, laid
 * out in one buffer in that order, each 16-byte aligned.
 *
 * The platform they describe is hardware-reduced (section 4.1): no PM1 event/control blocks,
 * no GPEs, no SCI, no FACS, no PM timer. Power-off and reset go through the FADT's sleep
 * control and reset registers, which are I/O ports the hypervisor traps (vmm/platform/pm.c).
 * Linux treats such a platform as having no 8259 and no PIT interrupt (its
 * acpi_generic_reduced_hw_init) and takes its timer from the local APIC. */
#include "vmm/platform/acpi_bytes.h"
#include "vmm/platform/acpi_dsdt.h"
#include "vmm/platform/acpi_tables.h"
#include "vmm/platform/pm.h"

#define TABLE_ALIGN 16

/* ---- RSDP (section 5.2.5.3) ---- */
#define RSDP_SIGNATURE    0
#define RSDP_CHECKSUM     8     /* over the first 20 bytes (the ACPI 1.0 part) */
#define RSDP_OEM_ID       9
#define RSDP_REVISION     15
#define RSDP_RSDT         16
#define RSDP_LENGTH       20
#define RSDP_XSDT         24
#define RSDP_EXT_CHECKSUM 32    /* over all 36 bytes */
#define RSDP_V1_SIZE      20
#define RSDP_SIZE         36
#define RSDP_REV_ACPI2    2

/* ---- XSDT (section 5.2.8) ---- */
#define XSDT_REVISION 1
#define XSDT_ENTRIES  2         /* FADT, MADT */

/* ---- MADT (section 5.2.12) ---- */
#define MADT_REVISION        5  /* ACPI 6.3+: flags bit 1 (online capable) is defined */
#define MADT_LAPIC_ADDR      36
#define MADT_FLAGS           40 /* 0: no PCAT_COMPAT, the guest has no 8259 */
#define MADT_ENTRIES         44
#define MADT_LOCAL_APIC_BASE 0xfee00000u
/* Processor Local x2APIC structure (section 5.2.12.12). */
#define X2APIC_TYPE          9
#define X2APIC_LEN           16
#define X2APIC_ID            4
#define X2APIC_FLAGS         8
#define X2APIC_UID           12
#define X2APIC_ENABLED       1u
#define X2APIC_ID_INVALID    0xffffffffu

/* ---- FADT (section 5.2.9, table 5.9): ACPI 6.x, 276 bytes ---- */
#define FADT_REVISION        6
#define FADT_MINOR_VERSION   3
#define FADT_SIZE            276
#define FADT_DSDT32          40
#define FADT_PM_PROFILE      45
#define FADT_P_LVL2_LAT      96
#define FADT_P_LVL3_LAT      98
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_MINOR           131
#define FADT_X_DSDT          140
#define FADT_SLEEP_CONTROL   244
#define FADT_SLEEP_STATUS    256
#define FADT_PM_PROFILE_ENTERPRISE_SERVER 4
#define FADT_C2_NONE         101    /* > 100 us: C2 not supported */
#define FADT_C3_NONE         1001   /* > 1000 us: C3 not supported */
/* Fixed feature flags (table 5.10). */
#define FADT_F_WBINVD        (1u << 0)   /* required since ACPI 2.0 */
#define FADT_F_PWR_BUTTON    (1u << 4)   /* no fixed power button */
#define FADT_F_SLP_BUTTON    (1u << 5)   /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED    (1u << 20)
/* x2APIC IPIs in physical destination mode only: the hypervisor refuses logical (cluster)
 * destinations, and Linux then picks its physical x2APIC driver (x2apic_fadt_phys). */
#define FADT_F_APIC_PHYSICAL (1u << 19)
/* IA-PC boot architecture flags (table 5.11): no LEGACY_DEVICES, no 8042. */
#define BOOT_ARCH_NO_VGA     (1u << 2)
#define BOOT_ARCH_NO_ASPM    (1u << 4)   /* OSPM must not enable ASPM */
#define BOOT_ARCH_NO_RTC     (1u << 5)   /* no CMOS RTC at ports 0x70/0x71 */
/* Generic Address Structure (section 5.2.3.2). */
#define GAS_SPACE_IO         1
#define GAS_ACCESS_BYTE      1

static size_t align_up(size_t v)
{
    return (v + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);
}

const char *guest_acpi_check(const struct guest_acpi_cfg *cfg)
{
    if (!cfg->ncpus)
        return "no cores";
    if (cfg->ncpus > ACPI_GUEST_MAX_CPUS)
        return "more cores than the guest ACPI tables hold (ACPI_GUEST_MAX_CPUS)";
    for (uint32_t i = 0; i < cfg->ncpus; i++) {
        if (cfg->apic_ids[i] == X2APIC_ID_INVALID)
            return "APIC id 0xffffffff (the x2APIC entry's 'invalid' value)";
        for (uint32_t j = 0; j < i; j++)
            if (cfg->apic_ids[j] == cfg->apic_ids[i])
                return "an APIC id is listed twice";
    }
    if (cfg->pci && cfg->pci_mmio_end <= cfg->pci_mmio_base)
        return "the PCI memory window is empty or inverted";
    if (cfg->uart_on_pci && (cfg->com1 || !cfg->pci))
        return "the UART on PCI needs the PCI root and no COM1 device";
    return NULL;
}

static void gas_io8(uint8_t *p, uint16_t port)
{
    p[0] = GAS_SPACE_IO;
    p[1] = 8;                   /* bit width */
    p[2] = 0;                   /* bit offset */
    p[3] = GAS_ACCESS_BYTE;
    acpi_put64(p + 4, port);
}

static size_t build_madt(const struct guest_acpi_cfg *cfg, uint8_t *t, size_t cap)
{
    /* Only x2APIC entries, UID = core index. Linux (arch/x86/kernel/acpi/boot.c) registers
     * a CPU from either entry type (acpi_parse_lapic, acpi_parse_x2apic) and needs no
     * Processor Local APIC (type 0) entries for ids below 255; later kernels ignore x2APIC
     * entries below 255 only when type-0 entries list CPUs too. No IOAPIC entry: with none, Linux disables its IOAPIC support, runs the local
     * APIC in virtual-wire mode and keeps the x2APIC mode the hypervisor started it in
     * (it tries interrupt remapping, the step that could turn x2APIC off, only with an
     * IOAPIC). No processor objects in the DSDT: Linux brings the CPUs up from the MADT;
     * only its ACPI processor driver (idle states, frequency) would look for them. */
    size_t len = MADT_ENTRIES + (size_t)cfg->ncpus * X2APIC_LEN;
    if (len > cap)
        return 0;
    acpi_put32(t + MADT_LAPIC_ADDR, MADT_LOCAL_APIC_BASE);
    acpi_put32(t + MADT_FLAGS, 0);
    for (uint32_t i = 0; i < cfg->ncpus; i++) {
        uint8_t *e = t + MADT_ENTRIES + (size_t)i * X2APIC_LEN;
        e[0] = X2APIC_TYPE;
        e[1] = X2APIC_LEN;
        acpi_put16(e + 2, 0);
        acpi_put32(e + X2APIC_ID, cfg->apic_ids[i]);
        acpi_put32(e + X2APIC_FLAGS, X2APIC_ENABLED);
        acpi_put32(e + X2APIC_UID, i);
    }
    acpi_finish_table(t, "APIC", (uint32_t)len, MADT_REVISION);
    return len;
}

/* What ACPICA (tbfadt.c) takes from a hardware-reduced FADT: X_DSDT (the 32-bit DSDT field
 * stays 0, so there is no conflict to warn about), no FACS, and none of the fixed blocks it
 * would otherwise check; poweroff needs both sleep registers and the DSDT's \_S5. */
static size_t build_fadt(uint8_t *t, size_t cap, uint64_t dsdt_gpa)
{
    if (cap < FADT_SIZE)
        return 0;
    t[FADT_PM_PROFILE] = FADT_PM_PROFILE_ENTERPRISE_SERVER;
    acpi_put32(t + FADT_DSDT32, 0);
    acpi_put16(t + FADT_P_LVL2_LAT, FADT_C2_NONE);
    acpi_put16(t + FADT_P_LVL3_LAT, FADT_C3_NONE);
    acpi_put16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_ASPM | BOOT_ARCH_NO_RTC);
    acpi_put32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
                                   FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED |
                                   FADT_F_APIC_PHYSICAL);
    gas_io8(t + FADT_RESET_REG, PM_RESET_PORT);
    t[FADT_RESET_VALUE] = PM_RESET_VALUE;
    t[FADT_MINOR] = FADT_MINOR_VERSION;
    acpi_put64(t + FADT_X_DSDT, dsdt_gpa);
    gas_io8(t + FADT_SLEEP_CONTROL, PM_SLEEP_CONTROL_PORT);
    gas_io8(t + FADT_SLEEP_STATUS, PM_SLEEP_STATUS_PORT);
    acpi_finish_table(t, "FACP", FADT_SIZE, FADT_REVISION);
    return FADT_SIZE;
}

static void build_rsdp(uint8_t *p, uint64_t xsdt_gpa)
{
    memcpy(p + RSDP_SIGNATURE, "RSD PTR ", 8);
    memcpy(p + RSDP_OEM_ID, ACPI_OEM_ID, 6);
    p[RSDP_REVISION] = RSDP_REV_ACPI2;
    acpi_put32(p + RSDP_RSDT, 0);           /* no RSDT: ACPI 2.0+ readers use the XSDT */
    acpi_put32(p + RSDP_LENGTH, RSDP_SIZE);
    acpi_put64(p + RSDP_XSDT, xsdt_gpa);
    p[RSDP_CHECKSUM] = acpi_checksum(p, RSDP_V1_SIZE);
    p[RSDP_EXT_CHECKSUM] = acpi_checksum(p, RSDP_SIZE);
}

size_t guest_acpi_build(const struct guest_acpi_cfg *cfg, void *buf, size_t size,
                        uint64_t base, uint64_t *rsdp_gpa)
{
    uint8_t *b = buf;
    if (guest_acpi_check(cfg) || base % TABLE_ALIGN || size < RSDP_SIZE)
        return 0;
    memset(b, 0, size);
    size_t xsdt = align_up(RSDP_SIZE);
    size_t xsdt_len = ACPI_HDR_SIZE + XSDT_ENTRIES * 8;
    size_t fadt = align_up(xsdt + xsdt_len);
    if (fadt > size)
        return 0;
    size_t fadt_len = FADT_SIZE;
    size_t madt = align_up(fadt + fadt_len);
    if (madt > size)
        return 0;
    size_t madt_len = build_madt(cfg, b + madt, size - madt);
    if (!madt_len)
        return 0;
    size_t dsdt = align_up(madt + madt_len);
    if (dsdt > size)
        return 0;
    size_t dsdt_len = guest_dsdt_build(cfg, b + dsdt, size - dsdt);
    if (!dsdt_len || !build_fadt(b + fadt, size - fadt, base + dsdt))
        return 0;
    acpi_put64(b + xsdt + ACPI_HDR_SIZE, base + fadt);
    acpi_put64(b + xsdt + ACPI_HDR_SIZE + 8, base + madt);
    /* Tables that would run past the top of the address space have no valid pointers. */
    if (base > UINT64_MAX - (dsdt + dsdt_len))
        return 0;
    acpi_finish_table(b + xsdt, "XSDT", (uint32_t)xsdt_len, XSDT_REVISION);
    build_rsdp(b, base + xsdt);
    *rsdp_gpa = base;
    return dsdt + dsdt_len;
}
