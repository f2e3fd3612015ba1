/* Single-stepping one guest instruction (SDM vol. 3, 26.5.2 monitor trap flag; 18.3.1.4
 * single-step on TF). */
#include "kernel/trap.h"
#include "vmm/eli.h"
#include "vmm/step.h"
#include "vmm/vmx_bits.h"
#include "vmm/vmx_ops.h"
#include "vmm/vpci.h"

#define RFLAGS_TF (1ull << 8)

void step_begin(struct vcpu *v, enum step_kind kind)
{
    v->step = kind;
    eli_set_intr_exiting(v, true);
    if (v->ctl->monitor_trap_flag) {
        v->step_with_tf = false;
        vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
                     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_MONITOR_TRAP_FLAG);
        return;
    }
    /* No MTF (Bochs 2.7): the trap flag makes the instruction end in a #DB, which exits
     * through the exception bitmap and is never delivered to the guest. */
    uint64_t rflags = vmcs_readl(GUEST_RFLAGS);
    v->step_with_tf = true;
    v->guest_tf = rflags & RFLAGS_TF;
    vmcs_writel(GUEST_RFLAGS, rflags | RFLAGS_TF);
    vmcs_write32(EXCEPTION_BITMAP, vmcs_read32(EXCEPTION_BITMAP) | (1u << VEC_DB));
}

enum exit_action handle_mtf(struct vcpu *v)
{
    if (v->step_with_tf) {
        uint64_t rflags = vmcs_readl(GUEST_RFLAGS);
        vmcs_writel(GUEST_RFLAGS, v->guest_tf ? rflags | RFLAGS_TF : rflags & ~RFLAGS_TF);
        vmcs_write32(EXCEPTION_BITMAP, vmcs_read32(EXCEPTION_BITMAP) & ~(1u << VEC_DB));
        v->step_with_tf = false;
    } else {
        vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
                     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MONITOR_TRAP_FLAG);
    }
    enum step_kind kind = v->step;
    v->step = STEP_NONE;
    switch (kind) {
    case STEP_IDT:
        eli_step_done(v);
        break;
    case STEP_MSIX:
        vpci_step_done(v);
        break;
    default:
        guest_fault(v->guest, "single-step exit with no step in progress");
        return EXIT_STOP;
    }
    if (v->guest->state != GUEST_RUNNING)
        return EXIT_STOP;
    /* Exitless guests with an IDT shadowed run with external-interrupt exiting off again. */
    eli_set_intr_exiting(v, v->guest->intr_mode != VMX_INTR_EXITLESS || !v->guest->eli.active);
    return EXIT_RESUME;
}
