/* pvnet role=wire: the switch's uplink to a NIC's wire (tests/manifests/qemu-pvnet-uplink.toml).
 * Port 0 is untagged and port 1 on VLAN 20, both with the igb PF as their uplink; on the other
 * side of QEMU's socket, tests/igb_wire.py answers every ping addressed to the wire's station
 * (WIRE) with the same frame, addresses swapped and kind K_PONG, with the tag it came with, and
 * sends broadcasts (untagged, VLAN 20, VLAN 30) and frames to each port from the wrong VLAN.
 * Checks: every ping of each port is answered on that port (port 1's carry VLAN 20 on the
 * wire: the capture checks that), each port gets its own segment's broadcast and nothing of
 * the other's or of VLAN 30, and a window of pings takes no exit (the sidecore polls both
 * the guest's rings and the PF's); frames with a forged source never reach the wire. The
 * frames carry "EXLUP-00", "EXLUP-20" or "EXLUP-SP" (forged) after seq for the capture
 * checks. */
#include "pvnet.h"

#define WPINGS 16
#define TRIES 4                     /* windows measured before one with exits fails */

enum { K_BCAST0 = 0x21, K_BCAST20 = 0x22, K_BCAST30 = 0x23, K_CROSS = 0x24 };

static const uint8_t WIRE[6] = { 2, 0, 0, 0, 0, 0xe0 };

/* What each port received besides the answers it waited for. */
struct tally {
    unsigned b0, b20, b30, cross, foreign_pong, other;
};
static struct tally tally[NPORTS];

static uint64_t text8(const char *m)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)(uint8_t)m[i] << (8 * i);
    return v;
}

static uint64_t marker(unsigned k) { return text8(k ? "EXLUP-20" : "EXLUP-00"); }

static void count(unsigned k, const struct rx *r)
{
    struct tally *t = &tally[k];
    switch ((unsigned)r->kind) {
    case K_BCAST0: t->b0++; break;
    case K_BCAST20: t->b20++; break;
    case K_BCAST30: t->b30++; break;
    case K_CROSS: t->cross++; break;
    case K_PONG: t->foreign_pong += r->value != marker(k); break;
    default: t->other++; break;
    }
}

/* Takes what both ports received; true when port k got the answer to seq. */
static bool take(unsigned k, uint32_t seq)
{
    bool got = false;
    struct rx r;
    for (unsigned j = 0; j < NPORTS; j++)
        while (recv(&ports[j], &r)) {
            if (j == k && r.kind == K_PONG && r.seq == seq && r.value == marker(k) && r.len == FRAME_LEN)
                got = true;
            else
                count(j, &r);
        }
    return got;
}

/* One ping from port k to the wire, sent again once if its answer is slow. */
static bool ping(unsigned k, uint32_t seq)
{
    uint64_t m = marker(k);
    for (unsigned attempt = 0; attempt < 2; attempt++) {
        if (!send_frame(&ports[k], WIRE, ports[k].mac, K_PING, seq, FRAME_LEN, &m))
            return false;
        for (uint64_t n = 0; n < SPINS / 8; n++)
            if (take(k, seq))
                return true;
    }
    return false;
}

__attribute__((noreturn)) void role_wire(const char *cmdline, const volatile uint64_t *irqs)
{
    (void)cmdline;
    static uint32_t seq = 1;
    /* Until the wire answers: the far side starts with the test, not with this guest. */
    bool up = false;
    for (unsigned tries = 0; !up && tries < 50; tries++)
        up = ping(0, 0);
    if (!check("wire-answers", up, "the wire's station answered ping 0 on port 0"))
        guest_stop(1);
    unsigned good = 0, windows = 0;
    uint64_t exits = ~0ull;
    for (unsigned w = 0; w < TRIES && exits; w++) {
        struct hc_exit_stats s0, s1;
        guest_wait_quiet(irqs);
        guest_exit_stats(&s0);
        unsigned ok = 0;
        for (unsigned i = 0; i < WPINGS; i++, seq++)
            for (unsigned k = 0; k < NPORTS; k++)
                ok += ping(k, seq);
        guest_exit_stats(&s1);
        exits = s1.total_exits - s0.total_exits - 1;     /* the second stats hypercall */
        if (exits)
            guest_print_exit_kinds("pvnet wire: measured window", &s0, &s1);
        good = ok;
        windows++;
        if (ok != NPORTS * WPINGS)
            break;
    }
    check("wire-ping-pong", good == NPORTS * WPINGS, "%u of %u pings answered on their own port "
          "(%u from port 0 untagged, %u from port 1 on VLAN 20)", good, NPORTS * WPINGS, WPINGS, WPINGS);
    check("wire-no-exits", exits == 0, "%lu exits in a window of %u pings to the wire and their "
          "answers (%u window(s) measured)", exits, NPORTS * WPINGS, windows);
    /* Frames with a forged source address toward the wire: the switch drops them before the
     * uplink (the capture must not hold one: "EXLUP-SP"). */
    uint8_t forged[6] = { 2, 0, 0, 0, 0x0c, 0x99 };
    uint64_t sp = text8("EXLUP-SP");
    bool sent = true;
    for (uint32_t i = 0; i < 4; i++)
        sent &= send_frame(&ports[0], WIRE, forged, K_SPOOF, i, FRAME_LEN, &sp);
    check("wire-spoof-decided", sent && drain_tx(&ports[0]), "4 frames from a forged source sent "
          "toward the wire and decided by the switch");
    /* The wire's broadcasts come every 100 ms: wait for both segments', then a little more. */
    uint64_t n = 0;
    for (; n < 4 * SPINS && !(tally[0].b0 && tally[1].b20); n++)
        take(NPORTS, 0);
    for (uint64_t extra = 0; extra < SPINS / 4; extra++)
        take(NPORTS, 0);
    const struct tally *a = &tally[0], *b = &tally[1];
    check("wire-broadcast-untagged", a->b0 > 0 && !a->b20 && !a->b30, "port 0: %u untagged "
          "broadcasts, %u of VLAN 20, %u of VLAN 30", a->b0, a->b20, a->b30);
    check("wire-broadcast-vlan20", b->b20 > 0 && !b->b0 && !b->b30, "port 1: %u VLAN 20 "
          "broadcasts, %u untagged, %u of VLAN 30", b->b20, b->b0, b->b30);
    check("wire-vlan-isolation", !a->cross && !b->cross && !a->foreign_pong && !b->foreign_pong,
          "frames to a port from the other segment: %u on port 0, %u on port 1; answers for the "
          "other port: %u, %u", a->cross, b->cross, a->foreign_pong, b->foreign_pong);
    check("wire-no-stray-frames", !a->other && !b->other, "%u and %u frames of unknown kind",
          a->other, b->other);
    guest_stop(0);
}
