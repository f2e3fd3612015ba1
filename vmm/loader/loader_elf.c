/* ELF32/ELF64 program loading into guest RAM, after elf_check accepted the whole image. */
#include "vmm/loader/loader_priv.h"

int elf_load_segments(struct guest *g, const uint8_t *img, const struct elf_image *e, char *err,
                      size_t len)
{
    for (uint16_t i = 0; i < e->phnum; i++) {
        struct elf_seg s;
        if (elf_segment(img, e, i, &s) &&
            loader_copy(g, s.paddr, img + s.offset, s.filesz, s.memsz - s.filesz))
            return loader_fail(err, len, "ELF segment %u could not be copied", i);
    }
    return 0;
}

int elf_load(struct guest *g, const uint8_t *img, size_t size, int cls, uint64_t *entry,
             char *err, size_t len)
{
    struct elf_image e;
    if (elf_check(img, size, cls, g->mem_size, &e, err, len) ||
        elf_load_segments(g, img, &e, err, len))
        return -1;
    *entry = e.entry;
    return 0;
}
