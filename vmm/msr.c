/* Guest MSR policy and RDMSR/WRMSR exits. A denied access raises #GP in the guest, as a
 * CPU without that MSR would. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/exit.h"
#include "vmm/msr.h"
#include "kernel/lapic.h"
#include "kernel/vectors.h"
#include "vmm/virq.h"
#include "vmm/vcpu.h"
#include "vmm/vmx_ops.h"
#include "vmm/x2apic_check.h"

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

/* x2APIC registers (SDM vol. 3, table 11-6) beyond those of vmm/x2apic_check.h. */
#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_LDR 0x80d
#define X2APIC_ISR0 0x810
#define X2APIC_IRR7 0x827
#define X2APIC_TIMER_INIT 0x838
#define X2APIC_TIMER_CUR 0x839
#define X2APIC_TIMER_DIV 0x83e
#define MSR_TSC_DEADLINE_GUEST 0x6e0

static const struct msr_rule apic_rules[] = {
    /* The guest's own timer: programmed without exits. */
    { MSR_TSC_DEADLINE_GUEST, 0, MSR_PASS, MSR_PASS, "TSC_DEADLINE" },
    { X2APIC_TIMER_INIT, 0, MSR_PASS, MSR_PASS, "APIC timer initial count" },
    { X2APIC_TIMER_DIV, 0, MSR_PASS, MSR_PASS, "APIC timer divide" },
    { X2APIC_TIMER_CUR, 0, MSR_PASS, MSR_DENY, "APIC timer current count" },
    /* EOI: passed through for exitless guests except while a virtual interrupt is in
     * service (vmm/virq.c flips the bitmap bit); reading it faults as on hardware. */
    { X2APIC_EOI, 0, MSR_DENY, MSR_EMULATE, "APIC EOI" },
    /* Read-only state of this core's APIC. */
    { X2APIC_ID, 0, MSR_PASS, MSR_DENY, "APIC ID" },
    { X2APIC_VERSION, 0, MSR_PASS, MSR_DENY, "APIC version" },
    { X2APIC_LDR, 0, MSR_PASS, MSR_DENY, "APIC LDR" },
    { X2APIC_ISR0, X2APIC_IRR7, MSR_PASS, MSR_DENY, "APIC ISR/TMR/IRR" },
    { X2APIC_ESR, 0, MSR_PASS, MSR_PASS, "APIC ESR" },
    /* Validated: only the guest's own cores and vectors. */
    { X2APIC_ICR, 0, MSR_PASS, MSR_EMULATE, "APIC ICR" },
    { X2APIC_SELF_IPI, 0, MSR_DENY, MSR_EMULATE, "APIC self IPI" },
    { X2APIC_LVT_TIMER, 0, MSR_PASS, MSR_EMULATE, "APIC LVT timer" },
    /* The guest's own TPR value; the core's is capped below the hypervisor's classes. */
    { X2APIC_TPR, 0, MSR_EMULATE, MSR_EMULATE, "APIC TPR" },
    /* The hypervisor keeps these as it set them; guest writes are accepted and dropped. */
    { X2APIC_SVR, 0, MSR_PASS, MSR_EMULATE, "APIC SVR" },
    { X2APIC_LVT_CMCI, 0, MSR_PASS, MSR_EMULATE, "APIC LVT CMCI" },
    { X2APIC_LVT_TIMER + 1, X2APIC_LVT_ERROR, MSR_PASS, MSR_EMULATE, "APIC LVT" },
};

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
    { MSR_IA32_APIC_BASE, 0, MSR_EMULATE, MSR_DENY, "APIC_BASE" },
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
    if (lapic_x2apic_mode())
        for (size_t i = 0; i < sizeof(apic_rules) / sizeof(apic_rules[0]); i++)
            if (rule_covers(&apic_rules[i], msr))
                return &apic_rules[i];
    return NULL;
}

/* Bitmap quarters: read low, read high, write low, write high (1 KiB each). */
static void bitmap_set(uint8_t *bm, uint32_t msr, int write, bool exit)
{
    uint32_t base = write ? 2048 : 0;
    if (msr >= 0xc0000000u) {
        base += 1024;
        msr -= 0xc0000000u;
    }
    if (msr >= 0x2000)
        return;
    if (exit)
        bm[base + msr / 8] |= (uint8_t)(1u << (msr % 8));
    else
        bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

static void bitmap_allow(uint8_t *bm, uint32_t msr, int write)
{
    bitmap_set(bm, msr, write, false);
}

void msr_bitmap_trap_write(uint8_t *bm, uint32_t msr, bool trap)
{
    bitmap_set(bm, msr, 1, trap);
}

static void allow_rules(uint8_t *bm, const struct msr_rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (uint32_t m = r[i].msr; m <= (r[i].last ? r[i].last : r[i].msr); m++) {
            if (r[i].read == MSR_PASS)
                bitmap_allow(bm, m, 0);
            if (r[i].write == MSR_PASS)
                bitmap_allow(bm, m, 1);
        }
    }
}

void msr_bitmap_build(uint8_t *bm, bool exitless)
{
    memset(bm, 0xff, 4096);
    allow_rules(bm, rules, sizeof(rules) / sizeof(rules[0]));
    if (lapic_x2apic_mode()) {
        allow_rules(bm, apic_rules, sizeof(apic_rules) / sizeof(apic_rules[0]));
        if (exitless)
            bitmap_allow(bm, X2APIC_EOI, 1);
    }
}

/* The policy's MSR_PASS directions, one call per MSR and direction (the SVM MSRPM is built
 * from this; the VMX bitmap above is the same walk). */
static void pass_rules(const struct msr_rule *r, size_t n,
                       void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx)
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

void msr_pass_each(void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx, bool exitless)
{
    pass_rules(rules, sizeof(rules) / sizeof(rules[0]), fn, ctx);
    if (lapic_x2apic_mode()) {
        pass_rules(apic_rules, sizeof(apic_rules) / sizeof(apic_rules[0]), fn, ctx);
        if (exitless)
            fn(ctx, X2APIC_EOI, true);
    }
}

/* A guest's write to its core's APIC (vmm/guest.h: the guest owns the guest vector range on
 * its own cores and nothing else), checked against the architecture and that policy first;
 * what reaches the core's APIC is still written under a fixup. -1: the guest gets #GP. */
static bool guest_vector(uint8_t vec) { return vector_owner(vec) == VECTOR_GUEST; }

static void apic_denied(struct vcpu *v, const char *what, uint64_t val)
{
    if (v->denied_apic_writes++ < 4)
        log_warn("apic", "%s: %s %#lx refused (not its own core or vector)", v->guest->name,
                 what, val);
}

static int apic_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint32_t ids[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < v->guest->nvcpus; i++)
        ids[i] = v->guest->vcpus[i].apic_id;
    switch (x2apic_check_write(msr, val, ids, v->guest->nvcpus, guest_vector)) {
    case X2APIC_GP:
        return -1;
    case X2APIC_DENY:
        apic_denied(v, msr == X2APIC_ICR ? "IPI (ICR)" : msr == X2APIC_SELF_IPI ? "self IPI"
                                                                             : "LVT timer", val);
        return 0;
    case X2APIC_KEEP:
        return 0; /* SVR, LVT LINT/error/thermal/perf/CMCI: the hypervisor's settings stay */
    case X2APIC_WRITE:
        break;
    }
    if (msr == X2APIC_EOI) {
        virq_eoi(v);
        return 0;
    }
    if (msr == X2APIC_TPR) {
        v->tpr = (uint8_t)val;
        vcpu_set_tpr(v);
        return 0;
    }
    return wrmsr_safe(msr, val) ? -1 : 0;
}

static int emulate_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case X2APIC_TPR: *val = v->tpr; return 0;
    case MSR_EFER: *val = vmcs_read64(GUEST_IA32_EFER); return 0;
    case MSR_IA32_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED; return 0; /* VMX off */
    case MSR_IA32_APIC_BASE: return rdmsr_safe(msr, val) ? -1 : 0;
    case MSR_MISC_ENABLE:
        if (rdmsr_safe(msr, val))
            *val = MISC_ENABLE_FAST_STRINGS;
        return 0;
    case MSR_MTRR_DEF_TYPE: *val = MTRR_DEF_TYPE_ENABLED_WB; return 0;
    default: *val = 0; return 0; /* PLATFORM_ID, UCODE_REV, MTRRCAP, MCG_*: none */
    }
}

static int emulate_write(uint32_t msr, uint64_t val)
{
    if (msr == MSR_EFER) {
        if (val & ~(EFER_WRITABLE | EFER_LMA_BIT))
            return -1;
        uint64_t old = vmcs_read64(GUEST_IA32_EFER), lma = old & EFER_LMA_BIT;
        /* LME may not change while paging is on (SDM 2.2.1). */
        if ((vmcs_readl(CR0_READ_SHADOW) & CR0_PG) && ((val ^ old) & EFER_LME))
            return -1;
        vmcs_write64(GUEST_IA32_EFER, (val & EFER_WRITABLE) | lma);
        return 0;
    }
    return 0; /* MISC_ENABLE, UCODE_REV, MTRR_DEF_TYPE, MCG_STATUS: accepted, no effect */
}

static bool is_apic_msr(uint32_t msr)
{
    return (msr >= 0x800 && msr <= 0x8ff) || msr == MSR_TSC_DEADLINE_GUEST;
}

static enum exit_action msr_access(struct vcpu *v, int write)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    const struct msr_rule *r = msr_rule_find(msr);
    enum msr_policy p = r ? (write ? r->write : r->read) : MSR_DENY;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    int rc = -1;

    if (p == MSR_EMULATE && write && is_apic_msr(msr))
        rc = apic_write(v, msr, val);
    else if (p == MSR_EMULATE)
        rc = write ? emulate_write(msr, val) : emulate_read(v, msr, &val);
    else if (p == MSR_PASS)
        rc = write ? wrmsr_safe(msr, val) : rdmsr_safe(msr, &val); /* EOI when trapped, ... */
    if (rc) {
        log_debug("msr", "%s: %s of MSR %#x (%s) denied: #GP", v->guest->name,
                  write ? "write" : "read", msr, r ? r->name : "not in the policy");
        vcpu_inject_exception(VEC_GP, true, 0);
        return EXIT_RESUME;
    }
    if (!write) {
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
    }
    vcpu_skip_instruction();
    return EXIT_RESUME;
}

enum exit_action handle_rdmsr(struct vcpu *v) { return msr_access(v, 0); }
enum exit_action handle_wrmsr(struct vcpu *v) { return msr_access(v, 1); }
