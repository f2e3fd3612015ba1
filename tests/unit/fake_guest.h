/* A fake guest for the virtio tests and fuzzer: one RAM region in a host buffer, with copy
 * functions that count every access and every access the walker should never have made
 * (outside the region), and an optional hook that lets a "second vCPU" change guest memory
 * after each read, as a hostile guest may while the device walks its rings. */
#ifndef EXITLESS_TESTS_FAKE_GUEST_H
#define EXITLESS_TESTS_FAKE_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmm/virtio/virtq.h"

#define FG_BASE 0x100000ull
#define FG_SIZE 0x10000u

struct fake_guest {
    uint8_t mem[FG_SIZE];
    struct vq_guest g;
    unsigned reads, writes, outside;    /* accesses; accesses outside the region */
    uint64_t watch_gpa;                 /* reads of exactly this address are counted... */
    unsigned watch_reads;               /* ...here */
    void (*after_read)(struct fake_guest *f, uint64_t gpa, uint32_t len);
    void *hook_ctx;
};

static inline bool fg_inside(uint64_t gpa, uint32_t len)
{
    return gpa >= FG_BASE && len <= FG_SIZE && gpa - FG_BASE <= FG_SIZE - len;
}

static inline bool fg_read(void *ctx, uint64_t gpa, void *dst, uint32_t len)
{
    struct fake_guest *f = ctx;
    f->reads++;
    if (!fg_inside(gpa, len)) {
        f->outside++;
        return false;
    }
    f->watch_reads += gpa == f->watch_gpa;
    memcpy(dst, f->mem + (gpa - FG_BASE), len);
    if (f->after_read)
        f->after_read(f, gpa, len);
    return true;
}

static inline bool fg_write(void *ctx, uint64_t gpa, const void *src, uint32_t len)
{
    struct fake_guest *f = ctx;
    f->writes++;
    if (!fg_inside(gpa, len)) {
        f->outside++;
        return false;
    }
    memcpy(f->mem + (gpa - FG_BASE), src, len);
    return true;
}

static inline void fg_init(struct fake_guest *f)
{
    memset(f, 0, sizeof(*f));
    f->g.region[0] = (struct vq_region){ FG_BASE, FG_SIZE };
    f->g.nregions = 1;
    f->g.read = fg_read;
    f->g.write = fg_write;
    f->g.ctx = f;
}

static inline uint8_t *fg_ptr(struct fake_guest *f, uint64_t gpa) { return f->mem + (gpa - FG_BASE); }

static inline void fg_put16(struct fake_guest *f, uint64_t gpa, uint16_t v) { memcpy(fg_ptr(f, gpa), &v, 2); }
static inline uint16_t fg_get16(struct fake_guest *f, uint64_t gpa)
{
    uint16_t v;
    memcpy(&v, fg_ptr(f, gpa), 2);
    return v;
}
static inline uint32_t fg_get32(struct fake_guest *f, uint64_t gpa)
{
    uint32_t v;
    memcpy(&v, fg_ptr(f, gpa), 4);
    return v;
}

static inline void fg_desc(struct fake_guest *f, uint64_t table, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next)
{
    struct vring_desc d = { addr, len, flags, next };
    memcpy(fg_ptr(f, table + 16ull * i), &d, sizeof(d));
}

/* The driver side of a split ring: puts head at avail slot idx % size and advances idx. */
static inline void fg_avail_add(struct fake_guest *f, uint64_t avail, uint16_t size, uint16_t head)
{
    uint16_t idx = fg_get16(f, avail + 2);
    fg_put16(f, avail + VRING_AVAIL_RING_OFF + 2u * (idx & (size - 1)), head);
    fg_put16(f, avail + 2, (uint16_t)(idx + 1));
}

#endif
