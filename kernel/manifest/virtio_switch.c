/* Builds and checks [virtio_switch]: the mirror of the sidecore's software switch, whose
 * endpoints are virtio-net ports ("portN" or the name of a guest with one port); and checks
 * the virtio-net rate limits against what the switch's buckets hold. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

#define MAX_PORT 255u

static void walk_sources(struct mf_walk *w, uint32_t n)
{
    struct mf_port_mirror *m = w->obj;
    mf_get_refs(w->ws, n, "sources", "an array of guest names or \"portN\"", "a guest name or \"portN\"",
                m->src_refs, m->src_pos, &m->nsrcs);
}

static void walk_vlans(struct mf_walk *w, uint32_t n)
{
    struct mf_port_mirror *m = w->obj;
    mf_get_vlans(w->ws, n, m->vlans, &m->nvlans);
}

static const struct mf_key mirror_keys[] = {
    MF_KEY("sources", K_SUB, struct mf_port_mirror, src_refs, .sub = walk_sources),
    MF_KEY("vlans", K_SUB, struct mf_port_mirror, vlans, .sub = walk_vlans),
    MF_KEY("target", K_NAME, struct mf_port_mirror, target_ref, .required = true,
           .pos_off = MF_POS(struct mf_port_mirror, target_pos)),
    MF_KEY_END,
};

static void walk_mirror(struct mf_walk *w, uint32_t n)
{
    struct mf_virtio_switch *s = w->obj;
    if (mf_node(w->ws, n)->kind != N_TABLE) {
        mf_value_error(w->ws, "mirror", n, "a table such as { sources = [\"a\"], target = \"b\" }");
        return;
    }
    struct mf_walk sub = { w->ws, &s->mirror, "the mirror of [virtio_switch]", n };
    s->mirror.present = true;
    s->mirror.pos = mf_node(w->ws, n)->kpos;
    s->mirror.target_port = UINT16_MAX;  /* until resolved */
    uint32_t errors = w->ws->diag.count + w->ws->diag.dropped;
    mf_walk_table(&sub, mirror_keys);
    /* After an error in 'sources' or 'vlans' the lists may be empty for that reason alone. */
    if (!s->mirror.nsrcs && !s->mirror.nvlans && w->ws->diag.count + w->ws->diag.dropped == errors)
        mf_error(&w->ws->diag, s->mirror.pos, "the mirror of [virtio_switch] has nothing to mirror: "
                 "expected 'sources' or 'vlans'");
}

static const struct mf_key switch_keys[] = {
    MF_KEY("mirror", K_SUB, struct mf_virtio_switch, mirror, .sub = walk_mirror),
    MF_KEY_END,
};

void mf_walk_virtio_switch(struct mf_walk *w, uint32_t n)
{
    struct mf_manifest *m = w->obj;
    if (mf_node(w->ws, n)->kind != N_TABLE) {
        mf_value_error(w->ws, "virtio_switch", n, "a table");
        return;
    }
    struct mf_walk sub = { w->ws, &m->vswitch, "[virtio_switch]", n };
    m->vswitch.present = true;
    m->vswitch.pos = mf_node(w->ws, n)->kpos;
    mf_walk_table(&sub, switch_keys);
}

static uint32_t count_ports(const struct mf_manifest *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nguests; i++)
        n += m->guests[i].nvnets;
    return n;
}

static bool port_exists(const struct mf_manifest *m, uint32_t port)
{
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvnets; k++)
            if (m->guests[i].virtio_net[k].port == port)
                return true;
    return false;
}

/* "portN" (a virtio-net port of the machine) or a guest with exactly one virtio-net port. */
static bool resolve(struct mf_workspace *ws, const char *ref, struct mf_pos pos, const char *what,
                    uint16_t *port)
{
    const struct mf_manifest *m = &ws->model;
    const char *p = ref + 4;
    uint32_t n = 0;
    bool is_port = strncmp(ref, "port", 4) == 0 && *p;
    for (; is_port && *p; p++) {
        is_port = *p >= '0' && *p <= '9' && n <= MAX_PORT;
        n = n * 10 + (uint32_t)(*p - '0');
    }
    if (is_port) {
        if (n > MAX_PORT || !port_exists(m, n)) {
            mf_error(&ws->diag, pos, "%s '%s': no [[guest.virtio_net]] has port %u", what, ref, (unsigned)n);
            return false;
        }
        *port = (uint16_t)n;
        return true;
    }
    int g = mf_find_guest(m, ref);
    if (g < 0) {
        mf_error(&ws->diag, pos, "%s '%s': expected a guest name or \"portN\", found no such guest",
                 what, ref);
        return false;
    }
    const struct mf_guest *gu = &m->guests[g];
    if (gu->nvnets != 1) {
        mf_error(&ws->diag, pos, "%s '%s': guest '%s' has %u virtio-net ports: expected one, or "
                 "\"portN\" to name a port", what, ref, ref, (unsigned)gu->nvnets);
        return false;
    }
    *port = (uint16_t)gu->virtio_net[0].port;
    return true;
}

/* The switch's token buckets hold rates up to MF_VNET_RATE_MAX. */
static void check_limits(struct mf_workspace *ws)
{
    const struct mf_manifest *m = &ws->model;
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvnets; k++) {
            const struct mf_virtio_net *v = &m->guests[i].virtio_net[k];
            if (v->ingress_limit_bps > MF_VNET_RATE_MAX)
                mf_error(&ws->diag, v->ingress_pos, "'ingress_limit': expected at most 10Tbit "
                         "(the software switch's limit), found %llu bit/s",
                         (unsigned long long)v->ingress_limit_bps);
            if (v->egress_limit_bps > MF_VNET_RATE_MAX)
                mf_error(&ws->diag, v->egress_pos, "'egress_limit': expected at most 10Tbit "
                         "(the software switch's limit), found %llu bit/s",
                         (unsigned long long)v->egress_limit_bps);
        }
}

void mf_check_virtio_switch(struct mf_workspace *ws)
{
    struct mf_manifest *m = &ws->model;
    struct mf_port_mirror *mi = &m->vswitch.mirror;
    check_limits(ws);
    if (!m->vswitch.present)
        return;
    if (!count_ports(m)) {
        mf_error(&ws->diag, m->vswitch.pos, "[virtio_switch] is given, but no guest has a "
                 "[[guest.virtio_net]] port on the switch");
        return;
    }
    if (!mi->present)
        return;
    bool src_ok[MF_MAX_MIRROR_SRCS];
    for (uint32_t i = 0; i < mi->nsrcs; i++)
        src_ok[i] = resolve(ws, mi->src_refs[i], mi->src_pos[i], "mirror source", &mi->src_ports[i]);
    if (!mi->target_ref[0] || !resolve(ws, mi->target_ref, mi->target_pos, "mirror target", &mi->target_port))
        return;
    for (uint32_t i = 0; i < mi->nsrcs; i++)
        if (src_ok[i] && mi->src_ports[i] == mi->target_port)
            mf_error(&ws->diag, mi->src_pos[i], "mirror source '%s' is also the mirror target (port %u)",
                     mi->src_refs[i], (unsigned)mi->target_port);
}
