/* AML byte emitter (ACPI 6.4 chapter 20 for the encodings, section 6.4 for the resource
 * descriptors). Objects with a PkgLength are emitted body first; closing one moves the body
 * up by the size of its (shortest) PkgLength encoding and writes the length in front. */
#include <string.h>

#include "vmm/platform/aml.h"

/* Resource descriptor tags (ACPI 6.4 sections 6.4.2, 6.4.3). */
#define RES_IO_TAG         0x47    /* small item 0x08, 7 bytes of data */
#define RES_END_TAG        0x79    /* small item 0x0f, 1 byte of data */
#define RES_DWORD_TAG      0x87
#define RES_WORD_TAG       0x88
#define RES_QWORD_TAG      0x8a
#define RES_IO_DECODE16    0x01
#define RES_TYPE_MEMORY    0
#define RES_TYPE_IO        1
#define RES_TYPE_BUS       2
/* General flags: a producer (bit 0 clear), positive decode, min and max fixed. */
#define RES_GEN_PRODUCER_FIXED 0x0c
#define RES_MEM_READ_WRITE 0x01    /* type-specific: _RW set, _MEM non-cacheable */
#define RES_IO_ENTIRE_RANGE 0x03   /* type-specific: _RNG both ISA and non-ISA ranges */

void aml_init(struct aml *a, void *buf, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->buf = buf;
    a->cap = cap;
}

void aml_byte(struct aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
    if (a->overflow || n > a->cap - a->len) {
        a->overflow = true;
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

static void put_le(struct aml *a, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    aml_bytes(a, b, n);
}

/* The shortest integer encoding of v in out[] (at most 9 bytes); returns its size. */
static size_t encode_integer(uint8_t *out, uint64_t v)
{
    unsigned n;
    if (v == 0 || v == 1) {
        out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
        return 1;
    }
    if (v <= 0xff) {
        out[0] = AML_BYTE_PREFIX;
        n = 1;
    } else if (v <= 0xffff) {
        out[0] = AML_WORD_PREFIX;
        n = 2;
    } else if (v <= 0xffffffffu) {
        out[0] = AML_DWORD_PREFIX;
        n = 4;
    } else {
        out[0] = AML_QWORD_PREFIX;
        n = 8;
    }
    for (unsigned i = 0; i < n; i++)
        out[1 + i] = (uint8_t)(v >> (8 * i));
    return 1 + n;
}

void aml_integer(struct aml *a, uint64_t v)
{
    uint8_t b[9];
    aml_bytes(a, b, encode_integer(b, v));
}

/* A NameSeg is 4 characters: a lead of A-Z or '_', then A-Z, 0-9 or '_' (section 20.2.2). */
static bool name_seg_ok(const char *s)
{
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        bool alpha = (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && (i == 0 || c < '0' || c > '9'))
            return false;
    }
    return true;
}

void aml_name_string(struct aml *a, const char *name)
{
    if (*name == AML_ROOT_CHAR) {
        aml_byte(a, AML_ROOT_CHAR);
        name++;
    }
    /* One segment only: the DSDT here never needs dual or multi-name paths. */
    if (strlen(name) != 4 || !name_seg_ok(name)) {
        a->overflow = true;     /* a bug in the caller: make the whole output unusable */
        return;
    }
    aml_bytes(a, name, 4);
}

void aml_name(struct aml *a, const char *name)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
    aml_name(a, name);
    aml_integer(a, v);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Three letters of 5 bits (A = 1) and four hex digits, stored byte-swapped (section 19.6.35). */
bool aml_eisaid(uint32_t *out, const char *id)
{
    uint32_t v = 0;
    if (strlen(id) != 7)
        return false;
    for (int i = 0; i < 3; i++) {
        if (id[i] < 'A' || id[i] > 'Z')
            return false;
        v |= (uint32_t)(id[i] - '@') << (26 - 5 * i);
    }
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(id[3 + i]);
        if (d < 0)
            return false;
        v |= (uint32_t)d << (12 - 4 * i);
    }
    *out = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
    return true;
}

static void open_pkg(struct aml *a, bool buffer)
{
    if (a->depth >= AML_MAX_DEPTH) {
        a->overflow = true;
        return;
    }
    a->open_buffer[a->depth] = buffer;
    a->open[a->depth++] = a->len;
}

void aml_scope_open(struct aml *a, const char *name)
{
    aml_byte(a, AML_SCOPE_OP);
    open_pkg(a, false);
    aml_name_string(a, name);
}

void aml_device_open(struct aml *a, const char *name)
{
    aml_byte(a, AML_EXT_OP_PREFIX);
    aml_byte(a, AML_EXT_DEVICE_OP);
    open_pkg(a, false);
    aml_name_string(a, name);
}

void aml_package_open(struct aml *a, uint8_t nelements)
{
    aml_byte(a, AML_PACKAGE_OP);
    open_pkg(a, false);
    aml_byte(a, nelements);
}

void aml_buffer_open(struct aml *a)
{
    aml_byte(a, AML_BUFFER_OP);
    open_pkg(a, true);
}

/* PkgLength counts itself and what follows (section 20.2.4); the lead byte's bits 7:6 say
 * how many bytes follow, its bits 3:0 are the low nibble when any do. */
static size_t encode_pkglen(uint8_t *out, size_t body)
{
    for (size_t n = 1; n <= 4; n++) {
        size_t total = body + n;
        size_t limit = n == 1 ? 0x40 : (size_t)1 << (4 + 8 * (n - 1));
        if (total >= limit)
            continue;
        if (n == 1) {
            out[0] = (uint8_t)total;
        } else {
            out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
            for (size_t i = 1; i < n; i++)
                out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
        }
        return n;
    }
    return 0;
}

void aml_close(struct aml *a)
{
    if (a->overflow)
        return;
    if (!a->depth) {
        a->overflow = true;
        return;
    }
    a->depth--;
    size_t start = a->open[a->depth], body = a->len - start;
    uint8_t prefix[4 + 9];
    uint8_t size_int[9];
    size_t nsize = a->open_buffer[a->depth] ? encode_integer(size_int, body) : 0;
    size_t npkg = encode_pkglen(prefix, nsize + body);
    if (!npkg || npkg + nsize > a->cap - a->len) {
        a->overflow = true;
        return;
    }
    memcpy(prefix + npkg, size_int, nsize);
    memmove(a->buf + start + npkg + nsize, a->buf + start, body);
    memcpy(a->buf + start, prefix, npkg + nsize);
    a->len += npkg + nsize;
}

void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    aml_byte(a, RES_IO_TAG);
    aml_byte(a, RES_IO_DECODE16);
    put_le(a, min, 2);
    put_le(a, max, 2);
    aml_byte(a, align);
    aml_byte(a, len);
}

/* Word address space descriptor (section 6.4.3.5.3): 13 bytes after the tag and length. */
static void word_space(struct aml *a, uint8_t type, uint8_t type_flags, uint16_t min,
                       uint16_t max)
{
    aml_byte(a, RES_WORD_TAG);
    put_le(a, 13, 2);
    aml_byte(a, type);
    aml_byte(a, RES_GEN_PRODUCER_FIXED);
    aml_byte(a, type_flags);
    put_le(a, 0, 2);                        /* granularity */
    put_le(a, min, 2);
    put_le(a, max, 2);
    put_le(a, 0, 2);                        /* translation offset */
    put_le(a, (uint16_t)(max - min + 1), 2);
}

void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
    word_space(a, RES_TYPE_BUS, 0, min, max);
}

void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max)
{
    word_space(a, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, min, max);
}

/* DWord (section 6.4.3.5.2, 23 bytes) or QWord (6.4.3.5.1, 43 bytes) memory descriptor:
 * DWord only when the length fits it too (the whole 4 GiB does not). */
void aml_res_memory(struct aml *a, uint64_t min, uint64_t max)
{
    bool dword = max <= 0xffffffffu && max - min < 0xffffffffu;
    unsigned w = dword ? 4 : 8;
    aml_byte(a, dword ? RES_DWORD_TAG : RES_QWORD_TAG);
    put_le(a, 3 + 5 * w, 2);
    aml_byte(a, RES_TYPE_MEMORY);
    aml_byte(a, RES_GEN_PRODUCER_FIXED);
    aml_byte(a, RES_MEM_READ_WRITE);
    put_le(a, 0, w);                        /* granularity */
    put_le(a, min, w);
    put_le(a, max, w);
    put_le(a, 0, w);                        /* translation offset */
    put_le(a, max - min + 1, w);
}

void aml_res_end(struct aml *a)
{
    aml_byte(a, RES_END_TAG);
    aml_byte(a, 0);                         /* checksum 0: "treat as correct" */
}
