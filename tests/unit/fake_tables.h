/* Page tables in host memory for builder tests: table i lives at "physical" (i + 1) * 4 KiB.
 * The includer defines MAX_TABLES; `limit` lets a test run the allocator dry. */
#ifndef EXITLESS_TESTS_FAKE_TABLES_H
#define EXITLESS_TESTS_FAKE_TABLES_H

#include <stdint.h>
#include <string.h>

static uint64_t tables[MAX_TABLES][512] __attribute__((aligned(4096)));
static int used;
static int limit = MAX_TABLES;

static uint64_t fake_alloc(void *ctx)
{
    (void)ctx;
    if (used >= limit)
        return UINT64_MAX;
    memset(tables[used], 0, 4096);
    return (uint64_t)(++used) << 12;
}

static uint64_t *fake_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return tables[(phys >> 12) - 1];
}

#endif
