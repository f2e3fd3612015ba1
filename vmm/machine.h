/* Turning the manifest's guests into running partitions and ending the run. */
#ifndef EXITLESS_VMM_MACHINE_H
#define EXITLESS_VMM_MACHINE_H

#include <stdbool.h>

#include "exitless/manifest.h"
#include "kernel/mb2.h"
#include "vmm/guest_mgr.h"

/* Creates every guest of the manifest and starts them on their cores; waits until all
 * have stopped. Returns true when each ended as the manifest expects. */
bool machine_run_guests(const struct mf_manifest *m, const struct boot_info *bi,
                        cpu_start_fn start_on);

#endif
