/* A guest's share of the console: a token bucket on bytes, refilled by TSC time (pure). */
#ifndef EXITLESS_VMM_CONSOLE_BUDGET_H
#define EXITLESS_VMM_CONSOLE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Policy: a guest's share, never another's. The serial console (115200 8N1, about 11,500
 * bytes/s) is one line for everyone, so each guest may print CONSOLE_RATE bytes per second
 * after a first burst of CONSOLE_BURST. GUEST_MAX (16) guests at that rate fill 71% of the
 * line, which leaves the rest for the hypervisor's own log whatever the guests do. Ordinary
 * lines over budget are dropped and counted; test result lines are never dropped but are
 * charged, so they may leave the bucket in debt that later lines repay.
 */
#define CONSOLE_RATE 512u           /* bytes per second, per guest */
#define CONSOLE_BURST 16384u        /* bytes: a whole test guest's output fits (a few KB) */

struct console_budget {
    int64_t tokens;             /* bytes that may print now; negative: debt of forced lines */
    uint64_t last;              /* TSC up to which refill has been credited (0: never) */
    uint64_t dropped_bytes;     /* dropped since the last report */
    uint64_t dropped_lines;
};

/* A full bucket; its clock starts at the first line. */
void console_budget_init(struct console_budget *b);
/* Credits the time up to `now` (TSC cycles at `hz`), then charges a line of `len` bytes.
 * Returns true when it may print; false when it is dropped (and counted). A `forced` line
 * is always charged and always printed. */
bool console_budget_take(struct console_budget *b, uint64_t now, uint64_t hz, uint64_t len,
                         bool forced);
/* TSC cycles from `now` until the bucket is out of debt (0 when it is not in debt). */
uint64_t console_budget_debt_cycles(const struct console_budget *b, uint64_t now, uint64_t hz);

#endif
