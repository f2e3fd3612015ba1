/* CPU identification through CPUID and the VMX capability MSRs (SDM vol. 3, A.3). */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/cpuinfo.h"
#include "kernel/trap.h"

#define CPUID1_ECX_VMX       (1u << 5)
#define CPUID1_ECX_X2APIC    (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUIDX1_EDX_PDPE1GB  (1u << 26)
#define CPUIDX7_EDX_INVARIANT_TSC (1u << 8)

#define FEATURE_CONTROL_LOCKED        (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
/* Allowed-1 settings live in the high 32 bits of a VMX control capability MSR. */
#define VMX_CTL_ALLOWED1(msr) ((uint32_t)((msr) >> 32))
#define PROCBASED_ACTIVATE_SECONDARY (1u << 31)
#define SECONDARY_ENABLE_EPT         (1u << 1)
#define SECONDARY_ENABLE_VPID        (1u << 5)
#define SECONDARY_UNRESTRICTED_GUEST (1u << 7)

static struct cpu_features feat;

static void read_vmx_caps(void)
{
    uint64_t fc = 0, proc = 0, proc2 = 0;
    if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc) == 0 && (fc & FEATURE_CONTROL_LOCKED) &&
        !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
        feat.vmx_disabled = true;
    if (rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS, &proc) ||
        !(VMX_CTL_ALLOWED1(proc) & PROCBASED_ACTIVATE_SECONDARY))
        return;
    if (rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2))
        return;
    feat.ept = VMX_CTL_ALLOWED1(proc2) & SECONDARY_ENABLE_EPT;
    feat.vpid = VMX_CTL_ALLOWED1(proc2) & SECONDARY_ENABLE_VPID;
    feat.unrestricted_guest = VMX_CTL_ALLOWED1(proc2) & SECONDARY_UNRESTRICTED_GUEST;
}

void cpuinfo_init(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    memcpy(feat.vendor, &r.ebx, 4);
    memcpy(feat.vendor + 4, &r.edx, 4);
    memcpy(feat.vendor + 8, &r.ecx, 4);

    r = cpuid(1, 0);
    feat.stepping = r.eax & 0xf;
    feat.model = (r.eax >> 4) & 0xf;
    feat.family = (r.eax >> 8) & 0xf;
    if (feat.family == 0xf)
        feat.family += (r.eax >> 20) & 0xff;
    if (feat.family >= 6)
        feat.model |= ((r.eax >> 16) & 0xf) << 4;
    feat.vmx = r.ecx & CPUID1_ECX_VMX;
    feat.x2apic = r.ecx & CPUID1_ECX_X2APIC;
    feat.tsc_deadline = r.ecx & CPUID1_ECX_TSC_DEADLINE;
    feat.hypervisor = r.ecx & CPUID1_ECX_HYPERVISOR;

    uint32_t max_ext = cpuid(0x80000000, 0).eax;
    if (max_ext >= 0x80000001)
        feat.pdpe1gb = cpuid(0x80000001, 0).edx & CPUIDX1_EDX_PDPE1GB;
    if (max_ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            r = cpuid(0x80000002 + i, 0);
            memcpy(feat.brand + 16 * i, &r, 16);
        }
        feat.brand[48] = 0;
    }
    if (max_ext >= 0x80000007)
        feat.invariant_tsc = cpuid(0x80000007, 0).edx & CPUIDX7_EDX_INVARIANT_TSC;
    if (feat.vmx)
        read_vmx_caps();
}

const struct cpu_features *cpu_features(void) { return &feat; }
