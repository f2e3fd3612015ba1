/* pvnet role=scale: the sidecore's throughput for one guest among `of=N` on the same sidecore
 * (tests/manifests/pvnet-scale-*.toml, make bench). The guest sends FRAME_LEN-byte frames from
 * its port 0 to its own port 1 for `window-ms=M` of its TSC, keeping at most a ring's worth in
 * flight, and takes what arrives on port 1 between sends, so no frame waits for a receive
 * buffer. Both ports poll and ask for no interrupts. BENCH scale-<N>g-rx-per-s: the frames
 * received intact in the window per second of the TSC. */
#include "pvnet.h"

__attribute__((noreturn)) void role_scale(const char *cmdline)
{
    unsigned of = (unsigned)guest_word_number(cmdline, "of=", 1);
    uint64_t window_ms = guest_word_number(cmdline, "window-ms=", 500);
    uint64_t hz = guest_tsc_hz();
    struct port *tx = &ports[0], *rx = &ports[1];
    struct rx r;
    if (!check("scale-tsc-rate", hz != 0, "%lu Hz from CPUID 0x15", hz))
        guest_stop(1);
    bool up = send_frame(tx, rx->mac, tx->mac, K_PING, 0, FRAME_LEN, NULL);
    for (uint64_t n = 0; up && n < SPINS && !recv(rx, &r); n++)
        ;
    if (!check("scale-up", up && r.kind == K_PING && r.seq == 0, "a frame from port 0 reached port 1"))
        guest_stop(1);
    uint64_t got = 0, bad = 0, sent = 0;
    uint32_t seq = 1;
    uint64_t t0 = rdtsc(), end = t0 + hz / 1000 * window_ms, t = t0;
    while (t < end) {
        take_completions(tx);
        while ((uint16_t)(tx->tx_next - tx->tx_out) < VQ_SIZE &&
               send_frame(tx, rx->mac, tx->mac, K_FLOOD, seq++, FRAME_LEN, NULL))
            sent++;
        while (recv(rx, &r)) {
            if (r.kind == K_FLOOD && r.intact)
                got++;
            else
                bad++;
        }
        t = rdtsc();
    }
    drain_tx(tx);
    while (recv(rx, &r))
        ;
    check("scale-received", got > 0 && !bad, "%lu frames received intact in %lu ms (%lu sent, %lu damaged)",
          got, window_ms, sent, bad);
    gprintf("BENCH scale-%ug-rx-per-s %lu frames/s\n", of, got * hz / (t - t0));
    guest_stop(0);
}
