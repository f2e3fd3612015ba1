/* smpboot: the application processors' trampoline, copied by vCPU 0 to TRAMP_BASE (below
 * 1 MiB, a STARTUP vector's page). Each AP enters in real mode at CS = TRAMP_BASE >> 4,
 * IP = 0, records what it saw (CS, IP, CR0 in real mode), then goes through protected mode
 * to long mode on vCPU 0's page tables and calls smp_ap_main(stack slot) in C. */
#include "smpboot.h"

#define OFF(x) ((x) - smp_tramp_start)
#define ABS(x) (TRAMP_BASE + OFF(x))

    .section .rodata
    .balign 16
    .globl smp_tramp_start, smp_tramp_end
smp_tramp_start:
    .code16
    cli
    mov %cs, %ax
    mov %ax, %ds
    mov $1, %eax
    lock xadd %eax, OFF(tr_real_entries)    /* this entry's record: tr_seen[n % 8] */
    and $(AP_SLOTS - 1), %eax
    shl $3, %eax
    mov %ax, %si
    mov %cs, %ax
    mov %ax, OFF(tr_seen)(%si)              /* CS as the SIPI set it */
    call 1f
1:  pop %bx                                 /* the IP of label 1: where IP 0 led */
    mov %bx, OFF(tr_seen) + 2(%si)
    mov %cr0, %eax                          /* CR0 in real mode */
    mov %eax, OFF(tr_seen) + 4(%si)
    lgdtl OFF(tr_gdtr)
    mov $0x11, %eax                     /* PE | ET: protected mode, caches on */
    mov %eax, %cr0
    ljmpl $0x08, $ABS(pm32)

    .code32
pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov ABS(tr_cr4), %eax
    mov %eax, %cr4
    mov ABS(tr_cr3), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx               /* EFER: vCPU 0's, LMA aside */
    mov ABS(tr_efer), %eax
    xor %edx, %edx
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $ABS(lm64)

    .code64
lm64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $1, %edi
    lock xadd %edi, ABS(tr_next_slot)   /* this AP's stack slot */
    mov %edi, %eax
    inc %eax
    imul $AP_STACK_SIZE, %eax
    mov ABS(tr_stacks), %rsp
    add %rax, %rsp
    movabs $smp_ap_main, %rax
    call *%rax
2:  pause                               /* never returns */
    jmp 2b

    .balign 8
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00af9a000000ffff            /* 0x18: 64-bit code */
tr_gdtr:
    .word 4 * 8 - 1
    .long ABS(tr_gdt)
    .balign 8
    .globl tr_seen, tr_real_entries, tr_cr3, tr_cr4, tr_efer
    .globl tr_stacks, tr_next_slot, tr_ip_expected
tr_seen: .skip 8 * AP_SLOTS
tr_real_entries: .long 0
tr_next_slot: .long 0
tr_cr3: .long 0
tr_cr4: .long 0
tr_efer: .long 0
    .balign 8
tr_stacks: .quad 0
tr_ip_expected: .word OFF(1b)
smp_tramp_end:
