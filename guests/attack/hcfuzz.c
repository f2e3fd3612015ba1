/* attack: a hypercall fuzzer. Random numbers (every defined one but HC_STOP and
 * HC_TEST_RESULT, which would end the run or print results, plus unknown and huge ones) with
 * random arguments: small values, huge ones, and pointers at its scratch pages, at the end of
 * its RAM (ranges straddling it), past it, at device pages and at high addresses. Then the
 * hypervisor must still serve it correctly and its other memory be untouched. */
#include "attack.h"

#define SCRATCH (16 * 1024)
static uint8_t scratch[SCRATCH] __attribute__((aligned(4096)));
static uint8_t canary[8192] __attribute__((aligned(4096)));
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static struct hc_exit_stats a, b;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t arg(void)
{
    uint64_t r = rnd();
    switch (rnd() % 10) {
    case 0: return r & 0xff;
    case 1: return r;
    case 2: return ~0ull - (r & 0xff);
    /* Scratch: the hypervisor may write up to a page there (statistics, port results). */
    case 3: case 4: return (uint64_t)scratch + (r % (SCRATCH / 2));
    case 5: return bi->mem_size - (r & 0x1fff);
    case 6: return bi->mem_size + (r & 0xffff);
    case 7: return 0xfee00000ull + (r & 0xfff);
    case 8: return 1ull << (32 + r % 20);
    default: return r & 0xffffffffull;
    }
}

static uint64_t number(void)
{
    for (;;) {
        uint64_t r = rnd(), n;
        switch (r % 8) {
        case 0: n = r >> 3; break;                  /* anything */
        case 1: n = (r >> 3) & 0xff; break;         /* small unknown ones too */
        default: n = 1 + (r >> 3) % (HC_NR_MAX - 1 + 2); break;  /* the defined ones, and two past */
        }
        if (n != HC_STOP && n != HC_TEST_RESULT)
            return n;
    }
}

void hc_fuzz(uint64_t calls)
{
    phase_begin("hcfuzz");
    __asm__ volatile("sti");
    for (unsigned i = 0; i < sizeof(canary); i++)
        canary[i] = (uint8_t)(i * 7 + 1);
    uint64_t by_result[4] = { 0 };  /* >= 0, -EFAULT, -ENOSYS, other errors */
    guest_exit_stats(&a);
    for (uint64_t i = 0; i < calls; i++) {
        uint64_t nr = number();
        long rc = hypercall(nr, arg(), arg(), arg());
        by_result[rc >= 0 ? 0 : rc == -HC_EFAULT ? 1 : rc == -HC_ENOSYS ? 2 : 3]++;
    }
    guest_exit_stats(&b);
    uint64_t hc = b.exits[HC_EXIT_HYPERCALL] - a.exits[HC_EXIT_HYPERCALL];
    /* The fuzzed console writes used up this guest's console budget (512 bytes/s): wait
     * for it to refill so that the lines below are not dropped. */
    for (uint64_t t0 = rdtsc(), khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a; rdtsc() - t0 < 1500 * khz;)
        __asm__ volatile("pause");
    gprintf("attack: hcfuzz: %lu calls: %lu succeeded, %lu EFAULT, %lu ENOSYS, %lu other errors; "
            "%lu hypercall exits\n", calls, by_result[0], by_result[1], by_result[2], by_result[3], hc);
    unsigned changed = 0;
    for (unsigned i = 0; i < sizeof(canary); i++)
        changed += canary[i] != (uint8_t)(i * 7 + 1);
    check("hcfuzz-all-served", hc >= calls + 1 && by_result[1] > 0 && by_result[2] > 0,
          "%lu hypercall exits for %lu calls; EFAULT %lu ENOSYS %lu", hc, calls, by_result[1], by_result[2]);
    check("hcfuzz-memory-intact", changed == 0, "%u canary bytes changed", changed);
    /* Still served correctly: a ping, an unknown number, a pointer past RAM, real statistics. */
    static const char msg[] = "attack: hcfuzz: console still works\n";
    long w = hypercall(HC_CONSOLE_WRITE, (uint64_t)msg, sizeof(msg) - 1, 0);
    long e = hypercall(HC_GET_EXIT_STATS, bi->mem_size - 8, sizeof(a), 0);
    long u = hypercall(0x7fffffffull, 0, 0, 0);
    guest_exit_stats(&a);
    check("hcfuzz-hypervisor-serves-after",
          hypercall(HC_PING, 0, 0, 0) == 0 && w == (long)sizeof(msg) - 1 && e == -HC_EFAULT &&
              u == -HC_ENOSYS && a.exits[HC_EXIT_HYPERCALL] >= b.exits[HC_EXIT_HYPERCALL] + 4,
          "console %ld, stats past RAM %ld, unknown %ld", w, e, u);
    phase_end("hcfuzz");
}
