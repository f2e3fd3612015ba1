/* The PVH boot ABI (Xen's include/public/arch-x86/hvm/start_info.h, as Linux's
 * arch/x86/platform/pvh/ consumes it): the ELF note that names the 32-bit entry, and the
 * start-of-day structure EBX points to. Our own definitions; offsets asserted. */
#ifndef EXITLESS_VMM_LOADER_LINUX_START_INFO_H
#define EXITLESS_VMM_LOADER_LINUX_START_INFO_H

#include <stddef.h>
#include <stdint.h>

#define PVH_NOTE_NAME          "Xen"    /* with its NUL: namesz 4 */
#define PVH_NOTE_PHYS32_ENTRY  18u      /* XEN_ELFNOTE_PHYS32_ENTRY */
#define PVH_START_MAGIC        0x336ec578u
#define PVH_START_VERSION      1u

struct pvh_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;             /* struct pvh_modlist_entry[nr_modules] */
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;              /* version 1: struct pvh_memmap_entry[memmap_entries] */
    uint32_t memmap_entries;
    uint32_t reserved;
};
_Static_assert(offsetof(struct pvh_start_info, modlist_paddr) == 16, "modlist_paddr");
_Static_assert(offsetof(struct pvh_start_info, rsdp_paddr) == 32, "rsdp_paddr");
_Static_assert(offsetof(struct pvh_start_info, memmap_entries) == 48, "memmap_entries");
_Static_assert(sizeof(struct pvh_start_info) == 56, "start info");

struct pvh_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
_Static_assert(sizeof(struct pvh_modlist_entry) == 32, "modlist entry");

struct pvh_memmap_entry {
    uint64_t addr, size;
    uint32_t type;                      /* e820 types */
    uint32_t reserved;
};
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "memmap entry");

#endif
