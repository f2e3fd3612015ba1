/* Assigning PCI functions to a guest: finding them, their guest view, BARs through EPT,
 * INTx through the IOAPIC, function-level reset around each run, and the configuration
 * ports. The configuration space itself is vmm/vpci_cfg.c, MSI-X is vmm/vpci_msix.c. */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/nic.h"
#include "drivers/pci/pci.h"
#include "drivers/pci/sriov.h"
#include "drivers/vtd/vtd.h"
#include "exitless/manifest.h"
#include "kernel/intc.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "vmm/guest.h"
#include "vmm/vpci/vpci.h"
#include "vmm/vpci/vpci_priv.h"
#include "vmm/vpci/vpci_virtio_fn.h"

#define CF8_ENABLE      (1u << 31)
#define CF8_BUS(a)      (((a) >> 16) & 0xffu)
#define CF8_DEV(a)      (((a) >> 11) & 0x1fu)
#define CF8_FN(a)       (((a) >> 8) & 0x7u)
#define CF8_REG(a)      ((a) & 0xfcu)
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

static uint32_t host_read32(const struct vpci_fn *f, uint16_t off)
{
    return pci_read32(f->seg, f->bdf, off);
}

static const struct vpci_host_ops host_ops = { host_read32 };

static const struct pci_dev *dev_of(const struct vpci_fn *f) { return f->host_ctx; }

static int map_bars(struct guest *g, struct vpci_fn *f, const struct pci_dev *d, char *err,
                    unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        const struct pci_bar *hb = &d->bar[i];
        if (!hb->size || !hb->base)
            continue;
        if (hb->io) {
            log_info("vpci", "%s: %s BAR%u is an I/O BAR: not shown (port I/O is not passed "
                             "through)", g->name, f->label, i);
            continue;
        }
        if (hb->size < PAGE_SIZE || (hb->base & (PAGE_SIZE - 1))) {
            log_warn("vpci", "%s: %s BAR%u (%#lx bytes) is smaller than a page: not shown, "
                             "mapping it would expose its neighbours", g->name, f->label, i, hb->size);
            continue;
        }
        uint64_t gpa = (vp->mmio_next + hb->size - 1) & ~(hb->size - 1);
        if (gpa + hb->size > VPCI_MMIO_END || gpa + hb->size < gpa) {
            snprintf(err, errlen, "%s BAR%u (%#lx bytes) does not fit the guest's MMIO window "
                                  "%#llx-%#llx", f->label, i, hb->size, VPCI_MMIO_BASE, VPCI_MMIO_END - 1);
            return -1;
        }
        if (gpmap_map(&g->gpmap, gpa, hb->base, hb->size, GPM_R | GPM_W | GPM_UC, false)) {
            snprintf(err, errlen, "cannot map %s BAR%u in the EPT", f->label, i);
            return -1;
        }
        f->bar[i] = (struct vpci_bar){ .hpa = hb->base, .gpa = gpa, .size = hb->size,
                                       .is64 = hb->is64, .prefetch = hb->prefetch };
        vp->mmio_next = gpa + hb->size;
    }
    return 0;
}

/* INTx: the pin the firmware routed, delivered to the guest's first core on its own vector
 * (level-triggered: the guest's EOI, passed through or emulated, ends it at the IOAPIC). */
static void setup_intx(struct guest *g, struct vpci_fn *f, unsigned index)
{
    uint8_t pin = pci_read8(f->seg, f->bdf, PCI_INTERRUPT_PIN);
    uint8_t line = pci_read8(f->seg, f->bdf, PCI_INTERRUPT_LINE);
    if (!pin || pin > 4)
        return;
    if (vtd_active()) {
        log_warn("vpci", "%s: %s INTx is not routed: under interrupt remapping only MSI-X "
                         "reaches guests", g->name, f->label);
        return;
    }
    if (line == 0 || line == 0xff) {
        log_warn("vpci", "%s: %s INTx%c has no interrupt line from the firmware: not routed",
                 g->name, f->label, 'A' + pin - 1);
        return;
    }
    bool level, low;
    f->gsi = intc_pci_intx_gsi(line, &level, &low);
    f->irq_vector = (uint8_t)(VPCI_INTX_VECTOR_BASE + index);
    if (intc_gsi_route(f->gsi, f->irq_vector, g->vcpus[0].apic_id, level, low, true)) {
        log_warn("vpci", "%s: %s INTx on GSI %u cannot be routed to APIC id %u: not shown",
                 g->name, f->label, f->gsi, g->vcpus[0].apic_id);
        return;
    }
    f->irq_pin = pin;
    f->intx_level = level;
}

static int add_fn(struct guest *g, struct pci_dev *d, char *err, unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    if (vp->nfns >= VPCI_MAX_FNS) {
        snprintf(err, errlen, "more than %d assigned functions", VPCI_MAX_FNS);
        return -1;
    }
    unsigned index = vp->nfns;
    struct vpci_fn *f = &vp->fn[index];
    memset(f, 0, sizeof(*f));
    f->host = &host_ops;
    f->host_ctx = d;
    f->seg = d->seg;
    f->bdf = d->bdf;
    f->is_vf = d->is_vf;
    f->vendor = d->vendor;
    f->device = d->device;
    for (unsigned i = 0; i < VPCI_MSIX_MAX; i++)
        f->msix_irte[i] = -1;
    pci_bdf_str(d->seg, d->bdf, f->label);
    if (map_bars(g, f, d, err, errlen))
        return -1;
    unsigned hidden = vpci_cfg_filter_caps(f);
    if (f->msix_cap && vpci_msix_setup(g, f, err, errlen))
        return -1;
    if (!f->msix_cap)
        setup_intx(g, f, index);
    vp->nfns++;
    char bars[96] = "";
    size_t used = 0;
    for (unsigned i = 0; i < VPCI_NUM_BARS && used < sizeof(bars); i++)
        if (f->bar[i].size)
            used += (size_t)snprintf(bars + used, sizeof(bars) - used, " BAR%u %#lx+%#lx", i,
                                     f->bar[i].gpa, f->bar[i].size);
    log_info("vpci", "%s: %s %04x:%04x%s at guest 00:%02x.0:%s; %u capabilit%s hidden%s", g->name,
             f->label, f->vendor, f->device, f->is_vf ? " (VF)" : "", index + 1, bars, hidden,
             hidden == 1 ? "y" : "ies", f->msix_cap ? "; MSI-X shadowed" : "");
    if (f->irq_pin)
        log_info("vpci", "%s: %s INTx%c: GSI %u -> vector %#x on APIC id %u (%s)", g->name,
                 f->label, 'A' + f->irq_pin - 1, f->gsi, f->irq_vector, g->vcpus[0].apic_id,
                 g->intr_mode == INTR_EXITLESS ? "exitless" : "injected, line masked until EOI");
    return 0;
}

int vpci_setup(struct guest *g, const struct mf_guest *mg, char *err, unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    memset(vp, 0, sizeof(*vp));
    vp->mmio_next = VPCI_MMIO_BASE;
    vp->uart.shown = g->uart.on_pci;
    if (vp->uart.shown)
        log_info("vpci", "%s: its UART at guest 00:%02x.0 (%04x:%04x, I/O BAR0 %#x+%u, MSI)",
                 g->name, VPCI_UART_SLOT, VPCI_UART_VENDOR, VPCI_UART_DEVICE, VPCI_UART_PORT,
                 VPCI_UART_PORTS);
    if (!mg || (!mg->nvfs && !mg->npci))
        return 0;
    if (g->mem_size > VPCI_MMIO_BASE) {
        snprintf(err, errlen, "guests with assigned devices may have at most %llu MiB of memory "
                              "(their MMIO window starts at %#llx)", VPCI_MMIO_BASE >> 20, VPCI_MMIO_BASE);
        return -1;
    }
    for (unsigned i = 0; i < mg->nvfs; i++) {
        struct sriov_vf *vf = sriov_vf(mg->vf[i].nic, mg->vf[i].index);
        if (!vf || !vf->dev) {
            snprintf(err, errlen, "its VF %u was not enabled", mg->vf[i].index);
            return -1;
        }
        if (add_fn(g, vf->dev, err, errlen))
            return -1;
    }
    for (unsigned i = 0; i < mg->npci; i++) {
        const struct mf_pci_addr *a = &mg->pci[i].address;
        uint16_t bdf = PCI_BDF(a->bus, a->dev, a->fn);
        struct pci_dev *d = pci_find(a->segment, bdf);
        char b[16];
        if (!d) {
            snprintf(err, errlen, "its PCI function %s is not present", pci_bdf_str(a->segment, bdf, b));
            return -1;
        }
        if (vtd_active()) {
            if (vtd_owner_of(a->segment, bdf) != (uint8_t)g->manifest_index) {
                snprintf(err, errlen, "its PCI function %s is not in its DMA domain", b);
                return -1;
            }
        } else if (!mg->pci[i].unsafe_no_iommu) {
            snprintf(err, errlen, "its PCI function %s needs an IOMMU (or unsafe_no_iommu)", b);
            return -1;
        } else {
            vp->unsafe = true;
            log_warn("vpci", "%s: UNSAFE: %s is assigned without an IOMMU: its DMA reaches all "
                             "of memory (unsafe_no_iommu = true)", g->name, pci_bdf_str(a->segment, bdf, b));
        }
        if (add_fn(g, d, err, errlen))
            return -1;
    }
    return 0;
}

/* Reset, then the host-side state the guest does not control. */
static void reset_fn(struct guest *g, struct vpci_fn *f, const char *when)
{
    const struct pci_dev *d = dev_of(f);
    if (f->is_vf)
        nic_host_reset_notice(d);   /* the PF's driver: a new run of this VF's owner */
    f->reset_done = pci_flr(d) == 0;
    if (f->reset_done)
        log_info("vpci", "%s: %s reset (FLR) %s", g->name, f->label, when);
    else
        log_warn("vpci", "%s: %s has no function-level reset: its state is not cleared %s",
                 g->name, f->label, when);
    /* FLR clears BARs of ordinary functions and the command register of all. */
    if (!f->is_vf)
        for (unsigned i = 0; i < PCI_NUM_BARS; i++)
            if (d->bar[i].size && !d->bar[i].io) {
                pci_write32(f->seg, f->bdf, (uint16_t)(PCI_BAR0 + 4 * i), (uint32_t)d->bar[i].base);
                if (d->bar[i].is64)
                    pci_write32(f->seg, f->bdf, (uint16_t)(PCI_BAR0 + 4 * i + 4),
                                (uint32_t)(d->bar[i].base >> 32));
            }
}

void vpci_apply_command(struct vpci_fn *f)
{
    const struct pci_dev *d = dev_of(f);
    uint16_t set = PCI_COMMAND_MEMORY, clear = PCI_COMMAND_IO;
    set |= f->command & (PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
    clear |= ~f->command & (PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
    pci_command_set(d, set, clear);
}

void vpci_guest_start(struct guest *g)
{
    struct vpci *vp = &g->vpci;
    vp->cf8 = 0;
    g->device_faults = 0;
    vpci_uart_reset(&vp->uart);
    for (unsigned i = 0; i < vp->nfns; i++) {
        struct vpci_fn *f = &vp->fn[i];
        /* A restart follows the stop's FLR: nothing touched the function in between. */
        if (!f->reset_done)
            reset_fn(g, f, "before the guest starts");
        f->reset_done = false;
        f->command = 0;
        f->bar_sizing = 0;
        vpci_apply_command(f);
        if (f->msix_cap)
            vpci_msix_reset(f);
        if (f->irq_pin)
            intc_gsi_mask(f->gsi, false);
    }
    vpci_virtio_fn_guest_start(g);
}

void vpci_guest_stop(struct guest *g)
{
    struct vpci *vp = &g->vpci;
    for (unsigned i = 0; i < vp->nfns; i++) {
        struct vpci_fn *f = &vp->fn[i];
        if (f->irq_pin)
            intc_gsi_mask(f->gsi, true);
        if (f->msix_cap)
            vpci_msix_disable(f);
        pci_command_set(dev_of(f), 0, PCI_COMMAND_MASTER);
        reset_fn(g, f, "after the guest stopped");
    }
    /* Its virtio devices too, each under its lock: from here on neither the switch (a frame
     * from another guest or from the wire) nor a sidecore's turn writes into the memory the
     * restart is about to clear and load; the new run's drivers set them up afresh. */
    for (unsigned k = 0; k < VPCI_VIRTIO_FNS; k++) {
        struct vpci_vfn *v = vpci_virtio_fn_get(g->id, k);
        if (!v)
            break;
        vdev_reset(v->dev);
    }
}

static bool port_locked(struct guest *g, uint16_t port, unsigned size, bool write,
                        uint32_t *value)
{
    struct vpci *vp = &g->vpci;
    if (port == VPCI_CFG_ADDR && size == 4) {
        if (write)
            vp->cf8 = *value & (CF8_ENABLE | 0x00fffffcu);
        else
            *value = vp->cf8;
        return true;
    }
    if (port < VPCI_CFG_DATA || port > VPCI_CFG_DATA + 3)
        return false;
    uint32_t a = vp->cf8;
    uint16_t off = (uint16_t)(CF8_REG(a) + (port - VPCI_CFG_DATA));
    unsigned slot = CF8_DEV(a);
    bool fn0 = (a & CF8_ENABLE) && CF8_BUS(a) == 0 && CF8_FN(a) == 0;
    if (fn0 && slot == VPCI_UART_SLOT && vp->uart.shown) {
        if (write)
            vpci_uart_cfg_write(&vp->uart, off, size, *value);
        else
            *value = vpci_uart_cfg_read(&vp->uart, off, size);
        return true;
    }
    bool present = fn0 && slot <= vp->nfns + vp->nvirtio;
    if (present && vpci_virtio_fn_cfg(g, slot, off, size, write, value))
        return true;
    if (write) {
        if (present && slot > 0) {
            struct vpci_fn *f = &vp->fn[slot - 1];
            unsigned fx = vpci_cfg_write(f, off, size, *value);
            if (fx & VPCI_FX_COMMAND)
                vpci_apply_command(f);
            if (fx & VPCI_FX_MSIX_CTRL)
                vpci_msix_sync(g, f);
            if (fx & VPCI_FX_BAR_MOVE)
                log_warn("vpci", "%s: tried to move a BAR of %s (offset %#x <- %#x): BARs stay "
                                 "where the hypervisor placed them", g->name, f->label, off, *value);
            if ((fx & VPCI_FX_FLR) && !f->flr_dropped++)
                log_warn("vpci", "%s: asked for an FLR of %s through its PCIe capability: dropped "
                                 "(the capability is read-only; the hypervisor resets the function "
                                 "between runs; later requests counted)", g->name, f->label);
        }
        return true;
    }
    if (!present)
        *value = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    else if (slot == 0)
        *value = vpci_bridge_read(off, size);
    else
        *value = vpci_cfg_read(&vp->fn[slot - 1], off, size);
    return true;
}

/* The guest's vCPUs share the address latch, the functions' views and their MSI-X tables:
 * one access at a time, under the lock that also orders MSI-X steps (guest->ept_lock). */
bool vpci_port(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value)
{
    if (port != VPCI_CFG_ADDR && (port < VPCI_CFG_DATA || port > VPCI_CFG_DATA + 3))
        return false;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    bool claimed = port_locked(g, port, size, write, value);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    return claimed;
}

/* The function whose INTx arrives on `vector`, or NULL. */
static const struct vpci_fn *intx_of(const struct guest *g, uint8_t vector)
{
    for (unsigned i = 0; i < g->vpci.nfns; i++)
        if (g->vpci.fn[i].irq_pin && g->vpci.fn[i].irq_vector == vector)
            return &g->vpci.fn[i];
    return NULL;
}

void vpci_intx_arrived(struct guest *g, uint8_t vector)
{
    const struct vpci_fn *f = intx_of(g, vector);
    if (f && f->intx_level)
        intc_gsi_mask(f->gsi, true);
}

void vpci_intx_eoi(struct guest *g, uint8_t vector)
{
    const struct vpci_fn *f = intx_of(g, vector);
    if (f && f->intx_level)
        intc_gsi_mask(f->gsi, false);
}
