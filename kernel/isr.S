/* Interrupt and exception entry stubs: one per vector, a common path that saves all
 * general registers into a struct trap_frame (kernel/trap.h) and calls trap_dispatch. */

/* Vectors where the CPU pushes an error code (SDM vol. 3, table 6-1). */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .balign 16
    .globl isr_stub_table
isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    /* Keep the stack 16-aligned for the C handler. */
    mov %rsp, %rbx
    and $-16, %rsp
    call trap_dispatch
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp           /* vector and error code */
    iretq

    .altmacro
    .macro ISR_STUB v
    .balign 16
isr_stub_\v:
    .if HAS_ERRCODE(\v)
    .else
    push $0
    .endif
    push $\v
    jmp isr_common
    .endm

    .set vec, 0
    .rept 256
    ISR_STUB %vec
    .set vec, vec + 1
    .endr

    .macro STUB_ADDR v
    .quad isr_stub_\v
    .endm

    .section .rodata
    .balign 8
isr_stub_table:
    .set vec, 0
    .rept 256
    STUB_ADDR %vec
    .set vec, vec + 1
    .endr

/* Recoverable probes: each faulting instruction has an entry in .extable naming where
 * to resume; trap_dispatch looks it up and sets RAX to the vector that stopped it. */
    .macro EXTABLE insn, fixup
    .pushsection .rodata.extable, "a"
    .balign 8
    .quad \insn, \fixup
    .popsection
    .endm

    .text
    .globl probe_write8, probe_read8, probe_ud, rdmsr_safe, wrmsr_safe, xsetbv_safe
probe_write8:               /* rdi = address, sil = value */
    xor %eax, %eax
1:  movb %sil, (%rdi)
2:  ret
    EXTABLE 1b, 2b

probe_read8:                /* rdi = address, rsi = out */
    xor %eax, %eax
1:  movb (%rdi), %cl
    movb %cl, (%rsi)
2:  ret
    EXTABLE 1b, 2b

probe_ud:
    xor %eax, %eax
1:  ud2
2:  ret
    EXTABLE 1b, 2b

rdmsr_safe:                 /* edi = msr, rsi = out */
    mov %edi, %ecx
    xor %eax, %eax
    xor %edx, %edx
1:  rdmsr
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, (%rsi)
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b

wrmsr_safe:                 /* edi = msr, rsi = value */
    mov %edi, %ecx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
1:  wrmsr
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b

xsetbv_safe:                /* edi = XCR index, rsi = value */
    mov %edi, %ecx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
1:  xsetbv
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
