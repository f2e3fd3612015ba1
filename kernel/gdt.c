/* GDT and TSS setup for one CPU (SDM vol. 3, 3.4.5 and 8.2.3). */
#include <string.h>

#include "kernel/gdt.h"

#define DESC_CODE64 0x00af9a000000ffffull /* present, DPL0, execute/read, L=1 */
#define DESC_DATA   0x00cf92000000ffffull /* present, DPL0, read/write */
#define TSS_TYPE_AVAILABLE 0x89ull        /* present, 64-bit TSS available */

void gdt_load(struct cpu_gdt *g, const uint64_t ist_top[IST_COUNT])
{
    uint64_t base = (uint64_t)(uintptr_t)&g->tss;
    uint64_t limit = sizeof(g->tss) - 1;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { sizeof(g->gdt) - 1, (uint64_t)(uintptr_t)g->gdt };

    memset(&g->tss, 0, sizeof(g->tss));
    for (int i = 0; i < IST_COUNT; i++)
        g->tss.ist[i] = ist_top[i];
    g->tss.iomap_base = sizeof(g->tss); /* no I/O bitmap */

    g->gdt[0] = 0;
    g->gdt[1] = DESC_CODE64;
    g->gdt[2] = DESC_DATA;
    g->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAILABLE << 40) |
                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g->gdt[4] = base >> 32;

    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%ds\n\t"
                     "mov %2, %%es\n\t"
                     "mov %2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"((uint64_t)SEL_KERNEL_CS), "r"((uint32_t)SEL_KERNEL_DS),
                       "r"((uint32_t)SEL_TSS)
                     : "rax", "memory");
}
