/* Guest MSR policy and RDMSR/WRMSR exits. A denied access raises #GP in the guest, as a
 * CPU without that MSR would. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/exit.h"
#include "vmm/msr.h"
#include "vmm/intr/apic_msr.h"
#include "vmm/vcpu.h"

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_UCODE_REV 0x8b
#define MSR_MTRRCAP 0xfe
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_TSC_AUX 0xc0000103

#define FEATURE_CONTROL_LOCKED 1ull
#define MISC_ENABLE_FAST_STRINGS 1ull
#define MTRR_DEF_TYPE_ENABLED_WB 0xc06ull  /* MTRRs and fixed MTRRs on, default WB */
#define EFER_WRITABLE ((1ull << 0) | (1ull << 8) | (1ull << 11)) /* SCE, LME, NXE */
#define EFER_LMA_BIT (1ull << 10)

/* Sorted by nothing in particular: a few dozen entries, searched linearly. */
static const struct msr_rule rules[] = {
    /* Switched by VMX on entry/exit or unused by the host: the guest's own. */
    { MSR_FS_BASE, 0, MSR_PASS, MSR_PASS, "FS_BASE" },
    { MSR_GS_BASE, 0, MSR_PASS, MSR_PASS, "GS_BASE" },
    { MSR_KERNEL_GS_BASE, 0, MSR_PASS, MSR_PASS, "KERNEL_GS_BASE" },
    { MSR_STAR, 0, MSR_PASS, MSR_PASS, "STAR" },
    { MSR_LSTAR, 0, MSR_PASS, MSR_PASS, "LSTAR" },
    { MSR_CSTAR, 0, MSR_PASS, MSR_PASS, "CSTAR" },
    { MSR_SFMASK, 0, MSR_PASS, MSR_PASS, "SFMASK" },
    { MSR_SYSENTER_CS, 0, MSR_PASS, MSR_PASS, "SYSENTER_CS" },
    { MSR_SYSENTER_ESP, 0, MSR_PASS, MSR_PASS, "SYSENTER_ESP" },
    { MSR_SYSENTER_EIP, 0, MSR_PASS, MSR_PASS, "SYSENTER_EIP" },
    { MSR_IA32_PAT, 0, MSR_PASS, MSR_PASS, "PAT" },
    { MSR_TSC_AUX, 0, MSR_PASS, MSR_PASS, "TSC_AUX" },
    { MSR_TSC, 0, MSR_PASS, MSR_DENY, "TSC" },
    /* Emulated: what a guest expects to find, without touching the host's. */
    { MSR_EFER, 0, MSR_EMULATE, MSR_EMULATE, "EFER" },
    { MSR_IA32_FEATURE_CONTROL, 0, MSR_EMULATE, MSR_DENY, "FEATURE_CONTROL" },
    { MSR_MISC_ENABLE, 0, MSR_EMULATE, MSR_EMULATE, "MISC_ENABLE" },
    { MSR_PLATFORM_ID, 0, MSR_EMULATE, MSR_DENY, "PLATFORM_ID" },
    { MSR_UCODE_REV, 0, MSR_EMULATE, MSR_EMULATE, "UCODE_REV" },
    { MSR_MTRRCAP, 0, MSR_EMULATE, MSR_DENY, "MTRRCAP" },
    { MSR_MTRR_DEF_TYPE, 0, MSR_EMULATE, MSR_EMULATE, "MTRR_DEF_TYPE" },
    { MSR_MCG_CAP, 0, MSR_EMULATE, MSR_DENY, "MCG_CAP" },
    { MSR_MCG_STATUS, 0, MSR_EMULATE, MSR_EMULATE, "MCG_STATUS" },
};

static bool rule_covers(const struct msr_rule *r, uint32_t msr)
{
    return msr == r->msr || (r->last && msr >= r->msr && msr <= r->last);
}

const struct msr_rule *msr_rule_find(uint32_t msr)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rule_covers(&rules[i], msr))
            return &rules[i];
    return apic_msr_rule(msr); /* the APIC base and x2APIC registers: vmm/intr/apic_msr.c */
}

static void pass_rules(const struct msr_rule *r, size_t n, msr_pass_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        for (uint32_t m = r[i].msr; m <= (r[i].last ? r[i].last : r[i].msr); m++) {
            if (r[i].read == MSR_PASS)
                fn(ctx, m, false);
            if (r[i].write == MSR_PASS)
                fn(ctx, m, true);
        }
    }
}

void msr_pass_each(msr_pass_fn fn, void *ctx, bool exitless)
{
    pass_rules(rules, sizeof(rules) / sizeof(rules[0]), fn, ctx);
    apic_msr_pass_each(fn, ctx, exitless);
}

static int emulate_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_EFER: *val = vcpu_get(v, VREG_EFER); return 0;
    case MSR_IA32_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED; return 0; /* VMX off */
    case MSR_MISC_ENABLE:
        if (rdmsr_safe(msr, val))
            *val = MISC_ENABLE_FAST_STRINGS;
        return 0;
    case MSR_MTRR_DEF_TYPE: *val = MTRR_DEF_TYPE_ENABLED_WB; return 0;
    default: *val = 0; return 0; /* PLATFORM_ID, UCODE_REV, MTRRCAP, MCG_*: none */
    }
}

static int emulate_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr == MSR_EFER) {
        if (val & ~(EFER_WRITABLE | EFER_LMA_BIT))
            return -1;
        uint64_t old = vcpu_get(v, VREG_EFER), lma = old & EFER_LMA_BIT;
        /* LME may not change while paging is on (SDM 2.2.1). */
        if ((vcpu_get(v, VREG_CR0) & CR0_PG) && ((val ^ old) & EFER_LME))
            return -1;
        vcpu_set(v, VREG_EFER, (val & EFER_WRITABLE) | lma);
        return 0;
    }
    return 0; /* MISC_ENABLE, UCODE_REV, MTRR_DEF_TYPE, MCG_STATUS: accepted, no effect */
}

static enum exit_action msr_access(struct vcpu *v, int write)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    const struct msr_rule *r = msr_rule_find(msr);
    enum msr_policy p = r ? (write ? r->write : r->read) : MSR_DENY;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    int rc = -1;

    if (p == MSR_EMULATE && apic_msr_rule(msr))
        rc = write ? apic_msr_write(v, msr, val) : apic_msr_read(v, msr, &val);
    else if (p == MSR_EMULATE)
        rc = write ? emulate_write(v, msr, val) : emulate_read(v, msr, &val);
    else if (p == MSR_PASS)
        rc = write ? wrmsr_safe(msr, val) : rdmsr_safe(msr, &val); /* EOI when trapped, ... */
    if (rc) {
        log_debug("msr", "%s: %s of MSR %#x (%s) denied: #GP", v->guest->name,
                  write ? "write" : "read", msr, r ? r->name : "not in the policy");
        vcpu_inject_exception(v, VEC_GP, true, 0);
        return EXIT_RESUME;
    }
    if (!write) {
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action handle_rdmsr(struct vcpu *v) { return msr_access(v, 0); }
enum exit_action handle_wrmsr(struct vcpu *v) { return msr_access(v, 1); }
