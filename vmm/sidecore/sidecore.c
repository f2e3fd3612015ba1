/* The sidecore's polling loop (vmm/sidecore/sidecore.h). */
#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/smp.h"
#include "vmm/guest.h"
#include "vmm/guest_mgr.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/vpci/vpci_virtio_fn.h"

struct sidecore {
    unsigned index, count;
    uint32_t cpu;
    /* This sidecore's own, per guest: it ran when last seen (for the report at its stop). */
    bool seen_running[GUEST_MAX];
};
static struct sidecore sidecores[MF_MAX_CPUS];

/* Sends queue or configuration interrupt `entry` of f where its MSI-X entry says. */
static void interrupt(struct vpci_vfn *f, uint16_t entry)
{
    struct guest *g = f->g;
    uint32_t apics[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        apics[i] = g->vcpus[i].apic_id;
    uint8_t vector;
    uint32_t apic;
    if (!vpci_virtio_route(&f->tr, entry, apics, g->nvcpus, g->intr_mode, &vector, &apic)) {
        f->irqs_unrouted++;
        return;
    }
    lapic_send_ipi(apic, ICR_FIXED, vector);
    f->irqs++;
}

/* Notify writes the driver made though notifications were suppressed: counted, re-armed. */
static void read_notify(struct vpci_vfn *f)
{
    for (unsigned q = 0; q < f->blk.dev.info.nqueues; q++) {
        volatile uint16_t *slot = &f->notify[q * VPCI_VIRTIO_NOTIFY_MUL / 2];
        if (*slot != VPCI_VIRTIO_NOTIFY_IDLE) {
            *slot = VPCI_VIRTIO_NOTIFY_IDLE;
            f->notify_writes++;
        }
    }
}

static void report(const struct vpci_vfn *f)
{
    const struct vblk *b = &f->blk;
    log_info("sidecore", "%s virtio-blk %u: %lu chains in %lu turns (%lu reads, %lu writes, "
                         "%lu flushes, %lu I/O errors), %lu interrupts sent, %lu not routed, "
                         "%lu notify writes read from memory", f->g->name, f->index, f->chains,
             f->turns, b->reads, b->writes, b->flushes, b->ioerrs, f->irqs, f->irqs_unrouted,
             f->notify_writes);
}

static void serve(struct vpci_vfn *f)
{
    struct vdev *d = &f->blk.dev;
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
            interrupt(f, (uint16_t)vdev_queue_read(d, qi, VDEV_Q_MSIX));
    if (config_irq) {
        spin_lock(&f->tr.lock);
        uint16_t entry = f->tr.config_vector;
        spin_unlock(&f->tr.lock);
        vpci_virtio_isr_raise(&f->tr, VIRTIO_PCI_ISR_CONFIG);
        interrupt(f, entry);
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
            if (id % sc->count != sc->index)
                continue;
            for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
                struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
                if (!f)
                    break;
                /* guest->state is the management CPU's (guest->lock); a stale read here
                 * serves a device one pass late or early, which its reset before each run
                 * and its lock make harmless. */
                bool running = f->g->state == GUEST_RUNNING;
                if (running)
                    serve(f);
                else if (sc->seen_running[id])
                    report(f);
                if (i + 1 == VPCI_VIRTIO_FNS || !vpci_virtio_fn_get(id, i + 1))
                    sc->seen_running[id] = running;
            }
        }
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
        *sc = (struct sidecore){ .index = index, .count = n, .cpu = cpu };
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
