/* Builds one [[guest]] of the model with its vf, virtio_net, virtio_blk and pci sub-tables. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

struct guest_ctx {
    struct mf_guest *g;
    const char *kind;            /* "vf", ... for messages */
};

static void walk_allowed_vlans(struct mf_walk *w, uint32_t n)
{
    struct mf_vf *vf = w->obj;
    mf_get_vlans(w->ws, n, vf->allowed_vlans, &vf->nallowed_vlans);
}

static const struct mf_key vf_keys[] = {
    MF_KEY("nic", K_NAME, struct mf_vf, nic_ref, .pos_off = MF_POS(struct mf_vf, nic_pos)),
    MF_KEY("index", K_U32, struct mf_vf, index, .min = 0, .max = MF_MAX_VFS_PER_NIC - 1,
           .pos_off = MF_POS(struct mf_vf, index_pos), .set_off = MF_POS(struct mf_vf, index_set)),
    MF_KEY("mac", K_MAC, struct mf_vf, mac, .pos_off = MF_POS(struct mf_vf, mac_pos),
           .set_off = MF_POS(struct mf_vf, mac_set)),
    MF_KEY("vlan", K_VLAN, struct mf_vf, vlan, .min = 1, .max = 4094,
           .pos_off = MF_POS(struct mf_vf, vlan_pos)),
    MF_KEY("allowed_vlans", K_SUB, struct mf_vf, allowed_vlans, .sub = walk_allowed_vlans),
    MF_KEY("tx_rate", K_RATE, struct mf_vf, tx_rate_bps, .pos_off = MF_POS(struct mf_vf, tx_rate_pos)),
    MF_KEY("ingress_limit", K_RATE, struct mf_vf, ingress_limit_bps,
           .pos_off = MF_POS(struct mf_vf, ingress_pos)),
    MF_KEY("spoof_check", K_BOOL, struct mf_vf, spoof_check),
    MF_KEY("trust", K_BOOL, struct mf_vf, trust),
    MF_KEY("priority", K_U8, struct mf_vf, priority, .min = 0, .max = 7),
    MF_KEY_END,
};

static const struct mf_key vnet_keys[] = {
    MF_KEY("mac", K_MAC, struct mf_virtio_net, mac, .pos_off = MF_POS(struct mf_virtio_net, mac_pos),
           .set_off = MF_POS(struct mf_virtio_net, mac_set)),
    MF_KEY("port", K_U32, struct mf_virtio_net, port, .min = 0, .max = 255,
           .pos_off = MF_POS(struct mf_virtio_net, port_pos),
           .set_off = MF_POS(struct mf_virtio_net, port_set)),
    MF_KEY("vlan", K_VLAN, struct mf_virtio_net, vlan, .min = 1, .max = 4094),
    MF_KEY("uplink", K_NAME, struct mf_virtio_net, uplink_ref,
           .pos_off = MF_POS(struct mf_virtio_net, uplink_pos)),
    MF_KEY("ingress_limit", K_RATE, struct mf_virtio_net, ingress_limit_bps,
           .pos_off = MF_POS(struct mf_virtio_net, ingress_pos)),
    MF_KEY("egress_limit", K_RATE, struct mf_virtio_net, egress_limit_bps,
           .pos_off = MF_POS(struct mf_virtio_net, egress_pos)),
    MF_KEY("spoof_check", K_BOOL, struct mf_virtio_net, spoof_check),
    MF_KEY_END,
};

static const struct mf_key vblk_keys[] = {
    MF_KEY("module", K_MODREF, struct mf_virtio_blk, module, .required = true),
    MF_KEY("read_only", K_BOOL, struct mf_virtio_blk, read_only),
    MF_KEY_END,
};

static const struct mf_key pci_keys[] = {
    MF_KEY("address", K_PCI, struct mf_pci_dev, address, .required = true,
           .pos_off = MF_POS(struct mf_pci_dev, address_pos)),
    MF_KEY("unsafe_no_iommu", K_BOOL, struct mf_pci_dev, unsafe_no_iommu),
    MF_KEY_END,
};

/* Finds room for one more device of a kind; reports the limit when full. */
static void *next_slot(struct mf_workspace *ws, uint32_t table, const struct guest_ctx *c,
                       uint8_t *count, uint32_t max, void *base, size_t elem)
{
    if (*count == max) {
        mf_error(&ws->diag, mf_node(ws, table)->kpos,
                 "too many [[guest.%s]] entries in guest '%s': at most %u", c->kind, c->g->name,
                 (unsigned)max);
        return NULL;
    }
    void *slot = (char *)base + elem * (*count)++;
    memset(slot, 0, elem);
    return slot;
}

static void walk_device(struct mf_workspace *ws, uint32_t table, const struct guest_ctx *c,
                        void *obj, struct mf_pos *pos, const struct mf_key *keys)
{
    char where[MF_NAME_MAX + 40];
    snprintf(where, sizeof(where), "[[guest.%s]] of guest '%s'", c->kind, c->g->name);
    struct mf_walk w = { ws, obj, where, table };
    *pos = mf_node(ws, table)->kpos;
    mf_walk_table(&w, keys);
    if (mf_node(ws, table)->flags & NF_BROKEN)
        c->g->incomplete = true;
}

static void build_vf(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    const struct guest_ctx *c = ctx;
    struct mf_vf *vf = next_slot(ws, table, c, &c->g->nvfs, MF_MAX_GUEST_VFS, c->g->vf, sizeof(*vf));
    if (!vf)
        return;
    vf->nic = MF_NONE;
    vf->spoof_check = true;
    walk_device(ws, table, c, vf, &vf->pos, vf_keys);
}

static void build_vnet(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    const struct guest_ctx *c = ctx;
    struct mf_virtio_net *v = next_slot(ws, table, c, &c->g->nvnets, MF_MAX_GUEST_VNETS,
                                        c->g->virtio_net, sizeof(*v));
    if (!v)
        return;
    v->uplink = MF_NONE;
    v->spoof_check = true;
    walk_device(ws, table, c, v, &v->pos, vnet_keys);
}

static void build_vblk(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    const struct guest_ctx *c = ctx;
    struct mf_virtio_blk *b = next_slot(ws, table, c, &c->g->nvblks, MF_MAX_GUEST_VBLKS,
                                        c->g->virtio_blk, sizeof(*b));
    if (!b)
        return;
    b->module.module = MF_NONE;
    walk_device(ws, table, c, b, &b->pos, vblk_keys);
}

static void build_pci(struct mf_workspace *ws, uint32_t table, void *ctx)
{
    const struct guest_ctx *c = ctx;
    struct mf_pci_dev *p = next_slot(ws, table, c, &c->g->npci, MF_MAX_GUEST_PCI, c->g->pci,
                                     sizeof(*p));
    if (p)
        walk_device(ws, table, c, p, &p->pos, pci_keys);
}

static void walk_sub(struct mf_walk *w, uint32_t n, const char *kind,
                     void (*fn)(struct mf_workspace *ws, uint32_t table, void *ctx))
{
    struct guest_ctx c = { w->obj, kind };
    mf_for_each_table(w->ws, n, kind, fn, &c);
}

static void walk_vf(struct mf_walk *w, uint32_t n) { walk_sub(w, n, "vf", build_vf); }
static void walk_vnet(struct mf_walk *w, uint32_t n) { walk_sub(w, n, "virtio_net", build_vnet); }
static void walk_vblk(struct mf_walk *w, uint32_t n) { walk_sub(w, n, "virtio_blk", build_vblk); }
static void walk_pci(struct mf_walk *w, uint32_t n) { walk_sub(w, n, "pci", build_pci); }

static const struct mf_key guest_keys[] = {
    MF_KEY("name", K_NAME, struct mf_guest, name, .required = true,
           .pos_off = MF_POS(struct mf_guest, name_pos)),
    MF_KEY("cpus", K_CPUS, struct mf_guest, cpus, .required = true,
           .pos_off = MF_POS(struct mf_guest, cpus_pos)),
    MF_KEY("memory", K_SIZE, struct mf_guest, memory, .required = true,
           .pos_off = MF_POS(struct mf_guest, memory_pos)),
    MF_KEY("image", K_MODREF, struct mf_guest, image, .required = true),
    MF_KEY("initrd", K_MODREF, struct mf_guest, initrd),
    MF_KEY("cmdline", K_STR, struct mf_guest, cmdline),
    MF_KEY("on_fault", K_ENUM, struct mf_guest, on_fault, .enums = mf_on_fault_names),
    MF_KEY("interrupts", K_ENUM, struct mf_guest, interrupts, .enums = mf_interrupts_names),
    MF_KEY("virtio_mode", K_ENUM, struct mf_guest, virtio_mode, .enums = mf_virtio_mode_names,
           .pos_off = MF_POS(struct mf_guest, virtio_mode_pos)),
    MF_KEY("max_restarts", K_U32, struct mf_guest, max_restarts, .min = 0, .max = 10000),
    MF_KEY("time_limit", K_DURATION, struct mf_guest, time_limit_ms,
           .max = (int64_t)MF_TIME_LIMIT_MAX_MS),
    MF_KEY("expect", K_ENUM, struct mf_guest, expect, .enums = mf_expect_names),
    MF_KEY("vf", K_SUB, struct mf_guest, vf, .sub = walk_vf),
    MF_KEY("virtio_net", K_SUB, struct mf_guest, virtio_net, .sub = walk_vnet),
    MF_KEY("virtio_blk", K_SUB, struct mf_guest, virtio_blk, .sub = walk_vblk),
    MF_KEY("pci", K_SUB, struct mf_guest, pci, .sub = walk_pci),
    MF_KEY_END,
};

void mf_build_guest(struct mf_workspace *ws, uint32_t table, struct mf_guest *g, uint32_t index)
{
    char where[MF_NAME_MAX + 16];
    mf_describe_entry(where, sizeof(where), "guest", mf_get_name(ws, table), index);
    struct mf_walk w = { ws, g, where, table };
    g->pos = mf_node(ws, table)->kpos;
    g->image.module = MF_NONE;
    g->initrd.module = MF_NONE;
    g->max_restarts = 3;
    g->incomplete = (mf_node(ws, table)->flags & NF_BROKEN) != 0;
    /* Sub-tables name the guest in messages: until "name" is read, use its number. */
    const char *name = mf_get_name(ws, table);
    if (name && mf_valid_name(name))
        memcpy(g->name, name, strlen(name) + 1);
    else
        snprintf(g->name, sizeof(g->name), "#%u", (unsigned)index + 1);
    mf_walk_table(&w, guest_keys);
}
