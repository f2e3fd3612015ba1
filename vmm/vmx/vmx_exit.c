/* VMX exits in the common form (SDM vol. 3, ch. 28 and appendix C): the basic reason mapped
 * to an exit kind, the qualification and instruction information decoded; skipping the
 * exiting instruction; re-delivering an event the exit interrupted (SDM 27.2.4). */
#include "kernel/trap.h"
#include "vmm/vcpu.h"
#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_events.h"
#include "vmm/vmx/vmx_ops.h"
#include "vmm/vmx/vmx_vcpu.h"

/* VM-exit instruction information of LGDT..SIDT (SDM table 28-10) and LLDT..STR (28-11). */
#define II_SCALE(i)      ((i) & 3u)
#define II_REG1(i)       (((i) >> 3) & 15u)    /* LLDT..STR register operand */
#define II_ADDR_SIZE(i)  (((i) >> 7) & 7u)     /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
#define II_REG_FORM      (1u << 10)            /* LLDT..STR: register operand */
#define II_OPSIZE32      (1u << 11)
#define II_SEG(i)        (((i) >> 15) & 7u)
#define II_INDEX(i)      (((i) >> 18) & 15u)
#define II_INDEX_INVALID (1u << 22)
#define II_BASE(i)       (((i) >> 23) & 15u)
#define II_BASE_INVALID  (1u << 27)
#define II_IDENTITY(i)   (((i) >> 28) & 3u)
#define NP_ERR_EXT       (1u << 0)

static const uint8_t kind_of[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI] = VEXIT_EXCEPTION,
    [EXIT_REASON_EXTERNAL_INTERRUPT] = VEXIT_EXTINT,
    [EXIT_REASON_TRIPLE_FAULT] = VEXIT_SHUTDOWN,
    [EXIT_REASON_INTERRUPT_WINDOW] = VEXIT_INTR_WINDOW,
    [EXIT_REASON_CPUID] = VEXIT_CPUID,
    [EXIT_REASON_GETSEC] = VEXIT_UD,
    [EXIT_REASON_HLT] = VEXIT_HLT,
    [EXIT_REASON_INVD] = VEXIT_CACHE,
    [EXIT_REASON_RDPMC] = VEXIT_GP,
    [EXIT_REASON_VMCALL] = VEXIT_HYPERCALL,
    [EXIT_REASON_VMCLEAR] = VEXIT_UD,
    [EXIT_REASON_VMLAUNCH] = VEXIT_UD,
    [EXIT_REASON_VMPTRLD] = VEXIT_UD,
    [EXIT_REASON_VMPTRST] = VEXIT_UD,
    [EXIT_REASON_VMREAD] = VEXIT_UD,
    [EXIT_REASON_VMRESUME] = VEXIT_UD,
    [EXIT_REASON_VMWRITE] = VEXIT_UD,
    [EXIT_REASON_VMOFF] = VEXIT_UD,
    [EXIT_REASON_VMON] = VEXIT_UD,
    [EXIT_REASON_CR_ACCESS] = VEXIT_CR,
    [EXIT_REASON_IO_INSTRUCTION] = VEXIT_IO,
    [EXIT_REASON_MSR_READ] = VEXIT_MSR_READ,
    [EXIT_REASON_MSR_WRITE] = VEXIT_MSR_WRITE,
    [EXIT_REASON_MWAIT_INSTRUCTION] = VEXIT_UD,
    [EXIT_REASON_MONITOR_INSTRUCTION] = VEXIT_UD,
    [EXIT_REASON_MONITOR_TRAP_FLAG] = VEXIT_STEP,
    [EXIT_REASON_GDTR_IDTR] = VEXIT_DESC_TABLE,
    [EXIT_REASON_LDTR_TR] = VEXIT_SEG_TABLE,
    [EXIT_REASON_EPT_VIOLATION] = VEXIT_GPA,
    [EXIT_REASON_EPT_MISCONFIG] = VEXIT_GPA_MISCONFIG,
    [EXIT_REASON_INVEPT] = VEXIT_UD,
    [EXIT_REASON_INVVPID] = VEXIT_UD,
    [EXIT_REASON_WBINVD] = VEXIT_CACHE,
    [EXIT_REASON_XSETBV] = VEXIT_XSETBV,
    [EXIT_REASON_PREEMPTION_TIMER] = VEXIT_WATCHDOG,
};

static uint64_t reg_or_rsp(struct vcpu *v, unsigned n)
{
    return n == 4 ? vmcs_readl(GUEST_RSP) : *vcpu_gpr(v, n);
}

/* Linear address of the memory operand of LGDT..STR from the instruction information. */
static uint64_t operand_address(struct vcpu *v, uint32_t info)
{
    static const uint32_t seg_base[] = { GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
                                         GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE };
    uint64_t addr = vmcs_readl(EXIT_QUALIFICATION); /* the displacement */
    if (!(info & II_BASE_INVALID))
        addr += reg_or_rsp(v, II_BASE(info));
    if (!(info & II_INDEX_INVALID))
        addr += reg_or_rsp(v, II_INDEX(info)) << II_SCALE(info);
    if (II_ADDR_SIZE(info) == 0)
        addr &= 0xffff;
    else if (II_ADDR_SIZE(info) == 1)
        addr &= 0xffffffffull;
    if (II_SEG(info) < 6)
        addr += vmcs_read_checked(seg_base[II_SEG(info)], __func__);
    return addr;
}

void vmx_decode_exit(struct vcpu *v, uint32_t reason, struct vexit *e)
{
    uint32_t basic = reason & VMX_EXIT_REASON_BASIC_MASK;
    *e = (struct vexit){ .raw = reason, .rip = vmcs_readl(GUEST_RIP) };
    if (reason & VMX_EXIT_REASON_ENTRY_FAIL) {
        /* Invalid guest state, MSR loading, machine check during entry (SDM 27.8). */
        e->kind = VEXIT_ENTRY_FAILED;
        e->entry.qualification = vmcs_readl(EXIT_QUALIFICATION);
        return;
    }
    e->kind = basic < EXIT_REASON_MAX ? kind_of[basic] : VEXIT_OTHER;
    if (basic == EXIT_REASON_EXCEPTION_NMI || basic == EXIT_REASON_EXTERNAL_INTERRUPT ||
        basic == EXIT_REASON_TRIPLE_FAULT || basic == EXIT_REASON_INTERRUPT_WINDOW ||
        basic == EXIT_REASON_EPT_VIOLATION || basic == EXIT_REASON_EPT_MISCONFIG ||
        basic == EXIT_REASON_PREEMPTION_TIMER || basic == EXIT_REASON_MONITOR_TRAP_FLAG)
        e->insn_len = 0;
    else
        e->insn_len = (uint8_t)vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
    uint64_t q;
    uint32_t info;
    switch (e->kind) {
    case VEXIT_EXCEPTION:
        info = vmcs_read32(VM_EXIT_INTR_INFO);
        if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
            e->kind = VEXIT_NMI;
            break;
        }
        e->exc.vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
        e->exc.has_error = info & INTR_INFO_DELIVER_CODE;
        if (e->exc.has_error)
            e->exc.error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
        e->exc.hardware = (info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION;
        /* The EXT bit of the error code: raised while delivering an external event. */
        e->exc.hw_interrupt_delivery =
            (info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION && e->exc.has_error &&
            (e->exc.error & NP_ERR_EXT);
        if (e->exc.vector == VEC_DB || e->exc.vector == VEC_PF)
            e->exc.info = vmcs_readl(EXIT_QUALIFICATION);
        info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
        e->exc.delivering = (info & INTR_INFO_VALID) &&
                                    (info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION
                                ? (int16_t)(info & INTR_INFO_VECTOR_MASK) : -1;
        break;
    case VEXIT_IO:
        q = vmcs_readl(EXIT_QUALIFICATION);
        e->io.port = io_qual_port(q);
        e->io.size = (uint8_t)io_qual_size(q);
        e->io.in = q & IO_QUAL_IN;
        e->io.string = q & IO_QUAL_STRING;
        e->io.rep = q & IO_QUAL_REP;
        break;
    case VEXIT_GPA:
        q = vmcs_readl(EXIT_QUALIFICATION);
        e->gpa.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
        e->gpa.write = q & EPT_QUAL_WRITE;
        e->gpa.fetch = q & EPT_QUAL_FETCH;
        /* SDM 28.2.1, table 28-7: with a valid linear address, bit 8 clear means the access
         * was to a paging-structure entry of the guest's own walk. */
        e->gpa.walk = (q & EPT_QUAL_GLA_VALID) && !(q & EPT_QUAL_GLA_TRANSLATED);
        e->gpa.delivery = vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID;
        break;
    case VEXIT_GPA_MISCONFIG:
        e->gpa.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
        break;
    case VEXIT_CR:
        q = vmcs_readl(EXIT_QUALIFICATION);
        e->cr.cr = (uint8_t)cr_qual_cr(q);
        e->cr.gpr = (int8_t)cr_qual_gpr(q);
        switch (q & CR_QUAL_TYPE_MASK) {
        case CR_QUAL_TYPE_MOV_TO: e->cr.write = true; break;
        case CR_QUAL_TYPE_MOV_FROM: e->cr.write = false; break;
        default: e->kind = VEXIT_OTHER; break;  /* CLTS, LMSW: never asked for */
        }
        break;
    case VEXIT_DESC_TABLE:
    case VEXIT_SEG_TABLE:
        info = vmcs_read32(VMX_INSTRUCTION_INFO);
        /* Identity: SGDT SIDT LGDT LIDT, or SLDT STR LLDT LTR (0..3). */
        e->dt.store = II_IDENTITY(info) <= 1;
        if (e->kind == VEXIT_DESC_TABLE)
            e->dt.idt = II_IDENTITY(info) == 1 || II_IDENTITY(info) == 3;
        else
            e->dt.idt = II_IDENTITY(info) == 0 || II_IDENTITY(info) == 2; /* LDTR */
        e->dt.opsize32 = info & II_OPSIZE32;
        e->dt.has_mem = e->kind == VEXIT_DESC_TABLE || !(info & II_REG_FORM);
        e->dt.gpr = e->dt.has_mem ? -1 : (int8_t)II_REG1(info);
        if (e->dt.has_mem)
            e->dt.gla = operand_address(v, info);
        break;
    default:
        break;
    }
}

void vmx_skip(struct vcpu *v, const struct vexit *e)
{
    (void)v;
    vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + e->insn_len);
    /* The skipped instruction ends STI/MOV-SS blocking (SDM 25.4.2). */
    uint32_t intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
    if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
        vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
                     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* An exit that interrupted the delivery of an event (SDM 27.2.4): deliver it again, unless
 * the handler injected something else or the event was the hypervisor's own (ELI #NP path,
 * which exits as an exception). */
void vmx_after_exit(struct vcpu *v, const struct vexit *e)
{
    vmx_hlt_exiting_back(v);
    if (e->kind == VEXIT_ENTRY_FAILED)
        return;
    uint32_t vect = vmcs_read32(IDT_VECTORING_INFO_FIELD);
    if (!(vect & INTR_INFO_VALID) ||
        (e->raw & VMX_EXIT_REASON_BASIC_MASK) == EXIT_REASON_EXCEPTION_NMI ||
        (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID))
        return;
    vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, vect & ~INTR_INFO_NMI_UNBLOCK);
    if ((vect & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION &&
        vcpu_vector_is_fault((uint8_t)(vect & INTR_INFO_VECTOR_MASK)))
        vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | RFLAGS_RF);
    if (vect & INTR_INFO_DELIVER_CODE)
        vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
    vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

const char *vmx_exit_name(uint64_t raw)
{
    static const char *const names[] = {
        [0] = "exception/NMI", [1] = "external interrupt", [2] = "triple fault",
        [3] = "INIT", [4] = "SIPI", [7] = "interrupt window", [8] = "NMI window",
        [9] = "task switch", [10] = "CPUID", [11] = "GETSEC", [12] = "HLT", [13] = "INVD",
        [14] = "INVLPG", [15] = "RDPMC", [16] = "RDTSC", [18] = "VMCALL",
        [19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST",
        [23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF",
        [27] = "VMXON", [28] = "CR access", [29] = "DR access", [30] = "I/O instruction",
        [31] = "RDMSR", [32] = "WRMSR", [33] = "invalid guest state", [34] = "MSR loading",
        [36] = "MWAIT", [37] = "monitor trap flag", [39] = "MONITOR", [40] = "PAUSE",
        [41] = "machine check at entry", [43] = "TPR below threshold", [44] = "APIC access",
        [45] = "EOI induced", [46] = "GDTR/IDTR access", [47] = "LDTR/TR access",
        [48] = "EPT violation", [49] = "EPT misconfiguration", [50] = "INVEPT",
        [51] = "RDTSCP", [52] = "preemption timer", [53] = "INVVPID", [54] = "WBINVD",
        [55] = "XSETBV", [56] = "APIC write", [57] = "RDRAND", [58] = "INVPCID",
        [59] = "VMFUNC", [61] = "RDSEED", [63] = "XSAVES", [64] = "XRSTORS",
    };
    uint32_t basic = (uint32_t)raw & VMX_EXIT_REASON_BASIC_MASK;
    if (basic < sizeof(names) / sizeof(names[0]) && names[basic])
        return names[basic];
    return "other";
}
