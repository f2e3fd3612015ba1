/* MSI-X of assigned functions (PCI 3.0 section 6.8.2). The guest's table is a hypervisor page
 * mapped read-only where the table sits in the guest's BAR, so reads cost nothing; a write
 * exits, is single-stepped into that page (vmm/step.c), and the entries it changed are
 * checked (vpci_msix_check) and programmed into the device: through an interrupt-remapping
 * entry that names the function as source and the guest's core as destination when VT-d is
 * on, or as the checked message itself without an IOMMU. An entry outside policy stays masked
 * on the device. The device's own table is never mapped into the guest. */
#include <stdio.h>
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vectors.h"
#include "vmm/intr/step.h"
#include "vmm/vcpu.h"
#include "vmm/vpci/vpci_priv.h"

#define ENTRY_WORDS 4

static uint64_t table_first_page(const struct vpci_fn *f)
{
    return f->msix_table_off & ~(uint64_t)(PAGE_SIZE - 1);
}

/* The guest's entry i, in the shadow page. */
static volatile struct vpci_msix_entry *shadow_entry(const struct vpci_fn *f, unsigned i)
{
    uint8_t *base = phys_to_virt(f->msix_shadow_hpa);
    return (volatile struct vpci_msix_entry *)(base + (f->msix_table_off - table_first_page(f)) +
                                               i * PCI_MSIX_ENTRY_SIZE);
}

static void host_mask(struct vpci_fn *f, unsigned i)
{
    volatile uint32_t *e = f->msix_host + i * ENTRY_WORDS;
    e[PCI_MSIX_ENTRY_CTRL / 4] = PCI_MSIX_ENTRY_MASKED;
    (void)e[PCI_MSIX_ENTRY_CTRL / 4]; /* flush the posted write */
    f->msix_live &= ~(1u << i);
}

static void host_program(struct vpci_fn *f, unsigned i, uint32_t lo, uint32_t hi, uint32_t data)
{
    volatile uint32_t *e = f->msix_host + i * ENTRY_WORDS;
    host_mask(f, i);
    e[PCI_MSIX_ENTRY_ADDR_LO / 4] = lo;
    e[PCI_MSIX_ENTRY_ADDR_HI / 4] = hi;
    e[PCI_MSIX_ENTRY_DATA / 4] = data;
    e[PCI_MSIX_ENTRY_CTRL / 4] = 0;
    f->msix_live |= 1u << i;
}

static void host_ctrl(struct vpci_fn *f, uint16_t ctrl)
{
    uint16_t off = (uint16_t)(f->msix_cap + PCI_MSIX_CTRL);
    uint16_t cur = pci_read16(f->seg, f->bdf, off);
    pci_write16(f->seg, f->bdf, off,
                (uint16_t)((cur & ~(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL)) | ctrl));
}

int vpci_msix_setup(struct guest *g, struct vpci_fn *f, char *err, unsigned errlen)
{
    const struct vpci_bar *b = &f->bar[f->msix_bir];
    uint64_t len = (uint64_t)f->msix_nvec * PCI_MSIX_ENTRY_SIZE;
    if (!b->size || f->msix_table_off + len > b->size) {
        snprintf(err, errlen, "%s: MSI-X table outside a BAR the guest can see", f->label);
        return -1;
    }
    uint64_t first = table_first_page(f);
    f->msix_pages = (uint32_t)((f->msix_table_off + len - 1 - first) / PAGE_SIZE + 1);
    f->msix_shadow_hpa = frames_alloc(f->msix_pages, PAGE_SIZE);
    if (f->msix_shadow_hpa == FRAME_NONE) {
        f->msix_shadow_hpa = 0;
        snprintf(err, errlen, "no memory for the MSI-X shadow of %s", f->label);
        return -1;
    }
    memset(phys_to_virt(f->msix_shadow_hpa), 0, f->msix_pages * PAGE_SIZE);
    for (uint32_t p = 0; p < f->msix_pages; p++)
        if (gpmap_remap_4k(&g->gpmap, b->gpa + first + p * PAGE_SIZE,
                        f->msix_shadow_hpa + p * PAGE_SIZE, GPM_R)) {
            snprintf(err, errlen, "cannot map the MSI-X shadow of %s", f->label);
            return -1;
        }
    f->msix_host = (volatile uint32_t *)mmio_map(b->hpa + f->msix_table_off, len);
    if (vtd_active()) {
        for (unsigned i = 0; i < f->msix_nvec; i++) {
            f->msix_irte[i] = vtd_irte_alloc(f->seg, f->bdf, g->vcpus[0].apic_id, VEC_GUEST_FIRST,
                                             &f->msix_remap_addr[i], &f->msix_remap_data[i]);
            if (f->msix_irte[i] < 0) {
                snprintf(err, errlen, "no interrupt-remapping entry for %s MSI-X %u", f->label, i);
                return -1;
            }
        }
    }
    vpci_msix_reset(f);
    return 0;
}

void vpci_msix_reset(struct vpci_fn *f)
{
    f->msix_ctrl = 0;
    f->msix_live = 0;
    f->msix_denied = 0;
    for (unsigned i = 0; i < f->msix_nvec; i++) {
        volatile struct vpci_msix_entry *s = shadow_entry(f, i);
        s->addr_lo = s->addr_hi = s->data = 0;
        s->ctrl = PCI_MSIX_ENTRY_MASKED;
        f->msix_applied[i] = (struct vpci_msix_entry){ .ctrl = PCI_MSIX_ENTRY_MASKED };
        host_mask(f, i);
    }
    host_ctrl(f, 0);
}

void vpci_msix_disable(struct vpci_fn *f)
{
    for (unsigned i = 0; i < f->msix_nvec; i++)
        host_mask(f, i);
    host_ctrl(f, 0);
}

static void op_mask(void *ctx, struct vpci_fn *f, unsigned i)
{
    (void)ctx;
    host_mask(f, i);
}

static int op_program(void *ctx, struct vpci_fn *f, unsigned i, uint8_t vec, uint32_t apic)
{
    struct guest *g = ctx;
    if (f->msix_irte[i] >= 0) {
        if (vtd_irte_update(f->seg, f->msix_irte[i], f->bdf, apic, vec)) {
            host_mask(f, i);
            log_err("vpci", "%s: %s MSI-X entry %u: remapping entry %d not updated", g->name,
                    f->label, i, f->msix_irte[i]);
            return -1;
        }
        host_program(f, i, (uint32_t)f->msix_remap_addr[i],
                     (uint32_t)(f->msix_remap_addr[i] >> 32), f->msix_remap_data[i]);
    } else {
        /* No IOMMU (unsafe_no_iommu): the checked message itself, fixed delivery, edge. */
        host_program(f, i, 0xfee00000u | apic << 12, 0, vec);
    }
    log_debug("vpci", "%s: %s MSI-X entry %u -> vector %#x on APIC id %u", g->name, f->label,
              i, vec, apic);
    return 0;
}

static void op_refused(void *ctx, const struct vpci_fn *f, unsigned i,
                       const struct vpci_msix_entry *e, const char *why)
{
    struct guest *g = ctx;
    log_warn("vpci", "%s: %s MSI-X entry %u refused (address %#x:%08x data %#x): %s; "
                     "left masked", g->name, f->label, i, e->addr_hi, e->addr_lo, e->data, why);
}

void vpci_msix_sync(struct guest *g, struct vpci_fn *f)
{
    uint32_t apics[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        apics[i] = g->vcpus[i].apic_id;
    const struct vpci_msix_ops ops = { g, op_mask, op_program, op_refused };
    vpci_msix_apply(f, shadow_entry(f, 0), apics, g->nvcpus, g->intr_mode, &ops);
    host_ctrl(f, f->msix_ctrl & PCI_MSIX_CTRL_ENABLE ? PCI_MSIX_CTRL_ENABLE : 0);
}

/* The shadow page of guest-physical `gpa`, if any: function index and page index. */
static int find_page(struct guest *g, uint64_t gpa, uint32_t *page)
{
    for (unsigned n = 0; n < g->vpci.nfns; n++) {
        const struct vpci_fn *f = &g->vpci.fn[n];
        if (!f->msix_cap)
            continue;
        uint64_t first = f->bar[f->msix_bir].gpa + table_first_page(f);
        if (gpa >= first && gpa < first + f->msix_pages * PAGE_SIZE) {
            *page = (uint32_t)((gpa - first) / PAGE_SIZE);
            return (int)n;
        }
    }
    return -1;
}

static int map_shadow(struct guest *g, const struct vpci_fn *f, uint32_t page, bool writable)
{
    uint64_t gpa = f->bar[f->msix_bir].gpa + table_first_page(f) + page * PAGE_SIZE;
    return gpmap_remap_4k(&g->gpmap, gpa, f->msix_shadow_hpa + page * PAGE_SIZE,
                       writable ? GPM_R | GPM_W : GPM_R);
}

bool vpci_ept_write(struct vcpu *v, uint64_t gpa)
{
    return step_page_write(v, STEP_MSIX, gpa);
}

/* The shadowed table page at `gpa` of a running guest (ept_lock held): writable for a step,
 * then read-only again and the entries the step changed reprogrammed. Function pages carry
 * their steppers so two vCPUs stepping the same page leave it writable until both end. */
int vpci_msix_unshadow(struct guest *g, uint64_t gpa)
{
    uint32_t page;
    int n = find_page(g, gpa, &page);
    if (n < 0)
        return -1;
    struct vpci_fn *f = &g->vpci.fn[n];
    if (f->msix_steppers[page]++ == 0 && map_shadow(g, f, page, true))
        return -1;
    return 0;
}

int vpci_msix_reshadow(struct guest *g, uint64_t gpa)
{
    uint32_t page;
    int n = find_page(g, gpa, &page);
    if (n < 0)
        return -1;
    struct vpci_fn *f = &g->vpci.fn[n];
    if (f->msix_steppers[page] && --f->msix_steppers[page])
        return 0;
    if (map_shadow(g, f, page, false)) {
        log_err("vpci", "%s: cannot map the MSI-X shadow of %s back", g->name, f->label);
        return -1;
    }
    vpci_msix_sync(g, f);
    return 0;
}
