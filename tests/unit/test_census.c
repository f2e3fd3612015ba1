/* Unit tests: the resource census as text (vmm/census_text.c): every item named once, the
 * full list, and a difference found in each item alone and reported as old->new. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmm/census.h"

static struct census sample(void)
{
    struct census c;
    for (unsigned i = 0; i < CENSUS_ITEMS; i++)
        c.n[i] = 100 + i;
    return c;
}

static void names(void)
{
    for (unsigned i = 0; i < CENSUS_ITEMS; i++) {
        const char *a = census_name(i);
        CHECK(a && a[0] && strcmp(a, "?") != 0, "item %u has a name", i);
        for (unsigned k = 0; k < i; k++)
            CHECK(strcmp(a, census_name(k)) != 0, "items %u and %u share the name %s", k, i, a);
    }
    CHECK_STREQ(census_name(CENSUS_ITEMS), "?", "past the last item");
}

static void format_all(void)
{
    struct census c = sample();
    char buf[1024], want[1024] = "";
    census_format(&c, buf, sizeof(buf));
    for (unsigned i = 0; i < CENSUS_ITEMS; i++) {
        char one[64];
        snprintf(one, sizeof(one), "%s%s=%u", i ? " " : "", census_name(i), 100 + i);
        strcat(want, one);
    }
    CHECK_STREQ(buf, want, "every item, in order");
}

static void diff_each(void)
{
    struct census a = sample(), b = sample();
    char buf[256];
    CHECK(!census_diff(&a, &b, buf, sizeof(buf)), "equal censuses differ: %s", buf);
    CHECK_STREQ(buf, "", "no text when equal");
    for (unsigned i = 0; i < CENSUS_ITEMS; i++) {
        b = sample();
        b.n[i] -= 1;    /* one fewer: a leaked frame, entry, page */
        char want[96];
        snprintf(want, sizeof(want), "%s %u->%u", census_name(i), 100 + i, 99 + i);
        CHECK(census_diff(&a, &b, buf, sizeof(buf)), "a change of %s alone is found", census_name(i));
        CHECK_STREQ(buf, want, "the one difference");
    }
    b = sample();
    b.n[CENSUS_FREE_FRAMES] = 0;
    b.n[CENSUS_MSIX_IRTES] = UINT64_MAX;
    CHECK(census_diff(&a, &b, buf, sizeof(buf)), "two differences found");
    CHECK(strstr(buf, "free-frames 100->0 ") == buf && strstr(buf, " msix-irtes ") != NULL,
          "both listed, first to last: %s", buf);
}

static void small_buffers(void)
{
    struct census a = sample(), b = sample();
    for (unsigned i = 0; i < CENSUS_ITEMS; i++)
        b.n[i] = 0;
    for (size_t len = 1; len < 40; len++) {
        char buf[40];
        memset(buf, 'x', sizeof(buf));
        CHECK(census_diff(&a, &b, buf, len), "found with a %zu-byte buffer", len);
        CHECK(memchr(buf, 0, len) != NULL, "terminated within %zu bytes", len);
        CHECK(len == sizeof(buf) - 1 || buf[len] == 'x', "nothing written past %zu bytes", len);
        census_format(&a, buf, len);
        CHECK(memchr(buf, 0, len) != NULL, "format terminated within %zu bytes", len);
    }
}

int main(void)
{
    names();
    format_all();
    diff_each();
    small_buffers();
    return check_summary("census");
}
