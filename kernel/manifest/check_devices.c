/* Semantic checks of guest devices: virtio ports and uplinks, MAC uniqueness, plain PCI functions. */
#include <stdio.h>
#include <string.h>

#include <exitless/built.h>

#include "mf_internal.h"

#define MAX_PORTS 256

struct mac_use {
    const struct mf_mac *mac;
    struct mf_pos pos;
    uint8_t guest;
};

static void check_vnets(struct mf_workspace *ws)
{
    struct mf_manifest *m = &ws->model;
    uint8_t port_owner[MAX_PORTS];
    memset(port_owner, 0xff, sizeof(port_owner));
    for (uint32_t i = 0; i < m->nguests; i++) {
        struct mf_guest *g = &m->guests[i];
        bool polled = g->nvnets || (g->nvblks && g->virtio_mode == MF_VIRTIO_SIDECORE);
        if (polled && !mf_cpuset_count(&m->hv.sidecores)) {
            struct mf_pos at = g->nvnets ? g->virtio_net[0].pos : g->virtio_blk[0].pos;
            mf_error(&ws->diag, at, "guest '%s' has virtio devices, which need a sidecore: expected "
                     "'sidecores' in [hypervisor]", g->name);
        }
        for (uint32_t k = 0; k < g->nvnets; k++) {
            struct mf_virtio_net *v = &g->virtio_net[k];
            if (v->uplink_ref[0]) {
                int n = mf_find_nic(m, v->uplink_ref);
                if (n < 0)
                    mf_error(&ws->diag, v->uplink_pos, "'uplink': no [[nic]] is named '%s'",
                             v->uplink_ref);
                else
                    v->uplink = (uint8_t)n;
            }
            if (!v->port_set)
                continue;
            if (port_owner[v->port] != 0xff)
                mf_error(&ws->diag, v->port_pos, "virtio-net port %u is already used by guest '%s'",
                         (unsigned)v->port, m->guests[port_owner[v->port]].name);
            else
                port_owner[v->port] = (uint8_t)i;
        }
    }
    /* Ports left out get the lowest free numbers, in manifest order. */
    uint32_t next = 0;
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvnets; k++) {
            struct mf_virtio_net *v = &m->guests[i].virtio_net[k];
            if (v->port_set)
                continue;
            while (next < MAX_PORTS && port_owner[next] != 0xff)
                next++;
            if (next == MAX_PORTS) {
                mf_error(&ws->diag, v->pos, "no free virtio-net port left (at most %d)", MAX_PORTS);
                return;
            }
            v->port = next;
            port_owner[next] = (uint8_t)i;
        }
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvnets; k++) {
            struct mf_virtio_net *v = &m->guests[i].virtio_net[k];
            if (!v->mac_set) {
                /* Locally administered, derived from the port: 02:45:56:00:00:port. */
                struct mf_mac mac = { { 0x02, 0x45, 0x56, 0x00, 0x00, (uint8_t)v->port } };
                v->mac = mac;
            }
        }
}

/* MAC slot n of the machine: guest n / 8, its VF (n % 8 < 4) or virtio-net (n % 8 >= 4). */
static bool mac_slot(const struct mf_manifest *m, uint32_t n, struct mac_use *u)
{
    const struct mf_guest *g = &m->guests[n / 8];
    uint32_t k = n % 8;
    if (k < MF_MAX_GUEST_VFS) {
        if (k >= g->nvfs || g->vf[k].nic == MF_NONE)
            return false;
        *u = (struct mac_use){ &g->vf[k].mac, g->vf[k].mac_set ? g->vf[k].mac_pos : g->vf[k].pos,
                               (uint8_t)(n / 8) };
        return true;
    }
    k -= MF_MAX_GUEST_VFS;
    if (k >= g->nvnets)
        return false;
    *u = (struct mac_use){ &g->virtio_net[k].mac,
                           g->virtio_net[k].mac_set ? g->virtio_net[k].mac_pos : g->virtio_net[k].pos,
                           (uint8_t)(n / 8) };
    return true;
}

/* Pairwise over every MAC in the machine; no table, so the kernel stack stays small. */
static void check_macs(struct mf_workspace *ws)
{
    const struct mf_manifest *m = &ws->model;
    uint32_t slots = (uint32_t)m->nguests * 8;
    struct mac_use a, b;
    char text[24];
    _Static_assert(MF_MAX_GUEST_VFS + MF_MAX_GUEST_VNETS == 8, "mac_slot() packs 8 MACs per guest");
    for (uint32_t i = 0; i < slots; i++) {
        if (!mac_slot(m, i, &a))
            continue;
        for (uint32_t j = 0; j < i; j++)
            if (mac_slot(m, j, &b) && mf_mac_equal(a.mac, b.mac)) {
                mf_format_mac(a.mac, text, sizeof(text));
                mf_error(&ws->diag, a.pos, "MAC %s is already used by guest '%s' (line %u)", text,
                         m->guests[b.guest].name, (unsigned)b.pos.line);
                break;
            }
    }
}

static void check_pci(struct mf_workspace *ws)
{
    struct mf_manifest *m = &ws->model;
    char text[16];
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].npci; k++) {
            const struct mf_pci_dev *p = &m->guests[i].pci[k];
            if (!p->address_pos.line)
                continue;
            mf_format_pci(&p->address, text, sizeof(text));
            for (uint32_t n = 0; n < m->nnics; n++)
                if (mf_pci_equal(&p->address, &m->nics[n].pci))
                    mf_error(&ws->diag, p->address_pos,
                             "PCI device %s is nic '%s', which the hypervisor drives itself", text,
                             m->nics[n].name);
            for (uint32_t j = 0; j <= i; j++)
                for (uint32_t l = 0; l < (j == i ? k : m->guests[j].npci); l++)
                    if (mf_pci_equal(&p->address, &m->guests[j].pci[l].address))
                        mf_error(&ws->diag, p->address_pos,
                                 "PCI device %s is already assigned to guest '%s'", text,
                                 m->guests[j].name);
        }
}

/* Asking for a service this hypervisor does not have yet is an error (exitless/built.h). */
static void check_built(struct mf_workspace *ws)
{
    const struct mf_manifest *m = &ws->model;
    if (!SIDECORE_BUILT && mf_cpuset_count(&m->hv.sidecores))
        mf_error(&ws->diag, m->hv.sidecores_pos, "'sidecores': the polling sidecore is not built yet "
                 "in this hypervisor: expected no sidecores");
    for (uint32_t i = 0; i < m->nguests; i++) {
        const struct mf_guest *g = &m->guests[i];
        for (uint32_t k = 0; !VIRTIO_NET_BUILT && k < g->nvnets; k++)
            mf_error(&ws->diag, g->virtio_net[k].pos, "[[guest.virtio_net]] of guest '%s': virtio-net "
                     "is not built yet in this hypervisor: expected no virtio_net entry", g->name);
        for (uint32_t k = 0; !VIRTIO_NET_UPLINK_BUILT && k < g->nvnets; k++)
            if (g->virtio_net[k].uplink_ref[0])
                mf_error(&ws->diag, g->virtio_net[k].uplink_pos, "'uplink' of guest '%s': the "
                         "switch's uplink to a NIC's wire is not built yet in this hypervisor: "
                         "expected no uplink", g->name);
        for (uint32_t k = 0; !VIRTIO_BLK_BUILT && k < g->nvblks; k++)
            mf_error(&ws->diag, g->virtio_blk[k].pos, "[[guest.virtio_blk]] of guest '%s': virtio-blk "
                     "is not built yet in this hypervisor: expected no virtio_blk entry", g->name);
    }
}

/* Uses of module `name` besides the writable disk (guest wi, disk wk): images, initrds and
 * other disks. A writable disk's bytes are shared memory with whatever else reads them (an
 * image is loaded again at each restart), so it must be a module of its own. */
static const char *other_use(const struct mf_manifest *m, const char *name, uint32_t wi,
                             uint32_t wk)
{
    for (uint32_t i = 0; i < m->nguests; i++) {
        const struct mf_guest *g = &m->guests[i];
        if (!strcmp(g->image.name, name) || (g->initrd.name[0] && !strcmp(g->initrd.name, name)))
            return g->name;
        for (uint32_t k = 0; k < g->nvblks; k++)
            if ((i != wi || k != wk) && !strcmp(g->virtio_blk[k].module.name, name))
                return g->name;
    }
    return NULL;
}

static void check_vblks(struct mf_workspace *ws)
{
    const struct mf_manifest *m = &ws->model;
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvblks; k++) {
            const struct mf_virtio_blk *b = &m->guests[i].virtio_blk[k];
            const char *other = b->read_only || !b->module.name[0] ? NULL
                                : other_use(m, b->module.name, i, k);
            if (other)
                mf_error(&ws->diag, b->module.pos, "'module': '%s' is a writable disk of guest '%s' "
                         "and also used by guest '%s': expected a module of its own (or "
                         "read_only = true)", b->module.name, m->guests[i].name, other);
        }
}

void mf_check_devices(struct mf_workspace *ws)
{
    check_built(ws);
    check_vnets(ws);
    check_vblks(ws);
    check_macs(ws);
    check_pci(ws);
}
