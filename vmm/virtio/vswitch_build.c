/* Builds the software switch from the manifest: one port per [[guest.virtio_net]], the
 * [virtio_switch] mirror, the lowest sidecore as the owner. Runs before that sidecore starts. */
#include <string.h>

#include <exitless/manifest.h>

#include "vmm/virtio/vswitch.h"

_Static_assert(VSW_MAX_UPLINKS == MF_MAX_NICS, "an uplink is a [[nic]] index");
_Static_assert(VSW_MAX_MIRROR_VLANS == MF_MAX_VLAN_LIST, "mirror VLAN lists have one bound");
_Static_assert(MF_VNET_RATE_MAX <= VSW_RATE_MAX, "the manifest refuses rates the buckets cannot hold");

uint32_t vsw_owner_of(const struct mf_manifest *m)
{
    for (uint32_t cpu = 0; cpu < MF_MAX_CPUS; cpu++)
        if (mf_cpuset_has(&m->hv.sidecores, cpu))
            return cpu;
    return UINT32_MAX;
}

int vsw_build(struct vsw *sw, const struct mf_manifest *m, uint64_t hz, uint64_t now)
{
    uint32_t owner = vsw_owner_of(m);
    vsw_init(sw, owner, hz);
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvnets; k++) {
            const struct mf_virtio_net *n = &m->guests[i].virtio_net[k];
            struct vsw_port_cfg c = {
                .port = (uint16_t)n->port, .vlan = n->vlan, .guest = (uint8_t)i,
                .uplink = n->uplink == MF_NONE ? VSW_NO_UPLINK : n->uplink,
                .spoof_check = n->spoof_check,
                .egress_bps = n->egress_limit_bps, .ingress_bps = n->ingress_limit_bps,
            };
            memcpy(c.mac, n->mac.b, 6);
            if (n->port >= VSW_MAX_PORTS || vsw_add_port(sw, &c, now))
                return -1;
        }
    if (sw->nports && owner == UINT32_MAX)
        return -1;
    const struct mf_port_mirror *mi = &m->vswitch.mirror;
    if (!mi->present)
        return 0;
    struct vsw_portset src = { { 0 } };
    for (uint32_t i = 0; i < mi->nsrcs; i++)
        vsw_set_add(&src, mi->src_ports[i]);
    return vsw_set_mirror(sw, &src, mi->vlans, mi->nvlans, mi->target_port);
}
