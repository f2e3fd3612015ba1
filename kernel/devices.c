/* Device bring-up: PCIe enumeration, then the NICs' VFs, then VT-d around them. */
#include "drivers/pci/pci.h"
#include "drivers/pci/sriov.h"
#include "drivers/vtd/vtd.h"
#include "kernel/devices.h"
#include "kernel/log.h"

bool devices_init(const struct mf_manifest *m)
{
    pci_init();
    bool ok = sriov_init(m);
    ok &= vtd_init(m);
    return ok;
}
