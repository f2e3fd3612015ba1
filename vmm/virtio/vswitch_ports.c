/* The software switch's port table: ports, the sorted MAC forwarding table, the mirror. Built
 * before the owning sidecore starts (see vswitch.h). */
#include <string.h>

#include "vmm/virtio/vswitch.h"

#define VLAN_MAX 4094u

static uint64_t mac48(const uint8_t m[6])
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 6; i++)
        v = v << 8 | m[i];
    return v;
}

void vsw_init(struct vsw *sw, uint32_t owner_cpu, uint64_t hz)
{
    memset(sw, 0, sizeof(*sw));
    sw->owner_cpu = owner_cpu;
    sw->hz = hz;
    sw->mirror.target = VSW_NO_PORT;
}

uint16_t vsw_lookup(const struct vsw *sw, const uint8_t mac[6])
{
    uint64_t key = mac48(mac);
    unsigned lo = 0, hi = sw->nmacs;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (sw->macs[mid].mac == key)
            return sw->macs[mid].port;
        if (sw->macs[mid].mac < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return VSW_NO_PORT;
}

int vsw_add_port(struct vsw *sw, const struct vsw_port_cfg *cfg, uint64_t now)
{
    static const uint8_t zero[6];
    if (cfg->port >= VSW_MAX_PORTS || sw->port[cfg->port].present || cfg->vlan > VLAN_MAX ||
        (cfg->mac[0] & 1) || memcmp(cfg->mac, zero, 6) == 0 ||
        (cfg->uplink != VSW_NO_UPLINK && cfg->uplink >= VSW_MAX_UPLINKS) ||
        vsw_lookup(sw, cfg->mac) != VSW_NO_PORT)
        return -1;
    struct vsw_port p = { .present = true, .spoof_check = cfg->spoof_check, .vlan = cfg->vlan,
                          .uplink = cfg->uplink, .guest = cfg->guest };
    memcpy(p.mac, cfg->mac, 6);
    /* The largest frame a port is charged for is a tagged mirror copy. */
    uint32_t frame = VSW_MAX_FRAME + VSW_TAG_LEN;
    if (vsw_bucket_init(&p.egress, cfg->egress_bps, sw->hz, vsw_burst_for(cfg->egress_bps, frame), now) ||
        vsw_bucket_init(&p.ingress, cfg->ingress_bps, sw->hz, vsw_burst_for(cfg->ingress_bps, frame), now))
        return -1;
    sw->port[cfg->port] = p;
    /* Insertion into the sorted forwarding table. */
    uint64_t key = mac48(cfg->mac);
    unsigned i = sw->nmacs;
    while (i > 0 && sw->macs[i - 1].mac > key) {
        sw->macs[i] = sw->macs[i - 1];
        i--;
    }
    sw->macs[i] = (struct vsw_mac_entry){ key, cfg->port };
    sw->nmacs++;
    sw->nports++;
    return 0;
}

int vsw_set_mirror(struct vsw *sw, const struct vsw_portset *sources, const uint16_t *vlans,
                   unsigned nvlans, uint16_t target)
{
    if (target >= VSW_MAX_PORTS || !sw->port[target].present || vsw_set_has(sources, target) ||
        nvlans > VSW_MAX_MIRROR_VLANS)
        return -1;
    for (unsigned p = 0; p < VSW_MAX_PORTS; p++)
        if (vsw_set_has(sources, p) && !sw->port[p].present)
            return -1;
    for (unsigned i = 0; i < nvlans; i++)
        if (vlans[i] == 0 || vlans[i] > VLAN_MAX)
            return -1;
    struct vsw_mirror *m = &sw->mirror;
    m->present = true;
    m->sources = *sources;
    m->nvlans = (uint8_t)nvlans;
    for (unsigned i = 0; i < nvlans; i++)
        m->vlans[i] = vlans[i];
    m->target = target;
    return 0;
}
