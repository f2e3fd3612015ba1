/* Unit tests for the x2APIC write checks: every reserved bit of every register a guest's
 * write reaches the hypervisor for raises #GP (the review's ICR bit 13 and LVT timer bit 20
 * among them), and the policy: own cores, own vectors, fixed physical IPIs only. */
#include "check.h"
#include "vmm/intr/x2apic_check.h"

static const uint32_t own[] = { 1, 2 };
static enum intr_mode mode = INTR_INJECTED;

/* As vCPU 0 (APIC id 1) of a guest on APIC ids 1 and 2. */
static enum x2apic_verdict w(uint32_t msr, uint64_t val)
{
    const struct x2apic_rights r = { .apic_ids = own, .napic = 2, .self = 1, .mode = mode };
    const char *why;
    enum x2apic_verdict v = x2apic_check_write(msr, val, &r, &why);
    CHECK((v == X2APIC_DENY) == (why != NULL), "a reason exactly for refusals (%#x %#lx)", msr,
          (unsigned long)val);
    return v;
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
    CHECK(w(X2APIC_ICR, 0x40 | (3u << 18)) == X2APIC_FIXED_OWN, "all-but-self: own cores");
    CHECK(w(X2APIC_ICR, 0x40 | (2u << 18)) == X2APIC_FIXED_OWN, "all-including-self: own cores");
    CHECK(w(X2APIC_ICR, 0xf0 | (3u << 18)) == X2APIC_DENY, "all-but-self, hypervisor vector");
    CHECK(w(X2APIC_ICR, 0xf0 | (1ull << 32)) == X2APIC_DENY, "hypervisor vector 0xf0");
    CHECK(w(X2APIC_ICR, 0x40 | (4u << 8) | (1ull << 32)) == X2APIC_DENY, "NMI");
    CHECK(w(X2APIC_ICR, 0x40 | (2u << 8) | (2ull << 32)) == X2APIC_DENY, "SMI to an own core");
    CHECK(w(X2APIC_ICR, 0x40 | (1u << 8) | (2ull << 32)) == X2APIC_DENY, "lowest priority");
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

/* INIT and STARTUP (SDM 9.4.4): to the guest's other cores only. */
static void test_start_ipis(void)
{
    const uint64_t init = 0x4500, deassert = 0x8500, sipi = 0x4608;
    CHECK(w(X2APIC_ICR, init | (2ull << 32)) == X2APIC_INIT, "INIT to its other core");
    CHECK(w(X2APIC_ICR, deassert | (2ull << 32)) == X2APIC_IGNORE, "INIT de-assert ignored");
    CHECK(w(X2APIC_ICR, deassert | (3ull << 32)) == X2APIC_IGNORE, "de-assert: no effect anywhere");
    CHECK(w(X2APIC_ICR, sipi | (2ull << 32)) == X2APIC_SIPI, "STARTUP to its other core");
    CHECK(w(X2APIC_ICR, (sipi & ~0xffull) | 0x9f | (2ull << 32)) == X2APIC_SIPI, "any start page");
    CHECK(w(X2APIC_ICR, init | (3ull << 32)) == X2APIC_DENY, "INIT to another guest's core");
    CHECK(w(X2APIC_ICR, sipi | (3ull << 32)) == X2APIC_DENY, "STARTUP to another guest's core");
    CHECK(w(X2APIC_ICR, init | (1ull << 32)) == X2APIC_DENY, "INIT to itself");
    CHECK(w(X2APIC_ICR, sipi | (1ull << 32)) == X2APIC_DENY, "STARTUP to itself");
    CHECK(w(X2APIC_ICR, init | (3u << 18)) == X2APIC_DENY, "INIT all-but-self");
    CHECK(w(X2APIC_ICR, sipi | (2u << 18)) == X2APIC_DENY, "STARTUP to all");
    CHECK(w(X2APIC_ICR, init | X2APIC_ICR_DEST_LOGICAL | (2ull << 32)) == X2APIC_DENY, "INIT logical");
    CHECK(w(X2APIC_ICR, sipi | X2APIC_ICR_DEST_LOGICAL | (2ull << 32)) == X2APIC_DENY, "SIPI logical");
}

/* Exitless guests own every vector 0x20-0xff; injected ones 0x30-0xdf. */
static void test_modes(void)
{
    mode = INTR_EXITLESS;
    CHECK(w(X2APIC_LVT_TIMER, 0xec) == X2APIC_WRITE, "exitless: timer on 0xec (Linux)");
    CHECK(w(X2APIC_SELF_IPI, 0xfd) == X2APIC_WRITE, "exitless: self IPI 0xfd");
    CHECK(w(X2APIC_ICR, 0xfc | (2ull << 32)) == X2APIC_WRITE, "exitless: IPI 0xfc to its core");
    CHECK(w(X2APIC_ICR, 0xfc | (3ull << 32)) == X2APIC_DENY, "exitless: still only its cores");
    CHECK(w(X2APIC_ICR, 0x20 | (4u << 8) | (2ull << 32)) == X2APIC_DENY, "exitless: no NMI");
    CHECK(w(X2APIC_SELF_IPI, 0x1f) == X2APIC_DENY, "exitless: not an exception vector");
    CHECK(w(X2APIC_LVT_TIMER, 0x20) == X2APIC_WRITE, "exitless: 0x20");
    mode = INTR_INJECTED;
    CHECK(w(X2APIC_LVT_TIMER, 0xec) == X2APIC_DENY, "injected: 0xec is the hypervisor's");
    CHECK(w(X2APIC_LVT_TIMER, 0x20) == X2APIC_DENY, "injected: 0x20 is the 8259's");
}

static void test_ppr(void)
{
    CHECK(x2apic_ppr(0, -1) == 0, "nothing in service");
    CHECK(x2apic_ppr(0x35, -1) == 0x35, "TPR alone");
    CHECK(x2apic_ppr(0x20, 0x41) == 0x40, "in-service class above the TPR");
    CHECK(x2apic_ppr(0x45, 0x41) == 0x45, "same class: the TPR");
    CHECK(x2apic_ppr(0x10, 0xec) == 0xe0, "0xec in service");
}

int main(void)
{
    test_reserved();
    test_policy();
    test_start_ipis();
    test_modes();
    test_ppr();
    return check_summary("x2apic_check");
}
