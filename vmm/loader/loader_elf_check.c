/* ELF32/ELF64 image checks (System V ABI: ELF header, program headers) before loading.
 * Pure, host unit-tested. */
#include <string.h>

#include "exitless/bootinfo.h"
#include "vmm/loader/loader_check.h"

#define ELF_DATA_LSB 1
#define ELF_MACHINE_386 3
#define ELF_MACHINE_X86_64 62
#define PT_LOAD 1

/* Offsets in the ELF header that differ between the classes. */
struct elf_layout {
    size_t ehsize, phentsize_min;
    size_t entry, phoff, phentsize, phnum, addr_bytes;
    uint16_t machine;
};

static const struct elf_layout elf64 = { 64, 56, 24, 32, 54, 56, 8, ELF_MACHINE_X86_64 };
static const struct elf_layout elf32 = { 52, 32, 24, 28, 42, 44, 4, ELF_MACHINE_386 };

static uint64_t rd(const uint8_t *p, size_t bytes)
{
    uint64_t v = 0;
    memcpy(&v, p, bytes);
    return v;
}

bool elf_segment(const uint8_t *img, const struct elf_image *e, uint16_t i, struct elf_seg *s)
{
    const uint8_t *ph = img + e->phoff + (uint64_t)i * e->phentsize;
    uint32_t type = (uint32_t)rd(ph, 4);
    if (e->cls == ELF_CLASS64) {
        s->offset = rd(ph + 8, 8);
        s->vaddr = rd(ph + 16, 8);
        s->paddr = rd(ph + 24, 8);
        s->filesz = rd(ph + 32, 8);
        s->memsz = rd(ph + 40, 8);
    } else {
        s->offset = rd(ph + 4, 4);
        s->vaddr = rd(ph + 8, 4);
        s->paddr = rd(ph + 12, 4);
        s->filesz = rd(ph + 16, 4);
        s->memsz = rd(ph + 20, 4);
    }
    return type == PT_LOAD && s->memsz != 0;
}

static int check_segment(const struct elf_seg *s, uint16_t i, size_t size, uint64_t mem_size,
                         char *err, size_t len)
{
    if (s->filesz > s->memsz)
        return loader_fail(err, len, "ELF segment %u: file size %#lx is larger than its memory "
                                     "size %#lx", i, s->filesz, s->memsz);
    if (s->offset > size || s->filesz > size - s->offset)
        return loader_fail(err, len, "ELF segment %u: file range outside the image", i);
    if (s->paddr < EXITLESS_GPA_IMAGE_MIN || s->paddr > mem_size || s->memsz > mem_size - s->paddr)
        return loader_fail(err, len, "ELF segment %u at %#lx (%#lx bytes) is outside guest RAM "
                                     "[%#llx, %#lx)", i, s->paddr, s->memsz,
                           EXITLESS_GPA_IMAGE_MIN, mem_size);
    return 0;
}

static int check(const uint8_t *img, size_t size, int cls, uint64_t mem_size, bool want_entry,
                 struct elf_image *e, char *err, size_t len)
{
    const struct elf_layout *l = cls == ELF_CLASS64 ? &elf64 : &elf32;
    int bits = cls == ELF_CLASS64 ? 64 : 32;
    if (size < l->ehsize || memcmp(img, "\177ELF", 4) || img[4] != cls)
        return loader_fail(err, len, "not an ELF%d image", bits);
    if (img[5] != ELF_DATA_LSB)
        return loader_fail(err, len, "ELF%d image is not little-endian", bits);
    uint16_t machine = (uint16_t)rd(img + 18, 2);
    if (machine != l->machine)
        return loader_fail(err, len, "ELF machine %u is not x86", machine);
    e->cls = cls;
    e->entry = 0;
    e->entry_vaddr = rd(img + l->entry, l->addr_bytes);
    e->phoff = rd(img + l->phoff, l->addr_bytes);
    e->phentsize = (uint16_t)rd(img + l->phentsize, 2);
    e->phnum = (uint16_t)rd(img + l->phnum, 2);
    if (e->phentsize < l->phentsize_min)
        return loader_fail(err, len, "ELF program header size %u is below %zu", e->phentsize,
                           l->phentsize_min);
    if (e->phoff > size || (uint64_t)e->phnum * e->phentsize > size - e->phoff)
        return loader_fail(err, len, "ELF program headers outside the image");

    bool entry_found = false;
    int loaded = 0;
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (!elf_segment(img, e, i, &s))
            continue;
        if (check_segment(&s, i, size, mem_size, err, len))
            return -1;
        /* The first segment whose virtual range holds the entry point names its address. */
        if (want_entry && !entry_found && e->entry_vaddr - s.vaddr < s.memsz &&
            e->entry_vaddr >= s.vaddr) {
            /* Long-mode guests start on an identity map: virtual must equal physical. */
            if (cls == ELF_CLASS64 && s.vaddr != s.paddr)
                return loader_fail(err, len, "ELF64 entry segment is linked at %#lx but loads "
                                             "at %#lx; long-mode guests must be identity-linked",
                                   s.vaddr, s.paddr);
            e->entry = e->entry_vaddr - s.vaddr + s.paddr;
            entry_found = true;
        }
        loaded++;
    }
    if (!loaded)
        return loader_fail(err, len, "ELF image has no loadable segment");
    if (want_entry && !entry_found)
        return loader_fail(err, len, "ELF entry point %#lx is in no loaded segment",
                           e->entry_vaddr);
    return 0;
}

int elf_check(const uint8_t *img, size_t size, int cls, uint64_t mem_size, struct elf_image *e,
              char *err, size_t len)
{
    return check(img, size, cls, mem_size, true, e, err, len);
}

int elf_check_phys(const uint8_t *img, size_t size, uint64_t mem_size, struct elf_image *e,
                   char *err, size_t len)
{
    return check(img, size, ELF_CLASS64, mem_size, false, e, err, len);
}
