/* First-fit, naturally aligned placement of BARs in a free address window; pure logic. */
#include <stdbool.h>

#include "drivers/pci/bar_place.h"

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* The first conflicting range's end, or 0 when [at, at+size) is free. */
static uint64_t conflict_end(const struct addr_range *used, unsigned nused, const uint64_t *sizes,
                             const uint64_t *out, unsigned placed, uint64_t at, uint64_t size)
{
    for (unsigned i = 0; i < nused; i++)
        if (used[i].size && overlaps(at, size, used[i].base, used[i].size))
            return used[i].base + used[i].size;
    for (unsigned i = 0; i < placed; i++)
        if (overlaps(at, size, out[i], sizes[i]))
            return out[i] + sizes[i];
    return 0;
}

int bar_place(const struct addr_range *used, unsigned nused, uint64_t win_start,
              uint64_t win_end, const uint64_t *sizes, unsigned n, uint64_t *out)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t size = sizes[i];
        if (!size || (size & (size - 1)))
            return -1;
        uint64_t at = (win_start + size - 1) & ~(size - 1);
        for (;;) {
            if (at < win_start || at + size < at || at + size > win_end)
                return -1;
            uint64_t end = conflict_end(used, nused, sizes, out, i, at, size);
            if (!end)
                break;
            at = (end + size - 1) & ~(size - 1);
        }
        out[i] = at;
    }
    return 0;
}
