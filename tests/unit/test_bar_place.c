/* Unit tests for VF BAR placement: alignment, first fit, collisions, exhaustion, bad sizes. */
#include <stdint.h>

#include "check.h"
#include "drivers/pci/bar_place.h"

static void test_qemu_q35(void)
{
    /* What SeaBIOS assigns on q35 with igb (tests/integration.sh qemu-vtd-vf log). */
    const struct addr_range used[] = {
        { 0xfd000000, 0x1000000 }, { 0xfebf4000, 0x1000 }, { 0xfeba0000, 0x20000 },
        { 0xfebc0000, 0x20000 }, { 0xfebf0000, 0x4000 }, { 0xfebf5000, 0x1000 },
        { 0xb0000000, 0x10000000 }, { 0xfed90000, 0x1000 },
    };
    uint64_t sizes[] = { 0x8000, 0x8000 }, out[2];
    CHECK_EQ_U64(bar_place(used, 8, 0xf0000000, 0xfec00000, sizes, 2, out), 0, "placed");
    CHECK_EQ_U64(out[0], 0xf0000000, "VF BAR0 block at the window start");
    CHECK_EQ_U64(out[1], 0xf0008000, "VF BAR3 block right after, aligned");
}

static void test_collisions_and_alignment(void)
{
    const struct addr_range used[] = { { 0x1000, 0x3000 }, { 0x10000, 0x1000 } };
    uint64_t sizes[] = { 0x4000, 0x1000, 0x8000 }, out[3];
    CHECK_EQ_U64(bar_place(used, 2, 0x0, 0x100000, sizes, 3, out), 0, "placed");
    CHECK_EQ_U64(out[0], 0x4000, "skips [0x1000,0x4000), aligned to 16K");
    CHECK_EQ_U64(out[1], 0x0, "small one fits below the first used range");
    CHECK_EQ_U64(out[2], 0x8000, "32K aligned, after the first request");
    uint64_t big[] = { 0x10000 }, o;
    CHECK_EQ_U64(bar_place(used, 2, 0x1000, 0x100000, big, 1, &o), 0, "64K");
    CHECK_EQ_U64(o, 0x20000, "aligned 64K block after the used page at 0x10000");
}

static void test_failures(void)
{
    const struct addr_range used[] = { { 0xf0000000, 0x0ec00000 } };
    uint64_t sizes[] = { 0x4000 }, out[1];
    CHECK(bar_place(used, 1, 0xf0000000, 0xfec00000, sizes, 1, out) != 0, "window full");
    uint64_t odd[] = { 0x3000 };
    CHECK(bar_place(NULL, 0, 0, 0x100000, odd, 1, out) != 0, "size not a power of two");
    uint64_t zero[] = { 0 };
    CHECK(bar_place(NULL, 0, 0, 0x100000, zero, 1, out) != 0, "zero size");
    uint64_t huge[] = { 1ull << 63 };
    CHECK(bar_place(NULL, 0, 0x1000, ~0ull, huge, 1, out) != 0, "overflowing size");
    uint64_t fits[] = { 0x1000 };
    CHECK(bar_place(NULL, 0, 0xfff, 0x1000, fits, 1, out) != 0, "window smaller than the BAR");
}

int main(void)
{
    test_qemu_q35();
    test_collisions_and_alignment();
    test_failures();
    return check_summary("bar_place");
}
