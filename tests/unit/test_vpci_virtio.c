/* Unit tests: the virtio-pci modern transport (vmm/vpci/vpci_virtio_*.c) as a guest's driver
 * sees it, from the capability walk to a virtio-blk request served through it. */
#include <stdlib.h>

#include "check.h"
#include "drivers/pci/pci.h"
#include "fake_guest.h"
#include "vmm/virtio/vblk.h"
#include "vmm/vpci/vpci_virtio.h"

#define BAR 0xc0008000ull
#define DESC  (FG_BASE + 0x0000)
#define AVAIL (FG_BASE + 0x1000)
#define USED  (FG_BASE + 0x2000)
#define CC(field) (VPCI_VIRTIO_COMMON + offsetof(struct virtio_pci_common_cfg, field))

static struct fake_guest fg;
static struct vblk blk;
static struct vpci_virtio vp;
static uint8_t disk[8 * 512];

static uint32_t cfg(uint16_t off, unsigned size) { return vpci_virtio_cfg_read(&vp, off, size); }
static uint64_t rd(uint32_t off, unsigned size) { return vpci_virtio_mmio_read(&vp, off, size); }
static unsigned wr(uint32_t off, unsigned size, uint64_t val) { return vpci_virtio_mmio_write(&vp, off, size, val); }

static void fresh(bool read_only)
{
    fg_init(&fg);
    vblk_init(&blk, "guest 'a' virtio-blk 0", &fg.g, disk, sizeof(disk), read_only, "d0", NULL);
    vpci_virtio_init(&vp, &blk.dev, BAR);
}

/* Walks the capability list as a driver does: the vendor capabilities by cfg_type, MSI-X. */
static void test_config_space(void)
{
    fresh(false);
    CHECK(cfg(PCI_VENDOR_ID, 2) == 0x1af4 && cfg(PCI_DEVICE_ID, 2) == 0x1042, "identity");
    CHECK((cfg(PCI_CLASS_REV, 4) & 0xff) >= 1, "revision 1: a modern device");
    CHECK(cfg(PCI_CLASS_REV, 4) >> 8 == 0x018000, "class: mass storage");
    CHECK(cfg(0x2e, 2) >= 0x40, "subsystem id 0x40 or more (4.1.2.1)");
    CHECK(cfg(PCI_STATUS, 2) & 0x10, "capability list");
    CHECK(cfg(0x3d, 1) == 0, "no INTx pin");
    uint8_t found[10] = { 0 }, msix = 0;
    unsigned n = 0;
    for (uint8_t off = (uint8_t)cfg(PCI_CAP_PTR, 1); off && n < 16; off = (uint8_t)cfg(off + 1, 1), n++) {
        uint8_t id = (uint8_t)cfg(off, 1);
        if (id == PCI_CAP_ID_MSIX) {
            msix = off;
            continue;
        }
        CHECK(id == PCI_CAP_ID_VNDR, "vendor capability at 0x%x", off);
        uint8_t type = (uint8_t)cfg(off + 3, 1);
        CHECK(type >= 1 && type <= 5 && !found[type], "cfg_type %u once", type);
        found[type] = off;
        CHECK(cfg(off + 4, 1) == 0, "in BAR0");
    }
    CHECK(n == 6, "six capabilities: %u", n);
    CHECK(cfg(found[VIRTIO_PCI_CAP_COMMON_CFG] + 8, 4) == VPCI_VIRTIO_COMMON &&
          cfg(found[VIRTIO_PCI_CAP_COMMON_CFG] + 12, 4) >= 0x38, "common configuration region");
    CHECK(cfg(found[VIRTIO_PCI_CAP_NOTIFY_CFG] + 2, 1) == 20 &&
          cfg(found[VIRTIO_PCI_CAP_NOTIFY_CFG] + 16, 4) == VPCI_VIRTIO_NOTIFY_MUL,
          "notify capability with its multiplier");
    CHECK(cfg(found[VIRTIO_PCI_CAP_ISR_CFG] + 8, 4) == VPCI_VIRTIO_ISR, "ISR region");
    CHECK(cfg(found[VIRTIO_PCI_CAP_DEVICE_CFG] + 12, 4) == sizeof(struct virtio_blk_config),
          "device configuration length");
    CHECK(found[VIRTIO_PCI_CAP_PCI_CFG], "the PCI configuration access capability (4.1.4.9)");
    CHECK(msix && (cfg(msix + 2, 2) & 0x7ff) == VPCI_VIRTIO_MSIX_VECS - 1, "MSI-X with 8 entries");
    CHECK(cfg(msix + 4, 4) == VPCI_VIRTIO_MSIX_TABLE && cfg(msix + 8, 4) == VPCI_VIRTIO_MSIX_PBA,
          "MSI-X table and PBA in BAR0");

    /* BAR0: 64-bit memory, sized, not movable. */
    CHECK(cfg(PCI_BAR0, 4) == (uint32_t)(BAR | 4) && cfg(PCI_BAR0 + 4, 4) == 0, "BAR0 address");
    vpci_virtio_cfg_write(&vp, PCI_BAR0, 4, 0xffffffffu);
    vpci_virtio_cfg_write(&vp, PCI_BAR0 + 4, 4, 0xffffffffu);
    CHECK(cfg(PCI_BAR0, 4) == (~(VPCI_VIRTIO_BAR_SIZE - 1) | 4) && cfg(PCI_BAR0 + 4, 4) == 0xffffffffu,
          "BAR0 size mask: 32 KiB");
    vpci_virtio_cfg_write(&vp, PCI_BAR0, 4, 0xd0000000u);
    vpci_virtio_cfg_write(&vp, PCI_BAR0 + 4, 4, 0);
    CHECK(cfg(PCI_BAR0, 4) == (uint32_t)(BAR | 4), "BAR0 does not move");
    vpci_virtio_cfg_write(&vp, PCI_COMMAND, 2, 0xffff);
    CHECK(cfg(PCI_COMMAND, 2) == (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), "command: memory, master");
    vpci_virtio_cfg_write(&vp, PCI_VENDOR_ID, 2, 0x1234);
    CHECK(cfg(PCI_VENDOR_ID, 2) == 0x1af4, "identity read-only");
    CHECK(cfg(1, 2) == 0xffffffffu && cfg(0x100, 4) == 0xffffffffu, "misaligned or outside: all-ones");

    /* The access window: the device status through configuration space. */
    uint8_t pc = found[VIRTIO_PCI_CAP_PCI_CFG];
    vpci_virtio_cfg_write(&vp, pc + 4, 1, 0);
    vpci_virtio_cfg_write(&vp, pc + 8, 4, (uint32_t)CC(device_status));
    vpci_virtio_cfg_write(&vp, pc + 12, 4, 1);
    vpci_virtio_cfg_write(&vp, pc + 16, 4, VIRTIO_STATUS_ACKNOWLEDGE);
    CHECK(vdev_status(&blk.dev) == VIRTIO_STATUS_ACKNOWLEDGE, "status written through the window");
    CHECK(cfg(pc + 16, 4) == VIRTIO_STATUS_ACKNOWLEDGE, "status read through the window");
}

/* A driver's initialisation (3.1.1) through BAR0, then one request served. */
static void test_driver_init(void)
{
    fresh(false);
    wr(CC(device_status), 1, 0);
    CHECK(rd(CC(device_status), 1) == 0, "reset");
    wr(CC(device_status), 1, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(CC(device_status), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(CC(device_feature_select), 4, 1);
    CHECK(rd(CC(device_feature), 4) & 1, "VERSION_1 (bit 32) offered");
    wr(CC(device_feature_select), 4, 0);
    uint32_t lo = (uint32_t)rd(CC(device_feature), 4);
    CHECK(lo & (1u << VIRTIO_BLK_F_FLUSH) && lo & (1u << VIRTIO_F_EVENT_IDX), "flush, event idx");
    wr(CC(driver_feature_select), 4, 0);
    wr(CC(driver_feature), 4, 1u << VIRTIO_BLK_F_FLUSH);
    wr(CC(driver_feature_select), 4, 1);
    wr(CC(driver_feature), 4, 1);
    wr(CC(device_status), 1, 0x0b);
    CHECK(rd(CC(device_status), 1) == 0x0b, "FEATURES_OK");
    CHECK(rd(CC(num_queues), 2) == 1, "one queue");

    wr(CC(queue_select), 2, 0);
    CHECK(rd(CC(queue_size), 2) == VQ_MAX_SIZE, "queue size offered");
    wr(CC(queue_size), 2, 8);
    wr(CC(queue_desc), 4, (uint32_t)DESC);               /* 64-bit fields as two halves */
    wr(CC(queue_desc) + 4, 4, DESC >> 32);
    wr(CC(queue_driver), 8, AVAIL);                      /* or whole */
    wr(CC(queue_device), 4, (uint32_t)USED);
    wr(CC(queue_device) + 4, 4, 0);
    CHECK(rd(CC(queue_desc), 8) == DESC && rd(CC(queue_driver) + 4, 4) == 0 &&
          rd(CC(queue_device), 4) == (uint32_t)USED, "ring addresses read back");
    wr(CC(queue_msix_vector), 2, 1);
    CHECK(rd(CC(queue_msix_vector), 2) == 1, "queue vector 1");
    wr(CC(config_msix_vector), 2, 9);
    CHECK(rd(CC(config_msix_vector), 2) == VIRTIO_MSI_NO_VECTOR, "vector 9 does not exist: NO_VECTOR");
    wr(CC(config_msix_vector), 2, 0);
    CHECK(rd(CC(config_msix_vector), 2) == 0, "config vector 0");
    CHECK(rd(CC(queue_notify_off), 2) == 0, "notify offset of queue 0");
    wr(CC(queue_enable), 2, 1);
    CHECK(rd(CC(queue_enable), 2) == 1, "queue enabled");
    wr(CC(device_status), 1, 0x0f);
    CHECK(rd(CC(device_status), 1) == 0x0f, "DRIVER_OK");
    CHECK(rd(CC(device_status), 2) == 0 && rd(CC(queue_size), 4) == 0, "wrong access sizes read 0");

    /* A flush request; the driver notifies; the serving side takes the kick and serves. */
    struct virtio_blk_req_hdr h = { VIRTIO_BLK_T_FLUSH, 0, 0 };
    memcpy(fg_ptr(&fg, FG_BASE + 0x3000), &h, sizeof(h));
    fg_desc(&fg, DESC, 0, FG_BASE + 0x3000, 16, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, FG_BASE + 0x3100, 1, VRING_DESC_F_WRITE, 0);
    fg_ptr(&fg, FG_BASE + 0x3100)[0] = 0xee;
    fg_avail_add(&fg, AVAIL, 8, 0);
    CHECK(wr(VPCI_VIRTIO_NOTIFY + 0, 2, 0) == VPCI_VIRTIO_FX_KICK, "notify queue 0");
    CHECK(wr(VPCI_VIRTIO_NOTIFY + 4, 2, 1) == 0, "no queue 1 to notify");
    CHECK(vpci_virtio_take_kicks(&vp) == 1 && vpci_virtio_take_kicks(&vp) == 0, "kick taken once");
    uint32_t irq;
    bool cfgchg;
    CHECK(vdev_turn(&blk.dev, 8, &irq, &cfgchg) == 1 && irq == 1, "served, interrupt wanted");
    CHECK(fg_ptr(&fg, FG_BASE + 0x3100)[0] == VIRTIO_BLK_S_OK, "flush answered");

    /* The interrupt's route: MSI-X entry 1 as the driver programs it. */
    uint32_t apics[1] = { 2 };
    uint8_t vec;
    uint32_t apic;
    CHECK(!vpci_virtio_route(&vp, 1, apics, 1, INTR_EXITLESS, &vec, &apic), "MSI-X off: no route");
    CHECK(wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 0, 4, 0xfee02000u) == VPCI_VIRTIO_FX_MSIX, "entry address");
    wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 4, 4, 0);
    wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 8, 4, 0x61);
    vpci_virtio_cfg_write(&vp, VPCI_VIRTIO_CAP_MSIX + 2, 2, PCI_MSIX_CTRL_ENABLE);
    vpci_virtio_cfg_write(&vp, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    CHECK(!vpci_virtio_route(&vp, 1, apics, 1, INTR_EXITLESS, &vec, &apic), "entry still masked");
    wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 12, 4, 0xfffffffeu);
    CHECK(rd(VPCI_VIRTIO_MSIX_TABLE + 16 + 12, 4) == 0, "reserved control bits read 0");
    CHECK(vpci_virtio_route(&vp, 1, apics, 1, INTR_EXITLESS, &vec, &apic) && vec == 0x61 && apic == 2,
          "routed to vector 0x61 on APIC 2");
    wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 0, 4, 0xfee05000u);
    CHECK(!vpci_virtio_route(&vp, 1, apics, 1, INTR_EXITLESS, &vec, &apic),
          "a foreign destination is refused by the MSI-X policy");
    vpci_virtio_cfg_write(&vp, VPCI_VIRTIO_CAP_MSIX + 2, 2, PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
    wr(VPCI_VIRTIO_MSIX_TABLE + 16 + 0, 4, 0xfee02000u);
    CHECK(!vpci_virtio_route(&vp, 1, apics, 1, INTR_EXITLESS, &vec, &apic), "function masked");
    CHECK(!vpci_virtio_route(&vp, 8, apics, 1, INTR_EXITLESS, &vec, &apic), "entry 8 does not exist");

    /* ISR: read clears. */
    vpci_virtio_isr_raise(&vp, VIRTIO_PCI_ISR_QUEUE);
    CHECK(rd(VPCI_VIRTIO_ISR, 1) == 1 && rd(VPCI_VIRTIO_ISR, 1) == 0, "ISR read clears");

    /* Device configuration through the BAR. */
    CHECK(rd(VPCI_VIRTIO_DEVCFG, 8) == 0 && rd(VPCI_VIRTIO_DEVCFG, 4) == 8, "capacity 8 sectors");
    CHECK(rd(VPCI_VIRTIO_DEVCFG + 20, 4) == 512, "blk_size");
    CHECK(rd(VPCI_VIRTIO_DEVCFG + 24, 4) == 0, "past the configuration: 0");

    /* Reset through the status register clears the transport's registers too. */
    wr(CC(device_status), 1, 0);
    CHECK(rd(CC(device_status), 1) == 0 && rd(CC(config_msix_vector), 2) == VIRTIO_MSI_NO_VECTOR &&
          rd(CC(queue_enable), 2) == 0, "reset");
    CHECK(rd(VPCI_VIRTIO_BAR_SIZE - 4, 8) == 0 && rd(VPCI_VIRTIO_BAR_SIZE, 4) == 0,
          "outside BAR0 or misaligned: 0");
    CHECK(fg.outside == 0, "no access outside guest memory");
}

int main(void)
{
    test_config_space();
    test_driver_init();
    return check_summary("vpci_virtio");
}
