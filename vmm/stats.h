/* Per-vCPU exit statistics: counts and handler cycles by reason, and hot guest RIPs. */
#ifndef EXITLESS_VMM_STATS_H
#define EXITLESS_VMM_STATS_H

#include <stdint.h>

#include "exitless/hypercall.h"

#define STATS_REASONS HC_STATS_REASONS
#define STATS_RIP_SLOTS 64

struct exit_stats {
    uint64_t total;
    uint64_t count[STATS_REASONS];
    uint64_t cycles[STATS_REASONS];
    uint64_t rip[STATS_RIP_SLOTS];     /* open-addressed table of exit RIPs */
    uint64_t rip_count[STATS_RIP_SLOTS];
    uint64_t rip_dropped;              /* exits whose RIP found no free slot */
};

/* One exit of `kind` (enum hc_exit_kind) at guest `rip` whose handler took `cycles`. */
void stats_record(struct exit_stats *s, uint32_t kind, uint64_t rip, uint64_t cycles);
/* Adds `src` into the ABI summary (counts, cycles, hot RIPs merged and ranked). */
void stats_summarize(const struct exit_stats *const *src, int n, struct hc_exit_stats *out);
/* Name of an exit kind (enum hc_exit_kind). */
const char *exit_kind_name(uint32_t kind);

#endif
