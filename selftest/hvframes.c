/* HC_TEST_HV_FRAMES (selftest/hvframes.h). */
#include <string.h>

#include "exitless/hypercall.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "selftest/hvframes.h"
#include "vmm/guest.h"
#include "vmm/vcpu.h"

#define NFRAMES 3
#define FRAME 4096u
#define CANARY_WORD 0x5a17c0de5a17c0deull

extern char __text_start[];

/* Any vCPU may call: the table and the canary are this lock's. */
static struct spinlock lock = SPINLOCK_INIT;
static uint64_t frame[NFRAMES], sum[NFRAMES], canary;
static unsigned nframes;

static uint64_t checksum(uint64_t hpa)
{
    const volatile uint64_t *p = phys_map_range(hpa, FRAME);
    uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a over the frame's qwords */
    for (unsigned i = 0; p && i < FRAME / 8; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int64_t record(struct vcpu *v, uint64_t gpa, uint64_t n)
{
    struct guest *g = v->guest;
    if (!canary) {
        uint64_t f = frames_alloc(1, FRAME);
        if (f == FRAME_NONE)
            return -HC_EINVAL;
        canary = f;
        uint64_t *c = phys_to_virt(canary);
        for (unsigned i = 0; i < FRAME / 8; i++)
            c[i] = CANARY_WORD ^ i;
    }
    uint64_t past = g->mem_hpa + g->mem_size;
    uint64_t want[NFRAMES] = { virt_to_phys(__text_start), canary, past };
    unsigned k = 0;
    for (unsigned i = 0; i < NFRAMES && k < n; i++)
        if (mm_in_physmap(want[i], FRAME))
            want[k++] = want[i];
    if (guest_write(g, gpa, want, k * sizeof(want[0])))
        return -HC_EFAULT;
    nframes = k;
    for (unsigned i = 0; i < k; i++) {
        frame[i] = want[i];
        sum[i] = checksum(want[i]);
        log_info("hvframes", "%s: frame %u at host %#lx handed out (checksum %#lx)", g->name, i,
                 want[i], sum[i]);
    }
    return k;
}

static int64_t verify(struct vcpu *v)
{
    unsigned same = 0;
    for (unsigned i = 0; i < nframes; i++) {
        bool ok = checksum(frame[i]) == sum[i];
        same += ok;
        if (!ok)
            log_err("hvframes", "frame %u at host %#lx changed", i, frame[i]);
    }
    log_info("hvframes", "%s asked: %u of %u frames unchanged since they were handed out",
             v->guest->name, same, nframes);
    return (int64_t)nframes << 16 | same;
}

int64_t hv_frames_test(void *ctx, uint64_t op, uint64_t gpa, uint64_t n)
{
    struct vcpu *v = ctx;
    if (op > 1 || (op == 0 && (gpa % 8 || n == 0)))
        return -HC_EINVAL;
    uint64_t flags = spin_lock_irqsave(&lock);
    int64_t r = op == 0 ? record(v, gpa, n) : verify(v);
    spin_unlock_irqrestore(&lock, flags);
    return r;
}
