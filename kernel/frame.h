/* Physical frame allocator: one bit per 4 KiB frame, set = free. */
#ifndef EXITLESS_KERNEL_FRAME_H
#define EXITLESS_KERNEL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096ull
#define FRAME_NONE UINT64_MAX

struct frame_alloc {
    uint64_t *bitmap;       /* bit f set: frame f is free */
    uint64_t nframes;       /* frames covered by the bitmap */
    uint64_t free_frames;
    uint64_t hint;          /* no frame below this one is free */
};

/* Words of bitmap needed to cover physical memory up to max_phys (exclusive). */
size_t frame_bitmap_words(uint64_t max_phys);
/* Starts with every frame in use; the caller then adds free ranges and reserves. */
void frame_init(struct frame_alloc *fa, uint64_t *bitmap, uint64_t nframes);
/* Marks whole frames inside [base, base+len) free (partial frames at the edges stay used). */
void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len);
/* Marks every frame touching [base, base+len) used: never handed out. */
void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len);
/* `count` contiguous frames aligned to `align` bytes (a power of two >= 4 KiB) inside
 * [min, max); returns the physical address or FRAME_NONE. */
uint64_t frame_alloc_range(struct frame_alloc *fa, uint64_t count, uint64_t align, uint64_t min,
                           uint64_t max);
/* Returns frames; -1 (and frees nothing) if any of them was already free. */
int frame_free(struct frame_alloc *fa, uint64_t phys, uint64_t count);
bool frame_is_free(const struct frame_alloc *fa, uint64_t phys);

#endif
