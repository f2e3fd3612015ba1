/* Guest RAM for the virtio walker (vmm/virtio/vq_guest_ram.h). The walker has already checked
 * that [gpa, gpa + len) lies in the region; the copies check it once more against the block.
 * Index and flag fields (2 and 4 bytes, aligned) are single loads and stores, so a racing
 * vCPU's write is seen whole or not at all. */
#include <string.h>

#include "vmm/guest.h"
#include "vmm/virtio/vq_guest_ram.h"

static bool ram_read(void *ctx, uint64_t gpa, void *dst, uint32_t len)
{
    const void *p = guest_ram_ptr(ctx, gpa, len);
    if (!p || !len)
        return false;
    if (len == 2 && !(gpa & 1))
        *(uint16_t *)dst = __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
    else if (len == 4 && !(gpa & 3))
        *(uint32_t *)dst = __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
    else
        memcpy(dst, p, len);
    return true;
}

static bool ram_write(void *ctx, uint64_t gpa, const void *src, uint32_t len)
{
    void *p = guest_ram_ptr(ctx, gpa, len);
    if (!p || !len)
        return false;
    if (len == 2 && !(gpa & 1))
        __atomic_store_n((uint16_t *)p, *(const uint16_t *)src, __ATOMIC_RELAXED);
    else if (len == 4 && !(gpa & 3))
        __atomic_store_n((uint32_t *)p, *(const uint32_t *)src, __ATOMIC_RELAXED);
    else
        memcpy(p, src, len);
    return true;
}

void vq_guest_ram_init(struct vq_guest *q, struct guest *g)
{
    memset(q, 0, sizeof(*q));
    q->region[0] = (struct vq_region){ .gpa = 0, .size = g->mem_size };
    q->nregions = 1;
    q->read = ram_read;
    q->write = ram_write;
    q->ctx = g;
}
