/* VMX event injection, interrupt windows and the interrupt, exception and single-step
 * controls the generic code switches (SDM vol. 3, 26.6, 25.6.2, 26.5.2). On the vCPU's CPU
 * with its VMCS current. */
#include "kernel/trap.h"
#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_ops.h"
#include "vmm/vmx/vmx_vcpu.h"
#include "vmm/vmx/vmx_events.h"

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    (void)v;
    uint32_t info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID |
                    (has_error ? INTR_INFO_DELIVER_CODE : 0);
    vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
    if (has_error)
        vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
    /* A fault ends any single-step trap the exit had pending (LIDT's #PF). */
    if (vector != VEC_DB)
        vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

bool vmx_event_pending(struct vcpu *v)
{
    (void)v;
    return vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID;
}

bool vmx_irq_window_open(struct vcpu *v)
{
    (void)v;
    return (vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) &&
           !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
             (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

void vmx_inject_irq(struct vcpu *v, uint8_t vector)
{
    (void)v;
    vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, (uint32_t)vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID);
    /* A halted guest wakes to take it. */
    if (vmcs_read32(GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_HLT)
        vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
}

static void proc_bit(uint32_t bit, bool on)
{
    uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
    uint32_t want = on ? proc | bit : proc & ~bit;
    if (want != proc)
        vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
}

void vmx_irq_window_exit(struct vcpu *v, bool on)
{
    (void)v;
    proc_bit(CPU_BASED_INTR_WINDOW_EXITING, on);
}

void vmx_intr_exiting(struct vcpu *v, bool on)
{
    (void)v;
    uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL);
    pin = on ? pin | PIN_BASED_EXT_INTR_MASK : pin & ~PIN_BASED_EXT_INTR_MASK;
    vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
}

/* Past the HLT, and out of the STI shadow of an `sti; hlt` (the HLT activity state admits no
 * STI or MOV-SS blocking, SDM 26.3.1.5): the guest waits in the HLT activity state, and the
 * interrupt that wakes it returns past the HLT, as on hardware. HLT exiting goes off until
 * the next exit of any kind (vmx_after_exit puts it back), so the guest's following HLTs
 * halt in guest mode without an exit, as SVM's backend does: an idle guest wakes on its own
 * interrupts and sleeps again without the hypervisor. The hypervisor keeps control: NMIs
 * exit, and so does the preemption-timer watchdog. Consequence: a `cli; hlt` the guest runs
 * before that next exit halts the core in guest mode until an NMI (a stop or a kick) or the
 * watchdog, instead of ending the guest at once as "halted with interrupts disabled". */
void vmx_halt_in_guest(struct vcpu *v, const struct vexit *e)
{
    vmx_skip(v, e);
    vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
    if (!vmx_of(v)->ctl->hlt_exiting_optional)
        return;
    proc_bit(CPU_BASED_HLT_EXITING, false);
    vmx_of(v)->hlt_in_guest = true;
}

void vmx_hlt_exiting_back(struct vcpu *v)
{
    if (!vmx_of(v)->hlt_in_guest)
        return;
    proc_bit(CPU_BASED_HLT_EXITING, true);
    vmx_of(v)->hlt_in_guest = false;
}

void vmx_intercept_exception(struct vcpu *v, uint8_t vector, bool on)
{
    (void)v;
    uint32_t bm = vmcs_read32(EXCEPTION_BITMAP);
    vmcs_write32(EXCEPTION_BITMAP, on ? bm | (1u << vector) : bm & ~(1u << vector));
}

bool vmx_has_mtf(struct vcpu *v)
{
    return vmx_of(v)->ctl->monitor_trap_flag;
}

void vmx_mtf(struct vcpu *v, bool on)
{
    (void)v;
    proc_bit(CPU_BASED_MONITOR_TRAP_FLAG, on);
}
