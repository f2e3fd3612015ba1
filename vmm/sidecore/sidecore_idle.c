/*
 * The sidecore's adaptive halt (vmm/sidecore/sidecore.h). After idle_bound TSC cycles of
 * passes without work, for every device it serves in a running guest:
 *  1. the drivers' notifications are asked for again (vdev_set_polling(false)); chains that
 *     arrived meanwhile end the attempt;
 *  2. `wake` is cleared, then every notification page is made read-only and each guest's
 *     vCPUs drop their translations (guest_ept_sync_remote(): one exit per vCPU in guest mode,
 *     once per halt): from here on a notify store exits (vmm/vpci/vpci_virtio_notify.c), is
 *     single-stepped onto the page and wakes the sidecore;
 *  3. the pages and rings are looked at once more: a notify store that landed before its
 *     page became read-only, or chains made available without one, end the attempt;
 *  3a. every uplink's receive interrupt is unmasked (sidecore_uplink.c), and a frame already
 *     waiting on one ends the attempt;
 *  4. `asleep` is set and, with interrupts off, `wake` is checked; the sidecore halts with
 *     `sti; hlt` (no interrupt can slip in between the two), and a waker that set `wake`
 *     after the check sees `asleep` and sends the IPI that ends the halt; a frame from
 *     the wire ends it with the uplink's own interrupt.
 * On waking (or giving up) the pages are made writable again (more rights need no flush) and
 * the next pass suppresses notifications again in its turns.
 */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "vmm/sidecore/sidecore_priv.h"
#include "vmm/vpci/vpci_virtio_notify.h"

#define RFLAGS_IF (1ull << 9)

/* Calls fn(f) for every device sc serves (in a running guest only, or in any); returns true
 * if any call did. A stopped guest's pages are protected too: when it starts again its first
 * kick must wake the sidecore. Its rings are not looked at: a guest that stopped in the middle
 * of a request may have left chains there, which must not keep the sidecore awake. */
static bool each(struct sidecore *sc, bool running_only, bool (*fn)(struct vpci_vfn *f))
{
    bool any = false;
    for (unsigned id = 0; id < GUEST_MAX; id++)
        for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
            struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
            if (!f)
                break;
            if (sidecore_serves(sc, f) && (!running_only || f->g->state == GUEST_RUNNING))
                any |= fn(f);
        }
    return any;
}

static bool notifications_on(struct vpci_vfn *f) { return vdev_set_polling(f->dev, false); }

static bool pending(struct vpci_vfn *f)
{
    return sidecore_read_notify(f) != 0 || vdev_set_polling(f->dev, false);
}

static bool set_protect(struct vpci_vfn *f, bool asleep)
{
    struct guest *g = f->g;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    int rc = vpci_virtio_protect(g, f, asleep);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (rc)
        log_err("sidecore", "%s: cannot change the mapping of a virtio notification page", g->name);
    return asleep;
}

static bool protect(struct vpci_vfn *f) { return set_protect(f, true); }
static bool unprotect(struct vpci_vfn *f) { return set_protect(f, false); }

/* Every guest with a page protected drops the writable translation (once per guest). */
static void sync_guests(struct sidecore *sc)
{
    for (unsigned id = 0; id < GUEST_MAX; id++)
        for (unsigned i = 0; i < VPCI_VIRTIO_FNS; i++) {
            struct vpci_vfn *f = vpci_virtio_fn_get(id, i);
            if (!f)
                break;
            if (sidecore_serves(sc, f)) {
                guest_ept_sync_remote(f->g);
                break;
            }
        }
}

static void halt(struct sidecore *sc)
{
    uint64_t rflags = read_rflags();
    __atomic_store_n(&sc->asleep, true, __ATOMIC_SEQ_CST);
    irq_disable();
    while (!__atomic_load_n(&sc->wake, __ATOMIC_SEQ_CST) && !sidecore_uplink_woken(sc)) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    __atomic_store_n(&sc->asleep, false, __ATOMIC_SEQ_CST);
    if (rflags & RFLAGS_IF)
        irq_enable();
}

void sidecore_idle(struct sidecore *sc, uint64_t now)
{
    if (now - sc->last_work < sc->idle_bound)
        return;
    sc->last_work = now;
    if (each(sc, true, notifications_on)) {
        sc->halts_abandoned++;
        return;
    }
    __atomic_store_n(&sc->wake, false, __ATOMIC_SEQ_CST);
    each(sc, false, protect);   /* none at all: it halts for good, nothing needs it */
    sync_guests(sc);
    /* A frame from the wire before the uplink's interrupt is unmasked would never raise it. */
    if (each(sc, true, pending) || !sidecore_uplink_arm(sc, true)) {
        sc->halts_abandoned++;
    } else {
        /* A wire that brings a frame now and then makes halts periodic: the first ones are
         * logged, the rest counted (the utilisation report has them all). */
        bool logged = sc->halts < SIDECORE_HALT_LOG_MAX;
        if (logged)
            log_info("sidecore", "CPU %u: idle, halting (notifications on, notify pages read-only)",
                     sc->cpu);
        else if (sc->halts == SIDECORE_HALT_LOG_MAX)
            log_info("sidecore", "CPU %u: idle, halting; further halts are counted, not logged",
                     sc->cpu);
        uint64_t t0 = rdtsc();
        halt(sc);
        sc->halted += rdtsc() - t0;
        sc->halts++;
        if (logged)
            log_info("sidecore", "CPU %u: woken after %lu TSC cycles", sc->cpu, rdtsc() - t0);
    }
    sidecore_uplink_arm(sc, false);
    each(sc, false, unprotect);
    sc->last_work = rdtsc();
}
