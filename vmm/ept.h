/* Extended page tables: a guest-physical to host-physical map per guest (SDM vol. 3, 29.3). */
#ifndef EXITLESS_VMM_EPT_H
#define EXITLESS_VMM_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/paging.h"

/* Leaf permissions and memory types (SDM 29.3.2, 29.3.7). */
#define EPT_R       (1ull << 0)
#define EPT_W       (1ull << 1)
#define EPT_X       (1ull << 2)
#define EPT_RWX     (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3
#define EPT_MT_UC   (0ull << EPT_MT_SHIFT)
#define EPT_MT_WB   (6ull << EPT_MT_SHIFT)
#define EPT_LARGE   (1ull << 7)

/* EPT pointer: WB paging structures, 4-level walk (SDM 25.6.11). */
#define EPTP_MT_WB        6ull
#define EPTP_WALK_LEN_4   (3ull << 3)

struct ept {
    struct pt pt;
    uint64_t eptp;
};

extern const struct pt_format pt_format_ept;

/* A fresh, empty EPT whose tables come from the frame allocator. */
int ept_init(struct ept *ept) __attribute__((warn_unused_result));
/* Maps guest-physical [gpa, gpa+size) to [hpa, ...) with EPT_* permissions and type. */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attrs,
            bool large_pages) __attribute__((warn_unused_result));
/* Host-physical address of gpa if mapped with all of `need` (EPT_R/W/X), else -1. */
int ept_translate(const struct ept *ept, uint64_t gpa, uint64_t need, uint64_t *hpa);

#endif
