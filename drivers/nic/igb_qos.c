/* igb QoS from the manifest: per-VF transmit rate (82576 datasheet 7.10.3.5 rate
 * scheduler), 802.1p priority, receive drop-when-full (QDE), and what the 82576 cannot do
 * for ingress policing, each read back and recorded as enforced or not. */
#include "drivers/nic/igb_priv.h"
#include "kernel/log.h"

static void tx_rate(struct igb *g, unsigned v, const struct mf_vf *f)
{
    struct nic *n = g->n;
    char r[24], l[24];
    uint32_t want = 0, got;
    igb_wr(n, IGB_RTTDQSEL, v);                /* the VF's queue: queue v of pool v */
    if (!f || !f->tx_rate_bps) {
        igb_wr(n, IGB_RTTBCNRC, 0);
        return;
    }
    if (!n->link_bps || igb_rate_factor(n->link_bps, f->tx_rate_bps, &want)) {
        nic_record(n, v, NIC_S_TX_RATE, NIC_GAP_UNSUPPORTED, "%s cannot be expressed on a %s link",
                   igb_fmt_rate(f->tx_rate_bps, r, sizeof r), n->link_bps ? igb_fmt_rate(n->link_bps, l, sizeof l) : "down");
        return;
    }
    igb_wr(n, IGB_RTTBCNRC, want);
    igb_wr(n, IGB_RTTDQSEL, v);
    got = igb_rd(n, IGB_RTTBCNRC);
    if (got != want)
        nic_record(n, v, NIC_S_TX_RATE, NIC_GAP_NOT_KEPT, "%s: RTTBCNRC read back 0x%x, wrote 0x%x",
                   igb_fmt_rate(f->tx_rate_bps, r, sizeof r), got, want);
    else if (n->emulated)
        nic_record(n, v, NIC_S_TX_RATE, NIC_GAP_IGNORED, "QEMU's 82576 model has no rate scheduler");
    else {
        nic_record(n, v, NIC_S_TX_RATE, NIC_GAP_NONE, "%s", "");
        log_info("igb", "%s VF%u: tx rate %s (RTTBCNRC %#x: %lu bit/s on a %s link)", n->mf->name, v,
                 igb_fmt_rate(f->tx_rate_bps, r, sizeof r), want,
                 (unsigned long)igb_rate_of(n->link_bps, want), igb_fmt_rate(n->link_bps, l, sizeof l));
    }
}

static void priority(struct igb *g, unsigned v, const struct mf_vf *f)
{
    struct nic *n = g->n;
    if (!f->priority)
        return;
    if (!f->vlan) {
        nic_record(n, v, NIC_S_PRIORITY, NIC_GAP_UNSUPPORTED, "the 82576 sets 802.1p only in the port "
                   "VLAN tag it inserts; a VF that tags its own frames keeps its own priority bits");
        return;
    }
    uint32_t got = igb_rd(n, IGB_VMVIR(v));
    nic_record(n, v, NIC_S_PRIORITY, got == igb_vmvir(f->vlan, f->priority) ? NIC_GAP_NONE : NIC_GAP_NOT_KEPT,
               "VMVIR read back 0x%x", got);
}

void igb_qos_setup(struct igb *g)
{
    struct nic *n = g->n;
    igb_wr(n, IGB_RTTBCNRM, IGB_RTTBCNRM_MMW);
    /* Drop when full, per queue (QDE): a VF whose ring is full loses its own frames and
     * cannot hold the shared receive packet buffer for the others (7.10.3.10). */
    uint32_t qde = 0, got;
    for (unsigned v = 0; v < n->nvfs; v++)
        qde |= 1u << v | 1u << (v + IGB_MAX_POOLS);
    if (g->pf_pool != IGB_NO_POOL)
        qde |= 1u << g->pf_pool;
    (void)igb_wr_kept(n, IGB_QDE, qde, &got);
    for (unsigned v = 0; v < n->nvfs; v++) {
        const struct mf_vf *f = g->vf[v].mf;
        tx_rate(g, v, f);
        if (!f)
            continue;
        priority(g, v, f);
        igb_record_kept(g, v, NIC_S_RX_DROP, "QDE", got, qde, "QEMU's 82576 model keeps QDE but does not "
                        "consult it");
        if (f->ingress_limit_bps) {
            char r[24];
            nic_record(n, v, NIC_S_INGRESS, NIC_GAP_UNSUPPORTED, "the 82576 has no receive rate limiter: "
                       "%s is not policed; only drop-when-full keeps this VF from starving the others",
                       igb_fmt_rate(f->ingress_limit_bps, r, sizeof r));
        }
    }
}
