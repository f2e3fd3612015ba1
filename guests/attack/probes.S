/* attack: recoverable probes of the instructions a guest may not use (entries in .extable:
 * the runtime's trap handler resumes at the fixup with the vector in RAX, 0 if none). */
    .macro EXTABLE insn, fixup
    .pushsection .extable, "a"
    .quad \insn, \fixup
    .popsection
    .endm

    /* PROBE name, instruction...: int name(void *scratch) with RDI = a scratch page. */
    .macro PROBE name, insn:vararg
    .globl \name
\name:
    xor %eax, %eax
1:  \insn
2:  ret
    EXTABLE 1b, 2b
    .endm

    .text
    PROBE attack_vmxoff, vmxoff
    PROBE attack_vmptrld, vmptrld (%rdi)
    PROBE attack_vmclear, vmclear (%rdi)
    PROBE attack_vmptrst, vmptrst (%rdi)
    PROBE attack_vmread, vmread %rax, (%rdi)
    PROBE attack_vmwrite, vmwrite (%rdi), %rax
    PROBE attack_vmlaunch, vmlaunch
    PROBE attack_vmresume, vmresume
    PROBE attack_invept, invept (%rdi), %rax
    PROBE attack_invvpid, invvpid (%rdi), %rax
    PROBE attack_vmfunc, vmfunc
    PROBE attack_vmload, vmload %rax
    PROBE attack_vmsave, vmsave %rax
    PROBE attack_stgi, stgi
    PROBE attack_clgi, clgi
    PROBE attack_skinit, skinit %eax
    PROBE attack_invlpga, invlpga %rax, %ecx
    PROBE attack_getsec, getsec

    /* int attack_inb(uint16_t port, uint8_t *out), int attack_outb(uint16_t port, uint8_t v) */
    .globl attack_inb, attack_outb
attack_inb:
    mov %edi, %edx
    mov %rsi, %rcx
    xor %eax, %eax
1:  inb %dx, %al
    movb %al, (%rcx)
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
attack_outb:
    mov %edi, %edx
    mov %esi, %eax
1:  outb %al, %dx
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b

    /* int attack_inl(uint16_t port, uint32_t *out), int attack_outl(uint16_t port, uint32_t v) */
    .globl attack_inl, attack_outl
attack_inl:
    mov %edi, %edx
    mov %rsi, %rcx
    xor %eax, %eax
1:  inl %dx, %eax
    movl %eax, (%rcx)
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
attack_outl:
    mov %edi, %edx
    mov %esi, %eax
1:  outl %eax, %dx
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b

    /* int attack_xgetbv(uint32_t xcr, uint64_t *out) */
    .globl attack_xgetbv
attack_xgetbv:
    mov %edi, %ecx
    mov %rsi, %r8
    xor %eax, %eax
1:  xgetbv
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, (%r8)
    xor %eax, %eax
2:  ret
    EXTABLE 1b, 2b
