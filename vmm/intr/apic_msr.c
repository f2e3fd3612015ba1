/* The APIC base MSR and the x2APIC registers a guest reaches (vmm/intr/apic_msr.h).
 *
 * The hypervisor starts every guest core with its APIC enabled in x2APIC mode and it stays
 * there: the APIC base MSR reads 0xfee00000 | enable | x2APIC enable, with the BSP flag on
 * the guest's vCPU 0 only; a write of that same value is accepted (an OS writes back what it
 * read), any other (disable, leave x2APIC mode, move the base) raises #GP and is logged once
 * per vCPU. Every architectural x2APIC register is readable (table 11-6): the core's own
 * state passes through, TPR and PPR are the guest's (its TPR is virtual, vmm/vcpu.c). Writes
 * that exit are checked (vmm/intr/x2apic_check.c) and every refusal is logged, rate-limited:
 * a refused IPI/LVT write, and a write of SVR or an LVT the hypervisor keeps as it set them
 * when it would change the value (once per register and vCPU). */
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "vmm/intr/apic_msr.h"
#include "vmm/intr/apic_start.h"
#include "vmm/intr/virq.h"
#include "vmm/intr/x2apic_check.h"
#include "vmm/vcpu.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_DEFAULT 0xfee00000ull
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)     /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)

/* x2APIC registers (SDM vol. 3, table 11-6) beyond those of vmm/intr/x2apic_check.h. */
#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_PPR 0x80a
#define X2APIC_LDR 0x80d
#define X2APIC_ISR0 0x810
#define X2APIC_IRR7 0x827
#define X2APIC_TIMER_INIT 0x838
#define X2APIC_TIMER_CUR 0x839
#define X2APIC_TIMER_DIV 0x83e
#define MSR_TSC_DEADLINE_GUEST 0x6e0
#define X2APIC_FIRST 0x800
#define X2APIC_LAST 0x8ff

static const struct msr_rule base_rule = {
    MSR_APIC_BASE, 0, MSR_EMULATE, MSR_EMULATE, "APIC_BASE"
};

static const struct msr_rule x2apic_rules[] = {
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
    /* The guest's own TPR value, and the priority it gives; the core's TPR is capped below
     * the hypervisor's classes. */
    { X2APIC_TPR, 0, MSR_EMULATE, MSR_EMULATE, "APIC TPR" },
    { X2APIC_PPR, 0, MSR_EMULATE, MSR_DENY, "APIC PPR" },
    /* The hypervisor keeps these as it set them; guest writes are accepted and dropped
     * (logged once per register when they would change it). */
    { X2APIC_SVR, 0, MSR_PASS, MSR_EMULATE, "APIC SVR" },
    { X2APIC_LVT_CMCI, 0, MSR_PASS, MSR_EMULATE, "APIC LVT CMCI" },
    { X2APIC_LVT_TIMER + 1, X2APIC_LVT_ERROR, MSR_PASS, MSR_EMULATE, "APIC LVT" },
};
#define NRULES (sizeof(x2apic_rules) / sizeof(x2apic_rules[0]))

static bool covers(const struct msr_rule *r, uint32_t msr)
{
    return msr == r->msr || (r->last && msr >= r->msr && msr <= r->last);
}

const struct msr_rule *apic_msr_rule(uint32_t msr)
{
    if (msr == MSR_APIC_BASE)
        return &base_rule;
    if (!lapic_x2apic_mode())
        return NULL;
    for (unsigned i = 0; i < NRULES; i++)
        if (covers(&x2apic_rules[i], msr))
            return &x2apic_rules[i];
    return NULL;
}

void apic_msr_pass_each(msr_pass_fn fn, void *ctx, bool exitless)
{
    if (!lapic_x2apic_mode())
        return;
    for (unsigned i = 0; i < NRULES; i++) {
        const struct msr_rule *r = &x2apic_rules[i];
        for (uint32_t m = r->msr; m <= (r->last ? r->last : r->msr); m++) {
            if (r->read == MSR_PASS)
                fn(ctx, m, false);
            if (r->write == MSR_PASS)
                fn(ctx, m, true);
        }
    }
    if (exitless)
        fn(ctx, X2APIC_EOI, true);
}

static uint64_t apic_base_value(const struct vcpu *v)
{
    return APIC_BASE_DEFAULT | APIC_BASE_EN | (lapic_x2apic_mode() ? APIC_BASE_EXTD : 0) |
           (v->index == 0 ? APIC_BASE_BSP : 0);
}

/* Highest vector in service, virtual or the core's own. */
static int isr_highest(const struct vcpu *v)
{
    int best = -1;
    for (int w = 3; w >= 0 && best < 0; w--)
        if (v->visr[w])
            best = w * 64 + 63 - __builtin_clzll(v->visr[w]);
    for (int i = 7; i >= 0; i--) {
        uint64_t bits;
        if (rdmsr_safe(X2APIC_ISR0 + (uint32_t)i, &bits) == 0 && (uint32_t)bits) {
            int phys = i * 32 + 31 - __builtin_clz((uint32_t)bits);
            return phys > best ? phys : best;
        }
    }
    return best;
}

int apic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_APIC_BASE: *val = apic_base_value(v); return 0;
    case X2APIC_TPR: *val = v->tpr; return 0;
    case X2APIC_PPR: *val = x2apic_ppr(v->tpr, isr_highest(v)); return 0;
    default: return -1;
    }
}

static void refused(struct vcpu *v, const char *why, uint32_t msr, uint64_t val)
{
    uint64_t n = ++v->denied_apic_writes;
    if (n <= 4 || !(n & (n - 1)))
        log_warn("apic", "%s: vCPU %u: %s refused (MSR %#x value %#lx; %lu refused so far)",
                 v->guest->name, v->index, why, msr, val, n);
}

/* SVR and the LVTs the hypervisor keeps: a write that would change one is logged once per
 * register and vCPU (it is the hypervisor's setting that counts: kernel/lapic.c). */
static void kept(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t cur, bit = 1ull << (msr & 63);
    if (rdmsr_safe(msr, &cur) || cur == val || (v->apic_kept_logged & bit))
        return;
    v->apic_kept_logged |= bit;
    const struct msr_rule *r = apic_msr_rule(msr);
    log_info("apic", "%s: vCPU %u: write %#lx to %s (MSR %#x) not applied: the hypervisor "
             "keeps %#lx (logged once)", v->guest->name, v->index, val, r ? r->name : "APIC",
             msr, cur);
}

static struct vcpu *vcpu_of_apic(struct guest *g, uint32_t apic_id)
{
    for (uint32_t i = 0; i < g->nvcpus; i++)
        if (g->vcpus[i].apic_id == apic_id)
            return &g->vcpus[i];
    return NULL;
}

/* A fixed IPI with the all / all-but-self shorthand: one IPI to each of the guest's cores. */
static int fixed_to_own(struct vcpu *v, uint64_t val)
{
    uint32_t lo = (uint32_t)val & ~X2APIC_ICR_SHORTHAND_MASK;
    bool self = ((uint32_t)val & X2APIC_ICR_SHORTHAND_MASK) == X2APIC_ICR_SHORTHAND_ALL;
    for (uint32_t i = 0; i < v->guest->nvcpus; i++) {
        const struct vcpu *o = &v->guest->vcpus[i];
        if ((o != v || self) && wrmsr_safe(X2APIC_ICR, ((uint64_t)o->apic_id << 32) | lo))
            return -1;
    }
    return 0;
}

static int write_apic_base(struct vcpu *v, uint64_t val)
{
    uint64_t want = apic_base_value(v);
    if (val == want)
        return 0;
    if (!v->apic_base_logged) {
        v->apic_base_logged = true;
        log_warn("apic", "%s: vCPU %u: APIC base write %#lx refused with #GP: the APIC stays "
                 "enabled in x2APIC mode at %#lx (logged once)", v->guest->name, v->index, val,
                 want);
    }
    return -1;
}

int apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr == MSR_APIC_BASE)
        return write_apic_base(v, val);
    struct guest *g = v->guest;
    uint32_t ids[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        ids[i] = g->vcpus[i].apic_id;
    const struct x2apic_rights rights = { .apic_ids = ids, .napic = g->nvcpus,
                                          .self = v->apic_id, .mode = g->intr_mode };
    const char *why;
    switch (x2apic_check_write(msr, val, &rights, &why)) {
    case X2APIC_GP:
        return -1;
    case X2APIC_DENY:
        refused(v, why, msr, val);
        return 0;
    case X2APIC_KEEP:
        kept(v, msr, val);
        return 0;
    case X2APIC_IGNORE:
        return 0;
    case X2APIC_INIT:
        apic_start_init(v, vcpu_of_apic(g, (uint32_t)(val >> 32)));
        return 0;
    case X2APIC_SIPI:
        apic_start_sipi(v, vcpu_of_apic(g, (uint32_t)(val >> 32)),
                        (uint8_t)(val & X2APIC_VECTOR_MASK));
        return 0;
    case X2APIC_FIXED_OWN:
        return fixed_to_own(v, val);
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
