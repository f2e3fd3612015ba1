/* Test-guest interrupt stubs and recoverable probes (entries in .extable). */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

    .text
guest_isr_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    mov %rsp, %rdi              /* struct guest_frame * */
    mov %rsp, %rbx
    and $-16, %rsp
    call guest_trap
    mov %rbx, %rsp
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    pop %rbx
    add $16, %rsp
    iretq

    .altmacro
    .macro STUB v
    .balign 16
guest_isr_\v:
    .if HAS_ERRCODE(\v)
    .else
    push $0
    .endif
    push $\v
    push %rbx
    jmp guest_isr_common
    .endm
    .set vec, 0
    .rept 256
    STUB %vec
    .set vec, vec + 1
    .endr

    .macro ADDR v
    .quad guest_isr_\v
    .endm
    .section .rodata
    .globl guest_isr_table
guest_isr_table:
    .set vec, 0
    .rept 256
    ADDR %vec
    .set vec, vec + 1
    .endr

    .macro EXTABLE insn, fixup
    .pushsection .extable, "a"
    .quad \insn, \fixup
    .popsection
    .endm

    .text
    .globl probe_rdmsr, probe_wrmsr, probe_read8, probe_write8
probe_rdmsr:                    /* edi = msr, rsi = out */
    mov %edi, %ecx
    xor %eax, %eax
1:  rdmsr
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, (%rsi)
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
probe_wrmsr:                    /* edi = msr, rsi = value */
    mov %edi, %ecx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
1:  wrmsr
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
probe_read8:                    /* rdi = address, rsi = out */
    xor %eax, %eax
1:  movb (%rdi), %cl
    movb %cl, (%rsi)
2:  ret
    EXTABLE 1b, 2b
probe_write8:                   /* rdi = address, sil = value */
    xor %eax, %eax
1:  movb %sil, (%rdi)
2:  ret
    EXTABLE 1b, 2b

    .globl probe_vmxon, probe_vmrun, probe_set_cr4
probe_vmxon:                    /* rdi = address of a VMXON pointer */
    xor %eax, %eax
1:  vmxon (%rdi)
2:  ret
    EXTABLE 1b, 2b
probe_vmrun:                    /* VMRUN of a VMCB at physical 0 */
    xor %eax, %eax
1:  vmrun %rax
2:  ret
    EXTABLE 1b, 2b
probe_set_cr4:                  /* rdi = new CR4 */
    xor %eax, %eax
1:  mov %rdi, %cr4
2:  ret
    EXTABLE 1b, 2b

    .globl probe_int50
probe_int50:                    /* INT 0x50: #NP when the guest's own gate is not present */
    xor %eax, %eax
1:  int $0x50
2:  ret
    EXTABLE 1b, 2b

    .globl probe_xsetbv
probe_xsetbv:                   /* edi = XCR index, rsi = value */
    mov %edi, %ecx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
1:  xsetbv
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
