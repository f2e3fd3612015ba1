/* Hypervisor virtual memory layout; shared by C, assembly and the linker script (via cpp). */
#ifndef EXITLESS_KERNEL_LAYOUT_H
#define EXITLESS_KERNEL_LAYOUT_H

/* Physical load address of the image (GRUB places the ELF segments here). */
#define KERNEL_PHYS      0x200000
/* The image runs at KERNEL_VMA + physical address (top 2 GiB, -mcmodel=kernel). */
#define KERNEL_VMA       0xffffffff80000000
/* Every physical address P is also reachable at PHYSMAP_BASE + P (data only, NX). */
#define PHYSMAP_BASE     0xffff800000000000
/* Device registers are mapped uncached into this window on demand (mmio_map()). */
#define MMIO_BASE        0xffffc00000000000
#define MMIO_SIZE        0x0000010000000000
/* CPU stacks (APs' main and IST stacks), each with an unmapped guard page below it. */
#define STACK_WINDOW_BASE 0xffffb00000000000
#define STACK_WINDOW_SIZE 0x0000000040000000
#define PAGE_SIZE        0x1000
#define BOOT_STACK_SIZE  0x4000

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(PHYSMAP_BASE + phys);
}

/* Physical address of a physmap or image address. */
static inline uint64_t virt_to_phys(const void *virt)
{
    uint64_t v = (uint64_t)(uintptr_t)virt;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYSMAP_BASE;
}
#endif

#endif
