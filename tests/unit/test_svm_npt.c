/* Unit tests for nested page-table entries from GPM attributes, and the perms round trip
 * through the shared builder. */
#include "check.h"
#include "vmm/svm/npt.h"

#define MAX_TABLES 64
#include "fake_tables.h"

static void test_entries(void)
{
    const struct pt_format *f = &pt_format_npt;
    uint64_t t = f->table_entry(0x5000);
    CHECK_EQ_U64(t, 0x5000 | PTE_P | PTE_W | PTE_U, "tables grant everything, U/S set");
    uint64_t e = f->leaf_entry(0x7000, GPM_RWX, 1);
    CHECK_EQ_U64(e, 0x7000 | PTE_P | PTE_W | PTE_U, "RWX 4K leaf");
    e = f->leaf_entry(0x200000, GPM_R | GPM_X, 2);
    CHECK_EQ_U64(e, 0x200000 | PTE_P | PTE_U | PTE_PS, "RX 2M leaf (shadow IDT pages are RX)");
    e = f->leaf_entry(0x9000, GPM_R | GPM_W, 1);
    CHECK_EQ_U64(e, 0x9000 | PTE_P | PTE_U | PTE_W | PTE_NX, "RW, not executable");
    e = f->leaf_entry(0xfee00000, GPM_R | GPM_W | GPM_UC, 1);
    CHECK_EQ_U64(e, 0xfee00000 | PTE_P | PTE_U | PTE_W | PTE_NX | PTE_PCD | PTE_PWT,
                 "device memory: UC via PAT entry 3");
    CHECK_EQ_U64(f->leaf_entry(0x1000, GPM_W | GPM_X, 1), 0, "no read: not present");
    CHECK(!f->present(0) && f->present(e), "present");
    CHECK(f->is_leaf(e, 1) && f->is_leaf(PTE_P | PTE_PS, 2) && !f->is_leaf(t, 2), "is_leaf");
    static const uint64_t attrs[] = { GPM_R, GPM_R | GPM_W, GPM_R | GPM_X, GPM_RWX,
                                      GPM_RWX | GPM_UC, GPM_R | GPM_UC };
    for (unsigned i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
        for (int level = 1; level <= 3; level++)
            CHECK_EQ_U64(f->perms(f->leaf_entry(0x40000000, attrs[i], level)),
                         attrs[i] & GPM_RWX, "perms round trip");
    CHECK_EQ_U64(f->perms(0), 0, "not present: no rights");
    CHECK_EQ_U64(npt_root(0x123000), 0x123000, "nCR3 is the PML4 address");
}

static void test_map(void)
{
    struct pt pt = { .fmt = &pt_format_npt, .alloc_table = fake_alloc, .table_ptr = fake_ptr };
    pt.root_phys = fake_alloc(NULL);
    uint64_t pa, e;
    int level;
    CHECK_EQ_U64(pt_map(&pt, 0, 0x40000000, 8 << 20, GPM_RWX, PT_ALLOW_2M), 0, "map 8 MiB");
    CHECK_EQ_U64(pt_lookup(&pt, 0x201234, &pa, &e, &level), 0, "mapped");
    CHECK_EQ_U64(pa, 0x40201234, "translation");
    CHECK_EQ_U64(level, 2, "2M leaf");
    CHECK_EQ_U64(pt.fmt->perms(e), GPM_RWX, "RWX");
    CHECK_EQ_U64(pt_remap_4k(&pt, 0x203000, 0x9000, GPM_R | GPM_X), 0, "shadow one page");
    CHECK_EQ_U64(pt_lookup(&pt, 0x203000, &pa, &e, &level), 0, "remapped");
    CHECK(pa == 0x9000 && level == 1 && pt.fmt->perms(e) == (GPM_R | GPM_X), "shadow page RX");
    CHECK_EQ_U64(pt_lookup(&pt, 0x204000, &pa, &e, &level), 0, "neighbour");
    CHECK(pa == 0x40204000 && pt.fmt->perms(e) == GPM_RWX, "split kept the neighbours RWX");
    CHECK(pt_lookup(&pt, 8 << 20, &pa, &e, &level) != 0, "past the guest: not mapped");
}

int main(void)
{
    test_entries();
    test_map();
    return check_summary("svm_npt");
}
