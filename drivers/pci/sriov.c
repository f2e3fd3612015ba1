/* SR-IOV enabling from the manifest: VF count, VF BAR placement, VF enable, VF discovery. */
#include <stdio.h>
#include <string.h>

#include "drivers/acpi/acpi.h"
#include "drivers/pci/bar_place.h"
#include "drivers/pci/sriov.h"
#include "kernel/acpi_glue.h"
#include "kernel/log.h"
#include "kernel/tsc.h"

#define PCI_HOLE_END 0xfec00000ull /* IOAPIC, LAPIC and firmware above: never for BARs */
#define PCI_WINDOW_ALIGN (256ull << 20)

static struct sriov_nic nics[MF_MAX_NICS];
static unsigned nnics;

unsigned sriov_nic_count(void) { return nnics; }
struct sriov_nic *sriov_nic_at(unsigned i) { return i < nnics ? &nics[i] : NULL; }

struct sriov_vf *sriov_vf(unsigned nic, unsigned index)
{
    if (nic >= nnics || index >= nics[nic].num_vfs)
        return NULL;
    return &nics[nic].vfs[index];
}

/* Sizes the VF BARs through the SR-IOV BAR registers (9.3.3.14): per-VF size. */
static void size_vf_bars(struct sriov_nic *n)
{
    const struct pci_dev *pf = n->pf;
    for (unsigned i = 0; i < PCI_NUM_BARS;) {
        uint16_t off = pf->ext_sriov + SRIOV_VF_BAR0 + 4 * i;
        uint32_t orig = pci_read32(pf->seg, pf->bdf, off);
        pci_write32(pf->seg, pf->bdf, off, 0xffffffffu);
        uint32_t mask = pci_read32(pf->seg, pf->bdf, off);
        pci_write32(pf->seg, pf->bdf, off, orig);
        struct pci_bar *b = &n->vf_bar[i];
        if (!(mask & PCI_BAR_MEM_MASK)) {
            i++;
            continue;
        }
        uint64_t m = mask & PCI_BAR_MEM_MASK, base = orig & PCI_BAR_MEM_MASK;
        b->prefetch = orig & PCI_BAR_PREFETCH;
        if ((orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64 && i + 1 < PCI_NUM_BARS) {
            uint32_t orig_hi = pci_read32(pf->seg, pf->bdf, off + 4);
            pci_write32(pf->seg, pf->bdf, off + 4, 0xffffffffu);
            m |= (uint64_t)pci_read32(pf->seg, pf->bdf, off + 4) << 32;
            pci_write32(pf->seg, pf->bdf, off + 4, orig_hi);
            base |= (uint64_t)orig_hi << 32;
            b->is64 = true;
            b->size = ~m + 1;
            b->base = base;
            i += 2;
        } else {
            b->size = (uint32_t)(~(uint32_t)m + 1u);
            b->base = base;
            i++;
        }
    }
}

static void write_vf_bar(const struct sriov_nic *n, unsigned i, uint64_t base)
{
    const struct pci_dev *pf = n->pf;
    uint16_t off = pf->ext_sriov + SRIOV_VF_BAR0 + 4 * i;
    uint32_t flags = pci_read32(pf->seg, pf->bdf, off) & ~PCI_BAR_MEM_MASK;
    pci_write32(pf->seg, pf->bdf, off, (uint32_t)base | flags);
    if (n->vf_bar[i].is64)
        pci_write32(pf->seg, pf->bdf, off + 4, (uint32_t)(base >> 32));
}

/* Everything already decoded in the 32-bit space: firmware BARs, ECAM, DMAR units. */
static unsigned collect_used(struct addr_range *used, uint64_t *low)
{
    unsigned n = 0;
    *low = PCI_HOLE_END;
    for (unsigned i = 0; i < pci_count(); i++) {
        const struct pci_dev *d = pci_at(i);
        for (unsigned b = 0; b < PCI_NUM_BARS && n < BAR_PLACE_MAX_USED; b++)
            if (!d->bar[b].io && d->bar[b].size && d->bar[b].base) {
                used[n++] = (struct addr_range){ d->bar[b].base, d->bar[b].size };
                if (d->bar[b].base < PCI_HOLE_END && d->bar[b].base < *low)
                    *low = d->bar[b].base;
            }
    }
    const struct acpi_info *ai = acpi_get();
    if (ai) {
        for (unsigned i = 0; i < ai->mcfg.nwindows && n < BAR_PLACE_MAX_USED; i++)
            used[n++] = (struct addr_range){ ai->mcfg.windows[i].base,
                                             (uint64_t)(ai->mcfg.windows[i].end_bus + 1) << 20 };
        for (unsigned i = 0; i < ai->dmar.ndrhd && n < BAR_PLACE_MAX_USED; i++)
            used[n++] = (struct addr_range){ ai->dmar.drhd[i].reg_base, 0x1000 };
    }
    return n;
}

static int place_vf_bars(struct sriov_nic *n)
{
    static struct addr_range used[BAR_PLACE_MAX_USED];
    uint64_t sizes[PCI_NUM_BARS], out[PCI_NUM_BARS], low;
    unsigned idx[PCI_NUM_BARS], nreq = 0;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        if (n->vf_bar[i].size && !n->vf_bar[i].base) {
            /* All VFs' copies of BAR i form one block; align to its (power of 2) size. */
            uint64_t total = n->vf_bar[i].size * n->num_vfs, p2 = n->vf_bar[i].size;
            while (p2 < total)
                p2 <<= 1;
            idx[nreq] = i;
            sizes[nreq++] = p2;
        }
    if (!nreq)
        return 0;
    unsigned nused = collect_used(used, &low);
    /* The window: the 256 MiB block holding the firmware's lowest 32-bit BAR, up to the
     * IOAPIC; the firmware's own MMIO window (SeaBIOS and OVMF on q35 allocate top-down
     * from 0xfec00000), minus everything already decoded there. */
    uint64_t win = low & ~(PCI_WINDOW_ALIGN - 1);
    if (bar_place(used, nused, win, PCI_HOLE_END, sizes, nreq, out))
        return -1;
    for (unsigned r = 0; r < nreq; r++) {
        n->vf_bar[idx[r]].base = out[r];
        write_vf_bar(n, idx[r], out[r]);
    }
    return 0;
}

static uint8_t vf_owner(const struct mf_manifest *m, unsigned nic, unsigned index)
{
    for (unsigned g = 0; g < m->nguests; g++)
        for (unsigned v = 0; v < m->guests[g].nvfs; v++)
            if (m->guests[g].vf[v].nic == nic && m->guests[g].vf[v].index == index)
                return (uint8_t)g;
    return SRIOV_NO_OWNER;
}

static bool nic_init(const struct mf_manifest *m, unsigned k, struct sriov_nic *n)
{
    const struct mf_nic *mn = &m->nics[k];
    uint16_t bdf = PCI_BDF(mn->pci.bus, mn->pci.dev, mn->pci.fn);
    char b[16];
    memset(n, 0, sizeof(*n));
    n->mf = mn;
    n->pf = pci_find(mn->pci.segment, bdf);
    if (!n->pf) {
        log_err("sriov", "nic %s: no PCI function at %s", mn->name, pci_bdf_str(mn->pci.segment, bdf, b));
        return false;
    }
    struct pci_dev *pf = n->pf;
    pci_bdf_str(pf->seg, pf->bdf, b);
    if (mn->vfs == 0) {
        log_info("sriov", "nic %s at %s: no VFs asked for", mn->name, b);
        return true;
    }
    if (!pf->ext_sriov) {
        log_err("sriov", "nic %s at %s (%04x:%04x) has no SR-IOV capability%s: its %u VFs are refused",
                mn->name, pci_bdf_str(pf->seg, pf->bdf, b), pf->vendor, pf->device,
                pci_has_ecam() ? "" : " (no ECAM: extended configuration space unreachable)", mn->vfs);
        return false;
    }
    uint16_t c = pf->ext_sriov;
    n->total_vfs = pci_read16(pf->seg, pf->bdf, c + SRIOV_TOTAL_VF);
    n->initial_vfs = pci_read16(pf->seg, pf->bdf, c + SRIOV_INITIAL_VF);
    n->vf_device = pci_read16(pf->seg, pf->bdf, c + SRIOV_VF_DID);
    if (mn->vfs > n->total_vfs || mn->vfs > MF_MAX_VFS_PER_NIC) {
        log_err("sriov", "nic %s at %s: the manifest asks for %u VFs but the device has only %u "
                         "(TotalVFs): refused, no VF enabled", mn->name, b, mn->vfs, n->total_vfs);
        return false;
    }
    /* Disable first, then set the page size and NumVFs: offset/stride depend on NumVFs. */
    pci_write16(pf->seg, pf->bdf, c + SRIOV_CTRL, 0);
    pci_write32(pf->seg, pf->bdf, c + SRIOV_SYS_PGSIZE, SRIOV_PGSIZE_4K);
    n->num_vfs = (uint16_t)mn->vfs;
    pci_write16(pf->seg, pf->bdf, c + SRIOV_NUM_VF, n->num_vfs);
    n->offset = pci_read16(pf->seg, pf->bdf, c + SRIOV_VF_OFFSET);
    n->stride = pci_read16(pf->seg, pf->bdf, c + SRIOV_VF_STRIDE);
    size_vf_bars(n);
    if (place_vf_bars(n)) {
        log_err("sriov", "nic %s: no room for the VF BARs below %#llx: VFs not enabled", mn->name,
                PCI_HOLE_END);
        n->num_vfs = 0;
        return false;
    }
    pci_command_set(pf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
    pci_write16(pf->seg, pf->bdf, c + SRIOV_CTRL, SRIOV_CTRL_VFE | SRIOV_CTRL_MSE);
    udelay(SRIOV_VF_ENABLE_WAIT_US);
    log_info("sriov", "nic %s at %s (%04x:%04x): TotalVFs %u InitialVFs %u, VF offset %#x stride %u, "
                      "VF device %#06x; %u VFs enabled", mn->name, b, pf->vendor, pf->device,
             n->total_vfs, n->initial_vfs, n->offset, n->stride, n->vf_device, n->num_vfs);
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        if (n->vf_bar[i].size)
            log_info("sriov", "  VF BAR%u: %#lx per VF at %#lx-%#lx%s", i, n->vf_bar[i].size,
                     n->vf_bar[i].base, n->vf_bar[i].base + n->vf_bar[i].size * n->num_vfs - 1,
                     n->vf_bar[i].is64 ? " (64-bit)" : "");
    bool ok = true;
    for (unsigned i = 0; i < n->num_vfs; i++) {
        struct sriov_vf *vf = &n->vfs[i];
        vf->bdf = sriov_vf_rid(pf->bdf, n->offset, n->stride, i);
        vf->owner = vf_owner(m, k, i);
        vf->dev = pci_add_vf(pf->seg, vf->bdf, pf->bdf);
        if (!vf->dev) {
            ok = false;
            continue;
        }
        /* The VF's own BAR registers read zero (9.3.4.1.11): record where the PF put them. */
        for (unsigned bi = 0; bi < PCI_NUM_BARS; bi++)
            if (n->vf_bar[bi].size) {
                vf->dev->bar[bi] = n->vf_bar[bi];
                vf->dev->bar[bi].base += n->vf_bar[bi].size * i;
            }
        /* VF vendor/device ids read 0xffff (9.3.4.1.1/2): they are the PF's and VF Device ID. */
        vf->dev->vendor = pf->vendor;
        vf->dev->device = n->vf_device;
        pci_command_set(vf->dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
        log_info("sriov", "  VF%u %s owner %s", i, pci_bdf_str(pf->seg, vf->bdf, b),
                 vf->owner == SRIOV_NO_OWNER ? "none (blocked from DMA)" : m->guests[vf->owner].name);
    }
    return ok;
}

bool sriov_init(const struct mf_manifest *m)
{
    bool ok = true;
    nnics = 0;
    for (unsigned k = 0; m && k < m->nnics && k < MF_MAX_NICS; k++) {
        ok &= nic_init(m, k, &nics[k]);
        nnics = k + 1;
    }
    return ok;
}
