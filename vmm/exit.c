/* Exit dispatch table and the small handlers (SDM vol. 3, ch. 28 and appendix C). */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/eli.h"
#include "vmm/step.h"
#include "vmm/exit.h"
#include "vmm/virq.h"
#include "vmm/vpci.h"
#include "vmm/vmx_bits.h"
#include "vmm/vmx_ops.h"
#include "vmm/stats.h"
#include "vmm/vmx.h"

#define CR0_PG_BIT (1ull << 31)
#define CR4_VMXE (1ull << 13)
#define CR4_PAE_BIT (1ull << 5)
#define EFER_LME_BIT (1ull << 8)
#define EFER_LMA_BIT (1ull << 10)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define CR0_PE_BIT (1ull << 0)
#define CR0_NW_BIT (1ull << 29)
#define CR0_CD_BIT (1ull << 30)
#define CR8_RESERVED (~0xfull)

static enum exit_action guest_stopped_by(struct vcpu *v, const char *what)
{
    guest_fault(v->guest, "%s at rip %#lx (qualification %#lx)", what, vmcs_readl(GUEST_RIP),
                vmcs_readl(EXIT_QUALIFICATION));
    return EXIT_STOP;
}

static enum exit_action handle_triple_fault(struct vcpu *v)
{
    return guest_stopped_by(v, "triple fault");
}

static enum exit_action handle_external_interrupt(struct vcpu *v)
{
    (void)v; /* the run loop enables interrupts after the exit; our IDT takes it */
    return EXIT_RESUME;
}

/* Conventional mode has no guest interrupt sources yet: a guest that halts with
 * interrupts disabled has finished; with them enabled it waits for a kick. */
static enum exit_action handle_hlt(struct vcpu *v)
{
    vcpu_skip_instruction();
    if (!(vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF)) {
        guest_finish(v->guest, 0, "halted with interrupts disabled");
        return EXIT_STOP;
    }
    if (v->guest->intr_mode == VMX_INTR_EXITLESS && v->idt.loaded) {
        /* Halt inside the guest: its own interrupts wake it without an exit. */
        vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
        return EXIT_RESUME;
    }
    irq_enable();
    while (!v->kick && v->guest->state == GUEST_RUNNING)
        __asm__ volatile("hlt");
    irq_disable();
    return EXIT_RESUME;
}

/* VMX instructions, GETSEC, MONITOR/MWAIT, RDPMC: the guest sees no such feature. */
static enum exit_action handle_ud(struct vcpu *v)
{
    (void)v;
    vcpu_inject_exception(VEC_UD, false, 0);
    return EXIT_RESUME;
}

static enum exit_action handle_gp(struct vcpu *v)
{
    (void)v;
    vcpu_inject_exception(VEC_GP, true, 0);
    return EXIT_RESUME;
}

/* WBINVD and INVD policy: neither runs. The cache is shared by every guest, so a flush
 * would spend the other guests' share (a guest flushing in a loop slows them all); INVD
 * would also drop their dirty lines. No guest needs one for coherence: its RAM is mapped
 * write-back through EPT and its devices' DMA is snooped. Each is counted in the exit
 * statistics. (A CPU without WBINVD exiting runs WBINVD in the guest: the boot log says so.) */
static enum exit_action handle_wbinvd(struct vcpu *v)
{
    (void)v;
    vcpu_skip_instruction();
    return EXIT_RESUME;
}

/* MOV to CR8 and from it: the guest's TPR is its own value; the physical one is capped below
 * the hypervisor's classes so no guest setting masks the hypervisor's interrupts. */
static enum exit_action handle_cr8(struct vcpu *v, uint64_t q, uint64_t *reg)
{
    if ((q & CR_QUAL_TYPE_MASK) == CR_QUAL_TYPE_MOV_FROM) {
        *reg = v->tpr >> 4;
    } else {
        if (*reg & CR8_RESERVED) {  /* SDM 2.5: reserved bits of CR8 #GP */
            vcpu_inject_exception(VEC_GP, true, 0);
            return EXIT_RESUME;
        }
        v->tpr = (uint8_t)(*reg << 4);
        vcpu_set_tpr(v);
    }
    vcpu_skip_instruction();
    return EXIT_RESUME;
}

/* MOV to CR0/CR4 touching host-owned bits (SDM 28.1.3, table 28-3), MOV to/from CR8. The
 * architectural checks come first (SDM 2.5, MOV CR): a value the CPU would refuse gets the
 * #GP it would have raised. */
static enum exit_action handle_cr(struct vcpu *v)
{
    uint64_t q = vmcs_readl(EXIT_QUALIFICATION);
    unsigned cr = cr_qual_cr(q);
    unsigned gpr = cr_qual_gpr(q);
    uint64_t rsp = vmcs_readl(GUEST_RSP);
    uint64_t *reg = gpr == 4 ? &rsp : vcpu_gpr(v, gpr);
    uint32_t type = q & CR_QUAL_TYPE_MASK;
    if (cr == 8 && (type == CR_QUAL_TYPE_MOV_TO || type == CR_QUAL_TYPE_MOV_FROM)) {
        enum exit_action a = handle_cr8(v, q, reg);
        if (gpr == 4)
            vmcs_writel(GUEST_RSP, rsp);
        return a;
    }
    if (type != CR_QUAL_TYPE_MOV_TO || (cr != 0 && cr != 4))
        return guest_stopped_by(v, "unexpected control-register access");
    uint64_t val = *reg;
    const struct vmx_caps *caps = &vmx_this_cpu()->caps;
    bool lma = vmcs_read64(GUEST_IA32_EFER) & EFER_LMA_BIT;
    if (cr == 0) {
        uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
        uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);
        if ((val >> 32) || ((val & CR0_PG_BIT) && !(val & CR0_PE_BIT)) ||
            ((val & CR0_NW_BIT) && !(val & CR0_CD_BIT)) ||
            ((val & CR0_PG_BIT) && (efer & EFER_LME_BIT) &&
             !(vmcs_readl(CR4_READ_SHADOW) & CR4_PAE_BIT))) {
            vcpu_inject_exception(VEC_GP, true, 0);
            return EXIT_RESUME;
        }
        /* Paging on with EFER.LME activates long mode (SDM vol. 3, 9.8.5). */
        if ((val & CR0_PG_BIT) && (efer & EFER_LME_BIT)) {
            efer |= EFER_LMA_BIT;
            entry |= VM_ENTRY_IA32E_MODE;
        } else if (!(val & CR0_PG_BIT)) {
            efer &= ~EFER_LMA_BIT;
            entry &= ~VM_ENTRY_IA32E_MODE;
        }
        vmcs_write64(GUEST_IA32_EFER, efer);
        vmcs_write32(VM_ENTRY_CONTROLS, entry);
        vmcs_writel(CR0_READ_SHADOW, val);
        vmcs_writel(GUEST_CR0, vmx_fixed_cr0(caps, val, true));
    } else {
        /* VMX is hidden: setting VMXE faults as on a CPU without it; so does any bit this
         * CPU does not have, and clearing PAE in long mode. */
        if ((val & CR4_VMXE) || (val & ~caps->cr4_fixed1) || (lma && !(val & CR4_PAE_BIT))) {
            vcpu_inject_exception(VEC_GP, true, 0);
            return EXIT_RESUME;
        }
        vmcs_writel(CR4_READ_SHADOW, val);
        vmcs_writel(GUEST_CR4, vmx_fixed_cr4(caps, val));
    }
    vcpu_skip_instruction();
    return EXIT_RESUME;
}

/* XSETBV (SDM vol. 2, XSETBV; vol. 1, 13.3): #UD without the guest's CR4.OSXSAVE, #GP at
 * CPL > 0 or for a value the CPU would refuse; the host instruction then runs under a fixup
 * (the host has CR4.OSXSAVE on guest cores, vmm/vmx.c) and a fault it takes becomes the
 * guest's #GP. */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
    uint32_t index = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    if (!(vmcs_readl(GUEST_CR4) & CR4_OSXSAVE) || !vmx_this_cpu()->xsave) {
        vcpu_inject_exception(VEC_UD, false, 0);
        return EXIT_RESUME;
    }
    struct cpuid_regs d = cpuid(0xd, 0);
    uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
    if (vcpu_guest_cpl() != 0 || index != 0 || !(val & XCR0_X87) || (val & ~supported) ||
        ((val & XCR0_AVX) && !(val & XCR0_SSE)) || xsetbv_safe(index, val)) {
        vcpu_inject_exception(VEC_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction();
    return EXIT_RESUME;
}

/* The watchdog: the guest ran a whole period without another exit. Nothing to do but let the
 * run loop look at the guest's state (a stop, an EPT invalidation, the end of a step). */
static enum exit_action handle_preemption_timer(struct vcpu *v)
{
    v->watchdog_exits++;
    return EXIT_RESUME;
}

/* Every guest RAM page is mapped; anything else reaching here is outside the guest, but
 * for writes to a shadowed IDT page (ELI). */
static enum exit_action handle_ept_violation(struct vcpu *v)
{
    uint64_t q = vmcs_readl(EXIT_QUALIFICATION);
    uint64_t gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
    if ((q & EPT_QUAL_WRITE) && (eli_ept_write(v, gpa) || vpci_ept_write(v, gpa)))
        return EXIT_RESUME;
    guest_fault(v->guest, "EPT violation: %s of guest-physical %#lx outside its memory "
                          "(%lu MiB) at rip %#lx",
                q & EPT_QUAL_FETCH ? "fetch" : q & EPT_QUAL_WRITE ? "write" : "read",
                vmcs_read64(GUEST_PHYSICAL_ADDRESS), v->guest->mem_size >> 20,
                vmcs_readl(GUEST_RIP));
    return EXIT_STOP;
}

static enum exit_action handle_ept_misconfig(struct vcpu *v)
{
    guest_fault(v->guest, "EPT misconfiguration at guest-physical %#lx (hypervisor bug)",
                vmcs_read64(GUEST_PHYSICAL_ADDRESS));
    return EXIT_STOP;
}

static enum exit_action handle_exception(struct vcpu *v)
{
    uint32_t info = vmcs_read32(VM_EXIT_INTR_INFO);
    uint32_t vec = info & INTR_INFO_VECTOR_MASK;
    bool hw = (info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION;
    if ((vec == VEC_NP || vec == VEC_GP) && hw)
        return eli_handle_delivery_fault(v, (uint8_t)vec);
    if (vec == VEC_DB && v->step_with_tf)
        return handle_mtf(v); /* the end of a single-stepped write */
    if (vec == VEC_DB && hw) {
        if (!step_tf_residue(v)) /* the guest's own #DB (a trap flag it set) */
            vcpu_inject_exception(VEC_DB, false, 0);
        return EXIT_RESUME;
    }
    if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
        /* NMIs belong to the hypervisor (panic stop): handle through our IDT. */
        __asm__ volatile("int $2");
        return EXIT_RESUME;
    }
    guest_fault(v->guest, "unexpected exception exit, vector %u", info & INTR_INFO_VECTOR_MASK);
    return EXIT_STOP;
}

static const exit_handler_t exit_handlers[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI] = handle_exception,
    [EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
    [EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
    [EXIT_REASON_INTERRUPT_WINDOW] = handle_interrupt_window,
    [EXIT_REASON_CPUID] = handle_cpuid,
    [EXIT_REASON_GETSEC] = handle_ud,
    [EXIT_REASON_HLT] = handle_hlt,
    [EXIT_REASON_INVD] = handle_wbinvd,
    [EXIT_REASON_RDPMC] = handle_gp,
    [EXIT_REASON_VMCALL] = handle_vmcall,
    [EXIT_REASON_VMCLEAR] = handle_ud,
    [EXIT_REASON_VMLAUNCH] = handle_ud,
    [EXIT_REASON_VMPTRLD] = handle_ud,
    [EXIT_REASON_VMPTRST] = handle_ud,
    [EXIT_REASON_VMREAD] = handle_ud,
    [EXIT_REASON_VMRESUME] = handle_ud,
    [EXIT_REASON_VMWRITE] = handle_ud,
    [EXIT_REASON_VMOFF] = handle_ud,
    [EXIT_REASON_VMON] = handle_ud,
    [EXIT_REASON_CR_ACCESS] = handle_cr,
    [EXIT_REASON_IO_INSTRUCTION] = handle_io,
    [EXIT_REASON_MSR_READ] = handle_rdmsr,
    [EXIT_REASON_MSR_WRITE] = handle_wrmsr,
    [EXIT_REASON_MWAIT_INSTRUCTION] = handle_ud,
    [EXIT_REASON_MONITOR_INSTRUCTION] = handle_ud,
    [EXIT_REASON_MONITOR_TRAP_FLAG] = handle_mtf,
    [EXIT_REASON_GDTR_IDTR] = handle_desc_table,
    [EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
    [EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
    [EXIT_REASON_INVEPT] = handle_ud,
    [EXIT_REASON_INVVPID] = handle_ud,
    [EXIT_REASON_WBINVD] = handle_wbinvd,
    [EXIT_REASON_XSETBV] = handle_xsetbv,
    [EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
};

enum exit_action exit_dispatch(struct vcpu *v, uint32_t exit_reason)
{
    uint32_t basic = exit_reason & VMX_EXIT_REASON_BASIC_MASK;
    if (exit_reason & VMX_EXIT_REASON_ENTRY_FAIL) {
        /* Invalid guest state, MSR loading, machine check during entry (SDM 27.8). */
        guest_fault(v->guest, "VM entry failed: %s (exit reason %#x, qualification %#lx)",
                    exit_reason_name(basic), exit_reason, vmcs_readl(EXIT_QUALIFICATION));
        vcpu_dump_vmcs(v);
        return EXIT_STOP;
    }
    step_before_exit(v, basic);
    exit_handler_t h = basic < EXIT_REASON_MAX ? exit_handlers[basic] : NULL;
    if (!h) {
        /* No silent default: an exit we did not ask for is reported in full. */
        guest_fault(v->guest, "unhandled exit: %s (reason %u)", exit_reason_name(basic), basic);
        vcpu_dump_vmcs(v);
        return EXIT_STOP;
    }
    return h(v);
}
