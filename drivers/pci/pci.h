/* PCI Express: configuration access (ECAM or 0xCF8), the device table, capabilities, BARs,
 * MSI/MSI-X, FLR (PCI Local Bus 3.0 ch. 6, PCIe Base 4.0 ch. 7). */
#ifndef EXITLESS_DRIVERS_PCI_H
#define EXITLESS_DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Type 0/1 header (PCI 3.0 section 6.1). */
#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define  PCI_COMMAND_IO        (1u << 0)
#define  PCI_COMMAND_MEMORY    (1u << 1)
#define  PCI_COMMAND_MASTER    (1u << 2)
#define  PCI_COMMAND_INTX_OFF  (1u << 10)
#define PCI_STATUS           0x06
#define  PCI_STATUS_CAP_LIST   (1u << 4)
#define PCI_CLASS_REV        0x08 /* class << 8 | revision */
#define PCI_HEADER_TYPE      0x0e
#define  PCI_HEADER_TYPE_MASK  0x7fu
#define  PCI_HEADER_MULTIFN    0x80u
#define  PCI_HEADER_BRIDGE     0x01u
#define PCI_BAR0             0x10
#define  PCI_BAR_IO            (1u << 0)
#define  PCI_BAR_MEM_TYPE_MASK 0x6u
#define  PCI_BAR_MEM_64        0x4u
#define  PCI_BAR_PREFETCH      (1u << 3)
#define  PCI_BAR_MEM_MASK      0xfffffff0u
#define PCI_SECONDARY_BUS    0x19
#define PCI_SUBORDINATE_BUS  0x1a
#define PCI_CAP_PTR          0x34
#define PCI_EXT_CAP_START    0x100

/* Capability ids (PCI 3.0 appendix H, PCIe 4.0 section 7.9). */
#define PCI_CAP_ID_MSI       0x05
#define PCI_CAP_ID_EXP       0x10
#define PCI_CAP_ID_MSIX      0x11
#define PCI_EXT_CAP_ID_SRIOV 0x0010
#define PCI_EXT_CAP_ID(h)    ((h) & 0xffffu)
#define PCI_EXT_CAP_NEXT(h)  (((h) >> 20) & 0xffcu)

/* PCIe capability: device capabilities / control / status (PCIe 4.0 7.5.3.3-5). */
#define PCI_EXP_DEVCAP       0x04
#define  PCI_EXP_DEVCAP_FLR    (1u << 28)
#define PCI_EXP_DEVCTL       0x08
#define  PCI_EXP_DEVCTL_FLR    (1u << 15)
#define PCI_EXP_DEVSTA       0x0a
#define  PCI_EXP_DEVSTA_TRPND  (1u << 5)

/* MSI-X capability (PCI 3.0 section 6.8.2). */
#define PCI_MSIX_CTRL        0x02
#define  PCI_MSIX_CTRL_SIZE_MASK 0x7ffu
#define  PCI_MSIX_CTRL_MASKALL (1u << 14)
#define  PCI_MSIX_CTRL_ENABLE  (1u << 15)
#define PCI_MSIX_TABLE       0x04
#define PCI_MSIX_PBA         0x08
#define  PCI_MSIX_BIR_MASK     0x7u
#define PCI_MSIX_ENTRY_SIZE  16
#define  PCI_MSIX_ENTRY_ADDR_LO 0x0
#define  PCI_MSIX_ENTRY_ADDR_HI 0x4
#define  PCI_MSIX_ENTRY_DATA    0x8
#define  PCI_MSIX_ENTRY_CTRL    0xc
#define   PCI_MSIX_ENTRY_MASKED (1u << 0)

#define PCI_MAX_DEVS   128
#define PCI_NUM_BARS   6
#define PCI_FLR_WAIT_US 100000 /* PCIe 4.0 6.6.2: 100 ms before the function is ready */

#define PCI_BDF(bus, dev, fn) ((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))
#define PCI_BDF_BUS(bdf) ((uint8_t)((bdf) >> 8))
#define PCI_BDF_DEV(bdf) ((uint8_t)(((bdf) >> 3) & 0x1f))
#define PCI_BDF_FN(bdf)  ((uint8_t)((bdf) & 0x7))

struct pci_bar {
    uint64_t base;  /* 0 = not implemented / unassigned */
    uint64_t size;
    bool io, is64, prefetch;
};

struct pci_msix {
    uint8_t cap;     /* config offset, 0 = none */
    uint16_t nvec;
    uint8_t table_bir, pba_bir;
    uint32_t table_off, pba_off;
};

struct pci_dev {
    uint16_t seg, bdf;
    uint16_t vendor, device;
    uint32_t class_rev;
    uint8_t header;
    bool is_vf;
    uint16_t pf_bdf;  /* VFs: their physical function */
    struct pci_bar bar[PCI_NUM_BARS];
    uint8_t cap_exp, cap_msi; /* config offsets, 0 = absent */
    uint16_t ext_sriov;
    struct pci_msix msix;
    bool flr;         /* function-level reset supported */
};

/* Finds config access (ECAM windows from MCFG, else 0xCF8), enumerates every bus/dev/fn,
 * sizes BARs, parses capabilities and logs one line per function. */
void pci_init(void);
bool pci_has_ecam(void);

uint32_t pci_read32(uint16_t seg, uint16_t bdf, uint16_t off);
uint16_t pci_read16(uint16_t seg, uint16_t bdf, uint16_t off);
uint8_t pci_read8(uint16_t seg, uint16_t bdf, uint16_t off);
void pci_write32(uint16_t seg, uint16_t bdf, uint16_t off, uint32_t v);
void pci_write16(uint16_t seg, uint16_t bdf, uint16_t off, uint16_t v);

/* The device table. */
unsigned pci_count(void);
struct pci_dev *pci_at(unsigned i);
struct pci_dev *pci_find(uint16_t seg, uint16_t bdf);
/* Adds a function the bus scan cannot see (SR-IOV VFs); parses it like the others. */
struct pci_dev *pci_add_vf(uint16_t seg, uint16_t bdf, uint16_t pf_bdf);
/* Walks the standard list / extended list: config offset of capability `id`, or 0. */
uint8_t pci_find_cap(uint16_t seg, uint16_t bdf, uint8_t id);
uint16_t pci_find_ext_cap(uint16_t seg, uint16_t bdf, uint16_t id);
/* Command register bits on or off. */
void pci_command_set(const struct pci_dev *d, uint16_t set, uint16_t clear);
/* Function-level reset and the 100 ms wait; -1 when the function has no FLR. */
int pci_flr(const struct pci_dev *d) __attribute__((warn_unused_result));
/* Maps BAR `i` (memory BARs only); NULL when it is absent or not memory. */
volatile void *pci_map_bar(const struct pci_dev *d, unsigned i);
/* "SSSS:BB:DD.F" into buf (16 bytes). */
const char *pci_bdf_str(uint16_t seg, uint16_t bdf, char buf[16]);

#endif
