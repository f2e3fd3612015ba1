/* VMX control bits, exit reasons and related constants (SDM vol. 3, ch. 25-28, appendix A/C). */
#ifndef EXITLESS_VMM_VMX_BITS_H
#define EXITLESS_VMM_VMX_BITS_H

/* Pin-based controls (SDM 25.6.1). */
#define PIN_BASED_EXT_INTR_MASK        (1u << 0)
#define PIN_BASED_NMI_EXITING          (1u << 3)
#define PIN_BASED_VIRTUAL_NMIS         (1u << 5)
#define PIN_BASED_VMX_PREEMPTION_TIMER (1u << 6)
#define PIN_BASED_POSTED_INTR          (1u << 7)

/* Primary processor-based controls (SDM 25.6.2). */
#define CPU_BASED_INTR_WINDOW_EXITING  (1u << 2)
#define CPU_BASED_USE_TSC_OFFSETTING   (1u << 3)
#define CPU_BASED_HLT_EXITING          (1u << 7)
#define CPU_BASED_INVLPG_EXITING       (1u << 9)
#define CPU_BASED_MWAIT_EXITING        (1u << 10)
#define CPU_BASED_RDPMC_EXITING        (1u << 11)
#define CPU_BASED_RDTSC_EXITING        (1u << 12)
#define CPU_BASED_CR3_LOAD_EXITING     (1u << 15)
#define CPU_BASED_CR3_STORE_EXITING    (1u << 16)
#define CPU_BASED_CR8_LOAD_EXITING     (1u << 19)
#define CPU_BASED_CR8_STORE_EXITING    (1u << 20)
#define CPU_BASED_TPR_SHADOW           (1u << 21)
#define CPU_BASED_NMI_WINDOW_EXITING   (1u << 22)
#define CPU_BASED_MOV_DR_EXITING       (1u << 23)
#define CPU_BASED_UNCOND_IO_EXITING    (1u << 24)
#define CPU_BASED_USE_IO_BITMAPS       (1u << 25)
#define CPU_BASED_MONITOR_TRAP_FLAG    (1u << 27)
#define CPU_BASED_USE_MSR_BITMAPS      (1u << 28)
#define CPU_BASED_MONITOR_EXITING      (1u << 29)
#define CPU_BASED_PAUSE_EXITING        (1u << 30)
#define CPU_BASED_ACTIVATE_SECONDARY_CONTROLS (1u << 31)

/* Secondary processor-based controls (SDM 25.6.2). */
#define SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES (1u << 0)
#define SECONDARY_EXEC_ENABLE_EPT      (1u << 1)
#define SECONDARY_EXEC_DESC            (1u << 2)
#define SECONDARY_EXEC_ENABLE_RDTSCP   (1u << 3)
#define SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE (1u << 4)
#define SECONDARY_EXEC_ENABLE_VPID     (1u << 5)
#define SECONDARY_EXEC_WBINVD_EXITING  (1u << 6)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST (1u << 7)
#define SECONDARY_EXEC_APIC_REGISTER_VIRT (1u << 8)
#define SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY (1u << 9)
#define SECONDARY_EXEC_PAUSE_LOOP_EXITING (1u << 10)
#define SECONDARY_EXEC_ENABLE_INVPCID  (1u << 12)
#define SECONDARY_EXEC_XSAVES          (1u << 20)

/* VM-exit controls (SDM 25.7.1). */
#define VM_EXIT_SAVE_DEBUG_CONTROLS    (1u << 2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE   (1u << 9)
#define VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 12)
#define VM_EXIT_ACK_INTR_ON_EXIT       (1u << 15)
#define VM_EXIT_SAVE_IA32_PAT          (1u << 18)
#define VM_EXIT_LOAD_IA32_PAT          (1u << 19)
#define VM_EXIT_SAVE_IA32_EFER         (1u << 20)
#define VM_EXIT_LOAD_IA32_EFER         (1u << 21)
#define VM_EXIT_SAVE_VMX_PREEMPTION_TIMER (1u << 22)

/* VM-entry controls (SDM 25.8.1). */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS   (1u << 2)
#define VM_ENTRY_IA32E_MODE            (1u << 9)
#define VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL (1u << 13)
#define VM_ENTRY_LOAD_IA32_PAT         (1u << 14)
#define VM_ENTRY_LOAD_IA32_EFER        (1u << 15)

/* IA32_VMX_BASIC (SDM A.1). */
#define VMX_BASIC_REVISION_MASK        0x7fffffffull
#define VMX_BASIC_VMCS_SIZE_SHIFT      32
#define VMX_BASIC_VMCS_SIZE_MASK       0x1fffull
#define VMX_BASIC_MEM_TYPE_SHIFT       50
#define VMX_BASIC_MEM_TYPE_MASK        0xfull
#define VMX_BASIC_MEM_TYPE_WB          6ull
#define VMX_BASIC_TRUE_CTLS            (1ull << 55)
#define vmx_basic_revision(b)  ((uint32_t)((b) & VMX_BASIC_REVISION_MASK))
#define vmx_basic_vmcs_size(b) ((uint32_t)(((b) >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK))
#define vmx_basic_mem_type(b)  ((uint32_t)(((b) >> VMX_BASIC_MEM_TYPE_SHIFT) & VMX_BASIC_MEM_TYPE_MASK))

/* IA32_VMX_EPT_VPID_CAP (SDM A.10). */
#define VMX_EPT_EXECUTE_ONLY           (1ull << 0)
#define VMX_EPT_PAGE_WALK_4            (1ull << 6)
#define VMX_EPT_MEMTYPE_WB             (1ull << 14)
#define VMX_EPT_2MB_PAGE               (1ull << 16)
#define VMX_EPT_1GB_PAGE               (1ull << 17)
#define VMX_EPT_INVEPT                 (1ull << 20)
#define VMX_EPT_AD_BITS                (1ull << 21)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT  (1ull << 25)
#define VMX_EPT_INVEPT_ALL_CONTEXT     (1ull << 26)
#define VMX_VPID_INVVPID               (1ull << 32)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT (1ull << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT   (1ull << 42)

/* IA32_VMX_MISC (SDM A.6). */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1full
#define VMX_MISC_ACTIVITY_HLT          (1ull << 6)
#define VMX_MISC_UNRESTRICTED_LMA      (1ull << 5)

/* Basic exit reasons (SDM appendix C). */
enum vmx_exit_reason {
    EXIT_REASON_EXCEPTION_NMI = 0,
    EXIT_REASON_EXTERNAL_INTERRUPT = 1,
    EXIT_REASON_TRIPLE_FAULT = 2,
    EXIT_REASON_INIT_SIGNAL = 3,
    EXIT_REASON_SIPI_SIGNAL = 4,
    EXIT_REASON_INTERRUPT_WINDOW = 7,
    EXIT_REASON_NMI_WINDOW = 8,
    EXIT_REASON_TASK_SWITCH = 9,
    EXIT_REASON_CPUID = 10,
    EXIT_REASON_GETSEC = 11,
    EXIT_REASON_HLT = 12,
    EXIT_REASON_INVD = 13,
    EXIT_REASON_INVLPG = 14,
    EXIT_REASON_RDPMC = 15,
    EXIT_REASON_RDTSC = 16,
    EXIT_REASON_RSM = 17,
    EXIT_REASON_VMCALL = 18,
    EXIT_REASON_VMCLEAR = 19,
    EXIT_REASON_VMLAUNCH = 20,
    EXIT_REASON_VMPTRLD = 21,
    EXIT_REASON_VMPTRST = 22,
    EXIT_REASON_VMREAD = 23,
    EXIT_REASON_VMRESUME = 24,
    EXIT_REASON_VMWRITE = 25,
    EXIT_REASON_VMOFF = 26,
    EXIT_REASON_VMON = 27,
    EXIT_REASON_CR_ACCESS = 28,
    EXIT_REASON_DR_ACCESS = 29,
    EXIT_REASON_IO_INSTRUCTION = 30,
    EXIT_REASON_MSR_READ = 31,
    EXIT_REASON_MSR_WRITE = 32,
    EXIT_REASON_INVALID_STATE = 33,
    EXIT_REASON_MSR_LOAD_FAIL = 34,
    EXIT_REASON_MWAIT_INSTRUCTION = 36,
    EXIT_REASON_MONITOR_TRAP_FLAG = 37,
    EXIT_REASON_MONITOR_INSTRUCTION = 39,
    EXIT_REASON_PAUSE_INSTRUCTION = 40,
    EXIT_REASON_MCE_DURING_VMENTRY = 41,
    EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
    EXIT_REASON_APIC_ACCESS = 44,
    EXIT_REASON_EOI_INDUCED = 45,
    EXIT_REASON_GDTR_IDTR = 46,
    EXIT_REASON_LDTR_TR = 47,
    EXIT_REASON_EPT_VIOLATION = 48,
    EXIT_REASON_EPT_MISCONFIG = 49,
    EXIT_REASON_INVEPT = 50,
    EXIT_REASON_RDTSCP = 51,
    EXIT_REASON_PREEMPTION_TIMER = 52,
    EXIT_REASON_INVVPID = 53,
    EXIT_REASON_WBINVD = 54,
    EXIT_REASON_XSETBV = 55,
    EXIT_REASON_APIC_WRITE = 56,
    EXIT_REASON_RDRAND = 57,
    EXIT_REASON_INVPCID = 58,
    EXIT_REASON_VMFUNC = 59,
    EXIT_REASON_RDSEED = 61,
    EXIT_REASON_XSAVES = 63,
    EXIT_REASON_XRSTORS = 64,
    EXIT_REASON_MAX = 65,
};
#define VMX_EXIT_REASON_BASIC_MASK 0xffffu
#define VMX_EXIT_REASON_ENTRY_FAIL (1u << 31)

/* VM-entry / exit interruption information (SDM 25.8.3, 26.9.2). */
#define INTR_INFO_VECTOR_MASK   0xffu
#define INTR_INFO_TYPE_SHIFT    8
#define INTR_INFO_TYPE_MASK     (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR      (0u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_NMI           (2u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_HARD_EXCEPTION (3u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SOFT_INTR     (4u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_SOFT_EXCEPTION (6u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_DELIVER_CODE  (1u << 11)
#define INTR_INFO_NMI_UNBLOCK   (1u << 12)
#define INTR_INFO_VALID         (1u << 31)

/* Guest interruptibility state (SDM 25.4.2). */
#define GUEST_INTR_STATE_STI    (1u << 0)
#define GUEST_INTR_STATE_MOV_SS (1u << 1)
#define GUEST_INTR_STATE_NMI    (1u << 3)

/* Guest activity states. */
#define GUEST_ACTIVITY_ACTIVE   0
#define GUEST_ACTIVITY_HLT      1

/* Segment access rights in the VMCS format (SDM 25.4.1). */
#define VMX_AR_TYPE_MASK        0x0fu
#define VMX_AR_S                (1u << 4)
#define VMX_AR_DPL_SHIFT        5
#define VMX_AR_P                (1u << 7)
#define VMX_AR_L                (1u << 13)
#define VMX_AR_DB               (1u << 14)
#define VMX_AR_G                (1u << 15)
#define VMX_AR_UNUSABLE         (1u << 16)

/* Exit qualification of I/O instructions (SDM table 28-5). */
#define IO_QUAL_SIZE_MASK       0x7u     /* size - 1 */
#define IO_QUAL_IN              (1u << 3)
#define IO_QUAL_STRING          (1u << 4)
#define IO_QUAL_REP             (1u << 5)
#define IO_QUAL_PORT_SHIFT      16
#define io_qual_port(q)   ((uint16_t)((q) >> IO_QUAL_PORT_SHIFT))
#define io_qual_size(q)   ((unsigned)((q) & IO_QUAL_SIZE_MASK) + 1)

/* Exit qualification of control-register accesses (SDM table 28-3). */
#define CR_QUAL_CR_MASK         0xfu
#define CR_QUAL_TYPE_SHIFT      4
#define CR_QUAL_TYPE_MASK       (3u << CR_QUAL_TYPE_SHIFT)
#define CR_QUAL_TYPE_MOV_TO     (0u << CR_QUAL_TYPE_SHIFT)
#define CR_QUAL_TYPE_MOV_FROM   (1u << CR_QUAL_TYPE_SHIFT)
#define CR_QUAL_TYPE_CLTS       (2u << CR_QUAL_TYPE_SHIFT)
#define CR_QUAL_TYPE_LMSW       (3u << CR_QUAL_TYPE_SHIFT)
#define CR_QUAL_GPR_SHIFT       8
#define CR_QUAL_GPR_MASK        (0xfu << CR_QUAL_GPR_SHIFT)
#define cr_qual_cr(q)   ((unsigned)((q) & CR_QUAL_CR_MASK))
#define cr_qual_gpr(q)  ((unsigned)(((q) & CR_QUAL_GPR_MASK) >> CR_QUAL_GPR_SHIFT))

/* Exit qualification of EPT violations (SDM table 28-7). */
#define EPT_QUAL_READ           (1u << 0)
#define EPT_QUAL_WRITE          (1u << 1)
#define EPT_QUAL_FETCH          (1u << 2)
#define EPT_QUAL_GLA_VALID      (1u << 7)
#define EPT_QUAL_GLA_TRANSLATED (1u << 8)

/* INVEPT / INVVPID types. */
#define INVEPT_SINGLE_CONTEXT   1
#define INVEPT_ALL_CONTEXT      2
#define INVVPID_SINGLE_CONTEXT  1
#define INVVPID_ALL_CONTEXT     2

#endif
