/* Manifest entry points: parse + validate into the model, lookups, and the one-screen summary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

int mf_parse(struct mf_workspace *ws, const char *file, const char *text, size_t len)
{
    mf_diag_reset(&ws->diag, file);
    memset(&ws->model, 0, sizeof(ws->model));
    ws->nnodes = 0;
    ws->nstrings = 1;            /* offset 0 is the empty string, "no key" */
    ws->strings[0] = '\0';
    if (len > MF_MAX_INPUT) {
        mf_error(&ws->diag, (struct mf_pos){ 1, 1 }, "manifest too large: %lu bytes, at most %u",
                 (unsigned long)len, MF_MAX_INPUT);
        return -MF_EINVAL;
    }
    /* Past a storage limit the tree is truncated: its model would only add noise. */
    if (!mf_toml_parse(ws, text, len))
        return -MF_EINVAL;
    mf_build_model(ws);
    mf_check_model(ws);
    mf_diag_sort(&ws->diag);
    return ws->diag.count || ws->diag.dropped ? -MF_EINVAL : 0;
}

int mf_find_guest(const struct mf_manifest *m, const char *name)
{
    for (uint32_t i = 0; i < m->nguests; i++)
        if (strcmp(m->guests[i].name, name) == 0)
            return (int)i;
    return -1;
}

int mf_find_nic(const struct mf_manifest *m, const char *name)
{
    for (uint32_t i = 0; i < m->nnics; i++)
        if (strcmp(m->nics[i].name, name) == 0)
            return (int)i;
    return -1;
}

int mf_find_module(const struct mf_manifest *m, const char *name)
{
    for (uint32_t i = 0; i < m->nmodules; i++)
        if (strcmp(m->modules[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Appends printf-style text to a line buffer, truncating safely. */
__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

static void summary_guest(const struct mf_manifest *m, const struct mf_guest *g,
                          void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[320], cpus[64], mem[24], rate[24], mac[24];
    mf_format_cpuset(&g->cpus, cpus, sizeof(cpus));
    mf_format_size(g->memory, mem, sizeof(mem));
    snprintf(line, sizeof(line), "  guest %s: cpus %s, memory %s, image %s%s%s, %s interrupts, on fault %s",
             g->name, cpus, mem, g->image.name, g->initrd.name[0] ? ", initrd " : "", g->initrd.name,
             mf_interrupts_name(g->interrupts), mf_on_fault_name(g->on_fault));
    if (g->virtio_mode != MF_VIRTIO_SIDECORE)
        append(line, sizeof(line), ", virtio %s", mf_virtio_mode_name(g->virtio_mode));
    if (g->time_limit_ms) {
        mf_format_duration(g->time_limit_ms, rate, sizeof(rate));
        append(line, sizeof(line), ", time limit %s", rate);
    }
    emit(ctx, line);
    for (uint32_t k = 0; k < g->nvfs; k++) {
        const struct mf_vf *vf = &g->vf[k];
        if (vf->nic == MF_NONE)
            continue;
        mf_format_mac(&vf->mac, mac, sizeof(mac));
        snprintf(line, sizeof(line), "    vf %s.%u mac %s", m->nics[vf->nic].name, (unsigned)vf->index, mac);
        if (vf->vlan)
            append(line, sizeof(line), " vlan %u", (unsigned)vf->vlan);
        for (uint32_t i = 0; i < vf->nallowed_vlans; i++)
            append(line, sizeof(line), "%s%u", i ? "," : " vlans ", (unsigned)vf->allowed_vlans[i]);
        if (vf->tx_rate_bps) {
            mf_format_rate(vf->tx_rate_bps, rate, sizeof(rate));
            append(line, sizeof(line), " tx_rate %s", rate);
        }
        if (vf->ingress_limit_bps) {
            mf_format_rate(vf->ingress_limit_bps, rate, sizeof(rate));
            append(line, sizeof(line), " ingress %s", rate);
        }
        append(line, sizeof(line), "%s%s", vf->spoof_check ? " spoof-check" : "", vf->trust ? " trusted" : "");
        emit(ctx, line);
    }
    for (uint32_t k = 0; k < g->nvnets; k++) {
        const struct mf_virtio_net *v = &g->virtio_net[k];
        mf_format_mac(&v->mac, mac, sizeof(mac));
        snprintf(line, sizeof(line), "    virtio-net port %u mac %s%s%s", (unsigned)v->port, mac,
                 v->uplink != MF_NONE ? " uplink " : "", v->uplink != MF_NONE ? m->nics[v->uplink].name : "");
        if (v->vlan)
            append(line, sizeof(line), " vlan %u", (unsigned)v->vlan);
        if (v->egress_limit_bps) {
            mf_format_rate(v->egress_limit_bps, rate, sizeof(rate));
            append(line, sizeof(line), " egress %s", rate);
        }
        if (v->ingress_limit_bps) {
            mf_format_rate(v->ingress_limit_bps, rate, sizeof(rate));
            append(line, sizeof(line), " ingress %s", rate);
        }
        append(line, sizeof(line), "%s", v->spoof_check ? " spoof-check" : "");
        emit(ctx, line);
    }
    for (uint32_t k = 0; k < g->nvblks; k++) {
        snprintf(line, sizeof(line), "    virtio-blk %s%s", g->virtio_blk[k].module.name,
                 g->virtio_blk[k].read_only ? " (read-only)" : "");
        emit(ctx, line);
    }
    for (uint32_t k = 0; k < g->npci; k++) {
        char pci[16];
        mf_format_pci(&g->pci[k].address, pci, sizeof(pci));
        snprintf(line, sizeof(line), "    pci %s%s", pci, g->pci[k].unsafe_no_iommu ? " (UNSAFE: no IOMMU)" : "");
        emit(ctx, line);
    }
}

void mf_print_summary(const struct mf_manifest *m, void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[320], cpus[64], pci[16], rate[24];
    mf_format_cpuset(&m->hv.sidecores, cpus, sizeof(cpus));
    snprintf(line, sizeof(line), "  hypervisor: console %s, log %s, management cpu %u, sidecores %s, "
             "when all guests stop: %s, qos %s", mf_console_name(m->hv.console),
             mf_log_level_name(m->hv.log_level), (unsigned)m->hv.management_cpu, cpus[0] ? cpus : "none",
             mf_all_stopped_name(m->hv.on_all_stopped), mf_qos_policy_name(m->hv.qos_policy));
    emit(ctx, line);
    for (uint32_t i = 0; i < m->nnics; i++) {
        const struct mf_nic *n = &m->nics[i];
        mf_format_pci(&n->pci, pci, sizeof(pci));
        snprintf(line, sizeof(line), "  nic %s: %s, %u VFs, %s", n->name, pci, (unsigned)n->vfs,
                 mf_switching_name(n->switching));
        if (n->link_bps) {
            mf_format_rate(n->link_bps, rate, sizeof(rate));
            append(line, sizeof(line), ", link %s", rate);
        }
        if (n->mirror.present && n->mirror.target_vf != MF_NONE) {
            append(line, sizeof(line), ", mirror");
            for (uint32_t s = 0; s < n->mirror.nsrc_vfs; s++)
                append(line, sizeof(line), " vf%u", (unsigned)n->mirror.src_vfs[s]);
            for (uint32_t s = 0; s < n->mirror.nvlans; s++)
                append(line, sizeof(line), " vlan%u", (unsigned)n->mirror.vlans[s]);
            append(line, sizeof(line), " -> vf%u", (unsigned)n->mirror.target_vf);
        }
        emit(ctx, line);
    }
    const struct mf_port_mirror *pm = &m->vswitch.mirror;
    if (pm->present && pm->target_port != UINT16_MAX) {
        snprintf(line, sizeof(line), "  virtio switch: mirror");
        for (uint32_t s = 0; s < pm->nsrcs; s++)
            append(line, sizeof(line), " port%u", (unsigned)pm->src_ports[s]);
        for (uint32_t s = 0; s < pm->nvlans; s++)
            append(line, sizeof(line), " vlan%u", (unsigned)pm->vlans[s]);
        append(line, sizeof(line), " -> port%u", (unsigned)pm->target_port);
        emit(ctx, line);
    }
    for (uint32_t i = 0; i < m->nguests; i++)
        summary_guest(m, &m->guests[i], emit, ctx);
}
