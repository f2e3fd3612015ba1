/* TSC frequency arithmetic: CPUID decoding, reference-clock conversion, cross-check and choice.
 * Pure integer code (no floating point, no 128-bit division), shared with the host tests. */
#ifndef EXITLESS_KERNEL_TSC_CALC_H
#define EXITLESS_KERNEL_TSC_CALC_H

#include <stdbool.h>
#include <stdint.h>

#define PM_TIMER_HZ 3579545u   /* ACPI PM timer (ACPI 6.5 section 4.8.3.3) */
#define PIT_HZ      1193182u   /* 8254 input clock */
#define TSC_AGREE_PPM 10000u   /* 1%: CPUID's claim must match a measurement this closely */

enum tsc_source {
    TSC_SRC_NONE,
    TSC_SRC_CPUID_15,  /* crystal clock * ratio (SDM vol. 2, CPUID leaf 15H) */
    TSC_SRC_CPUID_16,  /* processor base frequency in MHz (leaf 16H) */
    TSC_SRC_HV_LEAF,   /* hypervisor timing leaf 0x40000010 EAX = TSC kHz */
    TSC_SRC_PM_TIMER,  /* measured against the ACPI PM timer */
    TSC_SRC_PIT,       /* measured against PIT channel 2 */
};

const char *tsc_source_name(enum tsc_source src);

/* a * b / c without overflow for a*b up to ~2^64 * c (c > 0); no 128-bit division. */
uint64_t mul_div_u64(uint64_t a, uint64_t b, uint64_t c);

/* CPUID.15H: EAX denominator, EBX numerator, ECX crystal Hz; 0 when not enumerated. */
uint64_t tsc_hz_from_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx);
/* CPUID.16H EAX: base MHz; 0 when not enumerated. */
uint64_t tsc_hz_from_cpuid16(uint32_t eax);

/* Ticks between two reads of a `bits`-wide up-counter (24 or 32 bits), one wrap allowed. */
uint32_t counter_delta(uint32_t start, uint32_t end, unsigned bits);

/* TSC Hz from `tsc_delta` cycles that took `ref_ticks` of a `ref_hz` clock. */
uint64_t tsc_hz_from_ticks(uint64_t tsc_delta, uint64_t ref_ticks, uint64_t ref_hz);

/* |a - b| <= b * ppm / 1e6 */
bool hz_within_ppm(uint64_t a, uint64_t b, uint32_t ppm);

/* Signed difference a vs b in parts per million of b (for the log). */
int64_t hz_diff_ppm(uint64_t a, uint64_t b);

/* A frequency and how far off it may be. A measurement's err_ppm is the TSC time spent
 * around the reference-clock reads that fix its two endpoints, in ppm of the interval: the
 * true endpoints lie inside those brackets and the rate is linear in the TSC interval, so
 * the true rate lies within hz * err_ppm / 1e6 (twice the need: midpoints are used). 0 for a
 * value that is not measured (a claim, a configured rate). A busy host widens err_ppm; it
 * cannot move the truth outside it. */
struct hz_estimate {
    uint64_t hz;
    uint64_t err_ppm;
};

#define HZ_ERR_MAX_PPM 1000000u /* beyond 100% a measurement bounds nothing: capped there */

/* a and b could be the same rate to within ppm, given their uncertainties:
 * |a - b| <= a.hz * a.err + b.hz * (b.err + ppm) (all in ppm). False if either is 0 Hz. */
bool hz_agree(struct hz_estimate a, struct hz_estimate b, uint32_t ppm);
/* The tolerance hz_agree allows, in ppm of b.hz (for the log). */
uint64_t hz_agree_tolerance_ppm(struct hz_estimate a, struct hz_estimate b, uint32_t ppm);

struct tsc_choice {
    uint64_t hz;
    enum tsc_source source;
    bool claim_rejected; /* CPUID claimed a frequency the measurement contradicts */
};

/* The claim (CPUID) when a measurement confirms it within TSC_AGREE_PPM or when nothing was
 * measured; the measurement when they disagree (Bochs: CPUID says 3.5 GHz, TSC ticks at ips). */
struct tsc_choice tsc_choose(uint64_t claim_hz, enum tsc_source claim_src, uint64_t measured_hz,
                             enum tsc_source measured_src);

#endif
