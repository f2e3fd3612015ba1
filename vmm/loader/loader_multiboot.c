/* Multiboot 1 (0.6.96) and multiboot2 kernels: entered in 32-bit protected mode with
 * paging off, EAX = the loader magic, EBX = the information structure (both specs, ch. 3). */
#include <string.h>

#include "exitless/bootinfo.h"
#include "vmm/loader/loader_priv.h"

#define MB1_LOADER_MAGIC 0x2badb002u
#define MB1_INFO_MEM (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER (1u << 9)

#define MB2_LOADER_MAGIC 0x36d76289u

#define LOW_RAM_END 0x9f000ull
#define INFO_MAX 0x8000ull          /* EXITLESS_GPA_BOOT_INFO .. +32 KiB */
#define LOADER_NAME "Exitless"

/* Copies the kernel where the header's address fields say (a.out kludge); mb_load_range
 * checked the range against the image and guest RAM. */
static int load_by_address(struct guest *g, const uint8_t *img, size_t size,
                           const struct mb_header *h, char *err, size_t len)
{
    struct mb_range r;
    if (mb_load_range(h, size, g->mem_size, &r, err, len))
        return -1;
    if (loader_copy(g, r.load_addr, img + r.file_off, r.file_len,
                    r.mem_end - r.load_addr - r.file_len))
        return loader_fail(err, len, "multiboot: kernel at %#lx-%#lx could not be copied",
                           r.load_addr, r.mem_end);
    return 0;
}

/* Memory map: low RAM, the legacy hole, RAM from 1 MiB. */
struct mmap_range {
    uint64_t base, len;
    uint32_t type;
};

static int memory_map(const struct guest *g, struct mmap_range r[3])
{
    r[0] = (struct mmap_range){ 0, LOW_RAM_END, 1 };
    r[1] = (struct mmap_range){ LOW_RAM_END, 0x100000 - LOW_RAM_END, 2 };
    r[2] = (struct mmap_range){ 0x100000, g->mem_size - 0x100000, 1 };
    return 3;
}

static int mb1_load(struct guest *g, const uint8_t *img, size_t size,
                    const struct mb_header *h, char *err, size_t len)
{
    uint64_t entry;
    if (h->have_address) {
        if (load_by_address(g, img, size, h, err, len))
            return -1;
        entry = h->entry;
    } else if (elf_load(g, img, size, ELF_CLASS32, &entry, err, len)) {
        return -1;
    }
    if (loader_place_module(g, err, len))
        return -1;

    /* Information block at EXITLESS_GPA_BOOT_INFO: struct, then mmap, cmdline, name. */
    static uint8_t info[INFO_MAX]; /* loaders run one at a time, on the boot CPU */
    memset(info, 0, 120);
    struct mmap_range r[3];
    int n = memory_map(g, r);
    uint32_t off = 120, base = (uint32_t)EXITLESS_GPA_BOOT_INFO;
    uint32_t mmap_off = off;
    for (int i = 0; i < n; i++, off += 24) {
        uint32_t esz = 20;
        memcpy(info + off, &esz, 4);
        memcpy(info + off + 4, &r[i].base, 8);
        memcpy(info + off + 12, &r[i].len, 8);
        memcpy(info + off + 20, &r[i].type, 4);
    }
    const char *cl = g->cmdline ? g->cmdline : "";
    uint32_t cl_off = off, cl_len = (uint32_t)strlen(cl) + 1;
    if (cl_len > 1024)
        return loader_fail(err, len, "command line longer than 1 KiB");
    memcpy(info + off, cl, cl_len);
    off += cl_len;
    uint32_t name_off = off;
    memcpy(info + off, LOADER_NAME, sizeof(LOADER_NAME));
    off += sizeof(LOADER_NAME);
    /* One module entry (spec 3.3: mod_start, mod_end, string, reserved) when there is one. */
    uint32_t mods_count = g->entry.mod_start ? 1 : 0, mods_off = (off + 3) & ~3u;
    if (mods_count) {
        uint32_t mname_off = mods_off + 16;
        uint32_t m[4] = { (uint32_t)g->entry.mod_start, (uint32_t)g->entry.mod_end,
                          base + mname_off, 0 };
        memcpy(info + mods_off, m, sizeof(m));
        size_t nl = strlen(g->entry.mod_name) + 1;
        memcpy(info + mname_off, g->entry.mod_name, nl);
        off = mname_off + (uint32_t)nl;
    }

    uint32_t fields[] = {
        MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_LOADER,
        (uint32_t)(LOW_RAM_END >> 10),                      /* mem_lower KiB */
        (uint32_t)((g->mem_size - 0x100000) >> 10),         /* mem_upper KiB */
        0xffffffffu,                                        /* boot_device: none */
        base + cl_off, mods_count, base + mods_off,         /* cmdline, mods_count/addr */
    };
    memcpy(info, fields, sizeof(fields));
    uint32_t mmap_fields[2] = { (uint32_t)(n * 24), base + mmap_off };
    memcpy(info + 44, mmap_fields, sizeof(mmap_fields));
    uint32_t name_addr = base + name_off;
    memcpy(info + 64, &name_addr, 4);
    if (loader_copy(g, EXITLESS_GPA_BOOT_INFO, info, off, 0))
        return loader_fail(err, len, "multiboot information does not fit");
    g->entry.rax = MB1_LOADER_MAGIC;
    g->entry.rip = entry;
    return 0;
}

/* Appends one multiboot2 tag (8-byte aligned) to the information block. */
static uint32_t mb2_tag(uint8_t *info, uint32_t off, uint32_t type, const void *p, uint32_t plen)
{
    uint32_t size = 8 + plen;
    memcpy(info + off, &type, 4);
    memcpy(info + off + 4, &size, 4);
    memcpy(info + off + 8, p, plen);
    return off + ((size + 7) & ~7u);
}

static int mb2_load(struct guest *g, const uint8_t *img, size_t size,
                    const struct mb_header *h, char *err, size_t len)
{
    uint64_t entry = h->entry;
    if (h->have_address) {
        if (load_by_address(g, img, size, h, err, len))
            return -1;
    } else {
        uint64_t elf_entry;
        int cls = size > 4 && img[4] == ELF_CLASS64 ? ELF_CLASS64 : ELF_CLASS32;
        if (elf_load(g, img, size, cls, &elf_entry, err, len))
            return -1;
        if (!h->have_entry)
            entry = elf_entry;
        else if (entry < EXITLESS_GPA_IMAGE_MIN || entry >= g->entry.image_end)
            return loader_fail(err, len, "multiboot2: entry %#lx is outside the loaded kernel "
                                         "%#llx-%#lx", entry, EXITLESS_GPA_IMAGE_MIN,
                               g->entry.image_end);
    }
    if (loader_place_module(g, err, len))
        return -1;

    static uint8_t info[INFO_MAX]; /* loaders run one at a time, on the boot CPU */
    uint32_t off = 8;
    const char *cl = g->cmdline ? g->cmdline : "";
    if (strlen(cl) > 1024)
        return loader_fail(err, len, "command line longer than 1 KiB");
    off = mb2_tag(info, off, 1, cl, (uint32_t)strlen(cl) + 1);
    off = mb2_tag(info, off, 2, LOADER_NAME, sizeof(LOADER_NAME));
    uint32_t mem[2] = { (uint32_t)(LOW_RAM_END >> 10), (uint32_t)((g->mem_size - 0x100000) >> 10) };
    off = mb2_tag(info, off, 4, mem, sizeof(mem));
    struct mmap_range r[3];
    int n = memory_map(g, r);
    uint8_t mm[8 + 3 * 24] = { 0 };
    uint32_t esz = 24;
    memcpy(mm, &esz, 4);
    for (int i = 0; i < n; i++) {
        memcpy(mm + 8 + i * 24, &r[i].base, 8);
        memcpy(mm + 16 + i * 24, &r[i].len, 8);
        memcpy(mm + 24 + i * 24, &r[i].type, 4);
    }
    off = mb2_tag(info, off, 6, mm, (uint32_t)(8 + n * 24));
    if (g->entry.mod_start) {
        uint8_t mod[8 + GUEST_NAME_MAX] = { 0 };
        uint32_t se[2] = { (uint32_t)g->entry.mod_start, (uint32_t)g->entry.mod_end };
        size_t nl = strlen(g->entry.mod_name) + 1;
        if (nl > GUEST_NAME_MAX)
            nl = GUEST_NAME_MAX;
        memcpy(mod, se, 8);
        memcpy(mod + 8, g->entry.mod_name, nl - 1);
        off = mb2_tag(info, off, 3, mod, (uint32_t)(8 + nl));
    }
    off = mb2_tag(info, off, 0, NULL, 0);
    uint32_t hdr[2] = { off, 0 };
    memcpy(info, hdr, 8);
    if (loader_copy(g, EXITLESS_GPA_BOOT_INFO, info, off, 0))
        return loader_fail(err, len, "multiboot2 information does not fit");
    g->entry.rax = MB2_LOADER_MAGIC;
    g->entry.rip = entry;
    return 0;
}

int multiboot_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len)
{
    struct mb_header h;
    if (mb_header_check(img, size, &h, err, len))
        return -1;
    if ((h.version == 2 ? mb2_load : mb1_load)(g, img, size, &h, err, len))
        return -1;
    loader_build_gdt(g);
    g->entry.cs = 0x18;
    g->entry.ds = 0x10;
    g->entry.mode = BOOT_PROTECTED32;
    g->entry.rbx = EXITLESS_GPA_BOOT_INFO;
    g->entry.rsp = EXITLESS_GPA_STACK_TOP;
    return 0;
}
