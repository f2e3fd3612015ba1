/* Platform self-checks. Each compares two independent sources (MADT vs what CPUs report,
 * a sent IPI vs the handler's counter, the TSC vs a second clock), so each can fail. */
#include <stdio.h>
#include <stdlib.h>

#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/smptest.h"
#include "kernel/timer.h"
#include "kernel/tsc.h"
#include "kernel/xcall.h"

#define PING_TIMEOUT_US 200000
#define NMI_TIMEOUT_US 200000
#define TIMER_DELAY_US 5000
#define TIMER_WAIT_US 200000
#define TIMER_LATE_US 200000

static bool check_online(void)
{
    const struct acpi_info *ai = acpi_get();
    unsigned enabled = 0;
    for (unsigned i = 0; ai && i < ai->madt.ncpus; i++)
        enabled += (ai->madt.cpus[i].flags & ACPI_CPU_ENABLED) ? 1 : 0;
    if (!ai)
        enabled = 1;
    bool ok = test_report("smp-all-online", cpus_online() == enabled && cpu_count() == enabled,
                          "%u CPUs online, %u started, MADT lists %u enabled", cpus_online(),
                          cpu_count(), enabled);
    uint32_t bad = CPU_NONE;
    for (uint32_t c = 0; c < cpu_count(); c++)
        if (percpu_of(c)->remote.checkins != 1)
            bad = c;
    ok &= test_report("smp-checkin-once", bad == CPU_NONE, "cpu %u checked in %u times", bad,
                      bad == CPU_NONE ? 0 : percpu_of(bad)->remote.checkins);
    return ok;
}

struct whoami {
    volatile bool ran;
    uint32_t cpu_id, apic_id;
};

static void whoami_fn(void *arg)
{
    struct whoami *w = arg;
    w->cpu_id = this_cpu()->cpu_id;
    w->apic_id = lapic_id();
    w->ran = true;
}

static bool check_xcalls(void)
{
    bool ok = true;
    char name[40];
    for (uint32_t c = 1; c < cpu_count(); c++) {
        struct whoami w = { false, CPU_NONE, CPU_NONE };
        int rc = xcall_run(c, whoami_fn, &w);
        uint32_t want_apic = percpu_of(c)->apic_id;
        snprintf(name, sizeof(name), "xcall-cpu%u", c);
        ok &= test_report(name, rc == 0 && w.ran && w.cpu_id == c && w.apic_id == want_apic &&
                                    cpu_of_apic_id(w.apic_id) == c,
                          "rc %d ran %d: reports cpu %u APIC id %u, want cpu %u APIC id %u", rc,
                          w.ran, w.cpu_id, w.apic_id, c, want_apic);
    }
    return ok;
}

struct ping_job {
    uint32_t target;
    int rc;
};

static void ping_fn(void *arg)
{
    struct ping_job *j = arg;
    j->rc = ipi_ping(j->target, PING_TIMEOUT_US);
}

/* Every ordered pair: the sender's pong counter only moves if the target's handler ran. */
static bool check_ping_pairs(void)
{
    bool ok = true;
    char name[40];
    for (uint32_t a = 0; a < cpu_count(); a++) {
        for (uint32_t b = 0; b < cpu_count(); b++) {
            if (a == b)
                continue;
            uint64_t answered = percpu_of(b)->remote.pings_answered;
            struct ping_job j = { b, -3 };
            int xrc = xcall_run(a, ping_fn, &j);
            bool counted = percpu_of(b)->remote.pings_answered == answered + 1;
            snprintf(name, sizeof(name), "ipi-ping-cpu%u-cpu%u", a, b);
            ok &= test_report(name, xrc == 0 && j.rc == 0 && counted,
                              "cross-call %d, ping %d, target answered %d", xrc, j.rc, counted);
        }
    }
    return ok;
}

static bool check_nmi(void)
{
    bool ok = true;
    char name[40];
    for (uint32_t c = 1; c < cpu_count(); c++) {
        struct percpu_remote *r = &percpu_of(c)->remote;
        uint64_t want = r->nmis_seen + 1;
        __atomic_store_n(&r->nmis_expected, want, __ATOMIC_RELEASE);
        lapic_send_ipi(percpu_of(c)->apic_id, ICR_NMI, 0);
        uint64_t end = rdtsc() + tsc_us_to_cycles(NMI_TIMEOUT_US);
        while (r->nmis_seen != want && (int64_t)(rdtsc() - end) < 0)
            cpu_relax();
        snprintf(name, sizeof(name), "ipi-nmi-cpu%u", c);
        ok &= test_report(name, r->nmis_seen == want, "NMI handler count %lu, want %lu",
                          (unsigned long)r->nmis_seen, (unsigned long)want);
    }
    return ok;
}

/* The reference must come from somewhere other than what the hypervisor chose. */
static bool check_tsc(const struct boot_info *bi)
{
    const struct tsc_info *t = tsc_get();
    char val[32];
    uint64_t ref = 0;
    const char *ref_name;
    if (cmdline_get(bi->cmdline, "tsc-ref-hz", val, sizeof(val))) {
        ref = strtoull(val, NULL, 10);
        ref_name = "the emulator's configuration (tsc-ref-hz= on the command line)";
    } else if (t->source != TSC_SRC_PM_TIMER && t->pm_hz) {
        ref = t->pm_hz;
        ref_name = "the ACPI PM timer measurement";
    } else if (t->source != TSC_SRC_PIT) {
        ref = tsc_measure_pit();
        ref_name = "a PIT channel 2 measurement";
    } else {
        ref = t->claim_hz;
        ref_name = "CPUID's claim";
    }
    log_info("test", "TSC %lu Hz from the %s; reference %lu Hz from %s: %ld ppm apart", t->hz,
             tsc_source_name(t->source), ref, ref_name, (long)hz_diff_ppm(t->hz, ref));
    bool ok = test_report("tsc-frequency", ref && hz_within_ppm(t->hz, ref, TSC_AGREE_PPM),
                          "TSC %lu Hz vs reference %lu Hz (%s)", t->hz, ref, ref_name);
    if (t->pm_hz) {
        uint64_t pit = tsc_measure_pit();
        log_info("test", "TSC against the PM timer %lu Hz, against the PIT %lu Hz", t->pm_hz,
                 pit);
        ok &= test_report("tsc-pm-vs-pit", pit && hz_within_ppm(t->pm_hz, pit, TSC_AGREE_PPM),
                          "PM timer gives %lu Hz, PIT gives %lu Hz", t->pm_hz, pit);
    }
    return ok;
}

struct timer_probe {
    volatile uint64_t fired_at;
    uint64_t deadline;
    bool ok;
    uint64_t late_us;
};

static void timer_cb(void *arg)
{
    ((struct timer_probe *)arg)->fired_at = rdtsc();
}

/* Arms this CPU's timer 5 ms ahead: it must fire, not early (beyond 1%), not absurdly late. */
static void timer_probe_fn(void *arg)
{
    struct timer_probe *p = arg;
    uint64_t slack = tsc_us_to_cycles(TIMER_DELAY_US) / 100;
    p->fired_at = 0;
    p->deadline = rdtsc() + tsc_us_to_cycles(TIMER_DELAY_US);
    uint64_t flags = read_rflags();
    irq_enable();
    timer_arm(p->deadline, timer_cb, p);
    uint64_t end = p->deadline + tsc_us_to_cycles(TIMER_WAIT_US);
    while (!p->fired_at && (int64_t)(rdtsc() - end) < 0)
        cpu_relax();
    if (!(flags & RFLAGS_IF))
        irq_disable();
    timer_cancel();
    p->late_us = p->fired_at > p->deadline ? tsc_cycles_to_us(p->fired_at - p->deadline) : 0;
    p->ok = p->fired_at && p->fired_at + slack >= p->deadline && p->late_us < TIMER_LATE_US;
}

static bool timer_report(const char *name, const struct timer_probe *p)
{
    return test_report(name, p->ok, "deadline %#lx, fired at %#lx (%s)", p->deadline,
                       p->fired_at, p->fired_at ? "early or too late" : "never fired");
}

static bool check_timer(void)
{
    bool ok = true;
    struct timer_probe p;
    enum timer_mode mode = timer_mode();
    if (timer_set_mode(TIMER_TSC_DEADLINE)) {
        timer_probe_fn(&p);
        ok &= timer_report("timer-tsc-deadline", &p);
    }
    timer_set_mode(TIMER_ONESHOT);
    timer_probe_fn(&p);
    ok &= timer_report("timer-lapic-oneshot", &p);
    timer_set_mode(mode);
    char name[40];
    for (uint32_t c = 1; c < cpu_count(); c++) {
        p.ok = false;
        int rc = xcall_run(c, timer_probe_fn, &p);
        snprintf(name, sizeof(name), "timer-cpu%u", c);
        ok &= rc == 0 ? timer_report(name, &p) : test_report(name, false, "cross-call %d", rc);
    }
    return ok;
}

bool smptest_run(const struct boot_info *bi)
{
    bool ok = check_online();
    ok &= check_xcalls();
    ok &= check_ping_pairs();
    ok &= check_nmi();
    ok &= check_tsc(bi);
    ok &= check_timer();
    return ok;
}
