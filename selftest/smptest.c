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
#include "kernel/platform.h"
#include "selftest/selftest.h"
#include "selftest/smptest.h"
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

/* What a TSC cross-check can claim here. Where emulated time is counted in instructions
 * (Bochs with clock sync=none, QEMU with -icount) two clocks agree however busy the host is,
 * and real crystals agree on hardware: there two measurements must agree within
 * TSC_AGREE_PPM. Where the emulator's clocks follow the host's wall clock (QEMU without
 * -icount) a host that stalls the vCPU between a clock read and the TSC read beside it moves
 * a measurement by the time lost (PIT 2352 MHz against the PM timer's 2100 on a busy host):
 * there the claim is that they agree within TSC_AGREE_PPM plus the uncertainty each
 * measurement bracketed for itself (struct hz_estimate). Load widens that; it cannot make
 * two honest measurements of one rate disagree, while a wrong rate, reference constant or
 * counter still fails. Only the harness knows how it set up the emulator's clock, so
 * tsc-ref-hz= (the configured rate) is also what declares time deterministic. */
struct tsc_claim {
    bool strict;
    const char *why;
};

static struct tsc_claim tsc_claim_here(bool ref_given)
{
    if (ref_given)
        return (struct tsc_claim){ true, "time is deterministic: tsc-ref-hz= on the command "
                                         "line says the emulator counts time in instructions" };
    if (platform_kind() == PLATFORM_HARDWARE)
        return (struct tsc_claim){ true, "time is real: the TSC, PM timer and PIT are "
                                         "independent hardware clocks" };
    return (struct tsc_claim){ false, "time is not deterministic: this emulator's clocks "
                                      "follow the host's wall clock (no tsc-ref-hz= says "
                                      "otherwise), so a busy host moves a measurement" };
}

/* Uncertainty of what the boot path chose: a measurement's bracket, none for a claim. */
static struct hz_estimate chosen_estimate(const struct tsc_info *t)
{
    uint64_t err = t->source == TSC_SRC_PM_TIMER ? t->pm_err_ppm
                   : t->source == TSC_SRC_PIT    ? t->pit_err_ppm
                                                 : 0;
    return (struct hz_estimate){ t->hz, err };
}

static bool tsc_compare(const char *name, const struct tsc_claim *claim, struct hz_estimate a,
                        const char *a_name, struct hz_estimate b, const char *b_name)
{
    bool ok = claim->strict ? a.hz && b.hz && hz_within_ppm(a.hz, b.hz, TSC_AGREE_PPM)
                            : hz_agree(a, b, TSC_AGREE_PPM);
    uint64_t allowed = claim->strict ? TSC_AGREE_PPM : hz_agree_tolerance_ppm(a, b, TSC_AGREE_PPM);
    log_info("test", "%s: %s %lu Hz (+-%lu ppm) vs %s %lu Hz (+-%lu ppm): %ld ppm apart, %s "
             "allows %lu", name, a_name, a.hz, (unsigned long)a.err_ppm, b_name, b.hz,
             (unsigned long)b.err_ppm, (long)hz_diff_ppm(a.hz, b.hz),
             claim->strict ? "strict" : "bounded", (unsigned long)allowed);
    return test_report(name, ok, "%s %lu Hz vs %s %lu Hz: %ld ppm apart, %s check allows %lu",
                       a_name, a.hz, b_name, b.hz, (long)hz_diff_ppm(a.hz, b.hz),
                       claim->strict ? "strict" : "bounded", (unsigned long)allowed);
}

/* The reference must come from somewhere other than what the hypervisor chose. */
static bool check_tsc(const struct boot_info *bi)
{
    const struct tsc_info *t = tsc_get();
    char val[32];
    struct hz_estimate ref = { 0, 0 };
    const char *ref_name;
    bool ref_given = cmdline_get(bi->cmdline, "tsc-ref-hz", val, sizeof(val));
    struct tsc_claim claim = tsc_claim_here(ref_given);
    log_info("test", "TSC checks are %s (%s): %s", claim.strict ? "strict" : "bounded",
             claim.strict ? "within 1%" : "within 1% plus each measurement's own uncertainty",
             claim.why);

    /* The boot path's decision follows its own rule from what it measured. */
    uint64_t measured = t->pm_hz ? t->pm_hz : t->pit_hz;
    struct tsc_choice c = tsc_choose(t->claim_hz, t->claim_source, measured,
                                     t->pm_hz ? TSC_SRC_PM_TIMER : TSC_SRC_PIT);
    bool ok = test_report("tsc-choice", c.source != TSC_SRC_NONE && c.hz == t->hz &&
                                            c.source == t->source,
                          "boot chose %lu Hz from the %s; its rule gives %lu Hz from the %s",
                          t->hz, tsc_source_name(t->source), c.hz, tsc_source_name(c.source));

    if (ref_given) {
        ref.hz = strtoull(val, NULL, 10);
        ref_name = "configured (tsc-ref-hz=)";
    } else if (t->source != TSC_SRC_PM_TIMER && t->pm_hz) {
        ref = (struct hz_estimate){ t->pm_hz, t->pm_err_ppm };
        ref_name = "PM timer";
    } else if (t->source != TSC_SRC_PIT) {
        ref = tsc_measure_pit();
        ref_name = "PIT";
    } else {
        ref.hz = t->claim_hz;
        ref_name = "CPUID claim";
    }
    char tsc_name[64];
    snprintf(tsc_name, sizeof(tsc_name), "TSC (%s)", tsc_source_name(t->source));
    ok &= tsc_compare("tsc-frequency", &claim, chosen_estimate(t), tsc_name, ref, ref_name);
    if (t->pm_hz) {
        struct hz_estimate pm = { t->pm_hz, t->pm_err_ppm };
        ok &= tsc_compare("tsc-pm-vs-pit", &claim, pm, "PM timer", tsc_measure_pit(), "PIT");
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
