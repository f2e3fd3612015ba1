/* Device checks on QEMU (command-line word `vtdtest`): a minimal igb VF driver exercising
 * VT-d DMA and interrupt remapping after the manifest's devices are set up. */
#ifndef EXITLESS_KERNEL_DEVTEST_H
#define EXITLESS_KERNEL_DEVTEST_H

#include <stdbool.h>

#include "exitless/manifest.h"

/* Prints one PASS/FAIL line per check; true when all passed. Does nothing to devices unless
 * the command line has `vtdtest` (the caller checks). */
bool devtest_run(const struct mf_manifest *m);

#endif
