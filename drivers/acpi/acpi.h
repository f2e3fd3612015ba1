/* ACPI platform model (MADT, MCFG, DMAR, FADT) and the parsers that fill it; pure code. */
#ifndef EXITLESS_DRIVERS_ACPI_H
#define EXITLESS_DRIVERS_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Use from the kernel (no kernel headers here; everything comes through struct acpi_env):
 *
 *   static struct acpi_info acpi;            // ~45 KB: static, never on a stack
 *   struct acpi_env env = {.map = direct_map, .report = log_line, .ctx = NULL};
 *   rc = acpi_parse(&env, tag15 ? tag15->rsdp : tag14->rsdp, tag_size - 8, &acpi);
 *   // legacy BIOS without tags: acpi_find_rsdp(&env, 0xe0000, 0x20000, &phys)
 *   //                          then acpi_parse_at(&env, phys, &acpi)
 *   acpi_summarize_madt(&acpi, line, sizeof line); log(line);  // and _tables/_mcfg/_dmar/_fadt
 *   // after PCI enumeration is possible:
 *   acpi_dmar_resolve(&env, &acpi.dmar, ecam_read8, ctx);
 *   unit = acpi_dmar_find_drhd(&acpi.dmar, segment, bdf);
 *
 * A table that fails validation is reported through env.report and left out (its
 * `present` stays false); acpi_parse() fails only when there is no usable RSDP/RSDT/XSDT.
 */

#define ACPI_WARN_UNUSED __attribute__((warn_unused_result))

/*
 * Everything the parsers need from their host. The kernel maps physical memory through its
 * direct map; the host tests map fixture blobs at their original physical addresses.
 *   map:    return a pointer to [phys, phys+len) or NULL if that range is not readable.
 *           The parsers never read outside a range they mapped.
 *   report: one diagnostic line, without a trailing newline (may be NULL).
 */
struct acpi_env {
    const void *(*map)(void *ctx, uint64_t phys, size_t len);
    void (*report)(void *ctx, const char *line);
    void *ctx;
};

/* Error codes, returned negated. */
enum {
    ACPI_OK = 0,
    ACPI_E_NOTFOUND = 1,  /* no RSDP / table absent */
    ACPI_E_MAP = 2,       /* map() refused the range */
    ACPI_E_SIGNATURE = 3, /* wrong signature */
    ACPI_E_CHECKSUM = 4,  /* bytes do not sum to zero */
    ACPI_E_LENGTH = 5,    /* header length too small, too big or past what is mapped */
    ACPI_E_MALFORMED = 6, /* an entry is zero-length, overruns, or has impossible values */
    ACPI_E_LIMIT = 7,     /* more entries than our fixed arrays hold */
    ACPI_E_NODEV = 8,     /* DMAR path walk hit a missing device or bad bridge */
};

/* Fixed bounds of the result arrays; hitting one is reported. */
#define ACPI_MAX_TABLES 64
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_ISOS 48
#define ACPI_MAX_NMIS 32
#define ACPI_MAX_MCFG 16
#define ACPI_MAX_DRHD 16
#define ACPI_MAX_DRHD_SCOPES 64
#define ACPI_MAX_RMRR 16
#define ACPI_MAX_ATSR 8
#define ACPI_MAX_SMALL_SCOPES 16 /* scopes per RMRR or ATSR */
#define ACPI_MAX_SCOPE_PATH 8    /* (dev,fn) hops per device scope */

/* Generic Address Structure (ACPI 6.5 section 5.2.3.2). */
struct acpi_gas {
    uint8_t space; /* ACPI_GAS_* */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
};
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* Every table the root lists, valid or not. */
struct acpi_table_ref {
    char signature[5];
    uint8_t revision;
    bool valid; /* signature, length and checksum all good */
    uint32_t length;
    uint64_t phys;
};

/* ---- MADT (ACPI 6.5 section 5.2.12) ---- */
#define ACPI_CPU_ENABLED (1u << 0)        /* MADT local APIC flags bit 0 */
#define ACPI_CPU_ONLINE_CAPABLE (1u << 1) /* bit 1: may be enabled at run time */

struct acpi_cpu {
    uint32_t apic_id;
    uint32_t uid;    /* ACPI processor UID */
    uint32_t flags;  /* ACPI_CPU_* */
    bool from_x2apic; /* came from a Processor Local x2APIC entry */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
    uint32_t gsi_count; /* 0 until the kernel reads the IOAPIC version register */
};

/* MPS INTI flags (ACPI 6.5 table 5.50). */
#define ACPI_MPS_POLARITY_MASK 0x3u
#define ACPI_MPS_POLARITY_HIGH 0x1u
#define ACPI_MPS_POLARITY_LOW 0x3u
#define ACPI_MPS_TRIGGER_MASK 0xcu
#define ACPI_MPS_TRIGGER_EDGE 0x4u
#define ACPI_MPS_TRIGGER_LEVEL 0xcu

struct acpi_iso {
    uint8_t bus;    /* 0 = ISA */
    uint8_t source; /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags; /* ACPI_MPS_* */
};

#define ACPI_NMI_ALL_CPUS 0xffffffffu
struct acpi_nmi {
    uint32_t uid; /* processor UID, ACPI_NMI_ALL_CPUS for every CPU */
    uint16_t flags; /* ACPI_MPS_* */
    uint8_t lint;   /* LINT0 or LINT1 */
};

struct acpi_madt {
    bool present;
    bool pcat_compat;     /* dual 8259s present: mask them */
    uint64_t lapic_address; /* after any address override entry */
    unsigned ncpus;       /* usable: enabled or online-capable */
    unsigned ncpus_disabled; /* listed but neither enabled nor online-capable */
    unsigned ncpus_dropped;  /* past ACPI_MAX_CPUS, or duplicate APIC ids */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    unsigned nioapics;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    unsigned nisos;
    struct acpi_iso isos[ACPI_MAX_ISOS];
    unsigned nnmis;
    struct acpi_nmi nmis[ACPI_MAX_NMIS];
    unsigned nnmi_sources; /* IOAPIC NMI source entries, counted only */
    unsigned nother;       /* entry types we skip (GIC, RINTC, ...) */
    bool truncated;        /* a limit was hit (reported) */
};

/* ---- MCFG (PCI Firmware Specification 3.2 section 4.1.2) ---- */
struct acpi_mcfg_window {
    uint64_t base; /* ECAM address of bus 0 of this segment, even if start_bus > 0 */
    uint16_t segment;
    uint8_t start_bus;
    uint8_t end_bus;
};

struct acpi_mcfg {
    bool present;
    unsigned nwindows;
    struct acpi_mcfg_window windows[ACPI_MAX_MCFG];
    unsigned nrejected; /* overlapping or inverted windows, reported */
    bool truncated;
};

/* ---- DMAR (Intel VT-d specification 4.x, chapter 8) ---- */
#define ACPI_DMAR_INTR_REMAP (1u << 0)     /* DMAR flags (section 8.1) */
#define ACPI_DMAR_X2APIC_OPT_OUT (1u << 1)
#define ACPI_DMAR_DMA_CTRL_OPT_IN (1u << 2)
#define ACPI_DRHD_INCLUDE_PCI_ALL (1u << 0) /* DRHD flags (section 8.3) */
#define ACPI_ATSR_ALL_PORTS (1u << 0)       /* ATSR flags (section 8.5) */

/* Device scope types (section 8.3.1). */
#define ACPI_DMAR_SCOPE_ENDPOINT 1
#define ACPI_DMAR_SCOPE_BRIDGE 2 /* PCI sub-hierarchy */
#define ACPI_DMAR_SCOPE_IOAPIC 3
#define ACPI_DMAR_SCOPE_HPET 4
#define ACPI_DMAR_SCOPE_NAMESPACE 5

struct acpi_dmar_scope {
    uint8_t type;
    uint8_t enum_id; /* IOAPIC id, HPET number or ACPI namespace device number */
    uint8_t start_bus;
    uint8_t path_len; /* (dev,fn) pairs in path */
    struct {
        uint8_t dev, fn;
    } path[ACPI_MAX_SCOPE_PATH];
    /* Filled by acpi_dmar_resolve(): */
    bool resolved;
    uint16_t bdf;          /* bus << 8 | dev << 3 | fn */
    uint8_t sec_bus, sub_bus; /* bridges: bus range below the bridge */
};

struct acpi_dmar_drhd {
    uint8_t flags; /* ACPI_DRHD_* */
    uint8_t size;  /* register set is 2^size 4 KiB pages (0 on older firmware) */
    uint16_t segment;
    uint64_t reg_base;
    unsigned nscopes;
    struct acpi_dmar_scope scopes[ACPI_MAX_DRHD_SCOPES];
};

struct acpi_dmar_rmrr {
    uint16_t segment;
    uint64_t base;
    uint64_t limit; /* last byte, inclusive */
    unsigned nscopes;
    struct acpi_dmar_scope scopes[ACPI_MAX_SMALL_SCOPES];
};

struct acpi_dmar_atsr {
    uint8_t flags; /* ACPI_ATSR_* */
    uint16_t segment;
    unsigned nscopes;
    struct acpi_dmar_scope scopes[ACPI_MAX_SMALL_SCOPES];
};

struct acpi_dmar {
    bool present;
    uint8_t host_address_width; /* bits, i.e. the table's field + 1 */
    uint8_t flags;              /* ACPI_DMAR_* */
    unsigned ndrhd;
    struct acpi_dmar_drhd drhd[ACPI_MAX_DRHD];
    unsigned nrmrr;
    struct acpi_dmar_rmrr rmrr[ACPI_MAX_RMRR];
    unsigned natsr;
    struct acpi_dmar_atsr atsr[ACPI_MAX_ATSR];
    unsigned nother; /* RHSA, ANDD, SATC, SIDP...: counted, not kept */
};

/* ---- FADT (ACPI 6.5 section 5.2.9) ---- */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8) /* PM timer is 32 bits wide */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED (1u << 20)
#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1u << 0) /* IA-PC boot architecture flags */
#define ACPI_BOOT_ARCH_8042 (1u << 1)
#define ACPI_BOOT_ARCH_NO_VGA (1u << 2)
#define ACPI_BOOT_ARCH_NO_MSI (1u << 3)
#define ACPI_BOOT_ARCH_NO_CMOS_RTC (1u << 5)

struct acpi_fadt {
    bool present;
    uint8_t revision;
    uint32_t flags; /* ACPI_FADT_* */
    uint16_t boot_arch; /* ACPI_BOOT_ARCH_* */
    uint16_t sci_irq;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable;
    bool hw_reduced;
    bool pm_timer_present;
    struct acpi_gas pm_timer; /* X_PM_TMR_BLK, else PM_TMR_BLK as an I/O port */
    uint8_t pm_timer_bits;    /* 24 or 32 */
    bool reset_present;       /* RESET_REG_SUP and a usable register */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    struct acpi_gas pm1a_cnt, pm1b_cnt; /* for S5 later; address 0 = absent */
    uint64_t dsdt_phys;
    uint32_t dsdt_length;
    bool dsdt_valid;
    uint64_t facs_phys;
};

struct acpi_info {
    uint8_t rsdp_revision;
    char oem_id[7];
    bool xsdt_used; /* false: RSDT (ACPI 1.0 firmware or a bad XSDT) */
    uint64_t root_phys;
    unsigned ntables;
    struct acpi_table_ref tables[ACPI_MAX_TABLES];
    bool tables_truncated;
    unsigned nrejected; /* tables that failed validation and were ignored */
    struct acpi_madt madt;
    struct acpi_mcfg mcfg;
    struct acpi_dmar dmar;
    struct acpi_fadt fadt;
};

/*
 * Boot entry points. `rsdp` points at the RSDP bytes (multiboot2 tag 15 or 14 carries a copy;
 * pass the tag payload and its size). Fills *out (zeroed first); returns 0 if a root table was
 * found, even when individual tables were rejected (each rejection is reported by name).
 */
int acpi_parse(const struct acpi_env *env, const void *rsdp, size_t rsdp_len,
               struct acpi_info *out) ACPI_WARN_UNUSED;
int acpi_parse_at(const struct acpi_env *env, uint64_t rsdp_phys,
                  struct acpi_info *out) ACPI_WARN_UNUSED;
/* Legacy BIOS only: scan [start, start+len) for a valid RSDP on 16-byte boundaries. */
int acpi_find_rsdp(const struct acpi_env *env, uint64_t start, size_t len,
                   uint64_t *rsdp_phys) ACPI_WARN_UNUSED;

/*
 * Single-table parsers, used by acpi_parse() and the tests. `tbl` holds a whole table whose
 * header already passed acpi_table_validate(); `len` is its header length.
 */
int acpi_table_validate(const struct acpi_env *env, const void *tbl, size_t mapped,
                        const char *signature) ACPI_WARN_UNUSED;
int acpi_parse_madt(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_madt *out) ACPI_WARN_UNUSED;
int acpi_parse_mcfg(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_mcfg *out) ACPI_WARN_UNUSED;
int acpi_parse_dmar(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_dmar *out) ACPI_WARN_UNUSED;
int acpi_parse_fadt(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_fadt *out) ACPI_WARN_UNUSED;

/*
 * DMAR scopes to PCI BDFs (VT-d 8.3.1): walk each path from its start bus; every hop but the
 * last is a PCI-PCI bridge whose secondary bus (config offset 0x19) is the next bus.
 * read8 reads one config-space byte; absent devices read 0xff.
 */
typedef uint8_t (*acpi_pci_read8_fn)(void *ctx, uint16_t segment, uint8_t bus, uint8_t dev,
                                     uint8_t fn, uint16_t offset);
int acpi_dmar_scope_bdf(const struct acpi_dmar_scope *scope, uint16_t segment,
                        acpi_pci_read8_fn read8, void *ctx, uint16_t *bdf, uint8_t *sec_bus,
                        uint8_t *sub_bus) ACPI_WARN_UNUSED;
/* Resolves every DRHD/RMRR/ATSR scope in place; returns how many failed (each reported). */
int acpi_dmar_resolve(const struct acpi_env *env, struct acpi_dmar *dmar, acpi_pci_read8_fn read8,
                      void *ctx);
/* The DRHD that translates `bdf` on `segment`: explicit scopes first, then the segment's
 * INCLUDE_PCI_ALL unit. Needs resolved scopes. NULL if none covers it. */
const struct acpi_dmar_drhd *acpi_dmar_find_drhd(const struct acpi_dmar *dmar, uint16_t segment,
                                                 uint16_t bdf);

/*
 * Sleep types for S5 (soft off) from the DSDT's static \_S5 package: the values for
 * PM1a_CNT.SLP_TYP and PM1b_CNT.SLP_TYP (ACPI 6.5 section 7.4.2). `aml` is the whole
 * DSDT; returns 0 or -ACPI_E_NOTFOUND when there is no static _S5 package we can read.
 */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa,
                 uint8_t *slp_typb) ACPI_WARN_UNUSED;

/* One-line boot-log summaries; return snprintf's result (truncated lines stay terminated). */
int acpi_summarize_tables(const struct acpi_info *info, char *buf, size_t len);
int acpi_summarize_madt(const struct acpi_info *info, char *buf, size_t len);
int acpi_summarize_mcfg(const struct acpi_info *info, char *buf, size_t len);
int acpi_summarize_dmar(const struct acpi_info *info, char *buf, size_t len);
int acpi_summarize_fadt(const struct acpi_info *info, char *buf, size_t len);

#endif
