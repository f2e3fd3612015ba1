/* x2APIC write checks (pure): reserved bits by register, then the hypervisor's policy. */
#include "vmm/intr/vector_policy.h"
#include "vmm/intr/x2apic_check.h"

#define BITS(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))
#define HIGH32 BITS(63, 32)

uint64_t x2apic_reserved_bits(uint32_t msr)
{
    switch (msr) {
    case X2APIC_TPR: return BITS(63, 8);
    case X2APIC_EOI: return ~0ull;
    case X2APIC_SVR: return HIGH32 | BITS(31, 13) | BITS(11, 10);     /* vector, enable, focus, EOI suppression */
    case X2APIC_ESR: return ~0ull;                                    /* write 0 only (SDM 11.5.3) */
    case X2APIC_LVT_CMCI:
    case X2APIC_LVT_THERMAL:
    case X2APIC_LVT_PERF: return HIGH32 | BITS(31, 17) | BITS(15, 13) | (1ull << 11);
    case X2APIC_LVT_LINT0:
    case X2APIC_LVT_LINT1: return HIGH32 | BITS(31, 17) | (1ull << 11);
    case X2APIC_LVT_ERROR: return HIGH32 | BITS(31, 17) | BITS(15, 13) | BITS(11, 8);
    case X2APIC_LVT_TIMER: return HIGH32 | BITS(31, 19) | BITS(15, 13) | BITS(11, 8);
    /* Bits 12-13 (delivery status, reserved in x2APIC mode), 16-17, 20-31; 32-63 are the
     * destination. */
    case X2APIC_ICR: return BITS(31, 20) | BITS(17, 16) | BITS(13, 12);
    case X2APIC_SELF_IPI: return BITS(63, 8);
    default: return 0;
    }
}

static bool own_apic(uint32_t id, const struct x2apic_rights *r)
{
    for (unsigned i = 0; i < r->napic; i++)
        if (r->apic_ids[i] == id)
            return true;
    return false;
}

static enum x2apic_verdict deny(const char **why, const char *what)
{
    *why = what;
    return X2APIC_DENY;
}

/* INIT and STARTUP (SDM 9.4, 11.6.1): only to one other core of the guest, physical, no
 * shorthand. The INIT level de-assert form is accepted and has no effect, as on every CPU
 * since the Pentium 4. */
static enum x2apic_verdict check_start_ipi(uint32_t lo, uint32_t dest, const struct x2apic_rights *r,
                                           const char **why)
{
    bool init = (lo & X2APIC_ICR_MODE_MASK) == X2APIC_ICR_MODE_INIT;
    if (init && !(lo & X2APIC_ICR_LEVEL_ASSERT) && (lo & X2APIC_ICR_TRIGGER_LEVEL))
        return X2APIC_IGNORE;
    if (lo & X2APIC_ICR_SHORTHAND_MASK)
        return deny(why, init ? "INIT with a shorthand" : "STARTUP with a shorthand");
    if (lo & X2APIC_ICR_DEST_LOGICAL)
        return deny(why, init ? "INIT to a logical destination" : "STARTUP to a logical destination");
    if (!own_apic(dest, r))
        return deny(why, init ? "INIT to a core that is not the guest's"
                              : "STARTUP to a core that is not the guest's");
    if (dest == r->self)
        return deny(why, init ? "INIT to itself" : "STARTUP to itself");
    return init ? X2APIC_INIT : X2APIC_SIPI;
}

static enum x2apic_verdict check_icr(uint64_t val, const struct x2apic_rights *r, const char **why)
{
    uint32_t lo = (uint32_t)val, dest = (uint32_t)(val >> 32);
    uint32_t mode = lo & X2APIC_ICR_MODE_MASK, shorthand = lo & X2APIC_ICR_SHORTHAND_MASK;
    if (mode == X2APIC_ICR_MODE_INIT || mode == X2APIC_ICR_MODE_STARTUP)
        return check_start_ipi(lo, dest, r, why);
    if (mode != X2APIC_ICR_MODE_FIXED)
        return deny(why, "IPI with a delivery mode other than fixed, INIT or STARTUP");
    if (!intr_mode_owns_vector(r->mode, (uint8_t)(lo & X2APIC_VECTOR_MASK)))
        return deny(why, "IPI on a vector that is not the guest's");
    if (shorthand == X2APIC_ICR_SHORTHAND_SELF)
        return X2APIC_WRITE;
    if (shorthand)
        return X2APIC_FIXED_OWN;
    if (lo & X2APIC_ICR_DEST_LOGICAL)
        return deny(why, "IPI to a logical destination");
    return own_apic(dest, r) ? X2APIC_WRITE : deny(why, "IPI to a core that is not the guest's");
}

enum x2apic_verdict x2apic_check_write(uint32_t msr, uint64_t val, const struct x2apic_rights *r,
                                       const char **why)
{
    *why = NULL;
    if (val & x2apic_reserved_bits(msr))
        return X2APIC_GP;
    uint32_t lo = (uint32_t)val;
    uint8_t vec = (uint8_t)(lo & X2APIC_VECTOR_MASK);
    switch (msr) {
    case X2APIC_ICR:
        return check_icr(val, r, why);
    case X2APIC_SELF_IPI:
        return intr_mode_owns_vector(r->mode, vec) ? X2APIC_WRITE
                                                   : deny(why, "self IPI on a vector that is not the guest's");
    case X2APIC_LVT_TIMER:
        if ((lo & X2APIC_TIMER_MODE_MASK) == X2APIC_TIMER_MODE_RESERVED)
            return X2APIC_GP;
        return (lo & X2APIC_LVT_MASKED) || intr_mode_owns_vector(r->mode, vec)
                   ? X2APIC_WRITE : deny(why, "LVT timer on a vector that is not the guest's");
    case X2APIC_TPR:
    case X2APIC_EOI:
        return X2APIC_WRITE;  /* the caller virtualizes these */
    default:
        return X2APIC_KEEP;
    }
}

uint8_t x2apic_ppr(uint8_t tpr, int isr_highest)
{
    uint8_t isrv = isr_highest < 0 ? 0 : (uint8_t)isr_highest;
    return (tpr >> 4) >= (isrv >> 4) ? tpr : (uint8_t)(isrv & 0xf0);
}
