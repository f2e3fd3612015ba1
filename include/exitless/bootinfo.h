/* What Exitless hands an ELF64 guest at entry (RDI = guest-physical address of this struct).
 * Multiboot guests get the multiboot information their spec defines instead. */
#ifndef EXITLESS_BOOTINFO_H
#define EXITLESS_BOOTINFO_H

#include <stdint.h>

#define EXITLESS_BOOT_MAGIC 0x544f4f424c584555ull /* "UEXLBOOT" */
#define EXITLESS_BOOT_MAX_CPUS 8

struct exitless_boot_info {
    uint64_t magic;
    uint64_t mem_size;          /* guest RAM is [0, mem_size) */
    uint32_t guest_id;
    uint32_t nvcpus;
    uint32_t apic_ids[EXITLESS_BOOT_MAX_CPUS];
    char name[32];
    char cmdline[256];
    uint64_t module_start;      /* the manifest's initrd module in guest RAM, 0 if none */
    uint64_t module_end;
};

/* Guest-physical layout the loader uses below 1 MiB; images load at 1 MiB or above. */
#define EXITLESS_GPA_PAGE_TABLES 0x1000ull  /* PML4, PDPT, 4 PDs: identity map of 4 GiB */
#define EXITLESS_GPA_GDT         0x7000ull
#define EXITLESS_GPA_BOOT_INFO   0x8000ull  /* up to 0x10000 */
#define EXITLESS_GPA_STACK_TOP   0x80000ull
#define EXITLESS_GPA_IMAGE_MIN   0x100000ull

#endif
