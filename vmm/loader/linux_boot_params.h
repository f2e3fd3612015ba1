/* The zero page of the Linux x86 boot protocol (Linux Documentation/arch/x86/boot.rst and
 * zero-page.rst): our own definition of the setup header and of the parts of struct
 * boot_params the loader fills; everything else stays zero. Offsets are asserted below. */
#ifndef EXITLESS_VMM_LOADER_LINUX_BOOT_PARAMS_H
#define EXITLESS_VMM_LOADER_LINUX_BOOT_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_SETUP_HEADER_OFF 0x1f1    /* in the image and in the zero page */
#define LINUX_HDRS_MAGIC       0x53726448u  /* "HdrS" at 0x202 */
#define LINUX_BOOT_FLAG        0xaa55u
#define LINUX_SECTOR           512u
#define LINUX_SETUP_SECTS_DEFAULT 4u    /* setup_sects 0 means 4 (boot.rst) */
#define LINUX_ENTRY64_OFF      0x200u   /* 64-bit entry: load address + 0x200 */

/* loadflags */
#define LINUX_LOADED_HIGH      (1u << 0)  /* protected-mode code at 0x100000: a bzImage */
#define LINUX_CAN_USE_HEAP     (1u << 7)
/* xloadflags (2.12+) */
#define LINUX_XLF_KERNEL_64    (1u << 0)  /* has the 64-bit entry at +0x200 */

#define LINUX_TYPE_OF_LOADER_UNDEFINED 0xffu

/* The setup header, at 0x1f1 of the image; copied into the zero page at the same offset. */
struct linux_setup_header {
    uint8_t setup_sects;            /* 0x1f1 */
    uint16_t root_flags;            /* 0x1f2 */
    uint32_t syssize;               /* 0x1f4: protected-mode code, 16-byte units */
    uint16_t ram_size;              /* 0x1f8 */
    uint16_t vid_mode;              /* 0x1fa */
    uint16_t root_dev;              /* 0x1fc */
    uint16_t boot_flag;             /* 0x1fe: 0xaa55 */
    uint8_t jump[2];                /* 0x200: jump[1] + 0x202 = end of the header */
    uint32_t header;                /* 0x202: "HdrS" */
    uint16_t version;               /* 0x206: major << 8 | minor */
    uint32_t realmode_swtch;        /* 0x208 */
    uint16_t start_sys_seg;         /* 0x20c */
    uint16_t kernel_version;        /* 0x20e */
    uint8_t type_of_loader;         /* 0x210 */
    uint8_t loadflags;              /* 0x211 */
    uint16_t setup_move_size;       /* 0x212 */
    uint32_t code32_start;          /* 0x214 */
    uint32_t ramdisk_image;         /* 0x218 */
    uint32_t ramdisk_size;          /* 0x21c */
    uint32_t bootsect_kludge;       /* 0x220 */
    uint16_t heap_end_ptr;          /* 0x224 */
    uint8_t ext_loader_ver;         /* 0x226 */
    uint8_t ext_loader_type;        /* 0x227 */
    uint32_t cmd_line_ptr;          /* 0x228 */
    uint32_t initrd_addr_max;       /* 0x22c: highest byte the initrd may occupy */
    uint32_t kernel_alignment;      /* 0x230 */
    uint8_t relocatable_kernel;     /* 0x234 */
    uint8_t min_alignment;          /* 0x235 */
    uint16_t xloadflags;            /* 0x236 */
    uint32_t cmdline_size;          /* 0x238: without the terminating NUL */
    uint32_t hardware_subarch;      /* 0x23c */
    uint64_t hardware_subarch_data; /* 0x240 */
    uint32_t payload_offset;        /* 0x248 */
    uint32_t payload_length;        /* 0x24c */
    uint64_t setup_data;            /* 0x250 */
    uint64_t pref_address;          /* 0x258 */
    uint32_t init_size;             /* 0x260 */
    uint32_t handover_offset;       /* 0x264 */
    uint32_t kernel_info_offset;    /* 0x268 (2.15) */
} __attribute__((packed));

/* The header must reach init_size (protocol 2.10 fields) for the checks to read it. */
#define LINUX_SETUP_HEADER_MIN_END 0x264u
#define LINUX_HDR_OFF(f) (LINUX_SETUP_HEADER_OFF + offsetof(struct linux_setup_header, f))
_Static_assert(LINUX_HDR_OFF(syssize) == 0x1f4, "syssize");
_Static_assert(LINUX_HDR_OFF(boot_flag) == 0x1fe, "boot_flag");
_Static_assert(LINUX_HDR_OFF(header) == 0x202, "header");
_Static_assert(LINUX_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_OFF(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LINUX_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_OFF(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_OFF(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_OFF(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_OFF(init_size) == 0x260, "init_size");
_Static_assert(sizeof(struct linux_setup_header) == 0x26c - 0x1f1, "setup header size");

/* One e820 range as the zero page holds it. */
struct linux_e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");

#define LINUX_E820_ZERO_PAGE_MAX 128
#define LINUX_HDR_AREA_END 0x290        /* the setup header may grow up to here */

struct linux_boot_params {
    uint8_t screen_info[0x40];                      /* 0x000 */
    uint8_t pad_040[0x30];                          /* 0x040: apm, tboot, ist */
    uint64_t acpi_rsdp_addr;                        /* 0x070 (protocol 2.14) */
    uint8_t pad_078[0x1e8 - 0x78];
    uint8_t e820_entries;                           /* 0x1e8 */
    uint8_t pad_1e9[0x1f1 - 0x1e9];                 /* 0x1ef: sentinel, stays 0 */
    struct linux_setup_header hdr;                  /* 0x1f1 */
    uint8_t pad_26c[0x2d0 - 0x26c];
    struct linux_e820_entry e820_table[LINUX_E820_ZERO_PAGE_MAX]; /* 0x2d0 */
    uint8_t pad_cd0[0x1000 - 0xcd0];
} __attribute__((packed));
_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, hdr) == 0x1f1, "hdr");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero page");

#endif
