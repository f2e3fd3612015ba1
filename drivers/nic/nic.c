/* NIC PF drivers: probe by PCI id, bring-up from the manifest, the enforcement report and
 * the qos_policy decision (DESIGN.md section 3, "NIC QoS and switching"). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drivers/nic/nic.h"
#include "kernel/log.h"

static const struct nic_ops *const drivers[] = { &igb_nic_ops };

static struct nic nics[MF_MAX_NICS];
static unsigned nnics;

static const char *const setting_names[NIC_S_COUNT] = {
    [NIC_S_MAC] = "mac-filter", [NIC_S_VLAN] = "vlan-filter", [NIC_S_PORT_VLAN] = "port-vlan",
    [NIC_S_PRIORITY] = "priority", [NIC_S_SPOOF] = "spoof-check", [NIC_S_TX_RATE] = "tx-rate",
    [NIC_S_RX_DROP] = "rx-drop", [NIC_S_INGRESS] = "ingress-limit", [NIC_S_MIRROR] = "mirror",
};

const char *nic_setting_name(enum nic_setting s)
{
    return (unsigned)s < NIC_S_COUNT ? setting_names[s] : "?";
}

unsigned nic_count(void) { return nnics; }
struct nic *nic_at(unsigned i) { return i < nnics ? &nics[i] : NULL; }

struct nic *nic_of(unsigned mf_index)
{
    for (unsigned i = 0; i < nnics; i++)
        if (nics[i].index == mf_index)
            return &nics[i];
    return NULL;
}

void nic_host_reset_notice(const struct pci_dev *d)
{
    for (unsigned i = 0; i < nnics; i++)
        for (unsigned v = 0; v < nics[i].nvfs; v++)
            if (nics[i].sr->vfs[v].dev == d)
                __atomic_store_n(&nics[i].vf[v].host_reset, true, __ATOMIC_SEQ_CST);
}

const char *nic_owner_name(const struct nic *n, unsigned vf)
{
    uint8_t o = vf < n->nvfs ? n->vf[vf].owner : SRIOV_NO_OWNER;
    return o == SRIOV_NO_OWNER ? "no owner" : n->m->guests[o].name;
}

const char *nic_settings_str(uint32_t mask, char *buf, unsigned size)
{
    unsigned len = 0;
    buf[0] = 0;
    for (unsigned s = 0; s < NIC_S_COUNT; s++)
        if (mask & (1u << s) && len + 1 < size)
            len += (unsigned)snprintf(buf + len, size - len, "%s%s", len ? "," : "", setting_names[s]);
    if (!len)
        snprintf(buf, size, "-");
    return buf;
}

void nic_record(struct nic *n, unsigned vf, enum nic_setting s, enum nic_gap gap, const char *fmt, ...)
{
    struct nic_vf *v = &n->vf[vf];
    v->asked |= 1u << s;
    if (gap == NIC_GAP_NONE) {
        v->enforced |= 1u << s;
        v->gaps &= ~(1u << s);
        return;
    }
    v->enforced &= ~(1u << s);
    v->gaps |= 1u << s;
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const char *what = gap == NIC_GAP_UNSUPPORTED ? "not enforced by this device (no such mechanism)"
                                                  : "not enforced by this device";
    log_warn(n->ops->name, "%s VF%u (%s): %s: %s: %s", n->mf->name, vf, nic_owner_name(n, vf),
             setting_names[s], what, why);
}

void nic_service_all(void)
{
    for (unsigned i = 0; i < nnics; i++)
        if (nics[i].ops->service)
            nics[i].ops->service(&nics[i]);
}

/* Counts what is asked and not in force; with qos_policy = required that stops the boot. */
static bool apply_policy(const struct nic *n)
{
    unsigned gaps = 0, vfs = 0;
    for (unsigned v = 0; v < n->nvfs; v++)
        if (n->vf[v].gaps) {
            vfs++;
            for (unsigned s = 0; s < NIC_S_COUNT; s++)
                gaps += (n->vf[v].gaps >> s) & 1;
        }
    if (!gaps) {
        log_info(n->ops->name, "%s: every setting the manifest asks for is enforced", n->mf->name);
        return true;
    }
    if (n->m->hv.qos_policy == MF_QOS_REQUIRED) {
        log_err(n->ops->name, "%s: %u setting(s) on %u VF(s) are not enforced by this device and "
                "qos_policy = \"required\": refusing to run", n->mf->name, gaps, vfs);
        return false;
    }
    log_warn(n->ops->name, "%s: %u setting(s) on %u VF(s) are not enforced by this device; "
             "qos_policy = \"best-effort\": running without them", n->mf->name, gaps, vfs);
    return true;
}

bool nic_init(const struct mf_manifest *m)
{
    bool ok = true;
    nnics = 0;
    for (unsigned i = 0; i < sriov_nic_count(); i++) {
        struct sriov_nic *sr = sriov_nic_at(i);
        if (!sr || !sr->pf || !sr->mf)
            continue;
        const struct nic_ops *ops = NULL;
        for (unsigned d = 0; d < sizeof(drivers) / sizeof(drivers[0]); d++)
            if (drivers[d]->match(sr->pf->vendor, sr->pf->device))
                ops = drivers[d];
        if (!ops) {
            /* Nothing the manifest asks of this NIC's VFs is in force: qos_policy decides. */
            bool required = m->hv.qos_policy == MF_QOS_REQUIRED;
            log_printf(required ? LOG_ERR : LOG_WARN, "nic", "%s: no PF driver for %04x:%04x: its VFs get "
                       "no filters, switching policy or QoS from the manifest%s", sr->mf->name, sr->pf->vendor,
                       sr->pf->device, required ? " and qos_policy = \"required\"" : "");
            ok &= !required;
            continue;
        }
        struct nic *n = &nics[nnics++];
        memset(n, 0, sizeof(*n));
        n->ops = ops;
        n->m = m;
        n->mf = sr->mf;
        n->index = (unsigned)(sr->mf - m->nics);
        n->sr = sr;
        n->nvfs = sr->num_vfs;
        for (unsigned v = 0; v < n->nvfs; v++) {
            n->vf[v].owner = sr->vfs[v].owner;
            if (n->vf[v].owner == SRIOV_NO_OWNER)
                continue;
            const struct mf_guest *g = &m->guests[n->vf[v].owner];
            for (unsigned k = 0; k < g->nvfs; k++)
                if (g->vf[k].nic == n->index && g->vf[k].index == v) {
                    memcpy(n->vf[v].mac, g->vf[k].mac.b, 6);
                    n->vf[v].has_mac = true;
                }
        }
        if (!ops->bring_up(n)) {
            ok = false;
            continue;
        }
        ops->print_table(n);
        ok &= apply_policy(n);
    }
    /* Every NIC a virtio-net port names as its uplink has its uplink queue. */
    for (uint32_t i = 0; i < m->nguests; i++)
        for (uint32_t j = 0; j < m->guests[i].nvnets; j++) {
            const struct mf_virtio_net *v = &m->guests[i].virtio_net[j];
            const struct nic *n = v->uplink == MF_NONE ? NULL : nic_of(v->uplink);
            if (v->uplink != MF_NONE && !(n && n->uplink)) {
                log_err("nic", "%s: virtio-net port %u names NIC %s as its uplink, which has no "
                        "uplink queue (no driver, or its bring-up failed)", m->guests[i].name, v->port,
                        m->nics[v->uplink].name);
                ok = false;
            }
        }
    return ok;
}
