/* libFuzzer harness: the kernel-image checks (the vmm/loader/ *_check.c files, linux_memmap.c) on any
 * image, for any guest memory size. Every parser runs on every input (ELF32, ELF64, ELF64 by
 * physical address, multiboot 1/2 with the load range, bzImage, the PVH note), so none is
 * reached only through the formats detected before it. A refusal must give a reason; an
 * accepted image must be loadable as the loaders load it:
 *  - every byte copied comes from inside the image, every byte written (segments, the
 *    multiboot load range, the bzImage kernel and its init_size window) lies in guest RAM at
 *    or above 1 MiB and so clear of what the loaders place below it (page tables, GDT, boot
 *    information, zero page, command line, stack, the Linux ACPI tables);
 *  - the entry point lies in what is loaded (for bzImage: in the copied kernel bytes; PVH: in
 *    a segment's file bytes; ELF: in a segment, identity-linked for ELF64);
 *  - the initrd, when placed, is page-aligned above the kernel, in RAM and under its limit;
 *  - the zero page and hvm_start_info the loaders build from it say what was decided.
 * Input: memory size selector (u16), flags, initrd size (u32), command line length (u16),
 * then the image. */
#include <stdbool.h>

#include "exitless/bootinfo.h"
#include "fuzz_input.h"
#include "vmm/loader/linux_check.h"
#include "vmm/loader/linux_layout.h"

#define ERR_LEN 160
#define MAX_IMAGE 8192

/* What the loaders place below 1 MiB (vmm/loader/loader.c, loader_multiboot.c, loader_linux.c,
 * linux_layout.h): no image byte may land on any of it. */
static const struct { uint64_t start, end; const char *what; } placed[] = {
    { EXITLESS_GPA_PAGE_TABLES, EXITLESS_GPA_PAGE_TABLES + 6 * 0x1000, "page tables" },
    { EXITLESS_GPA_GDT, EXITLESS_GPA_GDT + 32, "GDT" },
    { EXITLESS_GPA_BOOT_INFO, EXITLESS_GPA_BOOT_INFO + 0x8000, "boot information" },
    { LINUX_GPA_CMDLINE, LINUX_GPA_CMDLINE + LINUX_CMDLINE_MAX, "Linux command line" },
    { 0x10000, EXITLESS_GPA_STACK_TOP, "stack" },
    { LINUX_GPA_ACPI, LINUX_GPA_ACPI + LINUX_ACPI_SIZE, "ACPI tables" },
};

static uint64_t mem_size;
static char err[ERR_LEN];

static void check_refusal(int rc, const char *what)
{
    FUZZ_ASSERT(rc == 0 || (rc == -1 && err[0]), "%s: rc %d without a reason", what, rc);
}

/* Guest-physical [start, start + len) is written by a loader. */
static void check_written(uint64_t start, uint64_t len, const char *what)
{
    FUZZ_ASSERT(start >= EXITLESS_GPA_IMAGE_MIN && start <= mem_size && len <= mem_size - start,
                "%s %#lx+%#lx outside guest RAM [1 MiB, %#lx)", what, start, len, mem_size);
    for (unsigned i = 0; i < sizeof(placed) / sizeof(placed[0]); i++)
        FUZZ_ASSERT(!len || start + len <= placed[i].start || start >= placed[i].end,
                    "%s %#lx+%#lx overlaps the %s", what, start, len, placed[i].what);
}

static void check_copied(uint64_t off, uint64_t len, size_t size, const char *what)
{
    FUZZ_ASSERT(off <= size && len <= size - off, "%s bytes %#lx+%#lx outside the %zu-byte image",
                what, off, len, size);
}

/* An accepted ELF: every segment as elf_load_segments copies it; returns the end of the
 * loaded image (what image_end becomes). */
static uint64_t check_segments(const uint8_t *img, size_t size, const struct elf_image *e)
{
    uint64_t end = 0;
    unsigned loaded = 0;
    FUZZ_ASSERT(e->phoff <= size && (uint64_t)e->phnum * e->phentsize <= size - e->phoff,
                "program headers outside the image");
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (!elf_segment(img, e, i, &s))
            continue;
        loaded++;
        FUZZ_ASSERT(s.filesz <= s.memsz, "segment %u file size above memory size", i);
        check_copied(s.offset, s.filesz, size, "segment");
        check_written(s.paddr, s.memsz, "segment");
        if (s.paddr + s.memsz > end)
            end = s.paddr + s.memsz;
    }
    FUZZ_ASSERT(loaded, "accepted ELF with no loadable segment");
    return end;
}

/* The entry must be in a segment: [paddr, paddr + memsz), or its file bytes. */
static bool entry_in_segment(const uint8_t *img, const struct elf_image *e, uint64_t entry,
                             bool file_bytes, bool identity)
{
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (!elf_segment(img, e, i, &s))
            continue;
        uint64_t len = file_bytes ? s.filesz : s.memsz;
        if (entry >= s.paddr && entry - s.paddr < len && (!identity || s.vaddr == s.paddr))
            return true;
    }
    return false;
}

static void fuzz_elf(const uint8_t *img, size_t size)
{
    for (int cls = ELF_CLASS32; cls <= ELF_CLASS64; cls++) {
        struct elf_image e;
        err[0] = 0;
        int rc = elf_check(img, size, cls, mem_size, &e, err, sizeof(err));
        check_refusal(rc, "elf_check");
        if (rc)
            continue;
        FUZZ_ASSERT(e.cls == cls, "class %d for %d", e.cls, cls);
        check_segments(img, size, &e);
        FUZZ_ASSERT(entry_in_segment(img, &e, e.entry, false, cls == ELF_CLASS64),
                    "ELF%d entry %#lx in no loaded segment", cls == ELF_CLASS64 ? 64 : 32, e.entry);
    }
}

static void fuzz_pvh(const uint8_t *img, size_t size, const struct linux_boot_args *args)
{
    uint32_t entry = 0;
    err[0] = 0;
    int found = pvh_find_entry(img, size, &entry, err, sizeof(err));
    FUZZ_ASSERT(found >= -1 && found <= 1, "pvh_find_entry %d", found);
    check_refusal(found < 0 ? -1 : 0, "pvh_find_entry");
    if (found != 1)
        return;
    FUZZ_ASSERT(entry, "PVH entry 0 accepted");
    struct elf_image e;
    err[0] = 0;
    int rc = elf_check_phys(img, size, mem_size, &e, err, sizeof(err));
    check_refusal(rc, "elf_check_phys");
    if (rc)
        return;
    check_segments(img, size, &e);
    err[0] = 0;
    rc = pvh_check_entry(img, &e, entry, err, sizeof(err));
    check_refusal(rc, "pvh_check_entry");
    if (rc)
        return;
    FUZZ_ASSERT(entry_in_segment(img, &e, entry, true, false), "PVH entry %#x not loaded", entry);
    /* hvm_start_info in the page at LINUX_GPA_BOOT_PARAMS, as loader_pvh.c lays it out. */
    static uint8_t info[0x1000];
    size_t used = pvh_start_info(info, sizeof(info), LINUX_GPA_BOOT_PARAMS, args);
    FUZZ_ASSERT(used && used <= sizeof(info), "start info of %zu bytes", used);
    struct pvh_start_info si;
    memcpy(&si, info, sizeof(si));
    FUZZ_ASSERT(si.magic == PVH_START_MAGIC && si.memmap_entries == args->nmap &&
                    si.nr_modules == (args->initrd_size ? 1u : 0u) &&
                    si.memmap_paddr >= LINUX_GPA_BOOT_PARAMS &&
                    si.memmap_paddr + args->nmap * sizeof(struct pvh_memmap_entry) <=
                        LINUX_GPA_BOOT_PARAMS + used,
                "start info fields");
}

static void fuzz_multiboot(const uint8_t *img, size_t size)
{
    struct mb_header h;
    err[0] = 0;
    int rc = mb_header_check(img, size, &h, err, sizeof(err));
    check_refusal(rc, "mb_header_check");
    FUZZ_ASSERT(rc || multiboot_present(img, size), "header accepted without a signature");
    if (rc)
        return;
    FUZZ_ASSERT((h.version == 2 && h.offset < 32768 && !(h.offset % 8)) ||
                    (h.version == 1 && h.offset < 8192 && !(h.offset % 4)),
                "multiboot%d header at %#lx", h.version, h.offset);
    check_copied(h.offset, 12, size, "multiboot header");
    if (h.version == 2 && h.have_address)
        FUZZ_ASSERT(h.have_entry, "multiboot2 address tag accepted without an entry tag");
    if (!h.have_address) {
        /* Loaded as ELF (loader_multiboot.c): mb1 as ELF32, mb2 by the image's class. */
        int cls = h.version == 2 && size > 4 && img[4] == ELF_CLASS64 ? ELF_CLASS64 : ELF_CLASS32;
        struct elf_image e;
        if (!elf_check(img, size, cls, mem_size, &e, err, sizeof(err)))
            check_segments(img, size, &e);
        return;
    }
    struct mb_range r;
    err[0] = 0;
    rc = mb_load_range(&h, size, mem_size, &r, err, sizeof(err));
    check_refusal(rc, "mb_load_range");
    if (rc)
        return;
    FUZZ_ASSERT(r.load_addr + r.file_len <= r.mem_end, "bss before the load end");
    check_copied(r.file_off, r.file_len, size, "multiboot load range");
    check_written(r.load_addr, r.mem_end - r.load_addr, "multiboot kernel");
    FUZZ_ASSERT(h.header_addr - h.load_addr == h.offset - r.file_off,
                "the header does not land at header_addr");
    if (h.have_entry)
        FUZZ_ASSERT(h.entry >= r.load_addr && h.entry - r.load_addr < r.file_len,
                    "multiboot entry %#x outside the loaded bytes", h.entry);
}

static void fuzz_bzimage(const uint8_t *img, size_t size, struct linux_boot_args *args,
                         uint64_t initrd_size, bool mapped)
{
    struct bz_image b;
    err[0] = 0;
    int rc = bzimage_check(img, size, mem_size, &b, err, sizeof(err));
    check_refusal(rc, "bzimage_check");
    FUZZ_ASSERT(rc || bzimage_present(img, size), "bzImage accepted without HdrS");
    if (rc)
        return;
    FUZZ_ASSERT(b.version >= LINUX_PROTO_MIN && b.hdr_end >= LINUX_SETUP_HEADER_MIN_END &&
                    b.hdr_end <= size && b.cmdline_size && b.initrd_addr_max >= LINUX_GPA_HIGH_RAM,
                "setup header fields");
    FUZZ_ASSERT(b.kernel_size && b.kernel_off >= LINUX_SECTOR, "kernel at %#lx+%#lx",
                b.kernel_off, b.kernel_size);
    check_copied(b.kernel_off, b.kernel_size, size, "bzImage kernel");
    FUZZ_ASSERT(!(b.load_addr & 0xfff) && b.window_end - b.load_addr >= b.kernel_size,
                "kernel at %#lx, window to %#lx, %#lx bytes", b.load_addr, b.window_end,
                b.kernel_size);
    check_written(b.load_addr, b.window_end - b.load_addr, "bzImage window");
    FUZZ_ASSERT(b.entry64 == b.load_addr + LINUX_ENTRY64_OFF &&
                    b.entry64 - b.load_addr < b.kernel_size,
                "64-bit entry %#lx outside the %#lx kernel bytes copied to %#lx", b.entry64,
                b.kernel_size, b.load_addr);
    if (!mapped)
        return;
    if (initrd_size) {
        uint64_t start;
        err[0] = 0;
        rc = linux_initrd_place(mem_size, b.window_end, b.initrd_addr_max, initrd_size, &start,
                                err, sizeof(err));
        check_refusal(rc, "linux_initrd_place");
        if (!rc) {
            FUZZ_ASSERT(!(start & 0xfff) && start >= b.window_end && start <= mem_size &&
                            initrd_size <= mem_size - start &&
                            start + initrd_size - 1 <= b.initrd_addr_max,
                        "initrd at %#lx+%#lx (kernel to %#lx, limit %#lx)", start, initrd_size,
                        b.window_end, b.initrd_addr_max);
            args->initrd_start = start;
            args->initrd_size = initrd_size;
        }
    }
    struct linux_boot_params *bp = malloc(sizeof(*bp));
    linux_zero_page(bp, img, &b, args);
    const struct linux_setup_header *h = &bp->hdr;
    FUZZ_ASSERT(h->code32_start == b.load_addr && h->cmd_line_ptr == args->cmdline_gpa &&
                    h->ramdisk_image == args->initrd_start && h->ramdisk_size == args->initrd_size &&
                    (h->loadflags & LINUX_LOADED_HIGH) && !(h->loadflags & LINUX_CAN_USE_HEAP) &&
                    h->type_of_loader == LINUX_TYPE_OF_LOADER_UNDEFINED && !h->setup_data &&
                    bp->e820_entries == args->nmap,
                "zero page fields");
    free(bp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    uint16_t sel = fuzz_u16(&in);
    uint8_t flags = fuzz_u8(&in);
    uint32_t initrd = fuzz_u32(&in);
    uint16_t cmdline_len = fuzz_u16(&in);
    /* 2 MiB to 4 GiB in 64 KiB steps, sometimes not a whole number of pages. */
    mem_size = (2ull << 20) + ((uint64_t)sel << 16) + (flags & 1 ? 0x800 : 0);
    size_t img_size = fuzz_left(&in) < MAX_IMAGE ? fuzz_left(&in) : MAX_IMAGE;
    /* Exactly the image's bytes on the heap: ASan sees any read past them. */
    uint8_t *img = malloc(img_size ? img_size : 1);
    fuzz_bytes(&in, img, img_size);

    struct linux_mem_range map[LINUX_MEMMAP_MAX];
    err[0] = 0;
    int n = linux_memmap(mem_size, map, err, sizeof(err));
    check_refusal(n < 0 ? -1 : 0, "linux_memmap");
    uint64_t prev_end = 0;
    for (int i = 0; i < n; i++) {
        FUZZ_ASSERT(map[i].addr == prev_end && map[i].size, "memory map entry %d", i);
        prev_end = map[i].addr + map[i].size;
    }
    FUZZ_ASSERT(n < 0 || prev_end == mem_size, "memory map ends at %#lx of %#lx", prev_end, mem_size);
    struct linux_boot_args args = { .cmdline_gpa = LINUX_GPA_CMDLINE, .map = map,
                                    .nmap = n > 0 ? (unsigned)n : 0, .rsdp_gpa = LINUX_GPA_ACPI };

    fuzz_elf(img, img_size);
    fuzz_multiboot(img, img_size);
    fuzz_bzimage(img, img_size, &args, initrd & 0x3fffffff, n > 0);
    args.initrd_start = 0;
    args.initrd_size = 0;
    fuzz_pvh(img, img_size, &args);

    /* The command line against the loader's room and a kernel's cmdline_size. */
    char *cl = malloc((size_t)cmdline_len + 1);
    memset(cl, 'x', cmdline_len);
    cl[cmdline_len] = 0;
    uint32_t kmax = flags & 2 ? initrd & 0xffff : 0;
    err[0] = 0;
    int rc = linux_cmdline_check(cl, kmax, err, sizeof(err));
    check_refusal(rc, "linux_cmdline_check");
    FUZZ_ASSERT(!rc == (cmdline_len < LINUX_CMDLINE_MAX && (!kmax || cmdline_len <= kmax)),
                "command line of %u bytes, kernel limit %u: %d", cmdline_len, kmax, rc);
    free(cl);
    free(img);
    return 0;
}
