/* Between the two halves of the CPUID policy (vmm/cpuid_policy.c, vmm/cpuid_topo.c). */
#ifndef EXITLESS_VMM_CPUID_POLICY_PRIV_H
#define EXITLESS_VMM_CPUID_POLICY_PRIV_H

#include "vmm/cpuid_policy.h"

/* Leaf 1 EBX (logical processor count, initial APIC id) and EDX.HTT. */
void cpuid_topo_leaf1(const struct cpuid_guest *g, struct cpuid_regs *r);
/* Leaves 4, 0xb, 0x1f, 0x15, 0x16. */
void cpuid_topo_leaf(const struct cpuid_guest *g, uint32_t leaf, uint32_t sub,
                     struct cpuid_regs *r);
/* Leaf 0x80000008 ECX: AMD's core count and APIC id size. */
void cpuid_topo_ext8(const struct cpuid_guest *g, struct cpuid_regs *r);

#endif
