/* Unit tests for the VT-d encoders: second-level tables, root/context entries, IRTEs,
 * remappable MSI addresses, address-width choice, fault reason names, VF routing ids. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "drivers/pci/sriov.h"
#include "drivers/vtd/vtd_hw.h"

#define MAX_TABLES 16
#include "fake_tables.h"

static struct pt fresh(void)
{
    used = 0;
    struct pt pt = { .fmt = &pt_format_vtd_sl, .alloc_table = fake_alloc, .table_ptr = fake_ptr };
    pt.root_phys = fake_alloc(NULL);
    return pt;
}

/* A 16 MiB guest at host 0x400000 with 2 MiB pages: GPA 0.. maps exactly there, no further. */
static void test_sl_guest_domain(void)
{
    struct pt pt = fresh();
    uint64_t pa, e;
    int level;
    CHECK_EQ_U64(pt_map(&pt, 0, 0x400000, 16 << 20, VTD_SL_RW, PT_ALLOW_2M | PT_ALLOW_1G), 0, "map");
    CHECK_EQ_U64(pt_lookup(&pt, 0x1234, &pa, &e, &level), 0, "GPA 0x1234 mapped");
    CHECK_EQ_U64(pa, 0x401234, "GPA 0x1234 -> host");
    CHECK_EQ_U64(level, 2, "2 MiB superpage");
    CHECK((e & VTD_SL_PS) && (e & VTD_SL_R) && (e & VTD_SL_W), "leaf: PS, R, W (%#llx)", (unsigned long long)e);
    CHECK(!(e & (1ull << 2)) && !(e & (1ull << 11)), "no execute/snoop bits from x86 formats");
    CHECK_EQ_U64(pt_lookup(&pt, (16 << 20) - 1, &pa, &e, &level), 0, "last byte mapped");
    CHECK_EQ_U64(pa, 0x400000 + (16 << 20) - 1, "last byte -> host");
    CHECK(pt_lookup(&pt, 16 << 20, &pa, &e, &level) != 0, "one past the guest is not mapped");
    /* Non-leaf entries carry R/W only (permissions are decided at the leaf). */
    uint64_t top = tables[0][0];
    CHECK_EQ_U64(top & 0xfff, VTD_SL_RW, "table entry bits");
    CHECK_EQ_U64(used, 3, "PML4 + PDPT + PD only");
}

static void test_sl_4k_and_readonly(void)
{
    struct pt pt = fresh();
    uint64_t pa, e;
    int level;
    CHECK_EQ_U64(pt_map(&pt, 0x5000, 0x5000, 0x1000, VTD_SL_R, 0), 0, "identity page, read-only");
    CHECK_EQ_U64(pt_lookup(&pt, 0x5000, &pa, &e, &level), 0, "mapped");
    CHECK_EQ_U64(level, 1, "4 KiB leaf");
    CHECK((e & VTD_SL_R) && !(e & VTD_SL_W) && !(e & VTD_SL_PS), "R only, no PS at level 1");
    CHECK(pt_lookup(&pt, 0x6000, &pa, &e, &level) != 0, "neighbour not mapped");
    CHECK(pt_map(&pt, 0x5000, 0x9000, 0x1000, VTD_SL_RW, 0) != 0, "remapping elsewhere refused");
    CHECK(pt_map(&pt, 0x5001, 0x5001, 0x1000, VTD_SL_RW, 0) != 0, "unaligned refused");
}

static void test_root_context(void)
{
    struct vtd_entry128 r = vtd_root_entry(0x123456000);
    CHECK_EQ_U64(r.lo, 0x123456001, "root: CTP | P");
    CHECK_EQ_U64(r.hi, 0, "root high qword");
    struct vtd_entry128 c = vtd_context_entry(0xabc000, 7, VTD_AW_48);
    CHECK_EQ_U64(c.lo, 0xabc001, "context: SLPTPTR | TT=00 | P, FPD clear");
    CHECK_EQ_U64(c.hi, (7ull << 8) | 2, "context: DID 7 in 23:8, AW 2 (48-bit, 4-level)");
    c = vtd_context_entry(0xabcfff, 0xffff, VTD_AW_39);
    CHECK_EQ_U64(c.lo, 0xabc001, "low bits of the table address dropped");
    CHECK_EQ_U64(c.hi, (0xffffull << 8) | 1, "max DID, AW 1");
}

static void test_irte(void)
{
    /* VT-d 9.10: P=1, FPD=0, DM=0 (physical), RH=0, TM=0 (edge), DLM=000 (fixed), IM=0,
     * V in 23:16, DST in 63:32; high: SID 15:0, SQ 17:16 = 0, SVT 19:18 = 01. */
    struct vtd_entry128 e = vtd_irte_encode(0x0090, 1, 0x40, false);
    CHECK_EQ_U64(e.lo, 0x0000010000400001ull, "xAPIC: id in DST 15:8");
    CHECK_EQ_U64(e.hi, 0x0000000000040090ull, "SID 00:12.0, SVT=01");
    e = vtd_irte_encode(0x0092, 0x12345, 0xdf, true);
    CHECK_EQ_U64(e.lo, 0x0001234500df0001ull, "x2APIC: full 32-bit DST");
    CHECK_EQ_U64(e.hi, 0x0000000000040092ull, "SID 00:12.2");
    e = vtd_irte_encode(0xffff, 0x1ff, 0x30, false);
    CHECK_EQ_U64(e.lo >> 32, 0xff00, "xAPIC destination truncated to 8 bits");
}

static void test_msi_address(void)
{
    CHECK_EQ_U64(vtd_msi_address(0), 0xfee00010u, "handle 0: format bit only");
    CHECK_EQ_U64(vtd_msi_address(1), 0xfee00030u, "handle 1 in bits 19:5");
    CHECK_EQ_U64(vtd_msi_address(0x7fff), 0xfeeffff0u, "handle 0x7fff");
    CHECK_EQ_U64(vtd_msi_address(0x8000), 0xfee00014u, "handle bit 15 in address bit 2");
    CHECK(!(vtd_msi_address(5) & VTD_MSI_ADDR_SHV), "SHV clear: data is not a subhandle");
}

static void test_aw_and_reasons(void)
{
    CHECK_EQ_U64(vtd_pick_aw(VTD_SAGAW_39 | VTD_SAGAW_48, 48), VTD_AW_48, "QEMU: SAGAW 0x6, haw 48");
    CHECK_EQ_U64(vtd_pick_aw(VTD_SAGAW_48, 39), VTD_AW_48, "4-level covers a 39-bit host");
    CHECK_EQ_U64(vtd_pick_aw(VTD_SAGAW_39, 39), 0, "3-level only: unsupported by our builder");
    CHECK_EQ_U64(vtd_pick_aw(VTD_SAGAW_48, 52), 0, "host wider than 48 bits: refused");
    CHECK_EQ_U64(vtd_pick_aw(0, 48), 0, "malformed SAGAW 0");
    CHECK_STREQ(vtd_fault_reason_name(0x2), "context entry not present (device blocked)", "reason 2");
    CHECK_STREQ(vtd_fault_reason_name(0x26), "interrupt source id does not match the IRTE", "reason 0x26");
    CHECK_STREQ(vtd_fault_reason_name(0x99), "unknown reason", "unknown reason");
}

static void test_vf_rid(void)
{
    /* QEMU igb at 00:02.0: offset 0x80, stride 2 -> VF0 00:12.0, VF1 00:12.2, VF7 00:13.6. */
    CHECK_EQ_U64(sriov_vf_rid(0x0010, 0x80, 2, 0), 0x0090, "VF0");
    CHECK_EQ_U64(sriov_vf_rid(0x0010, 0x80, 2, 1), 0x0092, "VF1");
    CHECK_EQ_U64(sriov_vf_rid(0x0010, 0x80, 2, 7), 0x009e, "VF7");
    CHECK_EQ_U64(sriov_vf_rid(0x0100, 0x80, 1, 0x7f), 0x01ff, "82576 behind a port: bus 1");
    CHECK_EQ_U64(sriov_vf_rid(0x0100, 0x180, 1, 0), 0x0280, "offset crossing into the next bus");
}

int main(void)
{
    test_sl_guest_domain();
    test_sl_4k_and_readonly();
    test_root_context();
    test_irte();
    test_msi_address();
    test_aw_and_reasons();
    test_vf_rid();
    return check_summary("vtd");
}
