/* Device bring-up: PCIe enumeration, the NICs' VFs, VT-d around them, then the PF drivers. */
#include "drivers/nic/nic.h"
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
    /* The NICs' PF drivers program switching and QoS before any guest runs. */
    ok &= nic_init(m);
    return ok;
}
