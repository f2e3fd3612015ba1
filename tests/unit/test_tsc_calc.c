/* Host tests of the TSC frequency arithmetic: CPUID decoding, counter wrap, agreement
 * within measured uncertainty, choice rules. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/tsc_calc.h"
#include "check.h"

static void test_mul_div(void)
{
    CHECK_EQ_U64(mul_div_u64(10, 3, 4), 7, "small");
    /* a*b overflows 64 bits but the result does not: 5e9 cycles * 3579545 / 178977. */
    CHECK_EQ_U64(mul_div_u64(5000000000ull, PM_TIMER_HZ, 178977), 100000139682ull,
                 "no overflow in a*b");
    CHECK_EQ_U64(mul_div_u64(UINT64_MAX, 1, 1), UINT64_MAX, "identity at the top");
    CHECK_EQ_U64(mul_div_u64(1ull << 40, 1000000, 1ull << 20), 1000000ull << 20,
                 "exact powers of two");
}

static void test_cpuid(void)
{
    /* Skylake client: 24 MHz crystal, ratio 2 * 0x2c / 2 ... e.g. EAX=2 EBX=176 -> 2.112 GHz. */
    CHECK_EQ_U64(tsc_hz_from_cpuid15(2, 176, 24000000), 2112000000ull, "crystal ratio");
    CHECK_EQ_U64(tsc_hz_from_cpuid15(3, 250, 25000000), 2083333333ull, "rounds down");
    CHECK_EQ_U64(tsc_hz_from_cpuid15(2, 176, 0), 0, "no crystal frequency enumerated");
    CHECK_EQ_U64(tsc_hz_from_cpuid15(0, 176, 24000000), 0, "no ratio enumerated");
    CHECK_EQ_U64(tsc_hz_from_cpuid16(3500), 3500000000ull, "Bochs leaf 0x16 claim");
    CHECK_EQ_U64(tsc_hz_from_cpuid16(0xabcd0000u | 2400), 2400000000ull,
                 "only EAX bits 15:0 count");
}

static void test_counter_delta(void)
{
    CHECK_EQ_U64(counter_delta(100, 300, 24), 200, "no wrap");
    CHECK_EQ_U64(counter_delta(0xfffff0, 0x10, 24), 0x20, "24-bit wrap");
    CHECK_EQ_U64(counter_delta(0xfffffff0u, 0x10, 32), 0x20, "32-bit wrap");
    CHECK_EQ_U64(counter_delta(0x10fffff0, 0x00000010, 24), 0x20,
                 "bits above 24 (garbage from a 32-bit read) are ignored");
}

static void test_from_ticks(void)
{
    /* 50 ms of the PM timer (178977 ticks) during 2.5e6 TSC cycles = 50 MHz (Bochs ips). */
    uint64_t hz = tsc_hz_from_ticks(2500000, 178977, PM_TIMER_HZ);
    CHECK(hz_within_ppm(hz, 50000000, 100), "50 MHz from PM ticks, got %llu",
          (unsigned long long)hz);
    CHECK_EQ_U64(tsc_hz_from_ticks(1193182, PIT_HZ, PIT_HZ), PIT_HZ, "1 s of PIT");
    CHECK_EQ_U64(tsc_hz_from_ticks(123, 0, PIT_HZ), 0, "no reference ticks");
}

static void test_ppm(void)
{
    CHECK(hz_within_ppm(1010, 1000, TSC_AGREE_PPM), "exactly 1%% is within");
    CHECK(!hz_within_ppm(1011, 1000, TSC_AGREE_PPM), "1.1%% is not");
    CHECK(!hz_within_ppm(989, 1000, TSC_AGREE_PPM), "-1.1%% is not");
    CHECK(!hz_within_ppm(5, 0, TSC_AGREE_PPM), "against zero");
    CHECK_EQ_U64(hz_diff_ppm(3500000000ull, 50000000), 69000000, "Bochs claim vs ips");
    CHECK(hz_diff_ppm(990, 1000) == -10000, "negative difference, got %lld",
          (long long)hz_diff_ppm(990, 1000));
}

/* Agreement with uncertainty: the measured endpoints' brackets widen the tolerance. */
static void test_agree(void)
{
    struct hz_estimate pm = { 2100000000ull, 0 }, pit = { 2121000000ull, 0 };
    CHECK(hz_agree(pit, pm, TSC_AGREE_PPM), "exact values exactly 1%% apart agree");
    pit.hz = 2121000001ull;
    CHECK(!hz_agree(pit, pm, TSC_AGREE_PPM), "exact values just over 1%% apart do not");
    CHECK(hz_agree(pm, pit, TSC_AGREE_PPM), "the 1%% is of the second (the reference)");
    /* Busy host: the PIT sample could not be pinned down better than 12% (2352 vs 2100 MHz). */
    pit = (struct hz_estimate){ 2352000000ull, 90000 };
    CHECK(!hz_agree(pit, pm, TSC_AGREE_PPM), "252 MHz apart, 9%% of 2352 MHz + 1%% is short");
    pit.err_ppm = 100000;
    CHECK(hz_agree(pit, pm, TSC_AGREE_PPM), "10%% of 2352 MHz + 1%% of 2100 MHz covers it");
    CHECK_EQ_U64(hz_agree_tolerance_ppm(pit, pm, TSC_AGREE_PPM), 122000, "tolerance in ppm");
    /* An uncertain measurement cannot excuse a wrong rate outside its own bracket. */
    pit = (struct hz_estimate){ 1050000000ull, 20000 };
    CHECK(!hz_agree(pit, pm, TSC_AGREE_PPM), "half the rate, 2%% uncertain: disagree");
    CHECK(!hz_agree((struct hz_estimate){ 0, 0 }, pm, TSC_AGREE_PPM), "0 Hz never agrees");
    CHECK(!hz_agree(pm, (struct hz_estimate){ 0, 0 }, TSC_AGREE_PPM), "nor against 0 Hz");
    /* A failed bracket (UINT64_MAX) is capped at 100%, no overflow. */
    pit = (struct hz_estimate){ 4000000000ull, UINT64_MAX };
    CHECK(hz_agree(pit, pm, TSC_AGREE_PPM), "unbounded uncertainty bounds nothing");
    CHECK(!hz_agree((struct hz_estimate){ 1000000000ull, UINT64_MAX }, pm, TSC_AGREE_PPM),
          "capped at 100%%: 1 GHz +- 1 GHz does not reach 2.1 GHz");
}

static void test_choose(void)
{
    struct tsc_choice c;
    /* Bochs: CPUID claims 3.5 GHz, the PM timer measures ips = 50 MHz. */
    c = tsc_choose(3500000000ull, TSC_SRC_CPUID_16, 49999253, TSC_SRC_PM_TIMER);
    CHECK(c.hz == 49999253 && c.source == TSC_SRC_PM_TIMER && c.claim_rejected,
          "Bochs: the measurement wins");
    /* Real hardware: claim confirmed within 1%: the (exact) claim is used. */
    c = tsc_choose(2112000000ull, TSC_SRC_CPUID_15, 2113500000ull, TSC_SRC_PM_TIMER);
    CHECK(c.hz == 2112000000ull && c.source == TSC_SRC_CPUID_15 && !c.claim_rejected,
          "confirmed claim is kept");
    /* QEMU TCG: no claim at all. */
    c = tsc_choose(0, TSC_SRC_NONE, 2299637889ull, TSC_SRC_PM_TIMER);
    CHECK(c.hz == 2299637889ull && c.source == TSC_SRC_PM_TIMER && !c.claim_rejected,
          "measurement only");
    c = tsc_choose(2000000000ull, TSC_SRC_HV_LEAF, 0, TSC_SRC_PIT);
    CHECK(c.hz == 2000000000ull && c.source == TSC_SRC_HV_LEAF, "claim only");
    c = tsc_choose(0, TSC_SRC_NONE, 0, TSC_SRC_PIT);
    CHECK(c.hz == 0 && c.source == TSC_SRC_NONE, "nothing known");
    CHECK_STREQ(tsc_source_name(TSC_SRC_PIT), "PIT channel 2 measurement", "source names");
}

int main(void)
{
    test_mul_div();
    test_cpuid();
    test_counter_delta();
    test_from_ticks();
    test_ppm();
    test_agree();
    test_choose();
    return check_summary("tsc_calc");
}
