/* cpuid-msr: what the guest may see of the CPU (CPUID filtering) and the MSR policy
 * (pass-through, emulated, denied with #GP). */
#include "guest.h"

#define VEC_UD 6
#define VEC_GP 13
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_PLATFORM_INFO 0xce
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100

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

    e = probe_rdmsr(MSR_FEATURE_CONTROL, &v);
    check("msr-feature-control-read", !e && (v & 1) && !(v & 4),
          "vector %d value %#lx (want locked, VMX off)", e, v);
    e = probe_wrmsr(MSR_FEATURE_CONTROL, 5);
    check("msr-feature-control-write-denied", e == VEC_GP, "vector %d", e);

    e = probe_rdmsr(MSR_PLATFORM_INFO, &v);
    check("msr-unlisted-read-denied", e == VEC_GP, "vector %d", e);
    e = probe_wrmsr(0x1234, 1);
    check("msr-unknown-write-denied", e == VEC_GP, "vector %d", e);
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
    check_msrs();
    check_vmx_hidden();
    return 0;
}
