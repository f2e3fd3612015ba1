/* The configuration space a guest sees for an assigned function (PCI 3.0 chapter 6): the
 * identity and class of the device, a command register of its own, BARs at guest-physical
 * addresses that cannot be moved, INTx pin and the vector it arrives on, and only the
 * capabilities that are safe to show. Everything else reads as zero and ignores writes.
 * Pure: the device is reached only through f->host, so the host unit tests run it on arrays. */
#include <string.h>

#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci.h"

#define PCI_CAP_ID_PM   0x01
#define CAP_SPAN_PM     8
#define CAP_SPAN_EXP    0x3c
#define CAP_SPAN_MSIX   12
#define PCI_SUBSYSTEM   0x2c
#define PCI_INTERRUPT   0x3c
#define HEADER_DWORDS_END 0x40
#define MAX_CAP_WALK    48
#define COMMAND_GUEST_BITS (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF)

static uint32_t host_read(const struct vpci_fn *f, uint16_t off)
{
    return f->host->read32(f, (uint16_t)(off & ~3u));
}

static unsigned cap_span(uint8_t id)
{
    switch (id) {
    case PCI_CAP_ID_PM: return CAP_SPAN_PM;
    case PCI_CAP_ID_EXP: return CAP_SPAN_EXP;
    case PCI_CAP_ID_MSIX: return CAP_SPAN_MSIX;
    default: return 0;
    }
}

/* May the capability `id` at `off` be shown: one the guest may see, with room left, inside the
 * space, clear of every capability already shown (a list that loops or whose entries
 * overlap would show one twice, or one's bytes through another's header), and for MSI-X
 * the first, with a table BAR indicator that names a BAR (PCI 3.0 6.8.2.4: 6 and 7 are
 * reserved; the MSI-X setup looks the table's BAR up by it). */
static bool keep_cap(const struct vpci_fn *f, uint8_t off, uint8_t id)
{
    unsigned span = cap_span(id);
    if (!span || f->ncaps >= VPCI_MAX_CAPS || off + span > 0x100)
        return false;
    for (unsigned i = 0; i < f->ncaps; i++) {
        unsigned o = f->caps[i], s = cap_span((uint8_t)host_read(f, o));
        if (off < o + s && o < off + span)
            return false;
    }
    if (id == PCI_CAP_ID_MSIX &&
        (f->msix_cap ||
         (host_read(f, (uint16_t)(off + PCI_MSIX_TABLE)) & PCI_MSIX_BIR_MASK) >= VPCI_NUM_BARS))
        return false;
    return true;
}

unsigned vpci_cfg_filter_caps(struct vpci_fn *f)
{
    unsigned hidden = 0;
    f->ncaps = 0;
    f->msix_cap = 0;
    if (!((host_read(f, PCI_COMMAND) >> 16) & PCI_STATUS_CAP_LIST))
        return 0;
    uint8_t off = (uint8_t)(host_read(f, PCI_CAP_PTR) & 0xfc);
    for (unsigned n = 0; off >= HEADER_DWORDS_END && n < MAX_CAP_WALK; n++) {
        uint32_t hdr = host_read(f, off);
        uint8_t id = (uint8_t)hdr;
        if (keep_cap(f, off, id)) {
            f->caps[f->ncaps++] = off;
            if (id == PCI_CAP_ID_MSIX) {
                f->msix_cap = off;
                uint16_t size = (uint16_t)(((hdr >> 16) & PCI_MSIX_CTRL_SIZE_MASK) + 1);
                f->msix_nvec = size > VPCI_MSIX_MAX ? VPCI_MSIX_MAX : size;
                uint32_t table = host_read(f, (uint16_t)(off + PCI_MSIX_TABLE));
                f->msix_bir = (uint8_t)(table & PCI_MSIX_BIR_MASK);
                f->msix_table_off = table & ~PCI_MSIX_BIR_MASK;
            }
        } else {
            hidden++;
        }
        off = (uint8_t)((hdr >> 8) & 0xfc);
    }
    return hidden;
}

/* The kept capability that covers `off`, or -1. */
static int cap_at(const struct vpci_fn *f, uint16_t off)
{
    for (unsigned i = 0; i < f->ncaps; i++) {
        uint8_t id = (uint8_t)host_read(f, f->caps[i]);
        if (off >= f->caps[i] && off < f->caps[i] + cap_span(id))
            return (int)i;
    }
    return -1;
}

static uint32_t bar_read(const struct vpci_fn *f, unsigned i)
{
    /* The upper half of a 64-bit BAR is the slot after it. */
    if (i > 0 && f->bar[i - 1].size && f->bar[i - 1].is64) {
        const struct vpci_bar *b = &f->bar[i - 1];
        if (f->bar_sizing & (1u << i))
            return (uint32_t)(~(b->size - 1) >> 32);
        return (uint32_t)(b->gpa >> 32);
    }
    const struct vpci_bar *b = &f->bar[i];
    if (!b->size)
        return 0;
    uint32_t flags = (b->is64 ? PCI_BAR_MEM_64 : 0) | (b->prefetch ? PCI_BAR_PREFETCH : 0);
    if (f->bar_sizing & (1u << i))
        return ((uint32_t)~(b->size - 1) & PCI_BAR_MEM_MASK) | flags;
    return ((uint32_t)b->gpa & PCI_BAR_MEM_MASK) | flags;
}

static uint32_t dword_read(struct vpci_fn *f, uint16_t off)
{
    switch (off) {
    case PCI_VENDOR_ID:
        return (uint32_t)f->device << 16 | f->vendor;
    case PCI_COMMAND: {
        uint32_t status = (host_read(f, PCI_COMMAND) >> 16) & ~(uint32_t)PCI_STATUS_CAP_LIST;
        if (f->ncaps)
            status |= PCI_STATUS_CAP_LIST;
        return status << 16 | f->command;
    }
    case PCI_CLASS_REV:
        return host_read(f, PCI_CLASS_REV);
    case 0x0c: /* cache line, latency; header type 0, single function; no BIST */
        return host_read(f, 0x0c) & 0xffffu;
    case PCI_SUBSYSTEM:
        return host_read(f, PCI_SUBSYSTEM);
    case PCI_CAP_PTR:
        return f->ncaps ? f->caps[0] : 0;
    case PCI_INTERRUPT:
        return f->irq_pin ? (uint32_t)f->irq_pin << 8 | f->irq_vector : 0;
    default:
        break;
    }
    if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * VPCI_NUM_BARS)
        return bar_read(f, (off - PCI_BAR0) / 4u);
    if (off < HEADER_DWORDS_END)
        return 0; /* CardBus CIS, expansion ROM, reserved */
    int c = cap_at(f, off);
    if (c < 0)
        return 0;
    uint32_t v = host_read(f, off);
    if (off == f->caps[c]) {
        /* The list links only the capabilities shown. */
        uint8_t next = (unsigned)c + 1 < f->ncaps ? f->caps[c + 1] : 0;
        v = (v & ~0xff00u) | (uint32_t)next << 8;
        if (off == f->msix_cap)
            v = (v & 0xffffu) | (uint32_t)(f->msix_ctrl | (f->msix_nvec - 1u)) << 16;
    }
    return v;
}

/* The bits an access of `size` bytes covers; from 4 bytes on all 32, so no shift reaches
 * the width of the type whatever size a caller passes. */
static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

uint32_t vpci_cfg_read(struct vpci_fn *f, uint16_t off, unsigned size)
{
    if (off >= 0x100 || (size != 1 && size != 2 && size != 4) || (off & (size - 1)))
        return size_mask(size);
    uint32_t v = dword_read(f, (uint16_t)(off & ~3u)) >> (8 * (off & 3u));
    return v & size_mask(size);
}

static unsigned bar_write(struct vpci_fn *f, unsigned i, uint32_t val)
{
    bool upper = i > 0 && f->bar[i - 1].size && f->bar[i - 1].is64;
    const struct vpci_bar *b = upper ? &f->bar[i - 1] : &f->bar[i];
    if (!b->size)
        return 0;
    uint32_t mask = upper ? (uint32_t)(~(b->size - 1) >> 32) : (uint32_t)~(b->size - 1) & PCI_BAR_MEM_MASK;
    uint32_t cur = upper ? (uint32_t)(b->gpa >> 32) : (uint32_t)b->gpa & PCI_BAR_MEM_MASK;
    uint32_t addr = upper ? val : val & PCI_BAR_MEM_MASK;
    if ((addr & mask) == mask) {
        f->bar_sizing |= (uint8_t)(1u << i);      /* sizing: all-ones written */
        return 0;
    }
    f->bar_sizing &= (uint8_t)~(1u << i);
    return (addr & mask) == (cur & mask) ? 0 : VPCI_FX_BAR_MOVE;
}

unsigned vpci_cfg_write(struct vpci_fn *f, uint16_t off, unsigned size, uint32_t val)
{
    if (off >= 0x100 || (size != 1 && size != 2 && size != 4) || (off & (size - 1)))
        return 0;
    uint16_t dw = (uint16_t)(off & ~3u);
    unsigned shift = 8 * (off & 3u);
    uint32_t bytes = size_mask(size) << shift;
    val <<= shift;

    if (dw == PCI_COMMAND) {
        if (!(bytes & 0xffffu))
            return 0; /* status: write-one-to-clear bits belong to the device */
        uint16_t cmd = (uint16_t)((f->command & ~bytes) | (val & bytes));
        f->command = cmd & COMMAND_GUEST_BITS;
        return VPCI_FX_COMMAND;
    }
    if (dw >= PCI_BAR0 && dw < PCI_BAR0 + 4 * VPCI_NUM_BARS) {
        if (bytes != 0xffffffffu)
            return 0; /* BARs are written whole */
        return bar_write(f, (dw - PCI_BAR0) / 4u, val);
    }
    /* PCIe 3.0 7.8.4: Initiate Function Level Reset in Device Control. The capability is
     * shown read-only and the hypervisor alone resets the function (between runs): the
     * request is dropped, and reported to the caller. */
    for (unsigned i = 0; i < f->ncaps; i++)
        if ((uint8_t)host_read(f, f->caps[i]) == PCI_CAP_ID_EXP && dw == f->caps[i] + PCI_EXP_DEVCTL &&
            (bytes & val & PCI_EXP_DEVCTL_FLR))
            return VPCI_FX_FLR;
    if (f->msix_cap && dw == f->msix_cap && (bytes & 0xffff0000u)) {
        uint16_t ctrl = (uint16_t)(val >> 16);
        f->msix_ctrl = ctrl & (PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
        return VPCI_FX_MSIX_CTRL;
    }
    /* Everything else the guest cannot change: identity, interrupt line and pin, the PCIe
     * and power-management capabilities, and whatever is hidden. */
    return 0;
}

uint32_t vpci_bridge_read(uint16_t off, unsigned size)
{
    uint32_t v = 0;
    switch (off & ~3u) {
    case PCI_VENDOR_ID: v = (uint32_t)VPCI_HOST_BRIDGE_DEVICE << 16 | VPCI_HOST_BRIDGE_VENDOR; break;
    case PCI_CLASS_REV: v = 0x06000000u; break; /* bridge, host bridge */
    default: break;
    }
    v >>= 8 * (off & 3u);
    return v & size_mask(size);
}
