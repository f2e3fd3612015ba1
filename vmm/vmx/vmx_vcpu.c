/* The VMX vCPU: VMCS setup (host state, guest entry state, controls), entry, guest state
 * access (SDM vol. 3, ch. 25-27). */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"
#include "vmm/cpuid_policy.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_ops.h"
#include "vmm/vmx/vmx_vcpu.h"

#define CR0_NE (1ull << 5)
#define CR0_ET (1ull << 4)
#define CR4_VMXE_BIT (1ull << 13)
#define CR4_PAE_BIT (1ull << 5)
#define EFER_LMA (1ull << 10)
#define PAT_DEFAULT 0x0007040600070406ull
#define RFLAGS_RESERVED1 (1ull << 1)
#define DR7_DEFAULT 0x400
/* The watchdog: a guest core leaves guest mode at least this often, whatever the guest
 * does, so a stop or an EPT invalidation never waits on the guest (NMIs come first; this
 * bounds the case where one was lost). */
#define WATCHDOG_US 100000u

/* Access rights (SDM 25.4.1): type | S | P | L/DB | G. */
#define AR_CODE64 (0xbu | VMX_AR_S | VMX_AR_P | VMX_AR_L | VMX_AR_G)
#define AR_CODE32 (0xbu | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_DATA   (0x3u | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_TSS64_BUSY 0xbu
#define AR_REAL_CODE (0xbu | VMX_AR_S | VMX_AR_P)   /* after INIT (SDM 9.1.1, table 9-1) */
#define AR_REAL_DATA (0x3u | VMX_AR_S | VMX_AR_P)
#define CR0_AFTER_INIT 0x60000010ull                 /* CD | NW | ET */
#define REAL_LIMIT 0xffffu
#define AR_TSS_PRESENT VMX_AR_P

extern char vmx_exit_entry[];
int vmx_enter(struct guest_regs *regs, int launched);

/* One VMX state block per possible vCPU; vCPU (guest g, index i) owns slot [g][i]. */
static struct vmx_vcpu vmx_vcpus[GUEST_MAX][GUEST_MAX_VCPUS];

/* Host state: this CPU's tables, as they are now (SDM 25.5). */
static void setup_host_state(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr, idtr;
    uint16_t tr;
    __asm__ volatile("sgdt %0; sidt %1; str %2" : "=m"(gdtr), "=m"(idtr), "=r"(tr));
    const uint64_t *gdt = (const uint64_t *)(uintptr_t)gdtr.base;
    uint64_t lo = gdt[tr >> 3], hi = gdt[(tr >> 3) + 1];
    uint64_t tr_base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);

    vmcs_writel(HOST_CR0, read_cr0());
    vmcs_writel(HOST_CR3, read_cr3());
    vmcs_writel(HOST_CR4, read_cr4());
    vmcs_write16(HOST_CS_SELECTOR, 0x08);
    vmcs_write16(HOST_SS_SELECTOR, 0x10);
    vmcs_write16(HOST_DS_SELECTOR, 0x10);
    vmcs_write16(HOST_ES_SELECTOR, 0x10);
    vmcs_write16(HOST_FS_SELECTOR, 0);
    vmcs_write16(HOST_GS_SELECTOR, 0);
    vmcs_write16(HOST_TR_SELECTOR, tr);
    vmcs_writel(HOST_FS_BASE, 0);
    vmcs_writel(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmcs_writel(HOST_TR_BASE, tr_base);
    vmcs_writel(HOST_GDTR_BASE, gdtr.base);
    vmcs_writel(HOST_IDTR_BASE, idtr.base);
    vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
    vmcs_writel(HOST_IA32_SYSENTER_ESP, 0);
    vmcs_writel(HOST_IA32_SYSENTER_EIP, 0);
    vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_EFER));
    vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_writel(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
}

static void set_segment(uint32_t sel_f, uint32_t base_f, uint32_t limit_f, uint32_t ar_f,
                        uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    vmcs_write_checked(sel_f, sel, __func__);
    vmcs_write_checked(base_f, base, __func__);
    vmcs_write_checked(limit_f, limit, __func__);
    vmcs_write_checked(ar_f, ar, __func__);
}

#define SEG(name, sel, base, limit, ar)                                                   \
    set_segment(GUEST_##name##_SELECTOR, GUEST_##name##_BASE, GUEST_##name##_LIMIT,     \
                GUEST_##name##_AR_BYTES, sel, base, limit, ar)

/* An AP started by a STARTUP IPI (v->start): real mode at the vector's page, the state
 * INIT leaves (SDM 9.1.1, table 9-1); unrestricted guest runs it. */
static void setup_sipi_segments(const struct vcpu *v)
{
    uint16_t sel = (uint16_t)(v->start.sipi_vector << 8);
    SEG(CS, sel, (uint64_t)sel << 4, REAL_LIMIT, AR_REAL_CODE);
    SEG(DS, 0, 0, REAL_LIMIT, AR_REAL_DATA);
    SEG(ES, 0, 0, REAL_LIMIT, AR_REAL_DATA);
    SEG(SS, 0, 0, REAL_LIMIT, AR_REAL_DATA);
    SEG(FS, 0, 0, REAL_LIMIT, AR_REAL_DATA);
    SEG(GS, 0, 0, REAL_LIMIT, AR_REAL_DATA);
    SEG(TR, 0, 0, REAL_LIMIT, AR_TSS64_BUSY | AR_TSS_PRESENT);
    SEG(LDTR, 0, 0, 0, VMX_AR_UNUSABLE);
    vmcs_writel(GUEST_GDTR_BASE, 0);
    vmcs_write32(GUEST_GDTR_LIMIT, REAL_LIMIT);
    vmcs_writel(GUEST_IDTR_BASE, 0);
    vmcs_write32(GUEST_IDTR_LIMIT, REAL_LIMIT);
    vmcs_writel(GUEST_RIP, 0);
    vmcs_writel(GUEST_RSP, 0);
}

/* Guest state as the loader decided, or as a SIPI starts it (SDM 25.4, checks in 27.3.1). */
static void setup_guest_state(struct vcpu *v, const struct vmx_caps *caps, bool first)
{
    const struct guest_entry *e = &v->guest->entry;
    bool sipi = v->start.mode == VCPU_START_SIPI;
    bool long_mode = !sipi && e->mode == BOOT_LONG64;
    uint64_t cr0 = sipi ? CR0_AFTER_INIT : CR0_PE | CR0_ET | CR0_NE | (long_mode ? CR0_PG : 0);
    uint64_t cr4 = long_mode ? CR4_PAE_BIT : 0;

    /* The guest sees CR0/CR4 as it wrote them; bits VMX pins are owned by the host. */
    uint64_t cr0_owned = (caps->cr0_fixed0 & ~(CR0_PE | CR0_PG)) | ~caps->cr0_fixed1;
    uint64_t cr4_owned = caps->cr4_fixed0 | ~caps->cr4_fixed1;
    vmcs_writel(CR0_GUEST_HOST_MASK, cr0_owned & 0xffffffffull);
    vmcs_writel(CR4_GUEST_HOST_MASK, cr4_owned & 0xffffffffull);
    vmcs_writel(CR0_READ_SHADOW, cr0);
    vmcs_writel(CR4_READ_SHADOW, cr4);
    vmcs_writel(GUEST_CR0, vmx_fixed_cr0(caps, cr0, true));
    vmcs_writel(GUEST_CR4, vmx_fixed_cr4(caps, cr4));
    vmcs_writel(GUEST_CR3, long_mode ? e->cr3 : 0);
    vmcs_write64(GUEST_IA32_EFER, long_mode ? (EFER_LME | EFER_LMA) : 0);
    vmcs_write64(GUEST_IA32_PAT, PAT_DEFAULT);
    vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
    vmcs_writel(GUEST_DR7, DR7_DEFAULT);

    uint32_t code_ar = long_mode ? AR_CODE64 : AR_CODE32;
    SEG(CS, e->cs, 0, 0xffffffff, code_ar);
    SEG(DS, e->ds, 0, 0xffffffff, AR_DATA);
    SEG(ES, e->ds, 0, 0xffffffff, AR_DATA);
    SEG(SS, e->ds, 0, 0xffffffff, AR_DATA);
    SEG(FS, e->ds, 0, 0xffffffff, AR_DATA);
    SEG(GS, e->ds, 0, 0xffffffff, AR_DATA);
    SEG(TR, 0, 0, 0x67, AR_TSS64_BUSY | AR_TSS_PRESENT);
    SEG(LDTR, 0, 0, 0, VMX_AR_UNUSABLE);
    vmcs_writel(GUEST_GDTR_BASE, e->gdt_base);
    vmcs_write32(GUEST_GDTR_LIMIT, e->gdt_limit);
    vmcs_writel(GUEST_IDTR_BASE, 0);
    vmcs_write32(GUEST_IDTR_LIMIT, 0);

    vmcs_writel(GUEST_RIP, e->rip);
    vmcs_writel(GUEST_RSP, e->rsp);
    if (sipi)
        setup_sipi_segments(v); /* over the entry's segments, tables, RIP and RSP */
    vmcs_writel(GUEST_RFLAGS, RFLAGS_RESERVED1);
    vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
    vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
    vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    vmcs_write64(VMCS_LINK_POINTER, ~0ull);
    vmcs_write32(GUEST_SYSENTER_CS, 0);
    vmcs_writel(GUEST_SYSENTER_ESP, 0);
    vmcs_writel(GUEST_SYSENTER_EIP, 0);

    memset(&v->regs, 0, sizeof(v->regs));
    if (first) {
        v->regs.rax = e->rax;
        v->regs.rbx = e->rbx;
        v->regs.rdi = e->rdi;
        v->regs.rsi = e->rsi;
    }
}

static void setup_controls(struct vcpu *v)
{
    const struct vmx_controls *c = vmx_of(v)->ctl;
    bool long_mode = v->start.mode == VCPU_START_ENTRY && v->guest->entry.mode == BOOT_LONG64;
    bool exitless = v->guest->intr_mode == INTR_EXITLESS;
    /* Exitless guests run with external-interrupt exiting off once their IDT is shadowed;
     * until the guest loads an IDT every interrupt exits as in injected mode. */
    vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
                 c->pin | (exitless && !v->idt.loaded ? PIN_BASED_EXT_INTR_MASK : 0));
    vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, c->proc);
    vmcs_write32(SECONDARY_VM_EXEC_CONTROL, c->proc2);
    vmcs_write32(VM_EXIT_CONTROLS, c->exit);
    vmcs_write32(VM_ENTRY_CONTROLS, c->entry | (long_mode ? VM_ENTRY_IA32E_MODE : 0));
    /* ELI: a vector the shadow IDT hides raises #NP, one past the guest's IDT limit #GP;
     * both exit. */
    vmcs_write32(EXCEPTION_BITMAP, exitless ? (1u << VEC_NP) | (1u << VEC_GP) : 0);
    vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
    vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
    vmcs_write32(CR3_TARGET_COUNT, 0);
    vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
    vmcs_write64(IO_BITMAP_A, v->guest->iopm_phys);
    vmcs_write64(IO_BITMAP_B, v->guest->iopm_phys + PAGE_SIZE);
    vmcs_write64(MSR_BITMAP, v->msrpm_phys);
    vmcs_write64(EPT_POINTER, v->guest->gpmap.root);
    vmcs_write64(TSC_OFFSET, 0);
    if (c->vpid)
        vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx_of(v)->vpid);
    if (c->preemption_timer) {
        uint64_t ticks = tsc_us_to_cycles(WATCHDOG_US) >> c->preemption_timer_shift;
        vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks);
    }
}

int vmx_vcpu_setup(struct vcpu *v)
{
    struct vmx_cpu *vc = vmx_this_cpu();
    if (!vc->on) {
        log_err("vcpu", "%s vCPU %u: CPU %u is not in VMX operation", v->guest->name, v->index,
                current_cpu_id());
        return -1;
    }
    if (!vc->mode_ok[v->guest->intr_mode]) {
        log_err("vcpu", "%s: %s", v->guest->name, vc->mode_err[v->guest->intr_mode]);
        return -1;
    }
    if (!v->hw) {
        struct vmx_vcpu *x = &vmx_vcpus[v->guest->id % GUEST_MAX][v->index];
        /* VPID 0 is the host's. */
        x->vpid = (uint16_t)(1 + (v->guest->id % GUEST_MAX) * GUEST_MAX_VCPUS + v->index);
        x->vmcs_phys = frames_alloc(1, PAGE_SIZE);
        if (x->vmcs_phys == FRAME_NONE) {
            log_err("vcpu", "%s: no memory for a VMCS", v->guest->name);
            return -1;
        }
        v->hw = x;
    }
    struct vmx_vcpu *x = vmx_of(v);
    x->ctl = &vc->ctl[v->guest->intr_mode];
    *(uint32_t *)phys_to_virt(x->vmcs_phys) = vmx_basic_revision(vc->caps.basic);
    if (vmx_clear(x->vmcs_phys) || vmx_ptrld(x->vmcs_phys))
        return -1;
    x->launched = false;
    if (vc->xsave && xsetbv_safe(0, 1)) /* XCR0: x87 only, as after reset */
        log_warn("vcpu", "%s: cannot reset XCR0 on CPU %u", v->guest->name, current_cpu_id());
    setup_controls(v);
    setup_host_state();
    setup_guest_state(v, &vc->caps, v->index == 0 && v->start.mode == VCPU_START_ENTRY);
    if (x->ctl->vpid && x->ctl->invvpid_single &&
        vmx_invvpid(INVVPID_SINGLE_CONTEXT, x->vpid, 0))
        return -1;
    if (vmx_invept(x->ctl->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT,
                   v->guest->gpmap.root))
        return -1;
    return 0;
}

void vmx_vcpu_dump(struct vcpu *v)
{
    const char *n = v->guest->name;
    log_err("vcpu", "%s: rip %#lx rsp %#lx rflags %#lx cr0 %#lx cr3 %#lx cr4 %#lx efer %#lx", n,
            vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_RSP), vmcs_readl(GUEST_RFLAGS),
            vmcs_readl(GUEST_CR0), vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_CR4),
            vmcs_read64(GUEST_IA32_EFER));
    log_err("vcpu", "%s: cs %#x/%#x ss %#x/%#x tr %#x/%#x gdtr %#lx/%#x idtr %#lx/%#x", n,
            vmcs_read16(GUEST_CS_SELECTOR), vmcs_read32(GUEST_CS_AR_BYTES),
            vmcs_read16(GUEST_SS_SELECTOR), vmcs_read32(GUEST_SS_AR_BYTES),
            vmcs_read16(GUEST_TR_SELECTOR), vmcs_read32(GUEST_TR_AR_BYTES),
            vmcs_readl(GUEST_GDTR_BASE), vmcs_read32(GUEST_GDTR_LIMIT),
            vmcs_readl(GUEST_IDTR_BASE), vmcs_read32(GUEST_IDTR_LIMIT));
    log_err("vcpu", "%s: exit reason %#x qualification %#lx intr info %#x vectoring %#x "
                    "gpa %#lx instr len %u", n, vmcs_read32(VM_EXIT_REASON),
            vmcs_readl(EXIT_QUALIFICATION), vmcs_read32(VM_EXIT_INTR_INFO),
            vmcs_read32(IDT_VECTORING_INFO_FIELD), vmcs_read64(GUEST_PHYSICAL_ADDRESS),
            vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
    log_err("vcpu", "%s: controls pin %#x proc %#x proc2 %#x exit %#x entry %#x", n,
            vmcs_read32(PIN_BASED_VM_EXEC_CONTROL), vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
            vmcs_read32(SECONDARY_VM_EXEC_CONTROL), vmcs_read32(VM_EXIT_CONTROLS),
            vmcs_read32(VM_ENTRY_CONTROLS));
}


int vmx_vcpu_enter(struct vcpu *v, struct vexit *e)
{
    struct vmx_vcpu *x = vmx_of(v);
    if (read_cr2() != v->regs.cr2)
        write_cr2(v->regs.cr2);
    int rc = vmx_enter(&v->regs, x->launched);
    v->regs.cr2 = read_cr2();
    if (rc) {
        uint32_t err = rc == 2 ? vmcs_read32(VM_INSTRUCTION_ERROR) : 0;
        guest_fault(v->guest, "VM entry failed: %s (VM-instruction error %u)",
                    rc == 1 ? "VMfailInvalid" : vmx_instruction_error_name(err), err);
        vmx_vcpu_dump(v);
        return -1;
    }
    x->launched = true;
    vmx_decode_exit(v, vmcs_read32(VM_EXIT_REASON), e);
    return 0;
}

/* Field of each register (natural width unless noted in vmx_get/vmx_set). */
static const uint32_t vreg_field[VREG_COUNT] = {
    [VREG_RIP] = GUEST_RIP, [VREG_RSP] = GUEST_RSP, [VREG_RFLAGS] = GUEST_RFLAGS,
    [VREG_CR0] = CR0_READ_SHADOW, [VREG_CR3] = GUEST_CR3, [VREG_CR4] = CR4_READ_SHADOW,
    [VREG_EFER] = GUEST_IA32_EFER,
    [VREG_GDTR_BASE] = GUEST_GDTR_BASE, [VREG_GDTR_LIMIT] = GUEST_GDTR_LIMIT,
    [VREG_IDTR_BASE] = GUEST_IDTR_BASE, [VREG_IDTR_LIMIT] = GUEST_IDTR_LIMIT,
    [VREG_ES_BASE] = GUEST_ES_BASE, [VREG_CS_BASE] = GUEST_CS_BASE,
    [VREG_SS_BASE] = GUEST_SS_BASE, [VREG_DS_BASE] = GUEST_DS_BASE,
    [VREG_FS_BASE] = GUEST_FS_BASE, [VREG_GS_BASE] = GUEST_GS_BASE,
    [VREG_TR_SEL] = GUEST_TR_SELECTOR, [VREG_LDTR_SEL] = GUEST_LDTR_SELECTOR,
};

uint64_t vmx_get(struct vcpu *v, enum vreg r)
{
    (void)v;
    switch (r) {
    case VREG_CPL:
        return (vmcs_read32(GUEST_SS_AR_BYTES) >> VMX_AR_DPL_SHIFT) & 3;
    case VREG_CS_LONG:
        return (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L) != 0;
    case VREG_CS_DB:
        return (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB) != 0;
    case VREG_CR0: {
        /* The guest's view: host-owned bits from the read shadow, the rest as they are. */
        uint64_t mask = vmcs_readl(CR0_GUEST_HOST_MASK);
        return (vmcs_readl(CR0_READ_SHADOW) & mask) | (vmcs_readl(GUEST_CR0) & ~mask);
    }
    case VREG_CR4: {
        uint64_t mask = vmcs_readl(CR4_GUEST_HOST_MASK);
        return (vmcs_readl(CR4_READ_SHADOW) & mask) | (vmcs_readl(GUEST_CR4) & ~mask);
    }
    case VREG_COUNT:
        break;
    default:
        return vmcs_read_checked(vreg_field[r], __func__);
    }
    panic("vmx: no guest register %d", r);
}

void vmx_set(struct vcpu *v, enum vreg r, uint64_t val)
{
    (void)v;
    if (r >= VREG_TR_SEL)
        panic("vmx: guest register %d is read only", r);
    if (r == VREG_CR0 || r == VREG_CR4) {
        vmx_set_cr(v, r == VREG_CR0 ? 0 : 4, val);
        return;
    }
    vmcs_write_checked(vreg_field[r], val, __func__);
}

/* The guest sees CR0/CR4 as it wrote them (read shadows); the CPU runs with the bits VMX
 * pins. Paging on with EFER.LME activates long mode (SDM vol. 3, 9.8.5), off leaves it. */
void vmx_set_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
    (void)v;
    const struct vmx_caps *caps = &vmx_this_cpu()->caps;
    if (cr == 4) {
        vmcs_writel(CR4_READ_SHADOW, val);
        vmcs_writel(GUEST_CR4, vmx_fixed_cr4(caps, val));
        return;
    }
    uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
    uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);
    if ((val & CR0_PG) && (efer & EFER_LME)) {
        efer |= EFER_LMA;
        entry |= VM_ENTRY_IA32E_MODE;
    } else if (!(val & CR0_PG)) {
        efer &= ~EFER_LMA;
        entry &= ~VM_ENTRY_IA32E_MODE;
    }
    vmcs_write64(GUEST_IA32_EFER, efer);
    vmcs_write32(VM_ENTRY_CONTROLS, entry);
    vmcs_writel(CR0_READ_SHADOW, val);
    vmcs_writel(GUEST_CR0, vmx_fixed_cr0(caps, val, true));
}

void vmx_load_sys_seg(struct vcpu *v, bool tr, uint16_t sel, uint64_t base, uint32_t limit,
                      uint16_t attr)
{
    (void)v;
    uint32_t ar = (attr & 0xffu) | ((uint32_t)(attr & 0xf00u) << 4);
    if (tr)
        SEG(TR, sel, base, limit, ar);
    else
        SEG(LDTR, sel, base, limit, sel & ~7u ? ar : VMX_AR_UNUSABLE);
}

uint64_t vmx_cr4_allowed(void)
{
    return vmx_this_cpu()->caps.cr4_fixed1 & ~CR4_VMXE;
}

/* RDTSCP and INVPCID #UD in a guest unless their secondary control is on (SDM vol. 3,
 * 25.6.2), which vmx_caps turns on wherever the CPU has it. */
uint32_t vmx_guest_insns(struct vcpu *v)
{
    const struct vmx_controls *c = &vmx_this_cpu()->ctl[v->guest->intr_mode];
    return (c->rdtscp ? CPUID_INSN_RDTSCP : 0) | (c->invpcid ? CPUID_INSN_INVPCID : 0);
}

void vmx_flush_gpmap(struct vcpu *v)
{
    if (vmx_invept(vmx_of(v)->ctl->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT,
                   v->guest->gpmap.root))
        guest_fault(v->guest, "INVEPT failed after a change to its EPT");
}
