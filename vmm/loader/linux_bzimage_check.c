/* bzImage checks (Linux Documentation/arch/x86/boot.rst: the setup header, "Loading the
 * rest of the kernel", "64-bit boot protocol") and the zero page built from them. The image
 * is guest-controlled: the header's own length is checked before any field is read, every
 * size against the image and every address against guest RAM. Pure, host unit-tested. */
#include <string.h>

#include "vmm/loader/linux_check.h"
#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_check.h"

#define KERNEL_ALIGN_MIN 0x1000ull
#define KERNEL_ALIGN_MAX (1ull << 30)

bool bzimage_present(const uint8_t *img, size_t size)
{
    uint32_t magic;
    if (size < LINUX_HDR_OFF(header) + 4)
        return false;
    memcpy(&magic, img + LINUX_HDR_OFF(header), 4);
    return magic == LINUX_HDRS_MAGIC;
}

/* The setup header, of at most its known size; fields past the image's header stay 0. */
static void read_header(const uint8_t *img, uint32_t hdr_end, struct linux_setup_header *h)
{
    size_t n = hdr_end - LINUX_SETUP_HEADER_OFF;
    memset(h, 0, sizeof(*h));
    memcpy(h, img + LINUX_SETUP_HEADER_OFF, n < sizeof(*h) ? n : sizeof(*h));
}

static int check_protocol(const struct linux_setup_header *h, char *err, size_t len)
{
    if (h->boot_flag != LINUX_BOOT_FLAG)
        return loader_fail(err, len, "bzImage: boot_flag is %#x, not 0xaa55", h->boot_flag);
    if (h->version < LINUX_PROTO_MIN)
        return loader_fail(err, len, "bzImage: boot protocol %u.%02u is older than 2.12, "
                                     "which the 64-bit entry needs", h->version >> 8,
                           h->version & 0xff);
    if (!(h->xloadflags & LINUX_XLF_KERNEL_64))
        return loader_fail(err, len, "bzImage: no 64-bit entry (xloadflags %#x lacks "
                                     "XLF_KERNEL_64): a 32-bit kernel", h->xloadflags);
    if (!(h->loadflags & LINUX_LOADED_HIGH))
        return loader_fail(err, len, "bzImage: loadflags %#x lack LOADED_HIGH: a zImage, "
                                     "which loads below 1 MiB", h->loadflags);
    return 0;
}

/* Where the protected-mode kernel goes (boot.rst, init_size): a relocatable kernel at
 * pref_address rounded up to kernel_alignment (at least 1 MiB), any other at pref_address.
 * Its runtime start is then the load address, and init_size bytes from there must be RAM. */
static int place_kernel(const struct linux_setup_header *h, uint64_t mem_size,
                        struct bz_image *b, char *err, size_t len)
{
    uint64_t align = h->kernel_alignment;
    uint64_t load = h->pref_address;
    if (b->relocatable) {
        if (align < KERNEL_ALIGN_MIN || align > KERNEL_ALIGN_MAX || (align & (align - 1)))
            return loader_fail(err, len, "bzImage: kernel_alignment %#lx is not a power of two "
                                         "between 4 KiB and 1 GiB", align);
        if (h->min_alignment > 63 || (1ull << h->min_alignment) > align)
            return loader_fail(err, len, "bzImage: min_alignment 2^%u is above kernel_alignment "
                                         "%#lx", h->min_alignment, align);
        if (load < LINUX_GPA_HIGH_RAM)
            load = LINUX_GPA_HIGH_RAM;
        if (load > mem_size)
            return loader_fail(err, len, "bzImage: preferred address %#lx is beyond guest "
                                         "memory (%lu MiB)", load, mem_size >> 20);
        load = (load + align - 1) & ~(align - 1);
    } else if (load < LINUX_GPA_HIGH_RAM || (load & 0xfff)) {
        return loader_fail(err, len, "bzImage: kernel is not relocatable and its preferred "
                                     "address %#lx is not a page at or above 1 MiB", load);
    }
    if (h->init_size == 0)
        return loader_fail(err, len, "bzImage: init_size is 0");
    uint64_t need = h->init_size > b->kernel_size ? h->init_size : b->kernel_size;
    if (load > mem_size || need > mem_size - load)
        return loader_fail(err, len, "kernel does not fit: it needs [%#lx, %#lx) (init_size "
                                     "%u KiB) but guest memory ends at %#lx (%lu MiB)",
                           load, load + need, h->init_size >> 10, mem_size, mem_size >> 20);
    b->load_addr = load;
    b->window_end = load + need;
    b->entry64 = load + LINUX_ENTRY64_OFF;
    return 0;
}

int bzimage_check(const uint8_t *img, size_t size, uint64_t mem_size, struct bz_image *b,
                  char *err, size_t len)
{
    struct linux_setup_header h;
    memset(b, 0, sizeof(*b));
    if (!bzimage_present(img, size))
        return loader_fail(err, len, "not a bzImage (no \"HdrS\" at 0x202)");
    uint32_t hdr_end = 0x202u + img[LINUX_HDR_OFF(jump) + 1];
    if (hdr_end < LINUX_SETUP_HEADER_MIN_END || hdr_end > size)
        return loader_fail(err, len, "bzImage: setup header ends at %#x, want %#x up to the "
                                     "image size %#zx", hdr_end, LINUX_SETUP_HEADER_MIN_END, size);
    read_header(img, hdr_end, &h);
    if (check_protocol(&h, err, len))
        return -1;
    b->version = h.version;
    b->hdr_end = hdr_end;
    b->relocatable = h.relocatable_kernel != 0;

    uint32_t sects = h.setup_sects ? h.setup_sects : LINUX_SETUP_SECTS_DEFAULT;
    b->kernel_off = (uint64_t)(sects + 1) * LINUX_SECTOR;
    b->kernel_size = (uint64_t)h.syssize * 16;
    if (b->kernel_off >= size)
        return loader_fail(err, len, "bzImage: setup_sects %u puts the kernel at %#lx, outside "
                                     "the image (%#zx bytes)", h.setup_sects, b->kernel_off, size);
    if (b->kernel_size == 0 || b->kernel_size > size - b->kernel_off)
        return loader_fail(err, len, "bzImage: syssize says %lu bytes of kernel after %#lx, the "
                                     "image has %lu", b->kernel_size, b->kernel_off,
                           size - b->kernel_off);
    /* The 64-bit entry must be in the kernel's own bytes, not in the zeroed window after. */
    if (b->kernel_size <= LINUX_ENTRY64_OFF)
        return loader_fail(err, len, "bzImage: syssize says %lu bytes of kernel, which end "
                                     "before its 64-bit entry at +%#x", b->kernel_size,
                           LINUX_ENTRY64_OFF);
    if (h.cmdline_size == 0)
        return loader_fail(err, len, "bzImage: cmdline_size is 0");
    b->cmdline_size = h.cmdline_size;
    if (h.initrd_addr_max < LINUX_GPA_HIGH_RAM)
        return loader_fail(err, len, "bzImage: initrd_addr_max %#x is below 1 MiB",
                           h.initrd_addr_max);
    b->initrd_addr_max = h.initrd_addr_max;
    return place_kernel(&h, mem_size, b, err, len);
}

void linux_zero_page(struct linux_boot_params *bp, const uint8_t *img, const struct bz_image *b,
                     const struct linux_boot_args *a)
{
    memset(bp, 0, sizeof(*bp));
    /* The header as the image has it, up to where the zero page gives it room (boot.rst:
     * "the setup header ... should be loaded into struct boot_params"). */
    uint32_t end = b->hdr_end < LINUX_HDR_AREA_END ? b->hdr_end : LINUX_HDR_AREA_END;
    memcpy((uint8_t *)bp + LINUX_SETUP_HEADER_OFF, img + LINUX_SETUP_HEADER_OFF,
           end - LINUX_SETUP_HEADER_OFF);
    struct linux_setup_header *h = &bp->hdr;
    h->type_of_loader = LINUX_TYPE_OF_LOADER_UNDEFINED;
    /* No real-mode setup runs: no heap for it; the kernel is where LOADED_HIGH says. */
    h->loadflags = (uint8_t)((h->loadflags | LINUX_LOADED_HIGH) & ~LINUX_CAN_USE_HEAP);
    h->heap_end_ptr = 0;
    h->code32_start = (uint32_t)b->load_addr;
    h->cmd_line_ptr = (uint32_t)a->cmdline_gpa;
    h->ramdisk_image = (uint32_t)a->initrd_start;
    h->ramdisk_size = (uint32_t)a->initrd_size;
    h->setup_data = 0;
    if (b->version >= LINUX_PROTO_RSDP)
        bp->acpi_rsdp_addr = a->rsdp_gpa;
    unsigned n = a->nmap < LINUX_E820_ZERO_PAGE_MAX ? a->nmap : LINUX_E820_ZERO_PAGE_MAX;
    for (unsigned i = 0; i < n; i++)
        bp->e820_table[i] = (struct linux_e820_entry){ a->map[i].addr, a->map[i].size,
                                                       a->map[i].type };
    bp->e820_entries = (uint8_t)n;
}
