/* The guest MSR policy: which MSRs pass through, which are emulated, which #GP. */
#ifndef EXITLESS_VMM_MSR_H
#define EXITLESS_VMM_MSR_H

#include <stdbool.h>
#include <stdint.h>

enum msr_policy { MSR_DENY = 0, MSR_PASS, MSR_EMULATE };

struct msr_rule {
    uint32_t msr, last;         /* a range [msr, last]; last = 0 for one MSR */
    enum msr_policy read, write;
    const char *name;
};

/* The rule for an MSR; MSRs not listed are denied both ways. The x2APIC rules apply only
 * when the host runs its local APICs in x2APIC mode. */
const struct msr_rule *msr_rule_find(uint32_t msr);
/* Fills a 4 KiB VMX MSR bitmap (SDM 25.6.9): exit on everything but MSR_PASS accesses;
 * the EOI register passes through only for exitless guests. */
void msr_bitmap_build(uint8_t *bitmap, bool exitless);
/* Calls fn for every MSR and direction (write or read) the policy passes through, with the
 * same exceptions as msr_bitmap_build (x2APIC rules only in x2APIC mode; EOI writes only for
 * exitless guests). Vendor maps are built from it. */
void msr_pass_each(void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx, bool exitless);
/* Makes writes of one MSR exit (true) or pass through (false) in a built bitmap. */
void msr_bitmap_trap_write(uint8_t *bitmap, uint32_t msr, bool trap);

#endif
