/* igb (Intel 82576) PF driver: reset, link, VMDq + SR-IOV mode, the PF's own pool and
 * queue, statistics and the VF table (82576 datasheet 4.5 reset, 7.10 virtualization). */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/igb_priv.h"
#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd.h"
#include "drivers/vtd/vtd_hw.h"
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/tsc.h"

#define RESET_WAIT_US   10000     /* 4.5.x: registers usable 10 ms after CTRL.RST */
#define LINK_WAIT_US    3000000   /* autonegotiation: QEMU's model completes after 500 ms */
#define MDIC_WAIT_US    10000
#define PCI_SUBSYSTEM   0x2c
#define QEMU_SUBSYSTEM  0x11001af4u /* subsystem 1af4:1100: a QEMU device model */

static struct igb igbs[MF_MAX_NICS];
static unsigned nigbs;

void igb_mac_str(const uint8_t mac[6], char *buf, size_t size)
{
    snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

static bool igb_match(uint16_t vendor, uint16_t device)
{
    return vendor == IGB_VENDOR_INTEL && device == IGB_DEVICE_82576;
}

bool igb_wr_kept(const struct nic *n, unsigned reg, uint32_t v, uint32_t *got)
{
    igb_wr(n, reg, v);
    *got = igb_rd(n, reg);
    return *got == v;
}

void igb_record_kept(struct igb *g, unsigned vf, enum nic_setting s, const char *reg, uint32_t got,
                     uint32_t want, const char *model_ignores)
{
    if (got != want)
        nic_record(g->n, vf, s, NIC_GAP_NOT_KEPT, "%s read back 0x%x, wrote 0x%x", reg, got, want);
    else if (g->n->emulated)
        nic_record(g->n, vf, s, NIC_GAP_IGNORED, "%s", model_ignores);
    else
        nic_record(g->n, vf, s, NIC_GAP_NONE, "%s", "");
}

static bool wait_bits(const struct nic *n, unsigned reg, uint32_t bits, uint64_t us)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(us);
    do {
        if ((igb_rd(n, reg) & bits) == bits)
            return true;
    } while (rdtsc() < end);
    return false;
}

static bool mdic_write(const struct nic *n, unsigned reg, uint16_t val)
{
    igb_wr(n, IGB_MDIC, val | reg << IGB_MDIC_REG_SHIFT | IGB_PHY_ADDR << IGB_MDIC_PHY_SHIFT |
                            IGB_MDIC_OP_WRITE);
    return wait_bits(n, IGB_MDIC, IGB_MDIC_READY, MDIC_WAIT_US) && !(igb_rd(n, IGB_MDIC) & IGB_MDIC_ERROR);
}

/* 4.5.x software reset: interrupts masked, receive and transmit stopped, CTRL.RST. */
static void reset(const struct nic *n)
{
    igb_wr(n, IGB_IMC, ~0u);
    igb_wr(n, IGB_RCTL, 0);
    igb_wr(n, IGB_TCTL, IGB_TCTL_PSP);
    (void)igb_rd(n, IGB_STATUS);
    udelay(RESET_WAIT_US);
    igb_wr(n, IGB_CTRL, igb_rd(n, IGB_CTRL) | IGB_CTRL_RST);
    udelay(RESET_WAIT_US);
    igb_wr(n, IGB_IMC, ~0u);
    igb_wr(n, IGB_EIMC, ~0u);
    (void)igb_rd(n, IGB_ICR);
    (void)igb_rd(n, IGB_EICR);
}

/* Copper link: set link up, restart autonegotiation in the PHY, wait for STATUS.LU. */
static bool link_up(struct nic *n)
{
    uint32_t ctrl = igb_rd(n, IGB_CTRL);
    ctrl = (ctrl | IGB_CTRL_SLU) & ~(IGB_CTRL_FRCSPD | IGB_CTRL_FRCDPX | IGB_CTRL_LRST);
    igb_wr(n, IGB_CTRL, ctrl);
    bool mdic = mdic_write(n, IGB_PHY_BMCR, IGB_BMCR_AN_ENABLE | IGB_BMCR_RESTART_AN |
                                                IGB_BMCR_SPEED1000 | IGB_BMCR_FULL_DUPLEX);
    bool up = wait_bits(n, IGB_STATUS, IGB_STATUS_LU, LINK_WAIT_US);
    n->link_bps = up ? igb_status_speed(igb_rd(n, IGB_STATUS)) : 0;
    char r[24];
    if (up)
        log_info("igb", "%s: link up at %s full duplex (autonegotiation restarted%s)", n->mf->name,
                 igb_fmt_rate(n->link_bps, r, sizeof r), mdic ? "" : "; PHY write failed");
    else
        log_warn("igb", "%s: link down after %u ms of autonegotiation%s", n->mf->name,
                 (unsigned)(LINK_WAIT_US / 1000), mdic ? "" : " (PHY write failed)");
    if (n->mf->link_bps && up && n->mf->link_bps != n->link_bps)
        log_warn("igb", "%s: manifest link_speed %s, device reports %s: rates use the device's",
                 n->mf->name, igb_fmt_rate(n->mf->link_bps, r, sizeof r),
                 igb_fmt_rate(n->link_bps, (char[24]){ 0 }, 24));
    if (!up && n->mf->link_bps)
        n->link_bps = n->mf->link_bps;
    return up;
}

/* 7.10.1: VMDq with one queue per pool; pools 0..NumVFs-1 are the VFs', the PF's is the
 * first one above (queue n uses VF n's requester id where that VF exists). */
static void vmdq_mode(struct igb *g)
{
    struct nic *n = g->n;
    g->pf_pool = n->nvfs < IGB_MAX_POOLS ? n->nvfs : IGB_NO_POOL;
    igb_wr(n, IGB_MRQC, IGB_MRQC_VMDQ);
    uint32_t vt = IGB_VT_CTL_REPL_EN | IGB_VT_CTL_DIS_DEF_POOL;
    if (g->pf_pool != IGB_NO_POOL)
        vt |= (uint32_t)g->pf_pool << IGB_VT_CTL_DEF_POOL_SHIFT;
    igb_wr(n, IGB_VT_CTL, vt);
    /* Every enabled VF's pool may move frames; an unowned VF has no address filter (receives
     * nothing) and no VT-d context (its DMA is blocked). */
    uint32_t pools = (1u << n->nvfs) - 1;
    if (g->pf_pool != IGB_NO_POOL)
        pools |= 1u << g->pf_pool;
    igb_wr(n, IGB_VFRE, pools);
    igb_wr(n, IGB_VFTE, pools);
    igb_wr(n, IGB_MBVFIMR, (1u << n->nvfs) - 1);
    igb_wr(n, IGB_RCTL, IGB_RCTL_EN | IGB_RCTL_BAM | IGB_RCTL_VFE | IGB_RCTL_SECRC);
    igb_wr(n, IGB_TCTL, IGB_TCTL_EN | IGB_TCTL_PSP | 15u << IGB_TCTL_CT_SHIFT | 63u << IGB_TCTL_COLD_SHIFT);
    char pf[16];
    snprintf(pf, sizeof pf, "%u", g->pf_pool);
    log_info("igb", "%s: VMDq + SR-IOV: %u VF pool(s), PF pool %s, default pool off (unknown "
             "unicast is dropped), %s", n->mf->name, n->nvfs, g->pf_pool == IGB_NO_POOL ? "none" : pf,
             igb_rd(n, IGB_STATUS) & IGB_STATUS_IOV_MODE ? "device in IOV mode" : "device not in IOV mode");
}

static bool igb_bring_up(struct nic *n)
{
    if (nigbs >= MF_MAX_NICS)
        return false;
    struct igb *g = &igbs[nigbs++];
    memset(g, 0, sizeof(*g));
    g->n = n;
    g->irte = -1;
    n->priv = g;
    struct pci_dev *pf = n->sr->pf;
    n->regs = pci_map_bar(pf, 0);
    if (!n->regs) {
        log_err("igb", "%s: BAR0 not mapped", n->mf->name);
        return false;
    }
    n->emulated = pci_read32(pf->seg, pf->bdf, PCI_SUBSYSTEM) == QEMU_SUBSYSTEM;
    pci_command_set(pf, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
    for (unsigned v = 0; v < n->nvfs && v < IGB_MAX_POOLS; v++) {
        struct igb_vf_state *s = &g->vf[v];
        if (n->vf[v].owner != SRIOV_NO_OWNER) {
            const struct mf_guest *gu = &n->m->guests[n->vf[v].owner];
            for (unsigned k = 0; k < gu->nvfs; k++)
                if (gu->vf[k].nic == n->index && gu->vf[k].index == v)
                    s->mf = &gu->vf[k];
        }
        memcpy(s->mac, n->vf[v].mac, 6);
        s->has_mac = n->vf[v].has_mac;
    }
    if (n->nvfs > IGB_MAX_POOLS) {
        log_err("igb", "%s: %u VFs, the 82576 has %u pools", n->mf->name, n->nvfs, IGB_MAX_POOLS);
        return false;
    }
    reset(n);
    log_info("igb", "%s: 82576 at %s reset%s", n->mf->name, pci_bdf_str(pf->seg, pf->bdf, (char[16]){ 0 }),
             n->emulated ? "; device model: QEMU (subsystem 1af4:1100)" : "");
    link_up(n);
    vmdq_mode(g);
    if (!igb_switch_setup(g) || !igb_uplink_setup(g))
        return false;
    igb_qos_setup(g);
    igb_mbx_setup(g);
    /* 7.10.2.9.1: VFs may start their reset handshake once the PF says it is done. */
    igb_wr(n, IGB_CTRL_EXT, igb_rd(n, IGB_CTRL_EXT) | IGB_CTRL_EXT_PFRSTD | IGB_CTRL_EXT_DRV_LOAD);
    return true;
}

static void igb_print_table(const struct nic *n)
{
    const struct igb *g = n->priv;
    char r[24], e[160], x[160], mac[24], vlan[48];
    log_info("igb", "%s: VF table (%s, link %s, qos_policy %s):", n->mf->name,
             mf_switching_name(n->mf->switching), n->link_bps ? igb_fmt_rate(n->link_bps, r, sizeof r) : "down",
             mf_qos_policy_name(n->m->hv.qos_policy));
    log_info("igb", "  VF  owner        MAC                VLAN            rate      spoof mirror  "
             "enforced / NOT enforced");
    for (unsigned v = 0; v < n->nvfs; v++) {
        const struct igb_vf_state *s = &g->vf[v];
        const struct mf_vf *f = s->mf;
        const struct mf_mirror *mi = &n->mf->mirror;
        const char *mirror = "-";
        if (mi->present && mi->target_vf == v)
            mirror = "target";
        for (unsigned k = 0; mi->present && k < mi->nsrc_vfs; k++)
            if (mi->src_vfs[k] == v)
                mirror = "source";
        if (s->has_mac)
            igb_mac_str(s->mac, mac, sizeof mac);
        else
            snprintf(mac, sizeof mac, "-");
        if (f && f->vlan)
            snprintf(vlan, sizeof vlan, "port %u prio %u", f->vlan, f->priority);
        else if (f && f->nallowed_vlans) {
            unsigned len = (unsigned)snprintf(vlan, sizeof vlan, "tagged ");
            for (unsigned k = 0; k < f->nallowed_vlans && len < sizeof vlan; k++)
                len += (unsigned)snprintf(vlan + len, sizeof vlan - len, "%s%u", k ? "," : "", f->allowed_vlans[k]);
        } else
            snprintf(vlan, sizeof vlan, "untagged");
        log_info("igb", "  %-3u %-12s %-18s %-15s %-9s %-5s %-7s %s / %s", v, nic_owner_name(n, v), mac, vlan,
                 f && f->tx_rate_bps ? igb_fmt_rate(f->tx_rate_bps, r, sizeof r) : "-",
                 f ? (f->spoof_check ? "on" : "off") : "-", mirror,
                 nic_settings_str(n->vf[v].enforced, e, sizeof e), nic_settings_str(n->vf[v].gaps, x, sizeof x));
    }
}

const struct nic_ops igb_nic_ops = {
    .name = "igb",
    .match = igb_match,
    .bring_up = igb_bring_up,
    .service = igb_mbx_service,
    .print_table = igb_print_table,
    .uplink = &igb_uplink_ops,
};
