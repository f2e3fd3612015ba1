/* TSC frequency: CPUID's claim checked against the ACPI PM timer (or the PIT); the
 * measurement wins when they disagree by more than 1% (Bochs claims 3.5 GHz in CPUID but its
 * TSC ticks once per emulated instruction). */
#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/tsc.h"

#define CPUID_LEAF_TSC_CRYSTAL 0x15
#define CPUID_LEAF_FREQ        0x16
#define CPUID_HV_BASE          0x40000000
#define CPUID_HV_TIMING        0x40000010 /* VMware/KVM/QEMU: EAX = TSC kHz */
#define CPUID1_ECX_HYPERVISOR  (1u << 31)
#define MEASURE_MS 50
#define MEASURE_TRIES 5
#define MEASURE_GOOD_PPM 500 /* endpoints known to 0.05%: well inside the 1% we promise */

/* PIT (8254 datasheet): channel 2 gated through port 0x61 so its output can be polled. */
#define PIT_CH2_DATA   0x42
#define PIT_MODE_PORT  0x43
#define  PIT_SEL_CH2   (2u << 6)
#define  PIT_RW_LOHI   (3u << 4)
#define  PIT_MODE0     (0u << 1)   /* interrupt on terminal count: OUT rises at zero */
#define PORT_B         0x61
#define  PORT_B_GATE2  0x01
#define  PORT_B_SPEAKER 0x02
#define  PORT_B_OUT2   0x20

static struct tsc_info info;

const struct tsc_info *tsc_get(void) { return &info; }
uint64_t tsc_hz(void) { return info.hz; }

uint64_t tsc_us_to_cycles(uint64_t us) { return mul_div_u64(us, info.hz, 1000000); }
uint64_t tsc_cycles_to_us(uint64_t cycles) { return mul_div_u64(cycles, 1000000, info.hz); }

void udelay(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(us);
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

static uint64_t cpuid_claim(enum tsc_source *src)
{
    uint32_t max = cpuid(0, 0).eax;
    if (max >= CPUID_LEAF_TSC_CRYSTAL) {
        struct cpuid_regs r = cpuid(CPUID_LEAF_TSC_CRYSTAL, 0);
        uint64_t hz = tsc_hz_from_cpuid15(r.eax, r.ebx, r.ecx);
        if (hz) {
            *src = TSC_SRC_CPUID_15;
            return hz;
        }
    }
    if (cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR &&
        cpuid(CPUID_HV_BASE, 0).eax >= CPUID_HV_TIMING) {
        uint32_t khz = cpuid(CPUID_HV_TIMING, 0).eax;
        if (khz) {
            *src = TSC_SRC_HV_LEAF;
            return (uint64_t)khz * 1000;
        }
    }
    if (max >= CPUID_LEAF_FREQ) {
        uint64_t hz = tsc_hz_from_cpuid16(cpuid(CPUID_LEAF_FREQ, 0).eax);
        if (hz) {
            *src = TSC_SRC_CPUID_16;
            return hz;
        }
    }
    *src = TSC_SRC_NONE;
    return 0;
}

static uint32_t pm_timer_read(const struct acpi_fadt *f)
{
    if (f->pm_timer.space == ACPI_GAS_IO)
        return inl((uint16_t)f->pm_timer.address);
    return *(const volatile uint32_t *)phys_map_range(f->pm_timer.address, 4);
}

static uint64_t midpoint(uint64_t a, uint64_t b) { return a + (b - a) / 2; }

/* One measurement and how uncertain its two endpoints were (struct hz_estimate: TSC cycles
 * spent around the reads that fix them). Under TCG the host may preempt the vCPU between a
 * clock read and the TSC read beside it; the bracket shows that, and such a sample is
 * retried. */

static struct hz_estimate make_sample(uint64_t t0, uint64_t t1, uint64_t err,
                                      uint64_t ref_ticks, uint64_t ref_hz)
{
    struct hz_estimate s = { tsc_hz_from_ticks(t1 - t0, ref_ticks, ref_hz), 0 };
    s.err_ppm = t1 > t0 ? mul_div_u64(err, 1000000, t1 - t0) : UINT64_MAX;
    return s;
}

/* Best of up to MEASURE_TRIES samples; stops at the first one within MEASURE_GOOD_PPM. */
static struct hz_estimate best_of(struct hz_estimate (*once)(const void *ctx), const void *ctx)
{
    struct hz_estimate best = { 0, UINT64_MAX };
    for (int i = 0; i < MEASURE_TRIES && best.err_ppm > MEASURE_GOOD_PPM; i++) {
        struct hz_estimate s = once(ctx);
        if (s.hz && s.err_ppm < best.err_ppm)
            best = s;
    }
    if (best.hz && best.err_ppm > MEASURE_GOOD_PPM)
        log_warn("time", "TSC measurement uncertain by %lu ppm after %d tries (busy host?)",
                 best.err_ppm, MEASURE_TRIES);
    return best;
}

static struct hz_estimate pm_once(const void *ctx)
{
    const struct acpi_fadt *f = ctx;
    const uint32_t want = PM_TIMER_HZ / 1000 * MEASURE_MS;
    uint64_t a = rdtsc();
    uint32_t p0 = pm_timer_read(f), ticks;
    uint64_t b = rdtsc(), c, d;
    do {
        c = rdtsc();
        ticks = counter_delta(p0, pm_timer_read(f), f->pm_timer_bits);
        d = rdtsc();
    } while (ticks < want);
    return make_sample(midpoint(a, b), midpoint(c, d), (b - a) + (d - c), ticks, PM_TIMER_HZ);
}

static struct hz_estimate measure_pm(void)
{
    const struct acpi_info *ai = acpi_get();
    if (!ai || !ai->fadt.present || !ai->fadt.pm_timer_present)
        return (struct hz_estimate){ 0, 0 };
    return best_of(pm_once, &ai->fadt);
}

static struct hz_estimate pit_once(const void *ctx)
{
    const uint32_t count = PIT_HZ / 1000 * MEASURE_MS; /* < 65536: 50 ms fits one-shot */
    struct hz_estimate none = { 0, UINT64_MAX };
    (void)ctx;
    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2));
    outb(PIT_MODE_PORT, PIT_SEL_CH2 | PIT_RW_LOHI | PIT_MODE0);
    outb(PIT_CH2_DATA, (uint8_t)count);
    uint64_t a = rdtsc();
    outb(PIT_CH2_DATA, (uint8_t)(count >> 8)); /* mode 0 counts from the MSB write */
    /* Each poll samples OUT somewhere between the TSC reads on either side of it. OUT rose
     * after the last poll that saw it low sampled it and before the first that saw it high
     * did, so the end lies between the TSC read before the last low poll and the one after
     * the high poll: two polls wide. (One poll wide would miss a preemption just after the
     * last low sample, and the rate would read high by all of it.) */
    uint64_t b = rdtsc(), before_low = b, before = b, now;
    for (uint64_t polls = 0;; polls++) {
        uint8_t v = inb(PORT_B);
        now = rdtsc();
        if (v & PORT_B_OUT2)
            break;
        if (polls >= (1ull << 32))
            return none;
        before_low = before;
        before = now;
    }
    outb(PORT_B, (uint8_t)(inb(PORT_B) & ~PORT_B_GATE2));
    return make_sample(midpoint(a, b), midpoint(before_low, now),
                       (b - a) + (now - before_low), count, PIT_HZ);
}

struct hz_estimate tsc_measure_pit(void)
{
    uint64_t flags = read_rflags();
    irq_disable();
    struct hz_estimate e = best_of(pit_once, NULL);
    if (flags & RFLAGS_IF)
        irq_enable();
    return e;
}

void tsc_init(void)
{
    info.claim_hz = cpuid_claim(&info.claim_source);
    struct hz_estimate pm = measure_pm();
    struct hz_estimate pit = pm.hz ? (struct hz_estimate){ 0, 0 } : tsc_measure_pit();
    info.pm_hz = pm.hz;
    info.pm_err_ppm = pm.err_ppm;
    info.pit_hz = pit.hz;
    info.pit_err_ppm = pit.err_ppm;
    uint64_t measured = info.pm_hz ? info.pm_hz : info.pit_hz;
    struct tsc_choice c = tsc_choose(info.claim_hz, info.claim_source, measured,
                                     info.pm_hz ? TSC_SRC_PM_TIMER : TSC_SRC_PIT);
    info.hz = c.hz;
    info.source = c.source;
    info.claim_rejected = c.claim_rejected;
    if (!info.hz)
        info.hz = 1000000000; /* nothing to go by: assume 1 GHz so delays stay finite */

    if (info.claim_hz)
        log_info("time", "CPUID claims a %lu Hz TSC (%s)", info.claim_hz,
                 tsc_source_name(info.claim_source));
    else
        log_info("time", "CPUID gives no TSC frequency (no leaf 0x15/0x16/0x40000010 value)");
    log_info("time", "measured over %u ms: %lu Hz (%s), endpoints bracketed to %lu ppm",
             MEASURE_MS, measured, tsc_source_name(info.pm_hz ? TSC_SRC_PM_TIMER : TSC_SRC_PIT),
             (unsigned long)(info.pm_hz ? info.pm_err_ppm : info.pit_err_ppm));
    if (info.claim_rejected)
        log_warn("time", "CPUID's claim is off by %ld ppm from the measurement: using the "
                         "measurement", (long)hz_diff_ppm(info.claim_hz, measured));
    log_info("time", "TSC frequency %lu Hz (%lu.%03lu MHz), from the %s", info.hz,
             info.hz / 1000000, info.hz / 1000 % 1000,
             info.source == TSC_SRC_NONE ? "default (nothing available)"
                                         : tsc_source_name(info.source));
}
