/* The sidecore's polling loop (vmm/sidecore/sidecore.h). */
#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/smp.h"
#include "vmm/guest.h"
#include "vmm/guest_mgr.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/virtio/vswitch.h"
#include "vmm/vpci/vpci_virtio_fn.h"

struct sidecore {
    unsigned index, count;
    uint32_t cpu;
    uint32_t switch_owner;      /* the CPU that serves every virtio-net device (vnet.h) */
    /* This sidecore's own, per guest: it ran when last seen (for the report at its stop). */
    bool seen_running[GUEST_MAX];
};
static struct sidecore sidecores[MF_MAX_CPUS];

/* Virtio-blk devices go by guest id modulo the sidecores; every virtio-net device goes to the
 * switch's owner, which alone reaches the switch. */
static bool serves(const struct sidecore *sc, const struct vpci_vfn *f)
{
    if (f->baseline)
        return false;           /* served on the guest's own vCPUs (vpci_virtio_notify.c) */
    return f->is_net ? sc->cpu == sc->switch_owner : f->g->id % sc->count == sc->index;
}

/* Notify writes the driver made though notifications were suppressed: counted, re-armed. */
static void read_notify(struct vpci_vfn *f)
{
    for (unsigned q = 0; q < f->dev->info.nqueues; q++) {
        volatile uint16_t *slot = &f->notify[q * VPCI_VIRTIO_NOTIFY_MUL / 2];
        if (*slot != VPCI_VIRTIO_NOTIFY_IDLE) {
            *slot = VPCI_VIRTIO_NOTIFY_IDLE;
            f->notify_writes++;
        }
    }
}

static void report(const struct vpci_vfn *f)
{
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

static void serve(struct vpci_vfn *f)
{
    struct vdev *d = f->dev;
    read_notify(f);
    if (!(vdev_status(d) & VIRTIO_STATUS_DRIVER_OK))
        return;
    vdev_set_polling(d, true);  /* again after every reset the driver made */
    uint32_t irq;
    bool config_irq;
    uint32_t n = vdev_turn(d, SIDECORE_VQ_BUDGET, &irq, &config_irq);
    if (n) {
        f->chains += n;
        f->turns++;
    }
    for (uint16_t qi = 0; irq; qi++, irq >>= 1)
        if (irq & 1)
            vpci_vfn_interrupt(f, (uint16_t)vdev_queue_read(d, qi, VDEV_Q_MSIX));
    if (config_irq)
        vpci_vfn_config_interrupt(f);
}

/* The receive interrupts and failures that the pass's transmissions left on net devices. */
static void net_interrupts(struct sidecore *sc)
{
    for (unsigned id = 0; id < GUEST_MAX; id++)
        for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
            struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
            if (!f)
                break;
            if (!f->is_net || !serves(sc, f))
                continue;
            struct vnet *n = &f->net;
            if (n->rx_irq) {
                n->rx_irq = false;
                vpci_vfn_interrupt(f, (uint16_t)vdev_queue_read(f->dev, VIRTIO_NET_RX_Q, VDEV_Q_MSIX));
            }
            if (n->cfg_irq) {
                n->cfg_irq = false;
                vpci_vfn_config_interrupt(f);
            }
        }
}

static void sidecore_main(void *arg)
{
    struct sidecore *sc = arg;
    log_info("sidecore", "CPU %u: polling the virtio queues of guests %u mod %u", sc->cpu,
             sc->index, sc->count);
    for (unsigned first = 0;; first = (first + 1) % GUEST_MAX) {
        for (unsigned k = 0; k < GUEST_MAX; k++) {
            unsigned id = (first + k) % GUEST_MAX;
            struct vpci_vfn *f0 = vpci_virtio_fn_get(id, 0);
            if (!f0)
                continue;
            /* guest->state is the management CPU's (guest->lock), read once per guest and
             * pass; a stale read serves the devices one pass late or early, which their reset
             * before each run and their locks make harmless. */
            bool any = false, running = f0->g->state == GUEST_RUNNING;
            for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
                struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
                if (!f)
                    break;
                if (!serves(sc, f))
                    continue;
                any = true;
                if (running)
                    serve(f);
                else if (sc->seen_running[id])
                    report(f);
            }
            if (any)
                sc->seen_running[id] = running;
        }
        net_interrupts(sc);
        cpu_relax();
    }
}

unsigned sidecore_start(const struct mf_manifest *m)
{
    unsigned n = mf_cpuset_count(&m->hv.sidecores), started = 0, index = 0;
    for (uint32_t cpu = 0; cpu < MF_MAX_CPUS && index < n; cpu++) {
        if (!mf_cpuset_has(&m->hv.sidecores, cpu))
            continue;
        struct sidecore *sc = &sidecores[index];
        *sc = (struct sidecore){ .index = index, .count = n, .cpu = cpu,
                                 .switch_owner = vsw_owner_of(m) };
        index++;
        if (smp_assign_role(cpu, sidecore_main, sc)) {
            log_err("sidecore", "CPU %u cannot take the sidecore role (offline or busy): the "
                                "guests it would serve get no virtio service", cpu);
            continue;
        }
        started++;
    }
    return started;
}
