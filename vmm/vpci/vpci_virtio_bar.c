/* BAR0 of an emulated virtio-pci function: the common configuration (virtio 1.2, 4.1.4.3),
 * ISR status (4.1.4.5), device configuration (4.1.4.6), notifications (4.1.4.4) and the
 * MSI-X table (PCI 3.0, 6.8.2); the layout is in vpci_virtio.h. */
#include <stddef.h>
#include <string.h>

#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci_virtio.h"

#define CC(field) offsetof(struct virtio_pci_common_cfg, field)

void vpci_virtio_init(struct vpci_virtio *v, struct vdev *dev, uint64_t bar_gpa)
{
    memset(v, 0, sizeof(*v));
    v->lock = (struct spinlock)SPINLOCK_INIT;
    v->dev = dev;
    v->bar_gpa = bar_gpa & ~(uint64_t)(VPCI_VIRTIO_BAR_SIZE - 1);
    v->config_vector = VIRTIO_MSI_NO_VECTOR;
    for (unsigned i = 0; i < VPCI_VIRTIO_MSIX_VECS; i++)
        v->msix[i].ctrl = PCI_MSIX_ENTRY_MASKED;     /* masked after reset (6.8.2.9) */
}

/* An MSI-X entry number the driver may program into a vector register, else NO_VECTOR
 * (read back so the driver sees the mapping failed, 4.1.5.1.2). */
static uint16_t vector_ok(uint16_t vec)
{
    return vec < VPCI_VIRTIO_MSIX_VECS ? vec : VIRTIO_MSI_NO_VECTOR;
}

static enum vdev_qreg qreg_of(uint32_t off, bool *ok)
{
    *ok = true;
    switch (off) {
    case CC(queue_size): return VDEV_Q_SIZE;
    case CC(queue_msix_vector): return VDEV_Q_MSIX;
    case CC(queue_enable): return VDEV_Q_ENABLE;
    case CC(queue_desc): return VDEV_Q_DESC;
    case CC(queue_driver): return VDEV_Q_DRIVER;
    case CC(queue_device): return VDEV_Q_DEVICE;
    default: *ok = false; return VDEV_Q_SIZE;
    }
}

/* The common configuration's width of each register, 0 for none. */
static unsigned cc_width(uint32_t off)
{
    switch (off) {
    case CC(device_feature_select): case CC(device_feature): case CC(driver_feature_select):
    case CC(driver_feature):
        return 4;
    case CC(config_msix_vector): case CC(num_queues): case CC(queue_select): case CC(queue_size):
    case CC(queue_msix_vector): case CC(queue_enable): case CC(queue_notify_off):
    case CC(queue_notify_data): case CC(queue_reset):
        return 2;
    case CC(device_status): case CC(config_generation):
        return 1;
    case CC(queue_desc): case CC(queue_driver): case CC(queue_device):
        return 8;
    default:
        return 0;
    }
}

/* 64-bit fields may be accessed whole or as two 32-bit halves (4.1.3.1). Returns the
 * register's offset and sets *half to 0 (whole), 1 (low) or 2 (high); ~0u if none. */
static uint32_t cc_reg(uint32_t off, unsigned size, unsigned *half)
{
    *half = 0;
    if (cc_width(off) == size)
        return off;
    if (size == 4 && cc_width(off) == 8) {
        *half = 1;
        return off;
    }
    if (size == 4 && off >= 4 && cc_width(off - 4) == 8) {
        *half = 2;
        return off - 4;
    }
    return ~0u;
}

static uint64_t common_read(struct vpci_virtio *v, uint32_t off, unsigned size)
{
    unsigned half;
    uint32_t reg = cc_reg(off, size, &half);
    struct vdev *d = v->dev;
    bool isq;
    enum vdev_qreg q = qreg_of(reg, &isq);
    uint64_t val = 0;
    spin_lock(&v->lock);
    uint16_t qs = v->queue_select;
    uint32_t dsel = v->dfselect, gsel = v->gfselect;
    switch (reg) {
    case CC(device_feature_select): val = dsel; break;
    case CC(driver_feature_select): val = gsel; break;
    case CC(config_msix_vector): val = v->config_vector; break;
    case CC(queue_select): val = qs; break;
    default: break;
    }
    spin_unlock(&v->lock);
    if (isq)
        val = vdev_queue_read(d, qs, q);
    else if (reg == CC(device_feature))
        val = vdev_device_features(d, dsel);
    else if (reg == CC(driver_feature))
        val = vdev_driver_features(d, gsel);
    else if (reg == CC(num_queues))
        val = d->info.nqueues;          /* set once by vdev_init() */
    else if (reg == CC(device_status))
        val = vdev_status(d);
    else if (reg == CC(config_generation))
        val = vdev_config_generation(d);
    else if (reg == CC(queue_notify_off))
        val = qs < d->info.nqueues ? qs : 0;
    if (half == 1)
        val &= 0xffffffffu;
    else if (half == 2)
        val >>= 32;
    return val;
}

static void common_write(struct vpci_virtio *v, uint32_t off, unsigned size, uint64_t val)
{
    unsigned half;
    uint32_t reg = cc_reg(off, size, &half);
    struct vdev *d = v->dev;
    bool isq;
    enum vdev_qreg q = qreg_of(reg, &isq);
    spin_lock(&v->lock);
    uint16_t qs = v->queue_select;
    uint32_t gsel = v->gfselect;
    switch (reg) {
    case CC(device_feature_select): v->dfselect = (uint32_t)val; break;
    case CC(driver_feature_select): v->gfselect = (uint32_t)val; break;
    case CC(config_msix_vector): v->config_vector = vector_ok((uint16_t)val); break;
    case CC(queue_select): v->queue_select = (uint16_t)val; break;
    default: break;
    }
    spin_unlock(&v->lock);
    if (isq) {
        if (half) {
            uint64_t old = vdev_queue_read(d, qs, q);
            val = half == 1 ? (old & ~0xffffffffull) | (val & 0xffffffffu)
                            : (old & 0xffffffffull) | (val << 32);
        }
        if (q == VDEV_Q_MSIX)
            val = vector_ok((uint16_t)val);
        vdev_queue_write(d, qs, q, val);
    } else if (reg == CC(driver_feature)) {
        vdev_set_driver_features(d, gsel, (uint32_t)val);
    } else if (reg == CC(device_status)) {
        vdev_set_status(d, (uint8_t)val);
        if (val == 0) {
            spin_lock(&v->lock);
            v->config_vector = VIRTIO_MSI_NO_VECTOR;
            v->queue_select = 0;
            spin_unlock(&v->lock);
            __atomic_store_n(&v->isr, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&v->kicked, 0, __ATOMIC_RELAXED);
        }
    }
}

static bool size_ok(uint32_t off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && off % size == 0 &&
           off + size <= VPCI_VIRTIO_BAR_SIZE;
}

uint64_t vpci_virtio_mmio_read(struct vpci_virtio *v, uint32_t off, unsigned size)
{
    uint64_t val = 0;
    if (!size_ok(off, size))
        return 0;
    if (off < VPCI_VIRTIO_COMMON + sizeof(struct virtio_pci_common_cfg))
        return common_read(v, off - VPCI_VIRTIO_COMMON, size);
    if (off == VPCI_VIRTIO_ISR && size == 1)
        return __atomic_exchange_n(&v->isr, 0, __ATOMIC_ACQ_REL);   /* read clears (4.1.4.5.1) */
    if (off >= VPCI_VIRTIO_DEVCFG && off < VPCI_VIRTIO_DEVCFG + v->dev->info.config_len && size <= 4) {
        vdev_config_read(v->dev, off - VPCI_VIRTIO_DEVCFG, &val, size);
        return val;
    }
    if (off >= VPCI_VIRTIO_MSIX_TABLE && off < VPCI_VIRTIO_MSIX_TABLE + 16 * VPCI_VIRTIO_MSIX_VECS &&
        size == 4) {
        uint32_t rel = off - VPCI_VIRTIO_MSIX_TABLE;
        spin_lock(&v->lock);
        memcpy(&val, (const uint8_t *)&v->msix[rel / 16] + rel % 16, 4);
        spin_unlock(&v->lock);
        return val;
    }
    return 0;                   /* notify region, PBA (no pending bits are kept), gaps */
}

unsigned vpci_virtio_mmio_write(struct vpci_virtio *v, uint32_t off, unsigned size, uint64_t val)
{
    if (!size_ok(off, size))
        return 0;
    if (off < VPCI_VIRTIO_COMMON + sizeof(struct virtio_pci_common_cfg)) {
        common_write(v, off - VPCI_VIRTIO_COMMON, size, val);
        return 0;
    }
    if (off >= VPCI_VIRTIO_NOTIFY && off < VPCI_VIRTIO_NOTIFY + VPCI_VIRTIO_NOTIFY_MUL * v->dev->info.nqueues) {
        /* 4.1.4.4: queue n's register is at n * multiplier; the value written is the queue
         * index (no NOTIFICATION_DATA), and the place is what counts. */
        uint32_t qi = (off - VPCI_VIRTIO_NOTIFY) / VPCI_VIRTIO_NOTIFY_MUL;
        __atomic_fetch_or(&v->kicked, 1u << qi, __ATOMIC_RELEASE);
        __atomic_fetch_add(&v->kicks, 1, __ATOMIC_RELAXED);
        return VPCI_VIRTIO_FX_KICK;
    }
    if (off >= VPCI_VIRTIO_MSIX_TABLE && off < VPCI_VIRTIO_MSIX_TABLE + 16 * VPCI_VIRTIO_MSIX_VECS &&
        size == 4) {
        uint32_t rel = off - VPCI_VIRTIO_MSIX_TABLE, v32 = (uint32_t)val;
        if (rel % 16 == PCI_MSIX_ENTRY_CTRL)
            v32 &= PCI_MSIX_ENTRY_MASKED;        /* the other bits are reserved */
        spin_lock(&v->lock);
        memcpy((uint8_t *)&v->msix[rel / 16] + rel % 16, &v32, 4);
        spin_unlock(&v->lock);
        return VPCI_VIRTIO_FX_MSIX;
    }
    return 0;                   /* ISR, device configuration (nothing writable), PBA, gaps */
}

uint32_t vpci_virtio_take_kicks(struct vpci_virtio *v)
{
    return __atomic_exchange_n(&v->kicked, 0, __ATOMIC_ACQ_REL);
}

void vpci_virtio_isr_raise(struct vpci_virtio *v, uint8_t bits)
{
    __atomic_fetch_or(&v->isr, bits, __ATOMIC_RELEASE);
}

bool vpci_virtio_route(struct vpci_virtio *v, uint16_t entry, const uint32_t *apic_ids,
                       unsigned napic, enum intr_mode mode, uint8_t *vector, uint32_t *apic)
{
    struct vpci_msix_entry e;
    if (entry >= VPCI_VIRTIO_MSIX_VECS)
        return false;
    spin_lock(&v->lock);
    bool on = (v->msix_ctrl & PCI_MSIX_CTRL_ENABLE) && !(v->msix_ctrl & PCI_MSIX_CTRL_MASKALL) &&
              (v->command & PCI_COMMAND_MASTER);
    e = v->msix[entry];
    spin_unlock(&v->lock);
    if (!on || (e.ctrl & PCI_MSIX_ENTRY_MASKED))
        return false;
    return vpci_msix_check(&e, apic_ids, napic, mode, vector, apic) == NULL;
}
