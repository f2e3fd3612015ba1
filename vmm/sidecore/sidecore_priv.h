/* The sidecore's state, shared by its loop (sidecore.c), its halt (sidecore_idle.c) and its
 * log lines (sidecore_report.c). */
#ifndef EXITLESS_VMM_SIDECORE_PRIV_H
#define EXITLESS_VMM_SIDECORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/vpci/vpci_virtio_fn.h"

struct sidecore {
    unsigned index, count;
    uint32_t cpu;
    uint32_t switch_owner;      /* the CPU that serves every virtio-net device (vnet.h) */
    uint64_t idle_bound;        /* TSC cycles without work before it halts */
    /* This sidecore's own, per guest: it ran when last seen (for the report at its stop). */
    bool seen_running[GUEST_MAX];
    /* Its own: TSC at its start and at its last pass with work; cycles of passes with work
     * and halted; halts, and halts given up because work came while it prepared one. */
    uint64_t start, last_work, busy, halted, halts, halts_abandoned;
    /* Any CPU: asleep is the sidecore's (set before it checks `wake` and halts, cleared when
     * it wakes); wake is set by a vCPU whose kick exited (sidecore_wake) and cleared by the
     * sidecore before it makes the notify pages read-only, so no kick is lost between. */
    volatile bool asleep, wake;
    uint64_t kick_wakes;        /* atomic: kicks that woke it */
    uint64_t passes;            /* atomic: written by the sidecore after each pass, read by
                                   the management CPU (sidecore_drain) */
};

/* Virtio-blk devices go by guest id modulo the sidecores; every virtio-net device goes to the
 * switch's owner, which alone reaches the switch; baseline devices to none. */
bool sidecore_serves(const struct sidecore *sc, const struct vpci_vfn *f);
/* Notify writes the driver made into f's page: counted and re-armed; returns how many. */
unsigned sidecore_read_notify(struct vpci_vfn *f);
/* A pass without work at TSC now: halts once idle_bound has passed since the last work. */
void sidecore_idle(struct sidecore *sc, uint64_t now);
void sidecore_report_fn(const struct vpci_vfn *f);
/* sidecore_uplink.c: the switch's uplinks, on its owner only (no-ops elsewhere). */
void sidecore_uplink_start(struct sidecore *sc);
unsigned sidecore_uplink_poll(struct sidecore *sc);
bool sidecore_uplink_arm(struct sidecore *sc, bool on);
bool sidecore_uplink_woken(const struct sidecore *sc);
void sidecore_uplink_report(const struct sidecore *sc);
void sidecore_report_util(const struct sidecore *sc);

#endif
