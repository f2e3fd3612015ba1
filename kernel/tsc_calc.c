/* TSC frequency arithmetic (see kernel/tsc_calc.h). */
#include "kernel/tsc_calc.h"

#define PPM 1000000u

const char *tsc_source_name(enum tsc_source src)
{
    static const char *const names[] = {
        [TSC_SRC_NONE] = "none",
        [TSC_SRC_CPUID_15] = "CPUID 0x15 crystal ratio",
        [TSC_SRC_CPUID_16] = "CPUID 0x16 base frequency",
        [TSC_SRC_HV_LEAF] = "hypervisor timing leaf 0x40000010",
        [TSC_SRC_PM_TIMER] = "ACPI PM timer measurement",
        [TSC_SRC_PIT] = "PIT channel 2 measurement",
    };
    return src <= TSC_SRC_PIT ? names[src] : "?";
}

uint64_t mul_div_u64(uint64_t a, uint64_t b, uint64_t c)
{
    /* a = q*c + r: a*b/c = q*b + r*b/c; r*b stays below c*b. */
    uint64_t q = a / c, r = a % c;
    return q * b + r * b / c;
}

uint64_t tsc_hz_from_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx)
{
    if (!eax || !ebx || !ecx)
        return 0;
    return mul_div_u64(ecx, ebx, eax);
}

uint64_t tsc_hz_from_cpuid16(uint32_t eax)
{
    return (uint64_t)(eax & 0xffffu) * 1000000u; /* EAX bits 15:0 */
}

uint32_t counter_delta(uint32_t start, uint32_t end, unsigned bits)
{
    uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
    return (end - start) & mask;
}

uint64_t tsc_hz_from_ticks(uint64_t tsc_delta, uint64_t ref_ticks, uint64_t ref_hz)
{
    return ref_ticks ? mul_div_u64(tsc_delta, ref_hz, ref_ticks) : 0;
}

bool hz_within_ppm(uint64_t a, uint64_t b, uint32_t ppm)
{
    uint64_t diff = a > b ? a - b : b - a;
    return mul_div_u64(diff, PPM, b ? b : 1) <= ppm;
}

static uint64_t err_capped(uint64_t err_ppm)
{
    return err_ppm < HZ_ERR_MAX_PPM ? err_ppm : HZ_ERR_MAX_PPM;
}

/* Allowed |a - b| in Hz. Each term is at most hz * 2 (err and ppm capped at 100%), so the
 * sum stays below 2^64 for any rate below ~3e18 Hz. */
static uint64_t agree_slack_hz(struct hz_estimate a, struct hz_estimate b, uint32_t ppm)
{
    uint64_t b_ppm = err_capped(b.err_ppm) + (ppm < PPM ? ppm : PPM);
    return mul_div_u64(a.hz, err_capped(a.err_ppm), PPM) + mul_div_u64(b.hz, b_ppm, PPM);
}

bool hz_agree(struct hz_estimate a, struct hz_estimate b, uint32_t ppm)
{
    if (!a.hz || !b.hz)
        return false;
    uint64_t diff = a.hz > b.hz ? a.hz - b.hz : b.hz - a.hz;
    return diff <= agree_slack_hz(a, b, ppm);
}

uint64_t hz_agree_tolerance_ppm(struct hz_estimate a, struct hz_estimate b, uint32_t ppm)
{
    return b.hz ? mul_div_u64(agree_slack_hz(a, b, ppm), PPM, b.hz) : 0;
}

int64_t hz_diff_ppm(uint64_t a, uint64_t b)
{
    if (!b)
        return 0;
    return a >= b ? (int64_t)mul_div_u64(a - b, PPM, b) : -(int64_t)mul_div_u64(b - a, PPM, b);
}

struct tsc_choice tsc_choose(uint64_t claim_hz, enum tsc_source claim_src, uint64_t measured_hz,
                             enum tsc_source measured_src)
{
    struct tsc_choice c = { 0, TSC_SRC_NONE, false };
    if (claim_hz && (!measured_hz || hz_within_ppm(claim_hz, measured_hz, TSC_AGREE_PPM))) {
        c.hz = claim_hz;
        c.source = claim_src;
    } else if (measured_hz) {
        c.hz = measured_hz;
        c.source = measured_src;
        c.claim_rejected = claim_hz != 0;
    }
    return c;
}
