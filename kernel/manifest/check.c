/* Semantic checks that need no platform facts: names, references, CPU ownership, VFs, MACs, mirrors. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

#define NO_OWNER 0xffu

struct checker {
    struct mf_workspace *ws;
    struct mf_manifest *m;
    struct mf_diag *d;
    uint8_t vf_owner[MF_MAX_NICS][MF_MAX_VFS_PER_NIC];  /* guest index or NO_OWNER */
};

/* ", did you mean 'x'?" against a list of names taken from the model. */
static const char *hint_among(const char *word, const char *base, size_t stride, uint32_t n,
                              char *buf, size_t size)
{
    const char *cands[MF_MAX_MODULES];
    for (uint32_t i = 0; i < n && i < MF_MAX_MODULES; i++)
        cands[i] = base + i * stride;
    const char *s = mf_suggest(word, cands, n < MF_MAX_MODULES ? n : MF_MAX_MODULES);
    if (s)
        snprintf(buf, size, "; did you mean '%s'?", s);
    else
        buf[0] = '\0';
    return buf;
}

static void check_names(struct checker *c)
{
    struct mf_manifest *m = c->m;
    char pci[16];
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t j = 0; j < i; j++)
            if (m->guests[i].name_pos.line && strcmp(m->guests[i].name, m->guests[j].name) == 0)
                mf_error(c->d, m->guests[i].name_pos,
                         "guest name '%s' is already used by the guest at line %u", m->guests[i].name,
                         (unsigned)m->guests[j].pos.line);
    for (uint32_t i = 0; i < m->nnics; i++)
        for (uint32_t j = 0; j < i; j++) {
            if (m->nics[i].name_pos.line && strcmp(m->nics[i].name, m->nics[j].name) == 0)
                mf_error(c->d, m->nics[i].name_pos, "nic name '%s' is already used by the nic at line %u",
                         m->nics[i].name, (unsigned)m->nics[j].pos.line);
            if (m->nics[i].pci_pos.line && m->nics[j].pci_pos.line &&
                mf_pci_equal(&m->nics[i].pci, &m->nics[j].pci)) {
                mf_format_pci(&m->nics[i].pci, pci, sizeof(pci));
                mf_error(c->d, m->nics[i].pci_pos, "PCI address %s is already nic '%s'", pci,
                         m->nics[j].name);
            }
        }
}

static void resolve_module(struct checker *c, struct mf_modref *r)
{
    char hint[MF_NAME_MAX + 24];
    r->module = MF_NONE;
    if (!r->name[0])
        return;
    int i = mf_find_module(c->m, r->name);
    if (i >= 0)
        r->module = (uint8_t)i;
    else if (c->m->has_modules_table)
        mf_error(c->d, r->pos, "module '%s' is not listed in [modules]%s", r->name,
                 hint_among(r->name, c->m->modules[0].name, sizeof(c->m->modules[0]), c->m->nmodules,
                            hint, sizeof(hint)));
}

/* One error per conflicting owner, naming the shared CPUs. */
static void cpu_conflict(struct checker *c, const struct mf_guest *g, const struct mf_cpuset *other,
                         const char *what)
{
    struct mf_cpuset both;
    char list[64];
    uint32_t n = 0;
    for (uint32_t w = 0; w < MF_MAX_CPUS / 64; w++) {
        both.bits[w] = g->cpus.bits[w] & other->bits[w];
        n += both.bits[w] != 0;
    }
    if (!n)
        return;
    mf_format_cpuset(&both, list, sizeof(list));
    mf_error(c->d, g->cpus_pos, "guest '%s': CPU%s %s %s %s", g->name,
             mf_cpuset_count(&both) > 1 ? "s" : "", list, mf_cpuset_count(&both) > 1 ? "are" : "is",
             what);
}

static void check_cpus(struct checker *c)
{
    struct mf_manifest *m = c->m;
    struct mf_cpuset mgmt;
    char what[MF_NAME_MAX + 48];
    memset(&mgmt, 0, sizeof(mgmt));
    mf_cpuset_add(&mgmt, m->hv.management_cpu);
    if (mf_cpuset_has(&m->hv.sidecores, m->hv.management_cpu))
        mf_error(c->d, m->hv.sidecores_pos,
                 "CPU %u is the management CPU and cannot also be a sidecore",
                 (unsigned)m->hv.management_cpu);
    for (uint32_t i = 0; i < m->nguests; i++) {
        struct mf_guest *g = &m->guests[i];
        g->ncpus = mf_cpuset_count(&g->cpus);
        if (!g->ncpus)
            continue;
        cpu_conflict(c, g, &mgmt, "the management CPU (management_cpu), expected CPUs of its own");
        cpu_conflict(c, g, &m->hv.sidecores, "a sidecore (hypervisor.sidecores)");
        for (uint32_t j = 0; j < i; j++) {
            snprintf(what, sizeof(what), "already used by guest '%s' (line %u)", m->guests[j].name,
                     (unsigned)m->guests[j].cpus_pos.line);
            cpu_conflict(c, g, &m->guests[j].cpus, what);
        }
    }
}

static void check_memory(struct checker *c)
{
    char sz[24];
    for (uint32_t i = 0; i < c->m->nguests; i++) {
        const struct mf_guest *g = &c->m->guests[i];
        if (g->memory % MF_PAGE_SIZE) {
            mf_format_size(g->memory, sz, sizeof(sz));
            mf_error(c->d, g->memory_pos, "'memory': expected a multiple of the 4K page size, found %s",
                     sz);
        }
    }
}

/* Links a VF to its NIC and records explicit indexes; auto indexes come in a second pass. */
static void resolve_vf(struct checker *c, struct mf_guest *g, uint32_t gi, struct mf_vf *vf)
{
    struct mf_manifest *m = c->m;
    char hint[MF_NAME_MAX + 24];
    if (!vf->nic_ref[0]) {
        if (m->nnics == 1) {
            vf->nic = 0;
        } else if (!g->incomplete) {
            mf_error(c->d, vf->pos, "[[guest.vf]] of guest '%s': missing key 'nic' (%s)", g->name,
                     m->nnics ? "the manifest has several NICs" : "no [[nic]] is defined");
            return;
        }
    } else {
        int n = mf_find_nic(m, vf->nic_ref);
        if (n < 0) {
            mf_error(c->d, vf->nic_pos, "'nic': no [[nic]] is named '%s'%s", vf->nic_ref,
                     hint_among(vf->nic_ref, m->nics[0].name, sizeof(m->nics[0]), m->nnics, hint,
                                sizeof(hint)));
            return;
        }
        vf->nic = (uint8_t)n;
    }
    if (vf->nic == MF_NONE)
        return;
    const struct mf_nic *nic = &m->nics[vf->nic];
    if (!vf->index_set)
        return;
    /* A VF that cannot be had is unlinked (nic = MF_NONE) so later checks skip it. */
    if (vf->index >= nic->vfs) {
        mf_error(c->d, vf->index_pos, "'index': VF %u does not exist, nic '%s' enables %u VFs (vfs = %u)",
                 (unsigned)vf->index, nic->name, (unsigned)nic->vfs, (unsigned)nic->vfs);
        vf->nic = MF_NONE;
        return;
    }
    uint8_t *owner = &c->vf_owner[vf->nic][vf->index];
    if (*owner != NO_OWNER) {
        mf_error(c->d, vf->index_pos, "VF %u of nic '%s' is already assigned to guest '%s'",
                 (unsigned)vf->index, nic->name, m->guests[*owner].name);
        vf->nic = MF_NONE;
    } else {
        *owner = (uint8_t)gi;
    }
}

static void assign_vf_index(struct checker *c, struct mf_guest *g, uint32_t gi, struct mf_vf *vf)
{
    const struct mf_nic *nic = &c->m->nics[vf->nic];
    for (uint32_t i = 0; i < nic->vfs; i++)
        if (c->vf_owner[vf->nic][i] == NO_OWNER) {
            c->vf_owner[vf->nic][i] = (uint8_t)gi;
            vf->index = i;
            return;
        }
    mf_error(c->d, vf->pos, "guest '%s': no free VF left on nic '%s' (vfs = %u)", g->name, nic->name,
             (unsigned)nic->vfs);
    vf->nic = MF_NONE;
}

void mf_check_rate(struct mf_diag *d, uint64_t rate, struct mf_pos pos, const char *key,
                   const char *nic, uint64_t link_bps)
{
    char r[24], l[24];
    if (!rate || !link_bps || rate <= link_bps)
        return;
    mf_format_rate(rate, r, sizeof(r));
    mf_format_rate(link_bps, l, sizeof(l));
    mf_error(d, pos, "'%s': %s exceeds the %s link speed of nic '%s'", key, r, l, nic);
}

static void check_vf_settings(struct checker *c, struct mf_vf *vf)
{
    if (vf->vlan && vf->nallowed_vlans)
        mf_error(c->d, vf->vlan_pos, "'vlan' (a port VLAN the NIC inserts) cannot be combined with "
                 "'allowed_vlans' (VLANs the guest tags itself)");
    if (vf->nic == MF_NONE)
        return;
    const struct mf_nic *nic = &c->m->nics[vf->nic];
    mf_check_rate(c->d, vf->tx_rate_bps, vf->tx_rate_pos, "tx_rate", nic->name, nic->link_bps);
    mf_check_rate(c->d, vf->ingress_limit_bps, vf->ingress_pos, "ingress_limit", nic->name,
                  nic->link_bps);
    if (!vf->mac_set) {
        /* Locally administered, derived from (NIC, VF index): 02:45:58:00:nic:vf. */
        struct mf_mac mac = { { 0x02, 0x45, 0x58, 0x00, vf->nic, (uint8_t)vf->index } };
        vf->mac = mac;
    }
}

static void check_vfs(struct checker *c)
{
    struct mf_manifest *m = c->m;
    memset(c->vf_owner, NO_OWNER, sizeof(c->vf_owner));
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvfs; k++)
            resolve_vf(c, &m->guests[i], i, &m->guests[i].vf[k]);
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t k = 0; k < m->guests[i].nvfs; k++) {
            struct mf_vf *vf = &m->guests[i].vf[k];
            if (vf->nic != MF_NONE && !vf->index_set)
                assign_vf_index(c, &m->guests[i], i, vf);
            check_vf_settings(c, vf);
        }
}

/* A mirror endpoint: "vfN", or a guest name meaning that guest's VF on this NIC. */
static bool resolve_mirror_ref(struct checker *c, uint32_t nic, const char *ref, struct mf_pos pos,
                               const char *what, uint8_t *vf_out)
{
    struct mf_manifest *m = c->m;
    char hint[MF_NAME_MAX + 24];
    uint32_t idx = 0;
    const char *p = ref + 2;
    bool is_vf = ref[0] == 'v' && ref[1] == 'f' && *p;
    for (; is_vf && *p; p++) {
        is_vf = *p >= '0' && *p <= '9' && idx < MF_MAX_VFS_PER_NIC;
        idx = idx * 10 + (uint32_t)(*p - '0');
    }
    if (is_vf) {
        if (idx >= m->nics[nic].vfs) {
            mf_error(c->d, pos, "%s '%s': nic '%s' enables only %u VFs", what, ref, m->nics[nic].name,
                     (unsigned)m->nics[nic].vfs);
            return false;
        }
        *vf_out = (uint8_t)idx;
        return true;
    }
    int g = mf_find_guest(m, ref);
    if (g < 0) {
        mf_error(c->d, pos, "%s '%s': expected a guest name or \"vfN\", found no such guest%s", what, ref,
                 hint_among(ref, m->guests[0].name, sizeof(m->guests[0]), m->nguests, hint, sizeof(hint)));
        return false;
    }
    const struct mf_guest *gu = &m->guests[g];
    for (uint32_t k = 0; k < gu->nvfs; k++)
        if (gu->vf[k].nic == nic) {
            *vf_out = (uint8_t)gu->vf[k].index;
            return true;
        }
    mf_error(c->d, pos, "%s '%s': guest '%s' has no VF on nic '%s'", what, ref, ref, m->nics[nic].name);
    return false;
}

static void check_mirrors(struct checker *c)
{
    for (uint32_t n = 0; n < c->m->nnics; n++) {
        struct mf_mirror *mi = &c->m->nics[n].mirror;
        if (!mi->present)
            continue;
        if (!mi->nsrc_vfs && !mi->nvlans)
            mf_error(c->d, mi->pos, "the mirror of nic '%s' has nothing to mirror: expected 'sources' "
                     "or 'vlans'", c->m->nics[n].name);
        for (uint32_t i = 0; i < mi->nsrc_vfs; i++)
            resolve_mirror_ref(c, n, mi->src_refs[i], mi->src_pos[i], "mirror source", &mi->src_vfs[i]);
        if (!mi->target_ref[0] ||
            !resolve_mirror_ref(c, n, mi->target_ref, mi->target_pos, "mirror target", &mi->target_vf))
            continue;
        for (uint32_t i = 0; i < mi->nsrc_vfs; i++)
            if (strcmp(mi->src_refs[i], mi->target_ref) == 0)
                mf_error(c->d, mi->src_pos[i], "mirror source '%s' is also the mirror target",
                         mi->src_refs[i]);
    }
}

void mf_check_model(struct mf_workspace *ws)
{
    struct checker local = { ws, &ws->model, &ws->diag, { { 0 } } };
    struct checker *c = &local;
    /* After a syntax error the guest may well be there, just unreadable. */
    if (!c->m->nguests && !c->d->count)
        mf_error(c->d, (struct mf_pos){ 0, 0 }, "no [[guest]] is defined: expected at least one");
    check_names(c);
    for (uint32_t i = 0; i < c->m->nguests; i++) {
        resolve_module(c, &c->m->guests[i].image);
        resolve_module(c, &c->m->guests[i].initrd);
        for (uint32_t k = 0; k < c->m->guests[i].nvblks; k++)
            resolve_module(c, &c->m->guests[i].virtio_blk[k].module);
    }
    check_cpus(c);
    check_memory(c);
    check_vfs(c);
    check_mirrors(c);
    mf_check_devices(ws);
    mf_check_virtio_switch(ws);
}
