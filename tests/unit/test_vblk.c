/* Unit tests: the virtio device model (vmm/virtio/vdev.c) and virtio-blk on a RAM disk
 * (vmm/virtio/vblk.c), driven as a driver would through a fake guest's memory. */
#include <stdlib.h>

#include "check.h"
#include "fake_guest.h"
#include "vmm/virtio/vblk.h"

#define QSIZE 16
#define DESC  (FG_BASE + 0x0000)
#define AVAIL (FG_BASE + 0x1000)
#define USED  (FG_BASE + 0x2000)
#define HDR   (FG_BASE + 0x3000)
#define STAT  (FG_BASE + 0x3800)
#define DATA  (FG_BASE + 0x4000)
#define DISK_SECTORS 64

static struct fake_guest fg;
static struct vblk blk;
static uint8_t disk[DISK_SECTORS * 512];
static unsigned log_lines;
static char last_log[200];

static void log_line(const char *line)
{
    log_lines++;
    snprintf(last_log, sizeof(last_log), "%s", line);
}

static const uint64_t F_V1 = VIRTIO_FEATURE(VIRTIO_F_VERSION_1);

/* Negotiates features (as the driver writes them) and returns the status read back. */
static uint8_t negotiate(struct vdev *d, uint64_t features)
{
    vdev_set_status(d, 0);
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vdev_set_driver_features(d, 0, (uint32_t)features);
    vdev_set_driver_features(d, 1, (uint32_t)(features >> 32));
    vdev_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    return vdev_status(d);
}

/* A driver bringing the disk up: features, one queue of QSIZE, DRIVER_OK. */
static void bring_up(struct vdev *d, uint64_t desc, uint64_t avail, uint64_t used)
{
    uint8_t st = negotiate(d, F_V1 | VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC));
    CHECK(st & VIRTIO_STATUS_FEATURES_OK, "FEATURES_OK accepted");
    vdev_queue_write(d, 0, VDEV_Q_SIZE, QSIZE);
    vdev_queue_write(d, 0, VDEV_Q_DESC, desc);
    vdev_queue_write(d, 0, VDEV_Q_DRIVER, avail);
    vdev_queue_write(d, 0, VDEV_Q_DEVICE, used);
    vdev_queue_write(d, 0, VDEV_Q_ENABLE, 1);
    CHECK(vdev_queue_read(d, 0, VDEV_Q_ENABLE) == 1, "queue enabled");
    vdev_set_status(d, st | VIRTIO_STATUS_DRIVER_OK);
    CHECK(vdev_status(d) & VIRTIO_STATUS_DRIVER_OK, "DRIVER_OK");
}

static void fresh(bool read_only)
{
    /* The name from a buffer that is reused afterwards, as the hypervisor's callers do with
     * one on their stack: the device keeps its own copy (the log line below shows it). */
    static char name[64];
    fg_init(&fg);
    for (unsigned i = 0; i < sizeof(disk); i++)
        disk[i] = (uint8_t)(i / 512);
    log_lines = 0;
    snprintf(name, sizeof(name), "guest '%s' virtio-blk %d", "a", 0);
    vblk_init(&blk, name, &fg.g, disk, sizeof(disk) + 100, read_only, "exitless-disk-0", log_line);
    memset(name, 'x', sizeof(name) - 1);
    bring_up(&blk.dev, DESC, AVAIL, USED);
}

/* Puts one request (header, data buffers, status) at descriptor slot `slot` and makes it
 * available. data_write: the data buffers are device-writable. */
static void request(uint16_t slot, uint32_t type, uint64_t sector, uint32_t nbufs, uint32_t buflen,
                    bool data_write)
{
    struct virtio_blk_req_hdr h = { type, 0, sector };
    uint64_t hdr = HDR + 16u * slot;
    memcpy(fg_ptr(&fg, hdr), &h, sizeof(h));
    uint16_t d = (uint16_t)(slot * 4);
    fg_desc(&fg, DESC, d, hdr, 16, VRING_DESC_F_NEXT, (uint16_t)(d + 1));
    for (uint32_t i = 0; i < nbufs; i++)
        fg_desc(&fg, DESC, (uint16_t)(d + 1 + i), DATA + 0x1000u * slot + buflen * i, buflen,
                VRING_DESC_F_NEXT | (data_write ? VRING_DESC_F_WRITE : 0), (uint16_t)(d + 2 + i));
    fg_desc(&fg, DESC, (uint16_t)(d + 1 + nbufs), STAT + slot, 1, VRING_DESC_F_WRITE, 0);
    fg_ptr(&fg, STAT)[slot] = 0xee;
    fg_avail_add(&fg, AVAIL, QSIZE, d);
}

static uint32_t turn(uint32_t *irq)
{
    bool cfg;
    return vdev_turn(&blk.dev, 32, irq, &cfg);
}

static uint32_t used_len(uint16_t i) { return fg_get32(&fg, USED + 4 + 8u * i + 4); }

static void test_negotiation(void)
{
    struct vblk ro;
    fg_init(&fg);
    vblk_init(&blk, "rw", &fg.g, disk, sizeof(disk), false, "id", NULL);
    vblk_init(&ro, "ro", &fg.g, disk, sizeof(disk), true, "id", NULL);
    uint64_t f = vdev_device_features(&blk.dev, 0) | (uint64_t)vdev_device_features(&blk.dev, 1) << 32;
    CHECK(f & F_V1, "VERSION_1 offered");
    CHECK((f & VDEV_CORE_FEATURES) == VDEV_CORE_FEATURES, "indirect and event idx offered");
    CHECK(f & VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH) && f & VIRTIO_FEATURE(VIRTIO_BLK_F_SEG_MAX),
          "flush and seg_max offered");
    CHECK(!(f & VIRTIO_FEATURE(VIRTIO_BLK_F_RO)), "a writable disk does not offer RO");
    CHECK(vdev_device_features(&ro.dev, 0) & (1u << VIRTIO_BLK_F_RO), "a read-only disk offers RO");
    CHECK(vdev_device_features(&blk.dev, 2) == 0, "feature word 2 reads 0");

    CHECK(!(negotiate(&blk.dev, VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH)) & VIRTIO_STATUS_FEATURES_OK),
          "FEATURES_OK refused without VERSION_1");
    CHECK(!(negotiate(&blk.dev, F_V1 | VIRTIO_FEATURE(VIRTIO_F_RING_PACKED)) & VIRTIO_STATUS_FEATURES_OK),
          "FEATURES_OK refused for a feature not offered");
    CHECK(!(negotiate(&ro.dev, F_V1 | VIRTIO_FEATURE(VIRTIO_BLK_F_GEOMETRY)) & VIRTIO_STATUS_FEATURES_OK),
          "FEATURES_OK refused for geometry (not offered)");
    uint8_t st = negotiate(&blk.dev, F_V1 | VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH));
    CHECK(st & VIRTIO_STATUS_FEATURES_OK, "FEATURES_OK with VERSION_1");
    vdev_set_driver_features(&blk.dev, 0, 0xffffffffu);
    CHECK(vdev_driver_features(&blk.dev, 0) == 1u << VIRTIO_BLK_F_FLUSH,
          "driver features frozen after FEATURES_OK");
    vdev_set_status(&blk.dev, VIRTIO_STATUS_ACKNOWLEDGE);
    CHECK(vdev_status(&blk.dev) == st, "clearing bits without a reset is ignored");
    vdev_set_status(&blk.dev, st | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    CHECK(vdev_status(&blk.dev) == st, "the driver cannot set DEVICE_NEEDS_RESET");

    vdev_set_status(&blk.dev, 0);
    CHECK(vdev_status(&blk.dev) == 0 && vdev_driver_features(&blk.dev, 0) == 0, "reset");
    vdev_set_status(&blk.dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
    CHECK(!(vdev_status(&blk.dev) & VIRTIO_STATUS_DRIVER_OK), "DRIVER_OK refused before FEATURES_OK");
    vdev_queue_write(&blk.dev, 0, VDEV_Q_ENABLE, 1);
    CHECK(vdev_queue_read(&blk.dev, 0, VDEV_Q_ENABLE) == 0, "queue not enabled before FEATURES_OK");
    CHECK(vdev_queue_read(&blk.dev, 0, VDEV_Q_SIZE) == VQ_MAX_SIZE, "queue size offered");
    CHECK(vdev_queue_read(&blk.dev, 1, VDEV_Q_SIZE) == 0, "queue 1 does not exist");

    struct virtio_blk_config cfg;
    vdev_config_read(&blk.dev, 0, &cfg, sizeof(cfg));
    CHECK(cfg.capacity == DISK_SECTORS && cfg.seg_max == VBLK_SEG_MAX && cfg.blk_size == 512 &&
          cfg.size_max == VBLK_SIZE_MAX, "configuration");
    uint32_t past = 0x12345678;
    vdev_config_read(&blk.dev, sizeof(cfg) - 2, &past, 4);
    CHECK(past == 0, "configuration read past its end reads 0");
}

static void test_io(void)
{
    uint32_t irq;
    fresh(false);
    /* Write sectors 5-6 from two 512-byte buffers, flush, read them back into one. */
    for (unsigned i = 0; i < 1024; i++)
        fg_ptr(&fg, DATA)[i] = (uint8_t)(i * 7 + 3);
    request(0, VIRTIO_BLK_T_OUT, 5, 2, 512, false);
    CHECK(turn(&irq) == 1 && irq == 1, "write served with an interrupt");
    CHECK(fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_OK && used_len(0) == 1, "write: OK, 1 byte written");
    CHECK(memcmp(disk + 5 * 512, fg_ptr(&fg, DATA), 1024) == 0, "the disk holds the pattern");
    CHECK(disk[4 * 512 + 511] == 4 && disk[7 * 512] == 7, "neighbouring sectors untouched");
    request(1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
    request(2, VIRTIO_BLK_T_IN, 5, 1, 1024, true);
    CHECK(turn(&irq) == 2, "flush and read in one turn");
    CHECK(fg_ptr(&fg, STAT)[1] == VIRTIO_BLK_S_OK && fg_ptr(&fg, STAT)[2] == VIRTIO_BLK_S_OK,
          "flush and read: OK");
    CHECK(memcmp(fg_ptr(&fg, DATA + 0x2000), fg_ptr(&fg, DATA), 1024) == 0, "read back the pattern");
    CHECK(used_len(2) == 1025, "read: data and status written (%u)", used_len(2));

    request(3, VIRTIO_BLK_T_GET_ID, 0, 1, 20, true);
    CHECK(turn(&irq) == 1 && fg_ptr(&fg, STAT)[3] == VIRTIO_BLK_S_OK, "get-id");
    CHECK(memcmp(fg_ptr(&fg, DATA + 0x3000), "exitless-disk-0\0\0\0\0\0", 20) == 0 && used_len(3) == 21,
          "get-id answers the id");

    /* Answered with an error, and the device carries on. */
    request(0, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1, 1024, true);
    request(1, VIRTIO_BLK_T_IN, 0xffffffffffffffffull, 1, 512, true);
    request(2, VIRTIO_BLK_T_OUT, 0, 1, 100, false);
    request(3, 99, 0, 0, 0, false);
    CHECK(turn(&irq) == 4, "four bad requests answered");
    CHECK(fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_IOERR, "read past the last sector");
    CHECK(fg_ptr(&fg, STAT)[1] == VIRTIO_BLK_S_IOERR, "sector 2^64-1");
    CHECK(fg_ptr(&fg, STAT)[2] == VIRTIO_BLK_S_IOERR, "write of a partial sector");
    CHECK(fg_ptr(&fg, STAT)[3] == VIRTIO_BLK_S_UNSUPP, "unknown type");
    CHECK(used_len(4) == 1 && used_len(7) == 1, "errors write only the status");
    request(0, VIRTIO_BLK_T_IN, DISK_SECTORS - 2, 1, 1024, true);
    CHECK(turn(&irq) == 1 && fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_OK, "the last two sectors read");
    CHECK(blk.ioerrs == 3 && blk.unsupp == 1 && log_lines == 0, "counted, no log line, no reset");

    /* A header split over two buffers is one header. */
    struct virtio_blk_req_hdr h = { VIRTIO_BLK_T_IN, 0, 9 };
    memcpy(fg_ptr(&fg, HDR), &h, 16);
    fg_desc(&fg, DESC, 0, HDR, 5, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, HDR + 5, 11, VRING_DESC_F_NEXT, 2);
    fg_desc(&fg, DESC, 2, DATA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3);
    fg_desc(&fg, DESC, 3, STAT, 1, VRING_DESC_F_WRITE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(turn(&irq) == 1 && fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_OK && fg_ptr(&fg, DATA)[0] == 9,
          "split header");
}

static void test_read_only(void)
{
    uint32_t irq;
    fresh(true);
    memset(fg_ptr(&fg, DATA), 0x5a, 512);
    request(0, VIRTIO_BLK_T_OUT, 1, 1, 512, false);
    request(1, VIRTIO_BLK_T_IN, 1, 1, 512, true);
    CHECK(turn(&irq) == 2, "both answered");
    CHECK(fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_IOERR, "write to a read-only disk: IOERR");
    CHECK(disk[512] == 1 && disk[1023] == 1, "nothing written");
    CHECK(fg_ptr(&fg, STAT)[1] == VIRTIO_BLK_S_OK && fg_ptr(&fg, DATA + 0x1000)[0] == 1,
          "reads still work");
}

static void test_needs_reset(void)
{
    uint32_t irq;
    bool cfg;
    fresh(false);
    /* A second disk of the same guest, on its own rings. */
    static struct vblk other;
    static uint8_t other_disk[4096];
    vblk_init(&other, "guest 'a' virtio-blk 1", &fg.g, other_disk, sizeof(other_disk), false, "b",
              log_line);
    bring_up(&other.dev, FG_BASE + 0x8000, FG_BASE + 0x9000, FG_BASE + 0xa000);

    /* A descriptor loop on the first disk. */
    fg_desc(&fg, DESC, 0, STAT, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    fg_desc(&fg, DESC, 1, STAT, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(vdev_turn(&blk.dev, 32, &irq, &cfg) == 0 && cfg, "loop: nothing served, config change");
    CHECK(vdev_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "DEVICE_NEEDS_RESET");
    CHECK(log_lines == 1, "one log line (%u)", log_lines);
    CHECK_STREQ(last_log, "guest 'a' virtio-blk 0: queue 0: descriptor loop (head 0): device needs reset",
                "the log line");
    CHECK(blk.dev.last_error == VQ_E_LOOP, "the error kept");
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(vdev_turn(&blk.dev, 32, &irq, &cfg) == 0 && !cfg && log_lines == 1,
          "a failed device is not served again and logs nothing more");
    vdev_set_status(&blk.dev, VIRTIO_STATUS_DRIVER_OK | 0x0b);
    CHECK(vdev_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, "only a reset clears it");

    /* The other disk carries on. */
    fg_desc(&fg, FG_BASE + 0x8000, 0, HDR + 0x100, 16, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, FG_BASE + 0x8000, 1, STAT + 0x100, 1, VRING_DESC_F_WRITE, 0);
    memcpy(fg_ptr(&fg, HDR + 0x100), &(struct virtio_blk_req_hdr){ VIRTIO_BLK_T_FLUSH, 0, 0 }, 16);
    fg_avail_add(&fg, FG_BASE + 0x9000, QSIZE, 0);
    CHECK(vdev_turn(&other.dev, 32, &irq, &cfg) == 1 && !cfg && fg_ptr(&fg, STAT + 0x100)[0] == 0,
          "the other device serves its request");

    /* Reset, set up again, serve. */
    memset(fg_ptr(&fg, AVAIL), 0, 0x2000);
    bring_up(&blk.dev, DESC, AVAIL, USED);
    CHECK(!(vdev_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET), "reset clears needs-reset");
    request(0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
    CHECK(turn(&irq) == 1 && fg_ptr(&fg, STAT)[0] == VIRTIO_BLK_S_OK, "served after reset");

    /* Requests that cannot be answered: no status byte, a short header. */
    fg_desc(&fg, DESC, 0, HDR, 16, 0, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    log_lines = 0;
    CHECK(turn(&irq) == 0 && (vdev_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
          blk.dev.last_error == VDEV_E_REQUEST && log_lines == 1, "no status byte: needs reset");
    memset(fg_ptr(&fg, AVAIL), 0, 0x2000);
    bring_up(&blk.dev, DESC, AVAIL, USED);
    fg_desc(&fg, DESC, 0, HDR, 8, VRING_DESC_F_NEXT, 1);
    fg_desc(&fg, DESC, 1, STAT, 1, VRING_DESC_F_WRITE, 0);
    fg_avail_add(&fg, AVAIL, QSIZE, 0);
    CHECK(turn(&irq) == 0 && blk.dev.last_error == VDEV_E_REQUEST && log_lines == 2,
          "8-byte header: needs reset");

    /* A queue the driver places outside its memory. */
    vdev_set_status(&blk.dev, 0);
    negotiate(&blk.dev, F_V1);
    vdev_queue_write(&blk.dev, 0, VDEV_Q_DESC, FG_BASE + FG_SIZE);
    vdev_queue_write(&blk.dev, 0, VDEV_Q_ENABLE, 1);
    CHECK(vdev_queue_read(&blk.dev, 0, VDEV_Q_ENABLE) == 0 &&
          (vdev_status(&blk.dev) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && log_lines == 3,
          "ring outside guest memory: needs reset, queue stays disabled");
    CHECK(fg.outside == 0, "no access outside guest memory");
}

static void test_polling(void)
{
    uint32_t irq;
    fresh(false);
    CHECK(!vdev_set_polling(&blk.dev, true), "polling on");
    CHECK(fg_get16(&fg, USED) == VRING_USED_F_NO_NOTIFY, "notifications suppressed");
    request(0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
    CHECK(vdev_set_polling(&blk.dev, false), "polling off with a request pending: serve it first");
    CHECK(fg_get16(&fg, USED) == 0, "notifications back on");
    CHECK(turn(&irq) == 1, "served");
    CHECK(!vdev_set_polling(&blk.dev, false), "nothing pending");

    /* The budget: 8 requests, 3 per turn. */
    for (uint16_t i = 0; i < 8; i++) {
        fg_desc(&fg, DESC, i, HDR, 16, VRING_DESC_F_NEXT, (uint16_t)(i + 8));
        fg_desc(&fg, DESC, (uint16_t)(i + 8), STAT + i, 1, VRING_DESC_F_WRITE, 0);
        fg_avail_add(&fg, AVAIL, QSIZE, i);
    }
    memcpy(fg_ptr(&fg, HDR), &(struct virtio_blk_req_hdr){ VIRTIO_BLK_T_FLUSH, 0, 0 }, 16);
    bool cfg;
    uint32_t a = vdev_turn(&blk.dev, 3, &irq, &cfg), b = vdev_turn(&blk.dev, 3, &irq, &cfg),
             c = vdev_turn(&blk.dev, 3, &irq, &cfg);
    CHECK(a == 3 && b == 3 && c == 2, "budget 3: %u %u %u", a, b, c);
    CHECK(blk.flushes == 9 && log_lines == 0, "all flushes served (%llu)", (unsigned long long)blk.flushes);
}

int main(void)
{
    test_negotiation();
    test_io();
    test_read_only();
    test_needs_reset();
    test_polling();
    return check_summary("vblk");
}
