/* bench: guest-measured cost of the exits every guest pays (RDTSC around many
 * iterations), and how often an idle guest exits. Prints "BENCH name value unit" lines
 * that tools/bench.sh turns into build/bench.md. */
#include "guest.h"

#define ITER 2000
#define EXIT_TOTAL_IDLE_CYCLES 20000000ull

static void bench_line(const char *name, unsigned long value, const char *unit)
{
    gprintf("BENCH %s %lu %s\n", name, value, unit);
}

static unsigned long per_iter(uint64_t t0, uint64_t t1) { return (unsigned long)((t1 - t0) / ITER); }

int guest_main(const struct exitless_boot_info *bi)
{
    (void)bi;
    uint64_t t0, t1;

    /* Warm up once so first-touch costs do not count. */
    hypercall(HC_PING, 0, 0, 0);
    t0 = rdtsc();
    for (int i = 0; i < ITER; i++)
        hypercall(HC_PING, 0, 0, 0);
    t1 = rdtsc();
    bench_line("hypercall-roundtrip", per_iter(t0, t1), "cycles");

    t0 = rdtsc();
    for (int i = 0; i < ITER; i++)
        cpuid(0, 0);
    t1 = rdtsc();
    bench_line("cpuid-exit", per_iter(t0, t1), "cycles");

    t0 = rdtsc();
    for (int i = 0; i < ITER; i++)
        outb(0x3f8 + 7, (uint8_t)i); /* UART scratch register: an emulated port write */
    t1 = rdtsc();
    bench_line("uart-port-write-exit", per_iter(t0, t1), "cycles");

    /* Idle: spin with PAUSE for a fixed number of TSC cycles and count the exits the
     * hypervisor caused meanwhile (timer ticks, IPIs), scaled to a million cycles. */
    static struct hc_exit_stats a, b;
    hypercall(HC_GET_EXIT_STATS, (unsigned long)&a, sizeof(a), 0);
    t0 = rdtsc();
    while (rdtsc() - t0 < EXIT_TOTAL_IDLE_CYCLES)
        __asm__ volatile("pause");
    hypercall(HC_GET_EXIT_STATS, (unsigned long)&b, sizeof(b), 0);
    unsigned long idle = (unsigned long)(b.total_exits - a.total_exits - 1);
    /* Per second of the true TSC rate the hypervisor measured (CPUID 0x40000010). */
    uint64_t tsc_khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    bench_line("tsc-frequency", (unsigned long)(tsc_khz / 1000), "MHz");
    bench_line("idle-exits-per-second",
               (unsigned long)(idle * tsc_khz * 1000 / EXIT_TOTAL_IDLE_CYCLES), "exits/s");
    check("bench-complete", true, "%s", "never printed: this check reports completion");
    return 0;
}
