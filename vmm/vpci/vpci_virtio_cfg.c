/* The configuration space of an emulated virtio-pci function (virtio 1.2, 4.1.2 and 4.1.4;
 * PCI 3.0 chapter 6); the layout is in vpci_virtio.h. */
#include <string.h>

#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci_virtio.h"

#define PCI_STATUS_CAP_BIT   (1u << 4)        /* status: capability list present */
#define PCI_BAR_MEM64        0x4u             /* memory BAR, 64-bit, not prefetchable */
#define PCI_SUBSYSTEM_VENDOR 0x2c
#define COMMAND_GUEST_BITS   (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
#define PCICFG_DATA          (VPCI_VIRTIO_CAP_PCICFG + 16)
#define CLASS_STORAGE_OTHER  0x018000u
#define CLASS_NET_ETHERNET   0x020000u
#define CLASS_OTHER          0xff0000u

static void put16(uint8_t *s, unsigned off, uint16_t v) { memcpy(s + off, &v, 2); }
static void put32(uint8_t *s, unsigned off, uint32_t v) { memcpy(s + off, &v, 4); }

static void vendor_cap(uint8_t *s, unsigned off, uint8_t len, uint8_t next, uint8_t type,
                       uint32_t bar_off, uint32_t length)
{
    struct virtio_pci_cap c = { PCI_CAP_ID_VNDR, next, len, type, 0, 0, { 0, 0 }, bar_off, length };
    memcpy(s + off, &c, sizeof(c));
}

/* The whole space as the guest sees it now. Called with v->lock held. */
static void image(const struct vpci_virtio *v, uint8_t *s)
{
    const struct vdev *d = v->dev;
    uint16_t type = d->info.type;
    memset(s, 0, 256);
    put16(s, PCI_VENDOR_ID, VIRTIO_PCI_VENDOR);
    put16(s, PCI_DEVICE_ID, (uint16_t)VIRTIO_PCI_DEVICE(type));
    put16(s, PCI_COMMAND, v->command);
    put16(s, PCI_STATUS, PCI_STATUS_CAP_BIT);
    uint32_t cls = type == VIRTIO_ID_BLOCK ? CLASS_STORAGE_OTHER
                 : type == VIRTIO_ID_NET ? CLASS_NET_ETHERNET : CLASS_OTHER;
    put32(s, PCI_CLASS_REV, cls << 8 | 1);    /* 4.1.2.1: revision 1 or more: modern */
    uint64_t bar = v->bar_gpa | PCI_BAR_MEM64;
    uint64_t mask = ~(uint64_t)(VPCI_VIRTIO_BAR_SIZE - 1) | PCI_BAR_MEM64;
    put32(s, PCI_BAR0, (uint32_t)(v->bar_sizing & 1 ? mask : bar));
    put32(s, PCI_BAR0 + 4, (uint32_t)((v->bar_sizing & 2 ? mask : bar) >> 32));
    put16(s, PCI_SUBSYSTEM_VENDOR, VIRTIO_PCI_VENDOR);
    put16(s, PCI_SUBSYSTEM_VENDOR + 2, (uint16_t)VIRTIO_PCI_DEVICE(type));   /* >= 0x40 */
    s[PCI_CAP_PTR] = VPCI_VIRTIO_CAP_COMMON;

    vendor_cap(s, VPCI_VIRTIO_CAP_COMMON, 16, VPCI_VIRTIO_CAP_NOTIFY, VIRTIO_PCI_CAP_COMMON_CFG,
               VPCI_VIRTIO_COMMON, sizeof(struct virtio_pci_common_cfg));
    vendor_cap(s, VPCI_VIRTIO_CAP_NOTIFY, 20, VPCI_VIRTIO_CAP_ISR, VIRTIO_PCI_CAP_NOTIFY_CFG,
               VPCI_VIRTIO_NOTIFY, VPCI_VIRTIO_NOTIFY_MUL * d->info.nqueues);
    put32(s, VPCI_VIRTIO_CAP_NOTIFY + 16, VPCI_VIRTIO_NOTIFY_MUL);
    vendor_cap(s, VPCI_VIRTIO_CAP_ISR, 16, VPCI_VIRTIO_CAP_DEVICE, VIRTIO_PCI_CAP_ISR_CFG,
               VPCI_VIRTIO_ISR, 1);
    vendor_cap(s, VPCI_VIRTIO_CAP_DEVICE, 16, VPCI_VIRTIO_CAP_PCICFG, VIRTIO_PCI_CAP_DEVICE_CFG,
               VPCI_VIRTIO_DEVCFG, d->info.config_len);
    vendor_cap(s, VPCI_VIRTIO_CAP_PCICFG, 20, VPCI_VIRTIO_CAP_MSIX, VIRTIO_PCI_CAP_PCI_CFG,
               v->pcicfg_offset, v->pcicfg_length);
    s[VPCI_VIRTIO_CAP_PCICFG + 4] = v->pcicfg_bar;

    s[VPCI_VIRTIO_CAP_MSIX] = PCI_CAP_ID_MSIX;
    put16(s, VPCI_VIRTIO_CAP_MSIX + PCI_MSIX_CTRL, (uint16_t)(v->msix_ctrl | (VPCI_VIRTIO_MSIX_VECS - 1)));
    put32(s, VPCI_VIRTIO_CAP_MSIX + PCI_MSIX_TABLE, VPCI_VIRTIO_MSIX_TABLE);   /* BIR 0 */
    put32(s, VPCI_VIRTIO_CAP_MSIX + PCI_MSIX_PBA, VPCI_VIRTIO_MSIX_PBA);
}

static bool access_ok(uint32_t off, unsigned size, uint32_t limit)
{
    return (size == 1 || size == 2 || size == 4) && off % size == 0 && off + size <= limit;
}

/* The access window of 4.1.4.9: `length` bytes of BAR0 at `offset`, through the data field. */
static bool window(struct vpci_virtio *v, uint32_t *off, unsigned *len)
{
    spin_lock(&v->lock);
    *off = v->pcicfg_offset;
    *len = v->pcicfg_length;
    bool ok = v->pcicfg_bar == 0 && (*len == 1 || *len == 2 || *len == 4) &&
              *off < VPCI_VIRTIO_BAR_SIZE;
    spin_unlock(&v->lock);
    return ok;
}

uint32_t vpci_virtio_cfg_read(struct vpci_virtio *v, uint16_t off, unsigned size)
{
    uint8_t s[256];
    uint32_t val = 0;
    if (!access_ok(off, size, 256))
        return 0xffffffffu;
    if (off == PCICFG_DATA && size == 4) {
        uint32_t at;
        unsigned len;
        return window(v, &at, &len) ? (uint32_t)vpci_virtio_mmio_read(v, at, len) : 0;
    }
    spin_lock(&v->lock);
    image(v, s);
    spin_unlock(&v->lock);
    memcpy(&val, s + off, size);
    return val;
}

/* The dword `old` with the bytes (off, size) of val written into it. */
static uint32_t merge(uint32_t old, uint16_t off, unsigned size, uint32_t val)
{
    unsigned shift = 8 * (off & 3);
    uint32_t mask = (size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1)) << shift;
    return (old & ~mask) | ((val << shift) & mask);
}

void vpci_virtio_cfg_write(struct vpci_virtio *v, uint16_t off, unsigned size, uint32_t val)
{
    if (!access_ok(off, size, 256))
        return;
    uint16_t dw = (uint16_t)(off & ~3u);
    if (dw == PCICFG_DATA) {
        uint32_t at;
        unsigned len;
        if (size == 4 && window(v, &at, &len))
            (void)vpci_virtio_mmio_write(v, at, len, val);
        return;
    }
    uint8_t s[256];
    spin_lock(&v->lock);
    image(v, s);
    uint32_t old, now;
    memcpy(&old, s + dw, 4);
    now = merge(old, off, size, val);
    switch (dw) {
    case PCI_COMMAND:
        v->command = (uint16_t)(now & COMMAND_GUEST_BITS);
        break;
    case PCI_BAR0:
    case PCI_BAR0 + 4: {
        /* Sizing only: the BAR stays where the hypervisor placed it. */
        unsigned bit = dw == PCI_BAR0 ? 1u : 2u;
        uint32_t all = dw == PCI_BAR0 ? ~(VPCI_VIRTIO_BAR_SIZE - 1) : 0xffffffffu;
        if ((now & all) == all)
            v->bar_sizing |= (uint8_t)bit;
        else
            v->bar_sizing &= (uint8_t)~bit;
        break;
    }
    case VPCI_VIRTIO_CAP_PCICFG + 4:
        v->pcicfg_bar = (uint8_t)now;
        break;
    case VPCI_VIRTIO_CAP_PCICFG + 8:
        v->pcicfg_offset = now;
        break;
    case VPCI_VIRTIO_CAP_PCICFG + 12:
        v->pcicfg_length = now;
        break;
    case VPCI_VIRTIO_CAP_MSIX:
        v->msix_ctrl = (uint16_t)((now >> 16) & (PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL));
        break;
    default:
        break;                  /* read-only */
    }
    spin_unlock(&v->lock);
}
