/* Where the hypervisor puts what a Linux guest needs below 1 MiB, for both boot protocols
 * (the bzImage 64-bit entry and the PVH entry of an ELF vmlinux), and the e820 map that
 * describes it to the guest:
 *
 *   [0, LINUX_GPA_LOW_RAM_END)            RAM (boot data below, then free for the kernel:
 *                                         its AP trampoline lives here)
 *   [LINUX_GPA_LOW_RAM_END, LINUX_GPA_ACPI)  reserved (where a PC has its EBDA and VGA)
 *   [LINUX_GPA_ACPI, +LINUX_ACPI_SIZE)    ACPI tables (e820 type 3)
 *   [LINUX_GPA_ACPI + LINUX_ACPI_SIZE, 1 MiB)  reserved (the BIOS ROM area)
 *   [1 MiB, guest memory size)            RAM: kernel, initrd at the top
 */
#ifndef EXITLESS_VMM_LOADER_LINUX_LAYOUT_H
#define EXITLESS_VMM_LOADER_LINUX_LAYOUT_H

#define LINUX_GPA_PAGE_TABLES 0x1000ull   /* 6 pages: identity map of 4 GiB (64-bit entry) */
#define LINUX_GPA_GDT         0x7000ull   /* boot GDT: 0x10 code, 0x18 data (boot.rst) */
#define LINUX_GPA_BOOT_PARAMS 0x8000ull   /* zero page, or hvm_start_info + memmap + modules */
#define LINUX_GPA_CMDLINE     0x9000ull
#define LINUX_CMDLINE_MAX     4096u       /* bytes, with the terminating NUL */
#define LINUX_GPA_STACK_TOP   0x80000ull
#define LINUX_GPA_LOW_RAM_END 0x9f000ull
#define LINUX_GPA_ACPI        0xe0000ull
#define LINUX_ACPI_SIZE       0x10000ull
#define LINUX_GPA_HIGH_RAM    0x100000ull

#endif
