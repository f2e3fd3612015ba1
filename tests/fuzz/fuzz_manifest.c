/* libFuzzer harness: the manifest parser must never crash, and its verdicts must be self-consistent
 * (an accepted manifest also builds the virtio-net software switch). */
#include <stdlib.h>
#include <string.h>

#include <exitless/manifest.h>

#include "vmm/virtio/vswitch.h"

static struct mf_workspace ws;
static struct vsw sw;

static void sink(void *ctx, const char *line)
{
    size_t *total = ctx;
    *total += strlen(line);
}

/* A manifest the checker accepted must describe a machine the hypervisor could build. */
static void check_invariants(const struct mf_manifest *m)
{
    struct mf_cpuset used;
    memset(&used, 0, sizeof(used));
    if (!m->nguests || mf_cpuset_has(&m->hv.sidecores, m->hv.management_cpu))
        abort();
    for (uint32_t i = 0; i < m->nguests; i++) {
        const struct mf_guest *g = &m->guests[i];
        if (!g->ncpus || !g->memory || g->memory % MF_PAGE_SIZE || !g->image.name[0])
            abort();
        for (unsigned c = 0; c < MF_MAX_CPUS; c++) {
            if (!mf_cpuset_has(&g->cpus, c))
                continue;
            if (mf_cpuset_has(&used, c) || c == m->hv.management_cpu ||
                mf_cpuset_has(&m->hv.sidecores, c))
                abort();
            mf_cpuset_add(&used, c);
        }
        for (uint32_t k = 0; k < g->nvfs; k++)
            if (g->vf[k].nic >= m->nnics || g->vf[k].index >= m->nics[g->vf[k].nic].vfs ||
                (g->vf[k].mac.b[0] & 1))
                abort();
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    size_t total = 0;
    int rc = mf_parse(&ws, "fuzz.toml", (const char *)data, size);
    if (rc == 0) {
        if (ws.diag.count)
            abort();
        check_invariants(&ws.model);
        /* The software switch holds every accepted set of virtio-net ports and mirror. */
        if (vsw_build(&sw, &ws.model, 1000000000ull, 0) != 0)
            abort();
        mf_print_summary(&ws.model, sink, &total);
        struct mf_platform pf;
        memset(&pf, 0, sizeof(pf));
        pf.cpu_count = 4;
        pf.guest_ram = 64ull << 20;
        pf.modules_known = true;
        pf.module_names[pf.nmodules++] = "hello";
        pf.iommu_known = true;
        rc = mf_check_platform(&ws, &pf);
    }
    if (rc != 0 && ws.diag.count == 0)
        abort();
    for (uint32_t i = 0; i < ws.diag.count; i++)
        if (!ws.diag.err[i].msg[0])
            abort();
    mf_print_errors(&ws.diag, sink, &total);
    return 0;
}
