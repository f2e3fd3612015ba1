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
/* Copies the module (if any) page-aligned after the kernel; fills mod_start/mod_end. */
int loader_place_module(struct guest *g, char *err, size_t len);

/* Checks an ELF image of `elf_class` whole (elf_check), then loads its PT_LOAD segments at
 * their physical addresses (at or above 1 MiB); *entry gets the entry point's physical address. */
int elf_load(struct guest *g, const uint8_t *img, size_t size, int elf_class, uint64_t *entry,
             char *err, size_t len);

int multiboot_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len);

#endif
