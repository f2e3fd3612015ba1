/* igb switching from the manifest (82576 datasheet 7.10.3): per-VF MAC filters with pool
 * select, VLAN filters and pool membership, port VLAN insert/strip, broadcast / multicast /
 * untagged acceptance per pool, anti-spoofing, mirroring, VEB or VEPA; each register read
 * back and each setting recorded as enforced or not. */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/igb_priv.h"
#include "kernel/log.h"

static bool vf_has_vlan(const struct mf_vf *f, uint16_t vid)
{
    if (f->vlan == vid)
        return true;
    for (unsigned k = 0; k < f->nallowed_vlans; k++)
        if (f->allowed_vlans[k] == vid)
            return true;
    return false;
}

void igb_vf_filters(struct igb *g, unsigned v)
{
    struct nic *n = g->n;
    const struct igb_vf_state *s = &g->vf[v];
    const struct mf_vf *f = s->mf;
    unsigned rar = 1 + v;
    if (s->has_mac) {
        igb_wr(n, IGB_RAL(rar), igb_ral(s->mac));
        igb_wr(n, IGB_RAH(rar), igb_rah(s->mac, (uint8_t)(1u << v)));
    } else {
        igb_wr(n, IGB_RAH(rar), 0);
        igb_wr(n, IGB_RAL(rar), 0);
    }
    struct igb_pool_rx rx = { 0 };
    if (f) {
        rx.broadcast = true;
        rx.untagged = !f->vlan;        /* a port-VLAN VF only sees its VLAN's frames */
        rx.multicast_hash = true;      /* the MTA holds only hashes VFs asked for */
        rx.strip_vlan = f->vlan != 0;
        rx.max_frame = s->max_frame;
    }
    igb_wr(n, IGB_VMOLR(v), f ? igb_vmolr(&rx) : 0);
    igb_wr(n, IGB_VMVIR(v), f ? igb_vmvir(f->vlan, f->priority) : 0);
}

void igb_vlans_write(struct igb *g)
{
    struct nic *n = g->n;
    uint32_t vfta[IGB_VFTA_WORDS] = { 0 };
    for (unsigned i = 0; i < IGB_NUM_VLVF; i++) {
        if (i < g->plan.n) {
            const struct igb_vlan_entry *e = &g->plan.e[i];
            igb_wr(n, IGB_VLVF(i), igb_vlvf(e->vid, e->pools));
            vfta[igb_vfta_word(e->vid)] |= igb_vfta_bit(e->vid);
        } else {
            igb_wr(n, IGB_VLVF(i), 0);
        }
    }
    for (unsigned w = 0; w < IGB_VFTA_WORDS; w++)
        igb_wr(n, IGB_VFTA(w), vfta[w]);
}

void igb_mta_write(struct igb *g)
{
    struct nic *n = g->n;
    uint32_t mta[IGB_MTA_WORDS] = { 0 };
    for (unsigned v = 0; v < n->nvfs; v++)
        for (unsigned k = 0; k < g->vf[v].nmc; k++)
            mta[igb_mta_word(g->vf[v].mc[k])] |= igb_mta_bit(g->vf[v].mc[k]);
    for (unsigned w = 0; w < IGB_MTA_WORDS; w++)
        igb_wr(n, IGB_MTA(w), mta[w]);
}

static bool plan_vlans(struct igb *g)
{
    struct nic *n = g->n;
    memset(&g->plan, 0, sizeof g->plan);
    bool ok = true;
    for (unsigned v = 0; v < n->nvfs; v++) {
        const struct mf_vf *f = g->vf[v].mf;
        if (!f)
            continue;
        if (f->vlan)
            ok &= igb_plan_add(&g->plan, f->vlan, (uint8_t)v) == 0;
        for (unsigned k = 0; k < f->nallowed_vlans; k++)
            ok &= igb_plan_add(&g->plan, f->allowed_vlans[k], (uint8_t)v) == 0;
    }
    const struct mf_mirror *mi = &n->mf->mirror;
    for (unsigned k = 0; mi->present && k < mi->nvlans; k++)
        ok &= igb_plan_add(&g->plan, mi->vlans[k], 0xff) == 0;
    ok &= igb_uplink_vlans(g);
    if (!ok)
        log_err("igb", "%s: more than %u VLANs in use: the VLAN pool filter table is full",
                n->mf->name, IGB_NUM_VLVF);
    return ok;
}

/* Reads back what one VF's filters should hold and records MAC, VLAN and port VLAN. */
static void verify_vf(struct igb *g, unsigned v)
{
    struct nic *n = g->n;
    const struct igb_vf_state *s = &g->vf[v];
    const struct mf_vf *f = s->mf;
    unsigned rar = 1 + v;
    if (!f)
        return;
    uint32_t ral = igb_rd(n, IGB_RAL(rar)), rah = igb_rd(n, IGB_RAH(rar));
    bool mac_ok = ral == igb_ral(s->mac) && rah == igb_rah(s->mac, (uint8_t)(1u << v));
    nic_record(n, v, NIC_S_MAC, mac_ok ? NIC_GAP_NONE : NIC_GAP_NOT_KEPT,
               "RAR%u read back 0x%x/%#x", rar, ral, rah);
    if (f->vlan || f->nallowed_vlans) {
        bool ok = true;
        for (unsigned i = 0; i < g->plan.n; i++) {
            const struct igb_vlan_entry *e = &g->plan.e[i];
            uint32_t got = igb_rd(n, IGB_VLVF(i));
            bool member = (got >> (IGB_VLVF_POOL_SHIFT + v)) & 1;
            if (vf_has_vlan(f, e->vid) && (!member || !(igb_rd(n, IGB_VFTA(igb_vfta_word(e->vid))) &
                                                       igb_vfta_bit(e->vid))))
                ok = false;
            if (!vf_has_vlan(f, e->vid) && member)
                ok = false;
        }
        nic_record(n, v, NIC_S_VLAN, ok ? NIC_GAP_NONE : NIC_GAP_NOT_KEPT, "VLVF/VFTA read back differently");
    }
    struct igb_pool_rx rx = { .broadcast = true, .untagged = !f->vlan, .multicast_hash = true,
                              .strip_vlan = f->vlan != 0, .max_frame = s->max_frame };
    uint32_t vmolr = igb_rd(n, IGB_VMOLR(v)), vmvir = igb_rd(n, IGB_VMVIR(v));
    bool pool_ok = vmolr == igb_vmolr(&rx);
    if (f->vlan)
        nic_record(n, v, NIC_S_PORT_VLAN, pool_ok && vmvir == igb_vmvir(f->vlan, f->priority) ? NIC_GAP_NONE
                                                                                         : NIC_GAP_NOT_KEPT,
                   "VMOLR %#x VMVIR %#x read back", vmolr, vmvir);
    else if (!pool_ok)
        nic_record(n, v, NIC_S_MAC, NIC_GAP_NOT_KEPT, "VMOLR read back 0x%x, wrote 0x%x", vmolr, igb_vmolr(&rx));
}

/* VEB or VEPA and anti-spoofing share DTXSWC (8.12.x). */
static bool switch_mode(struct igb *g)
{
    struct nic *n = g->n;
    bool veb = n->mf->switching == MF_SWITCH_VEB;
    g->spoof_pools = 0;
    for (unsigned v = 0; v < n->nvfs; v++)
        if (g->vf[v].mf && g->vf[v].mf->spoof_check)
            g->spoof_pools |= (uint8_t)(1u << v);
    uint32_t want = igb_dtxswc(veb, g->spoof_pools, g->spoof_pools), got;
    (void)igb_wr_kept(n, IGB_DTXSWC, want, &got);
    if ((got & IGB_DTXSWC_LOOPBACK_EN) != (want & IGB_DTXSWC_LOOPBACK_EN)) {
        log_err("igb", "%s: switching %s not kept (DTXSWC read back 0x%x, wrote 0x%x)", n->mf->name,
                veb ? "veb" : "vepa", got, want);
        return false;
    }
    log_info("igb", "%s: switching %s: %s", n->mf->name, veb ? "veb" : "vepa",
             veb ? "VF-to-VF frames are switched inside the NIC" : "every VF frame goes to the wire "
             "(the external switch may hairpin it)");
    for (unsigned v = 0; v < n->nvfs; v++) {
        if (!((g->spoof_pools >> v) & 1))
            continue;
        igb_record_kept(g, v, NIC_S_SPOOF, "DTXSWC", got, want, "QEMU's 82576 model keeps the DTXSWC "
                        "anti-spoof bits but never checks a frame's source MAC or VLAN");
    }
    return true;
}

/* 7.10.3.7: a pool rule for the source VFs, a VLAN rule for the mirrored VLANs. */
static void mirroring(struct igb *g)
{
    struct nic *n = g->n;
    const struct mf_mirror *mi = &n->mf->mirror;
    struct igb_mirror_rule r[2];
    for (unsigned i = 0; i < IGB_NUM_MIRROR; i++)
        igb_wr(n, IGB_VMRCTL(i), 0);
    if (!mi->present)
        return;
    uint8_t src = 0;
    for (unsigned k = 0; k < mi->nsrc_vfs; k++)
        if (mi->src_vfs[k] < n->nvfs)
            src |= (uint8_t)(1u << mi->src_vfs[k]);
    int nr = igb_mirror_rules(src, mi->vlans, mi->nvlans, mi->target_vf, &g->plan, r);
    enum nic_gap gap = NIC_GAP_NONE;
    char why[128] = "";
    if (nr < 0) {
        gap = NIC_GAP_UNSUPPORTED;
        snprintf(why, sizeof why, "no mirror rule can express it");
    }
    for (int i = 0; i < nr; i++) {
        uint32_t c, m, l;
        bool kept = igb_wr_kept(n, IGB_VMRVM(i), r[i].vmrvm, &m) & igb_wr_kept(n, IGB_VMRVLAN(i), r[i].vmrvlan, &l) &
                    igb_wr_kept(n, IGB_VMRCTL(i), r[i].vmrctl, &c);
        if (!kept && gap == NIC_GAP_NONE) {
            gap = NIC_GAP_NOT_KEPT;
            snprintf(why, sizeof why, "mirror rule %d: VMRCTL read back 0x%x, wrote 0x%x", i, c, r[i].vmrctl);
        }
    }
    if (gap == NIC_GAP_NONE && n->emulated) {
        gap = NIC_GAP_IGNORED;
        snprintf(why, sizeof why, "QEMU's 82576 model has no mirroring");
    }
    if (mi->target_vf < n->nvfs)
        nic_record(n, mi->target_vf, NIC_S_MIRROR, gap, "%s", why);
    for (unsigned k = 0; k < mi->nsrc_vfs; k++)
        if (mi->src_vfs[k] < n->nvfs)
            nic_record(n, mi->src_vfs[k], NIC_S_MIRROR, gap, "%s", why);
}

bool igb_switch_setup(struct igb *g)
{
    struct nic *n = g->n;
    if (!plan_vlans(g))
        return false;
    /* RAR0 keeps the PF's own address (from the EEPROM), steered to the PF pool. */
    uint32_t rah0 = igb_rd(n, IGB_RAH(0)) & ~(IGB_RAH_POOL_MASK | IGB_RAH_AV);
    if (g->pf_pool != IGB_NO_POOL)
        rah0 |= IGB_RAH_AV | 1u << (IGB_RAH_POOL_SHIFT + g->pf_pool);
    igb_wr(n, IGB_RAH(0), rah0);
    for (unsigned i = 1; i < IGB_NUM_RAR; i++)
        igb_wr(n, IGB_RAH(i), 0);
    for (unsigned v = 0; v < n->nvfs; v++)
        igb_vf_filters(g, v);
    if (g->pf_pool != IGB_NO_POOL) {
        struct igb_pool_rx pf = { .broadcast = true, .untagged = true };
        igb_wr(n, IGB_VMOLR(g->pf_pool), igb_vmolr(&pf));
        igb_wr(n, IGB_VMVIR(g->pf_pool), 0);
    }
    igb_vlans_write(g);
    igb_mta_write(g);
    for (unsigned v = 0; v < n->nvfs; v++)
        verify_vf(g, v);
    if (!switch_mode(g))
        return false;
    mirroring(g);
    log_info("igb", "%s: filters: %u VF address(es), %u VLAN(s) in the pool filter table", n->mf->name,
             n->nvfs, g->plan.n);
    return true;
}
