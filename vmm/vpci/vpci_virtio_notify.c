/* Kicks that exit (vmm/vpci/vpci_virtio_notify.h). */
#include "kernel/layout.h"
#include "vmm/gpmap.h"
#include "vmm/guest.h"
#include "kernel/log.h"
#include "vmm/intr/step.h"
#include "vmm/vendor.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/vpci/vpci_virtio_fn.h"
#include "vmm/vpci/vpci_virtio_notify.h"

/* The function of g whose notification page holds gpa, or NULL. */
static struct vpci_vfn *find(struct guest *g, uint64_t gpa)
{
    gpa &= ~(uint64_t)(PAGE_SIZE - 1);
    for (unsigned i = 0; i < g->vpci.nvirtio; i++) {
        struct vpci_vfn *f = vpci_virtio_fn_get(g->id, i);
        if (f && f->tr.bar_gpa + VPCI_VIRTIO_NOTIFY == gpa)
            return f;
    }
    return NULL;
}

static int map(struct guest *g, struct vpci_vfn *f, bool writable)
{
    return gpmap_remap_4k(&g->gpmap, f->tr.bar_gpa + VPCI_VIRTIO_NOTIFY, f->notify_hpa,
                          writable ? GPM_R | GPM_W : GPM_R);
}

bool vpci_virtio_ept_write(struct vcpu *v, uint64_t gpa)
{
    struct guest *g = v->guest;
    struct vpci_vfn *f = find(g, gpa);
    if (!f)
        return false;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    bool protected = f->baseline || f->asleep;
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (protected)
        return step_page_write(v, STEP_NOTIFY, gpa);
    /* Writable again (its sidecore woke): this CPU still held the read-only translation. */
    vendor->flush_gpmap(v);
    return true;
}

int vpci_virtio_protect(struct guest *g, struct vpci_vfn *f, bool asleep)
{
    f->asleep = asleep;
    return f->steppers ? 0 : map(g, f, !(f->baseline || asleep));
}

int vpci_virtio_unshadow(struct guest *g, uint64_t gpa)
{
    struct vpci_vfn *f = find(g, gpa);
    if (!f)
        return -1;
    return f->steppers++ == 0 ? map(g, f, true) : 0;
}

int vpci_virtio_reshadow(struct guest *g, uint64_t gpa)
{
    struct vpci_vfn *f = find(g, gpa);
    if (!f)
        return -1;
    f->kicked = true;
    if (f->steppers && --f->steppers)
        return 0;
    return map(g, f, !(f->baseline || f->asleep));
}

/* Re-arms the slots the kick wrote (what they say does not matter: every queue is looked at). */
static void take_slots(struct vpci_vfn *f)
{
    for (unsigned q = 0; q < f->dev->info.nqueues; q++) {
        volatile uint16_t *slot = &f->notify[q * VPCI_VIRTIO_NOTIFY_MUL / 2];
        if (*slot != VPCI_VIRTIO_NOTIFY_IDLE) {
            *slot = VPCI_VIRTIO_NOTIFY_IDLE;
            __atomic_add_fetch(&f->notify_writes, 1, __ATOMIC_RELAXED);
        }
    }
}

void vpci_virtio_kicked(struct vcpu *v)
{
    struct guest *g = v->guest;
    for (unsigned i = 0; i < g->vpci.nvirtio; i++) {
        struct vpci_vfn *f = vpci_virtio_fn_get(g->id, i);
        if (!f || !f->kicked)
            continue;
        f->kicked = false;
        __atomic_add_fetch(&f->kicks_exited, 1, __ATOMIC_RELAXED);
        if (!f->baseline) {
            sidecore_wake(f);   /* its sidecore halted: the store is in the page, it reads it */
            continue;
        }
        if (f->is_net) {        /* the switch is its sidecore's alone: handed over */
            __atomic_store_n(&f->base_kick, true, __ATOMIC_RELEASE);
            sidecore_wake(f);
            continue;
        }
        take_slots(f);
        uint32_t irq;
        bool config_irq;
        uint32_t n = vdev_turn(f->dev, VQ_MAX_SIZE, &irq, &config_irq);
        __atomic_add_fetch(&f->chains, n, __ATOMIC_RELAXED);
        __atomic_add_fetch(&f->turns, 1, __ATOMIC_RELAXED);
        for (uint16_t qi = 0; irq; qi++, irq >>= 1)
            if (irq & 1)
                vpci_vfn_interrupt(f, (uint16_t)vdev_queue_read(f->dev, qi, VDEV_Q_MSIX));
        if (config_irq)
            vpci_vfn_config_interrupt(f);
    }
}

void vpci_virtio_baseline_report(struct guest *g)
{
    for (unsigned i = 0; i < g->vpci.nvirtio; i++) {
        struct vpci_vfn *f = vpci_virtio_fn_get(g->id, i);
        if (f && f->baseline)
            log_info("virtio", "%s virtio-%s %u (baseline): %lu kicks exited, %lu chains in %lu "
                               "turns %s, %lu interrupts sent, %lu not routed", g->name,
                     f->is_net ? "net" : "blk", f->index, f->kicks_exited, f->chains, f->turns,
                     f->is_net ? "by the switch's sidecore when kicked" : "on its vCPUs",
                     f->irqs, f->irqs_unrouted);
    }
}
