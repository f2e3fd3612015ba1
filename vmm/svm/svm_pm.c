/* MSRPM and IOPM layout (APM vol. 2, 15.10.1, 15.11), filled from the generic policy. Pure but
 * for the policy iterator (vmm/msr.c); unit-tested with a fake one. */
#include <string.h>

#include "vmm/msr.h"
#include "vmm/svm/svm_pm.h"

/* The three MSR ranges and their 2 KiB blocks in the map (APM table 15-5). */
static const struct { uint32_t first, offset; } ranges[] = {
    { 0x00000000u, 0x0000 },
    { 0xc0000000u, 0x0800 },
    { 0xc0010000u, 0x1000 },
};
#define MSRS_PER_RANGE 0x2000u

int svm_msrpm_pos(uint32_t msr, uint32_t *byte, unsigned *read_bit)
{
    for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (msr - ranges[i].first < MSRS_PER_RANGE) {
            uint32_t bit = (msr - ranges[i].first) * 2;
            *byte = ranges[i].offset + bit / 8;
            *read_bit = bit % 8;
            return 0;
        }
    }
    return -1;
}

void svm_msrpm_set(uint8_t *pm, uint32_t msr, bool write, bool intercept)
{
    uint32_t byte;
    unsigned bit;
    if (svm_msrpm_pos(msr, &byte, &bit))
        return;
    uint8_t mask = (uint8_t)(1u << (bit + (write ? 1 : 0)));
    pm[byte] = intercept ? pm[byte] | mask : pm[byte] & (uint8_t)~mask;
}

bool svm_msrpm_intercepts(const uint8_t *pm, uint32_t msr, bool write)
{
    uint32_t byte;
    unsigned bit;
    if (svm_msrpm_pos(msr, &byte, &bit))
        return true;
    return pm[byte] & (1u << (bit + (write ? 1 : 0)));
}

static void pass(void *ctx, uint32_t msr, bool write)
{
    svm_msrpm_set(ctx, msr, write, false);
}

void svm_msrpm_build(uint8_t *pm, bool exitless)
{
    memset(pm, 0xff, SVM_MSRPM_BYTES);
    msr_pass_each(pass, pm, exitless);
}

void svm_msrpm_trap_write(uint8_t *pm, uint32_t msr, bool trap)
{
    svm_msrpm_set(pm, msr, true, trap);
}

void svm_iopm_build(uint8_t *pm)
{
    memset(pm, 0xff, SVM_IOPM_BYTES);
}

bool svm_iopm_intercepts(const uint8_t *pm, uint16_t port)
{
    return pm[port / 8] & (1u << (port % 8));
}
