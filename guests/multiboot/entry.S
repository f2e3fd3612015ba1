/* Multiboot test guest entry, 32-bit protected mode: MB_VERSION 1 or 2 picks the header. */
    .section .multiboot, "a"
#if MB_VERSION == 1
    .balign 4
    .long 0x1badb002
    .long 0x00000003                /* page-aligned modules, memory information */
    .long -(0x1badb002 + 0x00000003)
#else
    .balign 8
mb2_header:
    .long 0xe85250d6, 0, mb2_end - mb2_header
    .long -(0xe85250d6 + (mb2_end - mb2_header))
    .balign 8
    .short 1, 0                     /* information request, required */
    .long 20
    .long 1, 6, 2                   /* command line, memory map, boot loader name */
    .balign 8
    .short 0, 0
    .long 8
mb2_end:
#endif

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx                       /* information structure */
    push %eax                       /* loader magic */
    call mb_main
    mov %eax, %edi                  /* HC_STOP(status) */
    mov $5, %eax
    vmcall
1:  cli
    hlt
    jmp 1b

    .bss
    .balign 16
    .skip 8192
stack_top:
