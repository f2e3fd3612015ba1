/* Resource census: what the hypervisor holds right now, counted from the owners of each
 * thing (frames, heap, MMIO and stack windows, VT-d domains and remapping entries, vCPU
 * hardware contexts, guest-physical maps, shadow IDT pages, virtual PCI state). A guest's
 * restart must leave every count as it was: the restart soak (selftest/soak.c) compares one
 * census per restart cycle with the first. */
#ifndef EXITLESS_VMM_CENSUS_H
#define EXITLESS_VMM_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum census_item {
    CENSUS_FREE_FRAMES,         /* frame allocator: free 4 KiB frames */
    CENSUS_HEAP_BYTES,          /* heap handed out by heap_sbrk (Newlib's malloc arena) */
    CENSUS_HEAP_MAPPED,         /* heap bytes backed by frames */
    CENSUS_MMIO_BYTES,          /* MMIO window used */
    CENSUS_STACK_BYTES,         /* stack window used */
    CENSUS_VTD_DOMAINS,
    CENSUS_VTD_TABLE_PAGES,     /* second-level table pages of every DMA domain */
    CENSUS_VTD_MAPPED_PAGES,
    CENSUS_VTD_CONTEXT_PAGES,
    CENSUS_IRTES,               /* interrupt-remapping entries in use */
    CENSUS_CPU_CONTEXTS,        /* vCPUs with a VMCS (and its VPID) or a VMCB (and its ASID) */
    CENSUS_GPMAP_TABLES,        /* EPT/NPT table pages of every guest */
    CENSUS_ELI_SHADOWS,         /* shadow IDT pages of every guest */
    CENSUS_VPCI_FNS,            /* assigned functions in every guest's virtual PCI */
    CENSUS_MSIX_SHADOW_PAGES,   /* MSI-X table shadow pages */
    CENSUS_MSIX_IRTES,          /* remapping entries held by MSI-X shadows */
    CENSUS_ITEMS
};

struct census {
    uint64_t n[CENSUS_ITEMS];
};

/* Takes every count, each under the lock or from the owner of the thing counted (see
 * census.c). Runs on any CPU, interrupts on or off. */
void census_take(struct census *c);
const char *census_name(enum census_item i);
/* "name=value ..." for every item. */
void census_format(const struct census *c, char *buf, size_t len);
/* "name a->b ..." for the items that differ; false when none does. */
bool census_diff(const struct census *want, const struct census *got, char *buf, size_t len);

#endif
