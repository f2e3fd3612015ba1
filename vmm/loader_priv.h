/* Loader internals shared by the ELF and multiboot loaders. */
#ifndef EXITLESS_VMM_LOADER_PRIV_H
#define EXITLESS_VMM_LOADER_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest.h"

#define ELF_CLASS32 1
#define ELF_CLASS64 2

int loader_fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies len bytes to guest-physical gpa and zeroes zero_len bytes after them; -1 if the
 * range is not inside guest RAM. */
int loader_copy(struct guest *g, uint64_t gpa, const void *src, uint64_t len, uint64_t zero_len);
void loader_build_gdt(struct guest *g);
/* Copies the module (if any) page-aligned after the kernel; fills mod_start/mod_end. */
int loader_place_module(struct guest *g, char *err, size_t len);

/* Loads the PT_LOAD segments of an ELF image of `elf_class` at their physical addresses
 * (at or above 1 MiB); *entry gets the entry point's physical address. */
int elf_load(struct guest *g, const uint8_t *img, size_t size, int elf_class, uint64_t *entry,
             char *err, size_t len);

bool multiboot_present(const uint8_t *img, size_t size);
int multiboot_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len);

#endif
