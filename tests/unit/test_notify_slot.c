/* Host tests of HC_NOTIFY requests: the check of the guest's copy (the review's inputs), and
 * the serving state machine against a fake guest that rewrites its request mid-flight. */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/vectors.h"
#include "vmm/intr/notify_slot.h"
#include "check.h"

#define WAIT 1000u              /* per-IPI wait, cycles */
#define TOTAL 1000000u          /* whole request, cycles */
#define GPA 0x1000u

/* The guest: its request in memory, its core's handler (acks when `ack` is set). */
struct fake {
    struct hc_notify_req mem;
    bool gone, ack;
    int hv_rc;
    unsigned ipis, wrong_vector, hv_calls, stamps, bad_gpa;
    uint8_t want_vector;
};

static int f_write_stamp(void *ctx, uint64_t gpa)
{
    struct fake *f = ctx;
    f->bad_gpa += gpa != GPA;
    if (f->gone)
        return -1;
    f->mem.stamp = ++f->stamps;
    return 0;
}

static int f_read_counter(void *ctx, uint64_t gpa, uint64_t *counter)
{
    struct fake *f = ctx;
    f->bad_gpa += gpa != GPA;
    if (f->gone)
        return -1;
    *counter = f->mem.counter;
    return 0;
}

static void f_send_ipi(void *ctx, uint8_t vector)
{
    struct fake *f = ctx;
    f->ipis++;
    f->wrong_vector += vector != f->want_vector;
    if (f->ack)
        f->mem.counter++;
}

static int f_hv_ipi(void *ctx)
{
    struct fake *f = ctx;
    f->hv_calls++;
    return f->hv_rc;
}

static struct notify_env env_of(struct fake *f)
{
    return (struct notify_env){ .ctx = f, .write_stamp = f_write_stamp,
                                .read_counter = f_read_counter, .send_ipi = f_send_ipi,
                                .hv_ipi = f_hv_ipi };
}

static int check_req(uint32_t op, uint32_t vector, uint32_t count, struct notify_req *out)
{
    struct hc_notify_req in = { .op = op, .vector = vector, .count = count };
    return notify_check(&in, INTR_INJECTED, out);
}

static void checks(void)
{
    struct notify_req r = { 0, 0, 0 };
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0xf0, 1, &r), -HC_EINVAL, "0xf0: a hypervisor vector");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, VEC_IPI_XCALL, 1, &r), -HC_EINVAL, "the cross-call vector");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0xe0, 1, &r), -HC_EINVAL, "0xe0: hypervisor devices");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x2f, 1, &r), -HC_EINVAL, "0x2f: the 8259 range");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x02, 1, &r), -HC_EINVAL, "an exception (NMI)");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x141, 1, &r), -HC_EINVAL, "low byte a guest vector");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x41, 0xffffffffu, &r), -HC_EINVAL, "2^32-1 IPIs");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x41, NOTIFY_MAX_IPIS + 1, &r), -HC_EINVAL,
                 "one over the maximum");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x41, 0, &r), -HC_EINVAL, "no IPIs");
    CHECK_EQ_U64(check_req(0, 0x41, 1, &r), -HC_EINVAL, "op 0");
    CHECK_EQ_U64(check_req(3, 0x41, 1, &r), -HC_EINVAL, "op 3");
    CHECK_EQ_U64(check_req(0xffffffffu, 0x41, 1, &r), -HC_EINVAL, "op 2^32-1");
    CHECK_EQ_U64(r.op | r.vector | r.count, 0, "refusals leave the copy alone");

    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, 0x41, 50, &r), 0, "eli's request");
    CHECK(r.op == HC_NOTIFY_IPIS && r.vector == 0x41 && r.count == 50, "copied as asked");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, VEC_GUEST_FIRST, NOTIFY_MAX_IPIS, &r), 0,
                 "first guest vector, the maximum count");
    CHECK_EQ_U64(check_req(HC_NOTIFY_IPIS, VEC_GUEST_LAST, 1, &r), 0, "last guest vector");
    struct hc_notify_req linux_timer = { .op = HC_NOTIFY_IPIS, .vector = 0xec, .count = 1 };
    CHECK_EQ_U64(notify_check(&linux_timer, INTR_EXITLESS, &r), 0, "exitless: 0xec is the guest's");
    struct hc_notify_req exc = { .op = HC_NOTIFY_IPIS, .vector = 0x1f, .count = 1 };
    CHECK_EQ_U64(notify_check(&exc, INTR_EXITLESS, &r), -HC_EINVAL, "exitless: not an exception");
    CHECK_EQ_U64(check_req(HC_NOTIFY_HV_IPI, 0xf0, 0xffffffffu, &r), 0, "a hypervisor IPI");
    CHECK(r.op == HC_NOTIFY_HV_IPI && r.vector == 0 && r.count == 0,
          "its vector and count are not carried");
}

/* Steps until the request ends, the clock advancing `dt` per step; returns the result. */
static int run(struct notify_slot *s, struct fake *f, uint64_t *now, uint64_t dt, unsigned max)
{
    struct notify_env env = env_of(f);
    unsigned most = 0;
    int rc = 0;
    for (unsigned i = 0; i < max && !rc; i++) {
        unsigned before = f->ipis;
        rc = notify_step(s, &env, *now, WAIT);
        if (f->ipis - before > most)
            most = f->ipis - before;
        if (!rc)
            *now += dt;
    }
    CHECK(most <= 1, "at most one IPI per step, saw %u", most);
    return rc;
}

static void post(struct notify_slot *s, struct fake *f, uint32_t op, uint32_t vector,
                 uint32_t count, uint64_t now)
{
    struct notify_req r;
    f->mem = (struct hc_notify_req){ .op = op, .vector = vector, .count = count };
    f->want_vector = (uint8_t)vector;
    CHECK_EQ_U64(notify_check(&f->mem, INTR_INJECTED, &r), 0, "posted request valid");
    notify_slot_fill(s, GPA, &r, now, TOTAL);
}

static void serves_the_copy(void)
{
    struct fake f = { .ack = true };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 50, now);
    /* The guest rewrites its request once it is posted. */
    f.mem.op = HC_NOTIFY_HV_IPI;
    f.mem.vector = 0xf0;
    f.mem.count = 0xffffffffu;
    CHECK_EQ_U64(run(&s, &f, &now, 10, 1000), 1, "finished");
    CHECK_EQ_U64(f.ipis, 50, "the posted count, not the rewritten one");
    CHECK_EQ_U64(f.wrong_vector, 0, "every IPI on the posted vector, none on 0xf0");
    CHECK_EQ_U64(f.hv_calls, 0, "the posted op, not the rewritten one");
    CHECK_EQ_U64(f.stamps, 50, "one stamp per IPI");
    CHECK_EQ_U64(f.bad_gpa, 0, "only the request's own memory");
}

static void unacknowledged(void)
{
    struct fake f = { .ack = false };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 3, now);
    struct notify_env env = env_of(&f);
    CHECK_EQ_U64(notify_step(&s, &env, now, WAIT), 0, "first IPI sent");
    CHECK_EQ_U64(notify_step(&s, &env, now + WAIT, WAIT), 0, "waiting, within the IPI's time");
    CHECK_EQ_U64(notify_step(&s, &env, now + WAIT + 1, WAIT), -1, "then gives up");
    CHECK_EQ_U64(f.ipis, 1, "no second IPI without the first's acknowledgment");
}

static void total_deadline(void)
{
    struct fake f = { .ack = true };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, NOTIFY_MAX_IPIS, now);
    /* Each IPI acknowledged just in time: the per-IPI wait never fires, the total does. */
    CHECK_EQ_U64(run(&s, &f, &now, WAIT / 2, 100000), -1, "gave up");
    CHECK(f.ipis < NOTIFY_MAX_IPIS, "before the count: %u IPIs", f.ipis);
    CHECK(now <= 5000 + TOTAL + WAIT, "by the request's deadline (at %llu)",
          (unsigned long long)now);
}

static void counter_ahead(void)
{
    struct fake f = { .ack = false };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 5, now);
    f.mem.counter = 1000000000ull;     /* the guest claims everything acknowledged */
    CHECK_EQ_U64(run(&s, &f, &now, 1, 100), 1, "finished");
    CHECK_EQ_U64(f.ipis, 5, "exactly the count, one per step");
}

static void memory_gone(void)
{
    struct fake f = { .ack = true };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 5, now);
    struct notify_env env = env_of(&f);
    CHECK_EQ_U64(notify_step(&s, &env, now, WAIT), 0, "one IPI");
    f.gone = true;
    CHECK_EQ_U64(notify_step(&s, &env, now + 1, WAIT), -1, "counter unreadable: gives up");
    f.gone = false;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 5, now);
    f.gone = true;
    CHECK_EQ_U64(notify_step(&s, &env, now, WAIT), -1, "stamp unwritable: gives up");
    CHECK_EQ_U64(f.ipis, 1, "and sends nothing");
}

static void hypervisor_ipi(void)
{
    struct fake f = { .hv_rc = 0 };
    struct notify_slot s;
    post(&s, &f, HC_NOTIFY_HV_IPI, 0, 0, 5000);
    struct notify_env env = env_of(&f);
    CHECK_EQ_U64(notify_step(&s, &env, 5000, WAIT), 1, "cross-call answered");
    CHECK_EQ_U64(f.hv_calls, 1, "once");
    f.hv_rc = -1;
    post(&s, &f, HC_NOTIFY_HV_IPI, 0, 0, 5000);
    CHECK_EQ_U64(notify_step(&s, &env, 5000, WAIT), -1, "cross-call timed out");
    post(&s, &f, HC_NOTIFY_HV_IPI, 0, 0, 5000);
    CHECK_EQ_U64(notify_step(&s, &env, 5000 + TOTAL + 1, WAIT), -1, "picked up too late");
    CHECK_EQ_U64(f.hv_calls, 2, "and not attempted then");
    CHECK_EQ_U64(f.ipis, 0, "never a fixed IPI");
}

static void deferred(void)
{
    struct fake f = { .ack = false };
    struct notify_slot s;
    uint64_t now = 5000;
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 3, now);
    struct notify_env env = env_of(&f);
    CHECK_EQ_U64(notify_step(&s, &env, now, WAIT), 0, "first IPI sent");
    notify_slot_defer(&s, 5 * TOTAL);     /* another guest held the management CPU */
    CHECK_EQ_U64(notify_step(&s, &env, now + 4 * TOTAL, WAIT), 0,
                 "the stall is not charged to this request");
    f.mem.counter = 1;
    CHECK_EQ_U64(notify_step(&s, &env, now + 4 * TOTAL, WAIT), 0, "served on");
    CHECK_EQ_U64(f.ipis, 2, "the second IPI");
    CHECK_EQ_U64(notify_step(&s, &env, now + 4 * TOTAL + WAIT + 1, WAIT), -1,
                 "its own waits still count");
    post(&s, &f, HC_NOTIFY_IPIS, 0x41, 3, now);
    notify_slot_defer(&s, 5 * TOTAL);
    CHECK_EQ_U64(notify_step(&s, &env, now + 6 * TOTAL + 1, WAIT), -1,
                 "and the total, moved by the stall only");
}

int main(void)
{
    checks();
    serves_the_copy();
    unacknowledged();
    total_deadline();
    counter_ahead();
    memory_gone();
    hypervisor_ipi();
    deferred();
    return check_summary("notify_slot");
}
