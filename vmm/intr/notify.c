/* Notification service on the management CPU. A request is copied from the guest once, at
 * post (vmm/hypercall_args.c), checked (vmm/notify_slot.c) and kept in the guest's slot;
 * only that copy decides the operation, vector and count. The management CPU serves every
 * busy slot one bounded step per poll, round robin, so no guest's request holds it for
 * another's. The guest's request memory is used only for the protocol's stamp, counter and
 * done fields. */
#include <stdbool.h>
#include <stddef.h>

#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/tsc.h"
#include "kernel/xcall.h"
#include "vmm/guest_mgr.h"
#include "vmm/intr/notify.h"
#include "vmm/intr/notify_slot.h"

/* Indexed by guest id; ownership of each slot's fields: see struct notify_slot. */
static struct notify_slot slots[GUEST_MAX];
/* Management CPU only: where the next poll starts, and give-ups per guest (logged when a
 * power of two, so a guest cannot flood the hypervisor's log with them). */
static uint32_t poll_first;
static uint32_t gave_up[GUEST_MAX];

int64_t notify_post(struct vcpu *v, uint64_t gpa, const struct notify_req *req)
{
    struct guest *g = v->guest;
    struct notify_slot *s = &slots[g->id];
    uint32_t expect = NOTIFY_FREE;
    if (!__atomic_compare_exchange_n(&s->state, &expect, NOTIFY_FILLING, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return -HC_EPERM; /* one at a time, whichever vCPU asks */
    notify_slot_fill(s, gpa, req, rdtsc(), tsc_us_to_cycles(NOTIFY_TOTAL_US));
    s->incarnation = __atomic_load_n(&g->restarts, __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, NOTIFY_BUSY, __ATOMIC_RELEASE);
    return 0;
}

struct target {
    struct guest *g;
    uint32_t cpu, apic_id;
};

static int write_stamp(void *ctx, uint64_t gpa)
{
    struct target *t = ctx;
    uint64_t stamp = rdtsc();
    return guest_write(t->g, gpa + offsetof(struct hc_notify_req, stamp), &stamp, 8);
}

static int read_counter(void *ctx, uint64_t gpa, uint64_t *counter)
{
    struct target *t = ctx;
    return guest_read(t->g, gpa + offsetof(struct hc_notify_req, counter), counter, 8);
}

static void send_ipi(void *ctx, uint8_t vector)
{
    struct target *t = ctx;
    lapic_send_ipi(t->apic_id, ICR_FIXED, vector);
}

static void noop(void *arg) { (void)arg; }

static int hv_ipi(void *ctx)
{
    struct target *t = ctx;
    return xcall_run(t->cpu, noop, NULL) == 0 ? 0 : -1; /* at most XCALL_TIMEOUT_US */
}

/* One step of a busy slot: 0 in progress, 1 finished, -1 gave up. */
static int serve_step(struct guest *g, struct notify_slot *s)
{
    struct target t = { .g = g, .cpu = g->vcpus[0].cpu };
    const struct percpu *p = percpu_of(t.cpu);
    if (g->state != GUEST_RUNNING || !p || !p->remote.online ||
        __atomic_load_n(&g->restarts, __ATOMIC_RELAXED) != s->incarnation)
        return -1;
    t.apic_id = p->apic_id;
    const struct notify_env env = {
        .ctx = &t, .write_stamp = write_stamp, .read_counter = read_counter,
        .send_ipi = send_ipi, .hv_ipi = hv_ipi,
    };
    return notify_step(s, &env, rdtsc(), tsc_us_to_cycles(NOTIFY_IPI_WAIT_US));
}

static void finish(struct guest *g, struct notify_slot *s, int32_t done)
{
    if (done < 0) {
        uint32_t n = ++gave_up[g->id];
        if (!(n & (n - 1)))
            log_warn("notify", "%s: request %u (vector %#x, %u of %u IPIs sent) gave up "
                     "(%u time(s) so far)", g->name, s->req.op, s->req.vector, s->sent,
                     s->req.count, n);
    }
    uint64_t gpa = s->gpa;
    bool same = __atomic_load_n(&g->restarts, __ATOMIC_RELAXED) == s->incarnation;
    /* Free before `done` is written: a guest that waits for `done` and posts again at
     * once finds the slot free. */
    __atomic_store_n(&s->state, NOTIFY_FREE, __ATOMIC_RELEASE);
    if (same)
        guest_write(g, gpa + offsetof(struct hc_notify_req, done), &done, 4);
}

/* Management CPU: a step (a cross-call that timed out) or a gap between polls longer than
 * one IPI's wait is time no other request could be served in; their deadlines move by it. */
static void defer_others(uint32_t n, uint32_t except, uint64_t cycles)
{
    for (uint32_t i = 0; i < n; i++)
        if (i != except && __atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == NOTIFY_BUSY)
            notify_slot_defer(&slots[i], cycles);
}

void notify_poll(void)
{
    static uint64_t last_poll;  /* management CPU only: when the previous poll ended */
    uint32_t n = guest_mgr_count();
    if (!n)
        return;
    uint64_t stall = tsc_us_to_cycles(NOTIFY_IPI_WAIT_US), start = rdtsc();
    if (last_poll && start - last_poll > stall)
        defer_others(n, n, start - last_poll);
    uint32_t first = poll_first++ % n;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (first + k) % n;
        struct notify_slot *s = &slots[i];
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != NOTIFY_BUSY)
            continue;
        struct guest *g = guest_mgr_get(i);
        uint64_t t = rdtsc();
        int rc = serve_step(g, s);
        if (rc)
            finish(g, s, rc);
        uint64_t took = rdtsc() - t;
        if (took > stall)
            defer_others(n, i, took);
    }
    last_poll = rdtsc();
}
