/* 4-level page-table builder shared by every table format we write: the hypervisor's own
 * x86-64 page tables now, EPT and VT-d second-level tables later (each supplies its
 * entry format through struct pt_format). Pure logic: memory comes from callbacks. */
#ifndef EXITLESS_KERNEL_PAGING_H
#define EXITLESS_KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* x86-64 page-table entry bits (SDM vol. 3, 4.5). */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PAGE_4K (1ull << 12)
#define PAGE_2M (1ull << 21)
#define PAGE_1G (1ull << 30)

/* Which leaf sizes a mapping may use. */
#define PT_ALLOW_2M (1u << 0)
#define PT_ALLOW_1G (1u << 1)

/* Errors (negative). */
#define PT_ENOMEM  (-1)  /* the table allocator ran out */
#define PT_EEXIST  (-2)  /* something else is already mapped there */
#define PT_EINVAL  (-3)  /* unaligned or non-canonical arguments */

/* Entry format of one kind of table. Levels: 4 = PML4 ... 1 = PT. */
struct pt_format {
    uint64_t (*table_entry)(uint64_t table_phys);          /* non-leaf entry */
    uint64_t (*leaf_entry)(uint64_t phys, uint64_t attrs, int level);
    bool (*present)(uint64_t entry);
    bool (*is_leaf)(uint64_t entry, int level);            /* level 1 entries are leaves */
    /* Guest-physical maps (vmm/gpmap.h): the GPM_R/W/X rights a leaf grants. */
    uint64_t (*perms)(uint64_t entry);
};

struct pt {
    const struct pt_format *fmt;
    uint64_t root_phys;
    /* Returns a zeroed 4 KiB table's physical address, or UINT64_MAX. */
    uint64_t (*alloc_table)(void *ctx);
    /* Turns a table's physical address into a pointer the builder can write. */
    uint64_t *(*table_ptr)(void *ctx, uint64_t phys);
    void *ctx;
};

/* Maps [va, va+size) to [pa, pa+size) with `attrs` (format-specific leaf attributes),
 * using the largest allowed page size that alignment permits. Remapping an identical
 * leaf is allowed; anything else already present is PT_EEXIST. */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs,
           unsigned allow) __attribute__((warn_unused_result));

/* Points the 4 KiB page at va to pa with attrs, whatever was mapped there: a large leaf on
 * the way is split into 512 smaller ones with its own attributes first. The caller
 * invalidates TLBs. 0 or a PT_E* error. */
int pt_remap_4k(struct pt *pt, uint64_t va, uint64_t pa, uint64_t attrs)
    __attribute__((warn_unused_result));

/* Finds the leaf for va: returns 0 and its physical address, raw entry and level, or -1. */
int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *entry, int *level);

/* The x86-64 format for the hypervisor's own tables; attrs are PTE_* bits (P is implied). */
extern const struct pt_format pt_format_x86;

#endif
