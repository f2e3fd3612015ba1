/* Checks and builders for Linux guests (bzImage 64-bit boot protocol, PVH entry of an ELF
 * vmlinux): the image header, where kernel and initrd go, the command line, the guest
 * memory map, and the zero page / hvm_start_info the kernel reads. The image is
 * guest-controlled input: every field is checked before it is used. Pure (no guest state),
 * host unit-tested, also linked into the host manifest tool. */
#ifndef EXITLESS_VMM_LOADER_LINUX_CHECK_H
#define EXITLESS_VMM_LOADER_LINUX_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/loader/linux_boot_params.h"
#include "vmm/loader/linux_start_info.h"
#include "vmm/loader/loader_check.h"

#define LINUX_MEM_MIN     (16ull << 20)   /* below this no stock kernel finds room */
#define LINUX_PROTO_MIN   0x020cu         /* 2.12: xloadflags, the 64-bit entry */
#define LINUX_PROTO_RSDP  0x020eu         /* 2.14: acpi_rsdp_addr */
#define LINUX_MEMMAP_MAX  5u

/* e820 types (ACPI 6.4, 15.1). */
#define E820_RAM       1u
#define E820_RESERVED  2u
#define E820_ACPI      3u

struct linux_mem_range {
    uint64_t addr, size;
    uint32_t type;
};

/* The guest memory map of vmm/loader/linux_layout.h for guest RAM [0, mem_size): fills r
 * (LINUX_MEMMAP_MAX entries) and returns the count, or -1 with the reason when mem_size is
 * below LINUX_MEM_MIN, not page-aligned, or reaches the PCI window at VPCI_MMIO_BASE. */
int linux_memmap(uint64_t mem_size, struct linux_mem_range r[LINUX_MEMMAP_MAX], char *err,
                 size_t len) __attribute__((warn_unused_result));

/* ---- bzImage (boot.rst, "The real-mode kernel header" and "64-bit boot protocol") */

struct bz_image {
    uint16_t version;
    uint32_t hdr_end;           /* the setup header's end in the image (0x202 + jump[1]) */
    uint64_t kernel_off;        /* protected-mode kernel: file offset and length */
    uint64_t kernel_size;
    uint64_t load_addr;         /* where it is copied; also its runtime start */
    uint64_t window_end;        /* [load_addr, window_end): init_size, RAM it needs at once */
    uint64_t entry64;           /* load_addr + 0x200 */
    uint64_t initrd_addr_max;   /* highest byte the initrd may occupy */
    uint32_t cmdline_size;      /* bytes without the NUL */
    bool relocatable;
};

/* True if the image carries a setup header signature ("HdrS" at 0x202). */
bool bzimage_present(const uint8_t *img, size_t size);
/* Checks the whole setup header of a bzImage against the image and guest RAM
 * [LINUX_GPA_HIGH_RAM, mem_size) and decides the load address. Fills b. 0, or -1 with
 * the reason. */
int bzimage_check(const uint8_t *img, size_t size, uint64_t mem_size, struct bz_image *b,
                  char *err, size_t len) __attribute__((warn_unused_result));

/* ---- PVH (ELF note XEN_ELFNOTE_PHYS32_ENTRY) */

/* Looks for the PVH entry note in an ELF64 image's PT_NOTE segments, then its SHT_NOTE
 * sections. Returns 1 with *entry set, 0 when the image has none (or is no ELF64), or -1
 * with the reason when a note table or the PVH note itself is malformed. */
int pvh_find_entry(const uint8_t *img, size_t size, uint32_t *entry, char *err, size_t len)
    __attribute__((warn_unused_result));
/* The PVH entry must be in the loaded bytes of a segment of the image elf_check_phys took. */
int pvh_check_entry(const uint8_t *img, const struct elf_image *e, uint32_t entry, char *err,
                    size_t len) __attribute__((warn_unused_result));

/* ---- What both protocols share */

/* The command line must fit the kernel's limit (0: no kernel limit) and LINUX_CMDLINE_MAX,
 * both counting the NUL the kernel's limit does not. 0, or -1 with the reason. */
int linux_cmdline_check(const char *cmdline, uint32_t kernel_max, char *err, size_t len)
    __attribute__((warn_unused_result));

/* Places an initrd of `size` bytes page-aligned as high as guest RAM [0, mem_size) and
 * `addr_max` (its last byte) allow, above kernel_end. 0 with *start, or -1 with the reason. */
int linux_initrd_place(uint64_t mem_size, uint64_t kernel_end, uint64_t addr_max,
                       uint64_t size, uint64_t *start, char *err, size_t len)
    __attribute__((warn_unused_result));

/* What the kernel is told, whichever protocol. */
struct linux_boot_args {
    uint64_t cmdline_gpa;
    uint64_t initrd_start, initrd_size;     /* size 0: none */
    uint64_t rsdp_gpa;                      /* 0: none */
    const struct linux_mem_range *map;
    unsigned nmap;
};

/* Fills the zero page: zeroed, the image's setup header copied, then the loader's fields. */
void linux_zero_page(struct linux_boot_params *bp, const uint8_t *img, const struct bz_image *b,
                     const struct linux_boot_args *a);

/* Lays out hvm_start_info, its memory map and module list in buf, which the guest sees at
 * `base`. Returns the bytes used, or 0 when `size` is too small. */
size_t pvh_start_info(uint8_t *buf, size_t size, uint64_t base, const struct linux_boot_args *a);

#endif
