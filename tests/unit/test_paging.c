/* Unit tests for the page-table builder, on tables held in host memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernel/paging.h"

#define MAX_TABLES 64
#include "fake_tables.h"

static struct pt fresh(void)
{
    used = 0;
    limit = MAX_TABLES;
    struct pt pt = { .fmt = &pt_format_x86, .alloc_table = fake_alloc, .table_ptr = fake_ptr };
    pt.root_phys = fake_alloc(NULL);
    return pt;
}

static void test_sizes(void)
{
    struct pt pt = fresh();
    uint64_t pa, e;
    int level;

    CHECK(pt_map(&pt, 0xffffffff80200000ull, 0x200000, 0x3000, PTE_NX, 0) == 0, "4K map");
    CHECK(pt_lookup(&pt, 0xffffffff80201234ull, &pa, &e, &level) == 0, "lookup");
    CHECK_EQ_U64(pa, 0x201234, "translation");
    CHECK_EQ_U64(level, 1, "4 KiB leaf");
    CHECK((e & PTE_NX) && (e & PTE_P) && !(e & PTE_W) && !(e & PTE_PS), "4K bits %#llx",
          (unsigned long long)e);
    CHECK(pt_lookup(&pt, 0xffffffff80203000ull, &pa, &e, &level) == -1, "end exclusive");
    CHECK_EQ_U64(used, 4, "one table per level");

    /* 2 MiB + 1 GiB choice by alignment and size. */
    CHECK(pt_map(&pt, 0xffff800000000000ull, 0, (1ull << 30) + (4ull << 20),
                 PTE_W | PTE_NX, PT_ALLOW_2M | PT_ALLOW_1G) == 0, "physmap");
    CHECK(pt_lookup(&pt, 0xffff800000001000ull, &pa, &e, &level) == 0 && level == 3 &&
              pa == 0x1000 && (e & PTE_PS), "1 GiB leaf");
    CHECK(pt_lookup(&pt, 0xffff800040300000ull, &pa, &e, &level) == 0 && level == 2 &&
              pa == 0x40300000, "2 MiB leaf after the 1 GiB one");
    /* Unaligned start: 4 KiB pages until 2 MiB alignment. */
    CHECK(pt_map(&pt, 0x1ff000, 0x1ff000, 0x201000, PTE_W, PT_ALLOW_2M) == 0, "mixed");
    CHECK(pt_lookup(&pt, 0x1ff000, &pa, &e, &level) == 0 && level == 1, "head 4K");
    CHECK(pt_lookup(&pt, 0x200000, &pa, &e, &level) == 0 && level == 2, "then 2M");
}

static void test_errors(void)
{
    struct pt pt = fresh();
    CHECK(pt_map(&pt, 0x1000, 0x1000, 0x800, 0, 0) == PT_EINVAL, "unaligned size");
    CHECK(pt_map(&pt, 0x1001, 0x1000, 0x1000, 0, 0) == PT_EINVAL, "unaligned va");
    CHECK(pt_map(&pt, 0x0000800000000000ull, 0, 0x1000, 0, 0) == PT_EINVAL, "non-canonical");
    CHECK(pt_map(&pt, 0x00007ffffffff000ull, 0, 0x2000, 0, 0) == PT_EINVAL,
          "range crossing into the hole");
    CHECK(pt_map(&pt, 0x1000, 1ull << 52, 0x1000, 0, 0) == PT_EINVAL, "pa too wide");

    CHECK(pt_map(&pt, 0x400000, 0x400000, 0x200000, PTE_W, PT_ALLOW_2M) == 0, "2M");
    CHECK(pt_map(&pt, 0x400000, 0x400000, 0x200000, PTE_W, PT_ALLOW_2M) == 0, "same again ok");
    CHECK(pt_map(&pt, 0x400000, 0x800000, 0x200000, PTE_W, PT_ALLOW_2M) == PT_EEXIST,
          "different target refused");
    CHECK(pt_map(&pt, 0x401000, 0x401000, 0x1000, PTE_W, 0) == PT_EEXIST,
          "4K inside a 2M leaf refused");
    CHECK(pt_map(&pt, 0x400000, 0x400000, 0x200000, 0, PT_ALLOW_2M) == PT_EEXIST,
          "different permissions refused");

    pt = fresh();
    limit = 3; /* root + 2: the PT level cannot be allocated */
    CHECK(pt_map(&pt, 0x1000, 0x1000, 0x1000, 0, 0) == PT_ENOMEM, "out of tables");
    CHECK(pt_lookup(&pt, 0x1000, NULL, NULL, NULL) == -1, "nothing mapped");
    CHECK(pt_lookup(&pt, 0x0000900000000000ull, NULL, NULL, NULL) == -1, "non-canonical lookup");
}

static void test_remap(void)
{
    struct pt pt = fresh();
    uint64_t pa, e;
    int level;
    CHECK(pt_map(&pt, 0x200000, 0x40000000, 0x200000, PTE_W | PTE_NX, PT_ALLOW_2M) == 0, "2M");
    int before = used;
    CHECK(pt_remap_4k(&pt, 0x203000, 0x7000, PTE_NX) == 0, "remap inside a 2M leaf");
    CHECK_EQ_U64(used, before + 1, "one new table for the split");
    CHECK(pt_lookup(&pt, 0x203010, &pa, &e, &level) == 0 && pa == 0x7010 && level == 1 &&
              !(e & PTE_W), "remapped page");
    CHECK(pt_lookup(&pt, 0x204000, &pa, &e, &level) == 0 && pa == 0x40004000 && level == 1 &&
              (e & PTE_W) && (e & PTE_NX) && !(e & PTE_PS), "neighbours keep target and bits");
    CHECK(pt_lookup(&pt, 0x3ff000, &pa, NULL, NULL) == 0 && pa == 0x401ff000, "last page");
    CHECK(pt_remap_4k(&pt, 0x203000, 0x40003000, PTE_W | PTE_NX) == 0, "restore");
    CHECK(pt_lookup(&pt, 0x203000, &pa, &e, NULL) == 0 && pa == 0x40003000 && (e & PTE_W),
          "restored");
    CHECK(pt_remap_4k(&pt, 0x10000000, 0x9000, 0) == 0, "remap where nothing was mapped");
    CHECK(pt_remap_4k(&pt, 0x1001, 0x9000, 0) == PT_EINVAL, "unaligned");
}

int main(void)
{
    test_sizes();
    test_remap();
    test_errors();
    return check_summary("paging");
}
