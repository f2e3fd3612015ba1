/* Reading back firmware tables in tests: little-endian fields and the byte sum that an ACPI
 * checksum makes zero. Shared by the guest ACPI unit test and its fuzz target. */
#ifndef EXITLESS_TESTS_TABLE_BYTES_H
#define EXITLESS_TESTS_TABLE_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t rd16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static inline uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static inline uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

#endif
