/* A virtio device's negotiation, status, queues and polling turn; the contract is in vdev.h. */
#include <stdio.h>
#include <string.h>

#include "vmm/virtio/vdev.h"

void vdev_init(struct vdev *d, const struct vdev_info *info, const struct vdev_ops *ops,
               void *backend, const struct vq_guest *g, void (*log)(const char *line))
{
    memset(d, 0, sizeof(*d));
    d->lock = (struct spinlock)SPINLOCK_INIT;
    d->info = *info;
    snprintf(d->name, sizeof(d->name), "%s", info->name ? info->name : "virtio device");
    d->info.name = d->name;
    if (d->info.nqueues > VDEV_MAX_QUEUES)
        d->info.nqueues = VDEV_MAX_QUEUES;
    d->ops = ops;
    d->backend = backend;
    d->g = g;
    d->log = log;
    d->offered = info->features | VDEV_CORE_FEATURES;
    vdev_reset(d);
}

/* Called with d->lock held. */
static void reset_locked(struct vdev *d)
{
    d->driver = 0;
    d->status = 0;
    d->polling = false;
    for (unsigned i = 0; i < VDEV_MAX_QUEUES; i++)
        d->q[i] = (struct vdev_queue){ .size = VQ_MAX_SIZE, .msix_vector = VIRTIO_MSI_NO_VECTOR };
    if (d->ops && d->ops->reset)
        d->ops->reset(d);
}

void vdev_reset(struct vdev *d)
{
    spin_lock(&d->lock);
    reset_locked(d);
    spin_unlock(&d->lock);
}

/* The one log line of a device entering needs-reset; later errors until reset add nothing.
 * Called with d->lock held. */
static void fail_locked(struct vdev *d, uint16_t qi, int err, int head)
{
    if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        return;
    d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    d->last_error = err;
    d->needs_reset_count++;
    if (!d->log)
        return;
    char line[160];
    const char *what = err == VDEV_E_REQUEST ? "request the device cannot answer" : vq_err_name(err);
    if (head >= 0)
        snprintf(line, sizeof(line), "%s: queue %u: %s (head %d): device needs reset", d->info.name,
                 (unsigned)qi, what, head);
    else
        snprintf(line, sizeof(line), "%s: queue %u: %s: device needs reset", d->info.name,
                 (unsigned)qi, what);
    d->log(line);
}

uint32_t vdev_device_features(struct vdev *d, uint32_t sel)
{
    spin_lock(&d->lock);
    uint32_t v = sel < 2 ? (uint32_t)(d->offered >> (32 * sel)) : 0;
    spin_unlock(&d->lock);
    return v;
}

uint32_t vdev_driver_features(struct vdev *d, uint32_t sel)
{
    spin_lock(&d->lock);
    uint32_t v = sel < 2 ? (uint32_t)(d->driver >> (32 * sel)) : 0;
    spin_unlock(&d->lock);
    return v;
}

void vdev_set_driver_features(struct vdev *d, uint32_t sel, uint32_t val)
{
    spin_lock(&d->lock);
    /* 3.1.1: features are written after DRIVER and before FEATURES_OK. */
    if (sel < 2 && (d->status & VIRTIO_STATUS_DRIVER) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
        uint64_t mask = 0xffffffffull << (32 * sel);
        d->driver = (d->driver & ~mask) | ((uint64_t)val << (32 * sel));
    }
    spin_unlock(&d->lock);
}

uint8_t vdev_status(struct vdev *d)
{
    spin_lock(&d->lock);
    uint8_t s = d->status;
    spin_unlock(&d->lock);
    return s;
}

void vdev_set_status(struct vdev *d, uint8_t val)
{
    spin_lock(&d->lock);
    if (val == 0) {
        reset_locked(d);
        spin_unlock(&d->lock);
        return;
    }
    uint8_t old = d->status;
    val &= (uint8_t)~VIRTIO_STATUS_DEVICE_NEEDS_RESET;   /* the device's bit, not the driver's */
    uint8_t keep = old & (uint8_t)~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if (keep & ~val) {
        /* Clearing a bit other than by reset: not a transition the spec has. */
        spin_unlock(&d->lock);
        return;
    }
    uint8_t added = val & (uint8_t)~old;
    if (added & VIRTIO_STATUS_FEATURES_OK) {
        bool ok = (val & VIRTIO_STATUS_DRIVER) && !(d->driver & ~d->offered) &&
                  (d->driver & VIRTIO_FEATURE(VIRTIO_F_VERSION_1));
        if (!ok)
            val &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;   /* 3.1.1: the driver reads it back */
    }
    if ((added & VIRTIO_STATUS_DRIVER_OK) && !(val & VIRTIO_STATUS_FEATURES_OK))
        val &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
    d->status = val | (old & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    spin_unlock(&d->lock);
}

uint64_t vdev_queue_read(struct vdev *d, uint16_t qi, enum vdev_qreg reg)
{
    uint64_t v = 0;
    spin_lock(&d->lock);
    if (qi < d->info.nqueues) {
        const struct vdev_queue *q = &d->q[qi];
        switch (reg) {
        case VDEV_Q_SIZE: v = q->size; break;
        case VDEV_Q_MSIX: v = q->msix_vector; break;
        case VDEV_Q_ENABLE: v = q->enabled; break;
        case VDEV_Q_DESC: v = q->desc; break;
        case VDEV_Q_DRIVER: v = q->driver; break;
        case VDEV_Q_DEVICE: v = q->device; break;
        }
    }
    spin_unlock(&d->lock);
    return v;
}

/* Enabling a queue: only between FEATURES_OK and a reset, with a valid layout. Called with
 * d->lock held. */
static void enable_locked(struct vdev *d, uint16_t qi)
{
    struct vdev_queue *q = &d->q[qi];
    if (q->enabled || !(d->status & VIRTIO_STATUS_FEATURES_OK) ||
        (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
        return;
    int rc = vq_setup(&q->vq, d->g, q->size, q->desc, q->driver, q->device, d->driver,
                      d->info.max_bytes);
    if (rc) {
        fail_locked(d, qi, rc, -1);
        return;
    }
    q->enabled = true;
    if (d->polling)
        vq_notify_suppress(&q->vq);
}

void vdev_queue_write(struct vdev *d, uint16_t qi, enum vdev_qreg reg, uint64_t val)
{
    spin_lock(&d->lock);
    if (qi >= d->info.nqueues) {
        spin_unlock(&d->lock);
        return;
    }
    struct vdev_queue *q = &d->q[qi];
    switch (reg) {
    case VDEV_Q_MSIX: q->msix_vector = (uint16_t)val; break;
    case VDEV_Q_ENABLE:
        /* 4.1.4.3.2: the driver never writes 0 (queue reset is not offered). */
        if (val == 1)
            enable_locked(d, qi);
        break;
    case VDEV_Q_SIZE:
        if (!q->enabled)
            q->size = (uint16_t)val;
        break;
    case VDEV_Q_DESC:
        if (!q->enabled)
            q->desc = val;
        break;
    case VDEV_Q_DRIVER:
        if (!q->enabled)
            q->driver = val;
        break;
    case VDEV_Q_DEVICE:
        if (!q->enabled)
            q->device = val;
        break;
    }
    spin_unlock(&d->lock);
}

uint8_t vdev_config_generation(struct vdev *d)
{
    spin_lock(&d->lock);
    uint8_t g = d->config_generation;
    spin_unlock(&d->lock);
    return g;
}

void vdev_config_read(struct vdev *d, uint32_t off, void *dst, uint32_t len)
{
    memset(dst, 0, len);
    spin_lock(&d->lock);
    if ((uint64_t)off + len <= d->info.config_len && d->ops->config_read)
        d->ops->config_read(d, off, dst, len);
    spin_unlock(&d->lock);
}

bool vdev_set_polling(struct vdev *d, bool on)
{
    bool pending = false;
    spin_lock(&d->lock);
    d->polling = on;
    for (unsigned i = 0; i < d->info.nqueues; i++) {
        if (!d->q[i].enabled)
            continue;
        if (on)
            vq_notify_suppress(&d->q[i].vq);
        else if (vq_notify_enable(&d->q[i].vq) && !(d->info.pull_queues >> i & 1))
            pending = true;     /* a pull queue's buffers wait for the device: not work */
        pending |= d->q[i].held;  /* a held chain (egress limit) is served on a later turn */
    }
    spin_unlock(&d->lock);
    return pending;
}

/* Serves chain c of queue qi and puts it in the used ring: 0, VDEV_DEFER (held), or an error. */
static int serve_one(struct vdev *d, uint16_t qi, struct virtq *q, const struct vq_chain *c)
{
    uint32_t written = 0;
    int rc = d->ops->serve(d, qi, q, c, &written);
    if (rc == VDEV_DEFER) {
        struct vdev_queue *dq = &d->q[qi];
        if (c != &dq->hold)
            dq->hold = *c;
        dq->held = true;
        return VDEV_DEFER;
    }
    d->q[qi].held = false;
    return rc ? rc : vq_push(q, c->head, written);
}

/* One queue's share of a turn. Returns the chains served; a guest error fails the device.
 * Called with d->lock held. */
static uint32_t turn_queue(struct vdev *d, uint16_t qi, uint16_t budget, uint32_t *irq)
{
    struct virtq *q = &d->q[qi].vq;
    struct vq_chain c;
    uint32_t served = 0;
    int rc;
    if (d->q[qi].held) {
        rc = serve_one(d, qi, q, &d->q[qi].hold);
        if (rc == VDEV_DEFER)
            return 0;
        if (rc) {
            fail_locked(d, qi, rc, d->q[qi].hold.head);
            return 0;
        }
        served++;
    }
    rc = vq_turn_begin(q, budget);
    if (rc < 0) {
        fail_locked(d, qi, rc, -1);
        return 0;
    }
    if (d->polling)
        vq_notify_suppress(q);
    while ((rc = vq_next(q, &c)) == VQ_OK) {
        rc = serve_one(d, qi, q, &c);
        if (rc == VDEV_DEFER) {
            rc = 1;
            break;
        }
        if (rc) {
            fail_locked(d, qi, rc, c.head);
            break;
        }
        served++;
    }
    if (rc < 0 && !(d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
        fail_locked(d, qi, rc, c.head == VQ_NO_HEAD ? -1 : c.head);
    /* What completed before an error is still published: those answers are valid. */
    if (served && vq_publish(q) == VQ_OK && vq_want_interrupt(q))
        *irq |= 1u << qi;
    return served;
}

int vdev_deliver(struct vdev *d, uint16_t qi,
                 int (*fill)(const void *ctx, const struct virtq *q, const struct vq_chain *c,
                             uint32_t *written),
                 const void *ctx, bool *irq, bool *config_irq)
{
    *irq = *config_irq = false;
    int ret = 1;
    spin_lock(&d->lock);
    struct virtq *q = &d->q[qi].vq;
    if (qi >= d->info.nqueues || !(d->status & VIRTIO_STATUS_DRIVER_OK) ||
        (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || !d->q[qi].enabled)
        goto out;
    struct vq_chain c;
    c.head = VQ_NO_HEAD;
    int rc = vq_turn_begin(q, 1);
    if (rc == 0)
        goto out;
    if (rc > 0)
        rc = vq_next(q, &c);
    uint32_t written = 0;
    if (rc == VQ_OK)
        rc = fill(ctx, q, &c, &written);
    if (rc == VQ_OK)
        rc = vq_push(q, c.head, written);
    if (rc == VQ_OK)
        rc = vq_publish(q);
    if (rc == 1)
        goto out;           /* the turn had nothing after all */
    if (rc) {
        fail_locked(d, qi, rc, c.head == VQ_NO_HEAD ? -1 : c.head);
        *config_irq = true;
        ret = rc < 0 ? rc : VDEV_E_REQUEST;
        goto out;
    }
    d->served++;
    *irq = vq_want_interrupt(q);
    ret = 0;
out:
    spin_unlock(&d->lock);
    return ret;
}

uint32_t vdev_turn(struct vdev *d, uint16_t budget, uint32_t *irq, bool *config_irq)
{
    uint32_t served = 0;
    *irq = 0;
    *config_irq = false;
    spin_lock(&d->lock);
    bool was_failed = d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if ((d->status & VIRTIO_STATUS_DRIVER_OK) && !was_failed)
        for (uint16_t qi = 0; qi < d->info.nqueues; qi++) {
            if (!d->q[qi].enabled || (d->info.pull_queues >> qi & 1))
                continue;
            served += turn_queue(d, qi, budget, irq);
            if (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
                break;
        }
    *config_irq = !was_failed && (d->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    d->served += served;
    spin_unlock(&d->lock);
    return served;
}
