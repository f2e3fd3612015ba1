/* Unit tests for the x2APIC write checks: every reserved bit of every register a guest's
 * write reaches the hypervisor for raises #GP (the review's ICR bit 13 and LVT timer bit 20
 * among them), and the policy: own cores, own vectors, fixed physical IPIs only. */
#include "check.h"
#include "vmm/intr/x2apic_check.h"

static bool guest_vec(uint8_t v) { return v >= 0x30 && v <= 0xdf; }
static const uint32_t own[] = { 1, 2 };

static enum x2apic_verdict w(uint32_t msr, uint64_t val)
{
    return x2apic_check_write(msr, val, own, 2, guest_vec);
}

/* Each single bit of `msr` over a valid base: #GP exactly for the bits listed. */
static void sweep(uint32_t msr, uint64_t base, uint64_t want_gp, const char *name)
{
    for (int bit = 0; bit < 64; bit++) {
        uint64_t val = base | (1ull << bit);
        if (val == base)
            continue;
        bool gp = w(msr, val) == X2APIC_GP;
        bool want = want_gp & (1ull << bit);
        CHECK(gp == want, "%s bit %d: %s", name, bit, gp ? "#GP" : "no #GP");
    }
}

static void test_reserved(void)
{
    CHECK(w(X2APIC_ICR, (1ull << 13) | 0x40 | (1ull << 32)) == X2APIC_GP, "ICR bit 13 (review)");
    CHECK(w(X2APIC_LVT_TIMER, (1u << 20) | 0x40) == X2APIC_GP, "LVT timer bit 20 (review)");
    /* ICR: 12-13, 16-17, 20-31; vector, mode, destination mode, level, trigger, shorthand and
     * the destination (32-63) are fields. */
    sweep(X2APIC_ICR, 0x40 | (1ull << 32), 0xfff33000ull, "ICR");
    sweep(X2APIC_LVT_TIMER, X2APIC_LVT_MASKED | 0x40, 0xfffffffffff8ef00ull, "LVT timer");
    sweep(X2APIC_TPR, 0, ~0xffull, "TPR");
    sweep(X2APIC_SELF_IPI, 0x40, ~0xffull, "self IPI");
    sweep(X2APIC_SVR, 0x1ff, ~0x13ffull, "SVR");
    sweep(X2APIC_LVT_LINT0, X2APIC_LVT_MASKED, ~0x1f7ffull, "LINT0");
    sweep(X2APIC_LVT_ERROR, X2APIC_LVT_MASKED, ~0x110ffull, "LVT error");
    sweep(X2APIC_LVT_CMCI, X2APIC_LVT_MASKED, ~0x117ffull, "LVT CMCI");
    CHECK(w(X2APIC_EOI, 0) == X2APIC_WRITE, "EOI 0");
    for (int bit = 0; bit < 64; bit++)
        CHECK(w(X2APIC_EOI, 1ull << bit) == X2APIC_GP, "EOI with bit %d", bit);
    CHECK(w(X2APIC_LVT_TIMER, (3u << 17) | 0x40) == X2APIC_GP, "timer mode 11b is reserved");
    CHECK(w(X2APIC_LVT_TIMER, (2u << 17) | 0x40) == X2APIC_WRITE, "TSC-deadline mode");
}

static void test_policy(void)
{
    CHECK(w(X2APIC_ICR, 0x40 | (2ull << 32)) == X2APIC_WRITE, "fixed IPI to an own core");
    CHECK(w(X2APIC_ICR, 0x40 | (3ull << 32)) == X2APIC_DENY, "another guest's core");
    CHECK(w(X2APIC_ICR, 0x40 | X2APIC_ICR_SHORTHAND_SELF) == X2APIC_WRITE, "self shorthand");
    CHECK(w(X2APIC_ICR, 0x40 | (3u << 18)) == X2APIC_DENY, "all-but-self");
    CHECK(w(X2APIC_ICR, 0x40 | (2u << 18)) == X2APIC_DENY, "all-including-self");
    CHECK(w(X2APIC_ICR, 0xf0 | (1ull << 32)) == X2APIC_DENY, "hypervisor vector 0xf0");
    CHECK(w(X2APIC_ICR, 0x40 | (4u << 8) | (1ull << 32)) == X2APIC_DENY, "NMI");
    CHECK(w(X2APIC_ICR, 0x40 | (5u << 8) | (1ull << 32)) == X2APIC_DENY, "INIT");
    CHECK(w(X2APIC_ICR, 0x40 | X2APIC_ICR_DEST_LOGICAL | (1ull << 32)) == X2APIC_DENY, "logical");
    CHECK(w(X2APIC_SELF_IPI, 0xe1) == X2APIC_DENY, "self IPI on a hypervisor vector");
    CHECK(w(X2APIC_SELF_IPI, 0x30) == X2APIC_WRITE, "self IPI 0x30");
    CHECK(w(X2APIC_LVT_TIMER, 0xfc) == X2APIC_DENY, "timer on the hypervisor's timer vector");
    CHECK(w(X2APIC_LVT_TIMER, 0xfc | X2APIC_LVT_MASKED) == X2APIC_WRITE, "masked timer");
    CHECK(w(X2APIC_TPR, 0xff) == X2APIC_WRITE, "TPR 0xff: the caller caps it");
    CHECK(w(X2APIC_SVR, 0x1ff) == X2APIC_KEEP, "SVR stays the hypervisor's");
    CHECK(w(X2APIC_LVT_LINT1, 0x400) == X2APIC_KEEP, "LINT1 stays the hypervisor's");
    CHECK(x2apic_reserved_bits(0x802) == 0, "an unlisted register");
}

int main(void)
{
    test_reserved();
    test_policy();
    return check_summary("x2apic_check");
}
