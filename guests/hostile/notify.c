/* hostile: an HC_NOTIFY request rewritten by vCPU 1 while the management CPU serves it. */
#include "hostile.h"

#define NOTIFY_COUNT 200
static volatile uint64_t notify_seen;

static void on_notify(uint8_t v, uint64_t e)
{
    (void)e;
    vec_count[v]++;
    /* Acknowledge only what was asked for: a 201st IPI is left unanswered, so a request
     * the hypervisor lets grow past 200 gives up instead of running for ever. */
    if (++notify_seen <= NOTIFY_COUNT)
        req.counter++;
    eoi();
}

static volatile uint64_t rewriting;

void notify_rewrite(void)
{
    volatile uint32_t *vector = &req.vector, *count = &req.count;
    while (!atomic_load(&job_stop)) {
        *vector = VEC_HOSTILE;
        *count = 0xffffffffu;
        *vector = VEC_NOTIFY;
        *count = NOTIFY_COUNT;
        guest_flag_set(&rewriting);
    }
}

int notify_wait(void)
{
    for (uint64_t i = 0; !__atomic_load_n(&req.done, __ATOMIC_ACQUIRE); i++) {
        if (i > 4 * SPINS)
            return 0;
        __asm__ volatile("sti; pause");
    }
    return req.done;
}

void notify_phase(void)
{
    guest_set_handler(VEC_NOTIFY, on_notify);
    req.done = 0;
    req.counter = 0;
    req.op = HC_NOTIFY_IPIS;
    req.vector = VEC_NOTIFY;
    req.count = NOTIFY_COUNT;
    run_on_vcpu1(JOB_NOTIFY_REWRITE);
    guest_flag_wait(&rewriting, SPINS);
    /* The post is validated against whatever vCPU 1 has just written: retry until a valid
     * copy was seen; the management CPU then reads the request while it still changes. */
    long rc = -1;
    unsigned tries = 0;
    for (; tries < 100000 && rc; tries++)
        rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    int done = rc ? -2 : notify_wait();
    job_stop = 1;
    bool joined = vcpu1_finished();
    gprintf("notify-rewrite: posted after %u tries, done %d, %lu on 0x%x, %lu elsewhere\n", tries,
            done, vec_count[VEC_NOTIFY], VEC_NOTIFY, others_than(VEC_NOTIFY, VEC_NOTIFY));
    check("notify-rewrite-bounded", rc == 0 && (done == 1 || done == -1) && joined,
          "post %ld after %u tries, done %d", rc, tries, done);
    check("notify-rewrite-at-most-count", vec_count[VEC_NOTIFY] <= NOTIFY_COUNT,
          "%lu interrupts on 0x%x for a request of %d", vec_count[VEC_NOTIFY], VEC_NOTIFY, NOTIFY_COUNT);
    check("notify-rewrite-no-other-vector", others_than(VEC_NOTIFY, VEC_NOTIFY) == 0,
          "%lu interrupts on other vectors (0x%x: %lu)", others_than(VEC_NOTIFY, VEC_NOTIFY),
          VEC_HOSTILE, vec_count[VEC_HOSTILE]);
    /* A clean request afterwards is served in full. */
    uint64_t before = vec_count[VEC_NOTIFY];
    notify_seen = 0;
    req.op = HC_NOTIFY_IPIS;
    req.vector = VEC_NOTIFY;
    req.count = 20;
    req.done = 0;
    req.counter = 0;
    rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
    done = rc ? -2 : notify_wait();
    check("notify-clean-after-rewrite", rc == 0 && done == 1 && vec_count[VEC_NOTIFY] - before == 20,
          "post %ld done %d, %lu of 20 IPIs", rc, done, vec_count[VEC_NOTIFY] - before);
}

/* Hypervisor IPIs to this guest's core at its request, between statistics s0 and s1, until
 * one was counted in hv_interrupts (exitless: an NMI-posted cross-call, served in the vCPU
 * loop; injected: a fixed IPI that exits; one that lands while the core is in the
 * hypervisor for an exit is taken there directly, so a few tries are allowed). Returns the last request's `done` (1 served,
 * -1 gave up, -2 refused), or the first that was not 1. */
#define HV_IPI_TRIES 8
int notify_hv_ipi(void)
{
    int done = 1;
    guest_exit_stats(&s0);
    s1 = s0;
    for (int i = 0; i < HV_IPI_TRIES && done == 1 && s1.hv_interrupts == s0.hv_interrupts; i++) {
        req.op = HC_NOTIFY_HV_IPI;
        req.done = 0;
        long rc = hypercall(HC_NOTIFY, (unsigned long)&req, 0, 0);
        done = rc ? -2 : notify_wait();
        guest_exit_stats(&s1);
    }
    return done;
}
