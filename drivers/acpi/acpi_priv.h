/* Private to drivers/acpi: raw table layouts, unaligned readers, reporting, entry walker. */
/* Report formats avoid %z and %j: the kernel's newlib is built without C99 printf formats. */
#ifndef EXITLESS_DRIVERS_ACPI_PRIV_H
#define EXITLESS_DRIVERS_ACPI_PRIV_H

#include <stdint.h>
#include <string.h>

#include "acpi.h"

/* ACPI tables are byte-packed and unaligned: every field goes through memcpy (x86: LE). */
static inline uint8_t acpi_rd8(const uint8_t *p) { return p[0]; }
static inline uint16_t acpi_rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint32_t acpi_rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint64_t acpi_rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* System Description Table Header (ACPI 6.5 section 5.2.6). */
struct acpi_raw_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_raw_header) == 36, "ACPI header is 36 bytes");
#define ACPI_HDR_LEN sizeof(struct acpi_raw_header)

/* Generic Address Structure (ACPI 6.5 section 5.2.3.2). */
struct acpi_raw_gas {
    uint8_t space;
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_raw_gas) == 12, "GAS is 12 bytes");

/* Largest table we accept (DSDTs of big servers are a few hundred KiB). */
#define ACPI_MAX_TABLE_LEN (16u << 20)

/* printf-style diagnostic through env->report. */
void acpi_report(const struct acpi_env *env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Walker over a list of (type, length, ...) entries in [off, end) of `base`, as used by MADT
 * entries (8-bit type and length), DMAR remapping structures (16-bit) and DMAR device scopes
 * (8-bit). Every entry's length is checked against the header size and the list end before
 * the caller sees it.
 */
struct acpi_walk {
    const struct acpi_env *env;
    const char *what;    /* "MADT", "DMAR", "DMAR scope" for reports */
    const uint8_t *base; /* start of the table */
    uint32_t off, end;
    uint8_t hdr;         /* 2: u8 type + u8 length; 4: u16 type + u16 length */
};

/* 1: *type, *entry, *len describe the next entry; 0: end of list; <0: malformed (reported). */
int acpi_walk_next(struct acpi_walk *w, uint16_t *type, const uint8_t **entry, uint32_t *len)
    ACPI_WARN_UNUSED;

/* Calls fn on every entry until one fails; 0 when the whole list was consumed. */
typedef int (*acpi_entry_fn)(struct acpi_walk *w, void *arg, uint16_t type, const uint8_t *entry,
                             uint32_t len);
int acpi_walk_each(struct acpi_walk *w, acpi_entry_fn fn, void *arg) ACPI_WARN_UNUSED;

/* Checks an entry of a known type is at least `need` bytes; reports otherwise. */
int acpi_entry_min(const struct acpi_walk *w, uint16_t type, uint32_t len, uint32_t need)
    ACPI_WARN_UNUSED;

#endif
