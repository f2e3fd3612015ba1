/* libFuzzer harness: the split virtqueue walker (vmm/virtio/virtq.c) on a queue whose
 * descriptor table, avail ring and indirect tables come from the input, with a hostile
 * "second vCPU" that, in racing inputs, rewrites guest memory after every read the walker
 * makes. Over up to four turns it takes chains, pushes some back and publishes them, and
 * asserts:
 *  - the walker never asks for guest memory outside the guest's region;
 *  - a chain has 1..VQ_MAX_SEGS segments, each inside guest memory, readable ones first,
 *    byte counts that add up and stay under the bound; its head is in range and not handed
 *    out twice before it is pushed; a turn never takes more than its budget;
 *  - without racing, the walker's answer (the chain's segments, or which error) is what an
 *    independent model of the rules (virtio 1.2, 2.7.5, and the limits in virtq.h) predicts,
 *    and the chain's bytes read back through vq_chain_read() are guest memory's;
 *  - pushed entries land in the used ring with their id and length, used idx counts them
 *    after publishing, and the interrupt decision follows VRING_AVAIL_F_NO_INTERRUPT or
 *    used_event as a model computes.
 * Input: config byte (size code in the low nibble, 0x10 indirect, 0x20 event idx, 0x80 racing), budget, max_bytes (u32),
 * push mask (u32), 0x1400 bytes of guest memory (table, avail ring, indirect area), then
 * race bytes (offset u16, value) consumed one per walker read. */
#include <stdbool.h>

#include "fuzz_input.h"
#include "tests/unit/fake_guest.h"

#define DESC   FG_BASE
#define AVAIL  (FG_BASE + 0x1000)
#define USED   (FG_BASE + 0x1400)
#define IMAGE  0x1400u          /* bytes of input copied from DESC */
#define MAX_TURNS 4

static struct fake_guest fg;
static struct virtq q;
static struct fuzz_in race;
static bool model_inflight[VQ_MAX_SIZE];

static void racer(struct fake_guest *f, uint64_t gpa, uint32_t len)
{
    (void)gpa;
    (void)len;
    if (fuzz_left(&race) < 3)
        return;
    uint16_t off = fuzz_u16(&race) % IMAGE;
    f->mem[off] = fuzz_u8(&race);
}

static bool inside(uint64_t gpa, uint64_t len)
{
    return len && gpa >= FG_BASE && len <= FG_SIZE && gpa - FG_BASE <= FG_SIZE - len;
}

static struct vring_desc desc_at(uint64_t table, uint32_t i)
{
    struct vring_desc d;
    memcpy(&d, fg_ptr(&fg, table + 16ull * i), sizeof(d));
    return d;
}

/* The model: the walk of the chain at avail slot `slot`, as the rules say, written apart
 * from the walker. Returns the expected error (VQ_OK with *want filled). */
static int model_walk(uint16_t slot, uint32_t max_bytes, struct vq_chain *want)
{
    uint16_t head = fg_get16(&fg, AVAIL + 4 + 2u * (slot % q.size));
    memset(want, 0, sizeof(*want));
    if (head >= q.size)
        return VQ_E_HEAD;
    if (model_inflight[head])
        return VQ_E_HEAD_BUSY;
    want->head = head;
    uint64_t table = DESC;
    uint32_t n = q.size, i = head, steps = 0;
    uint64_t total = 0;
    bool in_table = false, seen_write = false;
    while (1) {
        if (steps == n)
            return VQ_E_LOOP;
        steps++;
        struct vring_desc d = desc_at(table, i);
        if (d.flags & ~7u)
            return VQ_E_FLAGS;
        if (d.flags & VRING_DESC_F_INDIRECT) {
            bool allowed = q.indirect && !in_table && steps == 1 && !(d.flags & VRING_DESC_F_NEXT);
            if (!allowed || d.len == 0 || d.len % 16 != 0 || d.len > 16u * VQ_MAX_INDIRECT)
                return VQ_E_INDIRECT;
            if (!inside(d.addr, d.len))
                return VQ_E_ADDR;
            table = d.addr;
            n = d.len / 16;
            i = 0;
            steps = 0;
            in_table = true;
            continue;
        }
        if (d.len == 0)
            return VQ_E_LEN;
        bool w = d.flags & VRING_DESC_F_WRITE;
        if (seen_write && !w)
            return VQ_E_ORDER;
        if (!inside(d.addr, d.len))
            return VQ_E_ADDR;
        if (total + d.len > max_bytes)
            return VQ_E_BYTES;
        if (want->nread + want->nwrite == VQ_MAX_SEGS)
            return VQ_E_SEGS;
        total += d.len;
        seen_write |= w;
        want->seg[want->nread + want->nwrite] = (struct vq_seg){ d.addr, d.len };
        if (w) {
            want->nwrite++;
            want->write_bytes += d.len;
        } else {
            want->nread++;
            want->read_bytes += d.len;
        }
        if (!(d.flags & VRING_DESC_F_NEXT))
            return VQ_OK;
        if (d.next >= n)
            return VQ_E_NEXT;
        i = d.next;
    }
}

static void check_chain(const struct vq_chain *c, uint32_t max_bytes)
{
    uint64_t rb = 0, wb = 0;
    FUZZ_ASSERT(c->head < q.size, "head %u out of range", c->head);
    FUZZ_ASSERT(!model_inflight[c->head], "head %u handed out twice", c->head);
    FUZZ_ASSERT(c->nread + c->nwrite >= 1 && c->nread + c->nwrite <= VQ_MAX_SEGS, "segment count");
    for (unsigned i = 0; i < (unsigned)c->nread + c->nwrite; i++) {
        FUZZ_ASSERT(inside(c->seg[i].gpa, c->seg[i].len), "segment %u outside guest memory", i);
        if (i < c->nread)
            rb += c->seg[i].len;
        else
            wb += c->seg[i].len;
    }
    FUZZ_ASSERT(rb == c->read_bytes && wb == c->write_bytes, "byte counts");
    FUZZ_ASSERT(rb + wb <= max_bytes, "byte bound");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    uint8_t cfg = fuzz_u8(&in);
    uint16_t budget = (uint16_t)(1 + fuzz_u8(&in) % 16);
    uint32_t max_bytes = fuzz_u32(&in);
    uint32_t push_mask = fuzz_u32(&in);
    uint16_t qsize = (uint16_t)(1u << ((cfg & 0x0f) % 9));   /* 1..256 */
    bool racing = cfg & 0x80;
    uint64_t features = (cfg & 0x10 ? VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC) : 0) |
                        (cfg & 0x20 ? VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX) : 0);
    if (!max_bytes)
        max_bytes = 1;

    fg_init(&fg);
    fuzz_bytes(&in, fg.mem, IMAGE);
    memset(model_inflight, 0, sizeof(model_inflight));
    FUZZ_ASSERT(vq_setup(&q, &fg.g, qsize, DESC, AVAIL, USED, features, max_bytes) == VQ_OK, "setup");
    race = in;
    if (racing)
        fg.after_read = racer;

    uint16_t pushed = 0, taken = 0;
    for (int t = 0; t < MAX_TURNS; t++) {
        uint16_t avail_idx = fg_get16(&fg, AVAIL + 2);
        int n = vq_turn_begin(&q, budget);
        if (!racing) {
            uint16_t pending = (uint16_t)(avail_idx - taken);
            if (pending > qsize) {
                FUZZ_ASSERT(n == VQ_E_AVAIL_IDX, "avail idx %u ahead by %u: got %d", avail_idx, pending, n);
                break;
            }
            FUZZ_ASSERT(n == (pending < budget ? pending : budget), "turn size %d, pending %u", n, pending);
        }
        if (n < 0)
            break;
        FUZZ_ASSERT(n <= budget, "turn over budget");
        int got = 0, rc;
        struct vq_chain c, want;
        for (;;) {
            int expect = racing ? 0 : model_walk(taken, max_bytes, &want);
            rc = vq_next(&q, &c);
            FUZZ_ASSERT(fg.outside == 0, "walker read outside guest memory");
            if (rc == 1) {
                FUZZ_ASSERT(racing || got == n, "turn ended after %d of %d chains", got, n);
                break;
            }
            if (!racing) {
                FUZZ_ASSERT(rc == expect, "walker %s, model %s", vq_err_name(rc), vq_err_name(expect));
                if (rc == VQ_OK) {
                    FUZZ_ASSERT(c.head == want.head && c.nread == want.nread && c.nwrite == want.nwrite,
                               "chain shape");
                    for (unsigned i = 0; i < (unsigned)c.nread + c.nwrite; i++)
                        FUZZ_ASSERT(c.seg[i].gpa == want.seg[i].gpa && c.seg[i].len == want.seg[i].len,
                                    "segment %u", i);
                }
            }
            if (rc != VQ_OK)
                break;
            check_chain(&c, max_bytes);
            model_inflight[c.head] = true;
            taken++;
            got++;
            if (!racing && c.read_bytes) {
                static uint8_t buf[FG_SIZE];
                uint32_t len = c.read_bytes < sizeof(buf) ? c.read_bytes : (uint32_t)sizeof(buf);
                FUZZ_ASSERT(vq_chain_read(&q, &c, 0, buf, len), "chain read");
                uint32_t off = 0;
                for (unsigned i = 0; i < c.nread && off < len; i++) {
                    uint32_t k = c.seg[i].len < len - off ? c.seg[i].len : len - off;
                    FUZZ_ASSERT(memcmp(buf + off, fg_ptr(&fg, c.seg[i].gpa), k) == 0,
                                "chain bytes of segment %u", i);
                    off += k;
                }
            }
            if (push_mask >> (taken % 32) & 1) {
                uint32_t written = c.write_bytes;
                uint16_t at = q.used_idx;
                FUZZ_ASSERT(vq_push(&q, c.head, written) == VQ_OK, "push");
                FUZZ_ASSERT(vq_push(&q, c.head, written) == VQ_E_USED, "second push of a head");
                model_inflight[c.head] = false;
                uint64_t e = USED + 4 + 8ull * (at % qsize);
                FUZZ_ASSERT(fg_get32(&fg, e) == c.head && fg_get32(&fg, e + 4) == written, "used entry");
                pushed++;
            }
        }
        FUZZ_ASSERT(got <= n, "more chains than the turn allowed");
        if (rc < 0)
            break;
        uint16_t before = q.signalled_used;
        bool valid = q.signalled_valid;
        FUZZ_ASSERT(vq_publish(&q) == VQ_OK && fg_get16(&fg, USED + 2) == pushed, "published used idx");
        bool irq = vq_want_interrupt(&q);
        if (!racing) {
            bool want_irq;
            if (valid && before == pushed)
                want_irq = false;
            else if (q.event_idx)
                want_irq = !valid ||
                           vring_need_event(fg_get16(&fg, AVAIL + 4 + 2u * qsize), pushed, before);
            else
                want_irq = !(fg_get16(&fg, AVAIL) & VRING_AVAIL_F_NO_INTERRUPT);
            FUZZ_ASSERT(irq == want_irq, "interrupt decision");
        }
        vq_notify_suppress(&q);
        (void)vq_notify_enable(&q);
    }
    FUZZ_ASSERT(fg.outside == 0, "walker wrote outside guest memory");
    return 0;
}
