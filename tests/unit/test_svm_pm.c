/* Unit tests for the SVM MSR and I/O permission maps: bit positions (APM 15.10, 15.11) and the
 * map built from a policy (a fake of vmm/msr.c's msr_pass_each with the same shape). */
#include <stdlib.h>

#include "check.h"
#include "vmm/msr.h"
#include "vmm/svm/svm_pm.h"

/* The fake policy: a few MSRs of each kind, and the EOI rule. */
void msr_pass_each(void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx, bool exitless)
{
    fn(ctx, 0xc0000100, false); fn(ctx, 0xc0000100, true);   /* FS_BASE both ways */
    fn(ctx, 0x10, false);                                     /* TSC: read only */
    fn(ctx, 0x277, false); fn(ctx, 0x277, true);             /* PAT */
    for (uint32_t m = 0x810; m <= 0x827; m++)                /* ISR/TMR/IRR: read */
        fn(ctx, m, false);
    if (exitless)
        fn(ctx, 0x80b, true);                                 /* x2APIC EOI write */
}

static void test_positions(void)
{
    uint32_t byte;
    unsigned bit;
    CHECK(svm_msrpm_pos(0, &byte, &bit) == 0 && byte == 0 && bit == 0, "MSR 0");
    CHECK(svm_msrpm_pos(0x80b, &byte, &bit) == 0 && byte == 0x202 && bit == 6, "EOI 0x80b: %#x/%u",
          byte, bit);
    CHECK(svm_msrpm_pos(0x1fff, &byte, &bit) == 0 && byte == 0x7ff && bit == 6, "last low MSR");
    CHECK(svm_msrpm_pos(0x2000, &byte, &bit) == -1, "0x2000 not covered");
    CHECK(svm_msrpm_pos(0xc0000080, &byte, &bit) == 0 && byte == 0x820 && bit == 0, "EFER");
    CHECK(svm_msrpm_pos(0xc0000100, &byte, &bit) == 0 && byte == 0x840 && bit == 0, "FS_BASE");
    CHECK(svm_msrpm_pos(0xc0010114, &byte, &bit) == 0 && byte == 0x1045 && bit == 0, "VM_CR");
    CHECK(svm_msrpm_pos(0xc0011fff, &byte, &bit) == 0 && byte == 0x17ff && bit == 6, "last");
    CHECK(svm_msrpm_pos(0xc0012000, &byte, &bit) == -1, "past the third range");
    CHECK(svm_msrpm_pos(0xbfffffff, &byte, &bit) == -1, "below the second range");
    CHECK(svm_msrpm_pos(0x40000000, &byte, &bit) == -1, "hypervisor range not covered");
}

static void test_build(void)
{
    uint8_t *pm = malloc(SVM_MSRPM_BYTES);
    svm_msrpm_build(pm, false);
    CHECK(!svm_msrpm_intercepts(pm, 0xc0000100, false) && !svm_msrpm_intercepts(pm, 0xc0000100, true),
          "FS_BASE passes both ways");
    CHECK(!svm_msrpm_intercepts(pm, 0x10, false) && svm_msrpm_intercepts(pm, 0x10, true),
          "TSC: reads pass, writes exit");
    CHECK(svm_msrpm_intercepts(pm, 0xc0000080, false) && svm_msrpm_intercepts(pm, 0xc0000080, true),
          "EFER exits (SVME hidden)");
    CHECK(svm_msrpm_intercepts(pm, 0xc0010117u, true), "VM_HSAVE_PA exits");
    CHECK(svm_msrpm_intercepts(pm, 0x80b, true), "injected: EOI exits");
    CHECK(!svm_msrpm_intercepts(pm, 0x820, false), "IRR read passes");
    CHECK(svm_msrpm_intercepts(pm, 0x820, true), "IRR write exits");
    CHECK(svm_msrpm_intercepts(pm, 0x40000000, false), "uncovered MSRs always exit");
    unsigned passes = 0;
    for (uint32_t i = 0; i < SVM_MSRPM_BYTES; i++)
        passes += 8 - (unsigned)__builtin_popcount(pm[i]);
    CHECK_EQ_U64(passes, 2 + 1 + 2 + 24, "exactly the policy's passes are clear");

    svm_msrpm_build(pm, true);
    CHECK(!svm_msrpm_intercepts(pm, 0x80b, true), "exitless: EOI write passes");
    CHECK(svm_msrpm_intercepts(pm, 0x80b, false), "exitless: EOI read still exits");
    svm_msrpm_trap_write(pm, 0x80b, true);
    CHECK(svm_msrpm_intercepts(pm, 0x80b, true), "trapped while a virtual interrupt is in service");
    CHECK(svm_msrpm_intercepts(pm, 0x80b, false), "the read bit is untouched");
    svm_msrpm_trap_write(pm, 0x80b, false);
    CHECK(!svm_msrpm_intercepts(pm, 0x80b, true), "passed again");
    CHECK(svm_msrpm_intercepts(pm, 0x80a, false) && svm_msrpm_intercepts(pm, 0x80a, true), "neighbour 0x80a untouched");
    free(pm);
}

static void test_iopm(void)
{
    uint8_t *pm = malloc(SVM_IOPM_BYTES);
    svm_iopm_build(pm);
    CHECK(svm_iopm_intercepts(pm, 0x3f8) && svm_iopm_intercepts(pm, 0xcf8) &&
          svm_iopm_intercepts(pm, 0xffff), "every port exits");
    unsigned set = 0;
    for (uint32_t i = 0; i < SVM_IOPM_BYTES; i++)
        set += (unsigned)__builtin_popcount(pm[i]);
    CHECK_EQ_U64(set, SVM_IOPM_BYTES * 8, "all 12 KiB set (the bits past 0xffff too)");
    free(pm);
}

int main(void)
{
    test_positions();
    test_build();
    test_iopm();
    return check_summary("svm_pm");
}
