/*
 * The virtio-pci functions of a guest's virtual PCI (one per manifest [[guest.virtio_blk]],
 * then one per [[guest.virtio_net]]), after its assigned functions: slots nfns + 1 ...
 * nfns + nvirtio. Each is the transport of vmm/vpci/vpci_virtio.h over a virtio-blk device on
 * its RAM module or a virtio-net port of the software switch (vmm/virtio/vnet.h), with guest
 * memory reached through vmm/virtio/vq_guest_ram.h.
 *
 * Guest access paths:
 *  - configuration space: ports 0xCF8/0xCFC (exits), including the PCI configuration access
 *    window (virtio 4.1.4.9), through which the guest reaches every BAR0 register;
 *  - BAR0's notification page (BAR0 + 0x3000) is a hypervisor page mapped writable at its
 *    place: a notify write is a plain store, no exit; the serving sidecore reads it as memory;
 *  - the rest of BAR0 (common, ISR and device configuration, MSI-X table) is not mapped: each
 *    MOV load or store there exits and is emulated (vmm/vpci/vpci_virtio_mmio.c), as stock
 *    drivers reach those registers; the access window serves drivers that prefer ports.
 *
 * Ownership: the slot table is written at guest creation (management CPU) before any sidecore
 * starts and is read-only afterwards but for: the transport (its lock), the device (its lock),
 * the notify page (written by the guest, read and re-armed by the serving sidecore only) and
 * the counters marked "sidecore" (written by the serving sidecore only, read for the log).
 */
#ifndef EXITLESS_VMM_VPCI_VIRTIO_FN_H
#define EXITLESS_VMM_VPCI_VIRTIO_FN_H

#include <stdbool.h>
#include <stdint.h>

#include "exitless/manifest.h"
#include "vmm/virtio/vblk.h"
#include "vmm/virtio/vnet.h"
#include "vmm/unbacked.h"
#include "vmm/vpci/vpci_virtio.h"

#define VPCI_VIRTIO_NOTIFY_IDLE 0xffffu  /* a notify slot no write has reached since re-armed */

struct guest;
struct vcpu;
struct boot_info;

struct vpci_vfn {
    struct guest *g;            /* NULL: slot unused */
    unsigned index;             /* the guest's virtio-blk or virtio-net number */
    bool is_net;
    struct vpci_virtio tr;
    union {
        struct vblk blk;        /* !is_net */
        struct vnet net;        /* is_net */
    };
    struct vdev *dev;           /* &blk.dev or &net.dev */
    struct vq_guest mem;
    uint64_t notify_hpa;
    volatile uint16_t *notify;  /* the notify page (hypervisor mapping) */
    bool baseline;              /* manifest virtio_mode = "baseline": never polled; the notify
                                   page is read-only and each kick exits; virtio-blk is served
                                   on the vCPU that kicked, virtio-net by the switch's sidecore
                                   when kicked (vmm/vpci/vpci_virtio_notify.h) */
    /* guest->ept_lock */
    uint32_t steppers;          /* vCPUs single-stepping a write to the notify page */
    volatile bool asleep;       /* its sidecore halted: the notify page is read-only */
    /* vCPU: set by the step that wrote the notify page, taken by that vCPU right after */
    volatile bool kicked;
    uint64_t kicks_exited;      /* atomic: kicks that exited (baseline, or a halted sidecore) */
    /* baseline virtio-net: set (atomic) by the vCPU whose kick exited, taken by the switch's
     * sidecore, which serves the device only then */
    volatile bool base_kick;
    /* the CPU that serves the device: its sidecore, or (baseline) the vCPU that kicked it,
     * under the device's lock */
    bool polling;               /* the sidecore suppressed the driver's notifications */
    uint64_t turns, chains, irqs, irqs_unrouted, notify_writes;
    uint64_t mmio_exits;        /* atomic: BAR0 register accesses emulated (any vCPU) */
};

/* Guest creation (after vpci_setup): the manifest's virtio-blk functions. 0, or -1 with err. */
int vpci_virtio_fn_setup(struct guest *g, const struct mf_guest *mg, const struct boot_info *bi,
                         char *err, unsigned errlen);
/* Before each run: every device reset as a driver's status write of 0 does. */
void vpci_virtio_fn_guest_start(struct guest *g);
/* Configuration access to slot (1-based, as in the CF8 address); false if no virtio slot. */
bool vpci_virtio_fn_cfg(struct guest *g, unsigned slot, uint16_t off, unsigned size, bool write,
                        uint32_t *value);
/* Queue or configuration interrupt `entry` of f where its MSI-X entry says: an IPI to the
 * guest's core (delivered without an exit to an exitless guest, injected otherwise); an entry
 * outside policy sends nothing (counted in irqs_unrouted). Any CPU; counters: see above. */
void vpci_vfn_interrupt(struct vpci_vfn *f, uint16_t entry);
/* The device entered needs-reset: ISR configuration bit and the configuration interrupt. */
void vpci_vfn_config_interrupt(struct vpci_vfn *f);
/* A guest-physical access fault (v->exit.gpa) on a BAR0 of v's guest outside its notification
 * page: the MOV load or store emulated onto the registers (UNBACKED_EMULATED), the guest
 * stopped with a diagnostic for any other instruction (UNBACKED_STOPPED), or UNBACKED_NO when
 * the address is no virtio BAR0. */
enum unbacked_outcome vpci_virtio_mmio(struct vcpu *v);
/* The k-th virtio function of guest id, or NULL. */
struct vpci_vfn *vpci_virtio_fn_get(uint32_t guest_id, unsigned k);
#define VPCI_VIRTIO_FNS (MF_MAX_GUEST_VBLKS + MF_MAX_GUEST_VNETS)

/* The switch of the virtio-net ports (vnet.h for its owner). vpci_virtio_fn_setup() plugs each
 * port's device in; built by vpci_virtio_fabric_build() before any guest is created. */
struct vnet_fabric *vpci_virtio_fabric(void);
/* Management CPU, before the guests are created: the switch of manifest m. 0, or -1 with err. */
int vpci_virtio_fabric_build(const struct mf_manifest *m, char *err, unsigned errlen);

#endif
