/* One SVM vCPU: the VMCB (APM vol. 2, 15.5), entry and exit, guest state, events, and the
 * vendor_ops table of the SVM backend.
 *
 * Decisions, in one place:
 *  - Interrupts. Injected guests and exitless guests without a shadowed IDT run with the INTR
 *    intercept on and V_INTR_MASKING = 1: the host's IF (1 around VMRUN) masks physical
 *    interrupts, so a hypervisor interrupt exits at once whatever the guest's IF. Exitless
 *    guests with their IDT shadowed run with both off (svm_intr_bits): the guest's IF masks
 *    physical interrupts, its vectors reach its IDT, the hypervisor's hit a not-present gate
 *    and exit as #NP. Guest interrupts are injected with EVENTINJ; the interrupt window is a
 *    V_IRQ (priority ignored) with the VINTR intercept.
 *  - TPR. CR8 reads and writes exit in both modes (v->tpr is the guest's TPR; the generic
 *    code caps the core's below the hypervisor's classes). With V_INTR_MASKING = 0 the
 *    guest's CR8 is the physical TPR, so a CR8 write that did not exit could mask the
 *    hypervisor. V_TPR is kept equal to v->tpr >> 4 for the V_INTR_MASKING = 1 case.
 *  - The hypervisor's control. SVM has no preemption timer: nothing maps to VEXIT_WATCHDOG.
 *    What bounds the time to the next exit is the NMI: intercepted always, sent by every
 *    stop, kick and gpmap invalidation (guest_mgr_kick); the guest cannot hold it off (CLGI,
 *    STGI, VMRUN, VMLOAD, VMSAVE, SKINIT exit and raise #UD; NMIs are never delivered to the
 *    guest, so it is never in an NMI handler). The NMI stays pending across the exit and is
 *    taken at STGI in svm_vmrun: the generic VEXIT_NMI handler must not run it again.
 *  - HLT. Intercepted; halt_in_guest (exitless, IF = 1) drops the intercept and re-enters at
 *    the HLT itself, so the guest halts in guest mode and its own interrupts wake it with no
 *    exit. The intercept comes back at the next exit of any kind. Consequence: a `cli; hlt`
 *    the guest runs before that next exit halts the core in guest mode until an NMI (a stop
 *    or a kick), instead of finishing the guest at once as "halted with interrupts
 *    disabled"; it is still stopped by its time limit or by the manager.
 *  - Single-step (ELI IDT writes): no monitor trap flag on SVM; the generic code uses
 *    RFLAGS.TF and the #DB intercept (intercept_exception). DR6 of a swallowed #DB is put
 *    back as it was before the step's entry.
 *  - ASID 1 on every core; TLB_CONTROL flushes it at the first VMRUN of a vCPU and after
 *    flush_gpmap. VMCB clean bits are always 0: every VMRUN reloads everything.
 *  - No NRIP save or decode assists (QEMU): lengths and operands come from vmm/insn.
 *  - EFER.SVME is forced on in the VMCB (VMRUN requires it) and hidden from the guest
 *    (VREG_EFER, and EFER accesses exit by the MSR policy).
 *  - PAT: the policy passes it through. On hardware with nested paging the guest's PAT
 *    accesses reach G_PAT, which VMRUN switches; QEMU TCG keeps one PAT for both, but memory
 *    types have no effect there. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "vmm/cpuid_policy.h"
#include "vmm/svm/npt.h"
#include "vmm/svm/svm.h"
#include "vmm/svm/svm_pm.h"
#include "vmm/vcpu.h"

#define CR0_ET_BIT (1ull << 4)
#define CR0_NE_BIT (1ull << 5)
#define CR4_PAE_BIT (1ull << 5)
#define EFER_LME_BIT (1ull << 8)
#define EFER_LMA_BIT (1ull << 10)
#define PAT_DEFAULT 0x0007040600070406ull
#define RFLAGS_RESERVED1 (1ull << 1)
#define DR6_DEFAULT 0xffff0ff0ull
#define DR7_DEFAULT 0x400ull

/* Segment attributes in the VMCB's packed form (APM table B-2): type | S | P | L/DB | G. */
#define ATTR_CODE64 (0xbu | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_L | SEG_ATTR_G)
#define ATTR_CODE32 (0xbu | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_DATA   (0x3u | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_TSS_BUSY (0xbu | SEG_ATTR_P)
#define ATTR_REAL_CODE (0xbu | SEG_ATTR_S | SEG_ATTR_P)   /* after INIT (APM 14.1.3) */
#define ATTR_REAL_DATA (0x3u | SEG_ATTR_S | SEG_ATTR_P)
#define CR0_AFTER_INIT 0x60000010ull                     /* CD | NW | ET */
#define REAL_LIMIT 0xffffu

/* The SVM half of every vCPU, by guest and vCPU index; VMCB pages are kept across restarts. */
static struct svm_vcpu pool[GUEST_MAX * GUEST_MAX_VCPUS];

static struct vmcb *vmcb_of(struct vcpu *v) { return svm_vcpu(v)->vmcb; }

static void seg(struct vmcb_seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint16_t attr)
{
    *s = (struct vmcb_seg){ .selector = sel, .attrib = attr, .limit = limit, .base = base };
}

static void setup_control(struct vcpu *v, struct svm_vcpu *s)
{
    struct vmcb_control *c = &s->vmcb->control;
    const struct svm_controls *k = s->ctl;
    struct guest *g = v->guest;
    c->intercept_cr_read = k->cr_read;
    c->intercept_cr_write = k->cr_write;
    c->intercept_exceptions = k->exceptions;
    c->intercept_misc1 = k->misc1;
    c->intercept_misc2 = k->misc2;
    c->int_ctl = k->int_ctl;
    /* Exitless guests take interrupts through their IDT only once it is shadowed; until the
     * guest loads one every interrupt exits as in injected mode. */
    svm_intr_bits(g->intr_mode != INTR_EXITLESS || !v->idt.loaded, &c->intercept_misc1,
                  &c->int_ctl);
    c->iopm_base_pa = g->iopm_phys;
    c->msrpm_base_pa = v->msrpm_phys;
    c->tsc_offset = 0;
    c->asid = SVM_GUEST_ASID;
    c->nested_ctl = NESTED_CTL_NP_ENABLE;
    c->nested_cr3 = g->gpmap.root;
    c->clean = k->clean;
}

/* An AP started by a STARTUP IPI (v->start): real mode at the vector's page, the state INIT
 * leaves; SVM runs real mode natively. */
static void setup_sipi_save(const struct vcpu *v, struct vmcb_save *s)
{
    uint16_t sel = (uint16_t)(v->start.sipi_vector << 8);
    s->cr0 = CR0_AFTER_INIT;
    s->cr4 = 0;
    s->cr3 = 0;
    s->efer = EFER_SVME;
    seg(&s->cs, sel, (uint64_t)sel << 4, REAL_LIMIT, ATTR_REAL_CODE);
    seg(&s->ds, 0, 0, REAL_LIMIT, ATTR_REAL_DATA);
    seg(&s->es, 0, 0, REAL_LIMIT, ATTR_REAL_DATA);
    seg(&s->ss, 0, 0, REAL_LIMIT, ATTR_REAL_DATA);
    seg(&s->fs, 0, 0, REAL_LIMIT, ATTR_REAL_DATA);
    seg(&s->gs, 0, 0, REAL_LIMIT, ATTR_REAL_DATA);
    seg(&s->tr, 0, 0, REAL_LIMIT, ATTR_TSS_BUSY);
    seg(&s->gdtr, 0, 0, REAL_LIMIT, 0);
    seg(&s->idtr, 0, 0, REAL_LIMIT, 0);
    s->rip = 0;
    s->rsp = 0;
}

/* Guest state as the loader decided, or as a SIPI starts it (the same machine state as on
 * VMX). */
static void setup_save(struct vcpu *v, struct vmcb_save *s)
{
    const struct guest_entry *e = &v->guest->entry;
    bool long_mode = e->mode == BOOT_LONG64;
    s->cr0 = CR0_PE | CR0_ET_BIT | CR0_NE_BIT | (long_mode ? CR0_PG : 0);
    s->cr4 = long_mode ? CR4_PAE_BIT : 0;
    s->cr3 = long_mode ? e->cr3 : 0;
    s->efer = EFER_SVME | (long_mode ? EFER_LME_BIT | EFER_LMA_BIT : 0);
    s->g_pat = PAT_DEFAULT;
    s->dbgctl = 0;
    s->dr6 = DR6_DEFAULT;
    s->dr7 = DR7_DEFAULT;
    seg(&s->cs, e->cs, 0, 0xffffffff, long_mode ? ATTR_CODE64 : ATTR_CODE32);
    seg(&s->ds, e->ds, 0, 0xffffffff, ATTR_DATA);
    seg(&s->es, e->ds, 0, 0xffffffff, ATTR_DATA);
    seg(&s->ss, e->ds, 0, 0xffffffff, ATTR_DATA);
    seg(&s->fs, e->ds, 0, 0xffffffff, ATTR_DATA);
    seg(&s->gs, e->ds, 0, 0xffffffff, ATTR_DATA);
    seg(&s->tr, 0, 0, 0x67, ATTR_TSS_BUSY);
    seg(&s->ldtr, 0, 0, 0, 0);
    seg(&s->gdtr, 0, e->gdt_base, e->gdt_limit, 0);
    seg(&s->idtr, 0, 0, 0, 0);
    s->cpl = 0;
    s->rip = e->rip;
    s->rsp = e->rsp;
    s->rflags = RFLAGS_RESERVED1;
    s->star = s->lstar = s->cstar = s->sfmask = s->kernel_gs_base = 0;
    s->sysenter_cs = s->sysenter_esp = s->sysenter_eip = 0;
    s->cr2 = 0;
    s->rax = 0;
    if (v->start.mode == VCPU_START_SIPI)
        setup_sipi_save(v, s); /* over the entry's state */
}

static int svm_vcpu_setup(struct vcpu *v)
{
    struct svm_cpu *p = svm_this_cpu();
    struct guest *g = v->guest;
    if (!p->on) {
        log_err("vcpu", "%s vCPU %u: CPU %u is not in SVM operation", g->name, v->index,
                current_cpu_id());
        return -1;
    }
    if (!p->mode_ok[g->intr_mode]) {
        log_err("vcpu", "%s: %s", g->name, p->mode_err[g->intr_mode]);
        return -1;
    }
    if (g->id >= GUEST_MAX || v->index >= GUEST_MAX_VCPUS)
        return -1;
    struct svm_vcpu *s = &pool[g->id * GUEST_MAX_VCPUS + v->index];
    if (!s->vmcb_phys) {
        s->vmcb_phys = frames_alloc(1, PAGE_SIZE);
        if (s->vmcb_phys == FRAME_NONE) {
            s->vmcb_phys = 0;
            log_err("vcpu", "%s: no memory for a VMCB", g->name);
            return -1;
        }
        s->vmcb = phys_to_virt(s->vmcb_phys);
    }
    memset(s->vmcb, 0, sizeof(*s->vmcb));
    s->ctl = &p->ctl[g->intr_mode];
    s->exc_extra = 0;
    s->hlt_in_guest = false;
    s->flush = true;            /* the ASID may hold another guest's translations */
    v->hw = s;
    if (p->xsave && xsetbv_safe(0, 1)) /* XCR0: x87 only, as after reset */
        log_warn("vcpu", "%s: cannot reset XCR0 on CPU %u", g->name, current_cpu_id());
    setup_control(v, s);
    setup_save(v, &s->vmcb->save);
    memset(&v->regs, 0, sizeof(v->regs));
    if (v->index == 0 && v->start.mode == VCPU_START_ENTRY) {
        v->regs.rax = g->entry.rax;
        v->regs.rbx = g->entry.rbx;
        v->regs.rdi = g->entry.rdi;
        v->regs.rsi = g->entry.rsi;
    }
    return 0;
}

static void svm_vcpu_dump(struct vcpu *v)
{
    const struct vmcb *vm = vmcb_of(v);
    const struct vmcb_save *s = &vm->save;
    const struct vmcb_control *c = &vm->control;
    const char *n = v->guest->name;
    log_err("vcpu", "%s: rip %#lx rsp %#lx rflags %#lx cr0 %#lx cr3 %#lx cr4 %#lx efer %#lx "
                    "cpl %u", n, s->rip, s->rsp, s->rflags, s->cr0, s->cr3, s->cr4, s->efer,
            s->cpl);
    log_err("vcpu", "%s: cs %#x/%#x ss %#x/%#x tr %#x/%#x gdtr %#lx/%#x idtr %#lx/%#x", n,
            s->cs.selector, s->cs.attrib, s->ss.selector, s->ss.attrib, s->tr.selector,
            s->tr.attrib, s->gdtr.base, s->gdtr.limit, s->idtr.base, s->idtr.limit);
    log_err("vcpu", "%s: exit %s (%#x) info1 %#lx info2 %#lx exitintinfo %#x/%#x eventinj "
                    "%#x/%#x", n, svm_exit_name(c->exit_code), c->exit_code, c->exit_info_1,
            c->exit_info_2, c->exit_int_info, c->exit_int_info_err, c->event_inj,
            c->event_inj_err);
    log_err("vcpu", "%s: intercepts cr %#x/%#x exc %#x misc %#x/%#x int_ctl %#x int_state %#x "
                    "asid %u ncr3 %#lx", n, c->intercept_cr_read, c->intercept_cr_write,
            c->intercept_exceptions, c->intercept_misc1, c->intercept_misc2, c->int_ctl,
            c->int_state, c->asid, c->nested_cr3);
}

static int svm_vcpu_enter(struct vcpu *v, struct vexit *e)
{
    struct svm_cpu *p = svm_this_cpu();
    struct svm_vcpu *s = svm_vcpu(v);
    struct vmcb *vm = s->vmcb;
    vm->save.rax = v->regs.rax;
    vm->save.cr2 = v->regs.cr2;
    vm->control.int_ctl = (vm->control.int_ctl & ~V_TPR_MASK) | ((v->tpr >> 4) & V_TPR_MASK);
    vm->control.tlb_control = s->flush ? s->ctl->tlb_flush : TLB_CONTROL_DO_NOTHING;
    vm->control.clean = s->ctl->clean;
    /* The checks VMRUN makes, made first: a failure names the field (a failed VMRUN also
     * overwrites parts of the state area on QEMU, so the dump after it would mislead). */
    const char *bad = svm_vmcb_check(vm, &p->check);
    if (bad) {
        guest_fault(v->guest, "VMRUN would fail its consistency checks (APM 15.5.1): %s", bad);
        svm_vcpu_dump(v);
        return -1;
    }
    s->dr6_before = vm->save.dr6;
    svm_vmrun(s->vmcb_phys, &v->regs, p->host_area_phys);
    v->regs.rax = vm->save.rax;
    v->regs.cr2 = vm->save.cr2;
    vm->control.tlb_control = TLB_CONTROL_DO_NOTHING;
    if (s->hlt_in_guest) {
        vm->control.intercept_misc1 |= INTERCEPT1_HLT;
        s->hlt_in_guest = false;
    }
    if (vm->control.exit_code == SVM_EXIT_INVALID) {
        guest_fault(v->guest, "VMRUN failed (VMEXIT_INVALID) on a VMCB that passed the "
                              "APM 15.5.1 checks");
        svm_vcpu_dump(v);
        return -1;
    }
    s->flush = false;
    s->exit_int_state = vm->control.int_state;
    /* Delivered, or recorded in EXITINTINFO (re-injected by vcpu_after_exit). */
    vm->control.event_inj = 0;
    memset(e, 0, sizeof(*e));
    svm_decode_exit(v, e);
    return 0;
}

/* An exit that interrupted the delivery of an event: deliver it again (svm_reinject says
 * when), unless the handler injected another. */
static void svm_vcpu_after_exit(struct vcpu *v, const struct vexit *e)
{
    struct svm_vcpu *s = svm_vcpu(v);
    struct vmcb_control *c = &s->vmcb->control;
    uint32_t ii = c->exit_int_info;
    c->exit_int_info = 0;
    bool injected = c->event_inj & EVENT_VALID;
    if (e->kind == VEXIT_EXCEPTION && e->exc.vector == VEC_DB && !injected)
        s->vmcb->save.dr6 = s->dr6_before; /* a #DB the hypervisor kept (a step's end) */
    uint32_t again = injected ? 0 : svm_reinject(ii, e->kind == VEXIT_EXCEPTION);
    if (again) {
        c->event_inj = again;
        c->event_inj_err = again & EVENT_EV ? c->exit_int_info_err : 0;
        if (event_type(again) == EVENT_TYPE_EXCEPTION &&
            vcpu_vector_is_fault((uint8_t)(again & EVENT_VECTOR_MASK)))
            s->vmcb->save.rflags |= RFLAGS_RF;
    }
}

static uint64_t svm_get(struct vcpu *v, enum vreg r)
{
    const struct vmcb_save *s = &vmcb_of(v)->save;
    switch (r) {
    case VREG_RIP: return s->rip;
    case VREG_RSP: return s->rsp;
    case VREG_RFLAGS: return s->rflags;
    case VREG_CR0: return s->cr0;
    case VREG_CR3: return s->cr3;
    case VREG_CR4: return s->cr4;
    case VREG_EFER: return s->efer & ~EFER_SVME;
    case VREG_GDTR_BASE: return s->gdtr.base;
    case VREG_GDTR_LIMIT: return s->gdtr.limit;
    case VREG_IDTR_BASE: return s->idtr.base;
    case VREG_IDTR_LIMIT: return s->idtr.limit;
    case VREG_ES_BASE: return s->es.base;
    case VREG_CS_BASE: return s->cs.base;
    case VREG_SS_BASE: return s->ss.base;
    case VREG_DS_BASE: return s->ds.base;
    case VREG_FS_BASE: return s->fs.base;
    case VREG_GS_BASE: return s->gs.base;
    case VREG_TR_SEL: return s->tr.selector;
    case VREG_LDTR_SEL: return s->ldtr.selector;
    case VREG_CPL: return s->cpl & 3;
    case VREG_CS_LONG: return (s->efer & EFER_LMA_BIT) && (s->cs.attrib & SEG_ATTR_L);
    case VREG_CS_DB: return (s->cs.attrib & SEG_ATTR_DB) != 0;
    case VREG_COUNT: break;
    }
    return 0;
}

static void svm_set_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
    struct vmcb_save *s = &vmcb_of(v)->save;
    if (cr == 0) {
        /* Paging on with EFER.LME activates long mode, off leaves it (APM 14.6). */
        if ((val & CR0_PG) && (s->efer & EFER_LME_BIT))
            s->efer |= EFER_LMA_BIT;
        else if (!(val & CR0_PG))
            s->efer &= ~EFER_LMA_BIT;
        s->cr0 = val;
    } else if (cr == 3) {
        s->cr3 = val;
    } else if (cr == 4) {
        s->cr4 = val;
    } else {
        log_err("svm", "%s: set_cr(%u) is not a control register the backend keeps",
                v->guest->name, cr);
    }
}

static void svm_set(struct vcpu *v, enum vreg r, uint64_t x)
{
    struct vmcb_save *s = &vmcb_of(v)->save;
    switch (r) {
    case VREG_RIP: s->rip = x; break;
    case VREG_RSP: s->rsp = x; break;
    case VREG_RFLAGS: s->rflags = x | RFLAGS_RESERVED1; break;
    case VREG_CR0: svm_set_cr(v, 0, x); break;
    case VREG_CR3: s->cr3 = x; break;
    case VREG_CR4: s->cr4 = x; break;
    case VREG_EFER: s->efer = x | EFER_SVME; break;
    case VREG_GDTR_BASE: s->gdtr.base = x; break;
    case VREG_GDTR_LIMIT: s->gdtr.limit = (uint32_t)x; break;
    case VREG_IDTR_BASE: s->idtr.base = x; break;
    case VREG_IDTR_LIMIT: s->idtr.limit = (uint32_t)x; break;
    case VREG_ES_BASE: s->es.base = x; break;
    case VREG_CS_BASE: s->cs.base = x; break;
    case VREG_SS_BASE: s->ss.base = x; break;
    case VREG_DS_BASE: s->ds.base = x; break;
    case VREG_FS_BASE: s->fs.base = x; break;
    case VREG_GS_BASE: s->gs.base = x; break;
    case VREG_TR_SEL:
    case VREG_LDTR_SEL:
    case VREG_CPL:
    case VREG_CS_LONG:
    case VREG_CS_DB:
    case VREG_COUNT:
        log_err("svm", "%s: register %d is read-only", v->guest->name, (int)r);
        break;
    }
}

static void svm_load_sys_seg(struct vcpu *v, bool tr, uint16_t sel, uint64_t base,
                             uint32_t limit, uint16_t attr)
{
    struct vmcb_seg *seg = tr ? &vmcb_of(v)->save.tr : &vmcb_of(v)->save.ldtr;
    seg->selector = sel;
    seg->base = base;
    seg->limit = limit;
    seg->attrib = attr; /* the VMCB keeps segments in this very format */
}

static uint64_t svm_cr4_allowed(void)
{
    return svm_this_cpu()->caps.cr4_allowed;
}

/* Neither RDTSCP nor INVPCID is intercepted: the guest runs them as the CPU has them. */
static uint32_t svm_guest_insns(struct vcpu *v)
{
    (void)v;
    return CPUID_INSN_RDTSCP | CPUID_INSN_INVPCID;
}

static void svm_skip(struct vcpu *v, const struct vexit *e)
{
    struct vmcb *vm = vmcb_of(v);
    unsigned len = e->insn_len;
    if (!len) {
        struct insn in;
        if (svm_decode_rip(v, &in)) {
            guest_fault(v->guest, "cannot decode the instruction at rip %#lx to skip it",
                        vm->save.rip);
            return;
        }
        len = in.len;
    }
    uint64_t rip = vm->save.rip + len;
    vm->save.rip = svm_get(v, VREG_CS_LONG) ? rip : rip & 0xffffffffull;
    /* The skipped instruction ends an STI/MOV SS interrupt shadow. */
    vm->control.int_state &= ~SVM_INTERRUPT_SHADOW;
}

static void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    struct vmcb_control *c = &vmcb_of(v)->control;
    c->event_inj = vector | EVENT_TYPE_EXCEPTION | (has_error ? EVENT_EV : 0) | EVENT_VALID;
    c->event_inj_err = has_error ? error : 0;
}

static bool svm_event_pending(struct vcpu *v)
{
    return vmcb_of(v)->control.event_inj & EVENT_VALID;
}

static bool svm_irq_window_open(struct vcpu *v)
{
    const struct vmcb *vm = vmcb_of(v);
    return (vm->save.rflags & RFLAGS_IF) && !(vm->control.int_state & SVM_INTERRUPT_SHADOW);
}

/* No HLT activity state to leave on SVM: a halted guest's exit has RIP past the HLT. */
static void svm_inject_irq(struct vcpu *v, uint8_t vector)
{
    struct vmcb_control *c = &vmcb_of(v)->control;
    c->event_inj = vector | EVENT_TYPE_INTR | EVENT_VALID;
    c->event_inj_err = 0;
}

/* A virtual interrupt pending at any priority: VINTR exits as soon as the guest could take
 * it (IF set, no shadow), before it is taken (APM 15.21.4). */
static void svm_irq_window_exit(struct vcpu *v, bool on)
{
    struct vmcb_control *c = &vmcb_of(v)->control;
    if (on) {
        c->int_ctl |= V_IRQ | V_IGN_TPR;
        c->int_vector = 0;
        c->intercept_misc1 |= INTERCEPT1_VINTR;
    } else {
        c->int_ctl &= ~(V_IRQ | V_IGN_TPR);
        c->intercept_misc1 &= ~INTERCEPT1_VINTR;
    }
}

static void svm_intr_exiting(struct vcpu *v, bool on)
{
    struct vmcb_control *c = &vmcb_of(v)->control;
    svm_intr_bits(on, &c->intercept_misc1, &c->int_ctl);
}

/* The guest runs the HLT itself: RIP back at it (in case the handler skipped it) and the
 * interrupt shadow as the exit found it, so an `sti; hlt` cannot take its wake-up interrupt
 * before the HLT and then sleep. */
static void svm_halt_in_guest(struct vcpu *v, const struct vexit *e)
{
    struct svm_vcpu *s = svm_vcpu(v);
    s->vmcb->save.rip = e->rip;
    s->vmcb->control.int_state = s->exit_int_state;
    s->vmcb->control.intercept_misc1 &= ~INTERCEPT1_HLT;
    s->hlt_in_guest = true;
}

static void svm_intercept_exception(struct vcpu *v, uint8_t vector, bool on)
{
    struct svm_vcpu *s = svm_vcpu(v);
    if (vector >= 32)
        return;
    s->exc_extra = on ? s->exc_extra | (1u << vector) : s->exc_extra & ~(1u << vector);
    s->vmcb->control.intercept_exceptions = s->ctl->exceptions | s->exc_extra;
}

static bool svm_has_mtf(struct vcpu *v)
{
    (void)v;
    return false;
}

static void svm_mtf(struct vcpu *v, bool on)
{
    struct svm_vcpu *s = svm_vcpu(v);
    if (on && !s->mtf_warned++)
        log_err("svm", "%s: monitor trap flag requested: SVM has none (step with RFLAGS.TF)",
                v->guest->name);
}

static void svm_flush_gpmap(struct vcpu *v)
{
    svm_vcpu(v)->flush = true; /* TLB_CONTROL at the next VMRUN, which is next */
}

const struct vendor_ops svm_vendor_ops = {
    .name = "SVM",
    .nmi_reaches_host = true,
    .cpu_enable = svm_cpu_enable,
    .vcpu_setup = svm_vcpu_setup,
    .vcpu_enter = svm_vcpu_enter,
    .vcpu_after_exit = svm_vcpu_after_exit,
    .vcpu_dump = svm_vcpu_dump,
    .get = svm_get,
    .set = svm_set,
    .set_cr = svm_set_cr,
    .load_sys_seg = svm_load_sys_seg,
    .cr4_allowed = svm_cr4_allowed,
    .guest_insns = svm_guest_insns,
    .skip = svm_skip,
    .inject_exception = svm_inject_exception,
    .event_pending = svm_event_pending,
    .irq_window_open = svm_irq_window_open,
    .inject_irq = svm_inject_irq,
    .irq_window_exit = svm_irq_window_exit,
    .intr_exiting = svm_intr_exiting,
    .halt_in_guest = svm_halt_in_guest,
    .intercept_exception = svm_intercept_exception,
    .has_mtf = svm_has_mtf,
    .mtf = svm_mtf,
    .gpmap_format = &pt_format_npt,
    .gpmap_root = npt_root,
    .flush_gpmap = svm_flush_gpmap,
    .msrpm_pages = SVM_MSRPM_PAGES,
    .iopm_pages = SVM_IOPM_PAGES,
    .msrpm_build = svm_msrpm_build,
    .msrpm_trap_write = svm_msrpm_trap_write,
    .iopm_build = svm_iopm_build,
    .exit_name = svm_exit_name,
};
