/* NIC physical-function drivers: the small interface every PF driver (igb today, an
 * 82599-class ixgbe later) implements, and the honest record of what each one enforces. */
#ifndef EXITLESS_DRIVERS_NIC_NIC_H
#define EXITLESS_DRIVERS_NIC_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci/sriov.h"
#include "exitless/manifest.h"

#define NIC_MAX_VFS 64

/* Per-VF settings a PF driver programs from the manifest; bit masks in struct nic_vf. */
enum nic_setting {
    NIC_S_MAC,         /* receive address filter steering the VF's MAC to its pool */
    NIC_S_VLAN,        /* VLAN filter and pool membership */
    NIC_S_PORT_VLAN,   /* default tag inserted on transmit, stripped on receive */
    NIC_S_PRIORITY,    /* 802.1p priority of the VF's tagged traffic */
    NIC_S_SPOOF,       /* source MAC and VLAN anti-spoofing */
    NIC_S_TX_RATE,     /* transmit rate limit */
    NIC_S_RX_DROP,     /* receive queue drops when full instead of stalling others */
    NIC_S_INGRESS,     /* receive rate limit */
    NIC_S_MIRROR,      /* mirror source or mirror target */
    NIC_S_COUNT
};
const char *nic_setting_name(enum nic_setting s);

/* Why a setting is not in force. */
enum nic_gap {
    NIC_GAP_NONE,
    NIC_GAP_NOT_KEPT,      /* the register read back differently */
    NIC_GAP_IGNORED,       /* kept, but this device does not act on it */
    NIC_GAP_UNSUPPORTED,   /* the hardware has no such mechanism */
};

struct nic_vf {
    uint8_t owner;          /* guest index, SRIOV_NO_OWNER */
    uint8_t mac[6];
    bool has_mac;
    uint32_t asked;         /* 1 << nic_setting: what the manifest asks of this VF */
    uint32_t enforced;      /* programmed, read back and acted on by the device */
    uint32_t gaps;          /* asked but not in force */
    /* Set by the CPU that restarts the owner, just before its FLR; taken (atomic exchange)
     * by the NIC's service on the management CPU when it sees that reset. A reset the
     * hypervisor did begins a new run of the owner: its log budget starts afresh. */
    bool host_reset;
};

struct nic;

/* A frame from the wire, in the driver's DMA buffer (read it once, copy what is kept). */
typedef void (*nic_frame_fn)(void *ctx, const volatile uint8_t *frame, uint32_t len);

/* The virtio switch's uplink on a PF queue (docs/virtio-switch.md). Every operation but
 * report runs on the one sidecore that owns the switch, the queue's owner from start on. */
struct nic_uplink_ops {
    /* Routes the queue's receive interrupt to this CPU (masked until arm). false: no uplink. */
    bool (*start)(struct nic *n);
    /* Hands up to `budget` received frames to fn, then gives their buffers back. */
    unsigned (*rx)(struct nic *n, nic_frame_fn fn, void *ctx, unsigned budget);
    /* Queues one frame for the wire, inserting an 802.1Q tag when tci != 0; false: dropped
     * (ring full, or too long), counted. */
    bool (*tx)(struct nic *n, const uint8_t *frame, uint32_t len, uint16_t tci);
    /* on: unmasks the receive interrupt before a halt; false when a frame already waits
     * (do not halt). off: masks it again after the halt. */
    bool (*arm)(struct nic *n, bool on);
    /* True once the receive interrupt came since arm(n, true). */
    bool (*woken)(const struct nic *n);
    void (*report)(const struct nic *n);
};

struct nic_ops {
    const char *name;
    bool (*match)(uint16_t vendor, uint16_t device);
    /* Programs the PF from the manifest before any guest runs; fills n->vf[].enforced /
     * gaps. false: the device could not be brought up at all. */
    bool (*bring_up)(struct nic *n);
    /* Serves VF requests (mailbox) and device events; management CPU, interrupt or poll. */
    void (*service)(struct nic *n);
    /* One line per VF: owner, MAC, VLAN, rate, spoof check, mirroring, what is enforced. */
    void (*print_table)(const struct nic *n);
    const struct nic_uplink_ops *uplink;   /* NULL: the driver cannot carry an uplink */
};

struct nic {
    const struct nic_ops *ops;
    const struct mf_manifest *m;
    const struct mf_nic *mf;
    unsigned index;             /* manifest NIC index */
    struct sriov_nic *sr;
    volatile uint8_t *regs;     /* BAR0 */
    uint64_t link_bps;
    bool emulated;              /* a software model of the device (QEMU) */
    unsigned nvfs;
    bool uplink;                /* bring-up built the switch's uplink queue on this NIC */
    struct nic_vf vf[NIC_MAX_VFS];
    void *priv;                 /* the driver's own state */
};

/* Boot, after vtd_init(): finds a driver for every manifest NIC, brings it up, reports per VF
 * and per setting what is not in force, prints the VF table, and applies the manifest's
 * qos_policy. false: a NIC could not be brought up, or qos_policy = "required" and some
 * setting is not in force. */
bool nic_init(const struct mf_manifest *m);
unsigned nic_count(void);
struct nic *nic_at(unsigned i);
/* The NIC brought up for manifest NIC `mf_index`, NULL when none. */
struct nic *nic_of(unsigned mf_index);
/* Runs every NIC's service routine (the mailbox interrupt handler calls it; tests may poll). */
void nic_service_all(void);

/* The hypervisor is about to reset PCI function d (a guest's restart): if it is a VF of a
 * NIC, the NIC's service treats the reset it sees next as the start of a new run of the
 * owner, not as the guest's own doing. Any CPU. */
void nic_host_reset_notice(const struct pci_dev *d);

/* For drivers: records a setting of VF `vf` (asked = the manifest wants it) and reports a
 * gap with its reason, "not enforced by this device: <why>", at warning level. */
void nic_record(struct nic *n, unsigned vf, enum nic_setting s, enum nic_gap gap,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "guestname" or "no owner" for VF `vf`. */
const char *nic_owner_name(const struct nic *n, unsigned vf);
/* Writes "s1,s2,..." for the settings in `mask` into buf ("-" when none). */
const char *nic_settings_str(uint32_t mask, char *buf, unsigned size);

/* Drivers (link-time list in nic.c). */
extern const struct nic_ops igb_nic_ops;
extern const struct nic_uplink_ops igb_uplink_ops;

#endif
