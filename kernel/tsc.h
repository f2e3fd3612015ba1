/* The TSC as the hypervisor's clock: frequency (CPUID, cross-checked by measurement), delays. */
#ifndef EXITLESS_KERNEL_TSC_H
#define EXITLESS_KERNEL_TSC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/tsc_calc.h"

struct tsc_info {
    uint64_t hz;                /* what the hypervisor uses */
    enum tsc_source source;
    uint64_t claim_hz;          /* from CPUID (0: none) */
    enum tsc_source claim_source;
    bool claim_rejected;
    uint64_t pm_hz;             /* measured against the ACPI PM timer (0: no PM timer) */
    uint64_t pm_err_ppm;        /* its uncertainty (struct hz_estimate) */
    uint64_t pit_hz;            /* measured against PIT channel 2 (0: not measured) */
    uint64_t pit_err_ppm;
};

/* Boot CPU, after ACPI (for the PM timer): finds and logs the TSC frequency. */
void tsc_init(void);
const struct tsc_info *tsc_get(void);
uint64_t tsc_hz(void);
uint64_t tsc_us_to_cycles(uint64_t us);
uint64_t tsc_cycles_to_us(uint64_t cycles);
void udelay(uint64_t us);
/* Measures again against PIT channel 2 (self-checks: an independent second reference), with
 * the uncertainty its endpoint brackets leave. */
struct hz_estimate tsc_measure_pit(void);

#endif
