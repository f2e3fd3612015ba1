/* exitless-manifest --check-files: each guest's image detected and checked with the loader's
 * own pure checks (vmm/loader/), against the guest's memory, command line and initrd. What
 * only the machine knows (the ACPI tables' size, the other guests) is left to boot time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/manifest_image.h"
#include "vmm/loader/linux_check.h"
#include "vmm/loader/loader_check.h"

#define IMAGE_MAX (512ull << 20)    /* larger than any kernel a guest boots */

void module_path(const char *manifest, const char *path, char *out, size_t size)
{
    const char *slash = strrchr(manifest, '/');
    if (path[0] == '/' || !slash)
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%.*s/%s", (int)(slash - manifest), manifest, path);
}

/* The whole file, or NULL (missing files are --check-files' own error). */
static uint8_t *read_image(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n > 0 && (uint64_t)n <= IMAGE_MAX && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = buf ? (size_t)n : 0;
    return buf;
}

/* Size of the guest's initrd file; 0 when it has none or it cannot be read. */
static uint64_t initrd_size(const char *manifest, const struct mf_manifest *m,
                            const struct mf_guest *g)
{
    char path[2 * MF_PATH_MAX];
    if (!g->initrd.name[0] || g->initrd.module >= m->nmodules)
        return 0;
    module_path(manifest, m->modules[g->initrd.module].path, path, sizeof(path));
    FILE *f = fopen(path, "rb");
    long n = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
    if (f)
        fclose(f);
    return n > 0 ? (uint64_t)n : 0;
}

/* The Linux checks both protocols share: memory map, command line, initrd. */
static int linux_common(const struct mf_guest *g, uint32_t cmdline_max, uint64_t kernel_end,
                        uint64_t initrd_max, uint64_t initrd, char *err, size_t len)
{
    struct linux_mem_range r[LINUX_MEMMAP_MAX];
    uint64_t start;
    if (g->interrupts != MF_IRQ_EXITLESS) {
        snprintf(err, len, "a Linux guest needs interrupts = \"exitless\": in injected mode its "
                           "timer and IPI vectors (0xec-0xff) are the hypervisor's");
        return -1;
    }
    if (linux_memmap(g->memory, r, err, len) < 0 ||
        linux_cmdline_check(g->cmdline, cmdline_max, err, len))
        return -1;
    if (initrd && linux_initrd_place(g->memory, kernel_end, initrd_max, initrd, &start, err, len))
        return -1;
    return 0;
}

static uint64_t segments_end(const uint8_t *img, const struct elf_image *e)
{
    uint64_t end = 0;
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (elf_segment(img, e, i, &s) && s.paddr + s.memsz > end)
            end = s.paddr + s.memsz;
    }
    return end;
}

/* In the loader's order (vmm/loader/loader.c guest_load). Fills `what` on success. */
static int check_image(const uint8_t *img, size_t size, const struct mf_guest *g,
                       uint64_t initrd, char *what, size_t wlen, char *err, size_t len)
{
    struct bz_image b;
    struct elf_image e;
    struct mb_header h;
    struct mb_range r;
    uint32_t entry;
    if (bzimage_present(img, size)) {
        if (bzimage_check(img, size, g->memory, &b, err, len) ||
            linux_common(g, b.cmdline_size, b.window_end, b.initrd_addr_max, initrd, err, len))
            return -1;
        snprintf(what, wlen, "Linux bzImage, boot protocol %u.%02u, 64-bit entry at %#lx",
                 b.version >> 8, b.version & 0xff, b.entry64);
        return 0;
    }
    int pvh = pvh_find_entry(img, size, &entry, err, len);
    if (pvh < 0)
        return -1;
    if (pvh) {
        if (elf_check_phys(img, size, g->memory, &e, err, len) ||
            pvh_check_entry(img, &e, entry, err, len) ||
            linux_common(g, 0, segments_end(img, &e), 0xffffffffull, initrd, err, len))
            return -1;
        snprintf(what, wlen, "Linux ELF vmlinux, PVH entry at %#x", entry);
        return 0;
    }
    if (size > 4 && !memcmp(img, "\177ELF", 4) && img[4] == ELF_CLASS64 &&
        !multiboot_present(img, size)) {
        if (elf_check(img, size, ELF_CLASS64, g->memory, &e, err, len))
            return -1;
        snprintf(what, wlen, "ELF64, entry at %#lx", e.entry);
        return 0;
    }
    if (multiboot_present(img, size)) {
        if (mb_header_check(img, size, &h, err, len) ||
            (h.have_address && mb_load_range(&h, size, g->memory, &r, err, len)))
            return -1;
        snprintf(what, wlen, "multiboot %d kernel", h.version);
        return 0;
    }
    return loader_fail(err, len, "unknown image format (want ELF64, a multiboot 1/2 kernel, a "
                                 "Linux bzImage, or an ELF vmlinux with a PVH entry note)");
}

unsigned check_guest_images(const char *manifest, const struct mf_manifest *m, bool quiet)
{
    char path[2 * MF_PATH_MAX], err[300], what[120];
    unsigned errors = 0;
    for (uint32_t i = 0; i < m->nguests; i++) {
        const struct mf_guest *g = &m->guests[i];
        if (g->image.module >= m->nmodules)
            continue;
        module_path(manifest, m->modules[g->image.module].path, path, sizeof(path));
        size_t size;
        uint8_t *img = read_image(path, &size);
        if (!img)
            continue;
        if (check_image(img, size, g, initrd_size(manifest, m, g), what, sizeof(what), err,
                        sizeof(err))) {
            fprintf(stderr, "%s:%u:%u: error: guest '%s': image '%s' (%s): %s\n", manifest,
                    (unsigned)g->image.pos.line, (unsigned)g->image.pos.col, g->name,
                    g->image.name, path, err);
            errors++;
        } else if (!quiet) {
            printf("guest '%s': image '%s': %s\n", g->name, g->image.name, what);
        }
        free(img);
    }
    return errors;
}
