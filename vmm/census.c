/* Resource census (census.h). Each count is read where its owner keeps it:
 * - frames, heap, MMIO and stack windows: one snapshot under mm_lock (mm_usage);
 * - VT-d domains, their table pages and context tables: built on the boot CPU before any
 *   guest runs, read-only afterwards; remapping entries under each unit's lock (vtd_usage);
 * - vCPU hardware contexts: v->hw is written once, by that vCPU's own core at its first
 *   setup, and read here with an atomic load;
 * - a guest's EPT/NPT table count and shadow IDT pages: under its ept_lock, which every
 *   change of its guest-physical map holds while the guest runs;
 * - virtual PCI functions and their MSI-X shadows and remapping entries: set up once at
 *   guest creation on the boot CPU (vpci_setup), never reallocated, read-only afterwards. */
#include "drivers/vtd/vtd.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "vmm/census.h"
#include "vmm/guest.h"
#include "vmm/guest_mgr.h"

static void count_guest(struct census *c, struct guest *g)
{
    for (uint32_t i = 0; i < g->nvcpus; i++)
        c->n[CENSUS_CPU_CONTEXTS] += __atomic_load_n(&g->vcpus[i].hw, __ATOMIC_ACQUIRE) != NULL;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    c->n[CENSUS_GPMAP_TABLES] += g->gpmap.tables;
    for (uint32_t i = 0; i < ELI_MAX_PAGES; i++)
        c->n[CENSUS_ELI_SHADOWS] += g->eli.page[i].shadow_hpa != 0;
    spin_unlock_irqrestore(&g->ept_lock, flags);
    c->n[CENSUS_VPCI_FNS] += g->vpci.nfns;
    for (uint32_t k = 0; k < g->vpci.nfns; k++) {
        const struct vpci_fn *f = &g->vpci.fn[k];
        if (f->msix_shadow_hpa)
            c->n[CENSUS_MSIX_SHADOW_PAGES] += f->msix_pages;
        for (unsigned i = 0; f->msix_shadow_hpa && i < f->msix_nvec; i++)
            c->n[CENSUS_MSIX_IRTES] += f->msix_irte[i] >= 0;
    }
}

void census_take(struct census *c)
{
    *c = (struct census){ 0 };
    struct mm_usage m;
    mm_usage(&m);
    c->n[CENSUS_FREE_FRAMES] = m.free_frames;
    c->n[CENSUS_HEAP_BYTES] = m.heap_bytes;
    c->n[CENSUS_HEAP_MAPPED] = m.heap_mapped_bytes;
    c->n[CENSUS_MMIO_BYTES] = m.mmio_bytes;
    c->n[CENSUS_STACK_BYTES] = m.stack_bytes;
    struct vtd_usage v;
    vtd_usage(&v);
    c->n[CENSUS_VTD_DOMAINS] = v.domains;
    c->n[CENSUS_VTD_TABLE_PAGES] = v.domain_table_pages;
    c->n[CENSUS_VTD_MAPPED_PAGES] = v.domain_mapped_pages;
    c->n[CENSUS_VTD_CONTEXT_PAGES] = v.context_table_pages;
    c->n[CENSUS_IRTES] = v.irtes_in_use;
    for (uint32_t i = 0; i < guest_mgr_count(); i++)
        count_guest(c, guest_mgr_get(i));
}
