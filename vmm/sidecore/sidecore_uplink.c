/*
 * The switch's uplinks on the sidecore that owns the switch (docs/virtio-switch.md): the
 * fabric's wire operations (vmm/virtio/vnet.h) bridged to the NIC drivers' uplink queues
 * (drivers/nic/nic.h), started before the owner's first pass, polled every pass, armed for
 * its halt. Owner: sc->switch_owner alone calls into here; the NICs' uplink queues are its
 * from sidecore_uplink_start() on.
 */
#include "drivers/nic/nic.h"
#include "kernel/log.h"
#include "vmm/sidecore/sidecore_priv.h"
#include "vmm/virtio/vnet.h"

#define UPLINK_BUDGET 32u   /* frames taken from each wire per pass */

static struct nic *uplink_nic(uint8_t nic)
{
    struct nic *n = nic_of(nic);
    return n && n->uplink && n->ops->uplink ? n : NULL;
}

static bool wire_tx(uint8_t nic, const uint8_t *frame, uint32_t len, uint16_t tci)
{
    struct nic *n = uplink_nic(nic);
    return n && n->ops->uplink->tx(n, frame, len, tci);
}

static unsigned wire_rx(uint8_t nic, vnet_wire_fn fn, void *arg, unsigned budget)
{
    struct nic *n = uplink_nic(nic);
    return n ? n->ops->uplink->rx(n, fn, arg, budget) : 0;
}

static const struct vnet_uplink_ops wire_ops = { .tx = wire_tx, .rx = wire_rx };

static bool owns(const struct sidecore *sc) { return sc->cpu == sc->switch_owner; }

/* The first NIC from *nic on that some port names as its uplink and that has its uplink
 * queue, with *nic set to its index; NULL when none is left. */
static struct nic *next_uplink(const struct vnet_fabric *fab, uint8_t *nic)
{
    for (; *nic < VSW_MAX_UPLINKS; (*nic)++) {
        struct nic *n = (fab->uplinks & (1u << *nic)) ? uplink_nic(*nic) : NULL;
        if (n)
            return n;
    }
    return NULL;
}

void sidecore_uplink_start(struct sidecore *sc)
{
    struct vnet_fabric *fab = vpci_virtio_fabric();
    if (!owns(sc))
        return;
    vnet_uplinks_set(fab, &wire_ops);
    for (uint8_t nic = 0; nic < VSW_MAX_UPLINKS; nic++) {
        if (!(fab->uplinks & (1u << nic)))
            continue;
        struct nic *n = uplink_nic(nic);
        if (!n) {   /* the boot refuses a manifest whose uplink NIC has none (nic_init) */
            log_err("sidecore", "CPU %u: NIC %u has no uplink queue: its ports reach no wire",
                    sc->cpu, nic);
            continue;
        }
        n->ops->uplink->start(n);
        log_info("sidecore", "CPU %u: uplink %s: polled every pass, up to %u frames", sc->cpu,
                 n->mf->name, UPLINK_BUDGET);
    }
}

unsigned sidecore_uplink_poll(struct sidecore *sc)
{
    return owns(sc) ? vnet_uplink_poll(vpci_virtio_fabric(), UPLINK_BUDGET) : 0;
}

/* Before a halt (on): every uplink's receive interrupt unmasked; false when a frame already
 * waits (do not halt). After it (off): masked again. */
bool sidecore_uplink_arm(struct sidecore *sc, bool on)
{
    struct vnet_fabric *fab = vpci_virtio_fabric();
    bool quiet = true;
    if (!owns(sc))
        return true;
    struct nic *n;
    for (uint8_t nic = 0; (n = next_uplink(fab, &nic)); nic++)
        quiet &= n->ops->uplink->arm(n, on);
    return quiet;
}

bool sidecore_uplink_woken(const struct sidecore *sc)
{
    struct vnet_fabric *fab = vpci_virtio_fabric();
    if (!owns(sc))
        return false;
    struct nic *n;
    for (uint8_t nic = 0; (n = next_uplink(fab, &nic)); nic++)
        if (n->ops->uplink->woken(n))
            return true;
    return false;
}

void sidecore_uplink_report(const struct sidecore *sc)
{
    struct vnet_fabric *fab = vpci_virtio_fabric();
    if (!owns(sc) || !fab->uplinks)
        return;
    struct nic *n;
    for (uint8_t nic = 0; (n = next_uplink(fab, &nic)); nic++) {
        const struct vsw_uplink_counters *u = &fab->sw.uplink[nic];
        log_info("sidecore", "uplink %s: to the wire %lu frames (%lu bytes); from the wire %lu "
                             "delivered, dropped: %lu unknown, %lu spoofed (a port's own source "
                             "address), %lu malformed", n->mf->name, u->tx_frames, u->tx_bytes,
                 u->rx_frames, u->drop_unknown, u->drop_spoof, u->drop_malformed);
        n->ops->uplink->report(n);
    }
    log_info("sidecore", "uplinks: %lu frames taken from the wire, %lu handed to it (%lu lost)",
             fab->wire_in, fab->wire_out, fab->wire_lost);
}
