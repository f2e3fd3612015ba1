/* A Linux bzImage through the 64-bit boot protocol (Linux Documentation/arch/x86/boot.rst):
 * the protected-mode kernel at its load address, the zero page, entry at load + 0x200 in
 * long mode on an identity map, CS = __BOOT_CS, DS = __BOOT_DS, RSI = zero page, IF = 0. */
#include "kernel/log.h"
#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_linux.h"

int bzimage_load(struct guest *g, const uint8_t *img, size_t size, char *err, size_t len)
{
    struct linux_setup s;
    struct bz_image b;
    if (linux_setup_begin(g, &s, err, len) || bzimage_check(img, size, g->mem_size, &b, err, len))
        return -1;
    if (loader_copy(g, b.load_addr, img + b.kernel_off, b.kernel_size, 0))
        return loader_fail(err, len, "bzImage: kernel at %#lx could not be copied", b.load_addr);
    if (linux_setup_finish(g, &s, b.cmdline_size, b.window_end, b.initrd_addr_max, err, len))
        return -1;

    struct linux_boot_params *bp = guest_ram_ptr(g, LINUX_GPA_BOOT_PARAMS, sizeof(*bp));
    if (!bp)
        return loader_fail(err, len, "guest memory too small for the zero page");
    linux_zero_page(bp, img, &b, &s.args);
    loader_build_page_tables(g);

    struct guest_entry *e = &g->entry;
    e->mode = BOOT_LONG64;
    e->cs = LINUX_SEL_CODE64;
    e->rip = b.entry64;
    e->cr3 = LINUX_GPA_PAGE_TABLES;
    e->rsi = LINUX_GPA_BOOT_PARAMS;
    log_info("loader", "%s: Linux bzImage, boot protocol %u.%02u%s, kernel %lu KiB at %#lx "
                       "(needs to %#lx), initrd %#lx+%#lx, RSDP %#lx", g->name, b.version >> 8,
             b.version & 0xff, b.relocatable ? " relocatable" : "", b.kernel_size >> 10,
             b.load_addr, b.window_end, s.args.initrd_start, s.args.initrd_size, s.args.rsdp_gpa);
    return 0;
}
