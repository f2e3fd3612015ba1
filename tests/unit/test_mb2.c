/* Unit tests for the multiboot2 parser: real captured blocks and malformed ones. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernel/mb2.h"

static uint64_t buf_storage[4096];
#define BUF ((uint8_t *)buf_storage)

static size_t load_fixture(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/fixtures/mb2/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        CHECK(0, "cannot open %s", path);
        return 0;
    }
    size_t n = fread(BUF, 1, sizeof(buf_storage), f);
    fclose(f);
    return n;
}

static void test_fixture(const char *name, enum firmware_type fw, uint8_t rsdp_tag)
{
    static struct boot_info bi;
    char err[160] = "";
    size_t n = load_fixture(name);
    int rc = mb2_parse(BUF, n, &bi, err, sizeof(err));
    CHECK(rc == 0, "%s: parse failed: %s", name, err);
    if (rc)
        return;
    CHECK(bi.firmware == fw, "%s: firmware %d", name, bi.firmware);
    CHECK_STREQ(bi.cmdline, "dump-bootinfo loglevel=warn", name);
    CHECK(strncmp(bi.loader, "GRUB 2.06", 9) == 0, "%s: loader '%s'", name, bi.loader);
    CHECK_EQ_U64(bi.module_count, 2, name);
    CHECK_STREQ(bi.modules[0].name, "guest-a", name);
    CHECK_STREQ(bi.modules[1].name, "guest-b", name);
    CHECK(bi.modules[0].end > bi.modules[0].start, "%s: module 0 empty", name);
    CHECK(bi.mmap_count >= 3, "%s: %u mmap entries", name, bi.mmap_count);
    CHECK_EQ_U64(bi.rsdp_tag, rsdp_tag, name);
    CHECK(bi.rsdp && memcmp(bi.rsdp, "RSD PTR ", 8) == 0, "%s: RSDP signature", name);
    uint64_t usable = 0;
    for (uint32_t i = 0; i < bi.mmap_count; i++)
        if (bi.mmap[i].type == MB2_MEM_AVAILABLE)
            usable += bi.mmap[i].len;
    /* Each capture ran with 512 MiB; firmware keeps a few MiB for itself. */
    CHECK(usable > (480u << 20) && usable <= (512u << 20), "%s: usable %llu", name,
          (unsigned long long)usable);
    /* Every smaller length truncates the block: rejected, never read past. */
    for (size_t cut = 0; cut < bi.total_size; cut += 8) {
        uint8_t *copy = aligned_alloc(8, cut ? (cut + 7) & ~7ul : 8);
        memcpy(copy, BUF, cut);
        CHECK(mb2_parse(copy, cut, &bi, err, sizeof(err)) == -1, "%s: cut %zu accepted", name, cut);
        free(copy);
    }
}

/* Builds a block tag by tag. */
struct builder {
    uint32_t len;
};

static void b_start(struct builder *b)
{
    memset(buf_storage, 0, sizeof(buf_storage));
    b->len = 8;
}

static void b_tag(struct builder *b, uint32_t type, const void *payload, uint32_t plen)
{
    uint32_t size = 8 + plen;
    memcpy(BUF + b->len, &type, 4);
    memcpy(BUF + b->len + 4, &size, 4);
    if (plen)
        memcpy(BUF + b->len + 8, payload, plen);
    b->len += (size + 7) & ~7u;
}

static uint32_t b_end(struct builder *b)
{
    b_tag(b, 0, NULL, 0);
    memcpy(BUF, &b->len, 4);
    return b->len;
}

static void b_mmap(struct builder *b, uint32_t esize, int entries)
{
    uint8_t p[8 + 4 * 32] = { 0 };
    memcpy(p, &esize, 4);
    for (int i = 0; i < entries; i++) {
        uint64_t base = (uint64_t)i << 20, len = 1 << 20;
        uint32_t type = 1;
        memcpy(p + 8 + i * esize, &base, 8);
        memcpy(p + 8 + i * esize + 8, &len, 8);
        memcpy(p + 8 + i * esize + 16, &type, 4);
    }
    b_tag(b, 6, p, 8 + esize * (uint32_t)entries);
}

static void expect_error(const char *what, uint32_t len, const char *want)
{
    static struct boot_info bi;
    char err[200] = "";
    int rc = mb2_parse(BUF, len, &bi, err, sizeof(err));
    CHECK(rc == -1, "%s: accepted", what);
    CHECK_STREQ(err, want, what);
}

static void test_malformed(void)
{
    struct builder b;
    uint32_t len;

    b_start(&b);
    b_mmap(&b, 24, 2);
    len = b_end(&b);
    expect_error("avail too small", 12, "multiboot2: boot information shorter than 16 bytes");
    expect_error("total > avail", len - 8, "multiboot2: total size 80 out of range (16..72)");

    b_start(&b);
    b_mmap(&b, 24, 2);
    len = b_end(&b);
    uint32_t bad = 4; /* first tag size below the header size */
    memcpy(BUF + 12, &bad, 4);
    expect_error("tag size < 8", len,
                 "multiboot2: tag type 6 at offset 8: size 4 runs outside 8..72");
    bad = 1000;
    memcpy(BUF + 12, &bad, 4);
    expect_error("tag overruns", len,
                 "multiboot2: tag type 6 at offset 8: size 1000 runs outside 8..72");

    b_start(&b);
    b_mmap(&b, 24, 2);
    memcpy(BUF, &b.len, 4); /* no end tag */
    expect_error("no end tag", b.len, "multiboot2: no end tag within 72 bytes");

    b_start(&b);
    b_mmap(&b, 24, 1);
    len = b_end(&b);
    bad = 16;
    memcpy(BUF + len - 4, &bad, 4);
    expect_error("end tag size", len, "multiboot2: tag type 0 at offset 48: size 16 runs outside 8..8");

    b_start(&b);
    b_mmap(&b, 20, 2);
    len = b_end(&b);
    expect_error("mmap entry size", len,
                 "multiboot2: memory map tag at offset 8: entry size 20 (need >= 24, multiple of 8)");

    b_start(&b);
    {
        uint8_t p[8 + 24 + 8] = { 24 };
        b_tag(&b, 6, p, sizeof(p));
    }
    len = b_end(&b);
    expect_error("mmap partial entry", len,
                 "multiboot2: memory map tag at offset 8: 32 bytes of entries is not a multiple "
                 "of the entry size 24");

    b_start(&b);
    {
        uint8_t p[8 + 24] = { 24 };
        uint64_t base = UINT64_MAX - 10, l = 100;
        memcpy(p + 8, &base, 8);
        memcpy(p + 16, &l, 8);
        b_tag(&b, 6, p, sizeof(p));
    }
    len = b_end(&b);
    expect_error("mmap wraps", len,
                 "multiboot2: memory map entry 0 wraps around (base 0xfffffffffffffff5 length "
                 "0x64)");

    b_start(&b);
    b_mmap(&b, 24, 1);
    {
        uint8_t p[8 + 4] = { 0 };
        uint32_t start = 0x2000, end = 0x1000;
        memcpy(p, &start, 4);
        memcpy(p + 4, &end, 4);
        memcpy(p + 8, "abc", 4);
        b_tag(&b, 3, p, sizeof(p));
    }
    len = b_end(&b);
    expect_error("module end < start", len,
                 "multiboot2: module tag at offset 48: end 0x1000 before start 0x2000");

    b_start(&b);
    b_mmap(&b, 24, 1);
    {
        uint8_t p[8 + 4] = { 0 };
        memcpy(p + 8, "abcd", 4); /* no NUL inside the tag */
        b_tag(&b, 3, p, sizeof(p));
    }
    len = b_end(&b);
    expect_error("module name unterminated", len,
                 "multiboot2: module tag at offset 48: string not terminated inside the tag");

    b_start(&b);
    b_tag(&b, 1, "no-nul", 6);
    b_mmap(&b, 24, 1);
    len = b_end(&b);
    expect_error("cmdline unterminated", len,
                 "multiboot2: command line tag at offset 8: string not terminated inside the tag");

    b_start(&b);
    b_tag(&b, 1, "ok", 3);
    len = b_end(&b);
    expect_error("no memory map", len,
                 "multiboot2: no memory map tag (type 6); cannot find usable memory");

    b_start(&b);
    b_mmap(&b, 24, 1);
    b_tag(&b, 15, "RSD PTR ", 8);
    len = b_end(&b);
    expect_error("short ACPI 2.0 tag", len,
                 "multiboot2: ACPI 2.0 RSDP tag at offset 48: size 16 < 44");

    b_start(&b);
    b_mmap(&b, 24, 1);
    for (int i = 0; i < MB2_MAX_MODULES + 1; i++) {
        uint8_t p[8 + 2] = { 0 };
        p[8] = 'm';
        b_tag(&b, 3, p, sizeof(p));
    }
    len = b_end(&b);
    expect_error("too many modules", len, "multiboot2: more than 32 modules");

    static struct boot_info bi;
    char err[200];
    CHECK(mb2_parse(BUF + 4, 64, &bi, err, sizeof(err)) == -1, "misaligned accepted");
    CHECK(strstr(err, "not 8-byte aligned") != NULL, "misaligned: %s", err);
    CHECK(mb2_parse(NULL, 64, &bi, err, sizeof(err)) == -1, "null accepted");

    /* A minimal good block, and the 1.0 RSDP does not override a 2.0 one. */
    b_start(&b);
    b_mmap(&b, 24, 3);
    {
        uint8_t v2[36] = "RSD PTR ", v1[20] = "RSD PTR ";
        v2[15] = 2;
        b_tag(&b, 15, v2, sizeof(v2));
        b_tag(&b, 14, v1, sizeof(v1));
    }
    len = b_end(&b);
    CHECK(mb2_parse(BUF, len, &bi, err, sizeof(err)) == 0, "minimal: %s", err);
    CHECK_EQ_U64(bi.rsdp_tag, 15, "2.0 RSDP preferred");
    CHECK_EQ_U64(bi.mmap_count, 3, "mmap entries");
    CHECK(bi.firmware == FIRMWARE_BIOS, "no EFI tags means BIOS");
    CHECK(mb2_find_module(&bi, "x") == NULL, "no modules");
}

int main(void)
{
    test_fixture("qemu-seabios.bin", FIRMWARE_BIOS, 14);
    test_fixture("qemu-ovmf.bin", FIRMWARE_UEFI, 15);
    test_fixture("bochs.bin", FIRMWARE_BIOS, 14);
    test_malformed();
    return check_summary("mb2");
}
