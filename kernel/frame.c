/* Physical frame allocator over a bitmap (pure logic, unit-tested on the host). */
#include <string.h>

#include "kernel/frame.h"

#define BITS 64u

static bool bit_get(const uint64_t *bm, uint64_t f) { return (bm[f / BITS] >> (f % BITS)) & 1; }
static void bit_set(uint64_t *bm, uint64_t f) { bm[f / BITS] |= 1ull << (f % BITS); }
static void bit_clear(uint64_t *bm, uint64_t f) { bm[f / BITS] &= ~(1ull << (f % BITS)); }

size_t frame_bitmap_words(uint64_t max_phys)
{
    uint64_t frames = (max_phys + FRAME_SIZE - 1) / FRAME_SIZE;
    return (size_t)((frames + BITS - 1) / BITS);
}

void frame_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nframes)
{
    fa->bitmap = bitmap;
    fa->nframes = nframes;
    fa->free_frames = 0;
    fa->hint = nframes;
    memset(bitmap, 0, (size_t)((nframes + BITS - 1) / BITS) * sizeof(uint64_t));
}

void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
    if (base + len < base)
        len = UINT64_MAX - base;
    uint64_t first = (base + FRAME_SIZE - 1) / FRAME_SIZE;
    uint64_t end = (base + len) / FRAME_SIZE;
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint64_t f = first; f < end; f++) {
        if (!bit_get(fa->bitmap, f)) {
            bit_set(fa->bitmap, f);
            fa->free_frames++;
        }
    }
    if (first < end && first < fa->hint)
        fa->hint = first;
}

/* Moves the hint past frames that are in use. */
static void hint_advance(struct frame_alloc *fa)
{
    uint64_t f = fa->hint;
    while (f < fa->nframes) {
        if (f % BITS == 0 && fa->bitmap[f / BITS] == 0) {
            f += BITS;
            continue;
        }
        if (bit_get(fa->bitmap, f))
            break;
        f++;
    }
    fa->hint = f < fa->nframes ? f : fa->nframes;
}

void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
    if (len == 0)
        return;
    if (base + len < base)
        len = UINT64_MAX - base;
    uint64_t first = base / FRAME_SIZE;
    uint64_t end = (base + len + FRAME_SIZE - 1) / FRAME_SIZE;
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint64_t f = first; f < end; f++) {
        if (bit_get(fa->bitmap, f)) {
            bit_clear(fa->bitmap, f);
            fa->free_frames--;
        }
    }
}

/* Length of the run of free frames starting at f, capped at `want`. */
static uint64_t free_run(const struct frame_alloc *fa, uint64_t f, uint64_t want, uint64_t end)
{
    uint64_t n = 0;
    while (n < want && f + n < end && bit_get(fa->bitmap, f + n))
        n++;
    return n;
}

uint64_t frame_alloc_range(struct frame_alloc *fa, uint64_t count, uint64_t align, uint64_t min,
                           uint64_t max)
{
    if (count == 0 || align < FRAME_SIZE || (align & (align - 1)) || count > fa->free_frames)
        return FRAME_NONE;
    uint64_t step = align / FRAME_SIZE;
    uint64_t end = max / FRAME_SIZE;
    if (end > fa->nframes)
        end = fa->nframes;
    uint64_t lowest = fa->hint * FRAME_SIZE > min ? fa->hint * FRAME_SIZE : min;
    uint64_t f = (lowest + align - 1) / align * step;

    while (f + count <= end) {
        /* Skip whole empty bitmap words quickly. */
        if (f % BITS == 0 && fa->bitmap[f / BITS] == 0) {
            f = (f + BITS + step - 1) / step * step;
            continue;
        }
        uint64_t run = free_run(fa, f, count, end);
        if (run == count) {
            for (uint64_t i = 0; i < count; i++)
                bit_clear(fa->bitmap, f + i);
            fa->free_frames -= count;
            if (fa->hint >= f && fa->hint < f + count)
                hint_advance(fa);
            return f * FRAME_SIZE;
        }
        /* Restart past the used frame that ended the run, on the next aligned frame. */
        f = (f + run + 1 + step - 1) / step * step;
    }
    return FRAME_NONE;
}

int frame_free(struct frame_alloc *fa, uint64_t phys, uint64_t count)
{
    uint64_t first = phys / FRAME_SIZE;
    if (phys % FRAME_SIZE || first + count > fa->nframes || first + count < first)
        return -1;
    for (uint64_t i = 0; i < count; i++)
        if (bit_get(fa->bitmap, first + i))
            return -1;
    for (uint64_t i = 0; i < count; i++)
        bit_set(fa->bitmap, first + i);
    fa->free_frames += count;
    if (first < fa->hint)
        fa->hint = first;
    return 0;
}

bool frame_is_free(const struct frame_alloc *fa, uint64_t phys)
{
    uint64_t f = phys / FRAME_SIZE;
    return f < fa->nframes && bit_get(fa->bitmap, f);
}
