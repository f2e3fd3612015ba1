/* EPT entry format for the shared page-table builder (pure logic, unit-tested). */
#include "vmm/ept.h"

static uint64_t ept_table_entry(uint64_t phys)
{
    return phys | EPT_RWX; /* permissions are decided at the leaf */
}

static uint64_t ept_leaf_entry(uint64_t phys, uint64_t attrs, int level)
{
    return phys | attrs | (level > 1 ? EPT_LARGE : 0);
}

static bool ept_present(uint64_t e) { return e & EPT_RWX; }
static bool ept_is_leaf(uint64_t e, int level) { return level == 1 || (e & EPT_LARGE); }

const struct pt_format pt_format_ept = {
    .table_entry = ept_table_entry,
    .leaf_entry = ept_leaf_entry,
    .present = ept_present,
    .is_leaf = ept_is_leaf,
};
