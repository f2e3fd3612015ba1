/* What CPUID tells a guest (pure, host unit-tested): the host's values filtered to what the
 * guest really has on its own cores. The rule: a feature is shown only when the guest can use
 * it, i.e. its instruction runs in the guest, its CR4 bit is allowed and every MSR Linux
 * reaches through it is served by the MSR policy (vmm/msr.c). docs/cpuid-msr.md lists each
 * leaf and what it gets. */
#ifndef EXITLESS_VMM_CPUID_POLICY_H
#define EXITLESS_VMM_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"

/* Instructions a vendor may not let a guest run (VMX's optional controls). */
#define CPUID_INSN_RDTSCP  (1u << 0)
#define CPUID_INSN_INVPCID (1u << 1)

#define CPUID_MIN_BASIC_MAX 0x16u   /* the guest always sees leaves 0x15 and 0x16 */

/* One guest vCPU and the platform, as the filter needs them. */
struct cpuid_guest {
    bool amd;                   /* AuthenticAMD/HygonGenuine: AMD's topology leaves */
    uint32_t host_max_basic;    /* the host's CPUID.0:EAX and CPUID.80000000:EAX */
    uint32_t host_max_ext;
    uint32_t nvcpus;            /* the guest's vCPUs, one thread per core, one package */
    uint32_t apic_id;           /* this vCPU's (its physical core's) APIC id */
    uint32_t topo_shift;        /* APIC id bits below the package id: cpuid_topo_shift */
    bool x2apic;                /* the host runs x2APIC: the guest does too */
    uint64_t cr4;               /* the guest's CR4 (OSXSAVE, OSPKE mirror it) */
    uint64_t cr4_allowed;       /* CR4 bits the guest may set (vendor->cr4_allowed) */
    uint32_t insns;             /* CPUID_INSN_* the guest can run */
    uint64_t xcr0_allowed;      /* cpuid_xcr0_allowed */
    uint32_t xsave_max_size;    /* XSAVE area for all of xcr0_allowed (leaf 0xd ECX) */
    bool limit_cpuid;           /* IA32_MISC_ENABLE.LIMIT_CPUID as the guest set it */
    uint64_t tsc_hz;            /* the hypervisor's TSC frequency */
    bool host_leaf15_true;      /* the host's leaf 0x15 gave that frequency: pass it on */
};

/* Filters `r`, the host's answer to (leaf, sub), into the guest's. Hypervisor leaves
 * (0x40000000 up) are not handled here: the caller answers them. */
void cpuid_policy(const struct cpuid_guest *g, uint32_t leaf, uint32_t sub, struct cpuid_regs *r);

/* The smallest shift s with 2^s >= n that puts all `n` APIC ids in one package
 * (id >> s equal for all): the guest's cores are one package whatever their ids. */
uint32_t cpuid_topo_shift(const uint32_t *apic_ids, uint32_t n);

/* XCR0 bits a guest may enable, from the host's CPUID.(0xd,0) EDX:EAX: x87, SSE, AVX, the
 * AVX-512 trio (all or none) and PKRU (only with CR4.PKE allowed). MPX, AMX (needs the XFD
 * MSR), and everything else are not offered. XSETBV (vmm/exit.c) checks against the same. */
uint64_t cpuid_xcr0_allowed(uint64_t host_xcr0, uint64_t cr4_allowed);

/* AuthenticAMD or HygonGenuine in a CPUID.0 answer. */
bool cpuid_vendor_amd(const struct cpuid_regs *leaf0);

#endif
