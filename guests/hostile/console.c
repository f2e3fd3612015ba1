/* hostile: both vCPUs flood the hypercall console and the virtual UART at once. */
#include "hostile.h"

#define FLOOD_HC_ROUNDS 4
#define FLOOD_UART_BYTES 3000
char flood[2][FLOOD_HC_BYTES];
static volatile uint64_t hc_short[2];

void console_flood(unsigned who)
{
    for (int i = 0; i < FLOOD_HC_BYTES; i++)
        flood[who][i] = (char)((who ? 'a' : 'A') + i % 26);
    guest_barrier_wait(&barrier, 2, SPINS);
    for (int r = 0; r < FLOOD_HC_ROUNDS; r++)
        if (hypercall(HC_CONSOLE_WRITE, (unsigned long)flood[who], FLOOD_HC_BYTES, 0) != FLOOD_HC_BYTES)
            hc_short[who]++;
    for (int i = 0; i < FLOOD_UART_BYTES; i++)
        outb(0x3f8, (uint8_t)((who ? '0' : 'K') + i % 10));
    guest_barrier_wait(&barrier, 2, SPINS);
}

void console_phase(void)
{
    guest_exit_stats(&s0);
    run_on_vcpu1(JOB_CONSOLE);
    console_flood(0);
    bool joined = vcpu1_finished();
    outb(0x3f8, '\n');
    gprintf("\n");
    guest_exit_stats(&s1);
    check("console-race-hc-lengths", joined && !hc_short[0] && !hc_short[1],
          "vCPU 1 finished %d, short writes %lu and %lu", joined, hc_short[0], hc_short[1]);
    uint64_t io = s1.exits[EXIT_IO] - s0.exits[EXIT_IO], vmcalls = s1.exits[EXIT_VMCALL] - s0.exits[EXIT_VMCALL];
    uint64_t sum = 0;
    for (unsigned r = 0; r < HC_STATS_REASONS; r++)
        sum += s1.exits[r];
    check("console-race-stats-sane",
          io >= 2 * FLOOD_UART_BYTES && vmcalls >= 2 * FLOOD_HC_ROUNDS && s1.total_exits >= sum &&
              s1.total_exits - s0.total_exits >= io + vmcalls && s1.unclaimed_port_accesses == 0 &&
              s1.hv_interrupts <= s1.total_exits,
          "I/O exits %lu vmcalls %lu total %lu (sum %lu) unclaimed %lu", io, vmcalls,
          s1.total_exits, sum, s1.unclaimed_port_accesses);
    uart_puts("console-after-race: the virtual UART still prints whole lines\n");
    char line[96];
    int n = gsnprintf(line, sizeof(line), "console-after-race: the hypercall console too (%s)\n", bi->name);
    long wrote = hypercall(HC_CONSOLE_WRITE, (unsigned long)line, (unsigned long)n, 0);
    check("console-after-race", wrote == n, "HC_CONSOLE_WRITE of %d bytes returned %ld", n, wrote);
}
