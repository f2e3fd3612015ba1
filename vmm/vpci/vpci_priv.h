/* Between the parts of the virtual PCI (vmm/vpci*.c). */
#ifndef EXITLESS_VMM_VPCI_PRIV_H
#define EXITLESS_VMM_VPCI_PRIV_H

#include "vmm/guest.h"
#include "vmm/vpci/vpci.h"

/* The guest's command bits onto the device (memory decoding always on). */
void vpci_apply_command(struct vpci_fn *f);
/* MSI-X: shadow table, EPT mapping and remapping entries at creation. */
int vpci_msix_setup(struct guest *g, struct vpci_fn *f, char *err, unsigned errlen);
/* Every entry masked, as after a reset; the device's table masked too. */
void vpci_msix_reset(struct vpci_fn *f);
/* Device MSI-X off, every entry masked (the guest stopped). */
void vpci_msix_disable(struct vpci_fn *f);
/* Programs the device from the guest's table and control bits, entry by entry. */
void vpci_msix_sync(struct guest *g, struct vpci_fn *f);

#endif
