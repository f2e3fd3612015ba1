/* Test-guest runtime: hypercalls, console, checks, recoverable probes. */
#ifndef EXITLESS_GUEST_RUNTIME_H
#define EXITLESS_GUEST_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitless/bootinfo.h"
#include "exitless/hypercall.h"

/* The hypercall instruction of this CPU's vendor: VMMCALL on AMD, VMCALL elsewhere (set by
 * the runtime before guest_main from CPUID; the hypervisor also takes VMCALL on AMD, where it
 * raises #UD, but that costs an extra decode). */
extern bool guest_vmmcall;

static inline long hypercall(unsigned long nr, unsigned long a, unsigned long b, unsigned long c)
{
    long ret;
    if (guest_vmmcall)
        __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "memory");
    else
        __asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "memory");
    return ret;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

struct cpuid_out { uint32_t a, b, c, d; };
static inline struct cpuid_out cpuid(uint32_t leaf, uint32_t sub)
{
    struct cpuid_out r;
    __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
    return r;
}

/* Formatted output through the hypercall console (%s %c %d %u %x %lx %lu %ld %p %%). */
int gsnprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int gvsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same text through the virtual UART's transmit register (one exit per byte). */
void uart_puts(const char *s);

/* Spins with interrupts enabled until *count reaches `want`; false after `max_spins`. */
bool guest_wait_count(volatile uint64_t *count, uint64_t want, uint64_t max_spins);
/* Waits (a millisecond of the TSC at a time, at most 50) until *count, an interrupt counter,
 * has not moved for a millisecond: before the first count of a measured window, so that an
 * interrupt still on its way does not land while the core is in the hypervisor for that count
 * (it would then be injected, and its EOI would exit inside the window). */
void guest_wait_quiet(const volatile uint64_t *count);
/* The hypervisor's exit statistics of this guest (HC_GET_EXIT_STATS) into *s. */
void guest_exit_stats(struct hc_exit_stats *s);
/* One line "<what>: exits by kind: K:N ..." of the exits from `a` to `b` (enum
 * hc_exit_kind), with the hypervisor requests served: why a window's count was not 0. */
void guest_print_exit_kinds(const char *what, const struct hc_exit_stats *a,
                            const struct hc_exit_stats *b);
/* Does `s` contain `w`? (command-line words) */
bool guest_has_word(const char *s, const char *w);
/* The number after word `w` (decimal, or hexadecimal after 0x); `dflt` if `w` is absent. */
uint64_t guest_word_number(const char *s, const char *w, uint64_t dflt);

/* One PASS/FAIL line from the hypervisor: "PASS: <guest>/<name>". Returns ok. */
bool check(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
__attribute__((noreturn)) void guest_stop(int status);

/* Recoverable accesses: 0, or the exception vector that stopped them. */
int probe_rdmsr(uint32_t msr, uint64_t *val);
int probe_wrmsr(uint32_t msr, uint64_t val);
int probe_read8(uint64_t addr, uint8_t *val);
int probe_write8(uint64_t addr, uint8_t val);
int probe_vmxon(const uint64_t *vmxon_ptr);
int probe_vmrun(void);
int probe_set_cr4(uint64_t cr4);
int probe_xsetbv(uint32_t xcr, uint64_t val);
int probe_ltr(uint16_t sel);
int probe_lldt(uint16_t sel);

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
/* Error code of the last exception a probe recovered from, and the RFLAGS its frame held. */
extern volatile uint64_t guest_last_fault_error;
extern volatile uint64_t guest_last_fault_rflags;
int probe_int50(void);
/* When set, a #DB (the guest never sets TF itself) is counted and TF cleared in the
 * interrupted RFLAGS instead of stopping the guest: a single-step left over by the
 * hypervisor shows up as a count. */
extern volatile bool guest_catch_debug;
extern volatile uint64_t guest_debug_traps;
/* The IDT the runtime loaded (256 16-byte gates) and a gate writer for tests. */
void *guest_idt(void);
void guest_set_gate(void *idt, uint8_t vector, uint64_t handler, bool present);
uint64_t guest_isr_stub(uint8_t vector);
void guest_load_idt(void *idt);
void guest_load_idt_limit(void *idt, uint16_t limit);
void guest_idt_load_shared(void);
/* A triple fault on purpose: an empty IDT, then an exception (the hypervisor stops the guest;
 * returns only if it did not). */
void guest_triple_fault(void);

static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }

/* The guest's own IDT (set up before guest_main). */
void guest_idt_init(void);
/* Optional handler for an interrupt or exception vector; NULL restores the default
 * (an unexpected exception stops the guest with a FAIL line). */
typedef void (*guest_irq_fn)(uint8_t vector, uint64_t error);
void guest_set_handler(uint8_t vector, guest_irq_fn fn);

int guest_main(const struct exitless_boot_info *bi);

/* SMP. Every vCPU enters the runtime; vCPU 0 runs guest_main, vCPU N > 0 runs
 * guest_vcpu_main(N) once the IDT is built (weak default: returns, and the vCPU then idles
 * in `sti; hlt`). A vCPU must never halt with interrupts off: that stops the whole guest. */
#define GUEST_MAX_VCPUS 8
void guest_vcpu_main(unsigned index);

/* This vCPU's index and the guest's id, from the hypervisor's CPUID leaf. */
/* The TSC's rate the hypervisor measured (CPUID 0x15); 0 if it gives none. */
static inline uint64_t guest_tsc_hz(void)
{
    struct cpuid_out c = cpuid(0x15, 0);
    return c.a ? (uint64_t)c.c * c.b / c.a : 0;
}
static inline unsigned guest_vcpu_index(void) { return cpuid(HC_CPUID_LEAF_BASE + 1, 0).c; }
static inline unsigned guest_id(void) { return cpuid(HC_CPUID_LEAF_BASE + 1, 0).b; }

static inline uint64_t atomic_inc(volatile uint64_t *p) { return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }
static inline uint64_t atomic_add(volatile uint64_t *p, uint64_t n) { return __atomic_add_fetch(p, n, __ATOMIC_SEQ_CST); }
static inline uint64_t atomic_load(const volatile uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void atomic_store(volatile uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* A shared flag: set by one vCPU, awaited by others (spinning with interrupts as they were;
 * false after `max_spins`). */
static inline void guest_flag_set(volatile uint64_t *f) { atomic_store(f, 1); }
static inline void guest_flag_clear(volatile uint64_t *f) { atomic_store(f, 0); }
bool guest_flag_wait(const volatile uint64_t *f, uint64_t max_spins);

/* A reusable spin barrier for `n` vCPUs; false if the others did not all arrive within
 * `max_spins` (the barrier is then broken for good). */
struct guest_barrier {
    volatile uint64_t arrived;
    volatile uint64_t generation;
};
bool guest_barrier_wait(struct guest_barrier *b, unsigned n, uint64_t max_spins);

#endif
