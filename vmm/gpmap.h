/* The guest-physical map of one guest: guest-physical to host-physical, with permissions,
 * in the second-level table format of this machine's backend (EPT on VMX, NPT on SVM; the
 * vendor supplies the entry format, vmm/vendor.h). The same map decides the guest's VT-d
 * domain (drivers/vtd). Pure builder logic lives in kernel/paging.c. */
#ifndef EXITLESS_VMM_GPMAP_H
#define EXITLESS_VMM_GPMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/paging.h"

/* Leaf attributes, vendor-neutral: each format turns them into its own bits. */
#define GPM_R   (1ull << 0)
#define GPM_W   (1ull << 1)
#define GPM_X   (1ull << 2)
#define GPM_RWX (GPM_R | GPM_W | GPM_X)
#define GPM_UC  (1ull << 3)         /* uncached (device memory); default write-back */

struct gpmap {
    struct pt pt;
    uint64_t root;              /* what the vendor loads: EPTP or nCR3 */
    uint32_t tables;            /* table pages it holds (root included); changes with the
                                 * map itself, under the guest's ept_lock once it runs */
};

/* A fresh, empty map whose tables come from the frame allocator. */
int gpmap_init(struct gpmap *m) __attribute__((warn_unused_result));
/* Maps guest-physical [gpa, gpa+size) to [hpa, ...) with GPM_* attributes. */
int gpmap_map(struct gpmap *m, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attrs,
              bool large_pages) __attribute__((warn_unused_result));
/* Points one 4 KiB guest page elsewhere (splitting a large leaf); the caller flushes. */
int gpmap_remap_4k(struct gpmap *m, uint64_t gpa, uint64_t hpa, uint64_t attrs)
    __attribute__((warn_unused_result));
/* Host-physical address of gpa if mapped with all of `need` (GPM_R/W/X), else -1. */
int gpmap_translate(const struct gpmap *m, uint64_t gpa, uint64_t need, uint64_t *hpa);

#endif
