/* Per-guest EPT built from hypervisor frames. */
#include <string.h>

#include "kernel/layout.h"
#include "kernel/mm.h"
#include "vmm/ept.h"

static uint64_t ept_alloc_table(void *ctx)
{
    (void)ctx;
    uint64_t p = frames_alloc(1, PAGE_SIZE);
    return p == FRAME_NONE ? UINT64_MAX : p;
}

static uint64_t *ept_table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_to_virt(phys);
}

int ept_init(struct ept *ept)
{
    memset(ept, 0, sizeof(*ept));
    ept->pt.fmt = &pt_format_ept;
    ept->pt.alloc_table = ept_alloc_table;
    ept->pt.table_ptr = ept_table_ptr;
    ept->pt.root_phys = ept_alloc_table(NULL);
    if (ept->pt.root_phys == UINT64_MAX)
        return PT_ENOMEM;
    ept->eptp = ept->pt.root_phys | EPTP_WALK_LEN_4 | EPTP_MT_WB;
    return 0;
}

int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attrs,
            bool large_pages)
{
    return pt_map(&ept->pt, gpa, hpa, size, attrs, large_pages ? PT_ALLOW_2M : 0);
}

int ept_translate(const struct ept *ept, uint64_t gpa, uint64_t need, uint64_t *hpa)
{
    uint64_t entry;
    if (pt_lookup(&ept->pt, gpa, hpa, &entry, NULL))
        return -1;
    return (entry & need) == need ? 0 : -1;
}
