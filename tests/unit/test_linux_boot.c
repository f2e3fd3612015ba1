/* Unit tests for the Linux boot checks (vmm/loader/linux_*.c): synthetic bzImage setup
 * headers and PVH ELF notes, good and hostile; the guest memory map; the command line and
 * initrd limits; the zero page and hvm_start_info builders. Each image is checked in a heap
 * copy of exactly its size, so a read past it is an ASan error. With a real kernel at hand
 * (LINUX_BZIMAGE / LINUX_VMLINUX, or build/guests/linux/current/{bzImage,vmlinux}) its
 * header and note are parsed too and what was found is printed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmm/loader/linux_check.h"
#include "vmm/loader/linux_layout.h"

#define MIB 0x100000ull
#define MEM (64 * MIB)
#define BZ_SIZE 16384u

static uint8_t img[BZ_SIZE];
static char err[300];

static void put8(size_t off, uint8_t v) { img[off] = v; }
static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

static bool has(const char *word) { return strstr(err, word) != NULL; }

/* ---- bzImage */

/* A well-formed 2.15 header: setup in sector 1, the rest of the image is the kernel. */
static void bz_good(void)
{
    memset(img, 0, sizeof(img));
    put8(0x1f1, 1);                             /* setup_sects */
    put32(0x1f4, (BZ_SIZE - 1024) / 16);        /* syssize */
    put16(0x1fe, 0xaa55);
    put8(0x200, 0xeb);
    put8(0x201, 0x6a);                          /* header ends at 0x26c */
    put32(0x202, 0x53726448);
    put16(0x206, 0x020f);
    put8(0x211, 0x01);                          /* LOADED_HIGH */
    put32(0x22c, 0x7fffffff);                   /* initrd_addr_max */
    put32(0x230, 0x200000);                     /* kernel_alignment */
    put8(0x234, 1);                             /* relocatable */
    put8(0x235, 21);                            /* min_alignment */
    put16(0x236, 0x7f);                         /* xloadflags */
    put32(0x238, 2047);                         /* cmdline_size */
    put64(0x258, 0x1000000);                    /* pref_address */
    put32(0x260, 0x400000);                     /* init_size */
}

static int bz(size_t size, uint64_t mem, struct bz_image *b)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, img, size);
    err[0] = 0;
    int rc = bzimage_check(copy, size, mem, b, err, sizeof(err));
    free(copy);
    return rc;
}

static void test_bz_good(void)
{
    struct bz_image b;
    bz_good();
    CHECK(bzimage_present(img, BZ_SIZE), "HdrS seen");
    CHECK(bz(BZ_SIZE, MEM, &b) == 0, "good bzImage: %s", err);
    CHECK_EQ_U64(b.version, 0x020f, "version");
    CHECK_EQ_U64(b.kernel_off, 1024, "kernel offset: (setup_sects + 1) sectors");
    CHECK_EQ_U64(b.kernel_size, BZ_SIZE - 1024, "kernel size: syssize * 16");
    CHECK_EQ_U64(b.load_addr, 0x1000000, "load at pref_address");
    CHECK_EQ_U64(b.entry64, 0x1000200, "64-bit entry at +0x200");
    CHECK_EQ_U64(b.window_end, 0x1400000, "init_size window");
    CHECK_EQ_U64(b.cmdline_size, 2047, "cmdline_size");
    CHECK_EQ_U64(b.initrd_addr_max, 0x7fffffff, "initrd_addr_max");
    CHECK_EQ_U64(b.hdr_end, 0x26c, "header end");

    /* setup_sects 0 means 4. */
    put8(0x1f1, 0);
    put32(0x1f4, (BZ_SIZE - 2560) / 16);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.kernel_off == 2560, "setup_sects 0: %s", err);

    /* Relocatable: pref_address rounded up to kernel_alignment. */
    bz_good();
    put64(0x258, 0x1100000);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.load_addr == 0x1200000, "aligned up: %#lx %s",
          b.load_addr, err);
    /* ... and never below 1 MiB. */
    put64(0x258, 0);
    put32(0x230, 0x1000);
    put8(0x235, 12);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.load_addr == MIB, "pref 0: at 1 MiB %s", err);

    /* Not relocatable: at pref_address as it is. */
    bz_good();
    put8(0x234, 0);
    put64(0x258, 0x100000);
    put32(0x230, 0x3);                          /* not looked at when not relocatable */
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.load_addr == 0x100000, "fixed at 1 MiB: %s", err);

    /* init_size below the kernel: the kernel's own size is what must fit. */
    bz_good();
    put32(0x260, 0x100);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.window_end == 0x1000000 + BZ_SIZE - 1024,
          "window covers the kernel: %s", err);
    /* The kernel ends exactly at the end of guest memory: fits. */
    bz_good();
    put32(0x260, (uint32_t)(MEM - 0x1000000));
    CHECK(bz(BZ_SIZE, MEM, &b) == 0 && b.window_end == MEM, "exact fit: %s", err);
}

static void test_bz_protocol(void)
{
    struct bz_image b;
    bz_good();
    put16(0x206, 0x020b);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("2.11") && has("2.12"), "old protocol: %s", err);
    bz_good();
    put16(0x236, 0x7e);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("64-bit"), "no XLF_KERNEL_64: %s", err);
    bz_good();
    put8(0x211, 0);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("zImage"), "not LOADED_HIGH: %s", err);
    bz_good();
    put16(0x1fe, 0x1234);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("boot_flag"), "boot flag: %s", err);
    bz_good();
    put32(0x202, 0x53726449);
    CHECK(!bzimage_present(img, BZ_SIZE), "no HdrS: not a bzImage");
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("HdrS"), "no HdrS: %s", err);
    bz_good();
    CHECK(!bzimage_present(img, 0x205), "HdrS cut off: not seen");
}

static void test_bz_sizes(void)
{
    struct bz_image b;
    /* The header's own length: short of init_size, or past the image. */
    bz_good();
    put8(0x201, 0x50);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("setup header ends"), "short header: %s", err);
    bz_good();
    CHECK(bz(0x260, MEM, &b) < 0 && has("setup header ends"), "image cut in the header: %s",
          err);
    bz_good();
    put8(0x1f1, 200);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("setup_sects"), "setup past the image: %s", err);
    bz_good();
    put32(0x1f4, (BZ_SIZE - 1024) / 16 + 1);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("syssize"), "syssize past the image: %s", err);
    bz_good();
    put32(0x1f4, 0);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("syssize"), "syssize 0: %s", err);
    bz_good();
    put32(0x1f4, 0xffffffffu);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("syssize"), "syssize huge: %s", err);
    /* Found by the loader fuzzer's entry property: a kernel shorter than its entry offset
     * was accepted, its 64-bit entry in the zeroed window past the copied bytes. */
    bz_good();
    put32(0x1f4, 0x200 / 16);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("64-bit entry"), "kernel ends at its entry: %s", err);
    bz_good();
    put32(0x1f4, 0x210 / 16);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0, "kernel just past its entry: %s", err);
    bz_good();
    put32(0x230, 0x300000);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("kernel_alignment"), "alignment 3 MiB: %s", err);
    bz_good();
    put32(0x230, 0);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("kernel_alignment"), "alignment 0: %s", err);
    bz_good();
    put8(0x235, 22);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("min_alignment"), "min above preferred: %s", err);
    bz_good();
    put32(0x260, 0);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("init_size"), "init_size 0: %s", err);
    bz_good();
    put32(0x238, 0);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("cmdline_size"), "cmdline_size 0: %s", err);
    bz_good();
    put32(0x22c, 0xfffff);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("initrd_addr_max"), "initrd max low: %s", err);
    bz_good();
    put8(0x234, 0);
    put64(0x258, 0x1000800);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("not relocatable"), "fixed, unaligned: %s", err);
    bz_good();
    put8(0x234, 0);
    put64(0x258, 0x8000);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("not relocatable"), "fixed below 1 MiB: %s", err);
}

static void test_bz_too_big(void)
{
    struct bz_image b;
    bz_good();
    put32(0x260, 0x8000000);                    /* 128 MiB at 16 MiB in 64 MiB */
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("kernel does not fit"), "init_size: %s", err);
    bz_good();
    put32(0x260, (uint32_t)(MEM - 0x1000000) + 1);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("kernel does not fit"), "one byte over: %s", err);
    bz_good();
    put64(0x258, 0xffffffffffe00000ull);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("beyond guest memory"), "pref near 2^64: %s", err);
    bz_good();
    put8(0x234, 0);
    put64(0x258, 0xfffffffffffff000ull);
    CHECK(bz(BZ_SIZE, MEM, &b) < 0 && has("kernel does not fit"), "fixed near 2^64: %s", err);
}

/* ---- command line and initrd */

static void test_cmdline(void)
{
    static char line[LINUX_CMDLINE_MAX + 1];
    memset(line, 'x', sizeof(line) - 1);
    line[2047] = 0;
    CHECK(linux_cmdline_check(line, 2047, err, sizeof(err)) == 0, "2047 of 2047: %s", err);
    line[2047] = 'x';
    line[2048] = 0;
    CHECK(linux_cmdline_check(line, 2047, err, sizeof(err)) < 0 && has("cmdline_size"),
          "2048 of 2047: %s", err);
    line[2048] = 'x';
    line[LINUX_CMDLINE_MAX - 1] = 0;
    CHECK(linux_cmdline_check(line, 0, err, sizeof(err)) == 0, "4095 without kernel limit");
    line[LINUX_CMDLINE_MAX - 1] = 'x';
    line[LINUX_CMDLINE_MAX] = 0;
    CHECK(linux_cmdline_check(line, 0, err, sizeof(err)) < 0 && has("reserves"),
          "4096 bytes: %s", err);
    CHECK(linux_cmdline_check(line, 0xffffffffu, err, sizeof(err)) < 0 && has("reserves"),
          "the loader's limit holds whatever the kernel says: %s", err);
    CHECK(linux_cmdline_check("", 1, err, sizeof(err)) == 0, "empty");
}

static void test_initrd(void)
{
    uint64_t start = 0;
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, MIB + 5, &start, err,
                             sizeof(err)) == 0, "fits: %s", err);
    CHECK_EQ_U64(start, (MEM - MIB - 5) & ~0xfffull, "as high as memory allows, page-aligned");
    CHECK(start + MIB + 5 <= MEM, "inside memory");
    /* The kernel's limit below the end of memory: the initrd ends at or below it. */
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x1ffffff, 4096, &start, err, sizeof(err)) == 0,
          "under initrd_addr_max: %s", err);
    CHECK_EQ_U64(start, 0x2000000 - 4096, "last byte at initrd_addr_max");
    /* Exactly the room between the kernel and the top. */
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, MEM - 0x1400000, &start, err,
                             sizeof(err)) == 0 && start == 0x1400000, "exact fit: %s", err);
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, MEM - 0x1400000 + 1, &start, err,
                             sizeof(err)) < 0 && has("does not fit"), "one byte over: %s", err);
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, 60 * MIB, &start, err,
                             sizeof(err)) < 0 && has("does not fit"), "too big: %s", err);
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x13fffff, 4096, &start, err, sizeof(err)) < 0,
          "limit below the kernel's end: %s", err);
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, ~0ull, &start, err, sizeof(err)) < 0,
          "size near 2^64");
    CHECK(linux_initrd_place(MEM, 0x1400000, 0x7fffffff, 0, &start, err, sizeof(err)) < 0 &&
          has("empty"), "empty initrd: %s", err);
}

/* ---- memory map */

static void test_memmap(void)
{
    struct linux_mem_range r[LINUX_MEMMAP_MAX];
    int n = linux_memmap(MEM, r, err, sizeof(err));
    CHECK(n == 5, "5 ranges: %d %s", n, err);
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        CHECK(r[i].addr == at && r[i].size > 0, "range %d contiguous from 0", i);
        at = r[i].addr + r[i].size;
    }
    CHECK_EQ_U64(at, MEM, "covers guest memory exactly");
    CHECK(r[0].type == E820_RAM && r[0].size == LINUX_GPA_LOW_RAM_END, "low RAM");
    CHECK(r[1].type == E820_RESERVED, "EBDA/VGA hole reserved");
    CHECK(r[2].type == E820_ACPI && r[2].addr == LINUX_GPA_ACPI && r[2].size == LINUX_ACPI_SIZE,
          "ACPI tables");
    CHECK(r[3].type == E820_RESERVED && r[3].addr + r[3].size == MIB, "BIOS area reserved");
    CHECK(r[4].type == E820_RAM && r[4].addr == MIB, "high RAM");
    /* Boot data sits in low RAM, below the hole. */
    CHECK(LINUX_GPA_CMDLINE + LINUX_CMDLINE_MAX <= LINUX_GPA_LOW_RAM_END, "command line in RAM");

    CHECK(linux_memmap(16 * MIB - 4096, r, err, sizeof(err)) < 0 && has("16 MiB"),
          "below 16 MiB: %s", err);
    CHECK(linux_memmap(16 * MIB, r, err, sizeof(err)) == 5, "16 MiB");
    CHECK(linux_memmap(0xc0000000ull, r, err, sizeof(err)) == 5, "3 GiB, up to the window");
    CHECK(linux_memmap(0xc0001000ull, r, err, sizeof(err)) < 0 && has("PCI window"),
          "into the PCI window: %s", err);
    CHECK(linux_memmap(MEM + 1, r, err, sizeof(err)) < 0 && has("pages"), "unaligned: %s", err);
}

/* ---- zero page */

static void test_zero_page(void)
{
    struct bz_image b;
    struct linux_mem_range r[LINUX_MEMMAP_MAX];
    bz_good();
    put8(0x211, 0x81);                          /* LOADED_HIGH | CAN_USE_HEAP */
    put16(0x224, 0x1234);
    put8(0x26c, 0xee);                          /* past the header: not copied */
    CHECK(bz(BZ_SIZE, MEM, &b) == 0, "header: %s", err);
    int n = linux_memmap(MEM, r, err, sizeof(err));
    struct linux_boot_args a = { LINUX_GPA_CMDLINE, 0x3000000, 0x12345, 0xe0000, r, (unsigned)n };
    static struct linux_boot_params bp;
    memset(&bp, 0xcc, sizeof(bp));
    linux_zero_page(&bp, img, &b, &a);
    const uint8_t *raw = (const uint8_t *)&bp;
    CHECK_EQ_U64(bp.hdr.header, 0x53726448, "header copied");
    CHECK_EQ_U64(bp.hdr.version, 0x020f, "version copied");
    CHECK_EQ_U64(bp.hdr.syssize, (BZ_SIZE - 1024) / 16, "syssize copied");
    CHECK_EQ_U64(bp.hdr.init_size, 0x400000, "init_size copied");
    CHECK_EQ_U64(raw[0x210], 0xff, "type_of_loader");
    CHECK_EQ_U64(raw[0x211], 0x01, "loadflags: LOADED_HIGH, no heap");
    CHECK_EQ_U64(bp.hdr.heap_end_ptr, 0, "no heap");
    CHECK_EQ_U64(bp.hdr.cmd_line_ptr, LINUX_GPA_CMDLINE, "cmd_line_ptr");
    CHECK_EQ_U64(bp.hdr.ramdisk_image, 0x3000000, "ramdisk_image");
    CHECK_EQ_U64(bp.hdr.ramdisk_size, 0x12345, "ramdisk_size");
    CHECK_EQ_U64(bp.hdr.code32_start, 0x1000000, "code32_start: the load address");
    CHECK_EQ_U64(bp.acpi_rsdp_addr, 0xe0000, "acpi_rsdp_addr (2.15)");
    CHECK_EQ_U64(raw[0x1e8], 5, "e820_entries");
    CHECK_EQ_U64(bp.e820_table[4].addr, MIB, "e820[4] address");
    CHECK_EQ_U64(bp.e820_table[4].size, MEM - MIB, "e820[4] size");
    CHECK_EQ_U64(bp.e820_table[2].type, E820_ACPI, "e820[2] type");
    CHECK_EQ_U64(raw[0x26c], 0, "nothing past the header copied");
    CHECK_EQ_U64(raw[0x1ef], 0, "sentinel zero");
    CHECK_EQ_U64(raw[0], 0, "rest zeroed");
    CHECK_EQ_U64(raw[0xfff], 0, "rest zeroed to the end");

    /* Before 2.14 there is no acpi_rsdp_addr: the kernel scans 0xe0000 for the RSDP. */
    put16(0x206, 0x020c);
    CHECK(bz(BZ_SIZE, MEM, &b) == 0, "2.12: %s", err);
    linux_zero_page(&bp, img, &b, &a);
    CHECK_EQ_U64(bp.acpi_rsdp_addr, 0, "no acpi_rsdp_addr before 2.14");
}

/* ---- PVH */

#define ELF_SIZE 4096u
#define PH_OFF 64u
#define NOTE_OFF 0x200u
#define SH_OFF 0x800u

/* An ELF64 vmlinux-like image: PT_LOAD linked at -2 GiB loading at 16 MiB, then PT_NOTE. */
static void elf_vmlinux(bool with_phdr_note)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF", 4);
    img[4] = 2;
    img[5] = 1;
    img[6] = 1;
    put16(16, 2);
    put16(18, 62);
    put32(20, 1);
    put64(24, 0x1000000);                       /* e_entry: physical, as Linux links it */
    put64(32, PH_OFF);
    put16(52, 64);
    put16(54, 56);
    put16(56, with_phdr_note ? 2 : 1);
    put32(PH_OFF, 1);                           /* PT_LOAD */
    put64(PH_OFF + 8, 0);
    put64(PH_OFF + 16, 0xffffffff81000000ull);
    put64(PH_OFF + 24, 0x1000000);
    put64(PH_OFF + 32, ELF_SIZE);
    put64(PH_OFF + 40, 0x10000);
    if (with_phdr_note) {
        put32(PH_OFF + 56, 4);                  /* PT_NOTE */
        put64(PH_OFF + 56 + 8, NOTE_OFF);
        put64(PH_OFF + 56 + 48, 4);
    }
}

/* Appends a note at *off; returns its descriptor's offset. */
static size_t note(size_t *off, const char *name, uint32_t type, const void *desc, uint32_t dsz)
{
    uint32_t nsz = (uint32_t)strlen(name) + 1;
    put32(*off, nsz);
    put32(*off + 4, dsz);
    put32(*off + 8, type);
    memcpy(img + *off + 12, name, nsz);
    size_t d = *off + 12 + ((nsz + 3) & ~3u);
    memcpy(img + d, desc, dsz);
    *off = d + ((dsz + 3) & ~3u);
    return d;
}

/* Notes: a GNU build id, a Xen note of another type, then the PVH entry (8 bytes). */
static size_t pvh_notes(uint32_t entry_size)
{
    size_t off = NOTE_OFF;
    uint8_t id[20] = { 1, 2, 3 };
    uint64_t entry[2] = { 0x1000850, 0 }, other = 0xffffffff80000000ull;
    note(&off, "GNU", 3, id, sizeof(id));
    note(&off, "Xen", 3, &other, 8);
    note(&off, "Xen", 18, entry, entry_size);
    put64(PH_OFF + 56 + 32, off - NOTE_OFF);    /* PT_NOTE p_filesz */
    return off - NOTE_OFF;
}

static int pvh(size_t size, uint32_t *entry)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, img, size);
    err[0] = 0;
    *entry = 0;
    int rc = pvh_find_entry(copy, size, entry, err, sizeof(err));
    free(copy);
    return rc;
}

static void test_pvh_good(void)
{
    uint32_t entry;
    elf_vmlinux(true);
    pvh_notes(8);
    CHECK(pvh(ELF_SIZE, &entry) == 1, "PVH note (8-byte descriptor): %s", err);
    CHECK_EQ_U64(entry, 0x1000850, "PVH entry");
    elf_vmlinux(true);
    pvh_notes(4);
    CHECK(pvh(ELF_SIZE, &entry) == 1 && entry == 0x1000850, "4-byte descriptor: %s", err);

    /* Only a section header names the notes. */
    elf_vmlinux(false);
    size_t len = pvh_notes(8);
    put64(PH_OFF + 56 + 32, 0);
    put64(40, SH_OFF);
    put16(58, 64);
    put16(60, 2);
    put32(SH_OFF + 64 + 4, 7);                  /* SHT_NOTE */
    put64(SH_OFF + 64 + 24, NOTE_OFF);
    put64(SH_OFF + 64 + 32, len);
    put64(SH_OFF + 64 + 48, 4);
    CHECK(pvh(ELF_SIZE, &entry) == 1 && entry == 0x1000850, "SHT_NOTE: %s", err);

    /* The segments load by physical address; the entry is in them. */
    elf_vmlinux(true);
    pvh_notes(8);
    struct elf_image e;
    CHECK(elf_check_phys(img, ELF_SIZE, MEM, &e, err, sizeof(err)) == 0, "phys: %s", err);
    CHECK(elf_check(img, ELF_SIZE, ELF_CLASS64, MEM, &e, err, sizeof(err)) < 0,
          "the generic ELF64 path refuses a vmlinux: %s", err);
    CHECK(elf_check_phys(img, ELF_SIZE, MEM, &e, err, sizeof(err)) == 0 &&
          pvh_check_entry(img, &e, 0x1000850, err, sizeof(err)) == 0, "entry in segment: %s", err);
    CHECK(pvh_check_entry(img, &e, 0x1000000 + ELF_SIZE, err, sizeof(err)) < 0 &&
          has("no loaded segment"), "entry past the file bytes: %s", err);
    CHECK(pvh_check_entry(img, &e, 0xfff000, err, sizeof(err)) < 0, "entry below: %s", err);
    CHECK(elf_check_phys(img, ELF_SIZE, 16 * MIB, &e, err, sizeof(err)) < 0 &&
          has("outside guest RAM"), "kernel does not fit: %s", err);
}

static void test_pvh_hostile(void)
{
    uint32_t entry;
    /* No note at all, or no ELF. */
    elf_vmlinux(true);
    size_t off = NOTE_OFF;
    uint8_t id[20] = { 0 };
    note(&off, "GNU", 3, id, sizeof(id));
    put64(PH_OFF + 56 + 32, off - NOTE_OFF);
    CHECK(pvh(ELF_SIZE, &entry) == 0, "no PVH note: %s", err);
    elf_vmlinux(false);
    CHECK(pvh(ELF_SIZE, &entry) == 0, "no note table");
    bz_good();
    CHECK(pvh(BZ_SIZE, &entry) == 0, "a bzImage is no ELF");
    elf_vmlinux(true);
    pvh_notes(8);
    img[4] = 1;
    CHECK(pvh(ELF_SIZE, &entry) == 0, "ELF32: not looked at");
    elf_vmlinux(true);
    pvh_notes(8);
    CHECK(pvh(40, &entry) == 0, "image shorter than the ELF header");

    /* Wrong descriptor sizes. */
    elf_vmlinux(true);
    pvh_notes(2);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("2-byte"), "2-byte entry: %s", err);
    elf_vmlinux(true);
    pvh_notes(12);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("12-byte"), "12-byte entry: %s", err);
    /* An entry above 4 GiB or zero. */
    elf_vmlinux(true);
    size_t d = NOTE_OFF + pvh_notes(8) - 8;
    put64(d, 0x100000000ull);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("32-bit"), "entry above 4 GiB: %s", err);
    put64(d, 0);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("32-bit"), "entry 0: %s", err);

    /* Truncated: the note table ends inside the PVH note's descriptor. */
    elf_vmlinux(true);
    size_t len = pvh_notes(8);
    put64(PH_OFF + 56 + 32, len - 4);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("runs past"), "truncated descriptor: %s", err);
    /* A note that claims a huge name. */
    elf_vmlinux(true);
    pvh_notes(8);
    put32(NOTE_OFF, 0xfffffff0u);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("runs past"), "huge namesz: %s", err);
    /* A note table past the image end. */
    elf_vmlinux(true);
    pvh_notes(8);
    put64(PH_OFF + 56 + 8, ELF_SIZE - 8);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("outside the image"), "table past the end: %s", err);
    elf_vmlinux(true);
    pvh_notes(8);
    put64(PH_OFF + 56 + 32, ~0ull);
    CHECK(pvh(ELF_SIZE, &entry) < 0 && has("outside the image"), "table size 2^64-1: %s", err);
    /* The image ends inside the note table. */
    elf_vmlinux(true);
    len = pvh_notes(8);
    CHECK(pvh(NOTE_OFF + len - 1, &entry) < 0, "image cut in the notes: %s", err);
    /* Program headers past the image: left to the ELF checks. */
    elf_vmlinux(true);
    pvh_notes(8);
    put64(32, ELF_SIZE);
    CHECK(pvh(ELF_SIZE, &entry) == 0, "program headers outside: no note found");
}

static void test_start_info(void)
{
    struct linux_mem_range r[LINUX_MEMMAP_MAX];
    int n = linux_memmap(MEM, r, err, sizeof(err));
    struct linux_boot_args a = { LINUX_GPA_CMDLINE, 0x3000000, 0x5000, 0xe0010, r, (unsigned)n };
    static uint8_t buf[4096];
    memset(buf, 0xcc, sizeof(buf));
    size_t used = pvh_start_info(buf, sizeof(buf), LINUX_GPA_BOOT_PARAMS, &a);
    CHECK_EQ_U64(used, 56 + 5 * 24 + 32, "start info, memmap, one module");
    struct pvh_start_info si;
    memcpy(&si, buf, sizeof(si));
    CHECK_EQ_U64(si.magic, 0x336ec578, "magic");
    CHECK_EQ_U64(si.version, 1, "version");
    CHECK_EQ_U64(si.flags, 0, "flags");
    CHECK_EQ_U64(si.cmdline_paddr, LINUX_GPA_CMDLINE, "cmdline");
    CHECK_EQ_U64(si.rsdp_paddr, 0xe0010, "rsdp");
    CHECK_EQ_U64(si.memmap_entries, 5, "memmap entries");
    CHECK_EQ_U64(si.memmap_paddr, LINUX_GPA_BOOT_PARAMS + 56, "memmap address");
    CHECK_EQ_U64(si.nr_modules, 1, "one module");
    CHECK_EQ_U64(si.modlist_paddr, LINUX_GPA_BOOT_PARAMS + 56 + 120, "modlist address");
    CHECK_EQ_U64(si.reserved, 0, "reserved");
    struct pvh_memmap_entry m;
    memcpy(&m, buf + 56 + 4 * 24, sizeof(m));
    CHECK(m.addr == MIB && m.size == MEM - MIB && m.type == E820_RAM && m.reserved == 0,
          "memmap[4] high RAM");
    memcpy(&m, buf + 56 + 2 * 24, sizeof(m));
    CHECK(m.addr == LINUX_GPA_ACPI && m.type == E820_ACPI, "memmap[2] ACPI");
    struct pvh_modlist_entry mod;
    memcpy(&mod, buf + 56 + 120, sizeof(mod));
    CHECK(mod.paddr == 0x3000000 && mod.size == 0x5000 && mod.cmdline_paddr == 0 &&
          mod.reserved == 0, "module entry");
    CHECK_EQ_U64(buf[used], 0xcc, "nothing written past the end");

    a.initrd_size = 0;
    used = pvh_start_info(buf, sizeof(buf), LINUX_GPA_BOOT_PARAMS, &a);
    memcpy(&si, buf, sizeof(si));
    CHECK(used == 56 + 120 && si.nr_modules == 0 && si.modlist_paddr == 0, "no initrd");
    CHECK(pvh_start_info(buf, 56 + 119, LINUX_GPA_BOOT_PARAMS, &a) == 0, "buffer too small");
}

/* ---- a real kernel, when one is at hand */

static uint8_t *slurp(const char *env, const char *fallback, size_t *size, const char **path)
{
    *path = getenv(env) ? getenv(env) : fallback;
    FILE *f = fopen(*path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = buf ? (size_t)n : 0;
    return buf;
}

static void test_real_kernel(void)
{
    const char *path;
    size_t size;
    uint8_t *k = slurp("LINUX_BZIMAGE", "build/guests/linux/current/bzImage", &size, &path);
    if (!k) {
        printf("linux_boot: no bzImage at %s (set LINUX_BZIMAGE): real-header check skipped\n",
               path);
    } else {
        struct bz_image b;
        int rc = bzimage_check(k, size, 256 * MIB, &b, err, sizeof(err));
        CHECK(bzimage_present(k, size) && rc == 0, "%s: %s", path, err);
        if (rc == 0)
            printf("linux_boot: %s: protocol %u.%02u, kernel %lu KiB at %#lx, entry %#lx, "
                   "init_size window to %#lx, cmdline_size %u, initrd_addr_max %#lx\n", path,
                   b.version >> 8, b.version & 0xff, b.kernel_size >> 10, b.load_addr,
                   b.entry64, b.window_end, b.cmdline_size, b.initrd_addr_max);
        free(k);
    }
    k = slurp("LINUX_VMLINUX", "build/guests/linux/current/vmlinux", &size, &path);
    if (!k) {
        printf("linux_boot: no vmlinux at %s (set LINUX_VMLINUX): real-note check skipped\n",
               path);
        return;
    }
    uint32_t entry = 0;
    struct elf_image e;
    int rc = pvh_find_entry(k, size, &entry, err, sizeof(err));
    CHECK(rc == 1, "%s: PVH note: %d %s", path, rc, err);
    CHECK(rc == 1 && elf_check_phys(k, size, 256 * MIB, &e, err, sizeof(err)) == 0 &&
          pvh_check_entry(k, &e, entry, err, sizeof(err)) == 0, "%s: segments: %s", path, err);
    if (rc == 1)
        printf("linux_boot: %s: PVH entry %#x, %u program headers\n", path, entry, e.phnum);
    free(k);
}

int main(void)
{
    test_bz_good();
    test_bz_protocol();
    test_bz_sizes();
    test_bz_too_big();
    test_cmdline();
    test_initrd();
    test_memmap();
    test_zero_page();
    test_pvh_good();
    test_pvh_hostile();
    test_start_info();
    test_real_kernel();
    return check_summary("linux_boot");
}
