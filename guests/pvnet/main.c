/* pvnet: virtio-net through the virtual PCI, served by the polling sidecore's software switch
 * (tests/manifests/pvnet.toml). Two guests of this image, by command line:
 *  - role=a: port 0 on the untagged segment, port 1 on VLAN 10. It pings b (frames of seq 0
 *    until b answers, then PINGS more), with the hypervisor's exit counts over the exchange
 *    (goal: none), then sends spoofed frames from port 0 and frames to b from VLAN 10, waits
 *    until the switch has decided on each (their transmit chains come back), and says DONE.
 *  - role=b: port 0 on the untagged segment, port 1 the mirror target of a's port 0. It answers
 *    every ping and checks that it receives nothing spoofed or from VLAN 10, and that the
 *    mirror port saw a copy of every ping and every answer.
 * Frames are polled on the used rings. a's receive interrupts (MSI-X entry 0) are counted; b
 * asks for none, which the sidecore must honour. */
#include "pvnet.h"

#define VEC_NET 0x45
#define MSR_EOI 0x80b
#define PINGS 64                    /* one bit each in role_b's sets */
#define WANT ((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS))

struct port ports[NPORTS];
static volatile uint64_t irqs;
static struct hc_exit_stats s0, s1;

static void on_net(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    irqs++;
    wrmsr(MSR_EOI, 0);
}

static void post_rx(struct port *p, uint16_t i)
{
    p->d.q[VIRTIO_NET_RX_Q].desc[i] = (struct vring_desc){ (uint64_t)(uintptr_t)p->rxbuf[i], BUF_LEN,
                                                           VRING_DESC_F_WRITE, 0 };
    vio_submit_q(&p->d, VIRTIO_NET_RX_Q, i);
}

/* quiet: the driver polls and asks for no interrupts (VRING_AVAIL_F_NO_INTERRUPT), set in
 * the rings before the device sees them. */
static bool setup(unsigned k, bool quiet)
{
    struct port *p = &ports[k];
    if (quiet) {
        ((struct vring_avail *)p->rx.avail)->flags = VRING_AVAIL_F_NO_INTERRUPT;
        ((struct vring_avail *)p->tx.avail)->flags = VRING_AVAIL_F_NO_INTERRUPT;
    }
    unsigned slot = vio_find(VIRTIO_ID_NET, k);
    const char *why = slot ? vio_begin(&p->d, slot, VEC_NET, WANT) : "no virtio-net function";
    if (!why)
        why = vio_queue(&p->d, VIRTIO_NET_RX_Q, &p->rx);
    if (!why)
        why = vio_queue(&p->d, VIRTIO_NET_TX_Q, &p->tx);
    if (!why)
        why = vio_ready(&p->d);
    if (!why && !((p->d.features >> VIRTIO_NET_F_MAC) & 1))
        why = "VIRTIO_NET_F_MAC not offered";
    for (unsigned i = 0; !why && i < 6; i++)
        p->mac[i] = (uint8_t)vio_read(&p->d, 0x2000 + i, 1);
    uint16_t st = why ? 0 : (uint16_t)vio_read(&p->d, 0x2006, 2);
    char name[16];
    gsnprintf(name, sizeof(name), "port%u-init", k);
    if (!check(name, !why && (st & VIRTIO_NET_S_LINK_UP), "%s; MAC %02x:%02x:%02x:%02x:%02x:%02x, status %x",
               why ? why : "VERSION_1, MAC and STATUS negotiated, two queues", p->mac[0], p->mac[1],
               p->mac[2], p->mac[3], p->mac[4], p->mac[5], st))
        return false;
    for (uint16_t i = 0; i < VQ_SIZE; i++)
        post_rx(p, i);
    return true;
}

bool send_frame(struct port *p, const uint8_t dst[6], const uint8_t src[6], enum kind kind,
                uint32_t seq, uint32_t flen, const uint64_t *value)
{
    uint32_t id, len;
    while ((uint16_t)(p->tx_next - p->tx_out) >= VQ_SIZE) {
        uint64_t n = 0;
        while (!vio_poll_used(&p->d, VIRTIO_NET_TX_Q, &id, &len))
            if (++n > SPINS)
                return false;
        p->tx_out++;
    }
    uint16_t i = p->tx_next++ % VQ_SIZE;
    uint8_t *b = p->txbuf[i];
    for (unsigned k = 0; k < 12; k++)
        b[k] = 0;                    /* virtio_net_hdr: no offloads */
    uint8_t *f = b + 12;
    for (unsigned k = 0; k < 6; k++) {
        f[k] = dst[k];
        f[6 + k] = src[k];
    }
    f[12] = ETHERTYPE >> 8;
    f[13] = ETHERTYPE & 0xff;
    f[14] = (uint8_t)kind;
    for (unsigned k = 0; k < 4; k++)
        f[15 + k] = (uint8_t)(seq >> (8 * k));
    for (unsigned k = 19; k < flen; k++)
        f[k] = (uint8_t)(k * 3 + seq);
    for (unsigned k = 0; value && k < 8; k++)
        f[19 + k] = (uint8_t)(*value >> (8 * k));
    p->d.q[VIRTIO_NET_TX_Q].desc[i] = (struct vring_desc){ (uint64_t)(uintptr_t)b, 12 + flen, 0, 0 };
    vio_submit_q(&p->d, VIRTIO_NET_TX_Q, i);
    return true;
}

static bool send(struct port *p, const uint8_t dst[6], const uint8_t src[6], enum kind kind, uint32_t seq)
{
    return send_frame(p, dst, src, kind, seq, FRAME_LEN, NULL);
}

void take_completions(struct port *p)
{
    uint32_t id, len;
    while (vio_poll_used(&p->d, VIRTIO_NET_TX_Q, &id, &len))
        p->tx_out++;
}

bool drain_tx(struct port *p)
{
    uint32_t id, len;
    for (uint64_t n = 0; p->tx_out != p->tx_next; n++) {
        if (vio_poll_used(&p->d, VIRTIO_NET_TX_Q, &id, &len))
            p->tx_out++;
        else if (n > SPINS)
            return false;
    }
    return true;
}

bool recv(struct port *p, struct rx *r)
{
    uint32_t id, len;
    if (!vio_poll_used(&p->d, VIRTIO_NET_RX_Q, &id, &len))
        return false;
    const uint8_t *f = p->rxbuf[id % VQ_SIZE] + 12;
    for (unsigned k = 0; k < 6; k++)
        r->src[k] = f[6 + k];
    r->kind = (enum kind)f[14];
    r->seq = (uint32_t)f[15] | (uint32_t)f[16] << 8 | (uint32_t)f[17] << 16 | (uint32_t)f[18] << 24;
    r->len = len - 12;
    r->intact = len == 12 + FRAME_LEN && ((uint32_t)f[12] << 8 | f[13]) == ETHERTYPE;
    r->value = 0;
    for (unsigned k = 0; k < 8; k++)
        r->value |= (uint64_t)f[19 + k] << (8 * k);
    for (unsigned k = 19; r->intact && k < FRAME_LEN; k++)
        r->intact = f[k] == (uint8_t)(k * 3 + r->seq);
    post_rx(p, (uint16_t)(id % VQ_SIZE));
    return true;
}

const uint8_t *peer_mac(const char *cmdline, const char *word, uint8_t out[6])
{
    uint64_t v = guest_word_number(cmdline, word, 0);
    for (unsigned k = 0; k < 6; k++)
        out[k] = (uint8_t)(v >> (8 * (5 - k)));
    return out;
}

static __attribute__((noreturn)) void role_a(const char *cmdline)
{
    struct port *p = &ports[0], *v10 = &ports[1];
    uint8_t peer[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    peer_mac(cmdline, "peer=", peer);
    struct rx r;
    /* Until b is up: seq 0 again every so often. */
    bool up = false;
    for (unsigned tries = 0; !up && tries < 200; tries++) {
        send(p, peer, p->mac, K_PING, 0);
        for (uint64_t n = 0; !up && n < SPINS / 200; n++)
            up = recv(p, &r) && r.kind == K_PONG && r.seq == 0;
    }
    if (!check("peer-answers", up, "b answered ping 0"))
        guest_stop(1);
    /* The data path: no output and no hypercall between the two counts. */
    unsigned good = 0, bad = 0;
    guest_wait_quiet(&irqs);
    guest_exit_stats(&s0);
    for (uint32_t seq = 1; seq <= PINGS; seq++) {
        if (!send(p, peer, p->mac, K_PING, seq))
            break;
        bool got = false;
        for (uint64_t n = 0; !got && n < SPINS; n++)
            got = recv(p, &r) && r.kind == K_PONG && r.seq == seq;
        if (!got)
            break;
        if (r.intact)
            good++;
        else
            bad++;
    }
    guest_exit_stats(&s1);
    uint64_t exits = s1.total_exits - s0.total_exits - 1;  /* the second stats hypercall */
    if (exits)
        guest_print_exit_kinds("pvnet: measured window", &s0, &s1);
    check("ping-pong", good == PINGS && !bad, "%u of %u answers intact, %u damaged", good, PINGS, bad);
    check("data-path-no-exits", exits == 0, "%lu exits for %u frames sent and %u received",
          exits, PINGS, good);
    gprintf("BENCH sidecore-net-exits-per-1000-frames %lu exits\n", exits * 1000 / (2 * PINGS));
    check("rx-interrupts", irqs > 0, "%lu receive interrupts taken", irqs);
    /* Spoofed sources, then frames from VLAN 10 to b and to everyone. */
    uint8_t spoof[6] = { p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4], 0x99 };
    bool sent = true;
    for (uint32_t i = 0; i < 8; i++)
        sent &= send(p, peer, spoof, K_SPOOF, i);
    for (uint32_t i = 0; i < 4; i++) {
        sent &= send(v10, peer, v10->mac, K_VLAN, i);
        sent &= send(v10, bcast, v10->mac, K_VLAN, 100 + i);
    }
    sent &= drain_tx(p) && drain_tx(v10);
    check("isolation-frames-decided", sent, "8 spoofed frames and 8 from VLAN 10 sent and decided");
    sent = send(p, peer, p->mac, K_DONE, 0) && drain_tx(p);
    check("done-sent", sent, "DONE sent to b");
    guest_stop(0);
}

static unsigned bits(uint64_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static __attribute__((noreturn)) void role_b(void)
{
    struct port *p = &ports[0], *mir = &ports[1];
    uint64_t seen_ping[1] = { 0 }, seen_pong[1] = { 0 };  /* mirror copies of seq 1..64 */
    unsigned answered = 0, spoofed = 0, vlan = 0, other = 0, mirrored = 0;
    bool done = false, measuring = false;
    struct rx r;
    for (uint64_t n = 0; !done && n < 4 * SPINS; n++) {
        if (recv(mir, &r)) {
            mirrored++;
            uint64_t *set = r.kind == K_PING ? seen_ping : r.kind == K_PONG ? seen_pong : NULL;
            if (set && r.seq >= 1 && r.seq <= PINGS && r.intact)
                set[(r.seq - 1) / 64] |= 1ull << ((r.seq - 1) % 64);
        }
        if (!recv(p, &r))
            continue;
        switch (r.kind) {
        case K_PING:
            send(p, r.src, p->mac, K_PONG, r.seq);
            answered++;
            if (r.seq == 0 && !measuring) {
                measuring = true;
                guest_exit_stats(&s0);
            }
            break;
        case K_SPOOF: spoofed++; break;
        case K_VLAN: vlan++; break;
        case K_DONE: done = true; break;
        default: other++; break;
        }
    }
    if (measuring)
        guest_exit_stats(&s1);
    /* The mirror copies of the last frames may still be on their way: a short wait. */
    for (uint64_t n = 0; n < SPINS / 4 && (~seen_ping[0] || ~seen_pong[0]); n++)
        if (recv(mir, &r)) {
            mirrored++;
            uint64_t *set = r.kind == K_PING ? seen_ping : r.kind == K_PONG ? seen_pong : NULL;
            if (set && r.seq >= 1 && r.seq <= PINGS && r.intact)
                set[(r.seq - 1) / 64] |= 1ull << ((r.seq - 1) % 64);
        }
    uint64_t exits = measuring ? s1.total_exits - s0.total_exits - 1 : ~0ull;
    if (measuring && exits)
        guest_print_exit_kinds("pvnet: measured window", &s0, &s1);
    check("done-received", done, "%u pings answered", answered);
    check("answered", answered >= PINGS + 1, "%u pings answered (%u of them before a counted)", answered,
          answered - PINGS);
    check("data-path-no-exits", exits == 0, "%lu exits while answering", exits);
    check("spoof-dropped", done && spoofed == 0, "%u spoofed frames received", spoofed);
    check("vlan-isolation", done && vlan == 0, "%u frames from VLAN 10 received", vlan);
    unsigned pings = bits(seen_ping[0]), pongs = bits(seen_pong[0]);
    check("mirror-copies", pings == PINGS && pongs == PINGS,
          "mirror port saw %u of %u pings and %u of %u answers (%u copies in all)", pings, PINGS,
          pongs, PINGS, mirrored);
    check("no-stray-frames", other == 0, "%u frames of unknown kind", other);
    guest_stop(0);
}

int guest_main(const struct exitless_boot_info *bi)
{
    guest_set_handler(VEC_NET, on_net);
    __asm__ volatile("sti");
    /* b polls and asks for no interrupts on any queue, so that none arrives while its exit
     * counts are taken (an interrupt that meets a vCPU in an exit is injected, and its EOI
     * then exits). */
    bool a = guest_has_word(bi->cmdline, "role=a");
    bool loop = guest_has_word(bi->cmdline, "role=loop");
    bool scale = guest_has_word(bi->cmdline, "role=scale");
    bool wire = guest_has_word(bi->cmdline, "role=wire");
    bool qos_src = guest_has_word(bi->cmdline, "role=qos-src");
    bool qos_sink = guest_has_word(bi->cmdline, "role=qos-sink");
    for (unsigned k = 0; k < NPORTS; k++)
        if (!setup(k, !a && !loop))   /* scale polls with no interrupts */
            guest_stop(1);
    if (a)
        role_a(bi->cmdline);
    if (loop)
        role_loop(bi->cmdline, &irqs);
    if (scale)
        role_scale(bi->cmdline);
    if (wire)
        role_wire(bi->cmdline, &irqs);
    if (qos_src)
        role_qos_src(bi->cmdline);
    if (qos_sink)
        role_qos_sink(bi->cmdline);
    role_b();
}
