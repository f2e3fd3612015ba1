/* VT-d DMA remapping: unit bring-up, root/context tables, domains, invalidation (VT-d 4.x
 * chapters 3, 6, 9, 10). */
#include <stdio.h>
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/pci/sriov.h"
#include "drivers/vtd/vtd_priv.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/tsc.h"

#define CACHE_LINE 64
#define VTD_MAX_DOMAIN_TABLES 64

struct vtd_unit vtd_units[VTD_MAX_UNITS];
unsigned vtd_nunits;
static bool active;
static bool any_noncoherent;
static struct vtd_domain domains[VTD_MAX_DOMAINS];
static unsigned ndomains;
/* Table pages of every domain, written back after each change when a unit does not snoop. */
static uint64_t table_pages[VTD_MAX_DOMAINS][VTD_MAX_DOMAIN_TABLES];
static unsigned ntable_pages[VTD_MAX_DOMAINS];
static struct { uint16_t seg, bdf; uint8_t guest; } owners[MF_MAX_GUESTS * (MF_MAX_GUEST_VFS + MF_MAX_GUEST_PCI)];
static unsigned nowners;

uint32_t vtd_read32(const struct vtd_unit *u, unsigned off) { return *(volatile uint32_t *)(u->regs + off); }
uint64_t vtd_read64(const struct vtd_unit *u, unsigned off) { return *(volatile uint64_t *)(u->regs + off); }
void vtd_write32(struct vtd_unit *u, unsigned off, uint32_t v) { *(volatile uint32_t *)(u->regs + off) = v; }
void vtd_write64(struct vtd_unit *u, unsigned off, uint64_t v) { *(volatile uint64_t *)(u->regs + off) = v; }

bool vtd_active(void) { return active; }

static bool wait_bits32(struct vtd_unit *u, unsigned off, uint32_t mask, uint32_t want)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(VTD_TIMEOUT_US);
    while ((vtd_read32(u, off) & mask) != want)
        if (rdtsc() > end)
            return false;
    return true;
}

static bool wait_clear64(struct vtd_unit *u, unsigned off, uint64_t mask)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(VTD_TIMEOUT_US);
    while (vtd_read64(u, off) & mask)
        if (rdtsc() > end)
            return false;
    return true;
}

/* 10.4.4: GCMD is written with the current persistent states plus the one change. */
int vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on)
{
    uint32_t sts = vtd_read32(u, VTD_GSTS) & ~VTD_GCMD_ONESHOT;
    vtd_write32(u, VTD_GCMD, on ? sts | bit : sts & ~bit);
    /* One-shot commands report completion by their status bit going to 1. */
    return wait_bits32(u, VTD_GSTS, bit, on ? bit : 0) ? 0 : -1;
}

void vtd_flush(const struct vtd_unit *u, const void *p, uint64_t len)
{
    if (u && u->coherent)
        return;
    const volatile uint8_t *c = (const volatile uint8_t *)((uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1));
    for (; c < (const volatile uint8_t *)p + len; c += CACHE_LINE)
        __asm__ volatile("clflush %0" ::"m"(*c) : "memory");
    __asm__ volatile("mfence" ::: "memory");
}

static void flush_all_units(const void *p, uint64_t len)
{
    if (any_noncoherent)
        vtd_flush(NULL, p, len);
}

int vtd_qi_submit(struct vtd_unit *u, struct vtd_entry128 d)
{
    unsigned t = u->iq_tail;
    u->iq[t] = d;
    *u->wait_status = 0;
    u->iq[(t + 1) % VTD_QI_ENTRIES] = (struct vtd_entry128){
        .lo = VTD_QI_WAIT | VTD_QI_WAIT_SW | VTD_QI_WAIT_FN | (uint64_t)1 << 32,
        .hi = u->wait_status_phys,
    };
    vtd_flush(u, &u->iq[t], 16);
    vtd_flush(u, &u->iq[(t + 1) % VTD_QI_ENTRIES], 16);
    u->iq_tail = (t + 2) % VTD_QI_ENTRIES;
    vtd_write64(u, VTD_IQT, (uint64_t)u->iq_tail * 16);
    uint64_t end = rdtsc() + tsc_us_to_cycles(VTD_TIMEOUT_US);
    while (*(volatile uint32_t *)u->wait_status != 1) {
        if (vtd_read32(u, VTD_FSTS) & VTD_FSTS_IQE) {
            log_err("vtd", "invalidation queue error (descriptor %#lx)", d.lo);
            return -1;
        }
        if (rdtsc() > end) {
            log_err("vtd", "invalidation wait timed out (descriptor %#lx)", d.lo);
            return -1;
        }
    }
    return 0;
}

/* Global context-cache and IOTLB invalidation (6.5 queued, 11.4.5/11.4.8 registers). */
static int invalidate_all(struct vtd_unit *u)
{
    uint64_t f = spin_lock_irqsave(&u->lock);
    int rc = 0;
    if (u->qi) {
        rc |= vtd_qi_submit(u, (struct vtd_entry128){ VTD_QI_CC | VTD_QI_GRAN_GLOBAL, 0 });
        rc |= vtd_qi_submit(u, (struct vtd_entry128){ VTD_QI_IOTLB | VTD_QI_GRAN_GLOBAL |
                                                          VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW, 0 });
    } else {
        vtd_write64(u, VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
        if (!wait_clear64(u, VTD_CCMD, VTD_CCMD_ICC))
            rc = -1;
        unsigned iotlb = VTD_ECAP_IRO(u->ecap) + VTD_IOTLB_REG;
        vtd_write64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL | VTD_IOTLB_DRAIN);
        if (!wait_clear64(u, iotlb, VTD_IOTLB_IVT))
            rc = -1;
    }
    spin_unlock_irqrestore(&u->lock, f);
    if (rc)
        log_err("vtd", "unit at %#lx: invalidation failed", u->drhd->reg_base);
    return rc;
}

struct vtd_unit *vtd_unit_for(uint16_t seg, uint16_t bdf)
{
    const struct acpi_info *ai = acpi_get();
    const struct acpi_dmar_drhd *h = ai ? acpi_dmar_find_drhd(&ai->dmar, seg, bdf) : NULL;
    for (unsigned i = 0; h && i < vtd_nunits; i++)
        if (vtd_units[i].drhd == h)
            return &vtd_units[i];
    return NULL;
}

/* ---- domains ---- */
static uint64_t dom_alloc_table(void *ctx)
{
    struct vtd_domain *d = ctx;
    unsigned k = (unsigned)(d - domains);
    if (ntable_pages[k] >= VTD_MAX_DOMAIN_TABLES)
        return UINT64_MAX;
    uint64_t p = frames_alloc(1, FRAME_SIZE);
    if (p == FRAME_NONE)
        return UINT64_MAX;
    table_pages[k][ntable_pages[k]++] = p;
    return p;
}

static uint64_t *dom_table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys_to_virt(phys);
}

static struct vtd_domain *domain_new(uint8_t guest, const char *name)
{
    if (ndomains >= VTD_MAX_DOMAINS)
        return NULL;
    struct vtd_domain *d = &domains[ndomains++];
    memset(d, 0, sizeof(*d));
    d->id = (uint16_t)ndomains; /* 1 = hypervisor, guests from 2 */
    d->guest = guest;
    d->name = name;
    d->pt = (struct pt){ .fmt = &pt_format_vtd_sl, .alloc_table = dom_alloc_table,
                         .table_ptr = dom_table_ptr, .ctx = d };
    d->pt.root_phys = dom_alloc_table(d);
    return d->pt.root_phys == UINT64_MAX ? NULL : d;
}

void vtd_usage(struct vtd_usage *out)
{
    *out = (struct vtd_usage){ .domains = ndomains };
    /* Domains, their table lists and the context tables: built on the boot CPU before any
     * guest runs, read-only afterwards (nothing at run time maps into a domain or attaches
     * a device). */
    for (unsigned k = 0; k < ndomains; k++) {
        out->domain_table_pages += ntable_pages[k];
        out->domain_mapped_pages += domains[k].pages;
    }
    for (unsigned i = 0; i < vtd_nunits; i++) {
        for (unsigned bus = 0; bus < 256; bus++)
            out->context_table_pages += vtd_units[i].ctx[bus] != NULL;
        out->irtes_in_use += vtd_ir_in_use(&vtd_units[i]);
    }
}

struct vtd_domain *vtd_domain_of(uint8_t guest)
{
    for (unsigned i = 0; i < ndomains; i++)
        if (domains[i].guest == guest)
            return &domains[i];
    return NULL;
}

bool vtd_guest_memory(uint8_t guest, uint64_t *hpa, uint64_t *size)
{
    struct vtd_domain *d = guest == VTD_NO_GUEST ? NULL : vtd_domain_of(guest);
    if (!d || !d->mem_hpa)
        return false;
    *hpa = d->mem_hpa;
    *size = d->mem_size;
    return true;
}

int vtd_domain_map(struct vtd_domain *d, uint64_t iova, uint64_t hpa, uint64_t size, uint64_t attrs)
{
    unsigned allow = 0;
    uint64_t sllps = ~0ull;
    for (unsigned i = 0; i < vtd_nunits; i++)
        sllps &= VTD_CAP_SLLPS(vtd_units[i].cap);
    if (sllps & 1)
        allow |= PT_ALLOW_2M;
    if (sllps & 2)
        allow |= PT_ALLOW_1G;
    int rc = pt_map(&d->pt, iova, hpa, size, attrs & VTD_SL_RW, allow);
    if (rc)
        return rc;
    d->pages += size / FRAME_SIZE;
    unsigned k = (unsigned)(d - domains);
    for (unsigned i = 0; i < ntable_pages[k]; i++)
        flush_all_units(phys_to_virt(table_pages[k][i]), FRAME_SIZE);
    for (unsigned i = 0; active && i < vtd_nunits; i++)
        if (invalidate_all(&vtd_units[i]))
            return -1;
    return 0;
}

int vtd_attach(uint16_t seg, uint16_t bdf, struct vtd_domain *d)
{
    struct vtd_unit *u = vtd_unit_for(seg, bdf);
    if (!u)
        return -1;
    uint8_t bus = PCI_BDF_BUS(bdf), devfn = (uint8_t)(bdf & 0xff);
    if (!u->ctx[bus]) {
        uint64_t p = frames_alloc(1, FRAME_SIZE);
        if (p == FRAME_NONE)
            return -1;
        u->ctx[bus] = phys_to_virt(p);
        vtd_flush(u, u->ctx[bus], FRAME_SIZE);
        u->root[bus] = vtd_root_entry(p);
        vtd_flush(u, &u->root[bus], 16);
    }
    struct vtd_entry128 *ce = &u->ctx[bus][devfn];
    ce->lo = 0; /* not present while it changes */
    vtd_flush(u, ce, 16);
    if (d) {
        struct vtd_entry128 e = vtd_context_entry(d->pt.root_phys, d->id, u->aw);
        ce->hi = e.hi;
        __asm__ volatile("" ::: "memory");
        ce->lo = e.lo;
        vtd_flush(u, ce, 16);
    }
    return active ? invalidate_all(u) : 0;
}

uint8_t vtd_owner_of(uint16_t seg, uint16_t bdf)
{
    for (unsigned i = 0; i < nowners; i++)
        if (owners[i].seg == seg && owners[i].bdf == bdf)
            return owners[i].guest;
    return VTD_NO_GUEST;
}

/* ---- bring-up ---- */
static int unit_init(struct vtd_unit *u, const struct acpi_dmar_drhd *h, unsigned haw)
{
    memset(u, 0, sizeof(*u));
    u->drhd = h;
    u->regs = mmio_map(h->reg_base, FRAME_SIZE << h->size);
    u->cap = vtd_read64(u, VTD_CAP);
    u->ecap = vtd_read64(u, VTD_ECAP);
    u->coherent = u->ecap & VTD_ECAP_C;
    u->aw = vtd_pick_aw(VTD_CAP_SAGAW(u->cap), haw);
    uint32_t ver = vtd_read32(u, VTD_VER);
    log_info("vtd", "unit at %#lx: version %u.%u, CAP %#lx ECAP %#lx: SAGAW %#lx MGAW %u, %u fault "
                    "record(s), QI %s, IR %s, EIM %s, PT %s, posted interrupts %s, %s",
             h->reg_base, (ver >> 4) & 0xf, ver & 0xf, u->cap, u->ecap, VTD_CAP_SAGAW(u->cap),
             VTD_CAP_MGAW(u->cap), VTD_CAP_NFR(u->cap), u->ecap & VTD_ECAP_QI ? "yes" : "no",
             u->ecap & VTD_ECAP_IR ? "yes" : "no", u->ecap & VTD_ECAP_EIM ? "yes" : "no",
             u->ecap & VTD_ECAP_PT ? "yes" : "no", u->cap & VTD_CAP_PI ? "yes" : "no",
             u->coherent ? "coherent walks (C=1)"
                         : "non-coherent walks (C=0): tables written back with clflush "
                           "(an emulator does not check this; real hardware does)");
    if (!u->aw) {
        log_err("vtd", "unit at %#lx: no 4-level (48-bit) second-level tables (SAGAW %#lx): unit not used",
                h->reg_base, VTD_CAP_SAGAW(u->cap));
        return -1;
    }
    if (vtd_read32(u, VTD_GSTS) & VTD_GCMD_TE)
        log_warn("vtd", "unit at %#lx: translation was left on by the firmware; taking over",
                 h->reg_base);
    uint64_t root = frames_alloc(1, FRAME_SIZE);
    uint64_t iq = frames_alloc(2, FRAME_SIZE);
    if (root == FRAME_NONE || iq == FRAME_NONE)
        return -1;
    u->root_phys = root;
    u->root = phys_to_virt(root);
    vtd_flush(u, u->root, FRAME_SIZE);
    vtd_write64(u, VTD_RTADDR, root); /* TTM 00: legacy root/context tables */
    if (vtd_gcmd(u, VTD_GCMD_SRTP, true)) {
        log_err("vtd", "unit at %#lx: root table pointer not latched", h->reg_base);
        return -1;
    }
    if (u->cap & VTD_CAP_RWBF)
        (void)vtd_gcmd(u, VTD_GCMD_WBF, true);
    if (u->ecap & VTD_ECAP_QI) {
        u->iq_phys = iq;
        u->iq = phys_to_virt(iq);
        u->wait_status_phys = iq + FRAME_SIZE;
        u->wait_status = phys_to_virt(iq + FRAME_SIZE);
        vtd_write64(u, VTD_IQT, 0);
        vtd_write64(u, VTD_IQA, iq); /* 128-bit descriptors, 256 entries */
        if (vtd_gcmd(u, VTD_GCMD_QIE, true)) {
            log_warn("vtd", "unit at %#lx: queued invalidation did not enable: register-based",
                     h->reg_base);
        } else {
            u->qi = true;
        }
    }
    vtd_fault_init(u);
    return 0;
}

static bool has_rmrr(const struct acpi_dmar *dmar, uint16_t seg, uint16_t bdf)
{
    for (unsigned i = 0; i < dmar->nrmrr; i++)
        for (unsigned j = 0; j < dmar->rmrr[i].nscopes; j++)
            if (dmar->rmrr[i].segment == seg && dmar->rmrr[i].scopes[j].resolved &&
                dmar->rmrr[i].scopes[j].bdf == bdf)
                return true;
    return false;
}

/* RMRR regions stay reachable for their devices: identity-mapped in a domain of their own. */
static void map_rmrrs(const struct acpi_dmar *dmar)
{
    for (unsigned i = 0; i < dmar->nrmrr; i++) {
        const struct acpi_dmar_rmrr *r = &dmar->rmrr[i];
        struct vtd_domain *d = domain_new(VTD_NO_GUEST - 1, "rmrr");
        uint64_t base = r->base & ~(FRAME_SIZE - 1), end = (r->limit | (FRAME_SIZE - 1)) + 1;
        if (!d || vtd_domain_map(d, base, base, end - base, VTD_SL_RW)) {
            log_err("vtd", "RMRR %#lx-%#lx: cannot build its identity map", r->base, r->limit);
            continue;
        }
        for (unsigned j = 0; j < r->nscopes; j++)
            if (r->scopes[j].resolved && vtd_attach(r->segment, r->scopes[j].bdf, d) == 0)
                log_info("vtd", "RMRR %#lx-%#lx identity-mapped for %02x:%02x.%x (domain %u)",
                         r->base, r->limit, PCI_BDF_BUS(r->scopes[j].bdf),
                         PCI_BDF_DEV(r->scopes[j].bdf), PCI_BDF_FN(r->scopes[j].bdf), d->id);
    }
}

/* Gives `bdf` to guest `g`, or says why not. */
static bool assign(const struct mf_manifest *m, const struct acpi_dmar *dmar, uint8_t g,
                   uint16_t seg, uint16_t bdf)
{
    char b[16];
    pci_bdf_str(seg, bdf, b);
    if (!vtd_unit_for(seg, bdf)) {
        log_err("vtd", "%s cannot be assigned to %s: no DMAR unit's scope covers it", b,
                m->guests[g].name);
        return false;
    }
    if (has_rmrr(dmar, seg, bdf)) {
        log_err("vtd", "%s cannot be assigned to %s: the firmware reserves memory for it (RMRR), "
                       "so its DMA could not be confined to the guest", b, m->guests[g].name);
        return false;
    }
    if (vtd_attach(seg, bdf, vtd_domain_of(g))) {
        log_err("vtd", "%s: context entry for %s not written", b, m->guests[g].name);
        return false;
    }
    if (nowners < sizeof(owners) / sizeof(owners[0]))
        owners[nowners++] = (typeof(owners[0])){ seg, bdf, g };
    return true;
}

static uint8_t read8_cb(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    (void)ctx;
    return pci_read8(seg, PCI_BDF(bus, dev, fn), off);
}

static void report_cb(void *ctx, const char *line)
{
    (void)ctx;
    log_warn("vtd", "%s", line);
}

static bool guest_owns_devices(const struct mf_guest *g)
{
    return g->nvfs || g->npci;
}

static bool build_guest_domains(const struct mf_manifest *m)
{
    bool ok = true;
    for (unsigned g = 0; g < m->nguests; g++) {
        const struct mf_guest *mg = &m->guests[g];
        if (!guest_owns_devices(mg))
            continue;
        struct vtd_domain *d = domain_new((uint8_t)g, mg->name);
        uint64_t hpa = frames_alloc(mg->memory / FRAME_SIZE, PAGE_2M);
        if (!d || hpa == FRAME_NONE) {
            log_err("vtd", "guest %s: no memory for its %lu MiB or its domain", mg->name, mg->memory >> 20);
            ok = false;
            continue;
        }
        d->mem_hpa = hpa;
        d->mem_size = mg->memory;
        /* Exactly the guest's RAM, as its EPT maps it: GPA 0..size -> its host block. */
        if (vtd_domain_map(d, 0, hpa, mg->memory, VTD_SL_RW)) {
            log_err("vtd", "guest %s: second-level tables not built", mg->name);
            ok = false;
        }
    }
    return ok;
}

static bool assign_all(const struct mf_manifest *m, const struct acpi_dmar *dmar)
{
    bool ok = true;
    for (unsigned g = 0; g < m->nguests; g++) {
        const struct mf_guest *mg = &m->guests[g];
        for (unsigned v = 0; v < mg->nvfs; v++) {
            struct sriov_vf *vf = sriov_vf(mg->vf[v].nic, mg->vf[v].index);
            if (!vf) {
                log_err("vtd", "guest %s: VF %u of nic %s was not enabled: not assigned", mg->name,
                        mg->vf[v].index, m->nics[mg->vf[v].nic].name);
                ok = false;
                continue;
            }
            ok &= assign(m, dmar, (uint8_t)g, m->nics[mg->vf[v].nic].pci.segment, vf->bdf);
        }
        for (unsigned p = 0; p < mg->npci; p++) {
            /* With an IOMMU present every assigned function is behind it, whatever
             * unsafe_no_iommu says. */
            const struct mf_pci_addr *a = &mg->pci[p].address;
            ok &= assign(m, dmar, (uint8_t)g, a->segment, PCI_BDF(a->bus, a->dev, a->fn));
        }
    }
    /* The NIC PFs DMA into buffers their driver maps in the hypervisor domain. */
    struct vtd_domain *hv = vtd_domain_of(VTD_NO_GUEST);
    for (unsigned k = 0; k < sriov_nic_count(); k++) {
        const struct sriov_nic *n = sriov_nic_at(k);
        if (n->pf && vtd_attach(n->pf->seg, n->pf->bdf, hv))
            log_warn("vtd", "nic %s: PF outside every DMAR scope: its DMA is not remapped",
                     n->mf->name);
    }
    return ok;
}

static void log_domains(void)
{
    for (unsigned i = 0; i < vtd_nunits; i++) {
        const struct vtd_unit *u = &vtd_units[i];
        unsigned nctx = 0;
        for (unsigned bus = 0; bus < 256; bus++)
            for (unsigned df = 0; u->ctx[bus] && df < 256; df++)
                nctx += (u->ctx[bus][df].lo & VTD_CTX_P) != 0;
        log_info("vtd", "unit at %#lx: %u domain(s), %u context entr%s; every other device "
                        "is blocked (no context entry)", u->drhd->reg_base, ndomains, nctx,
                 nctx == 1 ? "y" : "ies");
    }
    for (unsigned i = 0; i < ndomains; i++) {
        const struct vtd_domain *d = &domains[i];
        if (d->guest < MF_MAX_GUESTS)
            log_info("vtd", "  domain %u: guest %s, GPA 0-%#lx -> host %#lx, %lu pages", d->id,
                     d->name, d->mem_size - 1, d->mem_hpa, d->pages);
        else
            log_info("vtd", "  domain %u: %s, %lu pages mapped", d->id,
                     d->guest == VTD_NO_GUEST ? "hypervisor DMA (PF buffers, identity)" : d->name,
                     d->pages);
        for (unsigned k = 0; k < nowners; k++)
            if (owners[k].guest == d->guest) {
                char b[16];
                log_info("vtd", "    device %s", pci_bdf_str(owners[k].seg, owners[k].bdf, b));
            }
    }
}

bool vtd_init(const struct mf_manifest *m)
{
    struct acpi_info *ai = acpi_get();
    if (!ai || !ai->dmar.present || !ai->dmar.ndrhd) {
        log_info("vtd", "no DMAR table: no IOMMU; devices can be assigned only with "
                        "unsafe_no_iommu");
        return true;
    }
    struct acpi_env env = { .map = NULL, .report = report_cb, .ctx = NULL };
    int bad = acpi_dmar_resolve(&env, &ai->dmar, read8_cb, NULL);
    if (bad)
        log_warn("vtd", "%d DMAR device scope(s) did not resolve", bad);
    for (unsigned i = 0; i < ai->dmar.ndrhd && vtd_nunits < VTD_MAX_UNITS; i++) {
        struct vtd_unit *u = &vtd_units[vtd_nunits];
        if (unit_init(u, &ai->dmar.drhd[i], ai->dmar.host_address_width) == 0) {
            vtd_nunits++;
            any_noncoherent |= !u->coherent;
        }
    }
    if (!vtd_nunits) {
        log_err("vtd", "no usable DMAR unit: nothing can be assigned");
        return false;
    }
    domain_new(VTD_NO_GUEST, "hypervisor"); /* id 1 */
    bool ok = build_guest_domains(m);
    map_rmrrs(&ai->dmar);
    ok &= assign_all(m, &ai->dmar);
    for (unsigned i = 0; i < vtd_nunits; i++) {
        struct vtd_unit *u = &vtd_units[i];
        if (vtd_ir_init(u))
            ok = false;
        if (invalidate_all(u) || vtd_gcmd(u, VTD_GCMD_TE, true)) {
            log_err("vtd", "unit at %#lx: translation did not enable", u->drhd->reg_base);
            ok = false;
            continue;
        }
        log_info("vtd", "unit at %#lx: DMA remapping enabled (legacy root/context tables, %s "
                        "invalidation)", u->drhd->reg_base, u->qi ? "queued" : "register-based");
    }
    active = true;
    log_domains();
    return ok;
}
