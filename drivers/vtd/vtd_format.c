/* VT-d table entry encoders and the second-level page-table format; pure logic. */
#include "drivers/vtd/vtd_hw.h"

static uint64_t sl_table_entry(uint64_t phys) { return phys | VTD_SL_RW; }

static uint64_t sl_leaf_entry(uint64_t phys, uint64_t attrs, int level)
{
    return phys | (attrs & VTD_SL_RW) | (level > 1 ? VTD_SL_PS : 0);
}

static bool sl_present(uint64_t e) { return e & VTD_SL_RW; }
static bool sl_is_leaf(uint64_t e, int level) { return level == 1 || (e & VTD_SL_PS); }

const struct pt_format pt_format_vtd_sl = {
    .table_entry = sl_table_entry,
    .leaf_entry = sl_leaf_entry,
    .present = sl_present,
    .is_leaf = sl_is_leaf,
};

struct vtd_entry128 vtd_root_entry(uint64_t ctx_table_phys)
{
    return (struct vtd_entry128){ .lo = (ctx_table_phys & PTE_ADDR_MASK) | VTD_ROOT_P, .hi = 0 };
}

struct vtd_entry128 vtd_context_entry(uint64_t sl_root_phys, uint16_t did, unsigned aw)
{
    return (struct vtd_entry128){
        .lo = (sl_root_phys & PTE_ADDR_MASK) | VTD_CTX_TT_UNTRANSLATED | VTD_CTX_P,
        .hi = (uint64_t)aw << VTD_CTX_AW_SHIFT | (uint64_t)did << VTD_CTX_DID_SHIFT,
    };
}

struct vtd_entry128 vtd_irte_encode(uint16_t sid, uint32_t dest_apic_id, uint8_t vector, bool x2apic)
{
    uint64_t dst = x2apic ? dest_apic_id : (uint64_t)(dest_apic_id & 0xff) << 8;
    return (struct vtd_entry128){
        .lo = VTD_IRTE_P | VTD_IRTE_DLM_FIXED | (uint64_t)vector << VTD_IRTE_VECTOR_SHIFT |
              dst << VTD_IRTE_DST_SHIFT,
        .hi = sid | VTD_IRTE_HI_SQ_ALL | VTD_IRTE_HI_SVT_SID,
    };
}

uint32_t vtd_msi_address(uint16_t handle)
{
    return VTD_MSI_ADDR_BASE | (uint32_t)(handle & 0x7fff) << 5 | VTD_MSI_ADDR_IF |
           (uint32_t)(handle >> 15) << 2;
}

unsigned vtd_pick_aw(uint64_t sagaw, unsigned haw)
{
    /* Our builder writes 4-level tables; 48 bits cover any host address width up to 48. */
    if ((sagaw & VTD_SAGAW_48) && haw <= 48)
        return VTD_AW_48;
    return 0;
}

const char *vtd_fault_reason_name(unsigned fr)
{
    switch (fr) {
    case 0x1: return "root entry not present";
    case 0x2: return "context entry not present (device blocked)";
    case 0x3: return "invalid context entry";
    case 0x4: return "address beyond the domain's width";
    case 0x5: return "write to a page without write permission (not mapped)";
    case 0x6: return "read of a page without read permission (not mapped)";
    case 0x7: return "bad second-level table address";
    case 0x8: return "bad root table address";
    case 0x9: return "bad context table address";
    case 0xa: return "reserved bit set in a root entry";
    case 0xb: return "reserved bit set in a context entry";
    case 0xc: return "reserved bit set in a second-level entry";
    case 0xd: return "translation type not allowed";
    case 0x20: return "interrupt request with reserved fields";
    case 0x21: return "interrupt index beyond the IRT";
    case 0x22: return "interrupt entry not present";
    case 0x23: return "IRT address not accessible";
    case 0x24: return "reserved bit set in an IRTE";
    case 0x25: return "compatibility-format interrupt blocked";
    case 0x26: return "interrupt source id does not match the IRTE";
    default: return "unknown reason";
    }
}
