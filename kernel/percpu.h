/* Per-CPU state, one struct per CPU reached through the GS base (self pointer at offset 0). */
#ifndef EXITLESS_KERNEL_PERCPU_H
#define EXITLESS_KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 64

struct percpu {
    /* --- private to the owning CPU --- */
    struct percpu *self;        /* must stay first: %gs:0 */
    uint32_t cpu_id;            /* dense index, 0 = boot CPU */
    uint32_t apic_id;           /* from the MADT / CPUID */
    uint64_t stack_top;         /* top of this CPU's main stack */
    uint64_t stack_size;
    /* Expected-fault recovery for self-checks: when fault_expect_vector matches an
     * exception, the handler records it and resumes at fault_resume_rip. */
    int fault_expect_vector;
    int fault_seen_vector;
    uint64_t fault_seen_addr;
    uint64_t fault_resume_rip;
    /* --- written by other CPUs (own cache line) --- */
    uint64_t remote_pad[8] __attribute__((aligned(64)));
};

/* Reads this CPU's percpu struct through GS. */
static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

/* CPU id usable before percpu is set up (returns 0 when GS is not yet loaded). */
uint32_t current_cpu_id(void);
struct percpu *percpu_of(uint32_t cpu);
void percpu_init_bsp(void);
bool percpu_ready(void);

#endif
