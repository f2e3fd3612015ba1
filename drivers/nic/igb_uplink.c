/*
 * igb PF queues as the virtio switch's uplink (drivers/nic/nic.h, docs/virtio-switch.md).
 *
 * The PF's pool q = pf_pool has one receive and one transmit queue (queue q; q < NumVFs + 1
 * <= 8, so its DMA carries the PF's requester id): rings of IGB_UP_DESCS advanced
 * descriptors and 2 KiB buffers, all in one block of frames mapped identity into the
 * hypervisor's VT-d domain and nowhere else (no guest memory, no other hypervisor frame is
 * reachable by the PF). Receive address entries after the VFs' (RAR 1 + IGB_MAX_POOLS on)
 * steer the MAC of every port that names this NIC as its uplink to the PF pool, which also
 * takes broadcast and untagged frames; the ports' VLANs join the PF pool in the VLAN plan
 * (igb_switch.c), so their tagged frames come in too, with the tag (the switch strips it).
 *
 * Ownership: igb_uplink_setup() runs on the management CPU at bring-up, before any sidecore
 * starts. From its start (igb_uplink_ops.start) on, the rings, their tail registers, IVAR(q), bit 1 of
 * EIMS/EIMC/EICR/EIAC and struct igb_uplink belong to the one sidecore that owns the switch;
 * the mailbox service on the management CPU touches none of them.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/igb_priv.h"
#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd.h"
#include "drivers/vtd/vtd_hw.h"
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"

#define DESC_BYTES   16
#define BUF_BYTES    2048
#define RING_BYTES   (IGB_UP_DESCS * DESC_BYTES)
#define BLOCK_PAGES  (1 + 2 * IGB_UP_DESCS * BUF_BYTES / FRAME_SIZE)
#define UP_MSIX      1u                 /* PF MSI-X entry of the receive wake-up */
#define UP_EIMS_BIT  (1u << UP_MSIX)
#define TX_DD        ((uint64_t)IGB_TXD_STAT_DD << 32)

/* Orders the CPU's accesses to the rings against each other as written (x86 keeps stores
 * in order, and loads with loads; the compiler must not reorder them either). */
#define barrier() __asm__ volatile("" ::: "memory")

_Static_assert(2 * RING_BYTES <= FRAME_SIZE, "both rings in the block's first page");
_Static_assert(RING_BYTES % 128 == 0, "RDLEN/TDLEN are multiples of 128 bytes");

/* Counts the uplinks' receive interrupts. Every uplink raises the same vector on the one
 * sidecore that owns the switch; only that CPU writes and reads it (owner: the switch's
 * sidecore). Each NIC notes the count when it arms, so one NIC's arming never hides another
 * NIC's interrupt, and a wake is counted on every NIC that has a frame when the halt ends. */
static volatile uint64_t wake_seq;

static void up_irq(struct trap_frame *f)
{
    (void)f;
    wake_seq++;
    lapic_eoi();
}

/* The manifest ports whose uplink is NIC n, in manifest order: up to IGB_UP_MAX_PORTS. */
static unsigned ports_of(const struct nic *n, const struct mf_virtio_net **out)
{
    unsigned k = 0;
    for (uint32_t i = 0; i < n->m->nguests; i++)
        for (uint32_t j = 0; j < n->m->guests[i].nvnets; j++) {
            const struct mf_virtio_net *v = &n->m->guests[i].virtio_net[j];
            if (v->uplink == n->index) {
                if (k < IGB_UP_MAX_PORTS && out)
                    out[k] = v;
                k++;
            }
        }
    return k;
}

bool igb_uplink_vlans(struct igb *g)
{
    const struct mf_virtio_net *p[IGB_UP_MAX_PORTS];
    unsigned np = ports_of(g->n, p);
    bool ok = true;
    for (unsigned k = 0; k < np && k < IGB_UP_MAX_PORTS && g->pf_pool != IGB_NO_POOL; k++)
        if (p[k]->vlan)
            ok &= igb_plan_add(&g->plan, p[k]->vlan, (uint8_t)g->pf_pool) == 0;
    return ok;
}

/* Receive address entries for the uplinked ports' MACs, read back. */
static bool filters(struct igb *g, const struct mf_virtio_net **p, unsigned np)
{
    struct nic *n = g->n;
    char mac[24];
    for (unsigned k = 0; k < np; k++) {
        unsigned rar = 1 + IGB_MAX_POOLS + k;
        uint32_t ral = igb_ral(p[k]->mac.b), rah = igb_rah(p[k]->mac.b, (uint8_t)(1u << g->pf_pool));
        uint32_t got_l, got_h;
        bool kept = igb_wr_kept(n, IGB_RAL(rar), ral, &got_l) & igb_wr_kept(n, IGB_RAH(rar), rah, &got_h);
        igb_mac_str(p[k]->mac.b, mac, sizeof mac);
        if (!kept) {
            log_err("igb", "%s: uplink: RAR%u for port %u (%s) read back %#x/%#x, wrote %#x/%#x",
                    n->mf->name, rar, p[k]->port, mac, got_l, got_h, ral, rah);
            return false;
        }
        char vlan[16] = "";
        if (p[k]->vlan)
            snprintf(vlan, sizeof vlan, ", VLAN %u", p[k]->vlan);
        log_info("igb", "%s: uplink: port %u (%s%s) steered to the PF pool by RAR%u", n->mf->name,
                 p[k]->port, mac, vlan, rar);
    }
    return true;
}

bool igb_uplink_setup(struct igb *g)
{
    struct nic *n = g->n;
    struct igb_uplink *u = &g->up;
    const struct mf_virtio_net *p[IGB_UP_MAX_PORTS];
    unsigned np = ports_of(n, p);
    unsigned q = g->pf_pool;
    memset(u, 0, sizeof(*u));
    if (np > IGB_UP_MAX_PORTS) {
        log_err("igb", "%s: %u virtio-net ports name it as uplink; its address filter has room "
                "for %u beside the VFs", n->mf->name, np, IGB_UP_MAX_PORTS);
        return false;
    }
    if (q == IGB_NO_POOL) {
        if (!np)
            return true;
        log_err("igb", "%s: every pool is a VF's (%u VFs): no PF pool for the switch's uplink; "
                "give the NIC at most %u VFs", n->mf->name, n->nvfs, IGB_MAX_POOLS - 1);
        return false;
    }
    /* Without uplinked ports the queue is still built (nobody drains it): the PF pool's
     * frames land in memory the hypervisor owns, and its counters stay meaningful. */
    struct vtd_domain *d = vtd_active() ? vtd_domain_of(VTD_NO_GUEST) : NULL;
    if (!d) {
        if (!np) {
            log_warn("igb", "%s: no VT-d domain for the PF: its own queue stays off (no device "
                     "DMA into hypervisor memory outside a domain)", n->mf->name);
            return true;
        }
        log_err("igb", "%s: no VT-d domain for the PF: the switch's uplink needs one (no device "
                "DMA into hypervisor memory outside a domain)", n->mf->name);
        return false;
    }
    uint64_t hpa = frames_alloc(BLOCK_PAGES, FRAME_SIZE);
    if (hpa == FRAME_NONE || vtd_domain_map(d, hpa, hpa, BLOCK_PAGES * FRAME_SIZE, VTD_SL_RW)) {
        log_printf(np ? LOG_ERR : LOG_WARN, "igb", "%s: no memory for the PF queue's rings%s",
                   n->mf->name, np ? "" : ": the PF pool stays off");
        return !np;
    }
    memset(phys_to_virt(hpa), 0, BLOCK_PAGES * FRAME_SIZE);
    u->rx = phys_to_virt(hpa);
    u->tx = phys_to_virt(hpa + RING_BYTES);
    u->rx_buf = hpa + FRAME_SIZE;
    u->tx_buf = u->rx_buf + IGB_UP_DESCS * BUF_BYTES;
    for (unsigned i = 0; i < IGB_UP_DESCS; i++) {
        u->rx[2 * i] = u->rx_buf + (uint64_t)i * BUF_BYTES;
        u->rx[2 * i + 1] = 0;
    }
    igb_wr(n, IGB_RXDCTL(q), 0);
    igb_wr(n, IGB_RDBAL(q), (uint32_t)hpa);
    igb_wr(n, IGB_RDBAH(q), (uint32_t)(hpa >> 32));
    igb_wr(n, IGB_RDLEN(q), RING_BYTES);
    igb_wr(n, IGB_SRRCTL(q), (BUF_BYTES / 1024) | IGB_SRRCTL_DESC_ADV | IGB_SRRCTL_DROP_EN);
    igb_wr(n, IGB_RDH(q), 0);
    igb_wr(n, IGB_RXDCTL(q), IGB_RXDCTL_ENABLE);
    igb_wr(n, IGB_RDT(q), IGB_UP_DESCS - 1);
    uint64_t tx = hpa + RING_BYTES;
    igb_wr(n, IGB_TXDCTL(q), 0);
    igb_wr(n, IGB_TDBAL(q), (uint32_t)tx);
    igb_wr(n, IGB_TDBAH(q), (uint32_t)(tx >> 32));
    igb_wr(n, IGB_TDLEN(q), RING_BYTES);
    igb_wr(n, IGB_TDH(q), 0);
    igb_wr(n, IGB_TDT(q), 0);
    igb_wr(n, IGB_TXDCTL(q), IGB_TXDCTL_ENABLE);
    if (!np)
        return true;
    if (!filters(g, p, np))
        return false;
    n->uplink = true;
    log_info("igb", "%s: uplink: PF queue %u, %u receive and %u transmit descriptors, %u KiB in "
             "the hypervisor's DMA domain, for %u port(s)", n->mf->name, q, IGB_UP_DESCS,
             IGB_UP_DESCS, (unsigned)(BLOCK_PAGES * FRAME_SIZE / 1024), np);
    return true;
}

static bool uplink_start(struct nic *n)
{
    struct igb *g = n->priv;
    struct igb_uplink *u = &g->up;
    const struct pci_dev *pf = n->sr->pf;
    if (!n->uplink)
        return false;
    uint32_t apic = lapic_id();
    uint64_t addr = 0;
    uint32_t data = 0;
    if (!pf->msix.cap || pf->msix.nvec <= UP_MSIX) {
        log_warn("igb", "%s: uplink: no MSI-X entry %u: a halted sidecore is not woken by frames "
                 "from the wire (they wait for its next kick)", n->mf->name, UP_MSIX);
        return true;
    }
    if (vtd_irte_alloc(pf->seg, pf->bdf, apic, VEC_UPLINK_RX, &addr, &data) < 0) {
        log_warn("igb", "%s: uplink: no interrupt remapping entry: a halted sidecore is not woken "
                 "by frames from the wire", n->mf->name);
        return true;
    }
    irq_register(VEC_UPLINK_RX, up_irq);
    igb_msix_write(g, UP_MSIX, addr, data);
    igb_wr(n, IGB_EIMC, UP_EIMS_BIT);
    unsigned q = g->pf_pool;
    uint32_t ivar = igb_rd(n, IGB_IVAR(q)) & ~0xffu;
    igb_wr(n, IGB_IVAR(q), ivar | IGB_IVAR_VALID | UP_MSIX);
    igb_wr(n, IGB_EIAC, igb_rd(n, IGB_EIAC) | UP_EIMS_BIT);
    u->wake_irq = true;
    log_info("igb", "%s: uplink: receive interrupt PF MSI-X %u -> vector %#x on APIC id %u "
             "(remapped), armed only while the sidecore halts", n->mf->name, UP_MSIX, VEC_UPLINK_RX, apic);
    return true;
}

static bool rx_ready(const struct igb_uplink *u)
{
    return (u->rx[2 * u->rx_next + 1] & IGB_RXD_STAT_DD) != 0;
}

static unsigned uplink_rx(struct nic *n, nic_frame_fn fn, void *ctx, unsigned budget)
{
    struct igb *g = n->priv;
    struct igb_uplink *u = &g->up;
    unsigned got = 0;
    if (!n->uplink)
        return 0;
    while (got < budget && rx_ready(u)) {
        unsigned i = u->rx_next;
        uint64_t wb = u->rx[2 * i + 1];
        uint32_t status = (uint32_t)wb, len = (uint32_t)(wb >> 32) & 0xffff;
        barrier();                  /* the status before the data it covers */
        /* A frame longer than a buffer spans descriptors: dropped whole (the switch takes at
         * most VSW_MAX_FRAME plus a tag, which fits one). */
        bool whole = (status & IGB_RXD_STAT_EOP) && !u->rx_partial;
        u->rx_partial = !(status & IGB_RXD_STAT_EOP);
        if (whole && !(status & IGB_RXD_ERR_RXE) && len <= BUF_BYTES) {
            fn(ctx, phys_to_virt(u->rx_buf + (uint64_t)i * BUF_BYTES), len);
            u->rx_frames++;
        } else {
            u->rx_dropped++;
        }
        u->rx[2 * i] = u->rx_buf + (uint64_t)i * BUF_BYTES;
        u->rx[2 * i + 1] = 0;
        u->rx_next = (uint16_t)((i + 1) % IGB_UP_DESCS);
        got++;
    }
    if (got) {
        barrier();                  /* the re-armed descriptors before the tail moves */
        /* One tail write for the batch: the last one taken is re-armed, and the one gap of
         * the ring stays before the head. */
        igb_wr(n, IGB_RDT(g->pf_pool), (u->rx_next + IGB_UP_DESCS - 1u) % IGB_UP_DESCS);
    }
    return got;
}

static bool uplink_tx(struct nic *n, const uint8_t *frame, uint32_t len, uint16_t tci)
{
    struct igb *g = n->priv;
    struct igb_uplink *u = &g->up;
    uint32_t wire = len + (tci ? 4 : 0);
    if (!n->uplink || len < 12 || wire > BUF_BYTES) {
        u->tx_refused++;
        return false;
    }
    while (u->tx_clean != u->tx_tail && (u->tx[2 * u->tx_clean + 1] & TX_DD))
        u->tx_clean = (uint16_t)((u->tx_clean + 1) % IGB_UP_DESCS);
    uint16_t t = u->tx_tail, next = (uint16_t)((t + 1) % IGB_UP_DESCS);
    if (next == u->tx_clean) {
        u->tx_full++;
        return false;
    }
    uint64_t buf = u->tx_buf + (uint64_t)t * BUF_BYTES;
    uint8_t *b = phys_to_virt(buf);
    if (tci) {
        memcpy(b, frame, 12);
        b[12] = 0x81;
        b[13] = 0x00;
        b[14] = (uint8_t)(tci >> 8);
        b[15] = (uint8_t)tci;
        memcpy(b + 16, frame + 12, len - 12);
    } else {
        memcpy(b, frame, len);
    }
    uint32_t cmd = wire | IGB_TXD_DTYP_DATA | IGB_TXD_CMD_DEXT | IGB_TXD_CMD_EOP | IGB_TXD_CMD_IFCS |
                   IGB_TXD_CMD_RS;
    u->tx[2 * t] = buf;
    u->tx[2 * t + 1] = cmd | (uint64_t)(wire << IGB_TXD_PAYLEN_SHIFT) << 32;
    barrier();
    u->tx_tail = next;
    igb_wr(n, IGB_TDT(g->pf_pool), next);
    u->tx_frames++;
    return true;
}

static bool uplink_arm(struct nic *n, bool on)
{
    struct igb *g = n->priv;
    struct igb_uplink *u = &g->up;
    if (!n->uplink)
        return true;
    if (!u->wake_irq)
        return !rx_ready(u);
    if (!on) {
        igb_wr(n, IGB_EIMC, UP_EIMS_BIT);
        if (wake_seq != u->armed_seq && rx_ready(u))
            u->wakes++;
        u->armed_seq = wake_seq;
        return true;
    }
    u->armed_seq = wake_seq;
    igb_wr(n, IGB_EICR, UP_EIMS_BIT);    /* a cause left from the polling time */
    igb_wr(n, IGB_EIMS, UP_EIMS_BIT);
    return !rx_ready(u);                 /* a frame before the arming would never interrupt */
}

static bool uplink_woken(const struct nic *n)
{
    const struct igb *g = n->priv;
    return g->up.wake_irq && wake_seq != g->up.armed_seq;
}

static void uplink_report(const struct nic *n)
{
    const struct igb *g = n->priv;
    const struct igb_uplink *u = &g->up;
    if (!n->uplink)
        return;
    log_info("igb", "%s: uplink: %lu frames from the wire (%lu dropped: errors or longer than a "
             "buffer), %lu sent (%lu lost to a full ring, %lu refused); woken %lu time(s) by a frame",
             n->mf->name, u->rx_frames, u->rx_dropped, u->tx_frames, u->tx_full, u->tx_refused, u->wakes);
}

const struct nic_uplink_ops igb_uplink_ops = {
    .start = uplink_start,
    .rx = uplink_rx,
    .tx = uplink_tx,
    .arm = uplink_arm,
    .woken = uplink_woken,
    .report = uplink_report,
};
