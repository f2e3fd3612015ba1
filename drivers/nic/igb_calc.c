/* Pure register-value computations of the igb PF driver (see igb_calc.h). */
#include <stdio.h>

#include "drivers/nic/igb_calc.h"
#include "drivers/nic/igb_regs.h"

#define RF_FRACTION_BITS IGB_RTTBCNRC_RF_INT_SHIFT
#define RF_INT_MAX       (IGB_RTTBCNRC_RF_INT_MASK >> IGB_RTTBCNRC_RF_INT_SHIFT)
#define VLAN_PRIO_SHIFT  13
#define VLAN_PRIO_MAX    7
#define MAX_FRAME_PLAIN  1522 /* 1500 bytes of payload, Ethernet header, one tag, FCS */

int igb_rate_factor(uint64_t link_bps, uint64_t rate_bps, uint32_t *rttbcnrc)
{
    if (!rate_bps || !link_bps || rate_bps > link_bps)
        return -1;
    uint64_t rf_int = link_bps / rate_bps;
    /* link_bps < 2^50 keeps the shifted remainder in 64 bits: no 128-bit division. */
    uint64_t rf_dec = ((link_bps - rf_int * rate_bps) << RF_FRACTION_BITS) / rate_bps;
    if (rf_int > RF_INT_MAX || link_bps >> 50)
        return -1;
    *rttbcnrc = IGB_RTTBCNRC_RS_ENA | (uint32_t)(rf_int << IGB_RTTBCNRC_RF_INT_SHIFT) |
                (uint32_t)(rf_dec & IGB_RTTBCNRC_RF_DEC_MASK);
    return 0;
}

uint64_t igb_rate_of(uint64_t link_bps, uint32_t rttbcnrc)
{
    if (!(rttbcnrc & IGB_RTTBCNRC_RS_ENA))
        return 0;
    uint64_t factor = (rttbcnrc & (IGB_RTTBCNRC_RF_INT_MASK | IGB_RTTBCNRC_RF_DEC_MASK));
    if (!factor || link_bps >> 50)
        return 0;
    return (link_bps << RF_FRACTION_BITS) / factor;
}

uint32_t igb_ral(const uint8_t mac[6])
{
    return (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
}

uint32_t igb_rah(const uint8_t mac[6], uint8_t pools)
{
    return (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | (uint32_t)pools << IGB_RAH_POOL_SHIFT | IGB_RAH_AV;
}

uint32_t igb_vlvf(uint16_t vid, uint8_t pools)
{
    return IGB_VLVF_EN | (uint32_t)pools << IGB_VLVF_POOL_SHIFT | (vid & IGB_VLVF_VID_MASK);
}

uint32_t igb_vmolr(const struct igb_pool_rx *p)
{
    uint16_t max = p->max_frame ? p->max_frame : MAX_FRAME_PLAIN;
    uint32_t v = IGB_VMOLR_STRCRC | (max & IGB_VMOLR_RLPML_MASK);
    if (max > MAX_FRAME_PLAIN)
        v |= IGB_VMOLR_LPE;
    if (p->broadcast)
        v |= IGB_VMOLR_BAM;
    if (p->untagged)
        v |= IGB_VMOLR_AUPE;
    if (p->multicast_hash)
        v |= IGB_VMOLR_ROMPE;
    if (p->strip_vlan)
        v |= IGB_VMOLR_STRVLAN;
    return v;
}

uint32_t igb_vmvir(uint16_t vid, uint8_t priority)
{
    if (!vid)
        return 0;
    uint8_t prio = priority > VLAN_PRIO_MAX ? VLAN_PRIO_MAX : priority;
    return IGB_VMVIR_DEFAULT | (uint32_t)prio << VLAN_PRIO_SHIFT | (vid & IGB_VLVF_VID_MASK);
}

uint32_t igb_dtxswc(bool veb, uint8_t mac_spoof_pools, uint8_t vlan_spoof_pools)
{
    return (veb ? IGB_DTXSWC_LOOPBACK_EN : 0) | (uint32_t)mac_spoof_pools << IGB_DTXSWC_MAC_SPOOF_SHIFT |
           (uint32_t)vlan_spoof_pools << IGB_DTXSWC_VLAN_SPOOF_SHIFT;
}

uint16_t igb_mta_hash(const uint8_t mac[6])
{
    return (uint16_t)(((mac[4] >> 4) | (uint16_t)mac[5] << 4) & 0xfff);
}

int igb_plan_find(const struct igb_vlan_plan *p, uint16_t vid)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->e[i].vid == vid)
            return (int)i;
    return -1;
}

int igb_plan_add(struct igb_vlan_plan *p, uint16_t vid, uint8_t pool)
{
    int i = igb_plan_find(p, vid);
    if (i < 0) {
        if (p->n >= IGB_PLAN_MAX)
            return -1;
        i = (int)p->n++;
        p->e[i] = (struct igb_vlan_entry){ vid, 0 };
    }
    if (pool < IGB_MAX_POOLS)
        p->e[i].pools |= (uint8_t)(1u << pool);
    return 0;
}

int igb_mirror_rules(uint8_t src_pools, const uint16_t *vlans, unsigned nvlans, uint8_t target,
                     const struct igb_vlan_plan *plan, struct igb_mirror_rule r[2])
{
    int n = 0;
    if (target >= IGB_MAX_POOLS || (src_pools >> target) & 1)
        return -1;
    uint32_t dst = (uint32_t)target << IGB_VMRCTL_DST_SHIFT;
    if (src_pools)
        r[n++] = (struct igb_mirror_rule){ IGB_VMRCTL_VPME | dst, src_pools, 0 };
    if (nvlans) {
        uint32_t bits = 0;
        for (unsigned i = 0; i < nvlans; i++) {
            int k = igb_plan_find(plan, vlans[i]);
            if (k < 0)
                return -1;
            bits |= 1u << k;
        }
        r[n++] = (struct igb_mirror_rule){ IGB_VMRCTL_VLME | dst, 0, bits };
    }
    return n;
}

uint64_t igb_status_speed(uint32_t status)
{
    switch ((status & IGB_STATUS_SPEED_MASK) >> IGB_STATUS_SPEED_SHIFT) {
    case 0: return 10000000ull;
    case 1: return 100000000ull;
    default: return 1000000000ull;
    }
}

const char *igb_fmt_rate(uint64_t bps, char *buf, size_t size)
{
    static const char *const unit[] = { "bit", "Kbit", "Mbit", "Gbit", "Tbit" };
    unsigned u = 0;
    while (u < 4 && bps && bps % 1000 == 0) {
        bps /= 1000;
        u++;
    }
    snprintf(buf, size, "%lu%s", (unsigned long)bps, unit[u]);
    return buf;
}
