/* Offsets of C structures used by assembly; compiled to assembly text and turned into
 * build/include/generated/asm-offsets.h by the Makefile (never written by hand). */
#include <stddef.h>

#include "vmm/guest.h"

#define DEFINE(sym, val) __asm__ volatile("\n->" #sym " %0" ::"i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(REGS_RAX, guest_regs, rax);
    OFFSET(REGS_RBX, guest_regs, rbx);
    OFFSET(REGS_RCX, guest_regs, rcx);
    OFFSET(REGS_RDX, guest_regs, rdx);
    OFFSET(REGS_RSI, guest_regs, rsi);
    OFFSET(REGS_RDI, guest_regs, rdi);
    OFFSET(REGS_RBP, guest_regs, rbp);
    OFFSET(REGS_R8, guest_regs, r8);
    OFFSET(REGS_R9, guest_regs, r9);
    OFFSET(REGS_R10, guest_regs, r10);
    OFFSET(REGS_R11, guest_regs, r11);
    OFFSET(REGS_R12, guest_regs, r12);
    OFFSET(REGS_R13, guest_regs, r13);
    OFFSET(REGS_R14, guest_regs, r14);
    OFFSET(REGS_R15, guest_regs, r15);
    DEFINE(VMCS_HOST_RSP, 0x6c14);
}
