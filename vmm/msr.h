/* The guest MSR policy: which MSRs pass through, which are emulated, which #GP. */
#ifndef EXITLESS_VMM_MSR_H
#define EXITLESS_VMM_MSR_H

#include <stdbool.h>
#include <stdint.h>

enum msr_policy { MSR_DENY = 0, MSR_PASS, MSR_EMULATE };

struct msr_rule {
    uint32_t msr, last;         /* a range [msr, last]; last = 0 for one MSR */
    enum msr_policy read, write;
    const char *name;
};

/* The MSRs a vCPU keeps as its own value (emulated; none reaches the hardware). Owner: the
 * vCPU's CPU. */
struct vcpu_msrs {
    uint64_t misc_enable;       /* IA32_MISC_ENABLE as the guest set it */
    uint64_t mtrr_def_type;     /* IA32_MTRR_DEF_TYPE: kept, no effect (EPT/NPT decide) */
};
struct vcpu;
/* The values of a vCPU at reset (each run). */
void msr_vcpu_reset(struct vcpu *v);
/* IA32_MISC_ENABLE.LIMIT_CPUID as the guest set it (CPUID.0 then says 2). */
bool msr_guest_limits_cpuid(struct vcpu *v);
/* The guest's refused MSRs, one line each (the stop report). */
struct guest;
void msr_refused_report(struct guest *g);

/* The rule for an MSR; MSRs not listed are denied both ways. The x2APIC rules apply only
 * when the host runs its local APICs in x2APIC mode. */
const struct msr_rule *msr_rule_find(uint32_t msr);
/* Calls fn for every MSR access that passes through (write = false for reads): the MSR_PASS
 * rules, and in exitless mode writes of the x2APIC EOI register (while no virtual interrupt
 * is in service). Each vendor builds its permission map from this. */
typedef void (*msr_pass_fn)(void *ctx, uint32_t msr, bool write);
void msr_pass_each(msr_pass_fn fn, void *ctx, bool exitless);

#endif
