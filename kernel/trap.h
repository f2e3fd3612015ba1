/* Exceptions and interrupts: the saved frame, handler registration, recoverable probes. */
#ifndef EXITLESS_KERNEL_TRAP_H
#define EXITLESS_KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Exception vectors (SDM vol. 3, 6.15). */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_BR 5
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_MC 18
#define VEC_XM 19
#define VEC_VE 20

/* Pushed by kernel/isr.S, in this order from the top of the stack. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame must match kernel/isr.S");

typedef void (*irq_handler_t)(struct trap_frame *frame);

/* Loads the shared IDT on this CPU (the table is built once by the boot CPU). */
void idt_init(void);
void idt_load(void);
/* Routes an interrupt vector (32..255) to a handler; the handler sends its own EOI. */
void irq_register(uint8_t vector, irq_handler_t handler);
/* Runs the handler of an interrupt the CPU already accepted but did not deliver through our
 * IDT (VM exits: ELI's #NP path). Without a handler the interrupt is just ended (EOI). */
void irq_dispatch_vector(uint8_t vector);

/* Recoverable accesses: return 0, or the exception vector that stopped them.
 * Used by self-checks and for MSRs that a platform may lack (Bochs #GPs on several). */
int probe_write8(volatile void *addr, uint8_t val);
int probe_read8(const volatile void *addr, uint8_t *val);
int probe_ud(void);
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
/* XSETBV under a fixup: 0, or the vector of the fault it took (needs CR4.OSXSAVE). */
int xsetbv_safe(uint32_t index, uint64_t val);

/* Prints registers, CPU, backtrace; used by the panic path and fatal exceptions. */
void trap_dump(const struct trap_frame *frame);
void backtrace_from(uint64_t rbp);

#endif
