/* Unit tests: the split virtqueue walker (vmm/virtio/virtq.c) over a fake guest's memory. */
#include <stdlib.h>

#include "check.h"
#include "fake_guest.h"

#define QSIZE 8
#define DESC  (FG_BASE + 0x0000)
#define AVAIL (FG_BASE + 0x1000)
#define USED  (FG_BASE + 0x2000)
#define IND   (FG_BASE + 0x3000)      /* indirect tables */
#define DATA  (FG_BASE + 0x4000)
#define F_IND VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC)
#define F_EVT VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX)

static struct fake_guest fg;
static struct virtq q;

/* A fresh guest and queue: QSIZE entries, the given features, a 64 KiB chain bound. */
static void fresh(uint64_t features)
{
    fg_init(&fg);
    int rc = vq_setup(&q, &fg.g, QSIZE, DESC, AVAIL, USED, features, 0x10000);
    CHECK(rc == VQ_OK, "setup: %d", rc);
}

/* One turn that takes one chain; returns the walker's answer. */
static int walk_one(struct vq_chain *c)
{
    int n = vq_turn_begin(&q, 16);
    if (n < 0)
        return n;
    return vq_next(&q, c);
}

static void test_setup(void)
{
    struct virtq t;
    fg_init(&fg);
    CHECK(vq_setup(&t, &fg.g, 0, DESC, AVAIL, USED, 0, 4096) == VQ_E_SETUP, "size 0");
    CHECK(vq_setup(&t, &fg.g, 3, DESC, AVAIL, USED, 0, 4096) == VQ_E_SETUP, "size 3: not a power of 2");
    CHECK(vq_setup(&t, &fg.g, 512, DESC, AVAIL, USED, 0, 4096) == VQ_E_SETUP, "size above VQ_MAX_SIZE");
    CHECK(vq_setup(&t, &fg.g, 8, DESC + 8, AVAIL, USED, 0, 4096) == VQ_E_SETUP, "desc not 16-aligned");
    CHECK(vq_setup(&t, &fg.g, 8, DESC, AVAIL + 1, USED, 0, 4096) == VQ_E_SETUP, "avail not 2-aligned");
    CHECK(vq_setup(&t, &fg.g, 8, DESC, AVAIL, USED + 2, 0, 4096) == VQ_E_SETUP, "used not 4-aligned");
    CHECK(vq_setup(&t, &fg.g, 8, FG_BASE + FG_SIZE - 64, AVAIL, USED, 0, 4096) == VQ_E_SETUP,
          "desc table runs past guest memory");
    CHECK(vq_setup(&t, &fg.g, 8, DESC, AVAIL, 0xfffffffffffffff0ull, 0, 4096) == VQ_E_SETUP,
          "used ring wraps the address space");
    CHECK(vq_setup(&t, &fg.g, 8, DESC, FG_BASE - 2, USED, 0, 4096) == VQ_E_SETUP,
          "avail ring starts below guest memory");
    CHECK(vq_setup(&t, &fg.g, 8, DESC, AVAIL, USED, 0, 0) == VQ_E_SETUP, "no byte bound");
    CHECK(vq_setup(&t, &fg.g, 256, DESC, AVAIL, USED, 0, 4096) == VQ_OK, "size 256 fits");
    CHECK(vq_setup(&t, &fg.g, 8, FG_BASE + FG_SIZE - 128, AVAIL, USED, 0, 4096) == VQ_OK,
          "desc table ending at the end of memory");
    CHECK(!vq_guest_range_ok(&fg.g, FG_BASE, 0), "empty range is never inside");
    CHECK(!vq_guest_range_ok(&fg.g, 0xffffffffffffff00ull, 0x200), "range wrapping 2^64");
    CHECK(!vq_guest_range_ok(&fg.g, FG_BASE + 1, FG_SIZE), "range one byte past the end");
    CHECK(vq_guest_range_ok(&fg.g, FG_BASE, FG_SIZE), "the whole region");
}

static void test_simple_chain(void)
{
    struct vq_chain c;
    fresh(0);
    fg_desc(&fg, DESC, 3, DATA, 16, VRING_DESC_F_NEXT, 5);
    fg_desc(&fg, DESC, 5, DATA + 0x100, 100, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA + 0x200, 1, VRING_DESC_F_WRITE, 7);   /* next ignored: no NEXT */
    fg_avail_add(&fg, AVAIL, QSIZE, 3);
    CHECK(vq_turn_begin(&q, 16) == 1, "one chain available");
    int rc = vq_next(&q, &c);
    CHECK(rc == VQ_OK, "walk: %s", vq_err_name(rc));
    CHECK(c.head == 3 && c.nread == 2 && c.nwrite == 1, "head %u, %u read, %u write", c.head, c.nread,
          c.nwrite);
    CHECK(c.read_bytes == 116 && c.write_bytes == 1, "bytes %u/%u", c.read_bytes, c.write_bytes);
    CHECK(c.seg[0].gpa == DATA && c.seg[1].gpa == DATA + 0x100 && c.seg[2].gpa == DATA + 0x200,
          "segments in chain order");
    CHECK(vq_next(&q, &c) == 1, "the turn has no more");

    /* Used entries are invisible until published. */
    CHECK(vq_push(&q, 3, 1) == VQ_OK, "push");
    CHECK(fg_get16(&fg, USED + 2) == 0, "used idx not yet published");
    CHECK(fg_get32(&fg, USED + 4) == 3 && fg_get32(&fg, USED + 8) == 1, "used element id/len");
    CHECK(vq_publish(&q) == VQ_OK && fg_get16(&fg, USED + 2) == 1, "used idx published");
    CHECK(vq_push(&q, 3, 1) == VQ_E_USED, "the same head twice");
    CHECK(vq_push(&q, 200, 1) == VQ_E_USED, "a head out of range");
    CHECK(fg.outside == 0, "no access outside guest memory");
}

static void test_budget_and_avail(void)
{
    struct vq_chain c;
    fresh(0);
    for (uint16_t i = 0; i < 5; i++) {
        fg_desc(&fg, DESC, i, DATA + 0x100 * i, 8, 0, 0);
        fg_avail_add(&fg, AVAIL, QSIZE, i);
    }
    unsigned got = 0, turns = 0;
    int n;
    while ((n = vq_turn_begin(&q, 2)) > 0) {
        CHECK(n <= 2, "turn bounded by the budget: %d", n);
        turns++;
        while (vq_next(&q, &c) == VQ_OK) {
            CHECK(c.head == got, "chains in avail order");
            CHECK(vq_push(&q, c.head, 0) == VQ_OK, "push");
            got++;
        }
    }
    CHECK(got == 5 && turns == 3, "5 chains in 3 turns of 2: %u in %u", got, turns);

    /* The avail index is read once per turn, however many chains the turn takes. */
    fresh(0);
    for (uint16_t i = 0; i < 4; i++) {
        fg_desc(&fg, DESC, i, DATA, 8, 0, 0);
        fg_avail_add(&fg, AVAIL, QSIZE, i);
    }
    fg.watch_gpa = AVAIL + 2;
    CHECK(vq_turn_begin(&q, 16) == 4, "4 available");
    while (vq_next(&q, &c) == VQ_OK)
        ;
    CHECK(fg.watch_reads == 1, "avail idx read %u times in one turn", fg.watch_reads);

    /* An index more than the queue size ahead of the device. */
    fresh(0);
    fg_put16(&fg, AVAIL + 2, QSIZE + 1);
    CHECK(vq_turn_begin(&q, 16) == VQ_E_AVAIL_IDX, "avail idx jumps past the queue size");
    fg_put16(&fg, AVAIL + 2, 0xffff);
    CHECK(vq_turn_begin(&q, 16) == VQ_E_AVAIL_IDX, "avail idx moves backwards");
    fg_put16(&fg, AVAIL + 2, QSIZE);
    CHECK(vq_turn_begin(&q, 16) == QSIZE, "a full ring is fine");
}

static void expect_err(const char *what, int want, uint64_t features, void (*build)(void))
{
    struct vq_chain c;
    fresh(features);
    build();
    int rc = walk_one(&c);
    CHECK(rc == want, "%s: got %s (%d), want %s", what, vq_err_name(rc), rc, vq_err_name(want));
    CHECK(fg.outside == 0, "%s: no access outside guest memory", what);
    /* A failed chain is not consumed: the same error again, nothing handed out. */
    CHECK(q.ninflight == 0 && q.last_avail == 0, "%s: nothing consumed", what);
}

static void b_head(void) { fg_avail_add(&fg, AVAIL, QSIZE, QSIZE); }
static void b_next(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, VRING_DESC_F_NEXT, QSIZE);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_loop(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA, 8, VRING_DESC_F_NEXT, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_self_loop(void)
{
    fg_desc(&fg, DESC, 2, DATA, 8, VRING_DESC_F_NEXT, 2);
    fg_avail_add(&fg, AVAIL, QSIZE, 2);
}
static void b_zero_len(void)
{
    fg_desc(&fg, DESC, 0, DATA, 0, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_flags(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, 0x80, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_outside(void)
{
    fg_desc(&fg, DESC, 0, FG_BASE + FG_SIZE - 4, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_below(void)
{
    fg_desc(&fg, DESC, 0, FG_BASE - 8, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_wrap(void)
{
    fg_desc(&fg, DESC, 0, 0xfffffffffffffff8ull, 0x20, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_huge(void)
{
    fg_desc(&fg, DESC, 0, DATA, 0xffffffffu, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_bytes(void)
{
    fg_desc(&fg, DESC, 0, DATA, 0x8000, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA, 0x8000, VRING_DESC_F_NEXT, 2);
    fg_desc(&fg, DESC, 2, DATA, 1, 0, 0);     /* one byte over the 64 KiB bound */
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_order(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_busy(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    struct vq_chain c;
    CHECK(vq_turn_begin(&q, 16) == 2 && vq_next(&q, &c) == VQ_OK, "first use of head 0");
    CHECK(vq_next(&q, &c) == VQ_E_HEAD_BUSY, "head 0 again before it was used");
}
static void ind_head(uint32_t len, uint16_t flags)
{
    fg_desc(&fg, DESC, 0, IND, len, VRING_DESC_F_INDIRECT | flags, 1);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_ind(void)
{
    fg_desc(&fg, IND, 0, DATA, 8, 0, 0);
    ind_head(16, 0);
}
static void b_ind_next(void)
{
    fg_desc(&fg, IND, 0, DATA, 8, 0, 0);
    fg_desc(&fg, DESC, 1, DATA, 8, 0, 0);
    ind_head(16, VRING_DESC_F_NEXT);
}
static void b_ind_nested(void)
{
    fg_desc(&fg, IND, 0, IND + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
    ind_head(16, 0);
}
static void b_ind_len(void) { ind_head(24, 0); }
static void b_ind_zero(void) { ind_head(0, 0); }
static void b_ind_big(void) { ind_head(16 * (VQ_MAX_INDIRECT + 1), 0); }
static void b_ind_outside(void)
{
    fg_desc(&fg, DESC, 0, FG_BASE + FG_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}
static void b_ind_loop(void)
{
    fg_desc(&fg, IND, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, IND, 1, DATA, 8, VRING_DESC_F_NEXT, 0);
    ind_head(32, 0);
}
static void b_ind_next_out(void)
{
    fg_desc(&fg, IND, 0, DATA, 8, VRING_DESC_F_NEXT, 2);   /* table has 2 entries */
    ind_head(32, 0);
}
static void b_ind_not_head(void)
{
    fg_desc(&fg, DESC, 0, DATA, 8, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, IND, 16, VRING_DESC_F_INDIRECT, 0);
    fg_desc(&fg, IND, 0, DATA, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
}

static void test_errors(void)
{
    expect_err("head out of range", VQ_E_HEAD, 0, b_head);
    expect_err("next out of range", VQ_E_NEXT, 0, b_next);
    expect_err("two-descriptor loop", VQ_E_LOOP, 0, b_loop);
    expect_err("descriptor pointing at itself", VQ_E_LOOP, 0, b_self_loop);
    expect_err("zero length", VQ_E_LEN, 0, b_zero_len);
    expect_err("unknown flag", VQ_E_FLAGS, 0, b_flags);
    expect_err("buffer past the end of memory", VQ_E_ADDR, 0, b_outside);
    expect_err("buffer below memory", VQ_E_ADDR, 0, b_below);
    expect_err("buffer wrapping 2^64", VQ_E_ADDR, 0, b_wrap);
    expect_err("4 GiB buffer", VQ_E_ADDR, 0, b_huge);
    expect_err("chain over the byte bound", VQ_E_BYTES, 0, b_bytes);
    expect_err("readable after writable", VQ_E_ORDER, 0, b_order);
    expect_err("indirect not negotiated", VQ_E_INDIRECT, 0, b_ind);
    expect_err("indirect with NEXT", VQ_E_INDIRECT, F_IND, b_ind_next);
    expect_err("nested indirect", VQ_E_INDIRECT, F_IND, b_ind_nested);
    expect_err("indirect length not whole descriptors", VQ_E_INDIRECT, F_IND, b_ind_len);
    expect_err("empty indirect table", VQ_E_INDIRECT, F_IND, b_ind_zero);
    expect_err("indirect table too large", VQ_E_INDIRECT, F_IND, b_ind_big);
    expect_err("indirect table outside memory", VQ_E_ADDR, F_IND, b_ind_outside);
    expect_err("loop inside an indirect table", VQ_E_LOOP, F_IND, b_ind_loop);
    expect_err("next past the indirect table", VQ_E_NEXT, F_IND, b_ind_next_out);
    expect_err("indirect after a direct descriptor", VQ_E_INDIRECT, F_IND, b_ind_not_head);

    /* Head in use: the first chain is handed out, the second is refused. */
    fresh(0);
    b_busy();
    CHECK(q.ninflight == 1 && q.last_avail == 1, "only the first was consumed");

    /* More segments than VQ_MAX_SEGS, in a queue large enough to hold them. */
    struct vq_chain c;
    fg_init(&fg);
    CHECK(vq_setup(&q, &fg.g, 128, DESC, AVAIL, USED, 0, 0x100000) == VQ_OK, "128-entry queue");
    for (uint16_t i = 0; i <= VQ_MAX_SEGS; i++)
        fg_desc(&fg, DESC, i, DATA, 4, i < VQ_MAX_SEGS ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
    fg_avail_add(&fg, AVAIL, 128, 0);
    CHECK(walk_one(&c) == VQ_E_SEGS, "%d segments", VQ_MAX_SEGS + 1);
    fg_desc(&fg, DESC, VQ_MAX_SEGS - 1, DATA, 4, 0, 0);
    CHECK(walk_one(&c) == VQ_OK && c.nread == VQ_MAX_SEGS, "exactly %d segments", VQ_MAX_SEGS);
}

static void test_indirect(void)
{
    struct vq_chain c;
    fresh(F_IND);
    fg_desc(&fg, IND, 0, DATA, 16, VRING_DESC_F_NEXT, 2);
    fg_desc(&fg, IND, 2, DATA + 0x100, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    fg_desc(&fg, IND, 1, DATA + 0x400, 1, VRING_DESC_F_WRITE, 0);
    ind_head(48, VRING_DESC_F_WRITE);     /* the write flag of the table's descriptor is ignored */
    int rc = walk_one(&c);
    CHECK(rc == VQ_OK, "indirect chain: %s", vq_err_name(rc));
    CHECK(c.head == 0 && c.nread == 1 && c.nwrite == 2 && c.read_bytes == 16 && c.write_bytes == 513,
          "indirect segments %u/%u, bytes %u/%u", c.nread, c.nwrite, c.read_bytes, c.write_bytes);
    CHECK(c.seg[1].gpa == DATA + 0x100 && c.seg[2].gpa == DATA + 0x400, "indirect order");
}

/* A second vCPU rewrites every descriptor right after the walker read it. */
static void scribble(struct fake_guest *f, uint64_t gpa, uint32_t len)
{
    if (len == sizeof(struct vring_desc))
        memset(fg_ptr(f, gpa), 0xff, len);
}

static void test_copy_once(void)
{
    struct vq_chain c;
    fresh(0);
    fg_desc(&fg, DESC, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA + 0x100, 32, VRING_DESC_F_WRITE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    fg.watch_gpa = DESC + 16;
    fg.after_read = scribble;
    int rc = walk_one(&c);
    fg.after_read = NULL;
    CHECK(rc == VQ_OK, "the chain as it was read: %s", vq_err_name(rc));
    CHECK(c.nread == 1 && c.nwrite == 1 && c.seg[1].gpa == DATA + 0x100 && c.seg[1].len == 32,
          "only the copies were used");
    CHECK(fg.watch_reads == 1, "descriptor 1 read %u times", fg.watch_reads);
}

static void test_chain_copy(void)
{
    struct vq_chain c;
    uint8_t buf[40];
    fresh(0);
    fg_desc(&fg, DESC, 0, DATA, 10, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, DATA + 0x100, 10, VRING_DESC_F_NEXT, 2);
    fg_desc(&fg, DESC, 2, DATA + 0x200, 6, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
    fg_desc(&fg, DESC, 3, DATA + 0x300, 6, VRING_DESC_F_WRITE, 0);
    for (int i = 0; i < 10; i++) {
        fg_ptr(&fg, DATA)[i] = (uint8_t)i;
        fg_ptr(&fg, DATA + 0x100)[i] = (uint8_t)(10 + i);
    }
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(walk_one(&c) == VQ_OK, "walk");
    CHECK(vq_chain_read(&q, &c, 7, buf, 6), "read across two buffers");
    CHECK(buf[0] == 7 && buf[2] == 9 && buf[3] == 10 && buf[5] == 12, "bytes across the boundary");
    CHECK(!vq_chain_read(&q, &c, 15, buf, 6), "read past the readable part");
    CHECK(!vq_chain_read(&q, &c, 0xfffffff0u, buf, 0x20), "offset overflow");
    memset(buf, 0xab, sizeof(buf));
    CHECK(vq_chain_write(&q, &c, 4, buf, 4), "write across two buffers");
    CHECK(fg_ptr(&fg, DATA + 0x200)[4] == 0xab && fg_ptr(&fg, DATA + 0x300)[1] == 0xab &&
          fg_ptr(&fg, DATA + 0x300)[2] == 0, "written bytes land in the writable buffers");
    CHECK(!vq_chain_write(&q, &c, 10, buf, 3), "write past the writable part");
}

/* Completes one chain with head h and returns the interrupt decision. */
static bool complete_one(uint16_t h)
{
    struct vq_chain c;
    fg_desc(&fg, DESC, h, DATA, 8, VRING_DESC_F_WRITE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, h);
    CHECK(walk_one(&c) == VQ_OK && vq_push(&q, c.head, 8) == VQ_OK && vq_publish(&q) == VQ_OK,
          "complete head %u", h);
    return vq_want_interrupt(&q);
}

static void test_interrupts(void)
{
    fresh(0);
    CHECK(complete_one(0), "interrupt by default");
    CHECK(!vq_want_interrupt(&q), "nothing new: no interrupt");
    fg_put16(&fg, AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    CHECK(!complete_one(1), "VRING_AVAIL_F_NO_INTERRUPT honoured");
    fg_put16(&fg, AVAIL, 0);
    CHECK(complete_one(2), "interrupts back on");

    fresh(F_EVT);
    fg_put16(&fg, AVAIL + VRING_USED_EVENT_OFF(QSIZE), 0);
    fg_put16(&fg, AVAIL, VRING_AVAIL_F_NO_INTERRUPT);     /* ignored with EVENT_IDX */
    CHECK(complete_one(0), "first completion with used_event 0");
    CHECK(!complete_one(1), "used_event 0 already passed: none for entry 1");
    fg_put16(&fg, AVAIL + VRING_USED_EVENT_OFF(QSIZE), 3);
    CHECK(!complete_one(2), "used_event 3: none for entry 2");
    CHECK(complete_one(3), "used_event 3: one for entry 3");
}

static void test_notify(void)
{
    struct vq_chain c;
    fresh(0);
    vq_notify_suppress(&q);
    CHECK(fg_get16(&fg, USED) == VRING_USED_F_NO_NOTIFY, "VRING_USED_F_NO_NOTIFY set");
    CHECK(!vq_notify_enable(&q) && fg_get16(&fg, USED) == 0, "enabled, nothing pending");
    fg_desc(&fg, DESC, 0, DATA, 8, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(vq_notify_enable(&q), "a chain arrived before the enable: serve it before sleeping");

    fresh(F_EVT);
    for (uint16_t i = 0; i < 3; i++) {
        fg_desc(&fg, DESC, i, DATA, 8, 0, 0);
        fg_avail_add(&fg, AVAIL, QSIZE, i);
    }
    CHECK(vq_turn_begin(&q, 16) == 3, "three chains");
    while (vq_next(&q, &c) == VQ_OK)
        ;
    vq_notify_suppress(&q);
    uint16_t ev = fg_get16(&fg, USED + VRING_AVAIL_EVENT_OFF(QSIZE));
    /* The driver's side of 2.7.10: adding one chain moves its idx from 3 to 4. */
    CHECK(!vring_need_event(ev, 4, 3), "suppressed: the driver does not notify (avail_event %u)", ev);
    CHECK(!vring_need_event(ev, 7, 3), "suppressed: nor for a batch");
    CHECK(!vq_notify_enable(&q), "enabled, nothing pending");
    ev = fg_get16(&fg, USED + VRING_AVAIL_EVENT_OFF(QSIZE));
    CHECK(vring_need_event(ev, 4, 3), "enabled: the next chain is notified (avail_event %u)", ev);
}

int main(void)
{
    test_setup();
    test_simple_chain();
    test_budget_and_avail();
    test_errors();
    test_indirect();
    test_copy_once();
    test_chain_copy();
    test_interrupts();
    test_notify();
    CHECK(fg.outside == 0, "no access outside guest memory");
    return check_summary("virtq");
}
