/* Token bucket arithmetic of a guest's console share (vmm/console_budget.h). No clock of its
 * own: callers pass the TSC, so the host unit test drives it with made-up times. */
#include "vmm/console_budget.h"

void console_budget_init(struct console_budget *b)
{
    *b = (struct console_budget){ .tokens = CONSOLE_BURST };
}

/* Credits whole bytes for the cycles since b->last; cycles worth less than a byte stay
 * uncredited (b->last does not move past them), so frequent small lines still refill. */
static void refill(struct console_budget *b, uint64_t now, uint64_t hz)
{
    if (!hz)
        return;
    if (!b->last) {
        b->last = now;
        return;
    }
    if (now <= b->last)
        return;                 /* CPUs' TSCs a little apart: no credit, never negative */
    uint64_t elapsed = now - b->last;
    /* Time to fill an empty bucket from its deepest debt (one burst); beyond it, full. */
    uint64_t fill_cycles = (uint64_t)2 * CONSOLE_BURST * (hz / CONSOLE_RATE + 1);
    if (elapsed >= fill_cycles) {
        b->tokens = CONSOLE_BURST;
        b->last = now;
        return;
    }
    /* elapsed < fill_cycles, so elapsed * rate stays far below 2^64 for any real hz. */
    uint64_t bytes = elapsed * CONSOLE_RATE / hz;
    if (!bytes)
        return;
    b->tokens += (int64_t)bytes;
    /* The cycles those bytes were worth, rounded up: never more than elapsed. */
    b->last += (bytes * hz + CONSOLE_RATE - 1) / CONSOLE_RATE;
    if (b->tokens >= (int64_t)CONSOLE_BURST) {
        b->tokens = CONSOLE_BURST;
        b->last = now;          /* a full bucket banks no time */
    }
}

bool console_budget_take(struct console_budget *b, uint64_t now, uint64_t hz, uint64_t len,
                         bool forced)
{
    refill(b, now, hz);
    if (len > CONSOLE_BURST)
        len = CONSOLE_BURST;    /* callers' lines are far shorter; keeps the debt bounded */
    if (!forced && b->tokens < (int64_t)len) {
        b->dropped_bytes += len;
        b->dropped_lines++;
        return false;
    }
    b->tokens -= (int64_t)len;
    if (b->tokens < -(int64_t)CONSOLE_BURST)
        b->tokens = -(int64_t)CONSOLE_BURST;
    return true;
}

uint64_t console_budget_debt_cycles(const struct console_budget *b, uint64_t now, uint64_t hz)
{
    struct console_budget c = *b;
    refill(&c, now, hz);
    if (c.tokens >= 0)
        return 0;
    /* Bytes owed, converted to cycles and rounded up, minus what is already accrued. */
    uint64_t owed = (uint64_t)-c.tokens;
    uint64_t cycles = (owed * hz + CONSOLE_RATE - 1) / CONSOLE_RATE;
    uint64_t accrued = now > c.last ? now - c.last : 0;
    return cycles > accrued ? cycles - accrued : 0;
}
