/* PCIe configuration access, bus enumeration, BAR sizing and capability parsing. */
#include <stdio.h>
#include <string.h>

#include "drivers/acpi/acpi.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/tsc.h"

/* Legacy configuration mechanism #1 (PCI 3.0 section 3.2.2.3.2). */
#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_CONF_ENABLE (1u << 31)

struct ecam_window {
    const struct acpi_mcfg_window *w;
    volatile uint8_t *va; /* bus start_bus */
};

static struct ecam_window ecam[ACPI_MAX_MCFG];
static unsigned necam;
static struct spinlock cf8_lock;
static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned ndevs;

bool pci_has_ecam(void) { return necam > 0; }

/* ECAM: 4 KiB per function, bus << 20 | dev << 15 | fn << 12 (PCIe 4.0 section 7.2.2). */
static volatile uint8_t *ecam_addr(uint16_t seg, uint16_t bdf, uint16_t off)
{
    uint8_t bus = PCI_BDF_BUS(bdf);
    for (unsigned i = 0; i < necam; i++) {
        const struct acpi_mcfg_window *w = ecam[i].w;
        if (w->segment == seg && bus >= w->start_bus && bus <= w->end_bus)
            return ecam[i].va + ((uint64_t)(bdf - (w->start_bus << 8)) << 12) + off;
    }
    return NULL;
}

static uint32_t cf8_read32(uint16_t bdf, uint16_t off)
{
    uint64_t f = spin_lock_irqsave(&cf8_lock);
    outl(PCI_CONF_ADDR, PCI_CONF_ENABLE | (uint32_t)bdf << 8 | (off & 0xfc));
    uint32_t v = inl(PCI_CONF_DATA);
    spin_unlock_irqrestore(&cf8_lock, f);
    return v;
}

static void cf8_write32(uint16_t bdf, uint16_t off, uint32_t v)
{
    uint64_t f = spin_lock_irqsave(&cf8_lock);
    outl(PCI_CONF_ADDR, PCI_CONF_ENABLE | (uint32_t)bdf << 8 | (off & 0xfc));
    outl(PCI_CONF_DATA, v);
    spin_unlock_irqrestore(&cf8_lock, f);
}

uint32_t pci_read32(uint16_t seg, uint16_t bdf, uint16_t off)
{
    if (necam) {
        volatile uint8_t *a = ecam_addr(seg, bdf, off & 0xffc);
        return a ? *(volatile uint32_t *)a : 0xffffffffu;
    }
    if (seg || off >= 0x100)
        return 0xffffffffu;
    return cf8_read32(bdf, off);
}

void pci_write32(uint16_t seg, uint16_t bdf, uint16_t off, uint32_t v)
{
    if (necam) {
        volatile uint8_t *a = ecam_addr(seg, bdf, off & 0xffc);
        if (a)
            *(volatile uint32_t *)a = v;
    } else if (!seg && off < 0x100) {
        cf8_write32(bdf, off, v);
    }
}

uint16_t pci_read16(uint16_t seg, uint16_t bdf, uint16_t off)
{
    return (uint16_t)(pci_read32(seg, bdf, off & ~3u) >> ((off & 2) * 8));
}

uint8_t pci_read8(uint16_t seg, uint16_t bdf, uint16_t off)
{
    return (uint8_t)(pci_read32(seg, bdf, off & ~3u) >> ((off & 3) * 8));
}

/* 16-bit writes as read-modify-write of the dword; only used on registers where the other
 * half has no write-1-to-clear bits we could disturb (command, control words). */
void pci_write16(uint16_t seg, uint16_t bdf, uint16_t off, uint16_t v)
{
    if (necam) {
        volatile uint8_t *a = ecam_addr(seg, bdf, off);
        if (a)
            *(volatile uint16_t *)a = v;
        return;
    }
    uint32_t shift = (off & 2) * 8;
    uint32_t old = pci_read32(seg, bdf, off & ~3u);
    if (off == PCI_COMMAND)
        old &= 0xffffu; /* the status half is write-1-to-clear */
    pci_write32(seg, bdf, off & ~3u, (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

const char *pci_bdf_str(uint16_t seg, uint16_t bdf, char buf[16])
{
    snprintf(buf, 16, "%04x:%02x:%02x.%x", seg, PCI_BDF_BUS(bdf), PCI_BDF_DEV(bdf),
             PCI_BDF_FN(bdf));
    return buf;
}

uint8_t pci_find_cap(uint16_t seg, uint16_t bdf, uint8_t id)
{
    if (!(pci_read16(seg, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    uint8_t p = pci_read8(seg, bdf, PCI_CAP_PTR) & 0xfc;
    for (int guard = 0; p >= 0x40 && guard < 48; guard++) {
        if (pci_read8(seg, bdf, p) == id)
            return p;
        p = pci_read8(seg, bdf, p + 1) & 0xfc;
    }
    return 0;
}

uint16_t pci_find_ext_cap(uint16_t seg, uint16_t bdf, uint16_t id)
{
    if (!necam)
        return 0; /* extended space needs ECAM */
    uint16_t p = PCI_EXT_CAP_START;
    for (int guard = 0; p >= PCI_EXT_CAP_START && guard < 96; guard++) {
        uint32_t h = pci_read32(seg, bdf, p);
        if (h == 0 || h == 0xffffffffu)
            return 0;
        if (PCI_EXT_CAP_ID(h) == id)
            return p;
        p = (uint16_t)PCI_EXT_CAP_NEXT(h);
    }
    return 0;
}

/* BAR sizing (PCI 3.0 section 6.2.5.1): write all ones with decoding off, read the mask. */
static unsigned size_bar(struct pci_dev *d, unsigned i, unsigned nbars)
{
    uint16_t off = PCI_BAR0 + 4 * i;
    uint32_t orig = pci_read32(d->seg, d->bdf, off);
    struct pci_bar *b = &d->bar[i];
    pci_write32(d->seg, d->bdf, off, 0xffffffffu);
    uint32_t mask = pci_read32(d->seg, d->bdf, off);
    pci_write32(d->seg, d->bdf, off, orig);
    if (mask == 0 || mask == 0xffffffffu)
        return 1;
    if (orig & PCI_BAR_IO) {
        b->io = true;
        b->base = orig & ~3u;
        b->size = (uint16_t)~(mask & ~3u) + 1u;
        return 1;
    }
    b->prefetch = orig & PCI_BAR_PREFETCH;
    uint64_t m = mask & PCI_BAR_MEM_MASK, base = orig & PCI_BAR_MEM_MASK;
    if ((orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64 && i + 1 < nbars) {
        uint32_t orig_hi = pci_read32(d->seg, d->bdf, off + 4);
        pci_write32(d->seg, d->bdf, off + 4, 0xffffffffu);
        uint32_t mask_hi = pci_read32(d->seg, d->bdf, off + 4);
        pci_write32(d->seg, d->bdf, off + 4, orig_hi);
        b->is64 = true;
        m |= (uint64_t)mask_hi << 32;
        base |= (uint64_t)orig_hi << 32;
        b->size = ~m + 1;
        b->base = base;
        return 2;
    }
    b->size = (uint32_t)(~(uint32_t)m + 1u);
    b->base = base;
    return 1;
}

static void parse_caps(struct pci_dev *d)
{
    d->cap_exp = pci_find_cap(d->seg, d->bdf, PCI_CAP_ID_EXP);
    d->cap_msi = pci_find_cap(d->seg, d->bdf, PCI_CAP_ID_MSI);
    d->ext_sriov = d->is_vf ? 0 : pci_find_ext_cap(d->seg, d->bdf, PCI_EXT_CAP_ID_SRIOV);
    if (d->cap_exp)
        d->flr = pci_read32(d->seg, d->bdf, d->cap_exp + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR;
    uint8_t mx = pci_find_cap(d->seg, d->bdf, PCI_CAP_ID_MSIX);
    if (mx) {
        uint32_t t = pci_read32(d->seg, d->bdf, mx + PCI_MSIX_TABLE);
        uint32_t p = pci_read32(d->seg, d->bdf, mx + PCI_MSIX_PBA);
        d->msix = (struct pci_msix){
            .cap = mx,
            .nvec = (uint16_t)((pci_read16(d->seg, d->bdf, mx + PCI_MSIX_CTRL) &
                                PCI_MSIX_CTRL_SIZE_MASK) + 1),
            .table_bir = t & PCI_MSIX_BIR_MASK, .table_off = t & ~PCI_MSIX_BIR_MASK,
            .pba_bir = p & PCI_MSIX_BIR_MASK, .pba_off = p & ~PCI_MSIX_BIR_MASK,
        };
    }
}

static void log_dev(const struct pci_dev *d)
{
    char line[320], bdf[16];
    int n = snprintf(line, sizeof(line), "%s %04x:%04x class %06x%s%s", pci_bdf_str(d->seg, d->bdf, bdf),
                     d->vendor, d->device, d->class_rev >> 8, d->is_vf ? " VF" : "",
                     d->ext_sriov ? " SR-IOV" : "");
    for (unsigned i = 0; i < PCI_NUM_BARS && n < (int)sizeof(line); i++)
        if (d->bar[i].size)
            n += snprintf(line + n, sizeof(line) - (size_t)n, " BAR%u %s%#lx+%#lx%s", i,
                          d->bar[i].io ? "io " : "", d->bar[i].base, d->bar[i].size,
                          d->bar[i].is64 ? (d->bar[i].prefetch ? " 64p" : " 64") : "");
    if (d->msix.cap && n < (int)sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, " MSI-X %u (table BAR%u+%#x, PBA BAR%u+%#x)",
                      d->msix.nvec, d->msix.table_bir, d->msix.table_off, d->msix.pba_bir,
                      d->msix.pba_off);
    if (d->flr && n < (int)sizeof(line))
        snprintf(line + n, sizeof(line) - (size_t)n, " FLR");
    log_info("pci", "%s", line);
}

static struct pci_dev *add_dev(uint16_t seg, uint16_t bdf, bool is_vf, uint16_t pf_bdf)
{
    if (ndevs >= PCI_MAX_DEVS) {
        log_warn("pci", "more than %u functions: the rest are not tracked", PCI_MAX_DEVS);
        return NULL;
    }
    struct pci_dev *d = &devs[ndevs++];
    memset(d, 0, sizeof(*d));
    uint32_t id = pci_read32(seg, bdf, PCI_VENDOR_ID);
    d->seg = seg;
    d->bdf = bdf;
    d->is_vf = is_vf;
    d->pf_bdf = pf_bdf;
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    d->class_rev = pci_read32(seg, bdf, PCI_CLASS_REV);
    d->header = pci_read8(seg, bdf, PCI_HEADER_TYPE);
    /* VF BARs read as zero: their space comes from the PF's SR-IOV capability. */
    unsigned nbars = (d->header & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE ? 2
                     : (d->header & PCI_HEADER_TYPE_MASK) == 0 ? PCI_NUM_BARS : 0;
    if (!is_vf) {
        uint16_t cmd = pci_read16(seg, bdf, PCI_COMMAND);
        pci_write16(seg, bdf, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
        for (unsigned i = 0; i < nbars;)
            i += size_bar(d, i, nbars);
        pci_write16(seg, bdf, PCI_COMMAND, cmd);
    }
    parse_caps(d);
    return d;
}

struct pci_dev *pci_add_vf(uint16_t seg, uint16_t bdf, uint16_t pf_bdf)
{
    struct pci_dev *d = pci_find(seg, bdf);
    if (d)
        return d;
    d = add_dev(seg, bdf, true, pf_bdf);
    if (d)
        log_dev(d);
    return d;
}

static void scan_segment(uint16_t seg, uint8_t first, uint8_t last)
{
    for (unsigned bus = first; bus <= last; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                uint16_t bdf = PCI_BDF(bus, dev, fn);
                if ((uint16_t)pci_read32(seg, bdf, PCI_VENDOR_ID) == 0xffff) {
                    if (fn == 0)
                        break;
                    continue;
                }
                struct pci_dev *d = add_dev(seg, bdf, false, 0);
                if (d)
                    log_dev(d);
                if (fn == 0 && !(pci_read8(seg, bdf, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFN))
                    break;
            }
}

void pci_init(void)
{
    const struct acpi_info *ai = acpi_get();
    if (ai && ai->mcfg.present)
        for (unsigned i = 0; i < ai->mcfg.nwindows && necam < ACPI_MAX_MCFG; i++) {
            const struct acpi_mcfg_window *w = &ai->mcfg.windows[i];
            uint64_t len = (uint64_t)(w->end_bus - w->start_bus + 1) << 20;
            ecam[necam].w = w;
            ecam[necam++].va = (volatile uint8_t *)mmio_map(w->base + ((uint64_t)w->start_bus << 20), len);
        }
    log_info("pci", "configuration access: %s", necam ? "ECAM (MCFG)" : "ports 0xcf8/0xcfc (no MCFG)");
    if (necam)
        for (unsigned i = 0; i < necam; i++)
            scan_segment(ecam[i].w->segment, ecam[i].w->start_bus, ecam[i].w->end_bus);
    else
        scan_segment(0, 0, 255);
    log_info("pci", "%u functions", ndevs);
}

unsigned pci_count(void) { return ndevs; }
struct pci_dev *pci_at(unsigned i) { return i < ndevs ? &devs[i] : NULL; }

struct pci_dev *pci_find(uint16_t seg, uint16_t bdf)
{
    for (unsigned i = 0; i < ndevs; i++)
        if (devs[i].seg == seg && devs[i].bdf == bdf)
            return &devs[i];
    return NULL;
}

void pci_command_set(const struct pci_dev *d, uint16_t set, uint16_t clear)
{
    uint16_t cmd = pci_read16(d->seg, d->bdf, PCI_COMMAND);
    pci_write16(d->seg, d->bdf, PCI_COMMAND, (uint16_t)((cmd & ~clear) | set));
}

/* PCIe 4.0 section 6.6.2: wait for pending transactions, initiate, wait 100 ms. */
int pci_flr(const struct pci_dev *d)
{
    if (!d->cap_exp || !d->flr)
        return -1;
    for (int i = 0; i < 100 && (pci_read16(d->seg, d->bdf, d->cap_exp + PCI_EXP_DEVSTA) &
                                PCI_EXP_DEVSTA_TRPND); i++)
        udelay(1000);
    uint16_t ctl = pci_read16(d->seg, d->bdf, d->cap_exp + PCI_EXP_DEVCTL);
    pci_write16(d->seg, d->bdf, d->cap_exp + PCI_EXP_DEVCTL, ctl | PCI_EXP_DEVCTL_FLR);
    udelay(PCI_FLR_WAIT_US);
    return 0;
}

volatile void *pci_map_bar(const struct pci_dev *d, unsigned i)
{
    if (i >= PCI_NUM_BARS || !d->bar[i].size || !d->bar[i].base || d->bar[i].io)
        return NULL;
    return mmio_map(d->bar[i].base, d->bar[i].size);
}
