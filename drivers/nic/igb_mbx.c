/* igb PF side of the PF/VF mailbox (82576 datasheet 7.10.2.9): the VF reset handshake hands
 * over the manifest's MAC; MAC, multicast, VLAN and frame-size requests are served within
 * the manifest's policy, everything else is refused (NACK) with a log line (at most
 * IGB_MBX_LOG_MAX per VF, the rest counted). Served on the boot/management CPU from the PF's
 * MSI-X vector 0 (VEC_NIC_MAILBOX) and from the management loop's poll, a bounded number of
 * requests per VF per pass. */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/igb_priv.h"
#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"

#define LOCK_TRIES      1000
#define MSI_ADDR_BASE   0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define VLAN_ADD        (1u << IGB_MSG_INFO_SHIFT)
#define PROMISC_MCAST   (2u << IGB_MSG_INFO_SHIFT)
#define MAC_FILTER_CLR  (1u << IGB_MSG_INFO_SHIFT)  /* set-MAC info: drop the extra unicast filters */

static bool handler_registered;

static const char *msg_name(uint32_t type)
{
    switch (type) {
    case IGB_MSG_RESET: return "reset";
    case IGB_MSG_SET_MAC: return "set-MAC";
    case IGB_MSG_SET_MCAST: return "set-multicast";
    case IGB_MSG_SET_VLAN: return "set-VLAN";
    case IGB_MSG_SET_LPE: return "set-max-frame";
    case IGB_MSG_SET_PROMISC: return "set-promiscuous";
    default: return "unknown";
    }
}

static bool lock(const struct nic *n, unsigned v)
{
    for (unsigned i = 0; i < LOCK_TRIES; i++) {
        igb_wr(n, IGB_P2VMAILBOX(v), IGB_P2V_PFU);
        if (igb_rd(n, IGB_P2VMAILBOX(v)) & IGB_P2V_PFU)
            return true;
    }
    return false;
}

static bool mbx_read(const struct nic *n, unsigned v, uint32_t *msg)
{
    if (!lock(n, v))
        return false;
    for (unsigned i = 0; i < IGB_MBX_WORDS; i++)
        msg[i] = igb_rd(n, IGB_VMBMEM(v) + 4 * i);
    igb_wr(n, IGB_P2VMAILBOX(v), IGB_P2V_ACK);   /* acknowledged; buffer released */
    return true;
}

static bool mbx_write(const struct nic *n, unsigned v, const uint32_t *msg, unsigned words)
{
    if (!lock(n, v))
        return false;
    for (unsigned i = 0; i < words; i++)
        igb_wr(n, IGB_VMBMEM(v) + 4 * i, msg[i]);
    igb_wr(n, IGB_P2VMAILBOX(v), IGB_P2V_STS);   /* sent; buffer released, VF interrupted */
    return true;
}

/* A VF that floods its mailbox or resets itself in a loop must not flood the log. In each
 * run of its owner, the first IGB_MBX_LOG_MAX lines its requests cause (refusals, a buffer it
 * holds) and the first IGB_RESET_LOG_MAX lines its own resets and handshakes cause are
 * logged; the rest are counted. Request lines not logged are reported at the VF's next reset
 * (within the reset budget); everything not logged is reported when the hypervisor resets
 * the VF for the next run. */
static bool budget(struct igb *g, unsigned v, unsigned *logged, unsigned *unlogged, unsigned max,
                   const char *what)
{
    if (*logged < max) {
        ++*logged;
        return true;
    }
    if ((*unlogged)++ == 0)
        log_warn("igb", "%s VF%u (%s): %u %s lines logged for this VF: the rest are counted, "
                 "not logged", g->n->mf->name, v, nic_owner_name(g->n, v), max, what);
    return false;
}

static bool may_log(struct igb *g, unsigned v)
{
    struct igb_vf_state *s = &g->vf[v];
    return budget(g, v, &s->logged, &s->unlogged, IGB_MBX_LOG_MAX, "mailbox");
}

static bool reset_may_log(struct igb *g, unsigned v)
{
    struct igb_vf_state *s = &g->vf[v];
    return budget(g, v, &s->resets_logged, &s->resets_unlogged, IGB_RESET_LOG_MAX, "reset");
}

/* A function-level reset of the VF (VFLRE) or its reset request: back to the manifest. */
static void vf_defaults(struct igb *g, unsigned v)
{
    struct igb_vf_state *s = &g->vf[v];
    const struct nic *n = g->n;
    s->cts = false;
    s->nmc = 0;
    s->mc_promisc = false;
    s->max_frame = 0;
    if (n->vf[v].has_mac)
        memcpy(s->mac, n->vf[v].mac, 6);
    /* VLAN membership back to the manifest's: every allowed VLAN, the port VLAN. */
    for (unsigned i = 0; i < g->plan.n; i++) {
        struct igb_vlan_entry *e = &g->plan.e[i];
        bool member = false;
        if (s->mf) {
            member = s->mf->vlan == e->vid;
            for (unsigned k = 0; k < s->mf->nallowed_vlans; k++)
                member |= s->mf->allowed_vlans[k] == e->vid;
        }
        e->pools = (uint8_t)(member ? e->pools | 1u << v : e->pools & ~(1u << v));
    }
    igb_vlans_write(g);
    igb_mta_write(g);
    igb_vf_filters(g, v);
}

static uint32_t do_reset(struct igb *g, unsigned v, uint32_t *reply, unsigned *words)
{
    struct nic *n = g->n;
    struct igb_vf_state *s = &g->vf[v];
    char m[24];
    vf_defaults(g, v);
    /* The VF's reset took its pool's receive and transmit enables away; give them back. */
    igb_wr(n, IGB_VFRE, igb_rd(n, IGB_VFRE) | 1u << v);
    igb_wr(n, IGB_VFTE, igb_rd(n, IGB_VFTE) | 1u << v);
    memset(reply + 1, 0, 3 * sizeof(uint32_t));
    memcpy(reply + 1, s->mac, 6);
    reply[3] = 0;                                 /* multicast filter type: MO = 0 */
    *words = 4;
    g->resets++;
    if (!s->has_mac) {
        if (reset_may_log(g, v))
            log_warn("igb", "%s VF%u (%s): reset handshake refused: no MAC (the VF has no owner in the "
                 "manifest)", n->mf->name, v, nic_owner_name(n, v));
        return IGB_MSG_NACK;
    }
    s->cts = true;
    igb_mac_str(s->mac, m, sizeof m);
    if (reset_may_log(g, v))
        log_info("igb", "%s VF%u (%s): reset handshake: MAC %s handed over", n->mf->name, v,
                 nic_owner_name(n, v), m);
    return IGB_MSG_ACK;
}

/* Requests after the handshake. Returns ACK or NACK; *why explains a NACK. */
static uint32_t do_request(struct igb *g, unsigned v, const uint32_t *msg, const char **why, char *buf,
                           size_t size)
{
    struct nic *n = g->n;
    struct igb_vf_state *s = &g->vf[v];
    const struct mf_vf *f = s->mf;
    uint32_t type = msg[0] & IGB_MSG_TYPE_MASK, info = msg[0] & IGB_MSG_INFO_MASK;
    switch (type) {
    case IGB_MSG_SET_MAC: {
        uint8_t mac[6];
        memcpy(mac, msg + 1, 6);
        igb_mac_str(mac, buf, size);
        /* Linux's igbvf clears its extra unicast filters each time its receive mode changes:
         * a VF never has any here, so there is nothing to clear. */
        if (info == MAC_FILTER_CLR) {
            snprintf(buf, size, "clear extra filters");
            return IGB_MSG_ACK;
        }
        if (info) {
            *why = "additional unicast filters are not offered to VFs";
            return IGB_MSG_NACK;
        }
        if (!memcmp(mac, s->mac, 6))
            return IGB_MSG_ACK;                   /* its own address: nothing changes */
        if (!f || !f->trust) {
            *why = "the manifest does not trust this VF (trust = false): its MAC is fixed";
            return IGB_MSG_NACK;
        }
        if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
            *why = "not a unicast address";
            return IGB_MSG_NACK;
        }
        for (unsigned o = 0; o < n->nvfs; o++)
            if (o != v && g->vf[o].has_mac && !memcmp(g->vf[o].mac, mac, 6)) {
                *why = "another VF has that address";
                return IGB_MSG_NACK;
            }
        memcpy(s->mac, mac, 6);
        igb_vf_filters(g, v);
        log_info("igb", "%s VF%u (%s): MAC changed to %s (trusted VF)", n->mf->name, v, nic_owner_name(n, v), buf);
        return IGB_MSG_ACK;
    }
    case IGB_MSG_SET_MCAST: {
        unsigned count = info >> IGB_MSG_INFO_SHIFT;
        if (count > IGB_MSG_MAX_MCAST) {
            *why = "more than 30 multicast addresses";
            return IGB_MSG_NACK;
        }
        const uint16_t *h = (const uint16_t *)(msg + 1);
        s->nmc = (uint8_t)count;
        for (unsigned k = 0; k < count; k++)
            s->mc[k] = h[k] & 0xfff;
        igb_mta_write(g);
        return IGB_MSG_ACK;
    }
    case IGB_MSG_SET_VLAN: {
        uint16_t vid = msg[1] & IGB_VLVF_VID_MASK;
        bool add = info & VLAN_ADD;
        snprintf(buf, size, "%s VLAN %u", add ? "add" : "remove", vid);
        if (!vid)
            return IGB_MSG_ACK;                   /* priority tags only: no filter needed */
        if (f && f->vlan) {
            *why = "the VF has a port VLAN from the manifest: it may not tag frames itself";
            return IGB_MSG_NACK;
        }
        bool allowed = false;
        for (unsigned k = 0; f && k < f->nallowed_vlans; k++)
            allowed |= f->allowed_vlans[k] == vid;
        int i = igb_plan_find(&g->plan, vid);
        if (!allowed || i < 0) {
            *why = "the VLAN is not in the VF's allowed_vlans";
            return IGB_MSG_NACK;
        }
        struct igb_vlan_entry *e = &g->plan.e[i];
        e->pools = (uint8_t)(add ? e->pools | 1u << v : e->pools & ~(1u << v));
        igb_wr(n, IGB_VLVF(i), igb_vlvf(e->vid, e->pools));
        return IGB_MSG_ACK;
    }
    case IGB_MSG_SET_LPE: {
        uint32_t size_b = msg[1];
        snprintf(buf, size, "%u bytes", size_b);
        if (size_b < 64 || size_b > IGB_MAX_FRAME_LIMIT) {
            *why = "outside 64..9728 bytes";
            return IGB_MSG_NACK;
        }
        s->max_frame = (uint16_t)size_b;
        igb_vf_filters(g, v);
        return IGB_MSG_ACK;
    }
    case IGB_MSG_SET_PROMISC:
        *why = info & PROMISC_MCAST ? "multicast promiscuous mode is not offered to VFs"
                                    : "promiscuous modes are not offered to VFs";
        return IGB_MSG_NACK;
    default:
        snprintf(buf, size, "type %#x", type);
        *why = "unknown request";
        return IGB_MSG_NACK;
    }
}

/* A VF reset (VFLRE): the hypervisor's FLR at its owner's restart, or the VF's own reset
 * (VTCTRL.RST), which a guest may do as often as it likes. Only the first begins a new run
 * with fresh log budgets; the second is logged within the reset budget. */
static void vf_reset_seen(struct igb *g, unsigned v)
{
    struct nic *n = g->n;
    struct igb_vf_state *s = &g->vf[v];
    vf_defaults(g, v);
    if (__atomic_exchange_n(&n->vf[v].host_reset, false, __ATOMIC_SEQ_CST)) {
        if (s->unlogged)
            log_warn("igb", "%s VF%u (%s): %u mailbox lines since the last report were not logged",
                     n->mf->name, v, nic_owner_name(n, v), s->unlogged);
        if (s->resets_unlogged)
            log_warn("igb", "%s VF%u (%s): %u reset lines since the last report were not logged",
                     n->mf->name, v, nic_owner_name(n, v), s->resets_unlogged);
        s->logged = s->unlogged = s->resets_logged = s->resets_unlogged = 0;
        log_info("igb", "%s VF%u (%s): reset by the hypervisor (a new run of its owner): back to the "
                 "manifest's settings", n->mf->name, v, nic_owner_name(n, v));
        return;
    }
    if (!reset_may_log(g, v))
        return;
    log_info("igb", "%s VF%u (%s): VF reset: back to the manifest's settings", n->mf->name, v,
             nic_owner_name(n, v));
    if (s->unlogged)
        log_warn("igb", "%s VF%u (%s): %u mailbox lines since the last report were not logged",
                 n->mf->name, v, nic_owner_name(n, v), s->unlogged);
    s->unlogged = 0;
}

static void serve(struct igb *g, unsigned v)
{
    struct nic *n = g->n;
    uint32_t msg[IGB_MBX_WORDS], reply[IGB_MBX_WORDS];
    if (!mbx_read(n, v, msg)) {
        if (may_log(g, v))
            log_warn("igb", "%s VF%u: mailbox busy, request dropped", n->mf->name, v);
        return;
    }
    g->msgs++;
    uint32_t type = msg[0] & IGB_MSG_TYPE_MASK, verdict;
    unsigned words = 1;
    const char *why = NULL;
    char what[48] = "";
    if (type == IGB_MSG_RESET)
        verdict = do_reset(g, v, reply, &words);
    else if (!g->vf[v].cts) {
        why = "no reset handshake yet";
        verdict = IGB_MSG_NACK;
    } else
        verdict = do_request(g, v, msg, &why, what, sizeof what);
    if (verdict == IGB_MSG_NACK && why) {
        g->nacks++;
        if (may_log(g, v))
            log_warn("igb", "%s VF%u (%s): mailbox %s%s%s refused: %s", n->mf->name, v,
                     nic_owner_name(n, v), msg_name(type), what[0] ? " " : "", what, why);
    } else if (type != IGB_MSG_RESET) {
        log_debug("igb", "%s VF%u: mailbox %s %s: done", n->mf->name, v, msg_name(type), what);
    }
    reply[0] = (msg[0] & (IGB_MSG_TYPE_MASK | IGB_MSG_INFO_MASK)) | verdict |
               (type != IGB_MSG_RESET && g->vf[v].cts ? IGB_MSG_CTS : 0);
    if (!mbx_write(n, v, reply, words) && may_log(g, v))
        log_warn("igb", "%s VF%u: mailbox held by the VF, reply to %s lost", n->mf->name, v, msg_name(type));
}

void igb_mbx_service(struct nic *n)
{
    struct igb *g = n->priv;
    if (!g || g->in_service)
        return;
    g->in_service = true;
    (void)igb_rd(n, IGB_ICR);   /* GPIE.NSICR: reading clears the causes */
    /* Bounded: each requesting VF is served at most IGB_MBX_PASS_MAX times a pass, so a VF
     * that keeps its request bit set cannot hold the management CPU; what is left stays in
     * MBVFICR for the next pass (the next interrupt, or the management loop's poll). */
    for (unsigned round = 0;; round++) {
        uint32_t flr = igb_rd(n, IGB_VFLRE) & ((1u << n->nvfs) - 1);
        uint32_t icr = igb_rd(n, IGB_MBVFICR);
        uint32_t req = icr & ((1u << n->nvfs) - 1);
        if (flr) {
            igb_wr(n, IGB_VFLRE, flr);
            for (unsigned v = 0; v < n->nvfs; v++)
                if ((flr >> v) & 1)
                    vf_reset_seen(g, v);
        }
        if (icr & ~req)
            igb_wr(n, IGB_MBVFICR, icr & ~req);  /* VF acknowledgements: nothing pending on them */
        if (!flr && !req)
            break;
        if (round == IGB_MBX_PASS_MAX) {
            g->deferred++;
            break;
        }
        for (unsigned v = 0; v < n->nvfs; v++)
            if ((req >> v) & 1) {
                igb_wr(n, IGB_MBVFICR, IGB_MBVFICR_REQ(v));
                serve(g, v);
            }
    }
    g->in_service = false;
}

static void mbx_irq(struct trap_frame *f)
{
    (void)f;
    nic_service_all();
    lapic_eoi();
}

void igb_msix_write(struct igb *g, unsigned entry, uint64_t addr, uint32_t data)
{
    const struct pci_dev *pf = g->n->sr->pf;
    if (!g->msix)
        g->msix = mmio_map(pf->bar[pf->msix.table_bir].base + pf->msix.table_off,
                           PCI_MSIX_ENTRY_SIZE * pf->msix.nvec);
    volatile uint8_t *e = g->msix + entry * PCI_MSIX_ENTRY_SIZE;
    *(volatile uint32_t *)(e + PCI_MSIX_ENTRY_ADDR_LO) = (uint32_t)addr;
    *(volatile uint32_t *)(e + PCI_MSIX_ENTRY_ADDR_HI) = (uint32_t)(addr >> 32);
    *(volatile uint32_t *)(e + PCI_MSIX_ENTRY_DATA) = data;
    *(volatile uint32_t *)(e + PCI_MSIX_ENTRY_CTRL) = 0;
}

/* PF MSI-X vector 0 carries the "other" causes (mailbox, VF reset, link) to the boot CPU. */
void igb_mbx_setup(struct igb *g)
{
    struct nic *n = g->n;
    const struct pci_dev *pf = n->sr->pf;
    igb_wr(n, IGB_GPIE, IGB_GPIE_MSIX | IGB_GPIE_EIAME | IGB_GPIE_PBA | IGB_GPIE_NSICR);
    igb_wr(n, IGB_IVAR_MISC, (IGB_IVAR_VALID | 0) << IGB_IVAR_OTHER_SHIFT);
    igb_wr(n, IGB_EIAC, 1);
    igb_wr(n, IGB_EIMS, 1);
    igb_wr(n, IGB_IMS, IGB_ICR_VMMB | IGB_ICR_LSC);
    uint64_t addr = 0;
    uint32_t data = 0;
    uint32_t apic = lapic_id();
    const char *how;
    if (!pf->msix.cap) {
        log_warn("igb", "%s: PF has no MSI-X: VF requests are served only when polled", n->mf->name);
        return;
    }
    if (vtd_active()) {
        g->irte = vtd_irte_alloc(pf->seg, pf->bdf, apic, VEC_NIC_MAILBOX, &addr, &data);
        how = "remapped";
        if (g->irte < 0) {
            log_warn("igb", "%s: no interrupt remapping entry: VF requests are served only when polled",
                     n->mf->name);
            return;
        }
    } else {
        addr = MSI_ADDR_BASE | apic << MSI_ADDR_DEST_SHIFT;
        data = VEC_NIC_MAILBOX;
        how = "direct (no VT-d)";
    }
    igb_msix_write(g, 0, addr, data);
    if (!handler_registered) {
        irq_register(VEC_NIC_MAILBOX, mbx_irq);
        handler_registered = true;
    }
    uint16_t ctl = pci_read16(pf->seg, pf->bdf, pf->msix.cap + PCI_MSIX_CTRL);
    pci_write16(pf->seg, pf->bdf, pf->msix.cap + PCI_MSIX_CTRL,
                (uint16_t)((ctl | PCI_MSIX_CTRL_ENABLE) & ~PCI_MSIX_CTRL_MASKALL));
    log_info("igb", "%s: mailbox interrupt: PF MSI-X 0 -> vector %#x on APIC id %u (%s)", n->mf->name,
             VEC_NIC_MAILBOX, apic, how);
}
