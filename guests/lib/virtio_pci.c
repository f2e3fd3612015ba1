/* The test guests' virtio-pci driver (virtio_pci.h). */
#include "guest.h"
#include "virtio_pci.h"

#define PCI_COMMAND   0x04
#define PCI_CAP_PTR   0x34
#define PCI_CAP_MSIX  0x11
#define CMD_MEMORY    (1u << 1)
#define CMD_MASTER    (1u << 2)
#define MSIX_ENABLE   (1u << 31)      /* in the capability's first dword */
#define MSI_ADDR_BASE 0xfee00000u
#define WIN_BAR    4                  /* offsets in the access window capability */
#define WIN_OFFSET 8
#define WIN_LENGTH 12
#define WIN_DATA   16
#define CC(f) ((uint32_t)__builtin_offsetof(struct virtio_pci_common_cfg, f))
#define BAR_MSIX_TABLE 0x4000u

static uint32_t cfg_read(unsigned dev, uint8_t off)
{
    outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfcu));
    return inl(0xcfc);
}

static void cfg_write(unsigned dev, uint8_t off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfcu));
    outl(0xcfc, v);
}

unsigned vio_find(uint16_t type, unsigned n)
{
    for (unsigned dev = 1; dev < 32; dev++) {
        uint32_t id = cfg_read(dev, 0);
        if ((id & 0xffff) == 0x1af4 && (id >> 16) == 0x1040u + type && n-- == 0)
            return dev;
    }
    return 0;
}

static void window(struct vdisk *d, uint32_t off, unsigned len)
{
    cfg_write(d->slot, (uint8_t)(d->win + WIN_BAR), 0);     /* BAR 0 */
    cfg_write(d->slot, (uint8_t)(d->win + WIN_OFFSET), off);
    cfg_write(d->slot, (uint8_t)(d->win + WIN_LENGTH), len);
}

uint32_t vio_read(struct vdisk *d, uint32_t off, unsigned len)
{
    window(d, off, len);
    uint32_t v = cfg_read(d->slot, (uint8_t)(d->win + WIN_DATA));
    return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

void vio_write(struct vdisk *d, uint32_t off, unsigned len, uint32_t val)
{
    window(d, off, len);
    cfg_write(d->slot, (uint8_t)(d->win + WIN_DATA), val);
}

static void status_add(struct vdisk *d, uint8_t bits)
{
    vio_write(d, CC(device_status), 1, vio_read(d, CC(device_status), 1) | bits);
}

/* Walks the capability list for the access window, the notification capability and MSI-X. */
static const char *find_caps(struct vdisk *d)
{
    uint8_t at = (uint8_t)cfg_read(d->slot, PCI_CAP_PTR);
    uint32_t notify_bar_off = 0;
    bool notify = false;
    for (unsigned n = 0; at && n < 48; n++) {
        uint32_t w0 = cfg_read(d->slot, at);
        uint8_t id = (uint8_t)w0, next = (uint8_t)(w0 >> 8), type = (uint8_t)(w0 >> 24);
        if (id == PCI_CAP_MSIX)
            d->msix = at;
        if (id == PCI_CAP_ID_VNDR && type == VIRTIO_PCI_CAP_PCI_CFG)
            d->win = at;
        if (id == PCI_CAP_ID_VNDR && type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
            notify_bar_off = cfg_read(d->slot, (uint8_t)(at + 8));
            d->notify_off_mul = cfg_read(d->slot, (uint8_t)(at + 16));
            notify = true;
        }
        at = next;
    }
    if (!d->win || !d->msix || !notify)
        return "a capability is missing (access window, notification or MSI-X)";
    uint32_t lo = cfg_read(d->slot, 0x10), hi = cfg_read(d->slot, 0x14);
    d->bar0 = ((uint64_t)hi << 32 | lo) & ~0xfull;
    d->notify_bar_off = notify_bar_off;
    return NULL;
}

const char *vio_begin(struct vdisk *d, unsigned slot, uint8_t vector, uint64_t want)
{
    d->slot = slot;
    const char *why = find_caps(d);
    if (why)
        return why;
    cfg_write(slot, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
    vio_write(d, CC(device_status), 1, 0);
    if (vio_read(d, CC(device_status), 1) != 0)
        return "status did not read 0 after reset";
    status_add(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vio_write(d, CC(device_feature_select), 4, 0);
    d->features = vio_read(d, CC(device_feature), 4);
    vio_write(d, CC(device_feature_select), 4, 1);
    d->features |= (uint64_t)vio_read(d, CC(device_feature), 4) << 32;
    if (!(d->features & (1ull << VIRTIO_F_VERSION_1)))
        return "VERSION_1 not offered";
    uint64_t drv = (d->features & want) | (1ull << VIRTIO_F_VERSION_1);
    vio_write(d, CC(driver_feature_select), 4, 0);
    vio_write(d, CC(driver_feature), 4, (uint32_t)drv);
    vio_write(d, CC(driver_feature_select), 4, 1);
    vio_write(d, CC(driver_feature), 4, (uint32_t)(drv >> 32));
    status_add(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(vio_read(d, CC(device_status), 1) & VIRTIO_STATUS_FEATURES_OK))
        return "FEATURES_OK did not stick";
    /* MSI-X entry 0: this core (physical destination), fixed, edge, unmasked. */
    uint32_t apic = cpuid(1, 0).b >> 24;
    vio_write(d, BAR_MSIX_TABLE + 0, 4, MSI_ADDR_BASE | apic << 12);
    vio_write(d, BAR_MSIX_TABLE + 4, 4, 0);
    vio_write(d, BAR_MSIX_TABLE + 8, 4, vector);
    vio_write(d, BAR_MSIX_TABLE + 12, 4, 0);
    cfg_write(slot, d->msix, cfg_read(slot, d->msix) | MSIX_ENABLE);
    return NULL;
}

static void write64(struct vdisk *d, uint32_t off, uint64_t v)
{
    vio_write(d, off, 4, (uint32_t)v);
    vio_write(d, off + 4, 4, (uint32_t)(v >> 32));
}

const char *vio_queue_at(struct vdisk *d, uint16_t qi, uint64_t desc, uint64_t avail,
                         uint64_t used)
{
    if (qi >= VIO_MAX_QUEUES)
        return "queue number beyond the driver's";
    struct vio_queue *q = &d->q[qi];
    vio_write(d, CC(queue_select), 2, qi);
    uint16_t max = (uint16_t)vio_read(d, CC(queue_size), 2);
    if (max < VQ_SIZE)
        return "the queue is smaller than the driver's ring";
    *q = (struct vio_queue){ .size = VQ_SIZE, .desc = (struct vring_desc *)(uintptr_t)desc,
                             .index = qi, .avail = (struct vring_avail *)(uintptr_t)avail,
                             .used = (struct vring_used *)(uintptr_t)used };
    vio_write(d, CC(queue_size), 2, q->size);
    write64(d, CC(queue_desc), desc);
    write64(d, CC(queue_driver), avail);
    write64(d, CC(queue_device), used);
    vio_write(d, CC(queue_msix_vector), 2, 0);
    if (vio_read(d, CC(queue_msix_vector), 2) != 0)
        return "the queue refused MSI-X entry 0";
    q->notify_at = d->bar0 + d->notify_bar_off +
                   (uint32_t)vio_read(d, CC(queue_notify_off), 2) * d->notify_off_mul;
    vio_write(d, CC(queue_enable), 2, 1);
    return NULL;
}

const char *vio_queue(struct vdisk *d, uint16_t qi, struct vio_ring *r)
{
    /* A reset device starts at avail and used index 0 (2.7): the rings start empty, whatever
     * an earlier initialisation left in them. The avail flags (avail[0]) are the driver's
     * choice, made before this call (VRING_AVAIL_F_NO_INTERRUPT for a polling driver): kept. */
    for (unsigned i = 1; i < sizeof(r->avail) / sizeof(r->avail[0]); i++)
        ((volatile uint16_t *)r->avail)[i] = 0;
    for (unsigned i = 0; i < sizeof(r->used); i++)
        ((volatile uint8_t *)r->used)[i] = 0;
    return vio_queue_at(d, qi, (uintptr_t)r->desc, (uintptr_t)r->avail, (uintptr_t)r->used);
}

uint8_t vio_status(struct vdisk *d)
{
    return (uint8_t)vio_read(d, CC(device_status), 1);
}

bool vio_wait_status(struct vdisk *d, uint8_t bits, uint64_t max_reads)
{
    for (uint64_t i = 0; i < max_reads; i++) {
        if ((vio_status(d) & bits) == bits)
            return true;
        __asm__ volatile("pause");
    }
    return false;
}

void vio_notify(struct vdisk *d, uint16_t qi)
{
    *(volatile uint16_t *)(uintptr_t)d->q[qi].notify_at = qi;
}

void vio_publish_q(struct vdisk *d, uint16_t qi, uint16_t idx)
{
    struct vio_queue *q = &d->q[qi];
    __atomic_store_n(&q->avail->idx, idx, __ATOMIC_RELEASE);
    q->avail_idx = idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    vio_notify(d, qi);
}

const char *vio_ready(struct vdisk *d)
{
    status_add(d, VIRTIO_STATUS_DRIVER_OK);
    uint8_t st = (uint8_t)vio_read(d, CC(device_status), 1);
    if (!(st & VIRTIO_STATUS_DRIVER_OK) || (st & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
        return "DRIVER_OK not accepted";
    return NULL;
}

const char *vio_init(struct vdisk *d, unsigned slot, uint8_t vector, uint64_t want,
                     struct vio_ring *r)
{
    const char *why = vio_begin(d, slot, vector, want);
    if (!why)
        why = vio_queue(d, 0, r);
    return why ? why : vio_ready(d);
}

void vio_submit_q(struct vdisk *d, uint16_t qi, uint16_t head)
{
    struct vio_queue *q = &d->q[qi];
    q->avail->ring[q->avail_idx % q->size] = head;
    __atomic_store_n(&q->avail->idx, (uint16_t)(q->avail_idx + 1), __ATOMIC_RELEASE);
    q->avail_idx++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY)) {
        vio_notify(d, qi);
        q->notifies++;
        if (qi == 0)
            d->notifies++;
    }
}

bool vio_poll_used(struct vdisk *d, uint16_t qi, uint32_t *id, uint32_t *len)
{
    struct vio_queue *q = &d->q[qi];
    if (__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) == q->used_seen)
        return false;
    const struct vring_used_elem *e = &q->used->ring[q->used_seen % q->size];
    *id = e->id;
    *len = e->len;
    q->used_seen++;
    return true;
}

bool vio_wait_used(struct vdisk *d, uint32_t *id, uint32_t *len, uint64_t max_spins)
{
    for (uint64_t i = 0; i < max_spins; i++) {
        if (vio_poll_used(d, 0, id, len))
            return true;
        __asm__ volatile("pause");
    }
    return false;
}
