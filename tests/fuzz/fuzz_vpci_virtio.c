/* libFuzzer harness: an emulated virtio-pci function (vmm/vpci/vpci_virtio_*.c) with a
 * virtio-blk device behind it (vmm/virtio/), driven by a hostile guest: configuration and
 * BAR0 reads and writes of any offset and size, writes anywhere in its memory (rings,
 * descriptors, requests), polling turns of the device, and a well-behaved initialisation as
 * one step (so inputs reach a working device and then break it). After every step it asserts:
 *  - no access outside the guest's memory, ever;
 *  - BAR0 reads as the address the hypervisor chose (or its size mask while sized);
 *  - DRIVER_OK only with FEATURES_OK, FEATURES_OK only with VERSION_1 and offered features;
 *  - every vector register holds an MSI-X entry that exists, or NO_VECTOR;
 *  - an enabled queue's rings lie in guest memory, with a valid size;
 *  - a device in needs-reset serves nothing until it is reset;
 *  - a read-only disk never changes, a writable one only in sectors the guest wrote;
 *  - an interrupt route exists only while MSI-X, the entry and bus mastering allow it, and
 *    sends the entry's vector to one of the guest's cores.
 * Input: a flags byte (read-only disk), then steps of 8 bytes (kind, a, off u16, val u32). */
#include <stdbool.h>

#include "drivers/pci/pci.h"
#include "fuzz_input.h"
#include "tests/unit/fake_guest.h"
#include "vmm/virtio/vblk.h"
#include "vmm/vpci/vpci_virtio.h"

#define BAR 0xc0010000ull
#define MAX_STEPS 64
#define DISK_BYTES (16 * 512)
#define CC(field) (VPCI_VIRTIO_COMMON + offsetof(struct virtio_pci_common_cfg, field))

enum { S_CFG_READ, S_CFG_WRITE, S_MMIO_READ, S_MMIO_WRITE, S_POKE, S_TURN, S_ROUTE, S_INIT, S_KINDS };

static struct fake_guest fg;
static struct vblk blk;
static struct vpci_virtio vp;
static uint8_t disk[DISK_BYTES], disk0[DISK_BYTES];

static void mw(uint32_t off, unsigned size, uint64_t val) { (void)vpci_virtio_mmio_write(&vp, off, size, val); }

/* A driver's initialisation with the given features and a queue of 2^n entries at fixed
 * places in its memory. */
static void driver_init(uint32_t features_lo, uint8_t n)
{
    mw(CC(device_status), 1, 0);
    mw(CC(device_status), 1, 3);
    mw(CC(driver_feature_select), 4, 0);
    mw(CC(driver_feature), 4, features_lo);
    mw(CC(driver_feature_select), 4, 1);
    mw(CC(driver_feature), 4, 1);
    mw(CC(device_status), 1, 0x0b);
    mw(CC(queue_select), 2, 0);
    mw(CC(queue_size), 2, 1u << (n % 9));
    mw(CC(queue_desc), 8, FG_BASE);
    mw(CC(queue_driver), 8, FG_BASE + 0x1000);
    mw(CC(queue_device), 8, FG_BASE + 0x2000);
    mw(CC(queue_enable), 2, 1);
    mw(CC(device_status), 1, 0x0f);
}

static void check_state(void)
{
    FUZZ_ASSERT(fg.outside == 0, "access outside guest memory");
    uint32_t lo = vpci_virtio_cfg_read(&vp, PCI_BAR0, 4), hi = vpci_virtio_cfg_read(&vp, PCI_BAR0 + 4, 4);
    FUZZ_ASSERT((vp.bar_sizing & 1 ? lo == (~(VPCI_VIRTIO_BAR_SIZE - 1) | 4) : lo == (uint32_t)(BAR | 4)) &&
                (vp.bar_sizing & 2 ? hi == 0xffffffffu : hi == BAR >> 32), "BAR0 %x:%x", hi, lo);
    struct vdev *d = &blk.dev;
    uint8_t st = d->status;
    if (st & VIRTIO_STATUS_DRIVER_OK)
        FUZZ_ASSERT(st & VIRTIO_STATUS_FEATURES_OK, "DRIVER_OK without FEATURES_OK");
    if (st & VIRTIO_STATUS_FEATURES_OK)
        FUZZ_ASSERT(!(d->driver & ~d->offered) && (d->driver & VIRTIO_FEATURE(VIRTIO_F_VERSION_1)),
                    "FEATURES_OK with driver features %llx", (unsigned long long)d->driver);
    FUZZ_ASSERT(vp.config_vector < VPCI_VIRTIO_MSIX_VECS || vp.config_vector == VIRTIO_MSI_NO_VECTOR,
                "config vector %u", vp.config_vector);
    for (unsigned i = 0; i < d->info.nqueues; i++) {
        const struct vdev_queue *q = &d->q[i];
        FUZZ_ASSERT(q->msix_vector < VPCI_VIRTIO_MSIX_VECS || q->msix_vector == VIRTIO_MSI_NO_VECTOR,
                    "queue vector %u", q->msix_vector);
        if (!q->enabled)
            continue;
        FUZZ_ASSERT(q->vq.size && q->vq.size <= VQ_MAX_SIZE && !(q->vq.size & (q->vq.size - 1)), "size");
        FUZZ_ASSERT(vq_guest_range_ok(&fg.g, q->vq.desc, VRING_DESC_BYTES(q->vq.size)) &&
                    vq_guest_range_ok(&fg.g, q->vq.avail, VRING_AVAIL_BYTES(q->vq.size)) &&
                    vq_guest_range_ok(&fg.g, q->vq.used, VRING_USED_BYTES(q->vq.size)), "rings");
    }
    if (blk.read_only)
        FUZZ_ASSERT(memcmp(disk, disk0, DISK_BYTES) == 0, "a read-only disk changed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    bool read_only = fuzz_u8(&in) & 1;
    fg_init(&fg);
    for (unsigned i = 0; i < DISK_BYTES; i++)
        disk[i] = disk0[i] = (uint8_t)(i * 13 + 7);
    vblk_init(&blk, "fuzz", &fg.g, disk, DISK_BYTES, read_only, "fz", NULL);
    vpci_virtio_init(&vp, &blk.dev, BAR);
    uint32_t apics[2] = { 1, 2 };
    for (int n = 0; n < MAX_STEPS && fuzz_left(&in); n++) {
        uint8_t kind = fuzz_u8(&in) % S_KINDS, a = fuzz_u8(&in);
        uint16_t off = fuzz_u16(&in);
        uint32_t val = fuzz_u32(&in);
        unsigned sz = 1u << (a % 4);
        switch (kind) {
        case S_CFG_READ: (void)vpci_virtio_cfg_read(&vp, off & 0x1ff, sz); break;
        case S_CFG_WRITE: vpci_virtio_cfg_write(&vp, off & 0x1ff, sz, val); break;
        case S_MMIO_READ: (void)vpci_virtio_mmio_read(&vp, off, sz); break;
        case S_MMIO_WRITE: mw(off, sz, (uint64_t)val | (uint64_t)(a >> 4) << 32); break;
        case S_POKE: {
            uint32_t at = ((uint32_t)a << 16 | off) % (FG_SIZE - 3);
            memcpy(fg.mem + at, &val, 4);
            break;
        }
        case S_TURN: {
            uint32_t irq;
            bool cfg;
            bool failed = blk.dev.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
            uint32_t served = vdev_turn(&blk.dev, (uint16_t)(1 + a % 16), &irq, &cfg);
            FUZZ_ASSERT(!failed || (served == 0 && !cfg), "a failed device was served");
            FUZZ_ASSERT(served <= 1u + a % 16, "turn over budget");
            FUZZ_ASSERT(!cfg || (blk.dev.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET), "config irq");
            break;
        }
        case S_ROUTE: {
            uint8_t vec;
            uint32_t apic;
            uint16_t e = a % (VPCI_VIRTIO_MSIX_VECS + 1);
            if (vpci_virtio_route(&vp, e, apics, 2, (enum intr_mode)(off & 1), &vec, &apic)) {
                FUZZ_ASSERT(e < VPCI_VIRTIO_MSIX_VECS && (vp.msix_ctrl & PCI_MSIX_CTRL_ENABLE) &&
                            !(vp.msix_ctrl & PCI_MSIX_CTRL_MASKALL) &&
                            (vp.command & PCI_COMMAND_MASTER) && !(vp.msix[e].ctrl & 1), "route allowed");
                FUZZ_ASSERT(vec == (uint8_t)vp.msix[e].data && (apic == 1 || apic == 2), "route target");
            }
            (void)vpci_virtio_take_kicks(&vp);
            break;
        }
        case S_INIT: driver_init(val, a); break;
        }
        check_state();
    }
    return 0;
}
