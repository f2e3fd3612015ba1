/* CPUID feature bits the guest policy keeps or hides (SDM vol. 2, CPUID; AMD APM vol. 3,
 * appendix E), with why where it hides them. Private to vmm/cpuid_policy.c. */
#ifndef EXITLESS_VMM_CPUID_BITS_H
#define EXITLESS_VMM_CPUID_BITS_H

/* Leaf 1 (SDM vol. 2, CPUID, tables 3-10 and 3-11). */
#define L1_ECX_DTES64    (1u << 2)    /* debug store: perf only (PMU hidden) */
#define L1_ECX_MONITOR   (1u << 3)    /* MONITOR/MWAIT exit: #UD */
#define L1_ECX_DS_CPL    (1u << 4)
#define L1_ECX_VMX       (1u << 5)
#define L1_ECX_SMX       (1u << 6)
#define L1_ECX_EST       (1u << 7)    /* SpeedStep: IA32_PERF_CTL is the host's */
#define L1_ECX_TM2       (1u << 8)    /* thermal: the host's */
#define L1_ECX_SDBG      (1u << 11)   /* IA32_DEBUG_INTERFACE not served */
#define L1_ECX_XTPR      (1u << 14)   /* xTPR update control (MISC_ENABLE bit 23) */
#define L1_ECX_PDCM      (1u << 15)   /* IA32_PERF_CAPABILITIES not served */
#define L1_ECX_PCID      (1u << 17)
#define L1_ECX_DCA       (1u << 18)   /* direct cache access: the host's chipset */
#define L1_ECX_X2APIC    (1u << 21)
#define L1_ECX_XSAVE     (1u << 26)
#define L1_ECX_OSXSAVE   (1u << 27)
#define L1_ECX_HV        (1u << 31)
#define L1_EDX_VME       (1u << 1)
#define L1_EDX_DE        (1u << 2)
#define L1_EDX_PSE       (1u << 3)
#define L1_EDX_PAE       (1u << 6)
#define L1_EDX_MCE       (1u << 7)
#define L1_EDX_PGE       (1u << 13)
#define L1_EDX_PSN       (1u << 18)   /* leaf 3 is not served */
#define L1_EDX_DS        (1u << 21)   /* IA32_DS_AREA not served */
#define L1_EDX_ACPI      (1u << 22)   /* thermal monitor MSRs not served */
#define L1_EDX_FXSR      (1u << 24)
#define L1_EDX_SSE       (1u << 25)
#define L1_EDX_TM        (1u << 29)
#define L1_EDX_PBE       (1u << 31)

/* Leaf 7 subleaf 0. */
#define L7_EBX_FSGSBASE  (1u << 0)
#define L7_EBX_TSC_ADJ   (1u << 1)    /* IA32_TSC_ADJUST not served */
#define L7_EBX_SGX       (1u << 2)
#define L7_EBX_SMEP      (1u << 7)
#define L7_EBX_INVPCID   (1u << 10)
#define L7_EBX_RDT_M     (1u << 12)   /* resource monitoring MSRs not served */
#define L7_EBX_MPX       (1u << 14)
#define L7_EBX_RDT_A     (1u << 15)
#define L7_EBX_SMAP      (1u << 20)
#define L7_EBX_PT        (1u << 25)
#define L7_ECX_UMIP      (1u << 2)
#define L7_ECX_PKU       (1u << 3)
#define L7_ECX_OSPKE     (1u << 4)
#define L7_ECX_WAITPKG   (1u << 5)    /* IA32_UMWAIT_CONTROL not served */
#define L7_ECX_CET_SS    (1u << 7)    /* CET MSRs not served */
#define L7_ECX_TME       (1u << 13)   /* IA32_TME_* not served */
#define L7_ECX_LA57      (1u << 16)
#define L7_ECX_KL        (1u << 23)   /* Key Locker: CR4.KL, its MSRs */
#define L7_ECX_BUSLOCK   (1u << 24)   /* DEBUGCTL bit not served */
#define L7_ECX_ENQCMD    (1u << 29)   /* IA32_PASID not served */
#define L7_ECX_SGX_LC    (1u << 30)
#define L7_ECX_PKS       (1u << 31)
#define L7_EDX_UINTR     (1u << 5)
#define L7_EDX_SRBDS     (1u << 9)    /* IA32_MCU_OPT_CTRL not served */
#define L7_EDX_RTM_AA    (1u << 11)   /* RTM always abort: with TSX_FORCE_ABORT */
#define L7_EDX_TSX_FA    (1u << 13)   /* MSR_TSX_FORCE_ABORT not served */
#define L7_EDX_PCONFIG   (1u << 18)
#define L7_EDX_ARCH_LBR  (1u << 19)
#define L7_EDX_CET_IBT   (1u << 20)
#define L7_EDX_AMX_BF16  (1u << 22)
#define L7_EDX_AMX_TILE  (1u << 24)
#define L7_EDX_AMX_INT8  (1u << 25)
#define L7_EDX_IBRS      (1u << 26)   /* IA32_SPEC_CTRL / PRED_CMD not served */
#define L7_EDX_STIBP     (1u << 27)
#define L7_EDX_L1D_FLUSH (1u << 28)   /* IA32_FLUSH_CMD not served */
#define L7_EDX_ARCH_CAP  (1u << 29)   /* IA32_ARCH_CAPABILITIES not served */
#define L7_EDX_CORE_CAP  (1u << 30)   /* IA32_CORE_CAPABILITIES not served */
#define L7_EDX_SSBD      (1u << 31)
/* Leaf 7 subleaf 1 EAX: instructions only (no MSR, no CR4 bit): AVX-VNNI, AVX512-BF16, fast
 * zero-length MOVSB, fast short STOSB and CMPSB, AVX-IFMA. */
#define L7S1_EAX_KEEP ((1u << 4) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 23))

#define L6_EAX_ARAT      (1u << 2)    /* the LAPIC timer runs in every C-state a guest has */

/* Leaf 0xd subleaf 1 EAX: XSAVEOPT, XSAVEC, XGETBV with ECX = 1. Not XSAVES (IA32_XSS is not
 * served) nor XFD (IA32_XFD is not). */
#define LD1_EAX_KEEP     0x7u

/* Leaf 0x80000001 ECX (AMD APM vol. 3, E.4.2). */
#define E1_ECX_SVM       (1u << 2)
#define E1_ECX_EXTAPIC   (1u << 3)    /* extended xAPIC space: the guest has x2APIC only */
#define E1_ECX_OSVW      (1u << 9)    /* OSVW MSRs not served */
#define E1_ECX_IBS       (1u << 10)
#define E1_ECX_SKINIT    (1u << 12)
#define E1_ECX_WDT       (1u << 13)
#define E1_ECX_LWP       (1u << 15)
#define E1_ECX_TCE       (1u << 17)   /* EFER.TCE is not writable */
#define E1_ECX_NODEID    (1u << 19)   /* MSR_FAM10H_NODE_ID not served */
#define E1_ECX_TOPOEXT   (1u << 22)   /* leaves 0x8000001d/1e not served */
#define E1_ECX_PERFCORE  (1u << 23)
#define E1_ECX_PERFNB    (1u << 24)
#define E1_ECX_BPEXT     (1u << 26)   /* breakpoint address mask MSRs not served */
#define E1_ECX_PERFTSC   (1u << 27)
#define E1_ECX_PERFLLC   (1u << 28)
#define E1_ECX_MWAITX    (1u << 29)
#define E1_EDX_RDTSCP    (1u << 27)
#define E7_EDX_INVTSC    (1u << 8)    /* invariant TSC: true of the host, so of the guest */
/* Leaf 0x80000008 EBX: CLZERO, XSAVEERPTR, WBNOINVD and the "not affected" bits stay; the
 * speculation-control MSRs (SPEC_CTRL, PRED_CMD, VIRT_SPEC_CTRL), IRPERF (HWCR bit), RDPRU,
 * PPIN, CPPC are not served. */
#define E8_EBX_HIDE ((1u << 1) | (1u << 4) | (1u << 12) | (1u << 14) | (1u << 15) | \
                     (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19) | (1u << 23) | \
                     (1u << 24) | (1u << 25) | (1u << 27) | (1u << 28))
/* Leaf 0x80000021 EAX: no nested data breakpoints, LFENCE always serializing, null selector
 * clears base: behaviour, no MSR or EFER bit (AutoIBRS, bit 8, is EFER's). */
#define E21_EAX_KEEP ((1u << 0) | (1u << 2) | (1u << 6))

/* CR4 bits (SDM vol. 3, 2.5) a CPUID feature needs. */
#define CR4B(n) (1ull << (n))
#define CR4_VME_B CR4B(0)
#define CR4_PVI_B CR4B(1)
#define CR4_DE_B CR4B(3)
#define CR4_PSE_B CR4B(4)
#define CR4_PAE_B CR4B(5)
#define CR4_MCE_B CR4B(6)
#define CR4_PGE_B CR4B(7)
#define CR4_OSFXSR_B CR4B(9)
#define CR4_UMIP_B CR4B(11)
#define CR4_LA57_B CR4B(12)
#define CR4_FSGSBASE_B CR4B(16)
#define CR4_PCIDE_B CR4B(17)
#define CR4_OSXSAVE_B CR4B(18)
#define CR4_SMEP_B CR4B(20)
#define CR4_SMAP_B CR4B(21)
#define CR4_PKE_B CR4B(22)

#endif
