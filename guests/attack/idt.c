/* attack: page tables that alias the shadowed IDT (an exitless guest: it owns every vector,
 * and its IDT pages are shadowed). The hypervisor keeps those pages read+execute in the
 * EPT/NPT, so the protection holds per guest-physical page whatever linear address reaches
 * it; that the hypervisor can stop the guest whatever its IDT says is the spin attack's. This
 * attack reaches its IDT page through mappings of its own at linear 1 TiB (PML4 slot 2):
 *   - a 4 KiB alias: a gate written through it is followed (the shadow is rebuilt);
 *   - a 2 MiB alias of the region holding it: the same;
 *   - the IDT page used as a page table: a gate slot of its own holds a PTE; the CPU's walk
 *     through it sets the accessed and dirty bits, writes into the shadowed page that are
 *     not an instruction's store, and must be stepped like any other write (the data
 *     reached through it is the data page's, the bits land in the guest's page). Bochs
 *     makes no EPT violation of such writes ("walk-writes-unstaged" on its command line:
 *     the walk is checked, the step is not staged there). */
#include "attack.h"

#define WIN 0x10000000000ull        /* PML4 slot 2 */
#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_PS 0x80ull
#define MB2 0x200000ull
#define GATE_P (1ull << 47)
#define VEC_ALIAS 0x43              /* its handler counts the gate copied onto VEC_OWN */
#define VEC_PT 0x61                 /* the gate slot that holds a PTE */
#define SELF_IPI (1ull << 18)

static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static volatile uint64_t data[512] __attribute__((aligned(4096)));
static volatile uint64_t alias_irqs;
static struct hc_exit_stats s0, s1;

static void on_alias(uint8_t v, uint64_t e) { (void)v; (void)e; alias_irqs++; wrmsr(X2APIC_EOI, 0); }

static void flush(uint64_t lin) { __asm__ volatile("invlpg (%0)" ::"r"(lin) : "memory"); }

/* The 16-byte gate of `vec` in an IDT reached at `idt`. */
static volatile uint64_t *gate(uint64_t idt, uint8_t vec) { return (volatile uint64_t *)(idt + 16ull * vec); }

static void map_windows(uint64_t idt_gpa)
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    uint64_t *pml4 = (uint64_t *)(cr3 & ~0xfffull);
    pt[0] = idt_gpa | PTE_P | PTE_RW;                          /* WIN: the IDT page, 4 KiB */
    pd[0] = (uint64_t)pt | PTE_P | PTE_RW;
    pd[1] = (idt_gpa & ~(MB2 - 1)) | PTE_P | PTE_RW | PTE_PS;  /* WIN + 2 MiB: its 2 MiB region */
    pd[2] = idt_gpa | PTE_P | PTE_RW;                          /* WIN + 4 MiB: the IDT as a PT */
    pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW;
    pml4[2] = (uint64_t)pdpt | PTE_P | PTE_RW;
    __asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

/* Copies the gate of VEC_ALIAS onto VEC_OWN through `alias`, raises VEC_OWN: the new handler
 * must run. Then puts the old gate back through `restore` and the old handler must run. */
static void gate_write_followed(const char *name, uint64_t alias, uint64_t restore)
{
    volatile uint64_t *own = gate(alias, VEC_OWN), *src = gate(alias, VEC_ALIAS);
    uint64_t old0 = own[0], old1 = own[1];
    own[0] = src[0];
    own[1] = src[1];
    uint64_t before = alias_irqs, own_before = irq_count[VEC_OWN];
    wrmsr(X2APIC_ICR, SELF_IPI | VEC_OWN);
    bool moved = guest_wait_count(&alias_irqs, before + 1, 50000000);
    volatile uint64_t *back = gate(restore, VEC_OWN);
    back[0] = old0;
    back[1] = old1;
    wrmsr(X2APIC_ICR, SELF_IPI | VEC_OWN);
    bool restored = guest_wait_count(&irq_count[VEC_OWN], own_before + 1, 50000000);
    char n[64];
    gsnprintf(n, sizeof(n), "idt-%s-write-followed", name);
    check(n, moved && restored && alias_irqs == before + 1,
          "gate 0x%x rewritten through linear 0x%lx: %s; put back through 0x%lx: %s", VEC_OWN,
          (uint64_t)own, moved ? "the new handler ran" : "the new handler never ran",
          (uint64_t)back, restored ? "the old one ran" : "the old one never ran");
}

/* Slot VEC_PT's first qword becomes a PTE for `data`; WIN + 4 MiB + its index * 4 KiB then
 * reaches `data` through a walk over the IDT page. */
static void idt_as_page_table(uint64_t alias, uint64_t idt)
{
    volatile uint64_t *slot = gate(alias, VEC_PT);
    uint64_t old0 = slot[0], old1 = slot[1];
    unsigned index = 2u * VEC_PT;
    uint64_t lin = WIN + 2 * MB2 + index * PAGE;
    data[7] = 0x5eed0000c0ffee00ull;
    slot[0] = (uint64_t)data | PTE_P | PTE_RW;
    flush(lin);
    guest_exit_stats(&s0);
    uint64_t got = *(volatile uint64_t *)(lin + 7 * 8);   /* the walk sets A */
    *(volatile uint64_t *)(lin + 8 * 8) = 0xd1d1d1d1ull;   /* and D */
    guest_exit_stats(&s1);
    uint64_t pte = gate(idt, VEC_PT)[0];
    uint64_t walk_exits = s1.exits[HC_EXIT_GPA] - s0.exits[HC_EXIT_GPA];
    guest_print_exit_kinds("attack: idtalias: the walk over the IDT page", &s0, &s1);
    slot[0] = old0;
    slot[1] = old1;
    flush(lin);
    bool walked = got == data[7] && data[8] == 0xd1d1d1d1ull && (pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D);
    if (guest_has_word(bi->cmdline, "walk-writes-unstaged")) {
        /* Bochs sets A/D bits with a physical write after an EPT read translation: no EPT
         * violation, so there is no walk write to step (the bits land in the shadow page,
         * which the next rebuild replaces from the guest's page). */
        gprintf("attack: idtalias: this emulator sets A/D bits without EPT write permission "
                "(%lu exits): the step of walk writes is not staged here\n", walk_exits);
        check("idt-as-page-table-walked", walked && walk_exits == 0,
              "PTE 0x%lx in the IDT page (A %s, D %s); read 0x%lx, wrote 0x%lx at 0x%lx", pte,
              pte & PTE_A ? "set" : "clear", pte & PTE_D ? "set" : "clear", got, data[8], lin);
        return;
    }
    check("idt-as-page-table-walk-writes-stepped", walked && walk_exits == 2,
          "%lu guest-physical fault exits (want 2: the walk's A and D writes, each stepped); "
          "PTE 0x%lx in the IDT page (A %s, D %s); read 0x%lx, wrote 0x%lx at 0x%lx",
          walk_exits, pte, pte & PTE_A ? "set" : "clear", pte & PTE_D ? "set" : "clear", got,
          data[8], lin);
}

void idt_alias(void)
{
    phase_begin("idtalias");
    __asm__ volatile("sti");
    uint64_t idt = (uint64_t)guest_idt();       /* page-aligned; linear = guest-physical */
    guest_set_handler(VEC_ALIAS, on_alias);
    map_windows(idt);
    uint64_t alias4k = WIN, alias2m = WIN + MB2 + (idt & (MB2 - 1));
    gprintf("attack: idtalias: IDT at 0x%lx, aliases 0x%lx (4 KiB) and 0x%lx (2 MiB)\n", idt,
            alias4k, alias2m);
    gate_write_followed("alias-4k", alias4k, alias2m);
    gate_write_followed("alias-2m", alias2m, alias4k);
    idt_as_page_table(alias4k, idt);
    check("idt-alias-own-vector-still-delivered", irq_count[VEC_OWN] >= 2, "%lu interrupts on 0x%x",
          irq_count[VEC_OWN], VEC_OWN);
    phase_end("idtalias");
}
