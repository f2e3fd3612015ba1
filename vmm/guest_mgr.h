/* The guest manager: builds guests from their configuration, runs them on their cores,
 * applies the on-fault policy, and reports when they stop. */
#ifndef EXITLESS_VMM_GUEST_MGR_H
#define EXITLESS_VMM_GUEST_MGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mb2.h"
#include "exitless/manifest.h"
#include "vmm/guest.h"

/* VT-d faults from a guest's devices before its on_fault policy applies. */
#define GUEST_DEVICE_FAULT_LIMIT 8

/* What a guest is, as the manifest says it. */
struct guest_config {
    const char *name;
    const char *image;          /* module name */
    const char *initrd;         /* module name or NULL: handed to the guest as its module */
    const char *cmdline;
    uint64_t mem_size;
    uint32_t cpus[GUEST_MAX_VCPUS];   /* hypervisor CPU ids */
    uint32_t ncpus;
    enum guest_on_fault on_fault;
    uint32_t max_restarts;
    uint64_t time_limit_ms;     /* wall-clock limit of each run, 0 = none */
    enum intr_mode intr_mode;
    bool expect_fault;          /* test manifests: this guest is meant to be stopped */
    int manifest_index;         /* index in the manifest's guests (VT-d reservations), -1 */
    const struct mf_guest *mf;  /* its manifest entry (assigned devices), or NULL */
};

/* Creates a guest (memory, EPT, bitmaps, image loaded). Returns it or NULL with err. */
struct guest *guest_mgr_create(const struct guest_config *cfg, const struct boot_info *bi,
                               char *err, size_t errlen);
/* Runs every vCPU of guest g on its CPU. `start_on(cpu, fn, arg)` starts fn on another CPU
 * without waiting; the current CPU runs its own vCPU inline. */
typedef int (*cpu_start_fn)(uint32_t cpu, void (*fn)(void *), void *arg);
void guest_mgr_start(struct guest *g, cpu_start_fn start_on);
/* Waits until every guest has stopped for good; returns true when each ended as expected. */
bool guest_mgr_wait_all(void);
/* Makes a guest's vCPUs leave guest mode soon (IPI when they run on other CPUs). */
void guest_mgr_kick(struct guest *g);
/* Boot CPU, once: the kick IPI's handler. */
void guest_mgr_init(void);
uint32_t guest_mgr_count(void);
struct guest *guest_mgr_get(uint32_t i);

int guest_prepare_memory(struct guest *g, char *err, size_t errlen);

/* Called on a restarting guest's first vCPU once its restart is set up (memory reloaded,
 * devices reset and started), before the new run begins; NULL: none. Set on the boot CPU
 * before any guest runs (the test image's restart soak, selftest/soak.c). */
extern void (*guest_mgr_restart_hook)(struct guest *g);

#endif
