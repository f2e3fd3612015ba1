/* Notification requests: checking the guest's copy, and serving it a step at a time
 * (vmm/notify_slot.h). */
#include "vmm/intr/vector_policy.h"
#include "vmm/intr/notify_slot.h"

int notify_check(const struct hc_notify_req *in, enum intr_mode mode, struct notify_req *out)
{
    switch (in->op) {
    case HC_NOTIFY_IPIS:
        if (in->vector > 0xff || !intr_mode_owns_vector(mode, (uint8_t)in->vector))
            return -HC_EINVAL;  /* exceptions, and the hypervisor's own in injected mode */
        if (in->count == 0 || in->count > NOTIFY_MAX_IPIS)
            return -HC_EINVAL;
        *out = (struct notify_req){ .op = HC_NOTIFY_IPIS, .vector = in->vector,
                                    .count = in->count };
        return 0;
    case HC_NOTIFY_HV_IPI:
        *out = (struct notify_req){ .op = HC_NOTIFY_HV_IPI };
        return 0;
    default:
        return -HC_EINVAL;
    }
}

void notify_slot_fill(struct notify_slot *s, uint64_t gpa, const struct notify_req *req,
                      uint64_t now, uint64_t total_cycles)
{
    s->gpa = gpa;
    s->req = *req;
    s->sent = 0;
    s->ipi_deadline = 0;
    s->deadline = now + total_cycles;
}

void notify_slot_defer(struct notify_slot *s, uint64_t cycles)
{
    s->deadline += cycles;
    s->ipi_deadline += cycles;
}

int notify_step(struct notify_slot *s, const struct notify_env *env, uint64_t now,
                uint64_t ipi_wait_cycles)
{
    if (now > s->deadline)
        return -1;
    if (s->req.op == HC_NOTIFY_HV_IPI)
        return env->hv_ipi(env->ctx) == 0 ? 1 : -1;
    if (s->req.op != HC_NOTIFY_IPIS)
        return -1;              /* notify_check lets no other op through */
    if (s->sent) {
        uint64_t counter;
        if (env->read_counter(env->ctx, s->gpa, &counter))
            return -1;
        if (counter < s->sent)
            return now > s->ipi_deadline ? -1 : 0;
        /* A counter ahead of the IPIs sent buys nothing: still one IPI per step. */
        if (s->sent >= s->req.count)
            return 1;
    }
    if (env->write_stamp(env->ctx, s->gpa))
        return -1;
    env->send_ipi(env->ctx, (uint8_t)s->req.vector);
    s->sent++;
    s->ipi_deadline = now + ipi_wait_cycles;
    return 0;
}
