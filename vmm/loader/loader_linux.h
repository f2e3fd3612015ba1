/* What the two Linux loaders (loader_bzimage.c, loader_pvh.c) share: the memory map, the
 * command line, the initrd, the ACPI tables and the boot GDT. Private to vmm/loader/. */
#ifndef EXITLESS_VMM_LOADER_LOADER_LINUX_H
#define EXITLESS_VMM_LOADER_LOADER_LINUX_H

#include "vmm/loader/linux_check.h"
#include "vmm/loader/loader_priv.h"

/* Boot GDT at LINUX_GPA_GDT: 0x08 flat 32-bit code (PVH), 0x10 64-bit code (__BOOT_CS),
 * 0x18 flat data (__BOOT_DS), as boot.rst and the PVH ABI want them. */
#define LINUX_SEL_CODE32 0x08
#define LINUX_SEL_CODE64 0x10
#define LINUX_SEL_DATA   0x18

struct linux_setup {
    struct linux_mem_range map[LINUX_MEMMAP_MAX];
    struct linux_boot_args args;
};

/* Before anything is copied: the guest's memory suits a Linux guest; fills the map. */
int linux_setup_begin(struct guest *g, struct linux_setup *s, char *err, size_t len)
    __attribute__((warn_unused_result));
/* After the kernel is in place (it ends at kernel_end): command line (at most cmdline_max
 * bytes, 0 = no kernel limit), initrd (last byte at most initrd_max), ACPI tables, GDT;
 * fills s->args and marks the other vCPUs as waiting for INIT-SIPI-SIPI. */
int linux_setup_finish(struct guest *g, struct linux_setup *s, uint32_t cmdline_max,
                       uint64_t kernel_end, uint64_t initrd_max, char *err, size_t len)
    __attribute__((warn_unused_result));

#endif
