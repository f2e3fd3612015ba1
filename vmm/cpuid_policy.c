/* The guest's CPUID feature leaves (pure): which leaves it is served, which feature bits it
 * keeps. Topology and frequency leaves are in vmm/cpuid_topo.c. */
#include <string.h>

#include "vmm/cpuid_policy.h"
#include "vmm/cpuid_policy_priv.h"

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

/* Each feature whose use needs a CR4 bit: hidden when the guest may not set that bit. */
struct cr4_feature {
    uint32_t leaf;
    uint8_t reg;                /* 0 EAX .. 3 EDX */
    uint32_t bit;
    uint64_t cr4;
};
static const struct cr4_feature cr4_features[] = {
    { 1, 3, L1_EDX_VME, CR4_VME_B | CR4_PVI_B }, { 1, 3, L1_EDX_DE, CR4_DE_B },
    { 1, 3, L1_EDX_PSE, CR4_PSE_B }, { 1, 3, L1_EDX_PAE, CR4_PAE_B },
    { 1, 3, L1_EDX_MCE, CR4_MCE_B }, { 1, 3, L1_EDX_PGE, CR4_PGE_B },
    { 1, 3, L1_EDX_FXSR, CR4_OSFXSR_B }, { 1, 2, L1_ECX_PCID, CR4_PCIDE_B },
    { 1, 2, L1_ECX_XSAVE, CR4_OSXSAVE_B },
    { 7, 1, L7_EBX_FSGSBASE, CR4_FSGSBASE_B }, { 7, 1, L7_EBX_SMEP, CR4_SMEP_B },
    { 7, 1, L7_EBX_SMAP, CR4_SMAP_B }, { 7, 2, L7_ECX_UMIP, CR4_UMIP_B },
    { 7, 2, L7_ECX_PKU, CR4_PKE_B }, { 7, 2, L7_ECX_LA57, CR4_LA57_B },
};

static uint32_t *reg_of(struct cpuid_regs *r, unsigned i)
{
    uint32_t *regs[4] = { &r->eax, &r->ebx, &r->ecx, &r->edx };
    return regs[i & 3];
}

static void hide_without_cr4(const struct cpuid_guest *g, uint32_t leaf, struct cpuid_regs *r)
{
    for (size_t i = 0; i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++) {
        const struct cr4_feature *f = &cr4_features[i];
        if (f->leaf == leaf && (g->cr4_allowed & f->cr4) != f->cr4)
            *reg_of(r, f->reg) &= ~f->bit;
    }
}

static void leaf1(const struct cpuid_guest *g, struct cpuid_regs *r)
{
    r->ecx &= ~(L1_ECX_DTES64 | L1_ECX_MONITOR | L1_ECX_DS_CPL | L1_ECX_VMX | L1_ECX_SMX |
                L1_ECX_EST | L1_ECX_TM2 | L1_ECX_SDBG | L1_ECX_XTPR | L1_ECX_PDCM |
                L1_ECX_DCA | L1_ECX_OSXSAVE);
    if (!g->x2apic)
        r->ecx &= ~L1_ECX_X2APIC;  /* the guest's APIC is reached through x2APIC MSRs only */
    r->ecx |= L1_ECX_HV;
    r->edx &= ~(L1_EDX_PSN | L1_EDX_DS | L1_EDX_ACPI | L1_EDX_TM | L1_EDX_PBE);
    hide_without_cr4(g, 1, r);
    /* OSXSAVE mirrors the guest's CR4, not the host's (SDM vol. 2, CPUID). */
    if ((r->ecx & L1_ECX_XSAVE) && (g->cr4 & CR4_OSXSAVE_B))
        r->ecx |= L1_ECX_OSXSAVE;
    cpuid_topo_leaf1(g, r);
}

static void leaf7(const struct cpuid_guest *g, uint32_t sub, struct cpuid_regs *r)
{
    if (sub == 1) {
        *r = (struct cpuid_regs){ .eax = r->eax & L7S1_EAX_KEEP };
        return;
    }
    if (sub != 0) {
        *r = (struct cpuid_regs){ 0 };
        return;
    }
    if (r->eax > 1)
        r->eax = 1;             /* subleaf 2 holds speculation-control bits only */
    r->ebx &= ~(L7_EBX_TSC_ADJ | L7_EBX_SGX | L7_EBX_RDT_M | L7_EBX_MPX | L7_EBX_RDT_A |
                L7_EBX_PT);
    if (!(g->insns & CPUID_INSN_INVPCID))
        r->ebx &= ~L7_EBX_INVPCID;
    r->ecx &= ~(L7_ECX_OSPKE | L7_ECX_WAITPKG | L7_ECX_CET_SS | L7_ECX_TME | L7_ECX_KL |
                L7_ECX_BUSLOCK | L7_ECX_ENQCMD | L7_ECX_SGX_LC | L7_ECX_PKS);
    r->edx &= ~(L7_EDX_UINTR | L7_EDX_SRBDS | L7_EDX_RTM_AA | L7_EDX_TSX_FA | L7_EDX_PCONFIG |
                L7_EDX_ARCH_LBR | L7_EDX_CET_IBT | L7_EDX_AMX_BF16 | L7_EDX_AMX_TILE |
                L7_EDX_AMX_INT8 | L7_EDX_IBRS | L7_EDX_STIBP | L7_EDX_L1D_FLUSH |
                L7_EDX_ARCH_CAP | L7_EDX_CORE_CAP | L7_EDX_SSBD);
    hide_without_cr4(g, 7, r);
    if ((r->ecx & L7_ECX_PKU) && (g->cr4 & CR4_PKE_B))
        r->ecx |= L7_ECX_OSPKE;
}

/* XSAVE (SDM vol. 1, 13.2): only the components the guest may enable in XCR0. EBX of
 * subleaf 0 is the host's answer, which the CPU computes from the XCR0 in force: the guest's
 * own (it set it through XSETBV on this core). */
static void leaf_xsave(const struct cpuid_guest *g, uint32_t sub, struct cpuid_regs *r)
{
    if (sub == 0) {
        r->eax = (uint32_t)g->xcr0_allowed;
        r->edx = (uint32_t)(g->xcr0_allowed >> 32);
        r->ecx = g->xsave_max_size;
    } else if (sub == 1) {
        r->eax &= LD1_EAX_KEEP;
        r->ecx = r->edx = 0;    /* no supervisor components (IA32_XSS) */
    } else if (sub >= 64 || !((g->xcr0_allowed >> sub) & 1)) {
        *r = (struct cpuid_regs){ 0 };
    }
}

static void leaf_ext(const struct cpuid_guest *g, uint32_t leaf, struct cpuid_regs *r)
{
    switch (leaf) {
    case 0x80000001u:
        r->ecx &= ~(E1_ECX_SVM | E1_ECX_EXTAPIC | E1_ECX_OSVW | E1_ECX_IBS | E1_ECX_SKINIT |
                    E1_ECX_WDT | E1_ECX_LWP | E1_ECX_TCE | E1_ECX_NODEID | E1_ECX_TOPOEXT |
                    E1_ECX_PERFCORE | E1_ECX_PERFNB | E1_ECX_BPEXT | E1_ECX_PERFTSC |
                    E1_ECX_PERFLLC | E1_ECX_MWAITX);
        if (!(g->insns & CPUID_INSN_RDTSCP))
            r->edx &= ~E1_EDX_RDTSCP;
        break;
    case 0x80000007u:           /* power management: the host's, but for invariant TSC */
        *r = (struct cpuid_regs){ .edx = r->edx & E7_EDX_INVTSC };
        break;
    case 0x80000008u:
        r->ebx &= ~E8_EBX_HIDE;
        r->edx = 0;             /* INVLPGB and RDPRU limits */
        cpuid_topo_ext8(g, r);
        break;
    case 0x80000021u:
        *r = (struct cpuid_regs){ .eax = r->eax & E21_EAX_KEEP };
        break;
    case 0x80000000u: case 0x80000002u: case 0x80000003u: case 0x80000004u:
    case 0x80000005u: case 0x80000006u: case 0x80000019u: case 0x8000001au:
        break;                  /* limits, brand string, caches and TLBs: the host's */
    default:                    /* SVM, IBS, LWP, TOPOEXT's, SEV, QoS, PMU leaves... */
        *r = (struct cpuid_regs){ 0 };
        break;
    }
}

void cpuid_policy(const struct cpuid_guest *g, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    if (leaf >= 0x80000000u) {
        if (leaf > g->host_max_ext)
            *r = (struct cpuid_regs){ 0 };
        else
            leaf_ext(g, leaf, r);
        return;
    }
    /* Basic leaves the host does not have: served only where the answer is ours alone. */
    if (leaf > g->host_max_basic && leaf != 6 && leaf != 0xb && leaf != 0x15 && leaf != 0x16)
        *r = (struct cpuid_regs){ 0 };
    switch (leaf) {
    case 0:
        if (r->eax < CPUID_MIN_BASIC_MAX)
            r->eax = CPUID_MIN_BASIC_MAX;
        if (g->limit_cpuid && r->eax > 2)
            r->eax = 2;         /* SDM vol. 4, IA32_MISC_ENABLE bit 22 */
        break;
    case 1: leaf1(g, r); break;
    case 2: case 0x18: case 0x1a:
        break;                  /* caches, TLBs, hybrid core type: the host's */
    case 6: *r = (struct cpuid_regs){ .eax = L6_EAX_ARAT }; break;
    case 7: leaf7(g, sub, r); break;
    case 0xd: leaf_xsave(g, sub, r); break;
    case 4: case 0xb: case 0x1f: case 0x15: case 0x16:
        cpuid_topo_leaf(g, leaf, sub, r);
        break;
    default:                    /* MONITOR, PMU, RDT, SGX, PT, AMX, ...: not for guests */
        *r = (struct cpuid_regs){ 0 };
        break;
    }
}

uint64_t cpuid_xcr0_allowed(uint64_t host_xcr0, uint64_t cr4_allowed)
{
    const uint64_t x87 = 1, sse = 2, avx = 4, avx512 = 0xe0, pkru = 1ull << 9;
    uint64_t m = host_xcr0 & (x87 | sse | avx | pkru);
    if ((host_xcr0 & avx512) == avx512 && (m & avx))
        m |= avx512;
    if (!(cr4_allowed & CR4_PKE_B))
        m &= ~pkru;
    return m;
}

bool cpuid_vendor_amd(const struct cpuid_regs *l0)
{
    char id[12];
    memcpy(id, &l0->ebx, 4);
    memcpy(id + 4, &l0->edx, 4);
    memcpy(id + 8, &l0->ecx, 4);
    return !memcmp(id, "AuthenticAMD", 12) || !memcmp(id, "HygonGenuine", 12);
}
