/* Per-CPU GDT and TSS, with IST stacks so NMI, #DF and #MC always run on a good stack. */
#ifndef EXITLESS_KERNEL_GDT_H
#define EXITLESS_KERNEL_GDT_H

#include <stdint.h>

#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_TSS       0x18

/* IST slots (1-based, as the IDT gate's IST field). */
#define IST_NMI 1
#define IST_DF  2
#define IST_MC  3
#define IST_COUNT 3
#define IST_STACK_SIZE 0x2000

/* 64-bit TSS (SDM vol. 3, 8.7). */
struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct cpu_gdt {
    uint64_t gdt[5];            /* null, code, data, TSS (two slots) */
    struct tss64 tss;
} __attribute__((aligned(16)));

/* Fills and loads a GDT/TSS for the calling CPU; ist_top[i] is the top of IST stack i+1. */
void gdt_load(struct cpu_gdt *g, const uint64_t ist_top[IST_COUNT]);

#endif
