/* Address placement for BARs the firmware left unassigned (SR-IOV VF BARs); pure logic. */
#ifndef EXITLESS_DRIVERS_PCI_BAR_PLACE_H
#define EXITLESS_DRIVERS_PCI_BAR_PLACE_H

#include <stdint.h>

struct addr_range {
    uint64_t base, size;
};

#define BAR_PLACE_MAX_USED 160

/*
 * Placement policy: every request is a power-of-two size placed naturally aligned, first fit
 * from the bottom of [win_start, win_end), never overlapping `used` (the BARs the firmware
 * assigned, the ECAM windows, interrupt and IOMMU registers) or an earlier request. The
 * kernel passes the window from the end of the highest firmware-assigned 32-bit memory BAR
 * up to the IOAPIC at 0xfec00000: space the host bridge forwards to PCI (on QEMU q35 the
 * whole 32-bit PCI hole) that the firmware left free.
 * Returns 0 and out[i] per request, or -1 when a size is not a power of two or no room is left.
 */
int bar_place(const struct addr_range *used, unsigned nused, uint64_t win_start,
              uint64_t win_end, const uint64_t *sizes, unsigned n, uint64_t *out)
    __attribute__((warn_unused_result));

#endif
