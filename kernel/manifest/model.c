/* Builds the model's top level: [hypervisor], [modules], [[nic]] (with mirror), and the guest list. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

static const char *const console_names[] = { "com1", "com2", "vga", "none", NULL };
static const char *const log_level_names[] = { "error", "warn", "info", "debug", "trace", NULL };
static const char *const all_stopped_names[] = { "halt", "reboot", "poweroff", NULL };
static const char *const qos_policy_names[] = { "best-effort", "required", NULL };
static const char *const switching_names[] = { "veb", "vepa", NULL };
const char *const mf_on_fault_names[] = { "stop", "restart", NULL };
const char *const mf_interrupts_names[] = { "exitless", "injected", NULL };
const char *const mf_virtio_mode_names[] = { "sidecore", "baseline", NULL };
const char *const mf_expect_names[] = { "success", "fault", NULL };

static const char *enum_name(const char *const *names, uint32_t n, int v)
{
    return v >= 0 && (uint32_t)v < n ? names[v] : "?";
}

const char *mf_console_name(int v) { return enum_name(console_names, 4, v); }
const char *mf_log_level_name(int v) { return enum_name(log_level_names, 5, v); }
const char *mf_all_stopped_name(int v) { return enum_name(all_stopped_names, 3, v); }
const char *mf_qos_policy_name(int v) { return enum_name(qos_policy_names, 2, v); }
const char *mf_switching_name(int v) { return enum_name(switching_names, 2, v); }
const char *mf_on_fault_name(int v) { return enum_name(mf_on_fault_names, 2, v); }
const char *mf_interrupts_name(int v) { return enum_name(mf_interrupts_names, 2, v); }
const char *mf_virtio_mode_name(int v) { return enum_name(mf_virtio_mode_names, 2, v); }
const char *mf_expect_name(int v) { return enum_name(mf_expect_names, 2, v); }

static const struct mf_key hypervisor_keys[] = {
    MF_KEY("console", K_ENUM, struct mf_hypervisor, console, .enums = console_names),
    MF_KEY("baud", K_U32, struct mf_hypervisor, baud, .min = 1, .max = 115200),
    MF_KEY("log_level", K_ENUM, struct mf_hypervisor, log_level, .enums = log_level_names),
    MF_KEY("management_cpu", K_U32, struct mf_hypervisor, management_cpu, .min = 0,
           .max = MF_MAX_CPUS - 1, .pos_off = MF_POS(struct mf_hypervisor, management_cpu_pos)),
    MF_KEY("sidecores", K_CPUS, struct mf_hypervisor, sidecores,
           .pos_off = MF_POS(struct mf_hypervisor, sidecores_pos)),
    MF_KEY("on_all_stopped", K_ENUM, struct mf_hypervisor, on_all_stopped, .enums = all_stopped_names),
    MF_KEY("qos_policy", K_ENUM, struct mf_hypervisor, qos_policy, .enums = qos_policy_names),
    MF_KEY_END,
};

static void walk_mirror_sources(struct mf_walk *w, uint32_t n)
{
    struct mf_mirror *m = w->obj;
    mf_get_refs(w->ws, n, "sources", "an array of guest names or \"vfN\"", "a guest name or \"vfN\"",
                m->src_refs, m->src_pos, &m->nsrc_vfs);
}

static void walk_mirror_vlans(struct mf_walk *w, uint32_t n)
{
    struct mf_mirror *m = w->obj;
    mf_get_vlans(w->ws, n, m->vlans, &m->nvlans);
}

static const struct mf_key mirror_keys[] = {
    MF_KEY("sources", K_SUB, struct mf_mirror, src_refs, .sub = walk_mirror_sources),
    MF_KEY("vlans", K_SUB, struct mf_mirror, vlans, .sub = walk_mirror_vlans),
    MF_KEY("target", K_NAME, struct mf_mirror, target_ref, .required = true,
           .pos_off = MF_POS(struct mf_mirror, target_pos)),
    MF_KEY_END,
};

static void walk_mirror(struct mf_walk *w, uint32_t n)
{
    struct mf_nic *nic = w->obj;
    char where[MF_NAME_MAX + 32];
    if (mf_node(w->ws, n)->kind != N_TABLE) {
        mf_value_error(w->ws, "mirror", n, "a table such as { sources = [\"a\"], target = \"b\" }");
        return;
    }
    snprintf(where, sizeof(where), "the mirror of nic '%s'", nic->name);
    struct mf_walk sub = { w->ws, &nic->mirror, where, n };
    nic->mirror.present = true;
    nic->mirror.pos = mf_node(w->ws, n)->kpos;
    mf_walk_table(&sub, mirror_keys);
}

static const struct mf_key nic_keys[] = {
    MF_KEY("name", K_NAME, struct mf_nic, name, .required = true,
           .pos_off = MF_POS(struct mf_nic, name_pos)),
    MF_KEY("pci", K_PCI, struct mf_nic, pci, .required = true, .pos_off = MF_POS(struct mf_nic, pci_pos)),
    MF_KEY("vfs", K_U32, struct mf_nic, vfs, .min = 0, .max = MF_MAX_VFS_PER_NIC,
           .pos_off = MF_POS(struct mf_nic, vfs_pos)),
    MF_KEY("switching", K_ENUM, struct mf_nic, switching, .enums = switching_names),
    MF_KEY("link_speed", K_RATE, struct mf_nic, link_bps, .pos_off = MF_POS(struct mf_nic, link_pos)),
    MF_KEY("mirror", K_SUB, struct mf_nic, mirror, .sub = walk_mirror),
    MF_KEY_END,
};

/* Builds "[[kind]] 'name'" (or "[[kind]] #n" when unnamed) for messages. */
void mf_describe_entry(char *buf, size_t size, const char *kind, const char *name, uint32_t index)
{
    if (name)
        snprintf(buf, size, "[[%s]] '%.*s'", kind, MF_NAME_MAX, name);
    else
        snprintf(buf, size, "[[%s]] #%u", kind, (unsigned)index + 1);
}

static void build_nic(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    struct mf_manifest *m = ctx;
    char where[MF_NAME_MAX + 16];
    if (m->nnics == MF_MAX_NICS) {
        mf_error(&ws->diag, mf_node(ws, table)->kpos, "too many [[nic]] entries: at most %d",
                 MF_MAX_NICS);
        return;
    }
    struct mf_nic *nic = &m->nics[m->nnics];
    mf_describe_entry(where, sizeof(where), "nic", mf_get_name(ws, table), m->nnics);
    struct mf_walk w = { ws, nic, where, table };
    nic->pos = mf_node(ws, table)->kpos;
    nic->mirror.target_vf = MF_NONE;
    mf_walk_table(&w, nic_keys);
    m->nnics++;
}

static void build_guest(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    struct mf_manifest *m = ctx;
    if (m->nguests == MF_MAX_GUESTS) {
        mf_error(&ws->diag, mf_node(ws, table)->kpos, "too many [[guest]] entries: at most %d",
                 MF_MAX_GUESTS);
        return;
    }
    mf_build_guest(ws, table, &m->guests[m->nguests], m->nguests);
    m->nguests++;
}

static void walk_hypervisor(struct mf_walk *w, uint32_t n)
{
    struct mf_manifest *m = w->obj;
    if (mf_node(w->ws, n)->kind != N_TABLE) {
        mf_value_error(w->ws, "hypervisor", n, "a table");
        return;
    }
    struct mf_walk sub = { w->ws, &m->hv, "[hypervisor]", n };
    m->hv.pos = mf_node(w->ws, n)->kpos;
    mf_walk_table(&sub, hypervisor_keys);
}

static void walk_modules(struct mf_walk *w, uint32_t n)
{
    struct mf_workspace *ws = w->ws;
    struct mf_manifest *m = w->obj;
    if (mf_node(ws, n)->kind != N_TABLE) {
        mf_value_error(ws, "modules", n, "a table of name = \"path\"");
        return;
    }
    m->has_modules_table = true;
    for (uint32_t c = mf_node(ws, n)->child; c; c = mf_node(ws, c)->next) {
        const char *name = mf_key_name(ws, c);
        if (!mf_valid_name(name)) {
            mf_error(&ws->diag, mf_node(ws, c)->kpos,
                     "module name '%.40s': expected letters, digits, '-' and '_' (at most 31)", name);
            continue;
        }
        if (m->nmodules == MF_MAX_MODULES) {
            mf_error(&ws->diag, mf_node(ws, c)->kpos, "too many modules: at most %d", MF_MAX_MODULES);
            return;
        }
        struct mf_module *mod = &m->modules[m->nmodules];
        if (!mf_get_string(ws, c, mod->path, sizeof(mod->path)))
            continue;
        if (!mod->path[0]) {
            mf_value_error(ws, name, c, "a file path");
            continue;
        }
        memcpy(mod->name, name, strlen(name) + 1);
        mod->pos = mf_node(ws, c)->kpos;
        m->nmodules++;
    }
}

static void walk_nics(struct mf_walk *w, uint32_t n)
{
    mf_for_each_table(w->ws, n, "nic", build_nic, w->obj);
}

static void walk_guests(struct mf_walk *w, uint32_t n)
{
    mf_for_each_table(w->ws, n, "guest", build_guest, w->obj);
}

static const struct mf_key top_keys[] = {
    { .name = "hypervisor", .type = K_SUB, .sub = walk_hypervisor },
    { .name = "modules", .type = K_SUB, .sub = walk_modules },
    { .name = "nic", .type = K_SUB, .sub = walk_nics },
    { .name = "guest", .type = K_SUB, .sub = walk_guests },
    { .name = "virtio_switch", .type = K_SUB, .sub = mf_walk_virtio_switch },
    MF_KEY_END,
};

void mf_build_model(struct mf_workspace *ws)
{
    struct mf_manifest *m = &ws->model;
    memset(m, 0, sizeof(*m));
    m->hv.console = MF_CONSOLE_COM1;
    m->hv.baud = 115200;
    m->hv.log_level = MF_LOG_INFO;
    struct mf_walk w = { ws, m, "the top level", 0 };
    mf_walk_table(&w, top_keys);
}
