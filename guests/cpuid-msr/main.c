/* cpuid-msr: what the guest may see of the CPU (CPUID filtering) and the MSR policy
 * (pass-through, emulated, denied with #GP). */
#include "guest.h"

#define VEC_UD 6
#define VEC_GP 13
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_TSC_ADJUST 0x3b
#define MSR_UCODE_REV 0x8b
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_MTRRCAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_PERF_CAPABILITIES 0x345
#define MSR_AMD_HWCR 0xc0010015
#define MSR_PLATFORM_INFO 0xce
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100

static bool cpu_is_amd(void);

static void check_cpuid(const struct exitless_boot_info *bi)
{
    struct cpuid_out r = cpuid(1, 0);
    check("cpuid-vmx-hidden", !(r.c & (1u << 5)), "CPUID.1:ECX %#x shows VMX", r.c);
    check("cpuid-hypervisor-bit", r.c & (1u << 31), "CPUID.1:ECX %#x", r.c);
    r = cpuid(0x40000000, 0);
    char sig[13];
    __builtin_memcpy(sig, &r.b, 4);
    __builtin_memcpy(sig + 4, &r.c, 4);
    __builtin_memcpy(sig + 8, &r.d, 4);
    sig[12] = 0;
    check("cpuid-signature", __builtin_memcmp(sig, "ExitlessHV", 10) == 0 && r.a >= 0x40000010,
          "signature '%s', max leaf %#x", sig, r.a);
    r = cpuid(0x40000001, 0);
    check("cpuid-abi", r.a == HC_ABI_VERSION && r.b == bi->guest_id,
          "abi %u guest id %u (boot info says %u)", r.a, r.b, bi->guest_id);
    /* The guest has no clock of its own to check the value against: it must be set and
     * plausible (1 MHz - 10 GHz); the platform self-checks verify the measurement itself. */
    r = cpuid(HC_CPUID_LEAF_TIMING, 0);
    check("cpuid-tsc-khz", r.a >= 1000 && r.a <= 10000000, "TSC %u kHz", r.a);
    r = cpuid(0xb, 1);
    check("cpuid-topology", (r.b & 0xffff) == bi->nvcpus, "leaf 0xb level 1 says %u CPUs, "
          "the guest has %u", r.b & 0xffff, bi->nvcpus);
}

/* The topology leaves agree with each other: one thread per core, this core's APIC id. */
static void check_topology(void)
{
    struct cpuid_out s0 = cpuid(0xb, 0), s1 = cpuid(0xb, 1), s2 = cpuid(0xb, 2);
    struct cpuid_out l1 = cpuid(1, 0);
    check("cpuid-topology-levels", ((s0.c >> 8) & 0xff) == 1 && (s0.b & 0xffff) == 1 &&
          ((s1.c >> 8) & 0xff) == 2 && ((s2.c >> 8) & 0xff) == 0,
          "level types %u/%u/%u, SMT count %u", (s0.c >> 8) & 0xff, (s1.c >> 8) & 0xff,
          (s2.c >> 8) & 0xff, s0.b & 0xffff);
    check("cpuid-topology-apic-id", s0.d == s1.d && (s0.d & 0xff) == l1.b >> 24,
          "x2APIC id %u/%u, leaf 1 initial APIC id %u", s0.d, s1.d, l1.b >> 24);
    check("cpuid-topology-package", (s1.a & 0x1f) < 32 && ((l1.b >> 16) & 0xff) == 1u << (s1.a & 0x1f),
          "core shift %u, leaf 1 logical count %u", s1.a & 0x1f, (l1.b >> 16) & 0xff);
}

/* Leaves 0x15 and 0x16 give the TSC frequency the hypervisor's own timing leaf gives. */
static void check_frequency(void)
{
    uint32_t khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    struct cpuid_out l0 = cpuid(0, 0), c15 = cpuid(0x15, 0), c16 = cpuid(0x16, 0);
    check("cpuid-max-basic-leaf", l0.a >= 0x16, "max basic leaf %#x", l0.a);
    uint64_t hz = c15.a ? (uint64_t)c15.c * c15.b / c15.a : 0;
    uint64_t diff = hz / 1000 > khz ? hz / 1000 - khz : khz - hz / 1000;
    check("cpuid-leaf15-tsc", c15.a && c15.b && c15.c && diff <= (uint64_t)c15.b,
          "crystal %u Hz * %u / %u = %lu Hz, timing leaf %u kHz", c15.c, c15.b, c15.a,
          (unsigned long)hz, khz);
    uint32_t mhz = (khz + 500) / 1000;
    check("cpuid-leaf16-mhz", c16.a && (c16.a == mhz || c16.a + 1 == mhz || c16.a == mhz + 1),
          "base %u MHz, timing leaf %u kHz", c16.a, khz);
}

/* Features whose MSRs the policy does not serve, or that guests do not have, are hidden. */
static void check_hidden(void)
{
    struct cpuid_out l1 = cpuid(1, 0), l6 = cpuid(6, 0), l7 = cpuid(7, 0), la = cpuid(0xa, 0);
    struct cpuid_out e1 = cpuid(0x80000001u, 0), l5 = cpuid(5, 0), d1 = cpuid(0xd, 1);
    check("cpuid-arat-only", l6.a == (1u << 2) && !l6.b && !l6.c && !l6.d,
          "leaf 6 %#x %#x %#x %#x (want ARAT alone)", l6.a, l6.b, l6.c, l6.d);
    check("cpuid-pdcm-hidden", !(l1.c & (1u << 15)), "leaf 1 ECX %#x", l1.c);
    check("cpuid-pmu-hidden", !la.a && !la.b && !la.c && !la.d && !(l1.d & (1u << 21)) &&
          !(e1.c & ((1u << 10) | (1u << 23) | (1u << 24) | (1u << 27) | (1u << 28))),
          "leaf 0xa %#x, leaf 1 EDX %#x, 0x80000001 ECX %#x", la.a, l1.d, e1.c);
    check("cpuid-mwait-hidden", !(l1.c & (1u << 3)) && !(e1.c & (1u << 29)) && !l5.a && !l5.b,
          "leaf 1 ECX %#x, 0x80000001 ECX %#x, leaf 5 %#x", l1.c, e1.c, l5.a);
    check("cpuid-thermal-hidden", !(l1.d & ((1u << 22) | (1u << 29))) &&
          !(l1.c & ((1u << 7) | (1u << 8) | (1u << 18))), "leaf 1 ECX %#x EDX %#x", l1.c, l1.d);
    check("cpuid-msr-features-hidden", !(l7.b & (1u << 1)) &&
          !(l7.d & ((1u << 26) | (1u << 27) | (1u << 29) | (1u << 30) | (1u << 31))),
          "leaf 7 EBX %#x EDX %#x (TSC_ADJUST, SPEC_CTRL, ARCH/CORE_CAPABILITIES)", l7.b, l7.d);
    check("cpuid-xsaves-hidden", !(d1.a & (1u << 3)) && !d1.c && !d1.d,
          "leaf 0xd.1 %#x %#x %#x", d1.a, d1.c, d1.d);
    check("cpuid-x2apic-shown", l1.c & (1u << 21), "leaf 1 ECX %#x", l1.c);
}

static void check_msrs(void)
{
    uint64_t v = 0, old = 0;
    int e = probe_rdmsr(MSR_PAT, &old);
    uint64_t want = 0x0007040600070106ull; /* PA1 changed from WT to WC */
    int e2 = probe_wrmsr(MSR_PAT, want);
    int e3 = probe_rdmsr(MSR_PAT, &v);
    probe_wrmsr(MSR_PAT, old);
    check("msr-pat-passthrough", !e && !e2 && !e3 && v == want, "vectors %d/%d/%d, read %#lx",
          e, e2, e3, v);

    e = probe_wrmsr(MSR_FS_BASE, 0x123000);
    e2 = probe_rdmsr(MSR_FS_BASE, &v);
    check("msr-fs-base", !e && !e2 && v == 0x123000, "vectors %d/%d value %#lx", e, e2, v);

    e = probe_rdmsr(MSR_EFER, &v);
    check("msr-efer-emulated", !e && (v & (1u << 8)) && (v & (1u << 10)),
          "vector %d EFER %#lx (want LME and LMA)", e, v);

    e = probe_wrmsr(MSR_FEATURE_CONTROL, 5);
    check("msr-feature-control-write-denied", e == VEC_GP, "vector %d", e);

    e = probe_rdmsr(MSR_PLATFORM_INFO, &v);
    check("msr-unlisted-read-denied", e == VEC_GP, "vector %d", e);
    e = probe_wrmsr(0x1234, 1);
    check("msr-unknown-write-denied", e == VEC_GP, "vector %d", e);
    /* The injected #GP is a fault: its frame has RF set, as the CPU's own faults do. */
    guest_last_fault_rflags = 0;
    e = probe_rdmsr(0x1234, &v);
    check("msr-gp-frame-has-rf", e == VEC_GP && (guest_last_fault_rflags & (1u << 16)),
          "vector %d, RFLAGS in the frame %#lx", e, (unsigned long)guest_last_fault_rflags);
    /* What CPUID hides has no MSR either. */
    e = probe_rdmsr(MSR_TSC_ADJUST, &v);
    check("msr-tsc-adjust-denied", e == VEC_GP, "vector %d", e);
    e = probe_rdmsr(MSR_PERF_CAPABILITIES, &v);
    check("msr-perf-capabilities-denied", e == VEC_GP, "vector %d", e);
    e = probe_rdmsr(MSR_ARCH_CAPABILITIES, &v);
    check("msr-arch-capabilities-denied", e == VEC_GP, "vector %d", e);

    /* MTRRs: no ranges, default write-back, the guest's value kept. */
    uint64_t cap = 1, def = 0;
    e = probe_rdmsr(MSR_MTRRCAP, &cap);
    e2 = probe_rdmsr(MSR_MTRR_DEF_TYPE, &def);
    check("msr-mtrr-none-default-wb", !e && !e2 && cap == 0 && def == 0x806,
          "vectors %d/%d, MTRRCAP %#lx DEF_TYPE %#lx", e, e2, cap, def);
    e = probe_wrmsr(MSR_MTRR_DEF_TYPE, 0x006);
    e2 = probe_rdmsr(MSR_MTRR_DEF_TYPE, &v);
    e3 = probe_wrmsr(MSR_MTRR_DEF_TYPE, 0x806);
    check("msr-mtrr-def-type-kept", !e && !e2 && !e3 && v == 0x006, "vectors %d/%d/%d read %#lx",
          e, e2, e3, v);
    e = probe_wrmsr(MSR_MTRR_DEF_TYPE, 0x802);
    e2 = probe_wrmsr(MSR_MTRR_DEF_TYPE, 0x1806);
    check("msr-mtrr-def-type-invalid-gp", e == VEC_GP && e2 == VEC_GP, "vectors %d/%d", e, e2);
    e = probe_wrmsr(MSR_UCODE_REV, 0);
    e2 = probe_rdmsr(MSR_UCODE_REV, &v);
    check("msr-ucode-rev", !e && !e2, "vectors %d/%d", e, e2);
}

/* The CPU vendor's own MSRs: IA32_MISC_ENABLE and FEATURE_CONTROL on Intel, HWCR on AMD;
 * each #GPs on the other vendor's CPUs, as there. */
static void check_vendor_msrs(bool amd)
{
    uint64_t v = 0, m = 0;
    int e;
    if (amd) {
        e = probe_rdmsr(MSR_MISC_ENABLE, &v);
        check("msr-misc-enable-absent-on-amd", e == VEC_GP, "vector %d", e);
        e = probe_rdmsr(MSR_AMD_HWCR, &v);
        check("msr-hwcr-tsc-p0", !e && v == (1u << 24), "vector %d value %#lx", e, v);
        return;
    }
    e = probe_rdmsr(MSR_FEATURE_CONTROL, &v);
    check("msr-feature-control-read", !e && (v & 1) && !(v & 4),
          "vector %d value %#lx (want locked, VMX off)", e, v);
    e = probe_rdmsr(MSR_MISC_ENABLE, &m);
    check("msr-misc-enable-read", !e && (m & 1) && (m & (1u << 11)) && (m & (1u << 12)) &&
          !(m & (1u << 22)) && !(m & (1ull << 34)),
          "vector %d value %#lx (want fast strings, no BTS/PEBS)", e, m);
    /* LIMIT_CPUID is honoured: CPUID.0 says 2 while it is set. */
    int e1 = probe_wrmsr(MSR_MISC_ENABLE, m | (1u << 22));
    uint32_t limited = cpuid(0, 0).a;
    int e2 = probe_wrmsr(MSR_MISC_ENABLE, m);
    uint32_t full = cpuid(0, 0).a;
    check("msr-misc-enable-limit-cpuid", !e1 && !e2 && limited == 2 && full >= 0x16,
          "vectors %d/%d, max leaf %#x limited, %#x after", e1, e2, limited, full);
    e1 = probe_wrmsr(MSR_MISC_ENABLE, m | (1ull << 34));
    e2 = probe_wrmsr(MSR_MISC_ENABLE, m ^ (1u << 16));
    e = probe_rdmsr(MSR_MISC_ENABLE, &v);
    check("msr-misc-enable-fixed-bits-gp", e1 == VEC_GP && e2 == VEC_GP && !e && v == m,
          "vectors %d/%d (XD disable, SpeedStep), value %#lx after", e1, e2, v);
}

static bool cpu_is_amd(void)
{
    struct cpuid_out r = cpuid(0, 0);
    return r.b == 0x68747541u && r.d == 0x69746e65u && r.c == 0x444d4163u; /* AuthenticAMD */
}

static void check_vmx_hidden(void)
{
    struct cpuid_out r = cpuid(0x80000001u, 0);
    check("cpuid-svm-hidden", !(r.c & (1u << 2)), "CPUID.80000001:ECX %#x shows SVM", r.c);
    /* The CPU's own virtualization instruction must be undefined for the guest: VMXON on
     * Intel, VMRUN on AMD (there the hypervisor intercepts it and raises #UD). The other
     * vendor's instruction is not the hypervisor's to hide: QEMU TCG, for one, runs VMXON
     * on its AMD model as a no-op. */
    int e;
    if (cpu_is_amd()) {
        e = probe_vmrun();
        check("vmrun-undefined", e == VEC_UD, "VMRUN gave vector %d, want #UD", e);
    } else {
        static uint64_t region_ptr = 0x200000;
        e = probe_vmxon(&region_ptr);
        check("vmxon-undefined", e == VEC_UD, "VMXON gave vector %d, want #UD", e);
    }
    uint64_t cr4 = read_cr4();
    check("cr4-vmxe-hidden", !(cr4 & (1u << 13)), "CR4 reads %#lx", cr4);
    e = probe_set_cr4(cr4 | (1u << 13));
    check("cr4-vmxe-refused", e == VEC_GP, "setting CR4.VMXE gave vector %d", e);
}

int guest_main(const struct exitless_boot_info *bi)
{
    check_cpuid(bi);
    check_topology();
    check_frequency();
    check_hidden();
    check_msrs();
    check_vendor_msrs(cpu_is_amd());
    check_vmx_hidden();
    return 0;
}
