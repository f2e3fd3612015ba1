/* Single-stepping one guest instruction (SDM vol. 3, 26.5.2 monitor trap flag; 18.3.1.4
 * single-step on TF). Lock: guest->ept_lock around every change to the guest's EPT. */
#include "kernel/layout.h"
#include "kernel/trap.h"
#include "vmm/intr/eli.h"
#include "vmm/intr/step.h"
#include "vmm/vcpu.h"
#include "vmm/vpci/vpci.h"
#include "vmm/vpci/vpci_virtio_notify.h"

#define RFLAGS_TF (1ull << 8)
#define DR6_BS (1ull << 14)         /* #DB: single step (the vendor reports DR6-style bits) */

static void arm(struct vcpu *v)
{
    eli_set_intr_exiting(v, true);
    if (vendor->has_mtf(v)) {
        v->step_with_tf = false;
        vendor->mtf(v, true);
        return;
    }
    /* No MTF (Bochs 2.7, SVM): the trap flag makes the instruction end in a #DB, which exits
     * through the exception intercept and is never delivered to the guest. */
    uint64_t rflags = vcpu_get(v, VREG_RFLAGS);
    v->step_with_tf = true;
    /* A TF left over from a step cut short (an IRET brought it back from the frame that saved
     * it) is ours, not the guest's: taking it as the guest's would hand it back at the end of
     * this step, and the next instruction would raise a #DB the guest never asked for. */
    v->guest_tf = (rflags & RFLAGS_TF) && !v->tf_residue;
    if (rflags & RFLAGS_TF)
        v->tf_residue = false;
    vcpu_set(v, VREG_RFLAGS, rflags | RFLAGS_TF);
    vendor->intercept_exception(v, VEC_DB, true);
}

/* ended: the step's own single-step exit (else it was cut short by another exit). */
static void disarm(struct vcpu *v, bool ended)
{
    if (v->step_with_tf) {
        uint64_t rflags = vcpu_get(v, VREG_RFLAGS);
        vcpu_set(v, VREG_RFLAGS, v->guest_tf ? rflags | RFLAGS_TF : rflags & ~RFLAGS_TF);
        v->step_with_tf = false;
        /* Cut short by an event whose delivery saved RFLAGS with our TF in it: its IRET may
         * bring TF back, so #DB keeps exiting until that trap has been seen (or forever if
         * the guest never returns: one exit per #DB, which only the guest's TF causes). */
        if (!ended && !v->guest_tf)
            v->tf_residue = true;
        if ((ended || v->guest_tf) && !v->tf_residue)
            vendor->intercept_exception(v, VEC_DB, false);
    } else {
        vendor->mtf(v, false);
    }
    /* Exitless guests with an IDT shadowed run with external-interrupt exiting off again. */
    eli_set_intr_exiting(v, v->guest->intr_mode != INTR_EXITLESS || !v->idt.loaded);
}

static int unshadow(struct guest *g, enum step_kind kind, uint64_t gpa)
{
    return kind == STEP_IDT ? eli_unshadow(g, gpa) : kind == STEP_NOTIFY ? vpci_virtio_unshadow(g, gpa)
                            : vpci_msix_unshadow(g, gpa);
}

static int reshadow(struct guest *g, enum step_kind kind, uint64_t gpa)
{
    return kind == STEP_IDT ? eli_reshadow(g, gpa) : kind == STEP_NOTIFY ? vpci_virtio_reshadow(g, gpa)
                            : vpci_msix_reshadow(g, gpa);
}

bool step_page_write(struct vcpu *v, enum step_kind kind, uint64_t gpa)
{
    struct guest *g = v->guest;
    gpa &= ~(PAGE_SIZE - 1);
    for (uint32_t i = 0; i < v->nstep; i++)
        if (v->step[i].gpa == gpa && v->step[i].kind == kind)
            return true; /* already writable for us: a stale translation, retried */
    if (v->nstep == STEP_MAX_PAGES) {
        guest_fault(g, "one instruction writes more than %d shadowed pages at rip %#lx",
                    STEP_MAX_PAGES, v->exit.rip);
        return true;
    }
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    int rc = unshadow(g, kind, gpa);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (rc)
        return false;
    vendor->flush_gpmap(v); /* more rights: only this CPU needs to see them now */
    v->step[v->nstep++] = (struct step_page){ .kind = kind, .gpa = gpa };
    if (v->nstep == 1)
        arm(v);
    return true;
}

static void finish(struct vcpu *v, bool ended)
{
    struct guest *g = v->guest;
    disarm(v, ended);
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    int failed = 0;
    bool kicked = false;
    for (uint32_t i = 0; i < v->nstep; i++) {
        failed |= reshadow(g, v->step[i].kind, v->step[i].gpa);
        kicked |= v->step[i].kind == STEP_NOTIFY;
    }
    spin_unlock_irqrestore(&g->ept_lock, flags);
    v->nstep = 0;
    guest_ept_sync(v);
    if (failed)
        guest_fault(g, "cannot map a shadowed page back after a single step");
    else if (kicked)
        vpci_virtio_kicked(v);
}

void step_before_exit(struct vcpu *v, const struct vexit *e)
{
    if (!v->nstep || e->kind == VEXIT_STEP || e->kind == VEXIT_GPA)
        return;
    if (e->kind == VEXIT_EXCEPTION && v->step_with_tf && e->exc.vector == VEC_DB)
        return;
    finish(v, false);
}

enum exit_action handle_mtf(struct vcpu *v)
{
    if (!v->nstep) {
        guest_fault(v->guest, "single-step exit with no step in progress");
        return EXIT_STOP;
    }
    finish(v, true);
    return v->guest->state == GUEST_RUNNING ? EXIT_RESUME : EXIT_STOP;
}

bool step_tf_residue(struct vcpu *v)
{
    if (v->guest_tf || !(v->exit.exc.info & DR6_BS))
        return false;
    vcpu_set(v, VREG_RFLAGS, vcpu_get(v, VREG_RFLAGS) & ~RFLAGS_TF);
    v->tf_residue = false;
    vendor->intercept_exception(v, VEC_DB, false);
    return true;
}
