/* Guest port I/O: virtual PCI configuration, the virtual UART, the virtual platform's ports
 * (vmm/platform/platform.h), and all-ones/ignored for ports nobody claims. */
#ifndef EXITLESS_VMM_IO_H
#define EXITLESS_VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"

/* One access of `size` bytes (1, 2, 4). Reads fill *value. */
void port_access(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value);
/* The port policy: every port exits (PCI configuration, the UART and the platform's ports
 * are emulated, the rest unclaimed); each vendor's port permission map
 * (vendor->iopm_build) says so. */

#endif
