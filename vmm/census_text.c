/* The census as text: item names, the full list and the differences (pure: unit-tested). */
#include <stdio.h>

#include "vmm/census.h"

static const char *const names[CENSUS_ITEMS] = {
    [CENSUS_FREE_FRAMES] = "free-frames",
    [CENSUS_HEAP_BYTES] = "heap-bytes",
    [CENSUS_HEAP_MAPPED] = "heap-mapped",
    [CENSUS_MMIO_BYTES] = "mmio-bytes",
    [CENSUS_STACK_BYTES] = "stack-bytes",
    [CENSUS_VTD_DOMAINS] = "vtd-domains",
    [CENSUS_VTD_TABLE_PAGES] = "vtd-table-pages",
    [CENSUS_VTD_MAPPED_PAGES] = "vtd-mapped-pages",
    [CENSUS_VTD_CONTEXT_PAGES] = "vtd-context-pages",
    [CENSUS_IRTES] = "irtes",
    [CENSUS_CPU_CONTEXTS] = "cpu-contexts",
    [CENSUS_GPMAP_TABLES] = "gpmap-tables",
    [CENSUS_ELI_SHADOWS] = "eli-shadows",
    [CENSUS_VPCI_FNS] = "vpci-fns",
    [CENSUS_MSIX_SHADOW_PAGES] = "msix-shadow-pages",
    [CENSUS_MSIX_IRTES] = "msix-irtes",
};

const char *census_name(enum census_item i) { return i < CENSUS_ITEMS ? names[i] : "?"; }

static size_t add(char *buf, size_t len, size_t at, const char *fmt, const char *name,
                  uint64_t a, uint64_t b)
{
    if (at >= len)
        return at;
    int n = snprintf(buf + at, len - at, fmt, at ? " " : "", name, a, b);
    return n < 0 ? at : at + (size_t)n;
}

void census_format(const struct census *c, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < CENSUS_ITEMS; i++)
        at = add(buf, len, at, "%s%s=%lu", names[i], c->n[i], 0);
}

bool census_diff(const struct census *want, const struct census *got, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < CENSUS_ITEMS; i++)
        if (want->n[i] != got->n[i])
            at = add(buf, len, at, "%s%s %lu->%lu", names[i], want->n[i], got->n[i]);
    return at != 0;
}
