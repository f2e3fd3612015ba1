/* Guest image loaders: ELF64 (long mode), multiboot 1/2 (32-bit protected mode), Linux
 * bzImage (64-bit boot protocol) and ELF vmlinux (PVH entry); the kind is detected. */
#ifndef EXITLESS_VMM_LOADER_H
#define EXITLESS_VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest.h"

/* Copies the image (and the optional module) into guest RAM and fills g->entry. Returns 0,
 * or -1 with the reason. */
int guest_load(struct guest *g, const uint8_t *image, size_t size, const uint8_t *module,
               size_t module_size, const char *module_name, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
