/* Guest-physical maps built from hypervisor frames, in the backend's table format. */
#include <string.h>

#include "kernel/layout.h"
#include "kernel/mm.h"
#include "vmm/gpmap.h"
#include "vmm/vendor.h"

static uint64_t gpmap_alloc_table(void *ctx)
{
    struct gpmap *m = ctx;
    uint64_t p = frames_alloc(1, PAGE_SIZE);
    if (p == FRAME_NONE)
        return UINT64_MAX;
    m->tables++;
    return p;
}

static uint64_t *gpmap_table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_to_virt(phys);
}

int gpmap_init(struct gpmap *m)
{
    memset(m, 0, sizeof(*m));
    m->pt.fmt = vendor->gpmap_format;
    m->pt.alloc_table = gpmap_alloc_table;
    m->pt.table_ptr = gpmap_table_ptr;
    m->pt.ctx = m;
    m->pt.root_phys = gpmap_alloc_table(m);
    if (m->pt.root_phys == UINT64_MAX)
        return PT_ENOMEM;
    m->root = vendor->gpmap_root(m->pt.root_phys);
    return 0;
}

int gpmap_map(struct gpmap *m, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attrs,
              bool large_pages)
{
    return pt_map(&m->pt, gpa, hpa, size, attrs, large_pages ? PT_ALLOW_2M : 0);
}

int gpmap_remap_4k(struct gpmap *m, uint64_t gpa, uint64_t hpa, uint64_t attrs)
{
    return pt_remap_4k(&m->pt, gpa, hpa, attrs);
}

int gpmap_translate(const struct gpmap *m, uint64_t gpa, uint64_t need, uint64_t *hpa)
{
    uint64_t entry;
    if (pt_lookup(&m->pt, gpa, hpa, &entry, NULL))
        return -1;
    return (m->pt.fmt->perms(entry) & need) == need ? 0 : -1;
}
