/* Guest MSR policy and RDMSR/WRMSR exits. A denied access raises #GP in the guest, as a
 * CPU without that MSR would. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/exit.h"
#include "vmm/msr.h"
#include "vmm/vmx_ops.h"

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

/* Sorted by nothing in particular: a dozen entries, searched linearly. */
static const struct msr_rule rules[] = {
    /* Switched by VMX on entry/exit or unused by the host: the guest's own. */
    { MSR_FS_BASE, MSR_PASS, MSR_PASS, "FS_BASE" },
    { MSR_GS_BASE, MSR_PASS, MSR_PASS, "GS_BASE" },
    { MSR_KERNEL_GS_BASE, MSR_PASS, MSR_PASS, "KERNEL_GS_BASE" },
    { MSR_STAR, MSR_PASS, MSR_PASS, "STAR" },
    { MSR_LSTAR, MSR_PASS, MSR_PASS, "LSTAR" },
    { MSR_CSTAR, MSR_PASS, MSR_PASS, "CSTAR" },
    { MSR_SFMASK, MSR_PASS, MSR_PASS, "SFMASK" },
    { MSR_SYSENTER_CS, MSR_PASS, MSR_PASS, "SYSENTER_CS" },
    { MSR_SYSENTER_ESP, MSR_PASS, MSR_PASS, "SYSENTER_ESP" },
    { MSR_SYSENTER_EIP, MSR_PASS, MSR_PASS, "SYSENTER_EIP" },
    { MSR_IA32_PAT, MSR_PASS, MSR_PASS, "PAT" },
    { MSR_TSC_AUX, MSR_PASS, MSR_PASS, "TSC_AUX" },
    { MSR_TSC, MSR_PASS, MSR_DENY, "TSC" },
    /* Emulated: what a guest expects to find, without touching the host's. */
    { MSR_EFER, MSR_EMULATE, MSR_EMULATE, "EFER" },
    { MSR_IA32_FEATURE_CONTROL, MSR_EMULATE, MSR_DENY, "FEATURE_CONTROL" },
    { MSR_IA32_APIC_BASE, MSR_EMULATE, MSR_DENY, "APIC_BASE" },
    { MSR_MISC_ENABLE, MSR_EMULATE, MSR_EMULATE, "MISC_ENABLE" },
    { MSR_PLATFORM_ID, MSR_EMULATE, MSR_DENY, "PLATFORM_ID" },
    { MSR_UCODE_REV, MSR_EMULATE, MSR_EMULATE, "UCODE_REV" },
    { MSR_MTRRCAP, MSR_EMULATE, MSR_DENY, "MTRRCAP" },
    { MSR_MTRR_DEF_TYPE, MSR_EMULATE, MSR_EMULATE, "MTRR_DEF_TYPE" },
    { MSR_MCG_CAP, MSR_EMULATE, MSR_DENY, "MCG_CAP" },
    { MSR_MCG_STATUS, MSR_EMULATE, MSR_EMULATE, "MCG_STATUS" },
};

const struct msr_rule *msr_rule_find(uint32_t msr)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].msr == msr)
            return &rules[i];
    return NULL;
}

/* Bitmap quarters: read low, read high, write low, write high (1 KiB each). */
static void bitmap_allow(uint8_t *bm, uint32_t msr, int write)
{
    uint32_t base = write ? 2048 : 0;
    if (msr >= 0xc0000000u) {
        base += 1024;
        msr -= 0xc0000000u;
    }
    if (msr < 0x2000)
        bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

void msr_bitmap_build(uint8_t *bm)
{
    memset(bm, 0xff, 4096);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].read == MSR_PASS)
            bitmap_allow(bm, rules[i].msr, 0);
        if (rules[i].write == MSR_PASS)
            bitmap_allow(bm, rules[i].msr, 1);
    }
}

static int emulate_read(uint32_t msr, uint64_t *val)
{
    switch (msr) {
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
        uint64_t lma = vmcs_read64(GUEST_IA32_EFER) & EFER_LMA_BIT;
        vmcs_write64(GUEST_IA32_EFER, (val & EFER_WRITABLE) | lma);
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

    if (p == MSR_EMULATE)
        rc = write ? emulate_write(msr, val) : emulate_read(msr, &val);
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
