/* Generic 4-level page-table walker/builder (pure logic, unit-tested on the host). */
#include "kernel/paging.h"

#define ENTRIES 512
#define LEVEL_SHIFT(l) (12 + 9 * ((l) - 1))
#define LEVEL_SIZE(l) (1ull << LEVEL_SHIFT(l))
#define INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & (ENTRIES - 1))

static bool canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

/* Returns the next-level table for `va`, creating it when absent. */
static int next_table(struct pt *pt, uint64_t *table, uint64_t va, int level, uint64_t **out)
{
    uint64_t *e = &table[INDEX(va, level)];
    if (!pt->fmt->present(*e)) {
        uint64_t phys = pt->alloc_table(pt->ctx);
        if (phys == UINT64_MAX)
            return PT_ENOMEM;
        *e = pt->fmt->table_entry(phys);
    } else if (pt->fmt->is_leaf(*e, level)) {
        return PT_EEXIST; /* a large page already covers this range */
    }
    *out = pt->table_ptr(pt->ctx, *e & PTE_ADDR_MASK);
    return 0;
}

static int map_one(struct pt *pt, uint64_t va, uint64_t pa, uint64_t attrs, int leaf_level)
{
    uint64_t *table = pt->table_ptr(pt->ctx, pt->root_phys);
    for (int level = 4; level > leaf_level; level--) {
        int rc = next_table(pt, table, va, level, &table);
        if (rc)
            return rc;
    }
    uint64_t *e = &table[INDEX(va, leaf_level)];
    uint64_t want = pt->fmt->leaf_entry(pa, attrs, leaf_level);
    if (pt->fmt->present(*e) && *e != want)
        return PT_EEXIST;
    *e = want;
    return 0;
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs,
           unsigned allow)
{
    if ((va | pa | size) & (PAGE_4K - 1) || !canonical(va) || va + size < va ||
        (size && !canonical(va + size - 1)) || pa & ~PTE_ADDR_MASK)
        return PT_EINVAL;
    while (size) {
        int level = 1;
        if ((allow & PT_ALLOW_1G) && !((va | pa) & (PAGE_1G - 1)) && size >= PAGE_1G)
            level = 3;
        else if ((allow & PT_ALLOW_2M) && !((va | pa) & (PAGE_2M - 1)) && size >= PAGE_2M)
            level = 2;
        int rc = map_one(pt, va, pa, attrs, level);
        if (rc)
            return rc;
        va += LEVEL_SIZE(level);
        pa += LEVEL_SIZE(level);
        size -= LEVEL_SIZE(level);
    }
    return 0;
}

/* Replaces the large leaf *e (at `level`) by a table of 512 leaves one level down with the
 * same attributes. Both formats we build mark large leaves with bit 7 and keep the other
 * attribute bits where a 4 KiB leaf has them (we use no PAT bit on large pages). */
static int split_leaf(struct pt *pt, uint64_t *e, int level)
{
    uint64_t phys = pt->alloc_table(pt->ctx);
    if (phys == UINT64_MAX)
        return PT_ENOMEM;
    uint64_t *t = pt->table_ptr(pt->ctx, phys);
    uint64_t base = *e & PTE_ADDR_MASK & ~(LEVEL_SIZE(level) - 1);
    uint64_t flags = *e & ~PTE_ADDR_MASK;
    if (level - 1 == 1)
        flags &= ~PTE_PS;
    for (int i = 0; i < ENTRIES; i++)
        t[i] = (base + (uint64_t)i * LEVEL_SIZE(level - 1)) | flags;
    *e = pt->fmt->table_entry(phys);
    return 0;
}

int pt_remap_4k(struct pt *pt, uint64_t va, uint64_t pa, uint64_t attrs)
{
    if ((va | pa) & (PAGE_4K - 1) || !canonical(va) || pa & ~PTE_ADDR_MASK)
        return PT_EINVAL;
    uint64_t *table = pt->table_ptr(pt->ctx, pt->root_phys);
    for (int level = 4; level > 1; level--) {
        uint64_t *e = &table[INDEX(va, level)];
        if (pt->fmt->present(*e) && pt->fmt->is_leaf(*e, level)) {
            int rc = split_leaf(pt, e, level);
            if (rc)
                return rc;
        }
        int rc = next_table(pt, table, va, level, &table);
        if (rc)
            return rc;
    }
    table[INDEX(va, 1)] = pt->fmt->leaf_entry(pa, attrs, 1);
    return 0;
}

int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *entry, int *level)
{
    if (!canonical(va))
        return -1;
    uint64_t *table = pt->table_ptr(pt->ctx, pt->root_phys);
    for (int l = 4; l >= 1; l--) {
        uint64_t e = table[INDEX(va, l)];
        if (!pt->fmt->present(e))
            return -1;
        if (pt->fmt->is_leaf(e, l)) {
            uint64_t offset = va & (LEVEL_SIZE(l) - 1);
            if (pa)
                *pa = (e & PTE_ADDR_MASK & ~(LEVEL_SIZE(l) - 1)) + offset;
            if (entry)
                *entry = e;
            if (level)
                *level = l;
            return 0;
        }
        table = pt->table_ptr(pt->ctx, e & PTE_ADDR_MASK);
    }
    return -1;
}

/* --- x86-64 format --- */

static uint64_t x86_table_entry(uint64_t phys)
{
    /* Permissions are decided at the leaf: intermediate levels allow everything. */
    return phys | PTE_P | PTE_W;
}

static uint64_t x86_leaf_entry(uint64_t phys, uint64_t attrs, int level)
{
    return phys | attrs | PTE_P | (level > 1 ? PTE_PS : 0);
}

static bool x86_present(uint64_t e) { return e & PTE_P; }
static bool x86_is_leaf(uint64_t e, int level) { return level == 1 || (e & PTE_PS); }

const struct pt_format pt_format_x86 = {
    .table_entry = x86_table_entry,
    .leaf_entry = x86_leaf_entry,
    .present = x86_present,
    .is_leaf = x86_is_leaf,
};
