/*
 * The polling sidecore (manifest `hypervisor.sidecores`): a CPU that runs no guest and loops
 * over every queue of every virtio device it serves (vmm/vpci/vpci_virtio_fn.h). With n
 * sidecores, sidecore i serves the virtio-blk devices of the guests whose id is i modulo n;
 * the lowest sidecore owns the software switch and serves every virtio-net device
 * (vmm/virtio/vnet.h), sending the receive interrupts its transmissions caused at the end of
 * each pass.
 *
 * Each pass visits the guests round robin, starting one guest further every pass, and gives
 * each device one turn of at most SIDECORE_VQ_BUDGET chains per queue (vdev_turn(), under the
 * device's lock), so no guest's queue holds the sidecore for another's.
 *  - Guest to host: the driver's notifications are suppressed on every queue while the device
 *    is live (VRING_USED_F_NO_NOTIFY, or the event index); a notify write the driver makes
 *    anyway is a store to the notification page, which is memory: no exit. The sidecore reads
 *    the page and counts such writes.
 *  - Host to guest: when a queue's interrupt decision (vq_want_interrupt()) says so, an IPI to
 *    the APIC id and vector of the queue's MSI-X entry, as vpci_msix_check() accepts it for the
 *    guest's own cores and interrupt mode; an entry outside policy sends nothing (counted).
 *
 *  - Adaptive: after SIDECORE_IDLE_US without work it asks for notifications again, makes
 *    the notification pages read-only and halts; the next kick exits once (the store is
 *    single-stepped onto the page) and wakes it (vmm/sidecore/sidecore_idle.c). Its
 *    utilisation (busy, polling idle, halted) is logged when a guest it serves stops.
 * Guests with virtio_mode = "baseline" are served on their own vCPUs instead
 * (vmm/vpci/vpci_virtio_notify.h).
 */
#ifndef EXITLESS_VMM_SIDECORE_SIDECORE_H
#define EXITLESS_VMM_SIDECORE_SIDECORE_H

#include "exitless/manifest.h"

#define SIDECORE_VQ_BUDGET 16   /* chains per queue per turn */
#define SIDECORE_HALT_LOG_MAX 64 /* halts logged per sidecore; the rest only counted */
#define SIDECORE_IDLE_US 100000 /* idle time before it halts: 100 ms, far above any gap in a
                                 * busy guest's I/O even under TCG on a loaded host */

struct vpci_vfn;
/* A kick that exited on a device f's sidecore serves: wakes it if it halted. Any CPU. */
void sidecore_wake(const struct vpci_vfn *f);

/* g stopped (any CPU, after its state changed): the sidecores serving its virtio devices are
 * woken if they halted, so that they see the stop; not counted as a kick. */
struct guest;
void sidecore_guest_stopped(struct guest *g);

/* Management CPU, after every guest stopped: returns once each sidecore finished a whole pass
 * begun after the call (so its stop reports are logged), or after a bound of 1 s with a
 * warning naming a sidecore that did not. */
void sidecore_drain(void);

/* Management CPU, after the guests are created and before they start: gives each CPU of
 * m->hv.sidecores its polling loop. Returns the sidecores started. */
unsigned sidecore_start(const struct mf_manifest *m);

#endif
