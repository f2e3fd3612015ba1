/* EPT entries (SDM vol. 3, 29.3.2 and 29.3.7) from the vendor-neutral GPM_* attributes, for
 * the shared page-table builder. Pure logic, unit-tested. */
#include "vmm/vmx/ept.h"

static uint64_t ept_table_entry(uint64_t phys)
{
    return phys | EPT_RWX; /* permissions are decided at the leaf */
}

static uint64_t ept_leaf_entry(uint64_t phys, uint64_t attrs, int level)
{
    uint64_t e = phys | (attrs & GPM_UC ? EPT_MT_UC : EPT_MT_WB);
    e |= (attrs & GPM_R ? EPT_R : 0) | (attrs & GPM_W ? EPT_W : 0) | (attrs & GPM_X ? EPT_X : 0);
    return e | (level > 1 ? EPT_LARGE : 0);
}

static bool ept_present(uint64_t e) { return e & EPT_RWX; }
static bool ept_is_leaf(uint64_t e, int level) { return level == 1 || (e & EPT_LARGE); }

static uint64_t ept_perms(uint64_t e)
{
    return (e & EPT_R ? GPM_R : 0) | (e & EPT_W ? GPM_W : 0) | (e & EPT_X ? GPM_X : 0);
}

uint64_t ept_pointer(uint64_t root_phys)
{
    return root_phys | EPTP_WALK_LEN_4 | EPTP_MT_WB;
}

const struct pt_format pt_format_ept = {
    .table_entry = ept_table_entry,
    .leaf_entry = ept_leaf_entry,
    .present = ept_present,
    .is_leaf = ept_is_leaf,
    .perms = ept_perms,
};
