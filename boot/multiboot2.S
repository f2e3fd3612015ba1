/* Multiboot2 header: what Exitless asks GRUB for (multiboot2 spec, section 3.1). */
#define MB2_MAGIC        0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_TAG_END      0
#define MB2_TAG_INFO_REQ 1
#define MB2_TAG_MOD_ALIGN 6
#define MB2_TAG_OPTIONAL 1

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Information requested: cmdline, loader name, modules, basic meminfo, memory map,
     * EFI64 system table, ACPI old/new RSDP, EFI memory map. Optional: each may be missing. */
    .balign 8
1:  .short MB2_TAG_INFO_REQ
    .short MB2_TAG_OPTIONAL
    .long 2f - 1b
    .long 1, 2, 3, 4, 6, 12, 14, 15, 17
2:
    /* Modules page aligned, so they can be mapped into guests as they are. */
    .balign 8
    .short MB2_TAG_MOD_ALIGN
    .short 0
    .long 8

    .balign 8
    .short MB2_TAG_END
    .short 0
    .long 8
mb2_header_end:
