/* The vCPU run loop, the same on every CPU vendor: checks before each entry, the exit
 * handler, statistics. The vendor (vmm/vendor.h) enters the guest and decodes the exit. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/xcall.h"
#include "vmm/intr/apic_start.h"
#include "vmm/exit.h"
#include "vmm/intr/virq.h"
#include "vmm/msr.h"
#include "vmm/vcpu.h"

#define CR8_MAX_GUEST 0xdu          /* TPR classes 0xe and 0xf are the hypervisor's */

uint64_t *vcpu_gpr(struct vcpu *v, unsigned i)
{
    uint64_t *by_number[16] = {
        &v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx, NULL, &v->regs.rbp,
        &v->regs.rsi, &v->regs.rdi, &v->regs.r8, &v->regs.r9, &v->regs.r10, &v->regs.r11,
        &v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
    };
    return i < 16 ? by_number[i] : NULL; /* RSP (4) lives in the vendor's control block */
}

uint64_t vcpu_gpr_read(struct vcpu *v, unsigned i)
{
    return i == 4 ? vcpu_get(v, VREG_RSP) : *vcpu_gpr(v, i & 15);
}

void vcpu_gpr_write(struct vcpu *v, unsigned i, uint64_t val)
{
    if (i == 4)
        vcpu_set(v, VREG_RSP, val);
    else
        *vcpu_gpr(v, i & 15) = val;
}

/* Fault-class exceptions (SDM vol. 3, table 6-1): the CPU pushes RFLAGS with RF = 1 for them
 * (6.12.1, 17.3.1.1) so the restarted instruction does not hit its own instruction
 * breakpoint again; traps (#DB as a trap, #BP, #OF), NMI, #DF and #MC (aborts) push RF as
 * it was. A VM entry that injects an event pushes the guest's RFLAGS unchanged, so the
 * injector sets RF itself; the CPU clears it again on the way into the handler. */
bool vcpu_vector_is_fault(uint8_t vec)
{
    switch (vec) {
    case VEC_DE: case VEC_BR: case VEC_UD: case VEC_NM: case VEC_TS: case VEC_NP:
    case VEC_SS: case VEC_GP: case VEC_PF: case VEC_MF: case VEC_AC: case VEC_XM:
    case VEC_VE:
        return true;
    default:
        return false;
    }
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vec, bool has_error, uint32_t error)
{
    if (vcpu_vector_is_fault(vec))
        vcpu_set(v, VREG_RFLAGS, vcpu_get(v, VREG_RFLAGS) | RFLAGS_RF);
    vendor->inject_exception(v, vec, has_error, error);
}

static bool contributory(int vec)
{
    return vec == VEC_DE || vec == VEC_TS || vec == VEC_NP || vec == VEC_SS || vec == VEC_GP;
}

enum exit_action vcpu_reflect_exception(struct vcpu *v, uint8_t vec, bool has_error,
                                        uint32_t error)
{
    int first = v->exit.kind == VEXIT_EXCEPTION ? v->exit.exc.delivering : -1;
    if (first == VEC_DF) {
        guest_fault(v->guest, "triple fault: exception %u while delivering a double fault, "
                              "at rip %#lx", vec, v->exit.rip);
        return EXIT_STOP;
    }
    /* SDM vol. 3, table 6-5: two contributory faults, or a page fault and then a page fault
     * or a contributory fault, make a double fault. */
    if (first >= 0 && ((contributory(first) && contributory(vec)) ||
                       (first == VEC_PF && (vec == VEC_PF || contributory(vec))))) {
        vec = VEC_DF;
        has_error = true;
        error = 0;
    }
    vcpu_inject_exception(v, vec, has_error, error);
    return EXIT_RESUME;
}

void vcpu_set_tpr(struct vcpu *v)
{
    uint64_t class = v->tpr >> 4;
    write_cr8(class > CR8_MAX_GUEST ? CR8_MAX_GUEST : class);
}

int vcpu_setup(struct vcpu *v)
{
    v->nstep = 0;
    v->step_with_tf = false;
    v->tf_residue = false;
    v->tpr = 0;
    vcpu_set_tpr(v);
    msr_vcpu_reset(v);
    return vendor->vcpu_setup(v);
}

void vcpu_run(struct vcpu *v)
{
    struct guest *g = v->guest;
    this_cpu()->current_vcpu = v;
    for (;;) {
        /* An INIT from a sibling: leave for vcpu_main, which resets this vCPU and waits for
         * its SIPI (not in the middle of a single-step, which ends at the next exit). */
        if (g->state != GUEST_RUNNING || (apic_start_pending(v) && v->nstep == 0)) {
            this_cpu()->current_vcpu = NULL;
            return;
        }
        /* A cross-call posted by NMI (kernel/xcall.c): the hypervisor's request, served. */
        if (xcall_serve_posted())
            v->hv_interrupts++;
        v->kick = false;
        irq_disable();
        virq_before_entry(v);
        /* From here on another CPU that changed the guest's map waits for this one (which
         * it kicks with NMIs) until it has seen the change: in_guest first, then the check. */
        __atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
        uint64_t gen = __atomic_load_n(&g->ept_gen, __ATOMIC_SEQ_CST);
        if (v->ept_seen != gen) {
            vendor->flush_gpmap(v);
            __atomic_store_n(&v->ept_seen, gen, __ATOMIC_RELEASE);
        }
        if (v->kick || g->state != GUEST_RUNNING || xcall_posted()) {
            __atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
            irq_enable();
            continue;
        }
        int rc = vendor->vcpu_enter(v, &v->exit);
        __atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
        uint64_t t0 = rdtsc();
        if (rc) {
            this_cpu()->current_vcpu = NULL;
            return;                 /* the vendor reported why */
        }
        enum exit_action a = exit_dispatch(v, &v->exit);
        if (a == EXIT_RESUME)
            vendor->vcpu_after_exit(v, &v->exit);
        stats_record(&v->stats, v->exit.kind, v->exit.rip, rdtsc() - t0);
        /* Let interrupts the exit held back (hypervisor IPIs) reach our IDT. */
        irq_enable();
        if (a == EXIT_STOP) {
            this_cpu()->current_vcpu = NULL;
            return;
        }
    }
}
