/* Shared by the boot CPU's entry (entry32.S) and the AP trampoline: the switch from 32-bit
 * protected mode to long mode (SDM vol. 3, 10.8.5). Assembly only. */
#ifndef EXITLESS_BOOT_LONG_MODE_H
#define EXITLESS_BOOT_LONG_MODE_H

#define CR0_PE      (1 << 0)
#define CR0_WP      (1 << 16)
#define CR0_NW      (1 << 29)
#define CR0_CD      (1 << 30)
#define CR0_PG      (1 << 31)
#define CR4_PAE     (1 << 5)
#define MSR_EFER    0xc0000080
#define EFER_LME    (1 << 8)
#define EFER_NXE    (1 << 11)

/* %eax = physical address of a PML4 below 4 GiB, paging off. Turns on PAE, long mode, NX
 * (the hypervisor's tables use it), paging and write protection. Clobbers eax, ecx, edx.
 * A far jump to a 64-bit code segment must follow. */
.macro ENABLE_LONG_MODE
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE), %eax
    wrmsr
    mov %cr0, %eax
    and $~(CR0_CD | CR0_NW), %eax   /* caches on: firmware may leave them off */
    or $(CR0_PG | CR0_WP), %eax
    mov %eax, %cr0
.endm

/* Flat data segments from selector `sel` (in %eax's low half), FS and GS null; clobbers eax. */
.macro LOAD_DATA_SEGMENTS sel
    mov $\sel, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
.endm

#endif
