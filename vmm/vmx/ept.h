/* Extended page tables: the VMX format of a guest-physical map (SDM vol. 3, 29.3). */
#ifndef EXITLESS_VMM_VMX_EPT_H
#define EXITLESS_VMM_VMX_EPT_H

#include <stdint.h>

#include "vmm/gpmap.h"

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

extern const struct pt_format pt_format_ept;
uint64_t ept_pointer(uint64_t root_phys);

#endif
