/* Hypervisor memory: physical frames, its own page tables, MMIO mappings and the heap. */
#ifndef EXITLESS_KERNEL_MM_H
#define EXITLESS_KERNEL_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/frame.h"
#include "kernel/mb2.h"

/* Low memory (below 1 MiB) is only handed out on request (AP trampoline). */
#define MM_LOW_LIMIT 0x100000ull

struct mm_stats {
    uint64_t usable_bytes;      /* type-1 memory in the map */
    uint64_t free_bytes_at_boot;/* after the image, modules and boot data are reserved */
    uint64_t max_phys;          /* end of the highest usable frame */
    uint64_t physmap_bytes;     /* bytes covered by the physical-memory map */
    int physmap_page_size_kb;
};

/* Sets up the allocator from the boot memory map, builds the hypervisor's page tables
 * (image W^X, data NX, physmap, no identity map) and switches to them. `bi` must have been
 * parsed from the identity-mapped boot information at `mbi_phys`. */
void mm_init(const struct boot_info *bi, uint64_t mbi_phys);
const struct mm_stats *mm_get_stats(void);

/* `count` zeroed contiguous frames aligned to `align` bytes, at or above 1 MiB;
 * returns the physical address or FRAME_NONE. */
uint64_t frames_alloc(uint64_t count, uint64_t align);
/* The same, below `max` (e.g. 1 MiB for a real-mode trampoline). */
uint64_t frames_alloc_below(uint64_t count, uint64_t align, uint64_t max);
void frames_free(uint64_t phys, uint64_t count);
uint64_t frames_free_count(void);
/* What the hypervisor's memory holds right now (the resource census, vmm/census.c): one
 * consistent snapshot taken under mm_lock. */
struct mm_usage {
    uint64_t free_frames;
    uint64_t heap_bytes;        /* heap handed out through heap_sbrk */
    uint64_t heap_mapped_bytes; /* heap backed by frames */
    uint64_t mmio_bytes;        /* MMIO window used by mmio_map */
    uint64_t stack_bytes;       /* stack window used by mm_alloc_stack (guards included) */
};
void mm_usage(struct mm_usage *out);
/* Read-only view of the allocator (self-checks). */
const struct frame_alloc *mm_frame_allocator(void);

/* Maps device registers uncached (PCD|PWT), not executable; returns their address. */
volatile void *mmio_map(uint64_t phys, uint64_t size);

/* True when [phys, phys+len) is RAM reachable through phys_to_virt(). */
bool mm_in_physmap(uint64_t phys, uint64_t len);
/* Firmware data (ACPI tables): physmap when it is RAM, otherwise an uncached mapping. */
const volatile void *phys_map_range(uint64_t phys, uint64_t len);

/* A stack of `size` bytes (page multiple) in the stack window, backed by fresh frames,
 * with an unmapped guard page below it so an overflow faults; returns its top. */
uint64_t mm_alloc_stack(uint64_t size);

/* Newlib's heap: grows by mapping fresh frames on demand. */
void *heap_sbrk(intptr_t increment);

/* Looks up how the hypervisor maps `va` (self-checks): 0 and the raw PTE, or -1. */
int mm_lookup(const void *va, uint64_t *pte);

#endif
