/* vf: the VF in the guest's virtual PCI (configuration mechanism #1; PCI 3.0 6.8.2 for
 * MSI-X): identity, BAR0, the MSI-X table and pending bits, memory space and bus master. */
#include "vf.h"

#define VF_SLOT          1           /* the first assigned function: 00:01.0 */
#define VENDOR_INTEL     0x8086
#define DEVICE_82576_VF  0x10ca
#define CLASS_ETHERNET   0x020000u
#define PCI_COMMAND      0x04
#define  CMD_MEMORY        (1u << 1)
#define  CMD_MASTER        (1u << 2)
#define PCI_BAR0         0x10
#define  BAR_IO            1u
#define  BAR_64            (2u << 1)
#define  BAR_ADDR_MASK     0xfffffff0u
#define PCI_CAP_PTR      0x34
#define CAP_MSIX         0x11
#define  MSIX_TABLE_SIZE(ctrl) (((ctrl) & 0x7ffu) + 1)
#define  MSIX_CTRL_ENABLE  (1u << 31)   /* in the capability's first dword */
#define  MSIX_CTRL_MASKALL (1u << 30)
#define  MSIX_BIR(x)       ((x) & 7u)
#define  MSIX_OFF(x)       ((x) & ~7u)
#define VF_BAR_SIZE      0x4000u
#define MMIO_WINDOW_LO   0xc0000000u
#define MMIO_WINDOW_HI   0xfec00000u
#define MSI_ADDR_BASE    0xfee00000u
#define MSI_DEST_SHIFT   12
#define ENTRY_MASKED     1u

/* The CF8 address of a dword; offsets past 0xff go in CF8[27:24] (AMD's ExtRegNo). */
static uint32_t cf8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (uint32_t)(off >> 8) << 24 | (off & 0xff);
}

uint32_t cfg_read_at(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    outl(0xcf8, cf8(bus, dev, fn, off));
    return inl(0xcfc);
}

void cfg_write_at(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    outl(0xcf8, cf8(bus, dev, fn, off));
    outl(0xcfc, v);
}

uint32_t cfg_read(unsigned dev, uint8_t off) { return cfg_read_at(0, dev, 0, off); }

void cfg_write(unsigned dev, uint8_t off, uint32_t v) { cfg_write_at(0, dev, 0, off, v); }

/* A memory BAR's guest-physical address (64-bit BARs use the next slot too). */
static uint64_t bar_addr(unsigned i)
{
    uint32_t lo = cfg_read(VF_SLOT, (uint8_t)(PCI_BAR0 + 4 * i));
    if (lo & BAR_IO)
        return 0;
    uint64_t a = lo & BAR_ADDR_MASK;
    if ((lo & BAR_64) && i < 5)
        a |= (uint64_t)cfg_read(VF_SLOT, (uint8_t)(PCI_BAR0 + 4 * i + 4)) << 32;
    return a;
}

static uint32_t bar_size(unsigned i)
{
    uint8_t off = (uint8_t)(PCI_BAR0 + 4 * i);
    uint32_t old = cfg_read(VF_SLOT, off);
    cfg_write(VF_SLOT, off, 0xffffffffu);
    uint32_t mask = cfg_read(VF_SLOT, off);
    cfg_write(VF_SLOT, off, old);
    return ~(mask & BAR_ADDR_MASK) + 1;
}

bool vf_find(struct vf *vf)
{
    uint32_t id = cfg_read(VF_SLOT, 0x00), class = cfg_read(VF_SLOT, 0x08) >> 8;
    if (!vcheck("vf-found", id == (DEVICE_82576_VF << 16 | VENDOR_INTEL) && class == CLASS_ETHERNET,
               "00:01.0 id 0x%x class 0x%x (want 82576 VF 8086:10ca, Ethernet)", id, class))
        return false;
    uint64_t b0 = bar_addr(0);
    uint32_t size = bar_size(0);
    if (!vcheck("vf-bar0", b0 >= MMIO_WINDOW_LO && b0 + size <= MMIO_WINDOW_HI && size == VF_BAR_SIZE,
               "BAR0 0x%lx size 0x%x (want 0x%x inside the MMIO window)", b0, size, VF_BAR_SIZE))
        return false;
    vf->regs = (volatile uint8_t *)(uintptr_t)b0;
    cfg_write(VF_SLOT, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
    uint32_t cmd = cfg_read(VF_SLOT, PCI_COMMAND) & 0xffff;
    uint32_t status = vf_rd(vf, VF_STATUS);
    if (!vcheck("vf-enabled", (cmd & (CMD_MEMORY | CMD_MASTER)) == (CMD_MEMORY | CMD_MASTER) &&
               status != 0xffffffffu, "command 0x%x, VF STATUS 0x%x", cmd, status))
        return false;

    uint8_t cap = (uint8_t)(cfg_read(VF_SLOT, PCI_CAP_PTR) & 0xfc);
    for (int n = 0; cap && n < 16 && !vf->msix_cap; n++) {
        uint32_t h = cfg_read(VF_SLOT, cap);
        if ((uint8_t)h == CAP_MSIX)
            vf->msix_cap = cap;
        cap = (uint8_t)((h >> 8) & 0xfc);
    }
    if (!vcheck("vf-msix-capability", vf->msix_cap, "no MSI-X capability in the VF's list"))
        return false;
    uint32_t ctrl = cfg_read(VF_SLOT, vf->msix_cap) >> 16;
    uint32_t table = cfg_read(VF_SLOT, (uint8_t)(vf->msix_cap + 4));
    uint32_t pba = cfg_read(VF_SLOT, (uint8_t)(vf->msix_cap + 8));
    uint64_t tb = bar_addr(MSIX_BIR(table)), pb = bar_addr(MSIX_BIR(pba));
    vf->msix_n = MSIX_TABLE_SIZE(ctrl);
    vf->msix = (volatile uint32_t *)(uintptr_t)(tb + MSIX_OFF(table));
    vf->pba = (volatile uint32_t *)(uintptr_t)(pb + MSIX_OFF(pba));
    return vcheck("vf-msix-table", tb >= MMIO_WINDOW_LO && pb >= MMIO_WINDOW_LO && vf->msix_n >= 3,
                 "table BAR%u+0x%x at 0x%lx, PBA BAR%u+0x%x, %u entries (the 82576 VF has 3)",
                 MSIX_BIR(table), MSIX_OFF(table), tb, MSIX_BIR(pba), MSIX_OFF(pba), vf->msix_n);
}

void msix_set(struct vf *vf, unsigned i, uint32_t apic, uint8_t vector, bool masked)
{
    volatile uint32_t *e = vf->msix + 4 * i;
    e[3] = ENTRY_MASKED;
    e[0] = MSI_ADDR_BASE | apic << MSI_DEST_SHIFT;  /* physical destination, no redirection */
    e[1] = 0;
    e[2] = vector;                                  /* fixed delivery, edge */
    e[3] = masked ? ENTRY_MASKED : 0;
}

void msix_enable(struct vf *vf, bool on)
{
    uint32_t v = cfg_read(VF_SLOT, vf->msix_cap) & ~(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
    cfg_write(VF_SLOT, vf->msix_cap, v | (on ? MSIX_CTRL_ENABLE : 0));
}

bool msix_pending(struct vf *vf, unsigned i)
{
    return (vf->pba[i / 32] >> (i % 32)) & 1;
}
