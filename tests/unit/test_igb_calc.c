/* Unit tests for the igb PF driver's register values, against worked examples: the
 * transmit rate factor (82576 datasheet 7.10.3.5, the 1 Gb/s / 100 and 300 Mb/s cases the
 * public igb driver programs), RAR/VLVF/VMOLR/VMVIR/DTXSWC encodings (datasheet 8.10, 8.12)
 * and the mirroring rules (7.10.3.7). */
#include <stdint.h>

#include "check.h"
#include "drivers/nic/igb_calc.h"
#include "drivers/nic/igb_regs.h"

#define MBIT 1000000ull
#define GBIT 1000000000ull

static void test_rate_factor(void)
{
    uint32_t v = 0;
    /* 1000/100 = 10.0: RF_INT 10, RF_DEC 0. */
    CHECK_EQ_U64(igb_rate_factor(GBIT, 100 * MBIT, &v), 0, "100M on 1G");
    CHECK_EQ_U64(v, 0x80028000, "RS_ENA | 10 << 14");
    CHECK_EQ_U64(igb_rate_of(GBIT, v), 100 * MBIT, "back to 100M");
    /* 1000/300 = 3.3333: RF_DEC = 100 * 16384 / 300 = 5461 = 0x1555. */
    CHECK_EQ_U64(igb_rate_factor(GBIT, 300 * MBIT, &v), 0, "300M on 1G");
    CHECK_EQ_U64(v, 0x8000d555, "RS_ENA | 3 << 14 | 0x1555");
    CHECK(igb_rate_of(GBIT, v) >= 300 * MBIT && igb_rate_of(GBIT, v) < 300 * MBIT + 20000,
          "300M within rounding: %lu", (unsigned long)igb_rate_of(GBIT, v));
    /* Full link speed: factor 1.0. */
    CHECK_EQ_U64(igb_rate_factor(GBIT, GBIT, &v), 0, "1G on 1G");
    CHECK_EQ_U64(v, 0x80004000, "RS_ENA | 1 << 14");
    /* 1000/250 on a 100M link is refused (above the link). */
    CHECK_EQ_U64(igb_rate_factor(100 * MBIT, 250 * MBIT, &v), (uint64_t)-1, "rate above link");
    CHECK_EQ_U64(igb_rate_factor(GBIT, 0, &v), (uint64_t)-1, "zero rate");
    /* 1 Gb/s over 10 kb/s = 100000 > 16383: does not fit the 14-bit integer part. */
    CHECK_EQ_U64(igb_rate_factor(GBIT, 10000, &v), (uint64_t)-1, "factor too large");
    /* 64 kb/s: 15625 fits. */
    CHECK_EQ_U64(igb_rate_factor(GBIT, 64000, &v), 0, "64k");
    CHECK_EQ_U64(v, 0x80000000u | 15625u << 14, "factor 15625");
    CHECK_EQ_U64(igb_rate_of(GBIT, 0x00028000), 0, "RS_ENA clear: no limit");
}

static void test_filters(void)
{
    const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 };
    const uint8_t mac2[6] = { 0x00, 0x1b, 0x21, 0x3c, 0x9d, 0xf8 };
    CHECK_EQ_U64(igb_ral(mac), 0x00000002, "RAL little-endian");
    CHECK_EQ_U64(igb_rah(mac, 1u << 0), 0x80041000, "RAH: AV | pool 0 | bytes 4-5");
    CHECK_EQ_U64(igb_ral(mac2), 0x3c211b00, "RAL of 00:1b:21:3c:9d:f8");
    CHECK_EQ_U64(igb_rah(mac2, 1u << 7), 0x8200f89d, "RAH pool 7");
    CHECK_EQ_U64(igb_vlvf(10, 0x06), 0x8000600a, "VLVF VLAN 10, pools 1 and 2");
    CHECK_EQ_U64(igb_vlvf(4094, 0x80), 0x80080ffe, "VLVF VLAN 4094, pool 7");
    CHECK_EQ_U64(igb_vfta_word(10), 0, "VFTA word of 10");
    CHECK_EQ_U64(igb_vfta_bit(10), 1u << 10, "VFTA bit of 10");
    CHECK_EQ_U64(igb_vfta_word(4094), 127, "VFTA word of 4094");
    CHECK_EQ_U64(igb_vfta_bit(4094), 1u << 30, "VFTA bit of 4094");
    const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    CHECK_EQ_U64(igb_mta_hash(mc), 0x010, "MTA hash of 01:00:5e:00:00:01 (MO=0)");
    const uint8_t mc2[6] = { 0x33, 0x33, 0x00, 0x00, 0xab, 0xcd };
    CHECK_EQ_U64(igb_mta_hash(mc2), 0xcda, "MTA hash: bits 47:36");
    CHECK_EQ_U64(igb_mta_word(0xcda), 0x66, "MTA word");
    CHECK_EQ_U64(igb_mta_bit(0xcda), 1u << 26, "MTA bit");
}

static void test_pool_options(void)
{
    struct igb_pool_rx plain = { .broadcast = true, .untagged = true, .multicast_hash = true };
    CHECK_EQ_U64(igb_vmolr(&plain), 0x8b0005f2, "STRCRC | BAM | ROMPE | AUPE | RLPML 1522");
    struct igb_pool_rx port = { .broadcast = true, .strip_vlan = true, .max_frame = 9018 };
    CHECK_EQ_U64(igb_vmolr(&port), 0xc801233a, "STRCRC | STRVLAN | BAM | LPE | RLPML 9018");
    CHECK_EQ_U64(igb_vmvir(10, 5), 0x4000a00a, "VMVIR default tag VLAN 10 PCP 5");
    CHECK_EQ_U64(igb_vmvir(0, 5), 0, "no port VLAN: nothing inserted");
    CHECK_EQ_U64(igb_vmvir(100, 9), 0x4000e064, "priority clamped to 7");
    CHECK_EQ_U64(igb_dtxswc(true, 0x0f, 0x0f), 0x80000f0f, "VEB + spoof on pools 0-3");
    CHECK_EQ_U64(igb_dtxswc(false, 0x05, 0x00), 0x00000005, "VEPA, MAC spoof on 0 and 2");
}

static void test_vlan_plan_and_mirror(void)
{
    struct igb_vlan_plan p = { 0 };
    CHECK_EQ_U64(igb_plan_add(&p, 10, 2), 0, "VLAN 10 pool 2");
    CHECK_EQ_U64(igb_plan_add(&p, 20, 1), 0, "VLAN 20 pool 1");
    CHECK_EQ_U64(igb_plan_add(&p, 10, 1), 0, "VLAN 10 pool 1");
    CHECK_EQ_U64(igb_plan_add(&p, 30, 0xff), 0, "VLAN 30, mirror only");
    CHECK_EQ_U64(p.n, 3, "three VLANs");
    CHECK_EQ_U64(p.e[0].pools, 0x06, "VLAN 10 pools 1,2");
    CHECK_EQ_U64(p.e[2].pools, 0x00, "VLAN 30 no member");
    CHECK_EQ_U64(igb_plan_find(&p, 20), 1, "VLAN 20 at VLVF 1");
    CHECK_EQ_U64(igb_plan_find(&p, 99), (uint64_t)-1, "absent");

    struct igb_mirror_rule r[2];
    const uint16_t vl[] = { 20, 30 };
    CHECK_EQ_U64(igb_mirror_rules(0x03, vl, 2, 3, &p, r), 2, "pool rule + VLAN rule");
    CHECK_EQ_U64(r[0].vmrctl, 0x301, "VPME, destination pool 3");
    CHECK_EQ_U64(r[0].vmrvm, 0x03, "sources pools 0 and 1");
    CHECK_EQ_U64(r[1].vmrctl, 0x308, "VLME, destination pool 3");
    CHECK_EQ_U64(r[1].vmrvlan, 0x06, "VLVF entries 1 (VLAN 20) and 2 (VLAN 30)");
    CHECK_EQ_U64(igb_mirror_rules(0x01, NULL, 0, 0, &p, r), (uint64_t)-1, "target is a source");
    const uint16_t missing[] = { 99 };
    CHECK_EQ_U64(igb_mirror_rules(0, missing, 1, 3, &p, r), (uint64_t)-1, "VLAN not planned");
    CHECK_EQ_U64(igb_mirror_rules(0x04, NULL, 0, 3, &p, r), 1, "pool rule only");

    struct igb_vlan_plan full = { 0 };
    for (unsigned i = 0; i < IGB_PLAN_MAX; i++)
        CHECK_EQ_U64(igb_plan_add(&full, (uint16_t)(i + 1), 0), 0, "fill");
    CHECK_EQ_U64(igb_plan_add(&full, 999, 0), (uint64_t)-1, "33rd VLAN refused");
}

static void test_misc(void)
{
    char b[24];
    CHECK_STREQ(igb_fmt_rate(100 * MBIT, b, sizeof b), "100Mbit", "100M");
    CHECK_STREQ(igb_fmt_rate(GBIT, b, sizeof b), "1Gbit", "1G");
    CHECK_STREQ(igb_fmt_rate(1500000, b, sizeof b), "1500Kbit", "1.5M");
    CHECK_EQ_U64(igb_status_speed(2u << 6), GBIT, "STATUS speed 10b");
    CHECK_EQ_U64(igb_status_speed(1u << 6), 100 * MBIT, "STATUS speed 01b");
}

int main(void)
{
    test_rate_factor();
    test_filters();
    test_pool_options();
    test_vlan_plan_and_mirror();
    test_misc();
    return check_summary("igb_calc");
}
