/* Loading guest images. Every copy is bounds-checked against the guest's RAM. */
#include <stdio.h>
#include <string.h>

#include "exitless/bootinfo.h"
#include "vmm/loader/linux_check.h"
#include "vmm/loader/loader.h"
#include "vmm/loader/loader_priv.h"

int loader_copy(struct guest *g, uint64_t gpa, const void *src, uint64_t len, uint64_t zero_len)
{
    /* Each term against what is left, so no sum can wrap. */
    if (len > g->mem_size || zero_len > g->mem_size - len || gpa > g->mem_size - len - zero_len)
        return -1;
    uint8_t *dst = guest_ram_ptr(g, gpa, len + zero_len);
    if (!dst)
        return -1;
    memcpy(dst, src, len);
    memset(dst + len, 0, zero_len);
    if (gpa >= EXITLESS_GPA_IMAGE_MIN && gpa + len + zero_len > g->entry.image_end)
        g->entry.image_end = gpa + len + zero_len;
    return 0;
}

int loader_place_module(struct guest *g, char *err, size_t len)
{
    struct guest_entry *e = &g->entry;
    if (!e->mod_src)
        return 0;
    uint64_t start = (e->image_end + 0xfff) & ~0xfffull;
    if (start + e->mod_size > g->mem_size || start + e->mod_size < start)
        return loader_fail(err, len, "module '%s' (%lu KiB) does not fit after the kernel in "
                                     "%lu MiB of guest memory", e->mod_name, e->mod_size >> 10,
                           g->mem_size >> 20);
    if (loader_copy(g, start, e->mod_src, e->mod_size, 0))
        return loader_fail(err, len, "module '%s' could not be copied", e->mod_name);
    e->mod_start = start;
    e->mod_end = start + e->mod_size;
    return 0;
}

/* Identity map of the first 4 GiB with 2 MiB pages, in guest memory (SDM 4.5). */
void loader_build_page_tables(struct guest *g)
{
    uint64_t *t = guest_ram_ptr(g, EXITLESS_GPA_PAGE_TABLES, 6 * 4096);
    const uint64_t p_rw = 0x3, ps = 0x80;
    memset(t, 0, 6 * 4096);
    t[0] = (EXITLESS_GPA_PAGE_TABLES + 0x1000) | p_rw;          /* PML4[0] -> PDPT */
    for (int i = 0; i < 4; i++)
        t[512 + i] = (EXITLESS_GPA_PAGE_TABLES + 0x2000 + 0x1000ull * i) | p_rw;
    for (int i = 0; i < 4 * 512; i++)
        t[1024 + i] = ((uint64_t)i << 21) | p_rw | ps;
}

void loader_build_gdt(struct guest *g)
{
    static const uint64_t gdt[4] = {
        0,
        0x00af9b000000ffffull,  /* 0x08: 64-bit code (also valid entry for 32-bit: see below) */
        0x00cf93000000ffffull,  /* 0x10: data */
        0x00cf9b000000ffffull,  /* 0x18: 32-bit code */
    };
    memcpy(guest_ram_ptr(g, EXITLESS_GPA_GDT, sizeof(gdt)), gdt, sizeof(gdt));
    g->entry.gdt_base = EXITLESS_GPA_GDT;
    g->entry.gdt_limit = sizeof(gdt) - 1;
}

static int load_elf64(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len)
{
    struct exitless_boot_info bi;
    uint64_t entry;
    if (elf_load(g, img, size, ELF_CLASS64, &entry, err, len) ||
        loader_place_module(g, err, len))
        return -1;
    loader_build_page_tables(g);
    loader_build_gdt(g);
    g->entry.cs = 0x08;
    g->entry.ds = 0x10;

    memset(&bi, 0, sizeof(bi));
    bi.magic = EXITLESS_BOOT_MAGIC;
    bi.mem_size = g->mem_size;
    bi.guest_id = g->id;
    bi.nvcpus = g->nvcpus;
    for (uint32_t i = 0; i < g->nvcpus && i < EXITLESS_BOOT_MAX_CPUS; i++)
        bi.apic_ids[i] = g->vcpus[i].apic_id;
    snprintf(bi.name, sizeof(bi.name), "%s", g->name);
    snprintf(bi.cmdline, sizeof(bi.cmdline), "%s", g->cmdline ? g->cmdline : "");
    bi.module_start = g->entry.mod_start;
    bi.module_end = g->entry.mod_end;
    if (loader_copy(g, EXITLESS_GPA_BOOT_INFO, &bi, sizeof(bi), 0))
        return loader_fail(err, len, "guest memory too small for the boot information");

    g->entry.mode = BOOT_LONG64;
    g->entry.rip = entry;
    g->entry.rsp = EXITLESS_GPA_STACK_TOP;
    g->entry.cr3 = EXITLESS_GPA_PAGE_TABLES;
    g->entry.rdi = EXITLESS_GPA_BOOT_INFO;
    return 0;
}

int guest_load(struct guest *g, const uint8_t *image, size_t size, const uint8_t *module,
               size_t module_size, const char *module_name, char *err, size_t errlen)
{
    memset(&g->entry, 0, sizeof(g->entry));
    g->entry.mod_src = module;
    g->entry.mod_size = module_size;
    g->entry.mod_name = module_name;
    if (g->mem_size < 2 * EXITLESS_GPA_IMAGE_MIN)
        return loader_fail(err, errlen, "guest memory %lu KiB is below the 2 MiB minimum",
                           g->mem_size >> 10);
    /* Detected from the image, most specific first: a bzImage's setup header, an ELF
     * vmlinux's PVH note (its e_entry is no identity-mapped 64-bit entry), multiboot. */
    if (bzimage_present(image, size))
        return bzimage_load(g, image, size, err, errlen);
    uint32_t pvh_entry;
    int pvh = pvh_find_entry(image, size, &pvh_entry, err, errlen);
    if (pvh < 0)
        return -1;
    if (pvh)
        return pvh_load(g, image, size, pvh_entry, err, errlen);
    if (size > 4 && memcmp(image, "\177ELF", 4) == 0 && image[4] == ELF_CLASS64 &&
        !multiboot_present(image, size))
        return load_elf64(g, image, size, err, errlen);
    if (multiboot_present(image, size))
        return multiboot_load(g, image, size, err, errlen);
    return loader_fail(err, errlen, "unknown image format (want ELF64, a multiboot 1/2 kernel, "
                                    "a Linux bzImage, or an ELF vmlinux with a PVH entry note)");
}
