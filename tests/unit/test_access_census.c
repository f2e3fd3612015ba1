/* Unit tests for the per-guest census of CPUID leaves and trapped MSRs: keys, counts, the
 * table's bound and the report's line formatting. */
#include <string.h>

#include "check.h"
#include "vmm/access_census.h"

static void test_keys(void)
{
    CHECK_EQ_U64(access_census_cpuid_key(0x1, 0x1234), access_census_cpuid_key(0x1, 0),
                 "leaf 1 ignores ECX");
    CHECK(access_census_cpuid_key(0x7, 0) != access_census_cpuid_key(0x7, 1), "leaf 7 keeps sub-leaves");
    CHECK(access_census_cpuid_key(0xd, 1) != access_census_cpuid_key(0xd, 2), "leaf 0xd keeps sub-leaves");
    CHECK(access_census_cpuid_key(0x80000008, 5) == access_census_cpuid_key(0x80000008, 0),
          "0x80000008 ignores ECX");
    CHECK(access_census_msr_key(0x10, 0, ACCESS_MSR_PASSED) != access_census_msr_key(0x10, 1, ACCESS_MSR_PASSED),
          "direction is part of an MSR key");
    CHECK(access_census_msr_key(0x10, 1, ACCESS_MSR_REFUSED) != access_census_msr_key(0x10, 1, ACCESS_MSR_EMULATED),
          "the outcome is part of an MSR key");
    CHECK(access_census_cpuid_key(0x40000100, 0) == access_census_cpuid_key(0x4000ff00, 0),
          "the hypervisor range's probes are one key");
    CHECK(access_census_cpuid_key(0x40000010, 0) != access_census_cpuid_key(0x40000100, 0),
          "the hypervisor's own leaves are their own keys");
    char b[64];
    access_census_cpuid_text(access_census_cpuid_key(0x40004c00, 0), b, sizeof(b));
    CHECK(strcmp(b, "0x40000100-0x7fffffff") == 0, "probe range text: %s", b);
    access_census_cpuid_text(access_census_cpuid_key(0xd, 1), b, sizeof(b));
    CHECK(strcmp(b, "0xd.1") == 0, "cpuid text with sub-leaf: %s", b);
    access_census_cpuid_text(access_census_cpuid_key(0x80000001, 9), b, sizeof(b));
    CHECK(strcmp(b, "0x80000001") == 0, "cpuid text without sub-leaf: %s", b);
    access_census_msr_text(access_census_msr_key(0x1a0, 1, ACCESS_MSR_EMULATED), b, sizeof(b));
    CHECK(strcmp(b, "0x1a0 write emulated") == 0, "msr text: %s", b);
    access_census_msr_text(access_census_msr_key(0x34, 0, ACCESS_MSR_REFUSED), b, sizeof(b));
    CHECK(strcmp(b, "0x34 read refused") == 0, "msr text: %s", b);
}

static struct access_census t;

static void test_counts_and_bound(void)
{
    memset(&t, 0, sizeof(t));
    access_census_note(&t, 5);
    access_census_note(&t, 7);
    access_census_note(&t, 5);
    CHECK_EQ_U64(t.n, 2, "two keys");
    CHECK_EQ_U64(t.e[0].key, 5, "first seen first");
    CHECK_EQ_U64(t.e[0].count, 2, "counted twice");
    for (uint64_t k = 100; k < 100 + ACCESS_CENSUS_MAX; k++)
        access_census_note(&t, k);
    CHECK_EQ_U64(t.n, ACCESS_CENSUS_MAX, "the table fills");
    CHECK_EQ_U64(t.untracked, 2, "beyond it only counted");
    access_census_note(&t, 7);
    CHECK_EQ_U64(t.e[1].count, 2, "a kept key still counts when full");
}

static void test_format(void)
{
    memset(&t, 0, sizeof(t));
    for (uint32_t leaf = 0; leaf < 20; leaf++)
        for (uint32_t i = 0; i <= leaf; i++)
            access_census_note(&t, access_census_cpuid_key(leaf, 0));
    char line[48];
    uint32_t next = 0, lines = 0;
    uint64_t total = 0;
    int fits = 1;
    while (next < t.n && lines < 100) {
        uint32_t before = next;
        size_t len = access_census_format(&t, &next, line, sizeof(line), access_census_cpuid_text);
        fits &= len == strlen(line) && len < sizeof(line) && next > before;
        total += next - before;
        lines++;
    }
    CHECK(fits, "every line fits and advances");
    CHECK_EQ_U64(total, 20, "every entry formatted once");
    CHECK(lines > 1, "several lines (%u)", lines);
    next = 0;
    char big[512];
    access_census_format(&t, &next, big, sizeof(big), access_census_cpuid_text);
    CHECK(strncmp(big, "0: 1, 0x1: 2, 0x2: 3", 20) == 0, "items: %.40s", big);
    CHECK_EQ_U64(next, 20, "all on one big line");
    char tiny[6];
    next = 0;
    size_t len = access_census_format(&t, &next, tiny, sizeof(tiny), access_census_msr_text);
    CHECK(len == 5 && next == 1, "an item that does not fit is cut, not lost in a loop");
}

int main(void)
{
    test_keys();
    test_counts_and_bound();
    test_format();
    return check_summary("access_census");
}
