/* ELF32/ELF64 program loading (System V ABI, program headers) into guest RAM. */
#include <string.h>

#include "exitless/bootinfo.h"
#include "vmm/loader_priv.h"

#define ELF_MACHINE_386 3
#define ELF_MACHINE_X86_64 62
#define PT_LOAD 1

struct seg {
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint64_t rd(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    memcpy(&v, p, (size_t)bytes);
    return v;
}

/* Reads program header i in either class into a common form. */
static void read_phdr(const uint8_t *ph, int cls, uint32_t *type, struct seg *s)
{
    if (cls == ELF_CLASS64) {
        *type = (uint32_t)rd(ph, 4);
        s->offset = rd(ph + 8, 8);
        s->vaddr = rd(ph + 16, 8);
        s->paddr = rd(ph + 24, 8);
        s->filesz = rd(ph + 32, 8);
        s->memsz = rd(ph + 40, 8);
    } else {
        *type = (uint32_t)rd(ph, 4);
        s->offset = rd(ph + 4, 4);
        s->vaddr = rd(ph + 8, 4);
        s->paddr = rd(ph + 12, 4);
        s->filesz = rd(ph + 16, 4);
        s->memsz = rd(ph + 20, 4);
    }
}

int elf_load(struct guest *g, const uint8_t *img, size_t size, int cls, uint64_t *entry,
             char *err, size_t len)
{
    size_t ehsize = cls == ELF_CLASS64 ? 64 : 52;
    if (size < ehsize || memcmp(img, "\177ELF", 4) || img[4] != cls)
        return loader_fail(err, len, "not an ELF%d image", cls == ELF_CLASS64 ? 64 : 32);
    uint16_t machine = (uint16_t)rd(img + 18, 2);
    if (machine != (cls == ELF_CLASS64 ? ELF_MACHINE_X86_64 : ELF_MACHINE_386))
        return loader_fail(err, len, "ELF machine %u is not x86", machine);
    uint64_t e_entry = cls == ELF_CLASS64 ? rd(img + 24, 8) : rd(img + 24, 4);
    uint64_t phoff = cls == ELF_CLASS64 ? rd(img + 32, 8) : rd(img + 28, 4);
    uint16_t phentsize = (uint16_t)rd(img + (cls == ELF_CLASS64 ? 54 : 42), 2);
    uint16_t phnum = (uint16_t)rd(img + (cls == ELF_CLASS64 ? 56 : 44), 2);
    if (phentsize < (cls == ELF_CLASS64 ? 56 : 32) || phoff > size ||
        (uint64_t)phnum * phentsize > size - phoff)
        return loader_fail(err, len, "ELF program headers outside the image");

    bool entry_found = false;
    int loaded = 0;
    for (uint16_t i = 0; i < phnum; i++) {
        uint32_t type;
        struct seg s;
        read_phdr(img + phoff + (uint64_t)i * phentsize, cls, &type, &s);
        if (type != PT_LOAD || s.memsz == 0)
            continue;
        if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset)
            return loader_fail(err, len, "ELF segment %u: file range outside the image", i);
        if (s.paddr < EXITLESS_GPA_IMAGE_MIN || s.paddr + s.memsz < s.paddr ||
            s.paddr + s.memsz > g->mem_size)
            return loader_fail(err, len, "ELF segment %u at %#lx-%#lx is outside guest RAM "
                                         "[%#llx, %#lx)", i, s.paddr, s.paddr + s.memsz,
                               EXITLESS_GPA_IMAGE_MIN, g->mem_size);
        if (loader_copy(g, s.paddr, img + s.offset, s.filesz, s.memsz - s.filesz))
            return loader_fail(err, len, "ELF segment %u could not be copied", i);
        if (e_entry >= s.vaddr && e_entry < s.vaddr + s.memsz) {
            *entry = e_entry - s.vaddr + s.paddr;
            entry_found = true;
            /* Long-mode guests start on an identity map: virtual must equal physical. */
            if (cls == ELF_CLASS64 && s.vaddr != s.paddr)
                return loader_fail(err, len, "ELF64 entry segment is linked at %#lx but loads "
                                             "at %#lx; long-mode guests must be identity-linked",
                                   s.vaddr, s.paddr);
        }
        loaded++;
    }
    if (!loaded)
        return loader_fail(err, len, "ELF image has no loadable segment");
    if (!entry_found)
        return loader_fail(err, len, "ELF entry point %#lx is in no loaded segment", e_entry);
    return 0;
}
