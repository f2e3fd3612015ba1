/* x2APIC write checks (pure): reserved bits by register, then the hypervisor's policy. */
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

static bool own_apic(uint32_t id, const uint32_t *ids, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

enum x2apic_verdict x2apic_check_write(uint32_t msr, uint64_t val, const uint32_t *apic_ids,
                                       unsigned napic, bool (*guest_vector)(uint8_t vector))
{
    if (val & x2apic_reserved_bits(msr))
        return X2APIC_GP;
    uint32_t lo = (uint32_t)val;
    uint8_t vec = (uint8_t)(lo & X2APIC_VECTOR_MASK);
    switch (msr) {
    case X2APIC_ICR: {
        uint32_t shorthand = lo & X2APIC_ICR_SHORTHAND_MASK;
        bool ok = (lo & X2APIC_ICR_MODE_MASK) == 0 && !(lo & X2APIC_ICR_DEST_LOGICAL) &&
                  guest_vector(vec) &&
                  (shorthand == X2APIC_ICR_SHORTHAND_SELF ||
                   (shorthand == 0 && own_apic((uint32_t)(val >> 32), apic_ids, napic)));
        return ok ? X2APIC_WRITE : X2APIC_DENY;
    }
    case X2APIC_SELF_IPI:
        return guest_vector(vec) ? X2APIC_WRITE : X2APIC_DENY;
    case X2APIC_LVT_TIMER:
        if ((lo & X2APIC_TIMER_MODE_MASK) == X2APIC_TIMER_MODE_RESERVED)
            return X2APIC_GP;
        return (lo & X2APIC_LVT_MASKED) || guest_vector(vec) ? X2APIC_WRITE : X2APIC_DENY;
    case X2APIC_TPR:
    case X2APIC_EOI:
        return X2APIC_WRITE;  /* the caller virtualizes these */
    default:
        return X2APIC_KEEP;
    }
}
