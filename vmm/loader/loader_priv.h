/* Loader internals shared by the ELF and multiboot loaders. */
#ifndef EXITLESS_VMM_LOADER_PRIV_H
#define EXITLESS_VMM_LOADER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/loader/loader_check.h"

/* Copies len bytes to guest-physical gpa and zeroes zero_len bytes after them; -1 if the
 * range is not inside guest RAM. */
int loader_copy(struct guest *g, uint64_t gpa, const void *src, uint64_t len, uint64_t zero_len);
void loader_build_gdt(struct guest *g);
/* Identity map of the first 4 GiB (2 MiB pages) at EXITLESS_GPA_PAGE_TABLES (6 pages). */
void loader_build_page_tables(struct guest *g);
/* Copies the module (if any) page-aligned after the kernel; fills mod_start/mod_end. */
int loader_place_module(struct guest *g, char *err, size_t len);

/* Checks an ELF image of `elf_class` whole (elf_check), then loads its PT_LOAD segments at
 * their physical addresses (at or above 1 MiB); *entry gets the entry point's physical address. */
int elf_load(struct guest *g, const uint8_t *img, size_t size, int elf_class, uint64_t *entry,
             char *err, size_t len);

/* Copies the loadable segments of an image elf_check or elf_check_phys accepted. */
int elf_load_segments(struct guest *g, const uint8_t *img, const struct elf_image *e, char *err,
                      size_t len);

int multiboot_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len);

/* Linux guests (vmm/loader/loader_linux.c, loader_pvh.c): a bzImage through the 64-bit
 * boot protocol, an ELF vmlinux through its PVH entry. */
int bzimage_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len);
int pvh_load(struct guest *g, const uint8_t *img, size_t size, uint32_t entry, char *err,
             size_t len);

#endif
