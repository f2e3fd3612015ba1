/* Multiboot2 information parser: every tag bounds-checked before use (multiboot2 spec 3.6). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/mb2.h"

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER = 2,
    TAG_MODULE = 3,
    TAG_MEMINFO = 4,
    TAG_MMAP = 6,
    TAG_EFI32 = 11,
    TAG_EFI64 = 12,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15,
    TAG_EFI_MMAP = 17,
    TAG_EFI_BS = 18,
};

#define TAG_HEADER 8u
#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define MMAP_ENTRY_MIN 24u

struct parser {
    const uint8_t *base;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t rd32(const uint8_t *b) { uint32_t v; memcpy(&v, b, 4); return v; }
static uint64_t rd64(const uint8_t *b) { uint64_t v; memcpy(&v, b, 8); return v; }

/* A string field must be NUL-terminated inside its tag. */
static int tag_string(struct parser *p, const uint8_t *s, uint32_t len, const char **out,
                      const char *what, uint32_t off)
{
    if (len == 0 || !memchr(s, 0, len))
        return fail(p, "multiboot2: %s tag at offset %u: string not terminated inside the tag",
                    what, off);
    *out = (const char *)s;
    return 0;
}

static int parse_mmap(struct parser *p, const uint8_t *t, uint32_t size, uint32_t off,
                      struct boot_info *bi)
{
    if (size < 16)
        return fail(p, "multiboot2: memory map tag at offset %u: size %u < 16", off, size);
    uint32_t esize = rd32(t + 8);
    if (esize < MMAP_ENTRY_MIN || esize % 8)
        return fail(p, "multiboot2: memory map tag at offset %u: entry size %u (need >= 24, "
                       "multiple of 8)", off, esize);
    uint32_t count = (size - 16) / esize;
    if ((size - 16) % esize)
        return fail(p, "multiboot2: memory map tag at offset %u: %u bytes of entries is not a "
                       "multiple of the entry size %u", off, size - 16, esize);
    if (count > MB2_MAX_MMAP)
        return fail(p, "multiboot2: memory map has %u entries, at most %u supported", count,
                    MB2_MAX_MMAP);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = t + 16 + (size_t)i * esize;
        struct mb2_mmap_entry *m = &bi->mmap[i];
        m->base = rd64(e);
        m->len = rd64(e + 8);
        m->type = rd32(e + 16);
        if (m->base + m->len < m->base)
            return fail(p, "multiboot2: memory map entry %u wraps around (base %#llx length "
                           "%#llx)", i, (unsigned long long)m->base,
                        (unsigned long long)m->len);
    }
    bi->mmap_count = count;
    return 0;
}

static int parse_tag(struct parser *p, uint32_t type, const uint8_t *t, uint32_t size,
                     uint32_t off, struct boot_info *bi)
{
    switch (type) {
    case TAG_CMDLINE:
        return tag_string(p, t + TAG_HEADER, size - TAG_HEADER, &bi->cmdline, "command line", off);
    case TAG_LOADER:
        return tag_string(p, t + TAG_HEADER, size - TAG_HEADER, &bi->loader, "boot loader", off);
    case TAG_MODULE: {
        if (size < 17)
            return fail(p, "multiboot2: module tag at offset %u: size %u < 17", off, size);
        if (bi->module_count >= MB2_MAX_MODULES)
            return fail(p, "multiboot2: more than %u modules", MB2_MAX_MODULES);
        struct mb2_module *m = &bi->modules[bi->module_count];
        m->start = rd32(t + 8);
        m->end = rd32(t + 12);
        if (m->end < m->start)
            return fail(p, "multiboot2: module tag at offset %u: end %#llx before start %#llx",
                        off, (unsigned long long)m->end, (unsigned long long)m->start);
        if (tag_string(p, t + 16, size - 16, &m->name, "module", off))
            return -1;
        bi->module_count++;
        return 0;
    }
    case TAG_MEMINFO:
        if (size < 16)
            return fail(p, "multiboot2: basic meminfo tag at offset %u: size %u < 16", off, size);
        bi->has_meminfo = true;
        bi->mem_lower_kb = rd32(t + 8);
        bi->mem_upper_kb = rd32(t + 12);
        return 0;
    case TAG_MMAP:
        return parse_mmap(p, t, size, off, bi);
    case TAG_EFI64:
        if (size < 16)
            return fail(p, "multiboot2: EFI64 tag at offset %u: size %u < 16", off, size);
        bi->efi64 = true;
        bi->efi64_system_table = rd64(t + 8);
        return 0;
    case TAG_ACPI_OLD:
    case TAG_ACPI_NEW: {
        uint32_t need = type == TAG_ACPI_NEW ? RSDP_V2_LEN : RSDP_V1_LEN;
        if (size < TAG_HEADER + need)
            return fail(p, "multiboot2: ACPI %s RSDP tag at offset %u: size %u < %u",
                        type == TAG_ACPI_NEW ? "2.0" : "1.0", off, size, TAG_HEADER + need);
        if (bi->rsdp_tag != TAG_ACPI_NEW) { /* the 2.0 copy wins over the 1.0 one */
            bi->rsdp = t + TAG_HEADER;
            bi->rsdp_len = size - TAG_HEADER;
            bi->rsdp_tag = (uint8_t)type;
        }
        return 0;
    }
    case TAG_EFI32:
    case TAG_EFI_MMAP:
        bi->efi_mmap |= type == TAG_EFI_MMAP;
        bi->firmware = FIRMWARE_UEFI;
        return 0;
    case TAG_EFI_BS:
        bi->efi_boot_services = true;
        return 0;
    default:
        return 0; /* tags we do not use are skipped */
    }
}

int mb2_parse(const void *info, size_t avail, struct boot_info *bi, char *err, size_t errlen)
{
    struct parser p = { info, err, errlen };
    bool end_seen = false;

    memset(bi, 0, sizeof(*bi));
    bi->cmdline = "";
    bi->loader = "";
    if (!info)
        return fail(&p, "multiboot2: no boot information (null pointer)");
    if ((uintptr_t)info % 8)
        return fail(&p, "multiboot2: boot information at %p is not 8-byte aligned", info);
    if (avail < 16)
        return fail(&p, "multiboot2: boot information shorter than 16 bytes");
    uint32_t total = rd32(p.base);
    if (total < 16 || total > avail || total > MB2_MAX_INFO_SIZE)
        return fail(&p, "multiboot2: total size %u out of range (16..%zu)", total,
                    avail < MB2_MAX_INFO_SIZE ? avail : (size_t)MB2_MAX_INFO_SIZE);
    bi->total_size = total;

    for (uint32_t off = 8; off < total;) {
        if (total - off < TAG_HEADER)
            return fail(&p, "multiboot2: tag at offset %u: header runs past the end (%u)", off,
                        total);
        uint32_t type = rd32(p.base + off);
        uint32_t size = rd32(p.base + off + 4);
        if (size < TAG_HEADER || size > total - off)
            return fail(&p, "multiboot2: tag type %u at offset %u: size %u runs outside 8..%u",
                        type, off, size, total - off);
        if (type == TAG_END) {
            if (size != TAG_HEADER)
                return fail(&p, "multiboot2: end tag at offset %u has size %u, not 8", off, size);
            end_seen = true;
            break;
        }
        if (parse_tag(&p, type, p.base + off, size, off, bi))
            return -1;
        off += (size + 7) & ~7u;
    }
    if (!end_seen)
        return fail(&p, "multiboot2: no end tag within %u bytes", total);
    if (bi->efi64)
        bi->firmware = FIRMWARE_UEFI;
    if (bi->mmap_count == 0)
        return fail(&p, "multiboot2: no memory map tag (type 6); cannot find usable memory");
    return 0;
}

const struct mb2_module *mb2_find_module(const struct boot_info *bi, const char *name)
{
    for (uint32_t i = 0; i < bi->module_count; i++)
        if (strcmp(bi->modules[i].name, name) == 0)
            return &bi->modules[i];
    return NULL;
}

const char *mb2_mem_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEM_AVAILABLE: return "usable";
    case MB2_MEM_RESERVED: return "reserved";
    case MB2_MEM_ACPI_RECLAIMABLE: return "ACPI";
    case MB2_MEM_NVS: return "ACPI NVS";
    case MB2_MEM_BAD: return "bad";
    default: return "other";
    }
}
