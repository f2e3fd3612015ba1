/* Creating a guest's virtio-pci functions and routing their configuration accesses
 * (vmm/vpci/vpci_virtio_fn.h). */
#include <stdio.h>
#include <string.h>

#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mb2.h"
#include "kernel/mm.h"
#include "kernel/tsc.h"
#include "vmm/guest.h"
#include "vmm/virtio/vq_guest_ram.h"
#include "vmm/vpci/vpci_virtio_fn.h"

/* Indexed by guest id; see the header for who writes what. */
static struct vpci_vfn vfns[GUEST_MAX][VPCI_VIRTIO_FNS];

static void dev_log(const char *line) { log_warn("virtio", "%s", line); }

void vpci_vfn_interrupt(struct vpci_vfn *f, uint16_t entry)
{
    struct guest *g = f->g;
    uint32_t apics[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        apics[i] = g->vcpus[i].apic_id;
    uint8_t vector;
    uint32_t apic;
    if (!vpci_virtio_route(&f->tr, entry, apics, g->nvcpus, g->intr_mode, &vector, &apic)) {
        __atomic_add_fetch(&f->irqs_unrouted, 1, __ATOMIC_RELAXED);
        return;
    }
    lapic_send_ipi(apic, ICR_FIXED, vector);
    __atomic_add_fetch(&f->irqs, 1, __ATOMIC_RELAXED);
}

void vpci_vfn_config_interrupt(struct vpci_vfn *f)
{
    spin_lock(&f->tr.lock);
    uint16_t entry = f->tr.config_vector;
    spin_unlock(&f->tr.lock);
    vpci_virtio_isr_raise(&f->tr, VIRTIO_PCI_ISR_CONFIG);
    vpci_vfn_interrupt(f, entry);
}

struct vpci_vfn *vpci_virtio_fn_get(uint32_t guest_id, unsigned k)
{
    if (guest_id >= GUEST_MAX || k >= VPCI_VIRTIO_FNS)
        return NULL;
    struct vpci_vfn *f = &vfns[guest_id][k];
    return __atomic_load_n(&f->g, __ATOMIC_ACQUIRE) ? f : NULL;
}

static int notify_page(struct guest *g, struct vpci_vfn *f, char *err, unsigned errlen)
{
    if (!f->notify_hpa) {
        f->notify_hpa = frames_alloc(1, PAGE_SIZE);
        if (f->notify_hpa == FRAME_NONE) {
            f->notify_hpa = 0;
            snprintf(err, errlen, "no memory for a virtio notification page");
            return -1;
        }
    }
    f->notify = phys_to_virt(f->notify_hpa);
    for (unsigned i = 0; i < PAGE_SIZE / 2; i++)
        f->notify[i] = VPCI_VIRTIO_NOTIFY_IDLE;
    /* Baseline: read-only, so that every notify store exits (vpci_virtio_notify.c). */
    if (gpmap_map(&g->gpmap, f->tr.bar_gpa + VPCI_VIRTIO_NOTIFY, f->notify_hpa, PAGE_SIZE,
                  f->baseline ? GPM_R : GPM_R | GPM_W, false)) {
        snprintf(err, errlen, "cannot map a virtio notification page in the EPT");
        return -1;
    }
    return 0;
}

static uint64_t clock_now(void) { return rdtsc(); }

/* Owner: the management CPU until the sidecore owning the switch starts, then that sidecore
 * (vnet.h); fab.dev[] is written at guest creation, before the start, and only read after. */
static struct vnet_fabric fab;

struct vnet_fabric *vpci_virtio_fabric(void) { return &fab; }

int vpci_virtio_fabric_build(const struct mf_manifest *m, char *err, unsigned errlen)
{
    memset(&fab, 0, sizeof(fab));
    fab.now = clock_now;
    if (vsw_build(&fab.sw, m, tsc_hz(), rdtsc())) {
        snprintf(err, errlen, "the virtio-net switch cannot hold the manifest's ports");
        return -1;
    }
    return 0;
}

/* The next virtio BAR0 in the guest's MMIO window, or 0. */
static uint64_t next_bar(struct vpci *vp)
{
    uint64_t gpa = (vp->mmio_next + VPCI_VIRTIO_BAR_SIZE - 1) & ~(uint64_t)(VPCI_VIRTIO_BAR_SIZE - 1);
    if (gpa + VPCI_VIRTIO_BAR_SIZE > VPCI_MMIO_END)
        return 0;
    vp->mmio_next = gpa + VPCI_VIRTIO_BAR_SIZE;
    return gpa;
}

/* Slot k of g emptied but for its notification page, which is kept across re-creation. */
static struct vpci_vfn *fresh(struct guest *g, unsigned k)
{
    struct vpci_vfn *f = &vfns[g->id][k];
    uint64_t keep_hpa = f->notify_hpa;
    memset(f, 0, sizeof(*f));
    f->notify_hpa = keep_hpa;
    return f;
}

static int add_blk(struct guest *g, const struct mf_virtio_blk *mb, const struct boot_info *bi,
                   unsigned i, bool baseline, char *err, unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    const struct mb2_module *m = mb2_find_module(bi, mb->module.name);
    if (!m) {
        snprintf(err, errlen, "virtio-blk module '%s' was not loaded by the boot loader",
                 mb->module.name);
        return -1;
    }
    uint64_t gpa = next_bar(vp);
    if (!gpa) {
        snprintf(err, errlen, "virtio-blk %u does not fit the guest's MMIO window", i);
        return -1;
    }
    struct vpci_vfn *f = fresh(g, vp->nvirtio);
    f->index = i;
    char name[64], id[VIRTIO_BLK_ID_BYTES + 1];
    snprintf(name, sizeof(name), "guest '%s' virtio-blk %u", g->name, i);
    snprintf(id, sizeof(id), "%s", mb->module.name);
    f->baseline = baseline;
    vq_guest_ram_init(&f->mem, g);
    /* The module is the disk: its bytes are the hypervisor's copy the boot loader loaded;
     * only this device writes them. */
    vblk_init(&f->blk, name, &f->mem, phys_to_virt(m->start), m->end - m->start,
              mb->read_only, id, dev_log);
    f->dev = &f->blk.dev;
    vpci_virtio_init(&f->tr, f->dev, gpa);
    if (notify_page(g, f, err, errlen))
        return -1;
    log_info("vpci", "%s: 00:%02x.0 virtio-blk %u on module '%s' (%lu sectors%s), BAR0 at "
                     "%#lx, notification page %s", g->name, vp->nfns + 1 + vp->nvirtio,
             i, mb->module.name, f->blk.sectors, mb->read_only ? ", read-only" : "", gpa,
             f->baseline ? "read-only (baseline: every kick exits)" : "mapped as memory");
    vp->nvirtio++;
    __atomic_store_n(&f->g, g, __ATOMIC_RELEASE);
    return 0;
}

static int add_net(struct guest *g, const struct mf_virtio_net *mn, unsigned i, bool baseline,
                   char *err, unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    uint64_t gpa = next_bar(vp);
    if (!gpa) {
        snprintf(err, errlen, "virtio-net %u does not fit the guest's MMIO window", i);
        return -1;
    }
    if (mn->port >= VSW_MAX_PORTS || !fab.sw.port[mn->port].present) {
        snprintf(err, errlen, "virtio-net %u: port %u is not on the switch", i, mn->port);
        return -1;
    }
    struct vpci_vfn *f = fresh(g, vp->nvirtio);
    f->index = i;
    f->is_net = true;
    f->baseline = baseline;
    char name[64];
    snprintf(name, sizeof(name), "guest '%s' virtio-net %u", g->name, i);
    vq_guest_ram_init(&f->mem, g);
    vnet_init(&f->net, name, &f->mem, &fab, (uint16_t)mn->port, mn->mac.b, dev_log);
    f->dev = &f->net.dev;
    vpci_virtio_init(&f->tr, f->dev, gpa);
    if (notify_page(g, f, err, errlen))
        return -1;
    fab.dev[mn->port] = &f->net;
    const uint8_t *a = mn->mac.b;
    log_info("vpci", "%s: 00:%02x.0 virtio-net %u, switch port %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, "
                     "VLAN %u, BAR0 at %#lx, notification page %s", g->name,
             vp->nfns + 1 + vp->nvirtio, i, mn->port, a[0], a[1], a[2], a[3], a[4], a[5],
             mn->vlan, gpa, f->baseline ? "read-only (baseline: every kick exits)" : "mapped as memory");
    vp->nvirtio++;
    __atomic_store_n(&f->g, g, __ATOMIC_RELEASE);
    return 0;
}

int vpci_virtio_fn_setup(struct guest *g, const struct mf_guest *mg, const struct boot_info *bi,
                         char *err, unsigned errlen)
{
    struct vpci *vp = &g->vpci;
    vp->nvirtio = 0;
    if (!mg || (!mg->nvblks && !mg->nvnets))
        return 0;
    unsigned n = mg->nvblks + mg->nvnets;
    if (g->id >= GUEST_MAX || n > VPCI_VIRTIO_FNS || vp->nfns + n > 31) {
        snprintf(err, errlen, "too many PCI functions for its virtual PCI");
        return -1;
    }
    if (g->mem_size > VPCI_MMIO_BASE) {
        snprintf(err, errlen, "guests with virtio devices may have at most %llu MiB of memory "
                              "(their MMIO window starts at %#llx)", VPCI_MMIO_BASE >> 20, VPCI_MMIO_BASE);
        return -1;
    }
    if (!vp->mmio_next)
        vp->mmio_next = VPCI_MMIO_BASE;
    bool baseline = mg->virtio_mode == MF_VIRTIO_BASELINE;
    for (unsigned i = 0; i < mg->nvblks; i++)
        if (add_blk(g, &mg->virtio_blk[i], bi, i, baseline, err, errlen))
            return -1;
    for (unsigned i = 0; i < mg->nvnets; i++)
        if (add_net(g, &mg->virtio_net[i], i, baseline, err, errlen))
            return -1;
    return 0;
}

void vpci_virtio_fn_guest_start(struct guest *g)
{
    for (unsigned i = 0; i < g->vpci.nvirtio; i++) {
        struct vpci_vfn *f = &vfns[g->id][i];
        vpci_virtio_mmio_write(&f->tr, VPCI_VIRTIO_COMMON +
                               __builtin_offsetof(struct virtio_pci_common_cfg, device_status), 1, 0);
        spin_lock(&f->tr.lock);
        f->tr.command = 0;
        f->tr.msix_ctrl = 0;
        f->tr.bar_sizing = 0;
        spin_unlock(&f->tr.lock);
        for (unsigned k = 0; k < PAGE_SIZE / 2; k++)
            f->notify[k] = VPCI_VIRTIO_NOTIFY_IDLE;
    }
}

bool vpci_virtio_fn_cfg(struct guest *g, unsigned slot, uint16_t off, unsigned size, bool write,
                        uint32_t *value)
{
    struct vpci *vp = &g->vpci;
    if (slot <= vp->nfns || slot > vp->nfns + vp->nvirtio)
        return false;
    struct vpci_vfn *f = &vfns[g->id][slot - vp->nfns - 1];
    if (write)
        vpci_virtio_cfg_write(&f->tr, off, size, *value);
    else
        *value = vpci_virtio_cfg_read(&f->tr, off, size);
    return true;
}
