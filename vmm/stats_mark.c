/* Exit-count marks: a guest that cannot make hypercalls (a stock Linux) brackets a stretch of
 * work with two writes to its virtual UART's scratch register, and the hypervisor logs how many
 * exits, by reason, its vCPUs took between them. The scratch register has no function in a
 * 16550, so nothing else changes; Linux's 8250 driver writes it while probing the port, which
 * makes a mark or two at boot. The counts are the ones the stop report sums. */
#include <stdio.h>
#include <string.h>

#include "kernel/log.h"
#include "vmm/guest.h"
#include "vmm/stats.h"

#define MARK_REASONS_SHOWN HC_STATS_REASONS
/* The console is everyone's: a guest that writes the register in a loop gets this many lines,
 * then one saying the rest are not logged. */
#define MARKS_LOGGED 32u

void guest_stats_mark(struct guest *g, uint8_t value)
{
    struct hc_exit_stats s; /* on this vCPU's stack: several guests may mark at once */
    guest_exit_stats(g, &s);
    uint64_t delta[HC_STATS_REASONS];
    uint64_t flags = spin_lock_irqsave(&g->mark_lock);
    uint32_t n = ++g->marks;
    uint64_t total = s.total_exits - g->mark_total;
    for (uint32_t r = 0; r < HC_STATS_REASONS; r++) {
        delta[r] = s.exits[r] - g->mark_exits[r];
        g->mark_exits[r] = s.exits[r];
    }
    g->mark_total = s.total_exits;
    spin_unlock_irqrestore(&g->mark_lock, flags);
    if (n > MARKS_LOGGED) {
        if (n == MARKS_LOGGED + 1)
            log_info("stats", "%s: mark %u: further marks are not logged", g->name, n);
        return;
    }
    /* Every reason of the stretch, most first, on one line. */
    char why[400] = "";
    size_t len = 0;
    for (uint32_t k = 0; k < MARK_REASONS_SHOWN; k++) {
        uint32_t best = HC_STATS_REASONS;
        for (uint32_t r = 0; r < HC_STATS_REASONS; r++)
            if (delta[r] && (best == HC_STATS_REASONS || delta[r] > delta[best]))
                best = r;
        if (best == HC_STATS_REASONS)
            break;
        int w = snprintf(why + len, sizeof(why) - len, "%s%s %lu", len ? ", " : ": ",
                         exit_kind_name(best), delta[best]);
        if (w < 0 || (size_t)w >= sizeof(why) - len)
            break;
        len += (size_t)w;
        delta[best] = 0;
    }
    log_info("stats", "%s: mark %u (value %#x): %lu exits since %s%s", g->name, n, value, total,
             n == 1 ? "the guest started" : "the previous mark", why);
}
