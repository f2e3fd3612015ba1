/* Per-CPU state, one struct per CPU reached through the GS base (self pointer at offset 0).
 *
 * CPU ids are dense (0 = boot CPU, then the MADT's enabled processors in table order) and
 * index everything per-CPU; APIC ids are what the hardware routes by. percpu->apic_id maps
 * id -> APIC id, cpu_of_apic_id() maps back. Fields in `remote` are the only ones another CPU
 * writes; they live on their own cache line(s) so the owner's private fields never bounce. */
#ifndef EXITLESS_KERNEL_PERCPU_H
#define EXITLESS_KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"

#define MAX_CPUS 64
#define CPU_NONE 0xffffffffu

struct cpu_gdt;

/* Written by other CPUs (cross-calls, pings, bring-up). */
struct percpu_remote {
    volatile uint32_t online;     /* set once by the CPU itself when it checked in */
    volatile uint32_t checkins;   /* how many times it printed its check-in line (want 1) */
    /* Cross-call slot (kernel/xcall.c). */
    struct spinlock xcall_lock;   /* protects: xcall_fn, xcall_arg, xcall_req; callers hold
                                   * it from posting a call until it completed or timed out */
    void (*volatile xcall_fn)(void *arg);
    void *volatile xcall_arg;
    volatile uint64_t xcall_req;  /* bumped by the caller per posted call */
    volatile uint64_t xcall_done; /* set to xcall_req by this CPU when fn returned */
    /* Written by this CPU only, read by callers: it runs a guest that owns the fixed
     * vectors, so a cross-call reaches it by NMI, posted for its loop (xcall_serve_posted). */
    volatile uint32_t xcall_by_nmi;
    /* Ping-pong IPIs (self-checks). */
    volatile uint32_t ping_from;  /* CPU waiting for our pong, CPU_NONE when free (CAS) */
    volatile uint64_t pings_answered;
    volatile uint64_t pongs_received;
    volatile uint64_t nmis_expected; /* NMIs a self-check announced; the handler counts them */
    volatile uint64_t nmis_seen;
    /* NMIs nobody announced (a device's message, the platform): counted by this CPU's handler
     * (atomic), reported by the management loop (smp_report_unknown_nmis). */
    volatile uint64_t nmis_unknown;
    /* Set by any CPU before it sends this CPU a kick NMI (vmm/: leave guest mode now);
     * cleared by this CPU's NMI handler. */
    volatile uint32_t kick_nmi;
    /* A role for the idle loop (kernel/smp.c): a guest vCPU, later a sidecore. Set by the
     * boot CPU with role_fn written last; cleared by this CPU when it takes the role. */
    void (*volatile role_fn)(void *arg);
    void *volatile role_arg;
} __attribute__((aligned(64)));

struct percpu {
    /* --- private to the owning CPU (others read them only before it starts) --- */
    struct percpu *self;        /* must stay first: %gs:0 */
    uint32_t cpu_id;            /* dense index, 0 = boot CPU */
    uint32_t apic_id;           /* from the MADT; checked against the LAPIC at check-in */
    uint32_t acpi_uid;          /* ACPI processor UID (MADT NMI entries name it) */
    uint64_t stack_top;         /* top of this CPU's main stack */
    uint64_t stack_size;
    struct cpu_gdt *gdt;
    uint64_t ist_top[3];        /* IST_COUNT stacks for NMI, #DF, #MC */
    /* Expected-fault recovery for self-checks: when fault_expect_vector matches an
     * exception, the handler records it and resumes at fault_resume_rip. */
    int fault_expect_vector;
    int fault_seen_vector;
    uint64_t fault_seen_addr;
    uint64_t fault_resume_rip;
    void *current_vcpu;         /* struct vcpu running on this CPU, or NULL */
    bool kick_target;           /* runs vCPUs: every NMI not the panic stop's is a kick */
    /* An interrupt taken on this CPU goes to this hook first (vmm/: a vector the guest on
     * this core owns, taken while the core is in the hypervisor); true when it took it. */
    bool (*irq_hook)(uint8_t vector);
    /* Hypervisor timer (kernel/timer.c). */
    int timer_mode;
    void (*timer_fn)(void *arg);
    void *timer_arg;
    /* --- written by other CPUs (own cache line) --- */
    struct percpu_remote remote;
};
_Static_assert(offsetof(struct percpu, self) == 0, "%gs:0 must be the self pointer");
_Static_assert(offsetof(struct percpu, remote) % 64 == 0, "remote fields on their own line");

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
/* Fills the struct of CPU `cpu` for bring-up (boot CPU, before the CPU starts). */
struct percpu *percpu_prepare(uint32_t cpu, uint32_t apic_id, uint32_t acpi_uid);
/* Points this CPU's GS at `p` (first thing an AP does). */
void percpu_load(struct percpu *p);
/* Number of CPU ids handed out (started or not) and of CPUs online. */
uint32_t cpu_count(void);
uint32_t cpus_online(void);
/* The CPU id of an APIC id, or CPU_NONE. */
uint32_t cpu_of_apic_id(uint32_t apic_id);

#endif
