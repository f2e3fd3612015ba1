/* Guest MSR policy and RDMSR/WRMSR exits. A denied access raises #GP in the guest, as a
 * CPU without that MSR would. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/access_census.h"
#include "vmm/exit.h"
#include "vmm/msr.h"
#include "vmm/msr_refused.h"
#include "vmm/intr/apic_msr.h"
#include "vmm/vcpu.h"

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_UCODE_REV 0x8b          /* AMD: PATCH_LEVEL, the same number */
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
#define MSR_AMD_HWCR 0xc0010015
#define MSR_AMD_INT_PENDING 0xc0010055 /* interrupt pending and C1E (APM vol. 2, 17.4) */

#define FEATURE_CONTROL_LOCKED 1ull
/* IA32_MISC_ENABLE (SDM vol. 4, table 2-2). */
#define MISC_ENABLE_FAST_STRINGS (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)
#define MISC_ENABLE_LIMIT_CPUID (1ull << 22)
#define MISC_ENABLE_XD_DISABLE (1ull << 34)
/* At reset: fast strings on; no branch trace or PEBS (no PMU); no SpeedStep, thermal
 * control, MONITOR, CPUID limit or XD disable. */
#define MISC_ENABLE_RESET (MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAIL | \
                           MISC_ENABLE_PEBS_UNAVAIL)
/* What the guest may change: fast strings (an optimization the architecture lets software
 * turn off without any visible difference, kept as its value) and the CPUID limit (which
 * vmm/cpuid.c honours). XD disable may only stay clear: NX cannot be taken away. */
#define MISC_ENABLE_WRITABLE (MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_LIMIT_CPUID)
/* MTRRs (SDM vol. 3, 12.11): MTRRCAP 0 says no variable ranges, no fixed ones, no WC;
 * DEF_TYPE has E (bit 11), FE (bit 10) and the default type; FE starts clear as there are no
 * fixed ranges. The guest's memory types come from EPT/NPT and its PAT: the value is kept and
 * read back but changes nothing. */
#define MTRR_DEF_TYPE_E (1ull << 11)
#define MTRR_DEF_TYPE_FE (1ull << 10)
#define MTRR_DEF_TYPE_TYPE 0xffull
#define MTRR_TYPE_WB 6ull
#define MTRR_DEF_TYPE_RESET (MTRR_DEF_TYPE_E | MTRR_TYPE_WB)
/* HWCR (AMD APM vol. 2, 3.2.10 / BKDG): TscFreqSel (bit 24), the TSC counts at the P0
 * rate: read only, and the only bit the guest sees. */
#define AMD_HWCR_TSC_FREQ_SEL (1ull << 24)
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
    { MSR_UCODE_REV, 0, MSR_EMULATE, MSR_EMULATE, "UCODE_REV" },
    { MSR_MTRRCAP, 0, MSR_EMULATE, MSR_DENY, "MTRRCAP" },
    { MSR_MTRR_DEF_TYPE, 0, MSR_EMULATE, MSR_EMULATE, "MTRR_DEF_TYPE" },
    /* Machine check architecture with no banks: Linux finds MCA and nothing to poll. */
    { MSR_MCG_CAP, 0, MSR_EMULATE, MSR_DENY, "MCG_CAP" },
    { MSR_MCG_STATUS, 0, MSR_EMULATE, MSR_EMULATE, "MCG_STATUS" },
};

/* One CPU vendor's own MSRs: they do not exist on the other's CPUs, whose guests get #GP.
 * The backend says which CPU this is (VMX runs on Intel, SVM on AMD). All emulated. */
static const struct msr_rule intel_rules[] = {
    { MSR_IA32_FEATURE_CONTROL, 0, MSR_EMULATE, MSR_DENY, "FEATURE_CONTROL" },
    { MSR_MISC_ENABLE, 0, MSR_EMULATE, MSR_EMULATE, "MISC_ENABLE" },
    { MSR_PLATFORM_ID, 0, MSR_EMULATE, MSR_DENY, "PLATFORM_ID" },
};
static const struct msr_rule amd_rules[] = {
    /* Linux reads HWCR for the TSC's P0 rate (family 10h on) and, under erratum 400
     * (family 0Fh/10h models, QEMU's default model among them), whether C1E is on. */
    { MSR_AMD_HWCR, 0, MSR_EMULATE, MSR_EMULATE, "HWCR" },
    { MSR_AMD_INT_PENDING, 0, MSR_EMULATE, MSR_DENY, "INT_PENDING_MSG" },
};

static bool rule_covers(const struct msr_rule *r, uint32_t msr)
{
    return msr == r->msr || (r->last && msr >= r->msr && msr <= r->last);
}

static const struct msr_rule *find_in(const struct msr_rule *r, size_t n, uint32_t msr)
{
    for (size_t i = 0; i < n; i++)
        if (rule_covers(&r[i], msr))
            return &r[i];
    return NULL;
}

const struct msr_rule *msr_rule_find(uint32_t msr)
{
    const struct msr_rule *r = find_in(rules, sizeof(rules) / sizeof(rules[0]), msr);
    if (!r && vendor == &vmx_vendor_ops)
        r = find_in(intel_rules, sizeof(intel_rules) / sizeof(intel_rules[0]), msr);
    if (!r && vendor == &svm_vendor_ops)
        r = find_in(amd_rules, sizeof(amd_rules) / sizeof(amd_rules[0]), msr);
    if (r)
        return r;
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
    case MSR_MISC_ENABLE: *val = v->msrs.misc_enable; return 0;
    case MSR_MTRR_DEF_TYPE: *val = v->msrs.mtrr_def_type; return 0;
    case MSR_AMD_HWCR: *val = AMD_HWCR_TSC_FREQ_SEL; return 0;
    /* PLATFORM_ID, UCODE_REV (no microcode revision to tell), MTRRCAP, MCG_CAP (no banks),
     * MCG_STATUS (no machine check in progress), INT_PENDING_MSG (C1E off): 0. */
    default: *val = 0; return 0;
    }
}

/* SDM vol. 3, 12.11.2.1: types UC, WC, WT, WP, WB; other bits reserved (#GP). */
static bool mtrr_def_type_valid(uint64_t val)
{
    uint64_t type = val & MTRR_DEF_TYPE_TYPE;
    return !(val & ~(MTRR_DEF_TYPE_TYPE | MTRR_DEF_TYPE_E | MTRR_DEF_TYPE_FE)) &&
           (type == 0 || type == 1 || type == 4 || type == 5 || type == 6);
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
    switch (msr) {
    case MSR_MISC_ENABLE:
        if ((val ^ v->msrs.misc_enable) & ~MISC_ENABLE_WRITABLE)
            return -1;          /* a bit it cannot change, XD disable among them */
        v->msrs.misc_enable = val;
        return 0;
    case MSR_MTRR_DEF_TYPE:
        if (!mtrr_def_type_valid(val))
            return -1;
        v->msrs.mtrr_def_type = val;
        return 0;
    case MSR_UCODE_REV:         /* writing 0 before CPUID is how the revision is read */
    case MSR_MCG_STATUS:        /* clearing it after a machine check: none happens */
        return val ? -1 : 0;
    case MSR_AMD_HWCR:          /* writes that keep it as it reads */
        return val == AMD_HWCR_TSC_FREQ_SEL ? 0 : -1;
    default:
        return -1;
    }
}

void msr_vcpu_reset(struct vcpu *v)
{
    v->msrs = (struct vcpu_msrs){ .misc_enable = MISC_ENABLE_RESET,
                                  .mtrr_def_type = MTRR_DEF_TYPE_RESET };
}

bool msr_guest_limits_cpuid(struct vcpu *v)
{
    return vendor == &vmx_vendor_ops && (v->msrs.misc_enable & MISC_ENABLE_LIMIT_CPUID);
}

/* Each refused (MSR, direction) once in the boot log at its first refusal. */
static void msr_refused(struct vcpu *v, uint32_t msr, bool write, const struct msr_rule *r)
{
    struct guest *g = v->guest;
    spin_lock(&g->msr_lock);
    bool first = msr_refused_note(&g->msr_refused, msr, write);
    spin_unlock(&g->msr_lock);
    if (first)
        log_info("msr", "%s: %s of MSR %#x (%s) refused: #GP (logged once)", g->name,
                 write ? "write" : "read", msr, r ? r->name : "not in the policy");
}

/* One census as stats lines; the caller holds g->msr_lock. */
static void census_lines(struct guest *g, const struct access_census *t, const char *what,
                         size_t (*key_text)(uint64_t key, char *b, size_t n))
{
    if (!t->n)
        return;
    log_info("stats", "%s: %u %s:", g->name, t->n, what);
    char line[160];
    for (uint32_t next = 0; next < t->n;) {
        access_census_format(t, &next, line, sizeof(line), key_text);
        log_info("stats", "%s:   %s", g->name, line);
    }
    if (t->untracked)
        log_info("stats", "%s:   %lu more, of keys beyond the table", g->name, t->untracked);
}

void msr_refused_report(struct guest *g)
{
    spin_lock(&g->msr_lock);
    const struct msr_refused *t = &g->msr_refused;
    if (t->n)
        log_info("stats", "%s: %u MSR accesses refused with #GP:", g->name, t->n);
    for (uint32_t i = 0; i < t->n; i++)
        log_info("stats", "%s:   MSR %#x %s: %lu refused", g->name, t->e[i].msr,
                 t->e[i].write ? "write" : "read", t->e[i].count);
    if (t->untracked)
        log_info("stats", "%s:   %lu more refusals of other MSRs", g->name, t->untracked);
    census_lines(g, &g->cpuid_seen, "CPUID leaves used (leaf[.sub-leaf]: count)", access_census_cpuid_text);
    census_lines(g, &g->msr_seen, "MSR exits (MSR, direction, what it got: count)", access_census_msr_text);
    spin_unlock(&g->msr_lock);
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
    spin_lock(&v->guest->msr_lock);
    access_census_note(&v->guest->msr_seen,
                       access_census_msr_key(msr, write, rc ? ACCESS_MSR_REFUSED
                                             : p == MSR_PASS ? ACCESS_MSR_PASSED : ACCESS_MSR_EMULATED));
    spin_unlock(&v->guest->msr_lock);
    if (rc) {
        msr_refused(v, msr, write, r);
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
