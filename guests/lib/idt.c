/* Test-guest IDT: every vector to a stub; exceptions at probe instructions resume at
 * their fixup, registered handlers run, anything else unexpected stops the guest. */
#include "guest.h"

struct guest_frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, rbx;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct gate {
    uint16_t lo, sel;
    uint8_t ist, attr;
    uint16_t mid;
    uint32_t hi, zero;
} __attribute__((packed));

extern const uint64_t guest_isr_table[256];
extern const uint64_t __extable_start[], __extable_end[];
static struct gate idt[256] __attribute__((aligned(4096)));
static guest_irq_fn handlers[256];

void guest_trap(struct guest_frame *f);

volatile uint64_t guest_last_fault_error;
volatile uint64_t guest_last_fault_rflags;
volatile bool guest_catch_debug;
volatile uint64_t guest_debug_traps;

#define VEC_DB 1
#define RFLAGS_TF (1ull << 8)

void guest_set_handler(uint8_t vector, guest_irq_fn fn) { handlers[vector] = fn; }
void *guest_idt(void) { return idt; }
uint64_t guest_isr_stub(uint8_t vector) { return guest_isr_table[vector]; }

void guest_set_gate(void *table, uint8_t vector, uint64_t a, bool present)
{
    struct gate *t = table;
    t[vector] = (struct gate){ (uint16_t)a, 0x08, 0, present ? 0x8e : 0x0e, (uint16_t)(a >> 16),
                               (uint32_t)(a >> 32), 0 };
}

void guest_load_idt_limit(void *table, uint16_t limit)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { limit, (uint64_t)table };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void guest_load_idt(void *table) { guest_load_idt_limit(table, sizeof(idt) - 1); }

void guest_triple_fault(void)
{
    guest_load_idt_limit(0, 0);
    __asm__ volatile("int3");
}

/* The other vCPUs load the table vCPU 0 built (IDTR is per vCPU). */
void guest_idt_load_shared(void) { guest_load_idt(idt); }

bool guest_vmmcall;

void guest_idt_init(void)
{
    struct cpuid_out id = cpuid(0, 0);
    guest_vmmcall = id.b == 0x68747541u && id.d == 0x69746e65u && id.c == 0x444d4163u; /* AuthenticAMD */
    for (int v = 0; v < 256; v++)
        guest_set_gate(idt, (uint8_t)v, guest_isr_table[v], true);
    guest_load_idt(idt);
}

void guest_trap(struct guest_frame *f)
{
    for (const uint64_t *e = __extable_start; e < __extable_end; e += 2) {
        if (e[0] == f->rip) {
            guest_last_fault_error = f->error;
            guest_last_fault_rflags = f->rflags;
            f->rip = e[1];
            f->rax = f->vector;
            return;
        }
    }
    if (f->vector == VEC_DB && guest_catch_debug) {
        guest_debug_traps++;
        f->rflags &= ~RFLAGS_TF;
        return;
    }
    if (handlers[f->vector]) {
        handlers[f->vector]((uint8_t)f->vector, f->error);
        return;
    }
    if (f->vector < 32) {
        check("unexpected-exception", false, "vector %lu error %#lx at rip %#lx", f->vector,
              f->error, f->rip);
        guest_stop(1);
    }
}
