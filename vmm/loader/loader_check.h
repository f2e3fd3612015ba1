/* Checks of a guest image before any of it is copied: ELF headers and segments, multiboot 1/2
 * headers and their tags. The image is guest-controlled input: every length is checked before
 * the bytes it covers are read. Pure (no guest state), host unit-tested. */
#ifndef EXITLESS_VMM_LOADER_CHECK_H
#define EXITLESS_VMM_LOADER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_CLASS32 1
#define ELF_CLASS64 2

/* Formats the reason into err and returns -1. */
int loader_fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- ELF (System V ABI: ELF header, program headers) */

struct elf_image {
    int cls;                    /* ELF_CLASS32 or ELF_CLASS64 */
    uint64_t phoff;
    uint16_t phentsize, phnum;
    uint64_t entry_vaddr;
    uint64_t entry;             /* guest-physical entry point */
};

struct elf_seg {
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Checks an ELF image of class `cls`: header, program header table inside the image, and each
 * loadable segment inside both the image and guest RAM [EXITLESS_GPA_IMAGE_MIN, mem_size);
 * the entry point must lie in a loadable segment. Fills e. Returns 0, or -1 with the reason. */
int elf_check(const uint8_t *img, size_t size, int cls, uint64_t mem_size, struct elf_image *e,
              char *err, size_t len) __attribute__((warn_unused_result));
/* The same checks for an ELF64 image entered at an address given elsewhere (PVH): segments
 * load at their physical addresses whatever they are linked at; e_entry is not used
 * (e->entry = 0). */
int elf_check_phys(const uint8_t *img, size_t size, uint64_t mem_size, struct elf_image *e,
                   char *err, size_t len) __attribute__((warn_unused_result));
/* Program header i of an image elf_check accepted: true if it is a segment to load. */
bool elf_segment(const uint8_t *img, const struct elf_image *e, uint16_t i, struct elf_seg *s);

/* ---- Multiboot 1 (0.6.96, 3.1) and multiboot2 (3.1) headers */

struct mb_header {
    int version;                /* 1 or 2 */
    uint64_t offset;            /* of the header in the image */
    bool have_address;          /* mb1 flag 16 / mb2 address tag: load by these fields */
    uint32_t header_addr, load_addr, load_end, bss_end;
    bool have_entry;            /* mb1 flag 16 / mb2 entry address tag */
    uint32_t entry;
};

/* True if the image has a multiboot 1 or 2 header signature (magic and checksum). */
bool multiboot_present(const uint8_t *img, size_t size);
/* Finds the header (multiboot2 first) and checks it and, for multiboot2, each of its tags
 * against the header length and the image. Fills h. Returns 0, or -1 with the reason. */
int mb_header_check(const uint8_t *img, size_t size, struct mb_header *h, char *err,
                    size_t len) __attribute__((warn_unused_result));

/* Where the address fields of a header put the kernel. */
struct mb_range {
    uint64_t file_off, file_len;  /* bytes of the image to copy */
    uint64_t load_addr, mem_end;  /* guest-physical [load_addr, mem_end), zeroed past the copy */
};

/* For a header with have_address: the load range, inside the image and inside guest RAM
 * [EXITLESS_GPA_IMAGE_MIN, mem_size), with the entry point (if given) in the loaded bytes.
 * Returns 0, or -1 with the reason. */
int mb_load_range(const struct mb_header *h, size_t size, uint64_t mem_size, struct mb_range *r,
                  char *err, size_t len) __attribute__((warn_unused_result));

#endif
