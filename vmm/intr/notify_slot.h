/* A guest's notification slot: the validated copy of its HC_NOTIFY request and the state
 * machine that serves it, one step per poll of the management CPU. Pure: guest memory, the
 * IPIs and the clock are reached through struct notify_env and arguments, so the host unit
 * test runs it against a fake guest. */
#ifndef EXITLESS_VMM_NOTIFY_SLOT_H
#define EXITLESS_VMM_NOTIFY_SLOT_H

#include <stdint.h>

#include "exitless/hypercall.h"
#include "vmm/vendor.h"

/*
 * Bounds of one request. The guests ask for at most 50 IPIs (guests/eli, also under make
 * bench); 10,000 leaves room for a longer benchmark. An IPI the guest's core does not
 * acknowledge within NOTIFY_IPI_WAIT_US means the core is not running its guest; a whole
 * request gets NOTIFY_TOTAL_US from its post, then gives up whatever is left (on silicon an
 * IPI round trip through the poll loop is a few microseconds, so 10,000 fit many times). The
 * bounds leave room for emulators: under multi-threaded QEMU TCG on a loaded host a vCPU
 * thread can sit unscheduled for tens of milliseconds (DESIGN.md), and 50 ms per IPI with 1 s
 * per request gave up on requests of 20 IPIs there.
 */
#define NOTIFY_MAX_IPIS 10000u
#define NOTIFY_IPI_WAIT_US 250000u
#define NOTIFY_TOTAL_US 5000000u

/* What the management CPU acts on: copied from the guest once, at post, and checked. */
struct notify_req {
    uint32_t op;                /* enum hc_notify_op */
    uint32_t vector;            /* HC_NOTIFY_IPIS: a guest vector; else 0 */
    uint32_t count;             /* HC_NOTIFY_IPIS: 1..NOTIFY_MAX_IPIS; else 0 */
};

enum notify_state {
    NOTIFY_FREE,                /* no request: a vCPU of the guest may claim it */
    NOTIFY_FILLING,             /* claimed by one posting vCPU, which writes the fields */
    NOTIFY_BUSY,                /* published: the management CPU owns the fields */
};

/* Ownership goes with `state` (atomic): FREE -> FILLING by compare-and-swap of the posting
 * vCPU, which alone then writes the other fields and publishes them with a release store of
 * BUSY; the management CPU reads BUSY with acquire, alone reads and writes the fields, and
 * hands the slot back with a release store of FREE. */
struct notify_slot {
    uint32_t state;             /* enum notify_state, atomic */
    uint64_t gpa;               /* the request in the guest: only stamp, counter, done used */
    struct notify_req req;      /* the validated copy: the only source of op/vector/count */
    uint32_t sent;              /* IPIs sent so far */
    uint64_t ipi_deadline;      /* TSC by which the last IPI must be acknowledged */
    uint64_t deadline;          /* TSC by which the whole request must be done */
    uint32_t incarnation;       /* the guest's restart count at post: a restarted guest's
                                 * memory is not the request's any more */
};

/* How serving reaches the world (the hypervisor's guest memory and LAPIC, or a test fake). */
struct notify_env {
    void *ctx;
    /* Writes the TSC into the request's `stamp`: 0, or -1 when the guest memory is gone. */
    int (*write_stamp)(void *ctx, uint64_t gpa);
    /* Reads the request's `counter`, advanced by the guest's handler: 0 or -1. */
    int (*read_counter)(void *ctx, uint64_t gpa, uint64_t *counter);
    /* A fixed IPI on `vector` to the guest's vCPU 0 core. */
    void (*send_ipi)(void *ctx, uint8_t vector);
    /* A hypervisor cross-call on that core, bounded by its own timeout: 0 or -1. */
    int (*hv_ipi)(void *ctx);
};

/* Checks a copy of the guest's request (its vectors: those `mode` owns,
 * vmm/intr/vector_policy.h); fills `out` only from checked values. 0 or -HC_EINVAL. */
int notify_check(const struct hc_notify_req *in, enum intr_mode mode, struct notify_req *out);
/* The posting vCPU, slot FILLING: records the request at `gpa`; it must be done by
 * now + total_cycles. */
void notify_slot_fill(struct notify_slot *s, uint64_t gpa, const struct notify_req *req,
                      uint64_t now, uint64_t total_cycles);
/* The management CPU, slot BUSY: moves its deadlines `cycles` later (time the management
 * CPU spent on another guest's step, which is not this request's to pay for). */
void notify_slot_defer(struct notify_slot *s, uint64_t cycles);
/* The management CPU, slot BUSY: one bounded step (at most one IPI or one cross-call).
 * Returns 0 while in progress, 1 when finished, -1 when it gave up. */
int notify_step(struct notify_slot *s, const struct notify_env *env, uint64_t now,
                uint64_t ipi_wait_cycles);

#endif
