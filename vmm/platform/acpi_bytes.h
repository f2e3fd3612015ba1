/* Byte-level helpers the guest ACPI tables share: little-endian stores, the common table
 * header (ACPI 6.4 section 5.2.6) and checksums. Private to vmm/platform/acpi_*.c. */
#ifndef EXITLESS_VMM_PLATFORM_ACPI_BYTES_H
#define EXITLESS_VMM_PLATFORM_ACPI_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ACPI_OEM_ID        "EXITLS"     /* 6 characters */
#define ACPI_OEM_TABLE_ID  "EXITLESS"   /* 8 characters */
#define ACPI_OEM_REVISION  1u
#define ACPI_CREATOR_ID    "EXLS"
#define ACPI_CREATOR_REV   1u

/* System description table header (section 5.2.6): field offsets. */
#define ACPI_HDR_SIGNATURE   0
#define ACPI_HDR_LENGTH      4
#define ACPI_HDR_REVISION    8
#define ACPI_HDR_CHECKSUM    9
#define ACPI_HDR_OEM_ID      10
#define ACPI_HDR_OEM_TABLE   16
#define ACPI_HDR_OEM_REV     24
#define ACPI_HDR_CREATOR     28
#define ACPI_HDR_CREATOR_REV 32
#define ACPI_HDR_SIZE        36

static inline void acpi_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void acpi_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void acpi_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The checksum byte that makes p[0..len) sum to zero, computed while that byte is 0. */
static inline uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

/* Writes the header of a table of `len` bytes whose body is already in place, then its
 * checksum (the last thing written). */
static inline void acpi_finish_table(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
    memcpy(t + ACPI_HDR_SIGNATURE, sig, 4);
    acpi_put32(t + ACPI_HDR_LENGTH, len);
    t[ACPI_HDR_REVISION] = rev;
    t[ACPI_HDR_CHECKSUM] = 0;
    memcpy(t + ACPI_HDR_OEM_ID, ACPI_OEM_ID, 6);
    memcpy(t + ACPI_HDR_OEM_TABLE, ACPI_OEM_TABLE_ID, 8);
    acpi_put32(t + ACPI_HDR_OEM_REV, ACPI_OEM_REVISION);
    memcpy(t + ACPI_HDR_CREATOR, ACPI_CREATOR_ID, 4);
    acpi_put32(t + ACPI_HDR_CREATOR_REV, ACPI_CREATOR_REV);
    t[ACPI_HDR_CHECKSUM] = acpi_checksum(t, len);
}

#endif
