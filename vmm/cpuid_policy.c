/* The guest's CPUID feature leaves (pure): which leaves it is served, which feature bits it
 * keeps. Topology and frequency leaves are in vmm/cpuid_topo.c. */
#include <string.h>

#include "vmm/cpuid_bits.h"
#include "vmm/cpuid_policy.h"
#include "vmm/cpuid_policy_priv.h"

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
