/* The per-guest table of refused MSRs (pure). */
#include "vmm/msr_refused.h"

bool msr_refused_note(struct msr_refused *t, uint32_t msr, bool write)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->e[i].msr == msr && t->e[i].write == write) {
            t->e[i].count++;
            return false;
        }
    }
    if (t->n == MSR_REFUSED_MAX) {
        t->untracked++;
        return false;
    }
    t->e[t->n++] = (struct msr_refused_entry){ .msr = msr, .write = write, .count = 1 };
    return true;
}
