/* igb PF driver: state shared by its files (bring-up, switching, QoS, mailbox). */
#ifndef EXITLESS_DRIVERS_NIC_IGB_PRIV_H
#define EXITLESS_DRIVERS_NIC_IGB_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/nic/igb_calc.h"
#include "drivers/nic/igb_regs.h"
#include "drivers/nic/nic.h"

#define IGB_NO_POOL     IGB_MAX_POOLS
#define IGB_UP_DESCS    64       /* uplink receive and transmit ring sizes */
#define IGB_UP_MAX_PORTS (IGB_NUM_RAR - 1 - IGB_MAX_POOLS) /* RARs after the PF's and VFs' */
#define IGB_MAX_FRAME_LIMIT 9728 /* largest RLPML the 82576 takes (8.10.x VMOLR) */

struct igb_vf_state {
    const struct mf_vf *mf;      /* the manifest's [[guest.vf]], NULL when unowned */
    uint8_t mac[6];
    bool has_mac;
    bool cts;                    /* reset handshake done: other requests are served */
    bool mc_promisc;
    uint16_t max_frame;
    uint8_t nmc;
    uint16_t mc[IGB_MSG_MAX_MCAST];
    /* Log budgets of the owner's run (refreshed when the hypervisor resets the VF for a
     * restart): what the VF's requests cause, and what its own resets and handshakes cause. */
    unsigned logged, unlogged;   /* request lines; past IGB_MBX_LOG_MAX, not yet reported */
    unsigned resets_logged, resets_unlogged;   /* reset lines; past IGB_RESET_LOG_MAX */
};

#define IGB_MBX_LOG_MAX 16       /* mailbox request log lines per VF and run; the rest are counted */
#define IGB_RESET_LOG_MAX 8      /* reset and handshake log lines per VF and run */
#define IGB_MBX_PASS_MAX 8       /* requests served per VF per service pass; the rest wait */

/* The switch's uplink on the PF's pool (igb_uplink.c); owner: the sidecore after start. */
struct igb_uplink {
    volatile uint64_t *rx, *tx;  /* descriptor rings (two qwords each) */
    uint64_t rx_buf, tx_buf;     /* host physical = DMA address of buffer 0 */
    uint16_t rx_next, tx_tail, tx_clean;
    bool rx_partial;             /* inside a frame that spans buffers: dropped whole */
    bool wake_irq;               /* MSI-X entry programmed: a frame wakes a halted owner */
    uint64_t armed_seq;          /* the receive interrupts' count when this uplink was armed */
    uint64_t rx_frames, rx_dropped, tx_frames, tx_full, tx_refused, wakes;
};

struct igb {
    struct nic *n;
    unsigned pf_pool;            /* IGB_NO_POOL when every pool is a VF's */
    struct igb_vlan_plan plan;   /* VLVF entry i = plan.e[i] */
    uint8_t spoof_pools;
    struct igb_vf_state vf[IGB_MAX_POOLS];
    struct igb_uplink up;
    volatile uint8_t *msix;      /* the PF's MSI-X table, mapped at its first entry's write */
    int irte;                    /* mailbox interrupt's remapping entry, -1 = none */
    bool in_service;
    unsigned msgs, nacks, resets;
    unsigned deferred;           /* service passes that left requests for the next one */
};

static inline uint32_t igb_rd(const struct nic *n, unsigned reg)
{
    return *(volatile uint32_t *)(n->regs + reg);
}
static inline void igb_wr(const struct nic *n, unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(n->regs + reg) = v;
}
/* Writes and reads back; true when the device kept the value. */
bool igb_wr_kept(const struct nic *n, unsigned reg, uint32_t v, uint32_t *got);

/* Records setting `s` of VF `vf` from a read-back: not kept (got != want), kept but not acted
 * on by QEMU's model (`model_ignores` says why), or enforced. */
void igb_record_kept(struct igb *g, unsigned vf, enum nic_setting s, const char *reg, uint32_t got,
                     uint32_t want, const char *model_ignores);

/* igb_switch.c: filters, VLANs, pool options, anti-spoofing, mirroring, VEB/VEPA. */
bool igb_switch_setup(struct igb *g);
void igb_vf_filters(struct igb *g, unsigned vf);     /* RAR, VMOLR, VMVIR of one VF */
void igb_vlans_write(struct igb *g);                 /* VFTA + VLVF from the plan */
void igb_mta_write(struct igb *g);                   /* MTA from every VF's list */
/* igb_uplink.c: the PF queue that carries the virtio switch's uplink ports to the wire.
 * igb_uplink_vlans adds those ports' VLANs to the plan (before it is written);
 * igb_uplink_setup, after the filters, builds the rings and address entries (false: the
 * manifest's uplink cannot be served, with a diagnostic). */
bool igb_uplink_vlans(struct igb *g);
bool igb_uplink_setup(struct igb *g);
/* igb_qos.c: transmit rate, priority, drop-when-full, ingress. */
void igb_qos_setup(struct igb *g);
/* igb_mbx.c: PF side of the PF/VF mailbox and its interrupt. */
void igb_mbx_setup(struct igb *g);
/* "xx:xx:xx:xx:xx:xx" for log lines. */
void igb_mac_str(const uint8_t mac[6], char *buf, size_t size);
void igb_mbx_service(struct nic *n);
/* Writes PF MSI-X entry `entry` (unmasked); the table is the PF's, written at bring-up
 * (entry 0, management CPU) and at the uplink's start (entry 1, its sidecore). */
void igb_msix_write(struct igb *g, unsigned entry, uint64_t addr, uint32_t data);

#endif
