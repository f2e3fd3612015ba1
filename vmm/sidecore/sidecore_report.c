/* The sidecore's log lines: per device when its guest stops, and its utilisation. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "vmm/guest.h"
#include "vmm/sidecore/sidecore_priv.h"

void sidecore_report_util(const struct sidecore *sc)
{
    uint64_t total = rdtsc() - sc->start;
    uint64_t idle = total - sc->busy - sc->halted;
    log_info("sidecore", "CPU %u: utilisation over %lu TSC cycles: busy %lu.%01lu%%, polling idle "
                         "%lu.%01lu%%, halted %lu.%01lu%%; %lu halts, %lu woken by a kick, %lu "
                         "halts given up because work came", sc->cpu, total,
             sc->busy * 100 / total, sc->busy * 1000 / total % 10, idle * 100 / total,
             idle * 1000 / total % 10, sc->halted * 100 / total, sc->halted * 1000 / total % 10,
             sc->halts, sc->kick_wakes, sc->halts_abandoned);
}

void sidecore_report_fn(const struct vpci_vfn *f)
{
    if (f->mmio_exits)
        log_info("sidecore", "%s virtio-%s %u: %lu register accesses to BAR0 emulated (exits of "
                             "configuration, not of the data path)", f->g->name,
                 f->is_net ? "net" : "blk", f->index, f->mmio_exits);
    if (f->is_net) {
        const struct vnet *n = &f->net;
        const struct vsw_counters *c = &n->fab->sw.port[n->port].c;
        log_info("sidecore", "%s virtio-net %u (port %u): %lu chains in %lu turns; sent %lu frames "
                             "(%lu bytes), received %lu (%lu bytes, %lu mirror copies); dropped: "
                             "%lu spoofed, %lu tagged, %lu malformed, %lu unknown, %lu over "
                             "ingress_limit, %lu without a receive buffer; %lu egress deferrals; "
                             "%lu interrupts sent, %lu not routed, %lu notify writes read from memory",
                 f->g->name, f->index, n->port, f->chains, f->turns, c->tx_frames, c->tx_bytes,
                 c->rx_frames, c->rx_bytes, c->mirrored, c->drop_spoof, c->drop_vlan,
                 c->drop_malformed, c->drop_unknown, c->drop_ingress, n->rx_nobuf, n->tx_deferred,
                 f->irqs, f->irqs_unrouted, f->notify_writes);
        if (n->policed || n->delivered)
            log_info("sidecore", "%s virtio-net %u (port %u): sidecore cost per frame sent (TSC "
                                 "cycles, header read to last copy): %lu policed at the receiver "
                                 "(every receiver over its ingress_limit) at %lu each, %lu "
                                 "delivered at %lu each", f->g->name, f->index, n->port, n->policed,
                     n->policed ? n->policed_ticks / n->policed : 0, n->delivered,
                     n->delivered ? n->delivered_ticks / n->delivered : 0);
        return;
    }
    const struct vblk *b = &f->blk;
    log_info("sidecore", "%s virtio-blk %u: %lu chains in %lu turns (%lu reads, %lu writes, "
                         "%lu flushes, %lu I/O errors), %lu interrupts sent, %lu not routed, "
                         "%lu notify writes read from memory", f->g->name, f->index, f->chains,
             f->turns, b->reads, b->writes, b->flushes, b->ioerrs, f->irqs, f->irqs_unrouted,
             f->notify_writes);
}

