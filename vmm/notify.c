/* Notification service on the management CPU. Requests come from guests (HC_NOTIFY); each
 * may only name the requesting guest's own core and a guest vector. */
#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/tsc.h"
#include "kernel/vectors.h"
#include "kernel/xcall.h"
#include "vmm/guest_mgr.h"
#include "vmm/notify.h"

#define NOTIFY_MAX_IPIS 100000u
#define NOTIFY_WAIT_US 2000000u      /* per IPI, then the request gives up */

struct notify_slot {
    volatile uint64_t gpa;           /* the request in the guest, 0 = none */
};

static struct notify_slot slots[GUEST_MAX];

int64_t notify_post(struct vcpu *v, uint64_t gpa)
{
    struct hc_notify_req r;
    if (gpa % 8 || guest_read(v->guest, gpa, &r, sizeof(r)))
        return -HC_EFAULT;
    if (r.op == HC_NOTIFY_IPIS &&
        (r.vector > 0xff || vector_owner((uint8_t)r.vector) != VECTOR_GUEST ||
         r.count > NOTIFY_MAX_IPIS))
        return -HC_EINVAL;
    if (r.op != HC_NOTIFY_IPIS && r.op != HC_NOTIFY_HV_IPI)
        return -HC_EINVAL;
    if (slots[v->guest->id].gpa)
        return -HC_EPERM; /* one at a time */
    __atomic_store_n(&slots[v->guest->id].gpa, gpa, __ATOMIC_RELEASE);
    return 0;
}

static void noop(void *arg) { (void)arg; }

static int32_t serve(struct guest *g, uint64_t gpa, const struct hc_notify_req *r)
{
    const struct percpu *p = percpu_of(g->vcpus[0].cpu);
    if (!p || !p->remote.online)
        return -1;
    if (r->op == HC_NOTIFY_HV_IPI)
        return xcall_run(g->vcpus[0].cpu, noop, NULL) == 0 ? 1 : -1;
    for (uint32_t i = 0; i < r->count; i++) {
        uint64_t stamp = rdtsc(), counter = 0;
        if (guest_write(g, gpa + __builtin_offsetof(struct hc_notify_req, stamp), &stamp, 8))
            return -1;
        lapic_send_ipi(p->apic_id, ICR_FIXED, (uint8_t)r->vector);
        uint64_t deadline = rdtsc() + tsc_us_to_cycles(NOTIFY_WAIT_US);
        do {
            if (guest_read(g, gpa + __builtin_offsetof(struct hc_notify_req, counter), &counter, 8) ||
                g->state != GUEST_RUNNING || rdtsc() > deadline)
                return -1;
        } while (counter < i + 1);
    }
    return 1;
}

void notify_poll(void)
{
    for (uint32_t i = 0; i < guest_mgr_count(); i++) {
        uint64_t gpa = __atomic_load_n(&slots[i].gpa, __ATOMIC_ACQUIRE);
        if (!gpa)
            continue;
        struct guest *g = guest_mgr_get(i);
        struct hc_notify_req r;
        int32_t done = -1;
        if (!guest_read(g, gpa, &r, sizeof(r)))
            done = serve(g, gpa, &r);
        if (done < 0)
            log_warn("notify", "%s: request %u (vector %#x, %u IPIs) gave up", g->name, r.op,
                     r.vector, r.count);
        guest_write(g, gpa + __builtin_offsetof(struct hc_notify_req, done), &done, 4);
        __atomic_store_n(&slots[i].gpa, 0, __ATOMIC_RELEASE);
    }
}
