/* IDT, exception dispatch, recoverable probes, and the fatal-exception report. */
#include <stdio.h>

#include "kernel/arch.h"
#include "kernel/gdt.h"
#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/smp.h"
#include "kernel/trap.h"

#define IDT_GATE_INTERRUPT 0x8e /* present, DPL0, 64-bit interrupt gate */
#define BACKTRACE_DEPTH 16

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct extable_entry {
    uint64_t insn;
    uint64_t fixup;
};

extern const uint64_t isr_stub_table[256];
extern const struct extable_entry __extable_start[], __extable_end[];
extern const char __text_start[], __text_end[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD exception",
    "#VE virtualization exception", "#CP control protection",
};

static void idt_set(int vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct idt_gate){
        .offset_lo = (uint16_t)handler,
        .selector = SEL_KERNEL_CS,
        .ist = ist,
        .type_attr = IDT_GATE_INTERRUPT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++)
        idt_set(v, isr_stub_table[v], 0);
    idt_set(VEC_NMI, isr_stub_table[VEC_NMI], IST_NMI);
    idt_set(VEC_DF, isr_stub_table[VEC_DF], IST_DF);
    idt_set(VEC_MC, isr_stub_table[VEC_MC], IST_MC);
    idt_load();
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void irq_register(uint8_t vector, irq_handler_t handler)
{
    ASSERT(vector >= 32);
    irq_handlers[vector] = handler;
}

void irq_dispatch_vector(uint8_t vector)
{
    struct trap_frame f = { .vector = vector };
    irq_handler_t h = irq_handlers[vector];
    if (h) {
        h(&f);
    } else {
        /* Nobody handles it: still end it, or it blocks its priority class. */
        if (lapic_ready())
            lapic_eoi();
        log_warn("irq", "interrupt on vector %#x with no handler, ended", vector);
    }
}

static const struct extable_entry *extable_find(uint64_t rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
        if (e->insn == rip)
            return e;
    return NULL;
}

static bool is_text(uint64_t addr)
{
    return addr >= (uint64_t)(uintptr_t)__text_start && addr < (uint64_t)(uintptr_t)__text_end;
}

void backtrace_from(uint64_t rbp)
{
    char line[256];
    int n = 0;
    uint64_t lo = 0, hi = 0;

    if (percpu_ready()) {
        hi = this_cpu()->stack_top;
        lo = hi - this_cpu()->stack_size;
    }
    n += snprintf(line + n, sizeof(line) - (size_t)n, "backtrace:");
    for (int depth = 0; depth < BACKTRACE_DEPTH; depth++) {
        /* Follow the frame-pointer chain only while it stays inside this CPU's stack. */
        if (!rbp || rbp & 7 || rbp < lo || rbp + 16 > hi)
            break;
        uint64_t ret = ((const uint64_t *)(uintptr_t)rbp)[1];
        if (!is_text(ret))
            break;
        n += snprintf(line + n, sizeof(line) - (size_t)n, " %#lx", (unsigned long)ret);
        if (n >= (int)sizeof(line) - 20)
            break;
        rbp = ((const uint64_t *)(uintptr_t)rbp)[0];
    }
    log_err("panic", "%s", line);
}

void trap_dump(const struct trap_frame *f)
{
    log_err("panic", "rip %016lx cs %04lx rflags %016lx rsp %016lx ss %04lx",
            f->rip, f->cs, f->rflags, f->rsp, f->ss);
    log_err("panic", "rax %016lx rbx %016lx rcx %016lx rdx %016lx", f->rax, f->rbx, f->rcx,
            f->rdx);
    log_err("panic", "rsi %016lx rdi %016lx rbp %016lx r8  %016lx", f->rsi, f->rdi, f->rbp,
            f->r8);
    log_err("panic", "r9  %016lx r10 %016lx r11 %016lx r12 %016lx", f->r9, f->r10, f->r11,
            f->r12);
    log_err("panic", "r13 %016lx r14 %016lx r15 %016lx", f->r13, f->r14, f->r15);
    log_err("panic", "cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx", read_cr0(), read_cr2(),
            read_cr3(), read_cr4());
    backtrace_from(f->rbp);
}

static void fatal_exception(struct trap_frame *f)
{
    const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector]
                                                                     : "exception";
    console_force_unlock();
    log_err("panic", "%s (vector %lu, error code %#lx) at rip %#lx%s", name, f->vector,
            f->error_code, f->rip, f->vector == VEC_PF ? "" : "");
    if (f->vector == VEC_PF)
        log_err("panic", "page fault address %#lx (%s, %s, %s)", read_cr2(),
                f->error_code & 1 ? "protection" : "not present",
                f->error_code & 2 ? "write" : "read", f->error_code & 16 ? "fetch" : "data");
    trap_dump(f);
    panic("unhandled %s on cpu%u", name, current_cpu_id());
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < 32) {
        /* An NMI is not a fault of the instruction it interrupted: the one at its return
         * address may be a recoverable access that did not run yet. */
        const struct extable_entry *e = f->vector == VEC_NMI ? NULL : extable_find(f->rip);
        if (e) {
            if (percpu_ready()) {
                this_cpu()->fault_seen_vector = (int)f->vector;
                this_cpu()->fault_seen_addr = f->vector == VEC_PF ? read_cr2() : f->rip;
            }
            f->rip = e->fixup;
            f->rax = f->vector;
            return;
        }
        if (f->vector != VEC_NMI && percpu_ready() &&
            this_cpu()->fault_expect_vector == (int)f->vector) {
            /* A self-check called into memory that must not execute: record the fault
             * and return to its caller as if the call had returned the vector. */
            struct percpu *c = this_cpu();
            c->fault_expect_vector = -1;
            c->fault_seen_vector = (int)f->vector;
            c->fault_seen_addr = f->vector == VEC_PF ? read_cr2() : f->rip;
            f->rip = *(const uint64_t *)(uintptr_t)f->rsp;
            f->rsp += 8;
            f->rax = f->vector;
            return;
        }
        if (f->vector == VEC_NMI && percpu_ready() && smp_handle_nmi())
            return;
        fatal_exception(f);
    }
    if (percpu_ready() && this_cpu()->irq_hook && this_cpu()->irq_hook((uint8_t)f->vector))
        return;
    irq_handler_t h = irq_handlers[f->vector];
    if (h)
        h(f);
    else {
        /* Accepted by the LAPIC (a device's stray message): its in-service bit must go, or
         * it would hold off every vector of its priority class and below. */
        if (lapic_ready())
            lapic_eoi();
        log_warn("irq", "interrupt on vector %lu with no handler, ignored", f->vector);
    }
}
