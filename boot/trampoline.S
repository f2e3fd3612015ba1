/* AP start-up trampoline (SDM vol. 3, 9.4.4 and 10.8.5): copied by kernel/smp.c to a page
 * below 1 MiB; the SIPI starts it in real mode at that page's offset 0. It goes real mode ->
 * 32-bit protected mode -> long mode on page tables that identity-map the low 2 MiB and share
 * the kernel's upper half, then jumps to ap_entry64 in the kernel's high half.
 * Position independent: real mode uses CS-relative offsets, 32/64-bit code uses %ebx = the
 * page's linear address. kernel/smp.c fills the tr_* words below before each start. */
#include "boot/long_mode.h"

#define SEL_CODE32  0x08
#define SEL_DATA    0x10
#define SEL_CODE64  0x18
#define OFF(sym)    ((sym) - ap_trampoline_start)

    /* Data, never executed in place: keeps 16/32-bit bytes away from the 64-bit disassembly. */
    .section .rodata.trampoline, "a"
    .balign 4096
    .globl ap_trampoline_start, ap_trampoline_end
    .globl tr_gdtr_base, tr_pm32_ptr, tr_lm64_ptr, tr_cr3, tr_kernel_cr3, tr_stack, tr_arg
    .globl tr_entry, tr_gdt, tr_pm32, tr_lm64
    .code16
ap_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    xor %ebx, %ebx
    mov %ax, %bx
    shl $4, %ebx                      /* linear address of this page */
    lgdtl OFF(tr_gdtr)
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl *OFF(tr_pm32_ptr)

    .code32
tr_pm32:
    mov $SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov OFF(tr_cr3)(%ebx), %eax
    ENABLE_LONG_MODE
    ljmp *OFF(tr_lm64_ptr)(%ebx)

    .code64
tr_lm64:
    mov %ebx, %ebx                    /* upper half of rbx is undefined after the switch */
    LOAD_DATA_SEGMENTS SEL_DATA
    mov OFF(tr_stack)(%rbx), %rsp
    mov OFF(tr_arg)(%rbx), %rdi
    mov OFF(tr_kernel_cr3)(%rbx), %rcx
    mov OFF(tr_entry)(%rbx), %rax
    jmp *%rax

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff          /* 32-bit code */
    .quad 0x00cf92000000ffff          /* data */
    .quad 0x00af9a000000ffff          /* 64-bit code */
tr_gdt_end:
    .balign 8
tr_gdtr:
    .short tr_gdt_end - tr_gdt - 1
tr_gdtr_base:
    .long 0                           /* linear address of tr_gdt */
    .balign 8
tr_pm32_ptr:
    .long 0                           /* linear address of tr_pm32 */
    .short SEL_CODE32
    .balign 8
tr_lm64_ptr:
    .long 0                           /* linear address of tr_lm64 */
    .short SEL_CODE64
    .balign 8
tr_cr3:         .quad 0               /* trampoline page tables (below 4 GiB) */
tr_kernel_cr3:  .quad 0               /* the hypervisor's page tables */
tr_stack:       .quad 0               /* this AP's stack top */
tr_arg:         .quad 0               /* this AP's struct percpu */
tr_entry:       .quad 0               /* ap_entry64 */
ap_trampoline_end:

    /* Kernel high half: switch to the hypervisor's tables and enter C. The GDT still in use
     * is the trampoline's (now unmapped): ap_main loads this CPU's own before any segment
     * load or interrupt. */
    .text
    .globl ap_entry64
ap_entry64:
    mov %rcx, %cr3
    xor %ebp, %ebp
    call ap_main
1:  cli
    hlt
    jmp 1b
