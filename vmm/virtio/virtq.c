/* The split virtqueue walker and used ring (virtio 1.2, 2.7); the rules are in virtq.h. */
#include <stddef.h>

#include "vmm/virtio/virtq.h"

#define DESC_FLAGS_KNOWN (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT)

bool vq_guest_range_ok(const struct vq_guest *g, uint64_t gpa, uint64_t len)
{
    if (!len)
        return false;
    for (unsigned i = 0; i < g->nregions && i < VQ_MAX_REGIONS; i++) {
        const struct vq_region *r = &g->region[i];
        /* gpa - r->gpa cannot wrap once gpa >= r->gpa; len <= size keeps size - len >= 0. */
        if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
            return true;
    }
    return false;
}

const char *vq_err_name(int err)
{
    static const char *const names[] = {
        "ok", "bad queue setup", "avail index out of range", "head index out of range",
        "head already in use", "next index out of range", "descriptor loop",
        "unknown descriptor flag", "zero-length buffer", "buffer outside guest memory",
        "readable buffer after a writable one", "bad indirect descriptor", "too many segments",
        "chain too long in bytes", "used entry for a head not in use",
    };
    unsigned i = (unsigned)-err;
    return err <= 0 && i < sizeof(names) / sizeof(names[0]) ? names[i] : "unknown error";
}

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

int vq_setup(struct virtq *q, const struct vq_guest *g, uint16_t size, uint64_t desc,
             uint64_t avail, uint64_t used, uint64_t features, uint32_t max_bytes)
{
    *q = (struct virtq){ 0 };
    if (!is_pow2(size) || size > VQ_MAX_SIZE || !max_bytes)
        return VQ_E_SETUP;
    if (desc % VRING_DESC_ALIGN || avail % VRING_AVAIL_ALIGN || used % VRING_USED_ALIGN)
        return VQ_E_SETUP;
    if (!vq_guest_range_ok(g, desc, VRING_DESC_BYTES(size)) ||
        !vq_guest_range_ok(g, avail, VRING_AVAIL_BYTES(size)) ||
        !vq_guest_range_ok(g, used, VRING_USED_BYTES(size)))
        return VQ_E_SETUP;
    q->g = g;
    q->size = size;
    q->desc = desc;
    q->avail = avail;
    q->used = used;
    q->indirect = features & VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC);
    q->event_idx = features & VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX);
    q->max_bytes = max_bytes;
    return VQ_OK;
}

static bool read16(const struct virtq *q, uint64_t gpa, uint16_t *v)
{
    return q->g->read(q->g->ctx, gpa, v, sizeof(*v));
}

static bool write16(const struct virtq *q, uint64_t gpa, uint16_t v)
{
    return q->g->write(q->g->ctx, gpa, &v, sizeof(v));
}

int vq_turn_begin(struct virtq *q, uint16_t budget)
{
    uint16_t idx;
    q->turn_end = q->last_avail;
    if (!read16(q, q->avail + 2, &idx))
        return VQ_E_ADDR;
    /* The ring entries and descriptors are read after the index (2.7.13.3: the driver
     * writes them before it). */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint16_t pending = (uint16_t)(idx - q->last_avail);
    if (pending > q->size)
        return VQ_E_AVAIL_IDX;
    if (pending > budget)
        pending = budget;
    q->turn_end = (uint16_t)(q->last_avail + pending);
    return pending;
}

static bool inflight(const struct virtq *q, uint16_t head)
{
    return q->inflight[head / 8] & (1u << (head % 8));
}

/* Appends one buffer to the chain after its checks. */
static int add_seg(const struct virtq *q, struct vq_chain *c, const struct vring_desc *d,
                   uint32_t *total)
{
    bool wr = d->flags & VRING_DESC_F_WRITE;
    if (!d->len)
        return VQ_E_LEN;
    if (!wr && c->nwrite)
        return VQ_E_ORDER;
    if (!vq_guest_range_ok(q->g, d->addr, d->len))
        return VQ_E_ADDR;
    if (d->len > q->max_bytes - *total)
        return VQ_E_BYTES;
    if (c->nread + c->nwrite == VQ_MAX_SEGS)
        return VQ_E_SEGS;
    *total += d->len;
    c->seg[c->nread + c->nwrite] = (struct vq_seg){ d->addr, d->len };
    if (wr) {
        c->nwrite++;
        c->write_bytes += d->len;
    } else {
        c->nread++;
        c->read_bytes += d->len;
    }
    return VQ_OK;
}

int vq_next(struct virtq *q, struct vq_chain *c)
{
    uint16_t head;
    c->head = VQ_NO_HEAD;
    if (q->last_avail == q->turn_end)
        return 1;
    if (!read16(q, q->avail + VRING_AVAIL_RING_OFF + 2u * (q->last_avail & (q->size - 1)), &head))
        return VQ_E_ADDR;
    if (head >= q->size)
        return VQ_E_HEAD;      /* c->head stays VQ_NO_HEAD: the value is the guest's */
    c->head = head;
    if (inflight(q, head))
        return VQ_E_HEAD_BUSY;
    c->nread = c->nwrite = 0;
    c->read_bytes = c->write_bytes = 0;

    uint64_t table = q->desc;      /* the descriptor table being walked */
    uint32_t entries = q->size;    /* its number of entries */
    bool indirect = false;
    uint32_t total = 0, walked = 0;
    uint16_t i = head;
    for (;;) {
        struct vring_desc d;       /* the one copy of this descriptor */
        if (++walked > entries)
            return VQ_E_LOOP;
        if (!q->g->read(q->g->ctx, table + 16ull * i, &d, sizeof(d)))
            return VQ_E_ADDR;
        if (d.flags & ~DESC_FLAGS_KNOWN)
            return VQ_E_FLAGS;
        if (d.flags & VRING_DESC_F_INDIRECT) {
            /* 2.7.5.3: only when negotiated, never with NEXT, never inside a table; this
             * device also wants it to be the whole chain (the head). */
            if (!q->indirect || indirect || walked != 1 || (d.flags & VRING_DESC_F_NEXT))
                return VQ_E_INDIRECT;
            if (!d.len || d.len % sizeof(struct vring_desc) ||
                d.len / sizeof(struct vring_desc) > VQ_MAX_INDIRECT)
                return VQ_E_INDIRECT;
            if (!vq_guest_range_ok(q->g, d.addr, d.len))
                return VQ_E_ADDR;
            table = d.addr;
            entries = d.len / (uint32_t)sizeof(struct vring_desc);
            indirect = true;
            walked = 0;
            i = 0;
            continue;
        }
        int rc = add_seg(q, c, &d, &total);
        if (rc)
            return rc;
        if (!(d.flags & VRING_DESC_F_NEXT))
            break;
        if (d.next >= entries)
            return VQ_E_NEXT;
        i = d.next;
    }
    q->inflight[head / 8] |= (uint8_t)(1u << (head % 8));
    q->ninflight++;
    q->last_avail++;
    return VQ_OK;
}

int vq_push(struct virtq *q, uint16_t head, uint32_t written)
{
    if (head >= q->size || !inflight(q, head))
        return VQ_E_USED;
    struct vring_used_elem e = { head, written };
    uint64_t at = q->used + VRING_USED_RING_OFF + 8ull * (q->used_idx & (q->size - 1));
    if (!q->g->write(q->g->ctx, at, &e, sizeof(e)))
        return VQ_E_ADDR;
    q->inflight[head / 8] &= (uint8_t)~(1u << (head % 8));
    q->ninflight--;
    q->used_idx++;
    return VQ_OK;
}

int vq_publish(struct virtq *q)
{
    /* 2.7.8.2: the used elements are visible before the index that covers them. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    return write16(q, q->used + 2, q->used_idx) ? VQ_OK : VQ_E_ADDR;
}

bool vq_want_interrupt(struct virtq *q)
{
    /* 2.7.10: the used idx write is globally visible before the driver's flags or
     * used_event are read, so a driver that just re-enabled interrupts is not missed. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t old = q->signalled_used;
    bool valid = q->signalled_valid;
    if (valid && old == q->used_idx)
        return false;                 /* nothing new since the last decision */
    q->signalled_used = q->used_idx;
    q->signalled_valid = true;
    if (q->event_idx) {
        uint16_t event;
        if (!read16(q, q->avail + VRING_USED_EVENT_OFF(q->size), &event))
            return true;
        return !valid || vring_need_event(event, q->used_idx, old);
    }
    uint16_t flags;
    if (!read16(q, q->avail, &flags))
        return true;
    return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

void vq_notify_suppress(struct virtq *q)
{
    if (q->event_idx)
        /* An event just behind the device: the driver notifies only once it has wrapped the
         * 16-bit index past it, and every turn moves it along (2.7.10). */
        (void)write16(q, q->used + VRING_AVAIL_EVENT_OFF(q->size), (uint16_t)(q->last_avail - 1));
    else
        (void)write16(q, q->used, VRING_USED_F_NO_NOTIFY);
}

bool vq_notify_enable(struct virtq *q)
{
    if (q->event_idx)
        (void)write16(q, q->used + VRING_AVAIL_EVENT_OFF(q->size), q->last_avail);
    else
        (void)write16(q, q->used, 0);
    /* The enable is visible before avail idx is read again: a chain made available just
     * before it is seen here, one made after it is notified. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t idx;
    if (!read16(q, q->avail + 2, &idx))
        return true;
    return idx != q->last_avail;
}

/* Copies len bytes at offset off of the n segments seg (a part of part bytes): into in from
 * the guest, or from out to the guest. */
static bool chain_copy(const struct virtq *q, const struct vq_seg *seg, unsigned n, uint64_t part,
                       uint32_t off, uint8_t *in, const uint8_t *out, uint32_t len)
{
    if ((uint64_t)off + len > part)
        return false;
    for (unsigned i = 0; i < n && len; i++) {
        if (off >= seg[i].len) {
            off -= seg[i].len;
            continue;
        }
        uint32_t take = seg[i].len - off;
        if (take > len)
            take = len;
        bool ok = out ? q->g->write(q->g->ctx, seg[i].gpa + off, out, take)
                      : q->g->read(q->g->ctx, seg[i].gpa + off, in, take);
        if (!ok)
            return false;
        if (out)
            out += take;
        else
            in += take;
        len -= take;
        off = 0;
    }
    return len == 0;
}

bool vq_chain_read(const struct virtq *q, const struct vq_chain *c, uint32_t off, void *dst,
                   uint32_t len)
{
    return chain_copy(q, c->seg, c->nread, c->read_bytes, off, dst, NULL, len);
}

bool vq_chain_write(const struct virtq *q, const struct vq_chain *c, uint32_t off, const void *src,
                    uint32_t len)
{
    return chain_copy(q, c->seg + c->nread, c->nwrite, c->write_bytes, off, NULL, src, len);
}
