/* Unit tests for the guest image checks (vmm/loader_elf_check.c, vmm/loader_mb_check.c):
 * hostile multiboot 1/2 headers and ELF images are rejected with their reason, well-formed
 * ones accepted. Each image is checked in a heap copy of exactly its size, so a read past
 * the image is an ASan error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmm/loader/loader_check.h"

#define MEM (8ull << 20)        /* guest RAM of the checks: 8 MiB */
#define MIB 0x100000u

static uint8_t img[8192];       /* the image under construction */
static char err[200];

static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

/* mb_header_check on the first `size` bytes of img, in an exact-size heap copy. */
static int mb_check(size_t size, struct mb_header *h)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, img, size);
    err[0] = 0;
    int rc = mb_header_check(copy, size, h, err, sizeof(err));
    free(copy);
    return rc;
}

static int elf(size_t size, int cls, struct elf_image *e)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, img, size);
    err[0] = 0;
    int rc = elf_check(copy, size, cls, MEM, e, err, sizeof(err));
    free(copy);
    return rc;
}

/* ---- multiboot 1 */

static void mb1_header(size_t off, uint32_t flags)
{
    put32(off, 0x1badb002u);
    put32(off + 4, flags);
    put32(off + 8, -(0x1badb002u + flags));
}

/* The a.out fields: the header is `off` bytes into an image loaded at 1 MiB. */
static void mb1_address(size_t off, uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    put32(off + 12, MIB + (uint32_t)off);
    put32(off + 16, MIB);
    put32(off + 20, load_end);
    put32(off + 24, bss_end);
    put32(off + 28, entry);
}

static void test_mb1_good(void)
{
    struct mb_header h;
    struct mb_range r;
    memset(img, 0, sizeof(img));
    mb1_header(64, 0x10003);
    mb1_address(64, 0, MIB + 0x4000, MIB + 0x80);
    CHECK(mb_check(4096, &h) == 0, "mb1 with address fields: %s", err);
    CHECK_EQ_U64(h.version, 1, "mb1 version");
    CHECK_EQ_U64(h.offset, 64, "mb1 offset");
    CHECK(h.have_address && h.have_entry, "mb1 address flag");
    CHECK_EQ_U64(h.entry, MIB + 0x80, "mb1 entry");
    CHECK(mb_load_range(&h, 4096, MEM, &r, err, sizeof(err)) == 0, "mb1 range: %s", err);
    CHECK_EQ_U64(r.file_off, 0, "mb1 file offset");
    CHECK_EQ_U64(r.file_len, 4096, "mb1 file length: to the image end");
    CHECK_EQ_U64(r.load_addr, MIB, "mb1 load address");
    CHECK_EQ_U64(r.mem_end, MIB + 0x4000, "mb1 bss end");

    /* Without flag 16 only the 12 signature bytes are read: fine in the last 12 bytes. */
    memset(img, 0, sizeof(img));
    mb1_header(100, 0x3);
    CHECK(mb_check(112, &h) == 0, "mb1 without address fields in the last 12 bytes: %s", err);
    CHECK(!h.have_address && !h.have_entry, "mb1 without flag 16 has no address");
}

/* A header with flag 16 whose 32 bytes do not all fit: in the last 12..31 bytes. */
static void test_mb1_truncated(void)
{
    struct mb_header h;
    for (size_t tail = 12; tail < 32; tail++) {
        memset(img, 0, sizeof(img));
        mb1_header(64, 0x10000);
        size_t size = 64 + tail;
        CHECK(mb_check(size, &h) == -1, "mb1 address header in the last %zu bytes accepted",
              tail);
    }
    memset(img, 0, sizeof(img));
    mb1_header(64, 0x10000);
    mb_check(64 + 20, &h);
    CHECK_STREQ(err, "multiboot: header at 0x40 has the address flag but its address fields "
                     "end past the image (84 bytes)", "mb1 cut-off message");
    /* 32 bytes are enough. */
    mb1_address(64, 0, 0, MIB + 64);
    CHECK(mb_check(64 + 32, &h) == 0, "mb1 address header in the last 32 bytes: %s", err);

    memset(img, 0, sizeof(img));
    mb1_header(0, 0x8);
    CHECK(mb_check(64, &h) == -1, "mb1 unsupported required flag accepted");
    CHECK_STREQ(err, "multiboot: required feature flags 0x8 not supported", "mb1 flags");
}

/* mb_load_range on hand-made address fields of a header 64 bytes into a 4 KiB image. */
static int range(uint32_t header_addr, uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
                 uint32_t entry)
{
    struct mb_header h = { .version = 1, .offset = 64, .have_address = true,
                           .header_addr = header_addr, .load_addr = load_addr,
                           .load_end = load_end, .bss_end = bss_end, .have_entry = true,
                           .entry = entry };
    struct mb_range r;
    err[0] = 0;
    return mb_load_range(&h, 4096, MEM, &r, err, sizeof(err));
}

static void test_mb_ranges(void)
{
    const uint32_t hdr = MIB + 64;
    CHECK(range(hdr, MIB, MIB + 4096, 0, MIB) == 0, "whole image: %s", err);
    CHECK(range(hdr, hdr + 4, 0, 0, hdr + 4) == -1, "load after header accepted");
    CHECK_STREQ(err, "multiboot: load address 0x100044 is after the header address 0x100040",
                "load after header");
    CHECK(range(hdr, MIB - 4, 0, 0, MIB) == -1, "load before the image start accepted");
    CHECK_STREQ(err, "multiboot: load address 0xffffc starts 0x44 bytes before the header, "
                     "which is 0x40 bytes into the image", "load before image");
    CHECK(range(hdr, MIB, MIB - 1, 0, MIB) == -1, "load end before load address accepted");
    CHECK_STREQ(err, "multiboot: load end 0xfffff before load address 0x100000", "load end");
    CHECK(range(hdr, MIB, MIB + 4097, 0, MIB) == -1, "load end past the image accepted");
    CHECK_STREQ(err, "multiboot: load range outside the image", "load end past image");
    CHECK(range(hdr, MIB, 0xfff00000u, 0, MIB) == -1, "huge load end accepted");
    CHECK(range(hdr, MIB, 0, MIB + 100, MIB) == -1, "bss end inside the file accepted");
    CHECK_STREQ(err, "multiboot: bss end 0x100064 is before the load end 0x101000", "bss end");
    CHECK(range(0x1000 + 64, 0x1000, 0, 0, 0x1000) == -1, "kernel below 1 MiB accepted");
    CHECK_STREQ(err, "multiboot: kernel at 0x1000-0x2000 is outside guest RAM "
                     "[0x100000, 0x800000)", "below 1 MiB");
    CHECK(range(hdr, MIB, 0, 0xfffffff0u, MIB) == -1, "bss past guest RAM accepted");
    CHECK(range(hdr, MIB, 0, 0, MIB + 4096) == -1, "entry past the kernel accepted");
    CHECK_STREQ(err, "multiboot: entry 0x101000 is outside the loaded kernel 0x100000-0x101000",
                "entry past");
    CHECK(range(hdr, MIB, 0, 0, MIB - 1) == -1, "entry before the kernel accepted");
}

/* ---- multiboot 2 */

static size_t tag_at;   /* where the next tag goes */

static void mb2_header(size_t off, uint32_t hlen)
{
    put32(off, 0xe85250d6u);
    put32(off + 4, 0);
    put32(off + 8, hlen);
    put32(off + 12, -(0xe85250d6u + hlen));
    tag_at = off + 16;
}

/* A tag of `size` bytes (padded to 8), the payload words given. */
static void mb2_tag(uint16_t type, uint16_t flags, uint32_t size, const uint32_t *words,
                    unsigned nwords)
{
    put16(tag_at, type);
    put16(tag_at + 2, flags);
    put32(tag_at + 4, size);
    for (unsigned i = 0; i < nwords; i++)
        put32(tag_at + 8 + 4 * i, words[i]);
    tag_at += (size + 7) & ~7u;
}

static const uint32_t want_info[3] = { 1, 6, 2 };
static const uint32_t address[4] = { MIB + 64, MIB, 0, MIB + 0x4000 };
static const uint32_t entry_addr[1] = { MIB + 0x200 };

/* A well-formed header at 64: information request, address, entry, end. Returns its length. */
static uint32_t mb2_good(void)
{
    memset(img, 0, sizeof(img));
    mb2_header(64, 0);
    mb2_tag(1, 0, 20, want_info, 3);
    mb2_tag(2, 0, 24, address, 4);
    mb2_tag(3, 0, 12, entry_addr, 1);
    mb2_tag(0, 0, 8, NULL, 0);
    uint32_t hlen = (uint32_t)(tag_at - 64);
    mb2_header(64, hlen);
    return hlen;
}

static void test_mb2_good(void)
{
    struct mb_header h;
    struct mb_range r;
    uint32_t hlen = mb2_good();
    CHECK(mb_check(4096, &h) == 0, "mb2 well-formed: %s", err);
    CHECK_EQ_U64(h.version, 2, "mb2 version");
    CHECK(h.have_address && h.have_entry, "mb2 address and entry tags");
    CHECK_EQ_U64(h.load_addr, MIB, "mb2 load address");
    CHECK_EQ_U64(h.entry, MIB + 0x200, "mb2 entry");
    CHECK(mb_load_range(&h, 4096, MEM, &r, err, sizeof(err)) == 0, "mb2 range: %s", err);
    CHECK_EQ_U64(r.mem_end, MIB + 0x4000, "mb2 bss end");
    /* The header may end exactly at the image end. */
    CHECK(mb_check(64 + hlen, &h) == 0, "mb2 header at the image end: %s", err);
    /* Every shorter image cuts the header: rejected, never read past. */
    for (size_t cut = 0; cut < 64 + hlen; cut++)
        CHECK(mb_check(cut, &h) == -1, "mb2 image cut at %zu accepted", cut);
    mb_check(64 + hlen - 1, &h);
    CHECK_STREQ(err, "multiboot2 header length 88 runs past the image end (87 bytes after the "
                     "header's start)", "mb2 header past the image");
    mb_check(64 + 15, &h);
    CHECK_STREQ(err, "no multiboot header in the first 32768 bytes", "mb2 signature cut");
}

/* A header at 64 with one tag of `tsize` bytes (its payload zero) and length hlen; checked
 * in an image that ends `slack` bytes after the header. */
static int mb2_one_tag(uint16_t type, uint16_t flags, uint32_t tsize, uint32_t hlen,
                       size_t slack)
{
    struct mb_header h;
    memset(img, 0, sizeof(img));
    mb2_header(64, hlen);
    put16(80, type);
    put16(82, flags);
    put32(84, tsize);
    return mb_check(64 + hlen + slack, &h);
}

static void test_mb2_hostile(void)
{
    struct mb_header h;
    /* Address tag whose size is below its 24 bytes: within the header, at the image end. */
    CHECK(mb2_one_tag(2, 0, 16, 32, 0) == -1, "address tag of 16 bytes accepted");
    CHECK_STREQ(err, "multiboot2 header tag 2 at 16 has size 16, below its 24 bytes",
                "short address tag");
    CHECK(mb2_one_tag(2, 0, 8, 24, 0) == -1, "address tag of 8 bytes accepted");
    CHECK(mb2_one_tag(3, 0, 8, 24, 0) == -1, "entry tag of 8 bytes accepted");
    CHECK_STREQ(err, "multiboot2 header tag 3 at 16 has size 8, below its 12 bytes",
                "short entry tag");
    CHECK(mb2_one_tag(5, 1, 12, 32, 0) == -1, "framebuffer tag of 12 bytes accepted");
    /* A full-size tag truncated by the header length (the image goes on). */
    CHECK(mb2_one_tag(2, 0, 24, 32, 64) == -1, "address tag past the header length accepted");
    CHECK_STREQ(err, "multiboot2 header tag at 16 has a bad size 24 (header length 32)",
                "address tag past header length");
    CHECK(mb2_one_tag(3, 0, 12, 24, 64) == -1, "entry tag past the header length accepted");
    /* ... and by the image end, which the header length claims to go past. */
    memset(img, 0, sizeof(img));
    mb2_header(64, 40);
    mb2_tag(2, 0, 24, address, 4);
    CHECK(mb_check(64 + 36, &h) == -1, "address tag cut by the image end accepted");
    CHECK_STREQ(err, "multiboot2 header length 40 runs past the image end (36 bytes after the "
                     "header's start)", "address tag cut by image end");
    memset(img, 0, sizeof(img));
    mb2_header(64, 28);
    mb2_tag(3, 0, 12, entry_addr, 1);
    CHECK(mb_check(64 + 26, &h) == -1, "entry tag cut by the image end accepted");
    /* Sizes below the 8-byte tag, zero (a walk that never moves) and wrapping ones. */
    CHECK(mb2_one_tag(4, 0, 4, 32, 0) == -1, "tag size 4 accepted");
    CHECK_STREQ(err, "multiboot2 header tag at 16 has a bad size 4 (header length 32)",
                "tag size 4");
    CHECK(mb2_one_tag(4, 0, 0, 32, 0) == -1, "tag size 0 accepted");
    CHECK(mb2_one_tag(4, 0, 0xfffffffcu, 32, 0) == -1, "tag size 0xfffffffc accepted");
    CHECK(mb2_one_tag(4, 0, 0xffffffffu, 32, 0) == -1, "tag size 0xffffffff accepted");
    /* Header lengths: below the header, past the image, leaving a tag fragment. */
    CHECK(mb2_one_tag(0, 0, 8, 8, 64) == -1, "header length 8 accepted");
    CHECK_STREQ(err, "multiboot2 header length 8 is below 16", "header length 8");
    memset(img, 0, sizeof(img));
    mb2_header(64, 0xfffffff0u);
    CHECK(mb_check(4096, &h) == -1, "header length 0xfffffff0 accepted");
    CHECK(mb2_one_tag(0, 0, 8, 20, 8) == -1, "4-byte tag fragment accepted");
    CHECK_STREQ(err, "multiboot2 header tag at 16 is cut off by the header length 20",
                "tag fragment");
    /* Tags the loader cannot honour, and the address tag without an entry. */
    CHECK(mb2_one_tag(11, 0, 8, 24, 0) == -1, "required unknown tag accepted");
    CHECK_STREQ(err, "multiboot2: required header tag 11 is not supported", "unknown tag");
    CHECK(mb2_one_tag(11, 1, 8, 24, 0) == 0, "optional unknown tag: %s", err);
    CHECK(mb2_one_tag(9, 0, 12, 32, 0) == -1, "required EFI64 entry tag accepted");
    memset(img, 0, sizeof(img));
    mb2_header(64, 32);
    mb2_tag(1, 0, 12, (const uint32_t[]){ 5 }, 1);
    CHECK(mb_check(4096, &h) == -1, "required information type 5 accepted");
    CHECK_STREQ(err, "multiboot2: required information type 5 is not provided", "info 5");
    /* An information request of 10 bytes holds one full entry; the 2 left are not read. */
    memset(img, 0, sizeof(img));
    mb2_header(64, 26);
    mb2_tag(1, 0, 10, (const uint32_t[]){ 6 }, 1);
    CHECK(mb_check(64 + 26, &h) == 0, "information request of 10 bytes: %s", err);
    memset(img, 0, sizeof(img));
    mb2_header(64, 40);
    mb2_tag(2, 0, 24, address, 4);
    CHECK(mb_check(4096, &h) == -1, "address tag without entry accepted");
    CHECK_STREQ(err, "multiboot2: address tag without an entry tag", "address without entry");
    memset(img, 0, sizeof(img));
    mb2_header(64, 16);
    put32(68, 4);
    put32(76, -(0xe85250d6u + 4 + 16));
    CHECK(mb_check(4096, &h) == -1, "MIPS header accepted");
    CHECK_STREQ(err, "multiboot2 header is for architecture 4, not i386 (0)", "architecture");
}

/* Random tag walks from a fixed seed: whatever the bytes, the check reads inside the image. */
static void test_mb2_random(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int rejected = 0;
    for (int round = 0; round < 4000; round++) {
        memset(img, 0, sizeof(img));
        size_t size = 80 + (round % 64);
        for (size_t i = 80; i < size; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            img[i] = (uint8_t)(x & 3 ? x % 13 : x >> 8);  /* mostly small types and sizes */
        }
        mb2_header(64, (uint32_t)(16 + (x >> 20) % 80));
        struct mb_header h;
        rejected += mb_check(size, &h) != 0;
    }
    CHECK(rejected > 0, "random headers: none rejected");
}

/* ---- ELF */

/* ELF64: header, one PT_LOAD program header at 64, 256 bytes loaded at 1 MiB. */
static void elf64_good(void)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF\2\1\1", 7);
    put16(16, 2);                 /* ET_EXEC */
    put16(18, 62);                /* x86-64 */
    put64(24, MIB + 0x80);        /* entry */
    put64(32, 64);                /* phoff */
    put16(52, 64);
    put16(54, 56);                /* phentsize */
    put16(56, 1);                 /* phnum */
    put32(64, 1);                 /* PT_LOAD */
    put64(64 + 8, 0);             /* offset */
    put64(64 + 16, MIB);          /* vaddr */
    put64(64 + 24, MIB);          /* paddr */
    put64(64 + 32, 256);          /* filesz */
    put64(64 + 40, 0x2000);       /* memsz */
}

/* ELF32 linked at 3 GiB, loaded at 2 MiB: the entry translates to physical. */
static void elf32_good(void)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF\1\1\1", 7);
    put16(16, 2);
    put16(18, 3);                 /* i386 */
    put32(24, 0xc0000010u);       /* entry */
    put32(28, 52);                /* phoff */
    put16(42, 32);
    put16(44, 1);
    put32(52, 1);
    put32(52 + 4, 0);
    put32(52 + 8, 0xc0000000u);
    put32(52 + 12, 2 * MIB);
    put32(52 + 16, 128);
    put32(52 + 20, 128);
}

static void test_elf_good(void)
{
    struct elf_image e;
    elf64_good();
    CHECK(elf(256, ELF_CLASS64, &e) == 0, "ELF64 well-formed: %s", err);
    CHECK_EQ_U64(e.entry, MIB + 0x80, "ELF64 entry");
    struct elf_seg s;
    uint8_t *copy = malloc(256);
    memcpy(copy, img, 256);
    CHECK(elf_segment(copy, &e, 0, &s), "ELF64 segment 0 loadable");
    free(copy);
    CHECK_EQ_U64(s.memsz, 0x2000, "ELF64 memsz");
    for (size_t cut = 0; cut < 256; cut++)
        CHECK(elf(cut, ELF_CLASS64, &e) == -1, "ELF64 cut at %zu accepted", cut);
    elf32_good();
    CHECK(elf(128, ELF_CLASS32, &e) == 0, "ELF32 well-formed: %s", err);
    CHECK_EQ_U64(e.entry, 2 * MIB + 0x10, "ELF32 entry, physical");
    CHECK(elf(128, ELF_CLASS64, &e) == -1, "ELF32 taken as ELF64");
    CHECK_STREQ(err, "not an ELF64 image", "class");
    for (size_t cut = 0; cut < 128; cut++)
        CHECK(elf(cut, ELF_CLASS32, &e) == -1, "ELF32 cut at %zu accepted", cut);
}

static void test_elf_hostile(void)
{
    struct elf_image e;
    elf64_good();
    img[5] = 2;
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "big-endian ELF accepted");
    CHECK_STREQ(err, "ELF64 image is not little-endian", "data encoding");
    elf64_good();
    put16(18, 40);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "ARM ELF accepted");
    CHECK_STREQ(err, "ELF machine 40 is not x86", "machine");
    elf64_good();
    put16(54, 32);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "32-byte ELF64 program headers accepted");
    CHECK_STREQ(err, "ELF program header size 32 is below 56", "phentsize");
    elf64_good();
    put64(32, 256);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "phoff at the image end accepted");
    CHECK_STREQ(err, "ELF program headers outside the image", "phoff at end");
    put64(32, 0xffffffffffffffc0ull);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "phoff wrapping accepted");
    elf64_good();
    put64(32, 240);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "program header straddling the end accepted");
    elf64_good();
    put16(56, 4);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "phnum past the end accepted");
    CHECK_STREQ(err, "ELF program headers outside the image", "phnum");
    elf64_good();
    put16(56, 0xffff);
    put16(54, 0xffff);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "phnum * phentsize past the end accepted");

    elf64_good();
    put64(64 + 32, 0x3000);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "filesz > memsz accepted");
    CHECK_STREQ(err, "ELF segment 0: file size 0x3000 is larger than its memory size 0x2000",
                "filesz > memsz");
    elf64_good();
    put64(64 + 8, 16);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "segment past the image end accepted");
    CHECK_STREQ(err, "ELF segment 0: file range outside the image", "offset + filesz");
    put64(64 + 8, 0xfffffffffffffff0ull);
    put64(64 + 32, 0x20);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "offset + filesz wrapping accepted");
    elf64_good();
    put64(64 + 16, 0x80000);
    put64(64 + 24, 0x80000);
    put64(24, 0x80080);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "segment below 1 MiB accepted");
    CHECK_STREQ(err, "ELF segment 0 at 0x80000 (0x2000 bytes) is outside guest RAM "
                     "[0x100000, 0x800000)", "below 1 MiB");
    elf64_good();
    put64(64 + 40, MEM);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "segment past guest RAM accepted");
    elf64_good();
    put64(64 + 16, 0xfffffffffffff000ull);
    put64(64 + 24, 0xfffffffffffff000ull);
    put64(24, 0xfffffffffffff010ull);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "paddr + memsz wrapping accepted");
    elf64_good();
    put64(24, MIB + 0x2000);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "entry past the segment accepted");
    CHECK_STREQ(err, "ELF entry point 0x102000 is in no loaded segment", "entry");
    put64(24, MIB - 1);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "entry before the segment accepted");
    elf64_good();
    put64(64 + 16, 0xfffffffffffff000ull);
    put64(24, 0x10);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "entry through a wrapping vaddr range accepted");
    elf64_good();
    put64(64 + 16, 2 * MIB);
    put64(24, 2 * MIB);
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "ELF64 entry segment not identity-linked accepted");
    CHECK_STREQ(err, "ELF64 entry segment is linked at 0x200000 but loads at 0x100000; "
                     "long-mode guests must be identity-linked", "identity");
    elf64_good();
    put32(64, 4);                 /* PT_NOTE */
    CHECK(elf(256, ELF_CLASS64, &e) == -1, "no PT_LOAD accepted");
    CHECK_STREQ(err, "ELF image has no loadable segment", "no PT_LOAD");
    elf32_good();
    put32(52 + 16, 0x1000);
    CHECK(elf(128, ELF_CLASS32, &e) == -1, "ELF32 filesz > memsz accepted");
}

int main(void)
{
    test_mb1_good();
    test_mb1_truncated();
    test_mb_ranges();
    test_mb2_good();
    test_mb2_hostile();
    test_mb2_random();
    test_elf_good();
    test_elf_hostile();
    return check_summary("loader");
}
