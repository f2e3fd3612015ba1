/* Multiboot2 boot information: validated parse into struct boot_info (multiboot2 spec, 3.6). */
#ifndef EXITLESS_KERNEL_MB2_H
#define EXITLESS_KERNEL_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 32
/* Sanity bound for the whole boot information block. */
#define MB2_MAX_INFO_SIZE (1u << 20)

/* Memory map types (multiboot2 spec 3.6.8; same numbering as E820). */
#define MB2_MEM_AVAILABLE 1
#define MB2_MEM_RESERVED 2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS 4
#define MB2_MEM_BAD 5

enum firmware_type { FIRMWARE_BIOS, FIRMWARE_UEFI };

struct mb2_mmap_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;
};

struct mb2_module {
    uint64_t start;      /* physical, inclusive */
    uint64_t end;        /* physical, exclusive */
    const char *name;    /* the module's command line */
};

struct boot_info {
    uint32_t total_size;
    const char *cmdline;          /* "" when GRUB gave none */
    const char *loader;           /* boot loader name, "" when absent */
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    uint32_t mmap_count;
    struct mb2_module modules[MB2_MAX_MODULES];
    uint32_t module_count;
    bool has_meminfo;
    uint32_t mem_lower_kb, mem_upper_kb;
    /* RSDP copy inside the boot information (tag 15 preferred over tag 14). */
    const void *rsdp;
    uint32_t rsdp_len;
    uint8_t rsdp_tag;             /* 14 (ACPI 1.0), 15 (ACPI 2.0+) or 0 */
    bool efi64;                   /* tag 12 */
    uint64_t efi64_system_table;
    bool efi_mmap;                /* tag 17 */
    bool efi_boot_services;       /* tag 18: boot services not exited */
    enum firmware_type firmware;
};

/* Parses and validates the block at `info` (at most `avail` bytes readable).
 * Returns 0, or -1 with a one-line reason in err. Strings in `out` point into `info`. */
int mb2_parse(const void *info, size_t avail, struct boot_info *out, char *err, size_t errlen);

const struct mb2_module *mb2_find_module(const struct boot_info *bi, const char *name);
const char *mb2_mem_type_name(uint32_t type);

#endif
