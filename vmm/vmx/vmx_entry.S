/* VM entry and exit (SDM vol. 3, 26 and 27): load the guest's general registers, enter,
 * and on exit save them back into struct guest_regs. Offsets come from tools/asm-offsets.c.
 *
 * int vmx_enter(struct guest_regs *regs, int launched)
 *   returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed with VMfailInvalid,
 *   2 if it failed with VMfailValid (see VM_INSTRUCTION_ERROR). */
#include "generated/asm-offsets.h"

    .text
    .globl vmx_enter, vmx_exit_entry
vmx_enter:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                       /* regs, found again at (%rsp) after the exit */
    mov $VMCS_HOST_RSP, %eax
    vmwrite %rsp, %rax
    jbe 3f                          /* VMWRITE failed (CF or ZF) */
    mov %esi, %r8d                  /* launched? */
    mov REGS_RAX(%rdi), %rax
    mov REGS_RBX(%rdi), %rbx
    mov REGS_RCX(%rdi), %rcx
    mov REGS_RDX(%rdi), %rdx
    mov REGS_RSI(%rdi), %rsi
    mov REGS_RBP(%rdi), %rbp
    mov REGS_R9(%rdi), %r9
    mov REGS_R10(%rdi), %r10
    mov REGS_R11(%rdi), %r11
    mov REGS_R12(%rdi), %r12
    mov REGS_R13(%rdi), %r13
    mov REGS_R14(%rdi), %r14
    mov REGS_R15(%rdi), %r15
    test %r8d, %r8d
    mov REGS_R8(%rdi), %r8
    mov REGS_RDI(%rdi), %rdi
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* Only reached when the entry failed: guest registers are still loaded. */
    mov $1, %eax
    jc 4f
3:  mov $2, %eax
4:  pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* HOST_RIP: RSP is the value vmx_enter wrote to HOST_RSP; (%rsp) holds regs. */
vmx_exit_entry:
    push %rdi
    mov 8(%rsp), %rdi
    mov %rax, REGS_RAX(%rdi)
    mov %rbx, REGS_RBX(%rdi)
    mov %rcx, REGS_RCX(%rdi)
    mov %rdx, REGS_RDX(%rdi)
    mov %rsi, REGS_RSI(%rdi)
    mov %rbp, REGS_RBP(%rdi)
    mov %r8, REGS_R8(%rdi)
    mov %r9, REGS_R9(%rdi)
    mov %r10, REGS_R10(%rdi)
    mov %r11, REGS_R11(%rdi)
    mov %r12, REGS_R12(%rdi)
    mov %r13, REGS_R13(%rdi)
    mov %r14, REGS_R14(%rdi)
    mov %r15, REGS_R15(%rdi)
    pop %rax
    mov %rax, REGS_RDI(%rdi)
    pop %rdi
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    xor %eax, %eax
    ret
