/* CPUID exits: the hypervisor's own leaves, and the host's answer filtered by the guest's
 * CPUID policy (vmm/cpuid_policy.c) with the facts of this vCPU and this CPU. */
#include <string.h>

#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/tsc.h"
#include "vmm/access_census.h"
#include "vmm/cpuid_policy.h"
#include "vmm/exit.h"
#include "vmm/msr.h"
#include "vmm/vcpu.h"

#define XSAVE_LEGACY_AND_HEADER 576u    /* SDM vol. 1, 13.4: legacy area and header */

/* XSAVE area size for every component the guest may enable (leaf 0xd, sub 0, ECX). */
static uint32_t xsave_size_for(uint64_t xcr0)
{
    uint32_t size = XSAVE_LEGACY_AND_HEADER;
    for (uint32_t i = 2; i < 64; i++) {
        if (!((xcr0 >> i) & 1))
            continue;
        struct cpuid_regs c = cpuid(0xd, i);
        if (c.ebx + c.eax > size)
            size = c.ebx + c.eax;
    }
    return size;
}

uint64_t cpuid_guest_xcr0_allowed(void)
{
    if (cpuid(0, 0).eax < 0xd)
        return 0;
    struct cpuid_regs d = cpuid(0xd, 0);
    return cpuid_xcr0_allowed(((uint64_t)d.edx << 32) | d.eax, vendor->cr4_allowed());
}

static void guest_facts(struct vcpu *v, uint32_t leaf, struct cpuid_guest *g)
{
    struct cpuid_regs l0 = cpuid(0, 0);
    uint32_t ids[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < v->guest->nvcpus; i++)
        ids[i] = v->guest->vcpus[i].apic_id;
    const struct tsc_info *t = tsc_get();
    *g = (struct cpuid_guest){
        .amd = cpuid_vendor_amd(&l0),
        .host_max_basic = l0.eax,
        .host_max_ext = cpuid(0x80000000u, 0).eax,
        .nvcpus = v->guest->nvcpus,
        .apic_id = v->apic_id,
        .topo_shift = cpuid_topo_shift(ids, v->guest->nvcpus),
        .x2apic = lapic_x2apic_mode(),
        .cr4 = vcpu_get(v, VREG_CR4),
        .cr4_allowed = vendor->cr4_allowed(),
        .insns = vendor->guest_insns(v),
        .xcr0_allowed = cpuid_guest_xcr0_allowed(),
        .limit_cpuid = msr_guest_limits_cpuid(v),
        .tsc_hz = tsc_hz(),
        .host_leaf15_true = t->source == TSC_SRC_CPUID_15,
    };
    if (leaf == 0xd)
        g->xsave_max_size = xsave_size_for(g->xcr0_allowed);
}

/* The hypervisor's leaves (include/exitless/hypercall.h); false for any other leaf. */
static bool hypervisor_leaf(struct vcpu *v, uint32_t leaf, struct cpuid_regs *r)
{
    switch (leaf) {
    case HC_CPUID_LEAF_BASE:
        r->eax = HC_CPUID_LEAF_TIMING;
        memcpy(&r->ebx, HC_SIGNATURE, 4);
        memcpy(&r->ecx, HC_SIGNATURE + 4, 4);
        memcpy(&r->edx, HC_SIGNATURE + 8, 4);
        return true;
    case HC_CPUID_LEAF_BASE + 1:
        r->eax = HC_ABI_VERSION;
        r->ebx = v->guest->id;
        r->ecx = v->index;
        r->edx = v->guest->restarts;       /* 0 in the first run: a guest can tell a restart */
        return true;
    case HC_CPUID_LEAF_TIMING:
        *r = (struct cpuid_regs){ .eax = (uint32_t)(tsc_hz() / 1000) };
        return true;
    default:
        if (leaf < HC_CPUID_LEAF_BASE || leaf >= 0x80000000u)
            return false;
        *r = (struct cpuid_regs){ 0 };     /* the rest of the hypervisor range */
        return true;
    }
}

enum exit_action handle_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_regs r;
    if (!hypervisor_leaf(v, leaf, &r)) {
        struct cpuid_guest g;
        guest_facts(v, leaf, &g);
        r = cpuid(leaf, sub);
        cpuid_policy(&g, leaf, sub, &r);
    }
    spin_lock(&v->guest->msr_lock);
    access_census_note(&v->guest->cpuid_seen, access_census_cpuid_key(leaf, sub));
    spin_unlock(&v->guest->msr_lock);
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
