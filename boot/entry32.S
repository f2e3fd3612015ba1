/* 32-bit protected-mode entry from GRUB (multiboot2 spec, section 3.3): build a
 * temporary long-mode mapping, enable paging and long mode, jump to the image's
 * high half. EAX = multiboot2 magic, EBX = physical address of the boot information. */
#include "boot/long_mode.h"
#include "kernel/layout.h"

#define PTE_P       1
#define PTE_W       2
#define PTE_PS      0x80
#define COM1        0x3f8

    .section .boot.text, "ax"
    .code32
    .globl mb2_entry32
mb2_entry32:
    cli
    cld
    mov %eax, %edi                  /* survives into long mode as kmain's 1st argument */
    mov %ebx, %esi                  /* 2nd argument */

    /* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode

    /* Four page directories identity-map 0..4 GiB with 2 MiB pages. */
    mov $boot_pd, %ebx
    xor %ecx, %ecx                  /* entry index 0..2047 */
1:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_P | PTE_W | PTE_PS), %eax
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax                   /* bits 32+ of the physical address */
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    /* Low PDPT: the four directories. High PDPT entry 510: -2 GiB -> physical 0. */
    mov $boot_pdpt_low, %edx
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    add $boot_pd, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, (%edx, %ecx, 8)
    inc %ecx
    cmp $4, %ecx
    jne 2b
    mov $boot_pd, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pdpt_high + 510 * 8

    mov $boot_pdpt_low, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pml4
    mov $boot_pdpt_high, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pml4 + 511 * 8

    mov $boot_pml4, %eax
    ENABLE_LONG_MODE

    lgdt boot_gdtr
    ljmp $0x08, $entry64_low

no_long_mode:
    /* Nothing else can be reported this early: say so on COM1 and stop. */
    mov $no_lm_msg, %esi
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %bl
    mov $(COM1 + 5), %dx
4:  inb %dx, %al
    test $0x20, %al
    jz 4b
    mov $COM1, %dx
    mov %bl, %al
    outb %al, %dx
    jmp 3b
5:  hlt
    jmp 5b

    .code64
entry64_low:
    movabs $entry64_high, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 64-bit code */
    .quad 0x00cf92000000ffff        /* data */
boot_gdt_end:
boot_gdtr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "PANIC: this CPU has no long mode; Exitless needs x86-64\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096

    .section .text.entry64, "ax"
entry64_high:
    LOAD_DATA_SEGMENTS 0x10
    movabs $bsp_stack_top, %rsp
    xor %ebp, %ebp
    /* rdi = magic, rsi = boot information (physical) */
    call kmain
6:  cli
    hlt
    jmp 6b

    .bss
    .balign 4096
    .globl bsp_stack_bottom, bsp_stack_top
bsp_stack_bottom:
    .skip BOOT_STACK_SIZE
bsp_stack_top:
