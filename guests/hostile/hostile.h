/* The hostile guest's shared state, constants and the pieces each attack file offers. */
#ifndef EXITLESS_GUEST_HOSTILE_H
#define EXITLESS_GUEST_HOSTILE_H

#include "guest.h"

#define VEC_MAIN 0x41       /* self IPIs of the sweep, notify IPIs */
#define VEC_NOTIFY 0x40
#define VEC_GATE 0x44       /* the gate the IDT checks rewrite */
#define VEC_GATE_ALT 0x45   /* ... to this vector's stub */
#define VEC_VCPU1 0x46      /* vCPU 1's self IPIs */
#define VEC_STEP 0x47       /* the interrupt taken with the stack on the IDT page */
#define VEC_HOSTILE 0x10    /* a vector no guest owns in either mode (an exception's) */
#define VEC_GUEST_FIRST 0x30
#define VEC_GUEST_LAST 0xdf
#define SPINS 400000000ull  /* spin bound of every wait: only a hang reaches it */
#define EXIT_IO HC_EXIT_IO
#define EXIT_VMCALL HC_EXIT_HYPERCALL
#define EXIT_EPT_VIOLATION HC_EXIT_GPA
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ESR 0x828
#define X2APIC_LVT_CMCI 0x82f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_THERMAL 0x833
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_LINT1 0x836
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TIMER_INIT 0x838
#define X2APIC_TIMER_DIV 0x83e
#define X2APIC_SELF_IPI 0x83f
#define LVT_MASKED (1ull << 16)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CR4_OSXSAVE (1ull << 18)
#define VEC_GP 13
#define VEC_UD 6
#define PAGE 4096
#define FLOOD_HC_BYTES 4000
#define BITS(lo, hi) ((((hi) >= 63 ? 0 : (1ull << ((hi) + 1))) - (1ull << (lo))))
#define BIT(b) (1ull << (b))
#define IDT_SPLIT ((void *)(idt_area + PAGE - 0x800))
#define IDT_SPLIT_LIMIT 0xfff

enum job { JOB_NONE, JOB_CONSOLE, JOB_NOTIFY_REWRITE, JOB_IDT_GATES, JOB_SELF_IPIS, JOB_LOAD_IDT };

/* main.c: the boot info, the interrupt counters, statistics, vCPU 1's mailbox. */
extern const struct exitless_boot_info *bi;
extern bool exitless;
extern volatile uint64_t vec_count[256];  /* interrupts seen, by vector */
extern struct hc_exit_stats s0, s1;
extern struct hc_notify_req req;
extern volatile uint64_t job, job_seq, job_done_seq, job_stop, job_result;
extern volatile uint64_t vcpu1_index, vcpu1_id, vcpu1_rsp, vcpu1_up;
extern struct guest_barrier barrier;
void eoi(void);
uint64_t others_than(uint8_t a, uint8_t b);
void run_on_vcpu1(enum job j);
bool vcpu1_finished(void);

/* The attacks, each in its file; vCPU 1's halves of them. */
extern char flood[2][FLOOD_HC_BYTES];
void console_flood(unsigned who);
void console_phase(void);
void notify_rewrite(void);
int notify_wait(void);
void notify_phase(void);
int notify_hv_ipi(void);
void x2apic_phase(void);
void xsetbv_phase(void);
extern uint8_t idt_area[3 * PAGE];
extern volatile bool step_spins;
void on_step(uint8_t v, uint64_t e);
void self_ipi(uint8_t vec);
void hostile_int_on_stack(uint64_t rsp);
void idt_phase(void);

/* block.c: blockers and the neighbour. */
__attribute__((noreturn)) void block(void);
int neighbour(void);

#endif
