/* PVH entry of an ELF vmlinux: the XEN_ELFNOTE_PHYS32_ENTRY note (ELF gABI "Note Section";
 * Xen's public/elfnote.h; Linux arch/x86/platform/pvh/head.S emits it) and the
 * hvm_start_info the kernel finds in EBX. Every note is bounds-checked against its segment
 * or section, and those against the image, before a byte of it is read. Pure, host
 * unit-tested. */
#include <string.h>

#include "vmm/loader/linux_check.h"
#include "vmm/loader/loader_check.h"

#define ELF64_EHDR_SIZE   64u
#define ELF64_PHDR_SIZE   56u
#define ELF64_SHDR_SIZE   64u
#define PT_NOTE           4u
#define SHT_NOTE          7u
#define NOTE_HDR_SIZE     12u           /* namesz, descsz, type */
#define PVH_NAME_SIZE     4u            /* "Xen" and its NUL */

static uint64_t rd(const uint8_t *p, size_t bytes)
{
    uint64_t v = 0;
    memcpy(&v, p, bytes);
    return v;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Walks the notes in img[off, off + sz). 1 with *entry when the PVH note is there, 0 when
 * it is not, -1 when an entry runs past the table or the PVH note is malformed. */
static int scan_notes(const uint8_t *img, uint64_t off, uint64_t sz, uint64_t align,
                      uint32_t *entry, char *err, size_t len)
{
    const uint64_t a = align == 8 ? 8 : 4;
    uint64_t pos = 0;
    while (sz - pos >= NOTE_HDR_SIZE) {
        const uint8_t *n = img + off + pos;
        uint64_t namesz = rd(n, 4), descsz = rd(n + 4, 4), type = rd(n + 8, 4);
        uint64_t name_len = align_up(namesz, a), desc_len = align_up(descsz, a);
        uint64_t desc_pos = pos + NOTE_HDR_SIZE + name_len;
        /* The descriptor's own bytes must be in the table; its padding may be cut off. */
        if (desc_pos > sz || descsz > sz - desc_pos)
            return loader_fail(err, len, "ELF note at file offset %#lx runs past its note "
                                         "table (name %lu, descriptor %lu bytes)",
                               off + pos, namesz, descsz);
        if (namesz == PVH_NAME_SIZE && !memcmp(n + NOTE_HDR_SIZE, PVH_NOTE_NAME, PVH_NAME_SIZE) &&
            type == PVH_NOTE_PHYS32_ENTRY) {
            if (descsz != 4 && descsz != 8)
                return loader_fail(err, len, "PVH entry note has a %lu-byte descriptor, want "
                                             "4 or 8", descsz);
            uint64_t v = rd(img + off + desc_pos, descsz);
            if (v == 0 || v > 0xffffffffull)
                return loader_fail(err, len, "PVH entry %#lx is not a 32-bit physical "
                                             "address", v);
            *entry = (uint32_t)v;
            return 1;
        }
        if (desc_len > sz - desc_pos)
            break;                      /* the last note, its padding cut off */
        pos = desc_pos + desc_len;
    }
    return 0;
}

/* Note tables of one kind (program headers with PT_NOTE, or section headers with SHT_NOTE):
 * table at `toff` with `num` entries of `esz` bytes; in each, the type word at `type_at`,
 * the file offset, size and alignment at `off_at`, `size_at`, `align_at`. */
struct note_tables {
    uint64_t toff, esz, num;
    uint32_t want, type_at, off_at, size_at, align_at;
};

static int scan_tables(const uint8_t *img, size_t size, const struct note_tables *t,
                       uint32_t *entry, char *err, size_t len)
{
    if (t->toff > size || t->num * t->esz > size - t->toff)
        return 0;                       /* a broken table: the ELF checks report it */
    for (uint64_t i = 0; i < t->num; i++) {
        const uint8_t *h = img + t->toff + i * t->esz;
        if (rd(h + t->type_at, 4) != t->want)
            continue;
        uint64_t off = rd(h + t->off_at, 8), sz = rd(h + t->size_at, 8);
        if (off > size || sz > size - off)
            return loader_fail(err, len, "ELF note table %lu (%#lx bytes at %#lx) is outside "
                                         "the image", i, sz, off);
        int rc = scan_notes(img, off, sz, rd(h + t->align_at, 8), entry, err, len);
        if (rc)
            return rc;
    }
    return 0;
}

int pvh_find_entry(const uint8_t *img, size_t size, uint32_t *entry, char *err, size_t len)
{
    if (size < ELF64_EHDR_SIZE || memcmp(img, "\177ELF", 4) || img[4] != ELF_CLASS64 ||
        img[5] != 1 /* little-endian */)
        return 0;
    struct note_tables ph = { rd(img + 32, 8), rd(img + 54, 2), rd(img + 56, 2),
                              PT_NOTE, 0, 8, 32, 48 };
    struct note_tables sh = { rd(img + 40, 8), rd(img + 58, 2), rd(img + 60, 2),
                              SHT_NOTE, 4, 24, 32, 48 };
    int rc = 0;
    if (ph.num && ph.esz >= ELF64_PHDR_SIZE)
        rc = scan_tables(img, size, &ph, entry, err, len);
    if (rc == 0 && sh.toff && sh.num && sh.esz >= ELF64_SHDR_SIZE)
        rc = scan_tables(img, size, &sh, entry, err, len);
    return rc;
}

int pvh_check_entry(const uint8_t *img, const struct elf_image *e, uint32_t entry, char *err,
                    size_t len)
{
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (elf_segment(img, e, i, &s) && entry >= s.paddr && entry - s.paddr < s.filesz)
            return 0;
    }
    return loader_fail(err, len, "PVH entry %#x is in no loaded segment's physical range", entry);
}

size_t pvh_start_info(uint8_t *buf, size_t size, uint64_t base, const struct linux_boot_args *a)
{
    size_t map_off = sizeof(struct pvh_start_info);
    size_t mod_off = map_off + a->nmap * sizeof(struct pvh_memmap_entry);
    size_t used = mod_off + (a->initrd_size ? sizeof(struct pvh_modlist_entry) : 0);
    if (used > size)
        return 0;
    memset(buf, 0, used);
    struct pvh_start_info si = {
        .magic = PVH_START_MAGIC,
        .version = PVH_START_VERSION,
        .nr_modules = a->initrd_size ? 1 : 0,
        .modlist_paddr = a->initrd_size ? base + mod_off : 0,
        .cmdline_paddr = a->cmdline_gpa,
        .rsdp_paddr = a->rsdp_gpa,
        .memmap_paddr = base + map_off,
        .memmap_entries = a->nmap,
    };
    memcpy(buf, &si, sizeof(si));
    for (unsigned i = 0; i < a->nmap; i++) {
        struct pvh_memmap_entry m = { a->map[i].addr, a->map[i].size, a->map[i].type, 0 };
        memcpy(buf + map_off + i * sizeof(m), &m, sizeof(m));
    }
    if (a->initrd_size) {
        struct pvh_modlist_entry m = { a->initrd_start, a->initrd_size, 0, 0 };
        memcpy(buf + mod_off, &m, sizeof(m));
    }
    return used;
}
