/* Device checks, carried only by the test build (build/exitless-test.elf): after the
 * manifest's devices are set up, the hypervisor acts as a minimal VF driver. Each check is
 * named by a command-line word (`vtdtest`: VT-d DMA and interrupt remapping through an igb
 * VF; `igbtest`, `igbtest-vepa`: the igb PF driver's switching, QoS report and mailbox). Production builds (build/exitless.elf) do not link this code at all. */
#ifndef EXITLESS_KERNEL_DEVTEST_H
#define EXITLESS_KERNEL_DEVTEST_H

#include <stdbool.h>

#include "exitless/manifest.h"

enum devtest_outcome { DEVTEST_NONE, DEVTEST_PASS, DEVTEST_FAIL };

/* The words, in every build (selftest/devtest_words.c); the test build maps each to its check. */
enum devtest_word { DEVTEST_VTD, DEVTEST_IGB, DEVTEST_IGB_VEPA, DEVTEST_NWORDS };
extern const char *const devtest_words[DEVTEST_NWORDS];

/* Runs the device checks the command line names, one PASS/FAIL line per check; DEVTEST_NONE
 * when it names none. Weak: NULL in production builds. */
enum devtest_outcome devtest_run(const struct mf_manifest *m, const char *cmdline)
    __attribute__((weak));
/* True when the command line names a device check (so a production build can refuse it). */
bool devtest_requested(const char *cmdline);

/* The checks (test build only). */
bool devtest_vtd(const struct mf_manifest *m);
/* igb PF driver: mailbox policy, VEB switching, VLANs, frames from the wire, honesty. */
bool devtest_igb(const struct mf_manifest *m);
/* igb PF driver with switching = "vepa": VF-to-VF unicast leaves through the wire. */
bool devtest_igb_vepa(const struct mf_manifest *m);

#endif
