/* Unit tests for the guest CPUID policy: each leaf's answer from made-up host values, the
 * topology shift, XCR0 and the features hidden for want of a served MSR or CR4 bit. */
#include "check.h"
#include "vmm/cpuid_policy.h"

#define ALL ((struct cpuid_regs){ ~0u, ~0u, ~0u, ~0u })
#define CR4_ALL (~0ull)

static struct cpuid_guest intel(void)
{
    return (struct cpuid_guest){
        .host_max_basic = 0x1f, .host_max_ext = 0x80000008u, .nvcpus = 2, .apic_id = 3,
        .topo_shift = 1, .x2apic = true, .cr4 = 0, .cr4_allowed = CR4_ALL,
        .insns = CPUID_INSN_RDTSCP | CPUID_INSN_INVPCID, .xcr0_allowed = 0x7,
        .xsave_max_size = 832, .tsc_hz = 2500000000ull,
    };
}

static struct cpuid_regs ask(const struct cpuid_guest *g, uint32_t leaf, uint32_t sub,
                             struct cpuid_regs host)
{
    cpuid_policy(g, leaf, sub, &host);
    return host;
}

static void test_topo_shift(void)
{
    const uint32_t a[] = { 1, 2 }, b[] = { 3, 4 }, c[] = { 5 }, d[] = { 0, 1, 2 }, e[] = { 1, 8 };
    CHECK_EQ_U64(cpuid_topo_shift(a, 2), 2, "ids 1, 2: 1 >> 1 != 2 >> 1, so 2 bits");
    CHECK_EQ_U64(cpuid_topo_shift(b, 2), 3, "ids 3, 4 share a package only at 3 bits");
    CHECK_EQ_U64(cpuid_topo_shift(c, 1), 0, "one core");
    CHECK_EQ_U64(cpuid_topo_shift(d, 3), 2, "three cores: 2 bits");
    CHECK_EQ_U64(cpuid_topo_shift(e, 2), 4, "ids 1, 8");
}

static void test_leaf0_and_limits(void)
{
    struct cpuid_guest g = intel();
    g.host_max_basic = 0xd;
    struct cpuid_regs r = ask(&g, 0, 0, (struct cpuid_regs){ 0xd, 1, 2, 3 });
    CHECK_EQ_U64(r.eax, 0x16, "max basic leaf raised to 0x16");
    CHECK(r.ebx == 1 && r.ecx == 2 && r.edx == 3, "vendor string kept");
    g.limit_cpuid = true;
    CHECK_EQ_U64(ask(&g, 0, 0, (struct cpuid_regs){ 0x1f, 0, 0, 0 }).eax, 2, "MISC_ENABLE limit");
    g.limit_cpuid = false;
    r = ask(&g, 0x10, 0, ALL);
    CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx, "a leaf in between is zero");
    r = ask(&g, 0xe, 0, ALL);
    CHECK(!r.eax && !r.edx, "leaf 0xe zero");
    r = ask(&g, 0x18, 0, ALL);
    CHECK(!r.eax, "a host leaf above the host's maximum is zero");
    g.host_max_basic = 0x1f;
    r = ask(&g, 0x14, 0, ALL);
    CHECK(!r.eax && !r.ebx, "PT leaf zero");
    r = ask(&g, 0x12, 0, ALL);
    CHECK(!r.eax && !r.ebx, "SGX leaf zero");
    r = ask(&g, 0xa, 0, ALL);
    CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx, "PMU leaf zero");
    r = ask(&g, 0x18, 0, ALL);
    CHECK(r.eax == ~0u, "TLB leaf kept");
}

static void test_leaf1(void)
{
    struct cpuid_guest g = intel();
    struct cpuid_regs r = ask(&g, 1, 0, ALL);
    CHECK_EQ_U64(r.ebx >> 24, 3, "initial APIC id");
    CHECK_EQ_U64((r.ebx >> 16) & 0xff, 2, "two addressable ids in the package");
    CHECK_EQ_U64(r.ebx & 0xffff, 0xffff, "brand index and CLFLUSH kept");
    uint32_t hidden_c = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) |
                        (1u << 8) | (1u << 11) | (1u << 14) | (1u << 15) | (1u << 18) |
                        (1u << 27);
    CHECK_EQ_U64(r.ecx & hidden_c, 0, "DTES64 MONITOR DS-CPL VMX SMX EST TM2 SDBG xTPR PDCM "
                                      "DCA hidden, OSXSAVE clear with the guest's CR4");
    CHECK(r.ecx & (1u << 24), "TSC-deadline as the host has it");
    CHECK(r.ecx & (1u << 21), "x2APIC shown");
    CHECK(r.ecx & (1u << 31), "hypervisor bit");
    uint32_t hidden_d = (1u << 18) | (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31);
    CHECK_EQ_U64(r.edx & hidden_d, 0, "PSN DS ACPI TM PBE hidden");
    CHECK(r.edx & (1u << 28), "HTT: more than one logical id");
    g.cr4 = 1ull << 18;
    CHECK(ask(&g, 1, 0, ALL).ecx & (1u << 27), "OSXSAVE follows the guest's CR4");
    g.cr4_allowed = CR4_ALL & ~(1ull << 17) & ~(1ull << 18);
    r = ask(&g, 1, 0, ALL);
    CHECK(!(r.ecx & (1u << 17)) && !(r.ecx & (1u << 26)) && !(r.ecx & (1u << 27)),
          "PCID and XSAVE hidden without their CR4 bits");
    g = intel();
    g.x2apic = false;
    CHECK(!(ask(&g, 1, 0, ALL).ecx & (1u << 21)), "no x2APIC on an xAPIC host");
    g = intel();
    g.nvcpus = 1;
    g.topo_shift = 0;
    r = ask(&g, 1, 0, ALL);
    CHECK(((r.ebx >> 16) & 0xff) == 1 && !(r.edx & (1u << 28)), "one core: count 1, no HTT");
}

static void test_topology_leaves(void)
{
    struct cpuid_guest g = intel();
    g.nvcpus = 3;
    g.topo_shift = 2;
    struct cpuid_regs s0 = ask(&g, 0xb, 0, ALL), s1 = ask(&g, 0xb, 1, ALL);
    struct cpuid_regs s2 = ask(&g, 0x1f, 2, ALL);
    CHECK(s0.eax == 0 && s0.ebx == 1 && s0.ecx == 0x100 && s0.edx == 3, "SMT level");
    CHECK(s1.eax == 2 && s1.ebx == 3 && s1.ecx == 0x201 && s1.edx == 3, "core level");
    CHECK(s2.eax == 0 && s2.ebx == 0 && s2.ecx == 2 && s2.edx == 3, "end of the list");
    /* Leaf 4: L1 data (type 1, level 1), L3 unified (type 3, level 3). */
    struct cpuid_regs l1d = ask(&g, 4, 0, (struct cpuid_regs){ 0xfc004121u, 1, 2, 3 });
    struct cpuid_regs l3 = ask(&g, 4, 3, (struct cpuid_regs){ 0xfc0fc163u, 1, 2, 3 });
    CHECK_EQ_U64(l1d.eax, 0x0c000121u, "L1: private, 4 core ids in the package");
    CHECK_EQ_U64(l3.eax, 0x0c00c163u, "L3: shared by the 4 ids of the package");
    CHECK(l1d.ebx == 1 && l1d.ecx == 2 && l1d.edx == 3, "cache geometry kept");
    CHECK_EQ_U64(ask(&g, 4, 4, (struct cpuid_regs){ 0, 0, 0, 0 }).eax, 0, "end of caches");
    /* AMD: leaf 4 reserved; 0x80000008 ECX: NC = cores - 1, ApicIdSize = shift. */
    g.amd = true;
    CHECK_EQ_U64(ask(&g, 4, 0, ALL).eax, 0, "leaf 4 zero on AMD");
    struct cpuid_regs e8 = ask(&g, 0x80000008u, 0, (struct cpuid_regs){ 0x3030, ~0u, ~0u, ~0u });
    CHECK_EQ_U64(e8.ecx, 0x2002, "AMD core count and APIC id size");
    CHECK_EQ_U64(e8.eax, 0x3030, "address sizes kept");
    CHECK_EQ_U64(e8.edx, 0, "INVLPGB/RDPRU limits zero");
    CHECK_EQ_U64(e8.ebx & ((1u << 12) | (1u << 14) | (1u << 15) | (1u << 24) | (1u << 25)), 0,
                 "AMD speculation-control bits hidden");
    g.amd = false;
    CHECK_EQ_U64(ask(&g, 0x80000008u, 0, ALL).ecx, 0, "reserved on Intel");
}

static void test_frequency(void)
{
    struct cpuid_guest g = intel();
    struct cpuid_regs r = ask(&g, 0x15, 0, (struct cpuid_regs){ 2, 188, 24000000, 0 });
    CHECK(r.eax == 1 && r.ebx == 1 && r.ecx == 2500000000u && r.edx == 0,
          "measured TSC: crystal = TSC, ratio 1/1");
    g.host_leaf15_true = true;
    r = ask(&g, 0x15, 0, (struct cpuid_regs){ 2, 208, 24000000, 5 });
    CHECK(r.eax == 2 && r.ebx == 208 && r.ecx == 24000000 && r.edx == 0,
          "the host's true crystal and ratio passed on");
    g.host_leaf15_true = false;
    g.tsc_hz = 5000000000ull;
    r = ask(&g, 0x15, 0, ALL);
    CHECK(r.eax == 1 && r.ebx == 2 && r.ecx == 2500000000u, "5 GHz: crystal TSC/2, ratio 2/1");
    g.tsc_hz = 49999999;
    r = ask(&g, 0x16, 0, ALL);
    CHECK(r.eax == 50 && r.ebx == 50 && r.ecx == 0 && r.edx == 0, "leaf 0x16: base MHz");
    g.host_max_basic = 0xd;     /* served even when the host stops below them */
    r = ask(&g, 0x15, 0, (struct cpuid_regs){ 0 });
    CHECK(r.ecx == 49999999 && r.eax == 1, "leaf 0x15 above a low host maximum");
    r = ask(&g, 6, 0, ALL);
    CHECK(r.eax == 4 && !r.ebx && !r.ecx && !r.edx, "leaf 6: ARAT and nothing else");
}

static void test_leaf7(void)
{
    struct cpuid_guest g = intel();
    struct cpuid_regs r = ask(&g, 7, 0, ALL);
    CHECK_EQ_U64(r.eax, 1, "subleaf count capped at 1");
    CHECK_EQ_U64(r.ebx & ((1u << 1) | (1u << 2) | (1u << 12) | (1u << 14) | (1u << 15) |
                          (1u << 25)), 0, "TSC_ADJUST SGX RDT MPX PT hidden");
    CHECK(r.ebx & (1u << 10), "INVPCID where the guest can run it");
    CHECK_EQ_U64(r.ecx & ((1u << 4) | (1u << 5) | (1u << 7) | (1u << 13) | (1u << 30)), 0,
                 "OSPKE (guest CR4.PKE clear) WAITPKG CET_SS TME SGX_LC hidden");
    CHECK_EQ_U64(r.edx & 0xfff00000u & ~(1u << 21) & ~(1u << 23), 0,
                 "CET_IBT AMX SPEC_CTRL ARCH/CORE_CAPABILITIES hidden");
    CHECK(r.edx & (1u << 10), "MD_CLEAR kept");
    g.cr4 = 1ull << 22;
    CHECK(ask(&g, 7, 0, ALL).ecx & (1u << 4), "OSPKE follows the guest's CR4");
    g.insns = 0;
    g.cr4_allowed = CR4_ALL & ~(1ull << 11) & ~(1ull << 20);
    r = ask(&g, 7, 0, ALL);
    CHECK(!(r.ebx & (1u << 10)) && !(r.ecx & (1u << 2)) && !(r.ebx & (1u << 7)),
          "INVPCID, UMIP, SMEP hidden when not allowed");
    CHECK(!(ask(&g, 0x80000001u, 0, ALL).edx & (1u << 27)), "RDTSCP hidden without it");
    r = ask(&g, 7, 1, ALL);
    CHECK_EQ_U64(r.eax, (1u << 4) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 23),
                 "subleaf 1: instructions only");
    CHECK(!r.ebx && !r.ecx && !r.edx, "subleaf 1: no PPIN");
    r = ask(&g, 7, 2, ALL);
    CHECK(!r.eax && !r.edx, "subleaf 2 zero");
}

static void test_xsave(void)
{
    CHECK_EQ_U64(cpuid_xcr0_allowed(0x602e7, CR4_ALL), 0x2e7, "x87 SSE AVX AVX-512 PKRU; "
                 "no MPX, no AMX");
    CHECK_EQ_U64(cpuid_xcr0_allowed(0x2c7, CR4_ALL), 0x207, "partial AVX-512 refused");
    CHECK_EQ_U64(cpuid_xcr0_allowed(0x207, CR4_ALL & ~(1ull << 22)), 0x7, "no PKRU w/o PKE");
    struct cpuid_guest g = intel();
    g.xcr0_allowed = 0x207;
    struct cpuid_regs r = ask(&g, 0xd, 0, (struct cpuid_regs){ 0x602ff, 0x340, 0x2b00, 0 });
    CHECK(r.eax == 0x207 && r.edx == 0 && r.ebx == 0x340 && r.ecx == 832,
          "subleaf 0: allowed components, current size from the CPU, maximum recomputed");
    r = ask(&g, 0xd, 1, ALL);
    CHECK(r.eax == 7 && r.ecx == 0 && r.edx == 0, "subleaf 1: no XSAVES, no XFD, no XSS");
    CHECK(ask(&g, 0xd, 2, ALL).eax == ~0u, "AVX component kept");
    CHECK(ask(&g, 0xd, 9, ALL).eax == ~0u, "PKRU component kept");
    CHECK(ask(&g, 0xd, 17, ALL).eax == 0, "AMX component zero");
    CHECK(ask(&g, 0xd, 63, ALL).eax == 0, "component 63 zero");
}

static void test_extended(void)
{
    struct cpuid_guest g = intel();
    g.amd = true;
    g.host_max_ext = 0x80000021u;
    struct cpuid_regs r = ask(&g, 0x80000001u, 0, ALL);
    uint32_t hidden = (1u << 2) | (1u << 3) | (1u << 9) | (1u << 10) | (1u << 12) | (1u << 13) |
                      (1u << 15) | (1u << 17) | (1u << 19) | (1u << 22) | (1u << 23) |
                      (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29);
    CHECK_EQ_U64(r.ecx & hidden, 0, "SVM EXTAPIC OSVW IBS SKINIT WDT LWP TCE NODEID TOPOEXT "
                                   "PERFCTR* BPEXT PTSC MWAITX hidden");
    CHECK_EQ_U64(r.ecx & ~hidden, ~hidden, "the rest kept");
    r = ask(&g, 0x80000007u, 0, ALL);
    CHECK(r.edx == (1u << 8) && !r.eax && !r.ebx && !r.ecx, "invariant TSC alone");
    r = ask(&g, 0x8000001eu, 0, ALL);
    CHECK(!r.eax && !r.ebx && !r.ecx && !r.edx, "TOPOEXT leaf zero");
    r = ask(&g, 0x8000000au, 0, ALL);
    CHECK(!r.eax && !r.edx, "SVM leaf zero");
    r = ask(&g, 0x8000001fu, 0, ALL);
    CHECK(!r.eax, "SEV leaf zero");
    r = ask(&g, 0x80000021u, 0, ALL);
    CHECK(r.eax == 0x45 && !r.ebx, "ext leaf 0x21: behaviour bits only");
    r = ask(&g, 0x80000002u, 0, ALL);
    CHECK(r.eax == ~0u, "brand string kept");
    g.host_max_ext = 0x80000008u;
    r = ask(&g, 0x80000019u, 0, ALL);
    CHECK(!r.eax, "above the host's extended maximum: zero");
}

static void test_vendor(void)
{
    struct cpuid_regs amd = { 0xd, 0x68747541u, 0x444d4163u, 0x69746e65u };
    struct cpuid_regs intel_id = { 0xd, 0x756e6547u, 0x6c65746eu, 0x49656e69u };
    CHECK(cpuid_vendor_amd(&amd), "AuthenticAMD");
    CHECK(!cpuid_vendor_amd(&intel_id), "GenuineIntel");
}

int main(void)
{
    test_topo_shift();
    test_leaf0_and_limits();
    test_leaf1();
    test_topology_leaves();
    test_frequency();
    test_leaf7();
    test_xsave();
    test_extended();
    test_vendor();
    return check_summary("cpuid_policy");
}
