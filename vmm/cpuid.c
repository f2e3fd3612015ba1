/* CPUID exits: host values filtered to what a guest on its own cores may see. */
#include <string.h>

#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/tsc.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu.h"

#define CPUID1_ECX_MONITOR    (1u << 3)
#define CPUID1_ECX_VMX        (1u << 5)
#define CPUID1_ECX_SMX        (1u << 6)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_ECX_X2APIC     (1u << 21)
#define CPUID1_ECX_OSXSAVE    (1u << 27)
#define CPUID1_EBX_APIC_ID_SHIFT 24
#define CPUID1_EBX_LOGICAL_SHIFT 16
#define CPUID1_EBX_LOGICAL_MASK  (0xffu << CPUID1_EBX_LOGICAL_SHIFT)
#define CPUID1_EBX_APIC_ID_MASK  (0xffu << CPUID1_EBX_APIC_ID_SHIFT)
#define CPUID7_EBX_SGX        (1u << 2)
#define CPUID7_EBX_PT         (1u << 25)
#define CPUID7_ECX_WAITPKG    (1u << 5)
#define CPUID7_ECX_SGX_LC     (1u << 30)
#define CPUID4_EAX_CORES_SHIFT 26
#define CPUID4_EAX_CORES_MASK (0x3fu << CPUID4_EAX_CORES_SHIFT)
#define CPUIDB_LEVEL_SMT 1u
#define CPUIDB_LEVEL_CORE 2u
#define CPUID80000001_ECX_SVM (1u << 2)

static void cpuid_filter(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    uint32_t n = v->guest->nvcpus;
    switch (leaf) {
    case 1:
        /* VMX and SMX hidden; MONITOR/MWAIT exit, so not offered; we are a hypervisor. */
        r->ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_MONITOR);
        /* Guests program their core's APIC through x2APIC MSRs only (no xAPIC page). */
        if (!lapic_x2apic_mode())
            r->ecx &= ~CPUID1_ECX_X2APIC;
        r->ecx |= CPUID1_ECX_HYPERVISOR;
        /* OSXSAVE mirrors the guest's CR4, not the host's (SDM vol. 2, CPUID). */
        r->ecx &= ~CPUID1_ECX_OSXSAVE;
        if (vcpu_get(v, VREG_CR4) & CR4_OSXSAVE)
            r->ecx |= CPUID1_ECX_OSXSAVE;
        r->ebx = (r->ebx & ~(CPUID1_EBX_LOGICAL_MASK | CPUID1_EBX_APIC_ID_MASK)) |
                 (n << CPUID1_EBX_LOGICAL_SHIFT) | (v->apic_id << CPUID1_EBX_APIC_ID_SHIFT);
        break;
    case 4:
        /* Cache topology: the guest's cores are all the cores it has. */
        if (r->eax & 0x1f)
            r->eax = (r->eax & ~CPUID4_EAX_CORES_MASK) | ((n - 1) << CPUID4_EAX_CORES_SHIFT);
        break;
    case 5:
    case 6:
        memset(r, 0, sizeof(*r)); /* MWAIT and power management are the host's */
        break;
    case 7:
        if (sub == 0) {
            r->ebx &= ~(CPUID7_EBX_SGX | CPUID7_EBX_PT);
            r->ecx &= ~(CPUID7_ECX_WAITPKG | CPUID7_ECX_SGX_LC);
        }
        break;
    case 0xa:
        memset(r, 0, sizeof(*r)); /* no performance counters for guests */
        break;
    case 0xb:
    case 0x1f:
        /* Topology: one thread per core, the guest's vCPUs as one package. */
        if (sub == 0) {
            r->eax = 0;
            r->ebx = 1;
            r->ecx = sub | (CPUIDB_LEVEL_SMT << 8);
        } else if (sub == 1) {
            r->eax = 32 - (uint32_t)__builtin_clz(n | 1);
            r->ebx = n;
            r->ecx = sub | (CPUIDB_LEVEL_CORE << 8);
        } else {
            r->eax = r->ebx = 0;
            r->ecx = sub;
        }
        r->edx = v->apic_id;
        break;
    case 0x80000001u:
        r->ecx &= ~CPUID80000001_ECX_SVM;   /* SVM hidden, as VMX is */
        break;
    case 0x8000000au:
        memset(r, 0, sizeof(*r));           /* SVM features: none */
        break;
    case HC_CPUID_LEAF_BASE:
        r->eax = HC_CPUID_LEAF_TIMING;
        memcpy(&r->ebx, HC_SIGNATURE, 4);
        memcpy(&r->ecx, HC_SIGNATURE + 4, 4);
        memcpy(&r->edx, HC_SIGNATURE + 8, 4);
        break;
    case HC_CPUID_LEAF_BASE + 1:
        r->eax = HC_ABI_VERSION;
        r->ebx = v->guest->id;
        r->ecx = v->index;
        r->edx = v->guest->restarts;       /* 0 in the first run: a guest can tell a restart */
        break;
    case HC_CPUID_LEAF_TIMING:
        r->eax = (uint32_t)(tsc_hz() / 1000);
        r->ebx = r->ecx = r->edx = 0;
        break;
    default:
        if (leaf > HC_CPUID_LEAF_BASE + 1 && leaf < 0x80000000u)
            memset(r, 0, sizeof(*r));
        break;
    }
}

enum exit_action handle_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_regs r = cpuid(leaf, sub);
    cpuid_filter(v, leaf, sub, &r);
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
