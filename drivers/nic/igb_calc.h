/* Pure register-value computations of the igb PF driver (no device access): rate factors,
 * address and VLAN filters, pool options, anti-spoofing and mirroring rules. Host
 * unit-tested in tests/unit/test_igb_calc.c against worked examples. */
#ifndef EXITLESS_DRIVERS_NIC_IGB_CALC_H
#define EXITLESS_DRIVERS_NIC_IGB_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RTTBCNRC for a VF limited to `rate_bps` on a `link_bps` link (82576 datasheet 7.10.3.5):
 * the rate factor link/rate as 14 integer bits . 14 fraction bits, with RS_ENA. -1 when the
 * rate is 0, above the link speed, or the factor does not fit 14 integer bits. */
int igb_rate_factor(uint64_t link_bps, uint64_t rate_bps, uint32_t *rttbcnrc);
/* The rate a programmed RTTBCNRC value gives on `link_bps` (0 when RS_ENA is clear). */
uint64_t igb_rate_of(uint64_t link_bps, uint32_t rttbcnrc);

/* Receive address low/high for `mac` steered to the pools in `pools` (8.10.13-14). */
uint32_t igb_ral(const uint8_t mac[6]);
uint32_t igb_rah(const uint8_t mac[6], uint8_t pools);

/* VLAN pool filter entry: `vid` enabled for the pools in `pools` (8.10.x VLVF). */
uint32_t igb_vlvf(uint16_t vid, uint8_t pools);
/* VLAN filter table word and bit of `vid` (8.10.19). */
static inline unsigned igb_vfta_word(uint16_t vid) { return (vid >> 5) & 0x7f; }
static inline uint32_t igb_vfta_bit(uint16_t vid) { return 1u << (vid & 31); }

/* Per-pool receive options (8.10.x VMOLR). */
struct igb_pool_rx {
    bool broadcast;       /* BAM */
    bool untagged;        /* AUPE: accept frames without a VLAN tag */
    bool multicast_hash;  /* ROMPE: accept multicast whose MTA hash bit is set */
    bool strip_vlan;      /* STRVLAN: the port VLAN tag is removed */
    uint16_t max_frame;   /* RLPML; above 1522 sets LPE */
};
uint32_t igb_vmolr(const struct igb_pool_rx *p);

/* Default VLAN insertion (port VLAN) with an 802.1p priority (8.12.x VMVIR); 0 = none. */
uint32_t igb_vmvir(uint16_t vid, uint8_t priority);

/* DMA TX switch control (8.12.x DTXSWC): VEB loopback and per-pool MAC/VLAN anti-spoofing. */
uint32_t igb_dtxswc(bool veb, uint8_t mac_spoof_pools, uint8_t vlan_spoof_pools);

/* Multicast table array position of a 12-bit hash (RCTL.MO = 0, 8.10.15). */
static inline unsigned igb_mta_word(uint16_t hash) { return (hash >> 5) & 0x7f; }
static inline uint32_t igb_mta_bit(uint16_t hash) { return 1u << (hash & 31); }
/* The 12-bit hash of a multicast address with RCTL.MO = 0: bits 47:36 of the address. */
uint16_t igb_mta_hash(const uint8_t mac[6]);

/* The VLAN plan of a NIC: every VLAN some pool uses, with its member pools. */
#define IGB_PLAN_MAX 32
struct igb_vlan_entry {
    uint16_t vid;
    uint8_t pools;
};
struct igb_vlan_plan {
    unsigned n;
    struct igb_vlan_entry e[IGB_PLAN_MAX];
};
/* Adds pool membership of `vid` (pool == 0xff: the VLAN exists, no member yet, e.g. a
 * mirrored VLAN). -1 when the table is full. */
int igb_plan_add(struct igb_vlan_plan *p, uint16_t vid, uint8_t pool);
/* Index of `vid` in the plan (= its VLVF entry), -1 if absent. */
int igb_plan_find(const struct igb_vlan_plan *p, uint16_t vid);

/* Mirroring (7.10.3.7): at most one pool rule and one VLAN rule to `target`. */
struct igb_mirror_rule {
    uint32_t vmrctl, vmrvm, vmrvlan;
};
/* Builds the rules into r[0..]; returns how many (0..2), -1 when a VLAN is not in the plan
 * or the target is also a source. */
int igb_mirror_rules(uint8_t src_pools, const uint16_t *vlans, unsigned nvlans, uint8_t target,
                     const struct igb_vlan_plan *plan, struct igb_mirror_rule r[2]);

/* Link speed in bit/s from STATUS.SPEED (8.2.2). */
uint64_t igb_status_speed(uint32_t status);

/* "100Mbit", "1Gbit", "1500Kbit", "12345bit": a rate for log lines. */
const char *igb_fmt_rate(uint64_t bps, char *buf, size_t size);

#endif
