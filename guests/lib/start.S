/* Test-guest entry (long mode, identity-mapped by the loader): own stack, IDT, then
 * guest_main(boot_info). Returning stops the guest with guest_main's status. */
    .section .text.start, "ax"
    .globl _start
_start:
    lea guest_stack_top(%rip), %rsp
    mov %rdi, %rbx
    call guest_idt_init
    mov %rbx, %rdi
    call guest_main
    mov %eax, %edi
    call guest_stop
1:  cli
    hlt
    jmp 1b

    .bss
    .balign 16
    .skip 16384
guest_stack_top:
