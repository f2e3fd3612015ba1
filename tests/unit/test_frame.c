/* Unit tests for the frame allocator: ranges, reservations, alignment, exhaustion, frees. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "kernel/frame.h"

#define MIB (1ull << 20)

static struct frame_alloc fa;
static uint64_t *bm;

static void setup(uint64_t max_phys)
{
    free(bm);
    bm = calloc(frame_bitmap_words(max_phys), sizeof(uint64_t));
    frame_init(&fa, bm, max_phys / FRAME_SIZE);
}

static void test_ranges(void)
{
    setup(64 * MIB);
    CHECK_EQ_U64(fa.free_frames, 0, "starts all used");
    /* A usable range with ragged edges only yields whole frames inside it. */
    frame_add_free(&fa, 0x100800, 0x3000);
    CHECK_EQ_U64(fa.free_frames, 2, "partial frames at edges stay used");
    CHECK(!frame_is_free(&fa, 0x100000) && frame_is_free(&fa, 0x101000), "edges");

    setup(64 * MIB);
    frame_add_free(&fa, 0, 64 * MIB);
    frame_add_free(&fa, 0, 64 * MIB); /* idempotent */
    CHECK_EQ_U64(fa.free_frames, 16384, "64 MiB free");
    frame_reserve(&fa, 0x200000, 0x1001); /* touches two frames */
    CHECK_EQ_U64(fa.free_frames, 16382, "reserve rounds outward");
    frame_reserve(&fa, 0x200000, 0x1001);
    CHECK_EQ_U64(fa.free_frames, 16382, "reserve is idempotent");
    frame_add_free(&fa, 70 * MIB, 10 * MIB); /* beyond the bitmap: ignored */
    CHECK_EQ_U64(fa.free_frames, 16382, "range past the bitmap ignored");

    /* Allocations never return reserved frames. */
    uint64_t n = 0, p, reserved_seen = 0;
    while ((p = frame_alloc_range(&fa, 1, FRAME_SIZE, 0, UINT64_MAX)) != FRAME_NONE) {
        reserved_seen += p == 0x200000 || p == 0x201000;
        n++;
    }
    CHECK_EQ_U64(reserved_seen, 0, "reserved frames handed out");
    CHECK_EQ_U64(n, 16382, "every free frame handed out once");
    CHECK_EQ_U64(fa.free_frames, 0, "exhausted");
    CHECK(frame_free(&fa, 0x300000, 1) == 0, "free");
    CHECK(frame_free(&fa, 0x300000, 1) == -1, "double free detected");
    CHECK(frame_free(&fa, 0x300001, 1) == -1, "unaligned free rejected");
    CHECK(frame_free(&fa, 64 * MIB, 1) == -1, "free past the end rejected");
    CHECK_EQ_U64(frame_alloc_range(&fa, 1, FRAME_SIZE, 0, UINT64_MAX), 0x300000, "reuse");
}

static void test_alignment(void)
{
    setup(64 * MIB);
    frame_add_free(&fa, 0x1000, 64 * MIB - 0x1000);
    uint64_t a = frame_alloc_range(&fa, 512, 2 * MIB, 0, UINT64_MAX);
    CHECK_EQ_U64(a, 2 * MIB, "first 2 MiB-aligned block skips frame 0");
    uint64_t b = frame_alloc_range(&fa, 3, 16 * FRAME_SIZE, 0, UINT64_MAX);
    CHECK(b != FRAME_NONE && b % (16 * FRAME_SIZE) == 0, "64 KiB alignment");
    uint64_t low = frame_alloc_range(&fa, 1, FRAME_SIZE, FRAME_SIZE, MIB);
    CHECK(low != FRAME_NONE && low < MIB && low >= FRAME_SIZE, "below 1 MiB");
    uint64_t high = frame_alloc_range(&fa, 1, FRAME_SIZE, 32 * MIB, UINT64_MAX);
    CHECK(high >= 32 * MIB, "min respected");
    CHECK_EQ_U64(frame_alloc_range(&fa, 1, 3 * FRAME_SIZE, 0, UINT64_MAX), FRAME_NONE,
                 "non power-of-two alignment rejected");
    CHECK_EQ_U64(frame_alloc_range(&fa, 0, FRAME_SIZE, 0, UINT64_MAX), FRAME_NONE,
                 "zero count rejected");
    CHECK_EQ_U64(frame_alloc_range(&fa, 20000, FRAME_SIZE, 0, UINT64_MAX), FRAME_NONE,
                 "more than is free");
    /* A hole in the middle: a contiguous request must not span it. */
    setup(8 * MIB);
    frame_add_free(&fa, 0, 8 * MIB);
    frame_reserve(&fa, 3 * MIB, FRAME_SIZE);
    uint64_t c = frame_alloc_range(&fa, 1024, FRAME_SIZE, 0, UINT64_MAX);
    CHECK_EQ_U64(c, 3 * MIB + FRAME_SIZE, "run skips the reserved frame");
    CHECK_EQ_U64(frame_alloc_range(&fa, 1024, FRAME_SIZE, 0, 6 * MIB), FRAME_NONE,
                 "max respected");
}

int main(void)
{
    test_ranges();
    test_alignment();
    free(bm);
    return check_summary("frame");
}
