/* Test-guest entry (long mode, identity-mapped by the loader). Every vCPU enters here with
 * the same RIP and RSP; each learns its index from CPUID 0x40000001 (ECX) and takes its own
 * stack. vCPU 0 builds and loads the IDT, then runs guest_main(boot_info); returning stops
 * the guest with guest_main's status. vCPU N > 0 waits for the IDT, loads it itself and
 * runs guest_vcpu_main(N) (by default: idle with interrupts on). */
#define GUEST_STACK_SIZE 16384
#define GUEST_MAX_VCPUS 8
#define CPUID_EXITLESS_INFO 0x40000001

    .section .text.start, "ax"
    .globl _start
_start:
    mov %rdi, %r12                  /* boot info (vCPU 0 only; the others get 0) */
    mov $CPUID_EXITLESS_INFO, %eax
    xor %ecx, %ecx
    cpuid
    mov %ecx, %r13d                 /* this vCPU's index */
    cmp $GUEST_MAX_VCPUS, %r13d
    jae 9f
    lea guest_stacks(%rip), %rsp
    mov %r13, %rax
    inc %rax
    imul $GUEST_STACK_SIZE, %rax     /* top of stack `index` */
    add %rax, %rsp
    test %r13d, %r13d
    jnz 2f
    call guest_idt_init
    movl $1, guest_idt_ready(%rip)
    mov %r12, %rdi
    call guest_main
    mov %eax, %edi
    call guest_stop
1:  cli
    hlt
    jmp 1b

2:  pause                           /* vCPU N: the IDT vCPU 0 builds */
    cmpl $0, guest_idt_ready(%rip)
    je 2b
    call guest_idt_load_shared
    mov %r13d, %edi
    call guest_vcpu_main
3:  sti
    hlt
    jmp 3b

9:  pause                           /* more vCPUs than stacks: stay out of the way */
    jmp 9b

    .text
    .weak guest_vcpu_main
guest_vcpu_main:
    ret

    .data
    .balign 4
    .globl guest_idt_ready
guest_idt_ready:
    .long 0

    .bss
    .balign 4096
    .globl guest_stacks
guest_stacks:
    .skip GUEST_STACK_SIZE * GUEST_MAX_VCPUS
