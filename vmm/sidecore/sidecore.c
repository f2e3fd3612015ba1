/* The sidecore's polling loop (vmm/sidecore/sidecore.h). */
#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/smp.h"
#include "vmm/guest.h"
#include "vmm/guest_mgr.h"
#include "kernel/percpu.h"
#include "kernel/tsc.h"
#include "kernel/vectors.h"
#include "vmm/sidecore/sidecore_priv.h"
#include "vmm/virtio/vswitch.h"
#include "vmm/vpci/vpci_virtio_fn.h"

/* Written by the management CPU before the sidecores start, then each its own (see
 * sidecore_priv.h for the fields other CPUs reach). */
static struct sidecore sidecores[MF_MAX_CPUS];
static unsigned nsidecores;

bool sidecore_serves(const struct sidecore *sc, const struct vpci_vfn *f)
{
    if (f->is_net)
        return sc->cpu == sc->switch_owner;  /* baseline too: it alone reaches the switch */
    if (f->baseline)
        return false;           /* served on the guest's own vCPUs (vpci_virtio_notify.c) */
    return f->g->id % sc->count == sc->index;
}

unsigned sidecore_read_notify(struct vpci_vfn *f)
{
    unsigned n = 0;
    for (unsigned q = 0; q < f->dev->info.nqueues; q++) {
        volatile uint16_t *slot = &f->notify[q * VPCI_VIRTIO_NOTIFY_MUL / 2];
        if (*slot != VPCI_VIRTIO_NOTIFY_IDLE) {
            *slot = VPCI_VIRTIO_NOTIFY_IDLE;
            __atomic_add_fetch(&f->notify_writes, 1, __ATOMIC_RELAXED);
            n++;
        }
    }
    return n;
}

/* One turn of f: returns the chains served and notify writes read (0: nothing to do). */
static uint32_t serve(struct vpci_vfn *f)
{
    struct vdev *d = f->dev;
    uint32_t work = sidecore_read_notify(f);
    if (!(vdev_status(d) & VIRTIO_STATUS_DRIVER_OK))
        return work;
    /* Baseline (virtio-net only): the classic way, served only after a kick that exited, with
     * the driver's notifications left on; a turn that found chains looks again next pass, as
     * the driver does not kick for chains the device has not yet used up. */
    if (f->baseline) {
        if (!__atomic_exchange_n(&f->base_kick, false, __ATOMIC_ACQ_REL))
            return work;
    } else {
        vdev_set_polling(d, true);  /* again after every reset the driver made */
    }
    uint32_t irq;
    bool config_irq;
    uint32_t n = vdev_turn(d, SIDECORE_VQ_BUDGET, &irq, &config_irq);
    if (n) {
        f->chains += n;
        f->turns++;
        if (f->baseline)
            __atomic_store_n(&f->base_kick, true, __ATOMIC_RELEASE);
    }
    for (uint16_t qi = 0; irq; qi++, irq >>= 1)
        if (irq & 1)
            vpci_vfn_interrupt(f, (uint16_t)vdev_queue_read(d, qi, VDEV_Q_MSIX));
    if (config_irq)
        vpci_vfn_config_interrupt(f);
    return work + n;
}

/* The receive interrupts and failures that the pass's transmissions left on net devices. */
static void net_interrupts(struct sidecore *sc)
{
    for (unsigned id = 0; id < GUEST_MAX; id++)
        for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
            struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
            if (!f)
                break;
            if (!f->is_net || !sidecore_serves(sc, f))
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
    sidecore_uplink_start(sc);
    sc->start = sc->last_work = rdtsc();
    for (unsigned first = 0;; first = (first + 1) % GUEST_MAX) {
        uint64_t t0 = rdtsc();
        uint32_t work = 0;
        bool stopped = false;
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
                if (!sidecore_serves(sc, f))
                    continue;
                any = true;
                if (running)
                    work += serve(f);
                else if (sc->seen_running[id])
                    sidecore_report_fn(f);
            }
            if (any) {
                stopped |= sc->seen_running[id] && !running;
                sc->seen_running[id] = running;
            }
        }
        work += sidecore_uplink_poll(sc);
        net_interrupts(sc);
        uint64_t t1 = rdtsc();
        if (work) {
            sc->busy += t1 - t0;
            sc->last_work = t1;
        } else {
            sidecore_idle(sc, t1);
        }
        if (stopped) {
            sidecore_uplink_report(sc);
            sidecore_report_util(sc);
        }
        __atomic_add_fetch(&sc->passes, 1, __ATOMIC_RELEASE);
        cpu_relax();
    }
}

/* Wakes one sidecore: its flag, and an IPI if it halted. */
static void wake_one(struct sidecore *sc, bool kick)
{
    __atomic_store_n(&sc->wake, true, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sc->asleep, __ATOMIC_SEQ_CST))
        lapic_send_ipi(percpu_of(sc->cpu)->apic_id, ICR_FIXED, VEC_IPI_XCALL);
    if (kick)
        __atomic_add_fetch(&sc->kick_wakes, 1, __ATOMIC_RELAXED);
}

void sidecore_drain(void)
{
    for (unsigned i = 0; i < nsidecores; i++) {
        struct sidecore *sc = &sidecores[i];
        /* The pass under way when the snapshot is taken may have looked before the stop:
         * two more passes contain a whole one that began after it. */
        uint64_t want = __atomic_load_n(&sc->passes, __ATOMIC_ACQUIRE) + 2;
        uint64_t now = rdtsc(), until = now + tsc_us_to_cycles(1000000), next = now;
        uint64_t every = tsc_us_to_cycles(1000);
        while (__atomic_load_n(&sc->passes, __ATOMIC_ACQUIRE) < want) {
            /* Again every millisecond: a pass may end in a halt before it counts. */
            if ((now = rdtsc()) >= next) {
                wake_one(sc, false);
                next = now + every;
            }
            if (now > until) {
                log_warn("sidecore", "CPU %u: no pass within 1 s of the last guest's stop: its "
                                     "report may be missing", sc->cpu);
                break;
            }
            cpu_relax();
        }
    }
}

void sidecore_wake(const struct vpci_vfn *f)
{
    for (unsigned i = 0; i < nsidecores; i++)
        if (sidecore_serves(&sidecores[i], f))
            wake_one(&sidecores[i], true);
}

/* Each sidecore that serves any of the guest's functions is woken once (not a kick). */
void sidecore_guest_stopped(struct guest *g)
{
    for (unsigned i = 0; i < nsidecores; i++) {
        for (unsigned k = 0; k < VPCI_VIRTIO_FNS; k++) {
            const struct vpci_vfn *f = vpci_virtio_fn_get(g->id, k);
            if (!f)
                break;
            if (sidecore_serves(&sidecores[i], f)) {
                wake_one(&sidecores[i], false);
                break;
            }
        }
    }
}

unsigned sidecore_start(const struct mf_manifest *m)
{
    unsigned n = mf_cpuset_count(&m->hv.sidecores), started = 0, index = 0;
    nsidecores = n;
    for (uint32_t cpu = 0; cpu < MF_MAX_CPUS && index < n; cpu++) {
        if (!mf_cpuset_has(&m->hv.sidecores, cpu))
            continue;
        struct sidecore *sc = &sidecores[index];
        *sc = (struct sidecore){ .index = index, .count = n, .cpu = cpu,
                                 .switch_owner = vsw_owner_of(m),
                                 .idle_bound = tsc_us_to_cycles(SIDECORE_IDLE_US) };
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
