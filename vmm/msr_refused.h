/* The MSRs one guest was refused, each (MSR, read or write) kept once: the boot log names
 * each at its first refusal and the stop report lists them all (pure, host unit-tested). */
#ifndef EXITLESS_VMM_MSR_REFUSED_H
#define EXITLESS_VMM_MSR_REFUSED_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_REFUSED_MAX 32          /* distinct entries kept; further ones are only counted */

struct msr_refused_entry {
    uint32_t msr;
    bool write;
    uint64_t count;
};

struct msr_refused {
    uint32_t n;
    struct msr_refused_entry e[MSR_REFUSED_MAX];
    uint64_t untracked;         /* refusals of entries beyond the table */
};

/* Counts one refusal. True when it is the first of this (msr, write) and the table took it:
 * the caller logs it then. */
bool msr_refused_note(struct msr_refused *t, uint32_t msr, bool write);

#endif
