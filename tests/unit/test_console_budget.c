/* Host tests of the console token bucket: burst, drop counting, refill by TSC time without
 * losing fractions, no banking when full, TSC skew, forced lines and their debt. */
#include <stdint.h>

#include "vmm/console_budget.h"
#include "check.h"

#define HZ 1000000000ull        /* 1 GHz: one cycle is one nanosecond */
#define T0 1000000ull           /* the first line's TSC */

static struct console_budget fresh(void)
{
    struct console_budget b;
    console_budget_init(&b);
    CHECK(console_budget_take(&b, T0, HZ, 0, false), "the first line starts the clock");
    return b;
}

static void burst_and_drops(void)
{
    struct console_budget b = fresh();
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST, "starts full");
    int passed = 0;
    for (int i = 0; i < 20; i++)
        passed += console_budget_take(&b, T0, HZ, 1000, false);
    CHECK_EQ_U64(passed, CONSOLE_BURST / 1000, "a burst's worth of 1000-byte lines");
    CHECK_EQ_U64(b.dropped_lines, 20 - CONSOLE_BURST / 1000, "the rest dropped");
    CHECK_EQ_U64(b.dropped_bytes, (20 - CONSOLE_BURST / 1000) * 1000, "their bytes counted");
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST % 1000, "what is left");
    CHECK(console_budget_take(&b, T0, HZ, CONSOLE_BURST % 1000, false), "exactly the rest fits");
    CHECK(!console_budget_take(&b, T0, HZ, 1, false), "then not one byte more");
}

static void refill(void)
{
    struct console_budget b = fresh();
    CHECK(console_budget_take(&b, T0, HZ, CONSOLE_BURST, false), "empty it");
    CHECK(!console_budget_take(&b, T0 + HZ - 1, HZ, CONSOLE_RATE, false),
          "a second's worth is not there before the second");
    b.dropped_lines = b.dropped_bytes = 0;
    CHECK(console_budget_take(&b, T0 + HZ, HZ, CONSOLE_RATE, false), "one second: rate bytes");
    CHECK_EQ_U64(b.tokens, 0, "and no more");
    /* 2 s in steps of 1000 cycles, each worth half a thousandth of a byte. */
    uint64_t now = T0 + HZ;
    for (int i = 0; i < 2000000; i++) {
        now += 1000;
        console_budget_take(&b, now, HZ, 0, false);
    }
    CHECK_EQ_U64(b.tokens, 2 * CONSOLE_RATE, "tiny steps add up to the rate");
    CHECK_EQ_U64(b.dropped_lines, 0, "empty lines never drop");
}

static void full_banks_nothing(void)
{
    struct console_budget b = fresh();
    uint64_t later = T0 + 3600 * HZ;
    CHECK(console_budget_take(&b, later, HZ, 100, false), "an hour later");
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST - 100, "capped at the burst");
    CHECK(console_budget_take(&b, later + HZ / 10, HZ, 0, false), "a tenth of a second on");
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST - 100 + CONSOLE_RATE / 10, "only the new time counts");
}

static void skew_and_extremes(void)
{
    struct console_budget b = fresh();
    CHECK(console_budget_take(&b, T0, HZ, 1000, false), "spend some");
    CHECK(console_budget_take(&b, T0 - 5000, HZ, 0, false), "a CPU with an earlier TSC");
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST - 1000, "no credit, nothing lost");
    CHECK_EQ_U64(b.last, T0, "its clock did not go back");
    /* Days at 5 GHz: must not overflow (UBSan watches) and simply fills. */
    CHECK(console_budget_take(&b, T0 + 5000000000ull * 86400 * 30, 5000000000ull, 10, false),
          "a month later at 5 GHz");
    CHECK_EQ_U64(b.tokens, CONSOLE_BURST - 10, "full again");
    struct console_budget z;
    console_budget_init(&z);
    CHECK(console_budget_take(&z, T0, 0, 10, false), "no TSC frequency yet: the burst");
    CHECK(console_budget_take(&z, T0 + HZ, 0, 10, false), "and no division by zero");
    CHECK_EQ_U64(z.tokens, CONSOLE_BURST - 20, "nothing credited without a frequency");
}

static void forced_and_debt(void)
{
    struct console_budget b = fresh();
    CHECK(console_budget_take(&b, T0, HZ, CONSOLE_BURST, false), "empty it");
    CHECK_EQ_U64(console_budget_debt_cycles(&b, T0, HZ), 0, "empty is not debt");
    CHECK(console_budget_take(&b, T0, HZ, 256, true), "a forced line prints when empty");
    CHECK_EQ_U64(b.dropped_lines, 0, "and is not counted dropped");
    CHECK_EQ_U64((uint64_t)-b.tokens, 256, "it is charged: debt");
    uint64_t wait = console_budget_debt_cycles(&b, T0, HZ);
    CHECK_EQ_U64(wait, 256 * HZ / CONSOLE_RATE, "half a second to repay 256 bytes");
    CHECK_EQ_U64(console_budget_debt_cycles(&b, T0 + wait / 2, HZ), wait / 2, "half repaid");
    CHECK(!console_budget_take(&b, T0 + wait - 1, HZ, 1, false), "ordinary lines wait for it");
    CHECK_EQ_U64(console_budget_debt_cycles(&b, T0 + wait, HZ), 0, "repaid on time");
    for (int i = 0; i < 1000; i++)
        console_budget_take(&b, T0 + wait, HZ, 300, true);
    CHECK_EQ_U64((uint64_t)-b.tokens, CONSOLE_BURST, "the debt stops at one burst");
    CHECK(console_budget_take(&b, T0 + wait, HZ, 10 * CONSOLE_BURST, true), "an oversized line");
    CHECK_EQ_U64((uint64_t)-b.tokens, CONSOLE_BURST, "is charged at most one burst");
}

int main(void)
{
    burst_and_drops();
    refill();
    full_banks_nothing();
    skew_and_extremes();
    forced_and_debt();
    return check_summary("console_budget");
}
