/* An ELF vmlinux through its PVH entry (Xen's hvm/start_info.h ABI, as Linux's
 * arch/x86/platform/pvh/head.S expects it): segments at their physical addresses,
 * hvm_start_info, entry in 32-bit protected mode with paging off, EBX = start info. */
#include "kernel/log.h"
#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_linux.h"

#define PVH_INFO_MAX 0x1000u            /* LINUX_GPA_BOOT_PARAMS up to the command line */
#define PVH_INITRD_MAX 0xffffffffull    /* the modlist is 64-bit; stay below 4 GiB anyway */

int pvh_load(struct guest *g, const uint8_t *img, size_t size, uint32_t entry, char *err,
             size_t len)
{
    struct linux_setup s;
    struct elf_image e;
    if (linux_setup_begin(g, &s, err, len) ||
        elf_check_phys(img, size, g->mem_size, &e, err, len) ||
        pvh_check_entry(img, &e, entry, err, len) || elf_load_segments(g, img, &e, err, len))
        return -1;
    uint64_t kernel_end = g->entry.image_end;
    if (linux_setup_finish(g, &s, 0, kernel_end, PVH_INITRD_MAX, err, len))
        return -1;

    uint8_t *info = guest_ram_ptr(g, LINUX_GPA_BOOT_PARAMS, PVH_INFO_MAX);
    if (!info || !pvh_start_info(info, PVH_INFO_MAX, LINUX_GPA_BOOT_PARAMS, &s.args))
        return loader_fail(err, len, "hvm_start_info does not fit in %u bytes", PVH_INFO_MAX);

    struct guest_entry *ge = &g->entry;
    ge->mode = BOOT_PROTECTED32;
    ge->cs = LINUX_SEL_CODE32;
    ge->rip = entry;
    ge->rbx = LINUX_GPA_BOOT_PARAMS;
    log_info("loader", "%s: Linux vmlinux, PVH entry %#x, kernel to %#lx, initrd %#lx+%#lx, "
                       "RSDP %#lx", g->name, entry, kernel_end, s.args.initrd_start,
             s.args.initrd_size, s.args.rsdp_gpa);
    return 0;
}
