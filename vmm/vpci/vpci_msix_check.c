/* What a guest may put in an MSI-X entry of its assigned function (Intel SDM vol. 3, 11.11:
 * message address and data formats). Pure, host unit-tested. */
#include <stddef.h>

#include "vmm/intr/vector_policy.h"
#include "vmm/vpci/vpci.h"

#define MSI_ADDR_BASE_MASK  0xfff00000u
#define MSI_ADDR_BASE       0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DM_LOGICAL (1u << 2)
#define MSI_ADDR_REMAPPABLE (1u << 4)   /* VT-d 5.1.2.2: an IRTE handle, not a destination */
#define MSI_DATA_VECTOR_MASK 0xffu
#define MSI_DATA_DELIVERY(d) (((d) >> 8) & 7u)
#define MSI_DELIVERY_FIXED  0u
#define MSI_DELIVERY_LOWPRI 1u
#define MSI_DATA_LEVEL_TRIGGER (1u << 15)

const char *vpci_msix_check(const struct vpci_msix_entry *e, const uint32_t *apic_ids,
                            unsigned napic, enum intr_mode mode, uint8_t *vector,
                            uint32_t *apic)
{
    if (e->addr_hi)
        return "address above 4 GiB: not an interrupt message";
    if ((e->addr_lo & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
        return "address outside the interrupt range 0xfee00000-0xfeefffff";
    /* The guest has no interrupt remapping table of its own: a remappable-format address
     * would name one of the hypervisor's entries by handle. */
    if (e->addr_lo & MSI_ADDR_REMAPPABLE)
        return "remappable-format address (an interrupt remapping handle): only compatibility format is allowed";
    if (e->addr_lo & MSI_ADDR_DM_LOGICAL)
        return "logical destination mode (only physical is allowed)";
    unsigned dm = MSI_DATA_DELIVERY(e->data);
    if (dm != MSI_DELIVERY_FIXED && dm != MSI_DELIVERY_LOWPRI)
        return "delivery mode other than fixed or lowest priority";
    if (e->data & MSI_DATA_LEVEL_TRIGGER)
        return "level-triggered message";
    uint8_t vec = (uint8_t)(e->data & MSI_DATA_VECTOR_MASK);
    if (!intr_mode_owns_vector(mode, vec))
        return mode == INTR_EXITLESS ? "vector outside the guest's range 0x20-0xff"
                                     : "vector outside the guest's range 0x30-0xdf";
    uint32_t dest = (e->addr_lo >> MSI_ADDR_DEST_SHIFT) & 0xffu;
    for (unsigned i = 0; i < napic; i++) {
        if (apic_ids[i] == dest) {
            *vector = vec;
            *apic = dest;
            return NULL;
        }
    }
    return "destination is not one of the guest's cores";
}
