/* platform: the guest's virtual platform devices. PIT channel 2 (what Linux's TSC
 * calibration programs): counts checked against the guest's own TSC, each sample bracketed
 * by the TSC read before and after it, so the checks hold however slowly the emulator runs;
 * the gate, the latch, read-back, OUT2 in port B, a refused mode. Then the power management
 * ports, and by command-line word how it ends:
 *   poweroff        ACPI S5 through the sleep control register
 *   reboot          on_fault = "restart", max_restarts = 2: the reset register, then the
 *                   keyboard controller's reset, then power-off (CPUID tells the runs apart)
 *   reboot-refused  on_fault = "stop": the reset register; the guest stays stopped */
#include "guest.h"

#define PIT_CH0       0x40
#define PIT_CH2       0x42
#define PIT_CONTROL   0x43
#define PORT_B        0x61
#define PORT_B_GATE2  0x01
#define PORT_B_SPKR   0x02
#define PORT_B_OUT2   0x20
#define CW_CH2_WORD_MODE0 0xb0  /* counter 2, LSB then MSB, mode 0, binary */
#define CW_CH2_WORD_MODE1 0xb2
#define CW_CH2_LATCH  0x80
#define CW_READBACK_STATUS_CH2 0xe8  /* read-back, status only, counter 2 */
#define PM_SLEEP_CONTROL 0x600
#define PM_SLEEP_STATUS  0x601
#define PM_RESET         0x602
#define PM_RESET_VALUE   0x01
#define SLP_EN           0x20
#define SLP_TYP(t)       ((t) << 2)
#define KBC_COMMAND      0x64
#define PIT_HZ           1193182ull
#define ATTEMPTS         5       /* samples whose bracket is too wide to judge are retaken */

static uint64_t tsc_hz;

static uint64_t clocks(uint64_t cycles)
{
    return cycles / tsc_hz * PIT_HZ + cycles % tsc_hz * PIT_HZ / tsc_hz;
}

static void spin_clocks(uint64_t n)
{
    uint64_t t0 = rdtsc();
    while (clocks(rdtsc() - t0) < n)
        __asm__ volatile("pause");
}

/* When a port write or a latch happened: between these two TSC reads. */
struct window {
    uint64_t before, after;
};

static struct window program(uint8_t cw, uint16_t count)
{
    struct window w;
    outb(PIT_CONTROL, cw);
    outb(PIT_CH2, (uint8_t)count);
    w.before = rdtsc();
    outb(PIT_CH2, (uint8_t)(count >> 8));   /* the count loads at its second byte */
    w.after = rdtsc();
    return w;
}

/* Latches channel 2 at some instant of the returned window, waits `hold` clocks, reads. */
static uint16_t latched(struct window *w, uint64_t hold)
{
    w->before = rdtsc();
    outb(PIT_CONTROL, CW_CH2_LATCH);
    w->after = rdtsc();
    spin_clocks(hold);
    uint8_t lo = inb(PIT_CH2);
    return (uint16_t)(lo | inb(PIT_CH2) << 8);
}

/* Clocks between two events, each known to lie in its window: [min, max], +-1 for rounding. */
static void between(const struct window *a, const struct window *b, uint64_t *min, uint64_t *max)
{
    *min = b->before > a->after ? clocks(b->before - a->after) : 0;
    *min = *min ? *min - 1 : 0;
    *max = clocks(b->after - a->before) + 1;
}

static void check_latched_count(void)
{
    uint64_t min = 0, max = 0, seen = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
        struct window load = program(CW_CH2_WORD_MODE0, 0xffff), at;
        /* Hold the latch for longer than a sample's window: a count read live would show. */
        uint16_t c = latched(&at, 3000);
        between(&load, &at, &min, &max);
        seen = 0xffffu - c;
        if (max - min >= 2000 || max > 0xffff)
            continue;           /* the emulator stalled in a window: cannot judge, retake */
        check("pit-latched-count", seen >= min && seen <= max,
              "latched %#x = %lu clocks after the load, the TSC says %lu-%lu", c, seen, min, max);
        return;
    }
    check("pit-latched-count", false, "no sample narrow enough to judge in %d tries (last %lu-%lu)",
          ATTEMPTS, min, max);
}

static void check_count_decreases(void)
{
    uint64_t min = 0, max = 0, seen = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
        struct window load = program(CW_CH2_WORD_MODE0, 0xffff), a, b;
        (void)load;
        uint16_t c1 = latched(&a, 0);
        spin_clocks(5000);
        uint16_t c2 = latched(&b, 0);
        between(&a, &b, &min, &max);
        seen = (uint16_t)(c1 - c2);
        if (max - min >= 5000 || max > 0xffff)
            continue;
        check("pit-count-decreases", c2 < c1 && seen >= min && seen <= max,
              "%#x then %#x: down %lu clocks, the TSC says %lu-%lu", c1, c2, seen, min, max);
        return;
    }
    check("pit-count-decreases", false, "no pair narrow enough to judge in %d tries (last %lu-%lu)",
          ATTEMPTS, min, max);
}

/* OUT2 (port B bit 5) is low until the count runs out, then high: no read whose window lies
 * wholly before terminal count may see it high, none wholly after it may see it low. */
static void check_out2(void)
{
    const uint16_t n = 3000;
    for (int i = 0; i < ATTEMPTS; i++) {
        struct window load = program(CW_CH2_WORD_MODE0, n), rd;
        unsigned lows = 0, late_lows = 0;
        bool high = false;
        uint64_t min = 0, max = 0, late_min = 0;
        /* Bounded only to catch a hang: many times the count's length of TSC time. */
        uint64_t give_up = rdtsc() + tsc_hz;
        while (!high && rdtsc() < give_up) {
            rd.before = rdtsc();
            high = inb(PORT_B) & PORT_B_OUT2;
            rd.after = rdtsc();
            between(&load, &rd, &min, &max);
            if (!high && min > n) {
                late_lows++;
                late_min = min;
            }
            lows += !high;
        }
        if (!high) {
            check("pit-out2-rises-at-terminal-count", false, "OUT2 still low after a second "
                  "of TSC time");
            return;
        }
        if (!lows && min >= n && i + 1 < ATTEMPTS)
            continue;           /* the first read came too late to see it low: retake */
        check("pit-out2-low-before-terminal-count", lows > 0 && !late_lows,
              "%u low reads, %u of them surely after terminal count (one %lu clocks after "
              "the load of %u)", lows, late_lows, late_min, n);
        check("pit-out2-rises-at-terminal-count", max >= n,
              "read high %lu-%lu clocks after the load of %u", min, max, n);
        return;
    }
}

static void check_gate(void)
{
    struct window a, b;
    program(CW_CH2_WORD_MODE0, 0xffff);
    outb(PORT_B, inb(PORT_B) & ~PORT_B_GATE2);
    uint16_t c1 = latched(&a, 0);
    spin_clocks(2000);
    uint16_t c2 = latched(&b, 0);
    check("pit-gate-low-holds-count", c1 == c2, "%#x then %#x with the gate low", c1, c2);
    outb(PORT_B, inb(PORT_B) | PORT_B_GATE2);
    spin_clocks(2000);
    uint16_t c3 = latched(&b, 0);
    check("pit-gate-high-resumes", c3 < c2 && c2 - c3 >= 1999,
          "%#x then %#x after 2000 clocks with the gate high", c2, c3);
}

static void check_registers(void)
{
    program(CW_CH2_WORD_MODE0, 0x1234);
    outb(PIT_CONTROL, CW_READBACK_STATUS_CH2);
    uint8_t st = inb(PIT_CH2);
    check("pit-readback-status", (st & 0x7f) == 0x30, "status %#x, want mode 0, LSB+MSB, "
          "count loaded", st);
    outb(PIT_CONTROL, CW_CH2_WORD_MODE1);   /* mode 1: refused, logged, nothing changes */
    outb(PIT_CONTROL, CW_READBACK_STATUS_CH2);
    st = inb(PIT_CH2);
    check("pit-mode1-refused", (st & 0x0e) == 0, "status %#x after a mode-1 control word", st);
    uint8_t ch0 = inb(PIT_CH0);
    check("pit-channel0-absent", ch0 == 0xff, "channel 0 read %#x", ch0);
    uint8_t b0 = inb(PORT_B);
    outb(PORT_B, (b0 & 0xfc) | PORT_B_GATE2 | PORT_B_SPKR);
    uint8_t b1 = inb(PORT_B);
    outb(PORT_B, b0);
    uint8_t b2 = inb(PORT_B);
    check("port-b-gate-and-speaker-kept", (b1 & 3) == 3 && (b2 & 3) == (b0 & 3),
          "wrote %#x, read %#x, restored %#x", (b0 & 0xfc) | 3, b1, b2);
}

static void check_pm(void)
{
    uint8_t s = inb(PM_SLEEP_STATUS);
    check("pm-sleep-status-clear", s == 0, "sleep status %#x", s);
    outb(PM_SLEEP_CONTROL, SLP_TYP(5));     /* a type without SLP_EN does nothing */
    outb(PM_SLEEP_CONTROL, SLP_TYP(3) | SLP_EN);
    check("pm-s3-refused-guest-runs", true, "%s", "never printed when it passes");
}

static int power_off(void)
{
    outb(PM_SLEEP_CONTROL, SLP_TYP(5) | SLP_EN);
    check("poweroff-stopped-the-guest", false, "still running after the S5 write");
    return 1;
}

static int reboot_run(void)
{
    uint32_t restarts = cpuid(HC_CPUID_LEAF_BASE + 1, 0).d;
    gprintf("platform: run %u\n", restarts);
    if (restarts == 0) {
        outb(PM_RESET, PM_RESET_VALUE);
        check("reset-register-stopped-the-guest", false, "still running after the reset write");
        return 1;
    }
    if (restarts == 1) {
        check("restarted-after-reset-register", true, "%s", "");
        outb(KBC_COMMAND, 0xfe);
        check("kbc-reset-stopped-the-guest", false, "still running after the 0xfe command");
        return 1;
    }
    check("restarted-after-kbc-reset", restarts == 2, "restart count %u, want 2", restarts);
    return power_off();
}

int guest_main(const struct exitless_boot_info *bi)
{
    if (guest_has_word(bi->cmdline, "reboot-refused")) {
        outb(PM_RESET, PM_RESET_VALUE);
        check("reset-register-stopped-the-guest", false, "still running after the reset write");
        return 1;
    }
    if (guest_has_word(bi->cmdline, "reboot"))
        return reboot_run();
    tsc_hz = (uint64_t)cpuid(HC_CPUID_LEAF_TIMING, 0).a * 1000;
    if (!check("tsc-frequency-known", tsc_hz >= 1000000, "CPUID %#x says %lu Hz",
               HC_CPUID_LEAF_TIMING, tsc_hz))
        return 1;
    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPKR) | PORT_B_GATE2);  /* as Linux does */
    check_latched_count();
    check_count_decreases();
    check_out2();
    check_gate();
    check_registers();
    check_pm();
    if (guest_has_word(bi->cmdline, "poweroff"))
        return power_off();
    return 0;
}
