/* Checks of a parsed manifest against the real machine: CPUs, RAM, modules, NICs, IOMMU. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

static void check_cpu_exists(struct mf_diag *d, const struct mf_cpuset *set, struct mf_pos pos,
                             const char *who, uint32_t count)
{
    for (unsigned c = count; c < MF_MAX_CPUS; c++)
        if (mf_cpuset_has(set, c)) {
            mf_error(d, pos, "%s: CPU %u does not exist, this machine has %u CPUs (0..%u)", who, c,
                     (unsigned)count, (unsigned)count - 1);
            return;
        }
}

static void check_platform_cpus(struct mf_workspace *ws, const struct mf_platform *pf)
{
    const struct mf_manifest *m = &ws->model;
    char who[MF_NAME_MAX + 16];
    if (!pf->cpu_count)
        return;
    if (m->hv.management_cpu >= pf->cpu_count)
        mf_error(&ws->diag, m->hv.management_cpu_pos.line ? m->hv.management_cpu_pos : m->hv.pos,
                 "management_cpu: CPU %u does not exist, this machine has %u CPUs (0..%u)",
                 (unsigned)m->hv.management_cpu, (unsigned)pf->cpu_count, (unsigned)pf->cpu_count - 1);
    check_cpu_exists(&ws->diag, &m->hv.sidecores, m->hv.sidecores_pos, "sidecores", pf->cpu_count);
    for (uint32_t i = 0; i < m->nguests; i++) {
        snprintf(who, sizeof(who), "guest '%s'", m->guests[i].name);
        check_cpu_exists(&ws->diag, &m->guests[i].cpus, m->guests[i].cpus_pos, who, pf->cpu_count);
    }
}

static void check_platform_ram(struct mf_workspace *ws, const struct mf_platform *pf)
{
    const struct mf_manifest *m = &ws->model;
    uint64_t total = 0;
    char need[24], have[24];
    if (!pf->guest_ram)
        return;
    for (uint32_t i = 0; i < m->nguests; i++) {
        total += m->guests[i].memory;
        if (total > pf->guest_ram) {
            mf_format_size(pf->guest_ram, have, sizeof(have));
            for (uint32_t j = i + 1; j < m->nguests; j++)
                total += m->guests[j].memory;
            mf_format_size(total, need, sizeof(need));
            mf_error(&ws->diag, m->guests[i].memory_pos,
                     "guest '%s' does not fit in RAM: the guests need %s in total, %s is available",
                     m->guests[i].name, need, have);
            return;
        }
    }
}

static void check_module_loaded(struct mf_workspace *ws, const struct mf_platform *pf,
                                const struct mf_modref *r)
{
    if (!r->name[0])
        return;
    for (uint32_t i = 0; i < pf->nmodules; i++)
        if (pf->module_names[i] && strcmp(pf->module_names[i], r->name) == 0)
            return;
    const char *hint = mf_suggest(r->name, pf->module_names, pf->nmodules);
    mf_error(&ws->diag, r->pos, "module '%s' is not available: it was not loaded with the manifest%s%s%s",
             r->name, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
}

static void check_platform_modules(struct mf_workspace *ws, const struct mf_platform *pf)
{
    const struct mf_manifest *m = &ws->model;
    if (!pf->modules_known)
        return;
    for (uint32_t i = 0; i < m->nguests; i++) {
        check_module_loaded(ws, pf, &m->guests[i].image);
        check_module_loaded(ws, pf, &m->guests[i].initrd);
        for (uint32_t k = 0; k < m->guests[i].nvblks; k++)
            check_module_loaded(ws, pf, &m->guests[i].virtio_blk[k].module);
    }
}

static void check_platform_nics(struct mf_workspace *ws, const struct mf_platform *pf)
{
    const struct mf_manifest *m = &ws->model;
    char pci[16];
    for (uint32_t n = 0; n < m->nnics; n++) {
        const struct mf_nic *nic = &m->nics[n];
        const struct mf_platform_nic *found = NULL;
        for (uint32_t i = 0; i < pf->nnics; i++)
            if (mf_pci_equal(&pf->nics[i].pci, &nic->pci))
                found = &pf->nics[i];
        if (!found) {
            mf_format_pci(&nic->pci, pci, sizeof(pci));
            if (pf->nics_known)
                mf_error(&ws->diag, nic->pci_pos, "nic '%s': no SR-IOV capable device at %s", nic->name, pci);
            continue;
        }
        if (nic->vfs > found->total_vfs)
            mf_error(&ws->diag, nic->vfs_pos, "'vfs': nic '%s' supports at most %u VFs, found %u",
                     nic->name, (unsigned)found->total_vfs, (unsigned)nic->vfs);
        uint64_t link = found->link_bps;
        if (!link || nic->link_bps)
            continue;
        for (uint32_t i = 0; i < m->nguests; i++)
            for (uint32_t k = 0; k < m->guests[i].nvfs; k++) {
                const struct mf_vf *vf = &m->guests[i].vf[k];
                if (vf->nic != n)
                    continue;
                mf_check_rate(&ws->diag, vf->tx_rate_bps, vf->tx_rate_pos, "tx_rate", nic->name, link);
                mf_check_rate(&ws->diag, vf->ingress_limit_bps, vf->ingress_pos, "ingress_limit",
                              nic->name, link);
            }
    }
}

static void check_platform_iommu(struct mf_workspace *ws, const struct mf_platform *pf)
{
    const struct mf_manifest *m = &ws->model;
    if (!pf->iommu_known || pf->iommu_present)
        return;
    for (uint32_t i = 0; i < m->nguests; i++) {
        const struct mf_guest *g = &m->guests[i];
        if (g->nvfs)
            mf_error(&ws->diag, g->vf[0].pos, "guest '%s': assigning a VF needs an IOMMU the hypervisor "
                     "drives (VT-d; AMD-Vi is not supported), and this machine has none", g->name);
        for (uint32_t k = 0; k < g->npci; k++)
            if (!g->pci[k].unsafe_no_iommu)
                mf_error(&ws->diag, g->pci[k].pos, "guest '%s': this machine has no IOMMU the hypervisor "
                         "drives (VT-d): assigning a PCI device needs unsafe_no_iommu = true (the guest could DMA anywhere)",
                         g->name);
    }
}

int mf_check_platform(struct mf_workspace *ws, const struct mf_platform *pf)
{
    uint32_t before = ws->diag.count;
    check_platform_cpus(ws, pf);
    check_platform_ram(ws, pf);
    check_platform_modules(ws, pf);
    check_platform_nics(ws, pf);
    check_platform_iommu(ws, pf);
    mf_diag_sort(&ws->diag);
    return ws->diag.count != before || ws->diag.dropped ? -MF_EINVAL : 0;
}
