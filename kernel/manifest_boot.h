/* The manifest at boot: found among the modules, parsed, checked against this machine. */
#ifndef EXITLESS_KERNEL_MANIFEST_BOOT_H
#define EXITLESS_KERNEL_MANIFEST_BOOT_H

#include <stdint.h>

#include "exitless/manifest.h"
#include "kernel/mb2.h"

#define MANIFEST_MODULE "manifest"

/* Parses and checks the manifest module against what the machine has (cpu_count from
 * the MADT, RAM from the memory map, the modules GRUB loaded). Returns the model, or NULL
 * after printing every error as "manifest:line:col: error: ..." (nothing configured yet). */
const struct mf_manifest *manifest_boot_load(const struct boot_info *bi, uint32_t cpu_count,
                                             uint64_t guest_ram);

#endif
