/* A guest's virtual PCI: a host bridge at 00:00.0 and the functions assigned to it at
 * 00:01.0, 00:02.0, ..., reached through configuration mechanism #1 (ports 0xCF8/0xCFC).
 * The header and capabilities are filtered (vmm/vpci_cfg.c), memory BARs are mapped through
 * EPT at guest-physical addresses in the MMIO window, the MSI-X table is shadowed and its
 * writes turned into interrupt-remapping entries (vmm/vpci_msix.c), INTx is routed through
 * the IOAPIC to the guest's first core. docs/devices.md has the full guest-visible model. */
#ifndef EXITLESS_VMM_VPCI_H
#define EXITLESS_VMM_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vendor.h"
#include "vmm/vpci/vpci_uart.h"

#define VPCI_MAX_FNS      8
#define VPCI_NUM_BARS     6
#define VPCI_MAX_CAPS     4
#define VPCI_MSIX_MAX     32          /* MSI-X entries a function may use in a guest */
#define VPCI_MSIX_MAX_PAGES 2         /* pages 32 entries of 16 bytes may span */
#define VPCI_MMIO_BASE    0xc0000000ull /* guest-physical window for assigned BARs */
#define VPCI_MMIO_END     0xfec00000ull /* below the IOAPIC and local APIC pages */
#define VPCI_CFG_ADDR     0xcf8
#define VPCI_CFG_DATA     0xcfc
#define VPCI_HOST_BRIDGE_VENDOR 0x8086
#define VPCI_HOST_BRIDGE_DEVICE 0x29c0
#define VPCI_INTX_VECTOR_BASE   0xd0  /* INTx of function n arrives on 0xd0 + n */

struct vpci_bar {
    uint64_t hpa, gpa, size;    /* size 0: not shown (absent, I/O, or too small to map) */
    bool is64, prefetch;
};

struct vpci_msix_entry {
    uint32_t addr_lo, addr_hi, data, ctrl;
};

struct vpci_fn;
/* Host configuration reads for one function (the real device, or a unit-test array). The
 * guest's view never writes the device: its callers carry out the effects it returns. */
struct vpci_host_ops {
    uint32_t (*read32)(const struct vpci_fn *f, uint16_t off);
};

struct vpci_fn {
    const struct vpci_host_ops *host;
    void *host_ctx;             /* struct pci_dev * on the machine */
    uint16_t seg, bdf;          /* host address */
    bool is_vf;
    char label[16];             /* host "SSSS:BB:DD.F" for log lines */
    /* Guest-visible identity and state. */
    uint16_t vendor, device;
    uint16_t command;           /* the guest's command register */
    struct vpci_bar bar[VPCI_NUM_BARS];
    uint8_t bar_sizing;         /* bit i: the guest wrote all-ones, BAR i reads its size mask */
    uint8_t caps[VPCI_MAX_CAPS]; /* host offsets of the capabilities shown, in list order */
    uint8_t ncaps;
    uint8_t irq_pin;            /* 0: no INTx shown */
    uint8_t irq_vector;         /* interrupt line register: the vector INTx arrives on */
    bool intx_level;
    uint32_t gsi;
    bool reset_done;            /* FLR'd after the last run: the next start needs no other */
    /* MSI-X: the guest's table lives in hypervisor pages mapped read-only at its place. */
    uint8_t msix_cap;
    uint16_t msix_nvec;         /* entries shown (at most VPCI_MSIX_MAX) */
    uint16_t msix_ctrl;         /* guest view: enable and function mask bits */
    uint8_t msix_bir;
    uint32_t msix_table_off;
    uint64_t msix_shadow_hpa;   /* one page per table page */
    uint32_t msix_pages;
    uint8_t msix_steppers[VPCI_MSIX_MAX_PAGES]; /* vCPUs stepping a write to each page */
    volatile uint32_t *msix_host;                       /* the device's table */
    struct vpci_msix_entry msix_applied[VPCI_MSIX_MAX]; /* as last programmed */
    uint32_t msix_live;         /* bit i: host entry i is unmasked */
    int msix_irte[VPCI_MSIX_MAX];                       /* -1: no remapping entry */
    uint64_t msix_remap_addr[VPCI_MSIX_MAX];            /* remappable-format message */
    uint32_t msix_remap_data[VPCI_MSIX_MAX];
    uint32_t msix_refused;      /* entries left masked because they were outside policy */
    uint32_t msix_denied;       /* bit i: entry i as applied was refused (checked once) */
    uint32_t flr_dropped;       /* FLR requests the guest wrote (dropped; the first logged) */
};

/* Effects of a guest configuration write the caller must carry out on the device. */
#define VPCI_FX_COMMAND   (1u << 0)
#define VPCI_FX_MSIX_CTRL (1u << 1)
#define VPCI_FX_BAR_MOVE  (1u << 2)   /* refused: BARs stay where the hypervisor put them */
#define VPCI_FX_FLR       (1u << 3)   /* dropped: an FLR asked for through the PCIe capability */

/* Configuration space as the guest sees it (pure: host access only through f->host). */
uint32_t vpci_cfg_read(struct vpci_fn *f, uint16_t off, unsigned size);
unsigned vpci_cfg_write(struct vpci_fn *f, uint16_t off, unsigned size, uint32_t val);
/* The host bridge at 00:00.0. */
uint32_t vpci_bridge_read(uint16_t off, unsigned size);
/* Chooses which host capabilities the guest sees (PM, PCIe read-only, MSI-X); fills caps
 * and the MSI-X fields from the host list. Returns the number of capabilities hidden. */
unsigned vpci_cfg_filter_caps(struct vpci_fn *f);

/* MSI-X policy (pure): may the guest's entry be programmed? On success the vector and the
 * destination APIC id; else a reason. The guest may target only its own cores (physical
 * destination mode, fixed or lowest-priority delivery, edge) and vectors its interrupt mode
 * owns (vmm/intr/vector_policy.h). */
const char *vpci_msix_check(const struct vpci_msix_entry *e, const uint32_t *apic_ids,
                            unsigned napic, enum intr_mode mode, uint8_t *vector,
                            uint32_t *apic);

/* How vpci_msix_apply reaches the device, the remapping unit and the log. */
struct vpci_msix_ops {
    void *ctx;
    /* Masks entry i on the device. */
    void (*mask)(void *ctx, struct vpci_fn *f, unsigned i);
    /* Entry i to deliver `vector` to APIC id `apic`, unmasked: 0, or -1 when it could not
     * be programmed (it is then left masked). */
    int (*program)(void *ctx, struct vpci_fn *f, unsigned i, uint8_t vector, uint32_t apic);
    /* Entry i as the guest wrote it is outside policy for `why`: it was left masked. */
    void (*refused)(void *ctx, const struct vpci_fn *f, unsigned i,
                    const struct vpci_msix_entry *e, const char *why);
};

/* Brings the device's entries in line with the guest's table (msix_nvec entries) and control
 * bits, entry by entry: an entry is programmed only when MSI-X is on, neither the function
 * nor the entry is masked, and vpci_msix_check accepts it. Keeps msix_applied, msix_live,
 * msix_denied and msix_refused. Pure: the world only through ops. */
void vpci_msix_apply(struct vpci_fn *f, const volatile struct vpci_msix_entry *table,
                     const uint32_t *apics, unsigned napic, enum intr_mode mode,
                     const struct vpci_msix_ops *ops);

struct guest;
struct vcpu;
struct mf_guest;
struct vpci {
    uint32_t cf8;               /* configuration address latch */
    uint8_t nfns;
    uint8_t nvirtio;            /* virtio functions after them (vmm/vpci/vpci_virtio_fn.h) */
    bool unsafe;                /* a function is assigned without an IOMMU */
    uint64_t mmio_next;         /* next free guest-physical address in the window */
    struct vpci_fn fn[VPCI_MAX_FNS];
    struct vpci_uart uart;      /* the virtual UART's function at 00:1f.0, if shown */
    uint32_t uart_refused;      /* UART messages outside policy, not sent */
};

/* Guest creation: finds the manifest's VFs and PCI functions, builds their views, maps
 * their BARs, allocates remapping entries, routes INTx. 0, or -1 with err. */
int vpci_setup(struct guest *g, const struct mf_guest *mg, char *err, unsigned errlen);
/* Around each run of the guest: FLR, then bus mastering and interrupts (start); interrupts
 * off, bus mastering off, FLR (stop). */
void vpci_guest_start(struct guest *g);
void vpci_guest_stop(struct guest *g);
/* Port I/O: true when the port is the configuration mechanism's (handled). */
bool vpci_port(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value);
/* EPT write to a shadowed MSI-X table page: starts the single step; false if not ours. */
bool vpci_ept_write(struct vcpu *v, uint64_t gpa);
/* For a step (guest->ept_lock held): the table page at `gpa` writable, then read-only again
 * with the entries the guest changed reprogrammed. 0, or -1 when it is no table page. */
int vpci_msix_unshadow(struct guest *g, uint64_t gpa);
int vpci_msix_reshadow(struct guest *g, uint64_t gpa);
/* The virtual UART raised its interrupt (vmm/vuart.c): the function's MSI, if the guest
 * enabled it and the message is within policy, as an IPI on the guest's vector to its core
 * (exitless: no exit) or as a virtual interrupt (injected). Any CPU. */
void vpci_uart_raise(struct guest *g);
/* Injected mode: if `vector` is an assigned function's level-triggered INTx, masks the line
 * until the guest's EOI. */
void vpci_intx_arrived(struct guest *g, uint8_t vector);
void vpci_intx_eoi(struct guest *g, uint8_t vector);

#endif
