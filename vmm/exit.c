/* Exit dispatch by exit kind and the small handlers, the same on every vendor: each takes
 * the facts the vendor decoded (v->exit) and guest state through vmm/vendor.h. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "kernel/xcall.h"
#include "vmm/exit.h"
#include "vmm/vpci/vpci_virtio_fn.h"
#include "vmm/vpci/vpci_virtio_notify.h"
#include "vmm/intr/apic_start.h"
#include "vmm/intr/eli.h"
#include "vmm/intr/step.h"
#include "vmm/intr/virq.h"
#include "vmm/stats.h"
#include "vmm/unbacked.h"
#include "vmm/vpci/vpci.h"

#define CR0_PG_BIT (1ull << 31)
#define CR4_PAE_BIT (1ull << 5)
#define EFER_LME_BIT (1ull << 8)
#define EFER_LMA_BIT (1ull << 10)
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_AVX512 (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM: all or none */
#define CR0_PE_BIT (1ull << 0)
#define CR0_NW_BIT (1ull << 29)
#define CR0_CD_BIT (1ull << 30)
#define CR8_RESERVED (~0xfull)

static enum exit_action guest_stopped_by(struct vcpu *v, const char *what)
{
    guest_fault(v->guest, "%s at rip %#lx (%s exit: %s)", what, v->exit.rip, vendor->name,
                vendor->exit_name(v->exit.raw));
    return EXIT_STOP;
}

static enum exit_action handle_shutdown(struct vcpu *v)
{
    guest_stopped_by(v, "triple fault");
    vendor->vcpu_dump(v);
    return EXIT_STOP;
}

static enum exit_action handle_external_interrupt(struct vcpu *v)
{
    (void)v; /* the run loop enables interrupts after the exit; our IDT takes it */
    return EXIT_RESUME;
}

static enum exit_action handle_nmi(struct vcpu *v)
{
    (void)v;
    /* NMIs belong to the hypervisor (kicks, panic stop): handle through our IDT, unless the
     * vendor leaves the NMI pending for the host across the exit (SVM, taken at STGI). */
    if (!vendor->nmi_reaches_host)
        __asm__ volatile("int $2");
    return EXIT_RESUME;
}

/* Every vCPU of g is parked or has not been started (it waits for a SIPI). */
static bool all_parked(struct guest *g)
{
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        const struct vcpu *o = &g->vcpus[i];
        if (!__atomic_load_n(&o->parked, __ATOMIC_SEQ_CST) &&
            __atomic_load_n(&o->init_sipi, __ATOMIC_SEQ_CST) != VCPU_WAIT_SIPI)
            return false;
    }
    return true;
}

/* HLT with interrupts disabled in a guest whose other CPUs its own OS starts (Linux): the
 * way an OS stops a CPU (before a power-off, on a panic). The vCPU parks here until an INIT
 * from a sibling or the end of the guest; when every vCPU is parked the guest has finished. */
static enum exit_action park(struct vcpu *v)
{
    struct guest *g = v->guest;
    __atomic_store_n(&v->parked, true, __ATOMIC_SEQ_CST);
    if (all_parked(g)) {
        guest_finish(g, 0, "every vCPU halted with interrupts disabled");
        __atomic_store_n(&v->parked, false, __ATOMIC_SEQ_CST);
        return EXIT_STOP;
    }
    irq_enable();
    while (g->state == GUEST_RUNNING && !apic_start_pending(v)) {
        v->kick = false;
        if (!xcall_serve_posted())
            __asm__ volatile("hlt"); /* woken by a kick NMI: a stop, an INIT, a cross-call */
    }
    irq_disable();
    __atomic_store_n(&v->parked, false, __ATOMIC_SEQ_CST);
    return EXIT_RESUME;
}

/* A guest that halts with interrupts disabled has finished (a test guest) or parks that
 * vCPU (an OS's, above); with them enabled it waits: exitless guests with an IDT in guest
 * mode (their own interrupts wake them without an exit), the others here until a kick. */
static enum exit_action handle_hlt(struct vcpu *v)
{
    if (!(vcpu_get(v, VREG_RFLAGS) & RFLAGS_IF)) {
        vcpu_skip_instruction(v);
        if (v->guest->entry.aps_wait_sipi)
            return park(v);
        guest_finish(v->guest, 0, "halted with interrupts disabled");
        return EXIT_STOP;
    }
    if (v->guest->intr_mode == INTR_EXITLESS && v->idt.loaded) {
        vendor->halt_in_guest(v, &v->exit);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    /* Tested with interrupts off, waited for with `sti; hlt`: the guest's interrupt that sets
     * v->kick (virq_raise) is taken only once the HLT began (STI's shadow) and ends it. With
     * the test under interrupts on, one landing between the test and the HLT was lost, and an
     * injected guest whose next interrupt depended on that one (a one-shot timer it re-arms
     * in its handler) slept for good. */
    while (!v->kick && v->guest->state == GUEST_RUNNING && !xcall_posted())
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    return EXIT_RESUME;
}

/* Virtualization instructions, GETSEC, MONITOR/MWAIT: the guest sees no such feature. */
static enum exit_action handle_ud(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_UD, false, 0);
    return EXIT_RESUME;
}

static enum exit_action handle_gp(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_GP, true, 0);
    return EXIT_RESUME;
}

/* WBINVD and INVD policy: neither runs. The cache is shared by every guest, so a flush
 * would spend the other guests' share (a guest flushing in a loop slows them all); INVD
 * would also drop their dirty lines. No guest needs one for coherence: its RAM is mapped
 * write-back and its devices' DMA is snooped. Each is counted in the exit statistics. (A
 * CPU without WBINVD exiting runs WBINVD in the guest: the boot log says so.) */
static enum exit_action handle_cache(struct vcpu *v)
{
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MOV to CR8 and from it: the guest's TPR is its own value; the physical one is capped below
 * the hypervisor's classes so no guest setting masks the hypervisor's interrupts. */
static enum exit_action handle_cr8(struct vcpu *v, bool write, unsigned gpr)
{
    if (!write) {
        vcpu_gpr_write(v, gpr, v->tpr >> 4);
    } else {
        uint64_t val = vcpu_gpr_read(v, gpr);
        if (val & CR8_RESERVED) {  /* SDM 2.5: reserved bits of CR8 #GP */
            vcpu_inject_exception(v, VEC_GP, true, 0);
            return EXIT_RESUME;
        }
        v->tpr = (uint8_t)(val << 4);
        vcpu_set_tpr(v);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MOV to CR0/CR4 (the bits the vendor watches), MOV to/from CR8; on vendors whose CR read
 * intercepts cannot tell the register apart, reads of CR0/CR3/CR4 too (answered from the
 * guest's state). The architectural checks come first (SDM 2.5, MOV CR): a value the CPU
 * would refuse gets the #GP it would have raised. */
static enum exit_action handle_cr(struct vcpu *v)
{
    const struct vexit *e = &v->exit;
    unsigned cr = e->cr.cr, gpr = (unsigned)e->cr.gpr & 15;
    if (cr == 8)
        return handle_cr8(v, e->cr.write, gpr);
    if (!e->cr.write) {
        static const enum vreg which[5] = { VREG_CR0, VREG_CR0, VREG_CR0, VREG_CR3, VREG_CR4 };
        if (cr > 4 || cr == 1)
            return guest_stopped_by(v, "unexpected control-register read");
        vcpu_gpr_write(v, gpr, cr == 2 ? v->regs.cr2 : vcpu_get(v, which[cr]));
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    }
    if (cr != 0 && cr != 4)
        return guest_stopped_by(v, "unexpected control-register write");
    uint64_t val = vcpu_gpr_read(v, gpr);
    uint64_t efer = vcpu_get(v, VREG_EFER);
    bool lma = efer & EFER_LMA_BIT;
    if (cr == 0) {
        if ((val >> 32) || ((val & CR0_PG_BIT) && !(val & CR0_PE_BIT)) ||
            ((val & CR0_NW_BIT) && !(val & CR0_CD_BIT)) ||
            ((val & CR0_PG_BIT) && (efer & EFER_LME_BIT) &&
             !(vcpu_get(v, VREG_CR4) & CR4_PAE_BIT))) {
            vcpu_inject_exception(v, VEC_GP, true, 0);
            return EXIT_RESUME;
        }
    } else {
        /* Virtualization is hidden: any bit this CPU does not let a guest have faults, as
         * on a CPU without it; so does clearing PAE in long mode. */
        if ((val & ~vendor->cr4_allowed()) || (lma && !(val & CR4_PAE_BIT))) {
            vcpu_inject_exception(v, VEC_GP, true, 0);
            return EXIT_RESUME;
        }
    }
    vendor->set_cr(v, cr, val);
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* XSETBV (SDM vol. 2, XSETBV; vol. 1, 13.3): #UD without the guest's CR4.OSXSAVE, #GP at
 * CPL > 0 or for a value the CPU would refuse; the host instruction then runs under a fixup
 * (the host has CR4.OSXSAVE on guest cores, set by the vendor's cpu_enable) and a fault it
 * takes becomes the guest's #GP. */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
    uint32_t index = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    if (!(vcpu_get(v, VREG_CR4) & CR4_OSXSAVE) || !(read_cr4() & CR4_OSXSAVE)) {
        vcpu_inject_exception(v, VEC_UD, false, 0);
        return EXIT_RESUME;
    }
    /* What CPUID.(0xd,0) offers the guest (vmm/cpuid.c), not all the host has. */
    uint64_t supported = cpuid_guest_xcr0_allowed();
    uint64_t avx512 = val & XCR0_AVX512;
    if (vcpu_guest_cpl(v) != 0 || index != 0 || !(val & XCR0_X87) || (val & ~supported) ||
        ((val & XCR0_AVX) && !(val & XCR0_SSE)) ||
        (avx512 && (avx512 != XCR0_AVX512 || !(val & XCR0_AVX))) || xsetbv_safe(index, val)) {
        vcpu_inject_exception(v, VEC_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* The watchdog: the guest ran a whole period without another exit. Nothing to do but let the
 * run loop look at the guest's state (a stop, a map invalidation, the end of a step). */
static enum exit_action handle_watchdog(struct vcpu *v)
{
    v->watchdog_exits++;
    return EXIT_RESUME;
}

/* Every guest RAM page is mapped; anything else reaching here is outside the guest, but
 * for writes to a shadowed page (ELI's IDT, an MSI-X table), a virtio function's registers
 * (vmm/vpci/vpci_virtio_mmio.c) and reads where it has nothing (vmm/unbacked.c: all ones). */
static enum exit_action handle_gpa(struct vcpu *v)
{
    const struct vexit *e = &v->exit;
    if (e->gpa.write && (eli_ept_write(v, e->gpa.gpa) || vpci_ept_write(v, e->gpa.gpa) ||
                         vpci_virtio_ept_write(v, e->gpa.gpa)))
        return EXIT_RESUME;
    switch (vpci_virtio_mmio(v)) {
    case UNBACKED_EMULATED: return EXIT_RESUME;
    case UNBACKED_STOPPED: return EXIT_STOP;
    case UNBACKED_NO: break;
    }
    switch (unbacked_read(v)) {
    case UNBACKED_EMULATED: return EXIT_RESUME;
    case UNBACKED_STOPPED: return EXIT_STOP;
    case UNBACKED_NO: break;
    }
    guest_fault(v->guest, "%s: %s of guest-physical %#lx outside its memory "
                          "(%lu MiB) at rip %#lx", vendor->exit_name(e->raw),
                e->gpa.fetch ? "fetch" : e->gpa.write ? "write" : "read", e->gpa.gpa,
                v->guest->mem_size >> 20, e->rip);
    return EXIT_STOP;
}

static enum exit_action handle_gpa_misconfig(struct vcpu *v)
{
    guest_fault(v->guest, "%s at guest-physical %#lx (hypervisor bug)",
                vendor->exit_name(v->exit.raw), v->exit.gpa.gpa);
    return EXIT_STOP;
}

static enum exit_action handle_exception(struct vcpu *v)
{
    const struct vexit *e = &v->exit;
    uint8_t vec = e->exc.vector;
    if ((vec == VEC_NP || vec == VEC_GP) && e->exc.hardware)
        return eli_handle_delivery_fault(v, vec);
    if (vec == VEC_DB && v->step_with_tf)
        return handle_mtf(v); /* the end of a single-stepped write */
    if (vec == VEC_UD && e->exc.hardware) {
        /* Intercepted by a vendor for an instruction of its own (SVM: VMCALL, the hypercall,
         * which the vendor reported as such): any other #UD is the guest's. */
        vcpu_inject_exception(v, VEC_UD, false, 0);
        return EXIT_RESUME;
    }
    if (vec == VEC_DB && e->exc.hardware) {
        if (!step_tf_residue(v)) /* the guest's own #DB (a trap flag it set) */
            vcpu_inject_exception(v, VEC_DB, false, 0);
        return EXIT_RESUME;
    }
    guest_fault(v->guest, "unexpected exception exit, vector %u", vec);
    return EXIT_STOP;
}

static enum exit_action handle_entry_failed(struct vcpu *v)
{
    /* Invalid guest state, MSR loading, machine check during entry. */
    guest_fault(v->guest, "VM entry failed: %s (%s exit %#lx, qualification %#lx)",
                vendor->exit_name(v->exit.raw), vendor->name, v->exit.raw,
                v->exit.entry.qualification);
    vendor->vcpu_dump(v);
    return EXIT_STOP;
}

static const exit_handler_t exit_handlers[VEXIT_KINDS] = {
    [VEXIT_EXCEPTION] = handle_exception,
    [VEXIT_NMI] = handle_nmi,
    [VEXIT_EXTINT] = handle_external_interrupt,
    [VEXIT_INTR_WINDOW] = handle_interrupt_window,
    [VEXIT_SHUTDOWN] = handle_shutdown,
    [VEXIT_CPUID] = handle_cpuid,
    [VEXIT_HLT] = handle_hlt,
    [VEXIT_HYPERCALL] = handle_vmcall,
    [VEXIT_IO] = handle_io,
    [VEXIT_MSR_READ] = handle_rdmsr,
    [VEXIT_MSR_WRITE] = handle_wrmsr,
    [VEXIT_CR] = handle_cr,
    [VEXIT_DESC_TABLE] = handle_desc_table,
    [VEXIT_SEG_TABLE] = handle_seg_table,
    [VEXIT_GPA] = handle_gpa,
    [VEXIT_GPA_MISCONFIG] = handle_gpa_misconfig,
    [VEXIT_XSETBV] = handle_xsetbv,
    [VEXIT_CACHE] = handle_cache,
    [VEXIT_UD] = handle_ud,
    [VEXIT_GP] = handle_gp,
    [VEXIT_WATCHDOG] = handle_watchdog,
    [VEXIT_STEP] = handle_mtf,
    [VEXIT_ENTRY_FAILED] = handle_entry_failed,
};

enum exit_action exit_dispatch(struct vcpu *v, const struct vexit *e)
{
    if (e->kind != VEXIT_ENTRY_FAILED)
        step_before_exit(v, e);
    exit_handler_t h = e->kind < VEXIT_KINDS ? exit_handlers[e->kind] : NULL;
    if (!h) {
        /* No silent default: an exit we did not ask for is reported in full. */
        guest_fault(v->guest, "unhandled exit: %s (%s reason %#lx)", vendor->exit_name(e->raw),
                    vendor->name, e->raw);
        vendor->vcpu_dump(v);
        return EXIT_STOP;
    }
    return h(v);
}
