/* Guests from the manifest model. */
#include <stdio.h>

#include "kernel/cpuinfo.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "vmm/machine.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/vendor.h"
#include "vmm/vpci/vpci_virtio_fn.h"

static void config_from_manifest(const struct mf_guest *mg, int index, struct guest_config *c)
{
    *c = (struct guest_config){
        .manifest_index = index,
        .mf = mg,
        .name = mg->name,
        .image = mg->image.name,
        .initrd = mg->initrd.name[0] ? mg->initrd.name : NULL,
        .cmdline = mg->cmdline,
        .mem_size = mg->memory,
        .on_fault = mg->on_fault == MF_FAULT_RESTART ? ON_FAULT_RESTART : ON_FAULT_STOP,
        .max_restarts = mg->max_restarts,
        .time_limit_ms = mg->time_limit_ms,
        .expect_fault = mg->expect == MF_EXPECT_FAULT,
        .intr_mode = mg->interrupts == MF_IRQ_EXITLESS ? INTR_EXITLESS : INTR_INJECTED,
    };
    for (unsigned cpu = 0; cpu < MF_MAX_CPUS && c->ncpus < GUEST_MAX_VCPUS; cpu++)
        if (mf_cpuset_has(&mg->cpus, cpu))
            c->cpus[c->ncpus++] = cpu;
    /* ELI passes the x2APIC EOI and timer MSRs through: it needs the host in x2APIC mode. */
    if (c->intr_mode == INTR_EXITLESS && !lapic_x2apic_mode()) {
        log_warn("guest", "%s asks for exitless interrupts, which need the local APICs in "
                          "x2APIC mode (this machine runs xAPIC): it uses injected interrupts",
                 mg->name);
        c->intr_mode = INTR_INJECTED;
    }
}

bool machine_run_guests(const struct mf_manifest *m, const struct boot_info *bi,
                        cpu_start_fn start_on)
{
    struct guest *created[MF_MAX_GUESTS];
    uint32_t n = 0;
    bool ok = true;
    char err[160];

    if (!vendor) {
        char why[160];
        if (!vendor_select(why, sizeof(why))) {
            log_err("vcpu", "%s: no guest can run on this platform; devices are set up, the run "
                            "ends here", why);
            for (uint32_t i = 0; i < m->nguests; i++)
                log_err("guest", "guest %s cannot run: no VMX or SVM", m->guests[i].name);
            return false;
        }
    }

    if (vpci_virtio_fabric_build(m, err, sizeof(err))) {
        log_err("virtio", "%s: no guest runs", err);
        return false;
    }
    for (uint32_t i = 0; i < m->nguests; i++) {
        struct guest_config c;
        config_from_manifest(&m->guests[i], (int)i, &c);
        struct guest *g = guest_mgr_create(&c, bi, err, sizeof(err));
        if (!g) {
            log_err("guest", "%s cannot be created: %s; it will not run", c.name, err);
            ok = false;
            continue;
        }
        created[n++] = g;
    }
    if (mf_cpuset_count(&m->hv.sidecores))
        sidecore_start(m);
    for (uint32_t i = 0; i < n; i++)
        guest_mgr_start(created[i], start_on);
    bool all = guest_mgr_wait_all();
    sidecore_drain();
    return all && ok;
}
