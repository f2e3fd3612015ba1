/* Device bring-up at boot in the order DESIGN.md section 2 gives: PCIe, SR-IOV, VT-d. */
#ifndef EXITLESS_KERNEL_DEVICES_H
#define EXITLESS_KERNEL_DEVICES_H

#include <stdbool.h>

#include "exitless/manifest.h"

/* Enumerates PCI, enables the manifest's VFs, builds VT-d domains and interrupt remapping.
 * false when the manifest's devices cannot be set up as written (each reason logged). */
bool devices_init(const struct mf_manifest *m);

#endif
