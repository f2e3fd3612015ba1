/* Guest entry and exit (APM vol. 2, 15.5 VMRUN, 15.6 #VMEXIT). VMRUN switches only RAX, RSP,
 * RIP, RFLAGS, ES/CS/SS/DS, GDTR/IDTR, CR0/CR3/CR4, EFER, DR6/DR7: VMSAVE/VMLOAD switch FS, GS
 * (the host's GS base is the per-CPU pointer), TR, LDTR, KernelGSbase and the SYSCALL/SYSENTER
 * MSRs; the other general registers are switched here through struct guest_regs (offsets
 * from tools/asm-offsets.c). RAX travels in the VMCB (the caller copies it).
 *
 * GIF is clear from CLGI until STGI, so no interrupt and no NMI is taken while a guest's GS
 * base is loaded. STI before VMRUN makes a host interrupt that arrives in the guest exit
 * (the INTR intercept) instead of waiting; after the exit CLI then STGI leaves an interrupt
 * pending for the run loop, while a pending NMI (a kick) is taken right at STGI, on the
 * host's IDT and stacks.
 *
 * void svm_vmrun(uint64_t vmcb_phys, struct guest_regs *regs, uint64_t host_area_phys)
 * Called with interrupts disabled. */
#include "generated/asm-offsets.h"

    .text
    .globl svm_vmrun
svm_vmrun:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx                       /* 16(%rsp): host area */
    push %rsi                       /* 8(%rsp): regs */
    push %rdi                       /* 0(%rsp): VMCB */
    clgi
    mov %rdx, %rax
    vmsave %rax                     /* the host's FS/GS/TR/LDTR/syscall MSRs */
    mov (%rsp), %rax
    vmload %rax                     /* the guest's */
    mov REGS_RBX(%rsi), %rbx
    mov REGS_RCX(%rsi), %rcx
    mov REGS_RDX(%rsi), %rdx
    mov REGS_RDI(%rsi), %rdi
    mov REGS_RBP(%rsi), %rbp
    mov REGS_R8(%rsi), %r8
    mov REGS_R9(%rsi), %r9
    mov REGS_R10(%rsi), %r10
    mov REGS_R11(%rsi), %r11
    mov REGS_R12(%rsi), %r12
    mov REGS_R13(%rsi), %r13
    mov REGS_R14(%rsi), %r14
    mov REGS_R15(%rsi), %r15
    mov REGS_RSI(%rsi), %rsi
    sti                             /* GIF is 0: nothing is taken before VMRUN */
    vmrun %rax
    /* #VMEXIT: GIF 0, the host's RSP, RAX and RFLAGS (IF 1) are back. */
    push %rsi                       /* the guest's RSI; regs is now at 16(%rsp) */
    mov 16(%rsp), %rsi
    mov %rbx, REGS_RBX(%rsi)
    mov %rcx, REGS_RCX(%rsi)
    mov %rdx, REGS_RDX(%rsi)
    mov %rdi, REGS_RDI(%rsi)
    mov %rbp, REGS_RBP(%rsi)
    mov %r8, REGS_R8(%rsi)
    mov %r9, REGS_R9(%rsi)
    mov %r10, REGS_R10(%rsi)
    mov %r11, REGS_R11(%rsi)
    mov %r12, REGS_R12(%rsi)
    mov %r13, REGS_R13(%rsi)
    mov %r14, REGS_R14(%rsi)
    mov %r15, REGS_R15(%rsi)
    pop %rbx
    mov %rbx, REGS_RSI(%rsi)
    mov (%rsp), %rax
    vmsave %rax                     /* the guest's FS/GS/TR/LDTR/syscall MSRs */
    mov 16(%rsp), %rax
    vmload %rax                     /* the host's: GS is the per-CPU pointer again */
    cli
    stgi                            /* a pending NMI is taken here */
    add $24, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
