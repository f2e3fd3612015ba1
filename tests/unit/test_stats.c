/* Unit tests for exit statistics: per-kind counts and the hot-RIP ranking. */
#include <string.h>

#include "check.h"
#include "vmm/stats.h"

int main(void)
{
    static struct exit_stats a, b;
    static struct hc_exit_stats out;
    for (int i = 0; i < 100; i++)
        stats_record(&a, HC_EXIT_IO, 0x1000, 10);        /* I/O at one place */
    for (int i = 0; i < 40; i++)
        stats_record(&a, HC_EXIT_HYPERCALL, 0x2000 + i % 2, 5); /* VMCALL at two places */
    stats_record(&b, HC_EXIT_IO, 0x1000, 10);
    for (int i = 0; i < 500; i++)
        stats_record(&b, HC_EXIT_CPUID, 0x3000 + (uint64_t)i, 1); /* CPUID at 500 places: table fills */
    stats_record(&b, 999, 0x4000, 1);            /* out-of-range kind lands in the last */
    const struct exit_stats *src[2] = { &a, &b };
    stats_summarize(src, 2, &out);
    CHECK_EQ_U64(out.total_exits, 642, "total");
    CHECK_EQ_U64(out.exits[HC_EXIT_IO], 101, "I/O exits across vCPUs");
    CHECK_EQ_U64(out.cycles[HC_EXIT_IO], 1010, "I/O cycles");
    CHECK_EQ_U64(out.exits[HC_EXIT_HYPERCALL], 40, "hypercalls");
    CHECK_EQ_U64(out.exits[HC_STATS_REASONS - 1], 1, "clamped kind");
    CHECK_EQ_U64(out.hot_rip[0], 0x1000, "hottest RIP merged across vCPUs");
    CHECK_EQ_U64(out.hot_count[0], 101, "its count");
    CHECK(out.hot_count[1] == 20 && out.hot_count[2] == 20, "next two: %llu %llu",
          (unsigned long long)out.hot_count[1], (unsigned long long)out.hot_count[2]);
    for (unsigned i = 1; i < HC_STATS_HOT_RIPS; i++)
        CHECK(out.hot_count[i] <= out.hot_count[i - 1], "ranked at %u", i);
    CHECK(b.rip_dropped == 500 + 2 - STATS_RIP_SLOTS, "RIPs beyond the table counted: %llu",
          (unsigned long long)b.rip_dropped);
    CHECK_STREQ(exit_kind_name(HC_EXIT_GPA), "guest-physical fault", "name");
    CHECK_STREQ(exit_kind_name(HC_EXIT_KINDS + 3), "other", "unnamed kind");
    for (unsigned k = 1; k < HC_EXIT_KINDS; k++)
        CHECK(strcmp(exit_kind_name(k), "other") != 0, "kind %u has a name", k);
    CHECK(HC_EXIT_KINDS <= HC_STATS_REASONS, "every kind has a statistics slot");
    return check_summary("stats");
}
