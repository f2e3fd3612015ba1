/*
 * Virtio 1.x definitions shared by the hypervisor's devices and the paravirtual test guests'
 * drivers: device status, feature bits, the split virtqueue's ring layouts, the virtio-pci
 * modern transport's capability structures and the virtio-blk request format. Section numbers
 * are those of the Virtual I/O Device (VIRTIO) Version 1.2 specification. All fields are
 * little-endian, as on x86.
 */
#ifndef EXITLESS_VIRTIO_H
#define EXITLESS_VIRTIO_H

#include <stdint.h>

/* Device status field (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        0x01
#define VIRTIO_STATUS_DRIVER             0x02
#define VIRTIO_STATUS_DRIVER_OK          0x04
#define VIRTIO_STATUS_FEATURES_OK        0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED             0x80

/* Reserved feature bits (6): transport and ring features, numbered as bit positions. */
#define VIRTIO_F_INDIRECT_DESC     28
#define VIRTIO_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1         32
#define VIRTIO_F_ACCESS_PLATFORM   33
#define VIRTIO_F_RING_PACKED       34
#define VIRTIO_F_IN_ORDER          35
#define VIRTIO_F_ORDER_PLATFORM    36
#define VIRTIO_F_SR_IOV            37
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_RING_RESET        40
#define VIRTIO_FEATURE(bit)        (1ull << (bit))

/* Device types (5), and the modern virtio-pci device ID: 0x1040 + type (4.1.2.1). */
#define VIRTIO_ID_NET        1
#define VIRTIO_ID_BLOCK      2
#define VIRTIO_PCI_VENDOR    0x1af4
#define VIRTIO_PCI_DEVICE(type) (0x1040 + (type))

/* ---- split virtqueue (2.7) ---- */

/* Largest queue size of a split virtqueue (2.7); sizes are powers of two. */
#define VIRTQ_SIZE_MAX 32768

/* Descriptor flags (2.7.5). */
#define VRING_DESC_F_NEXT     1   /* the chain continues in `next` */
#define VRING_DESC_F_WRITE    2   /* device-writable (else device-readable) */
#define VRING_DESC_F_INDIRECT 4   /* the buffer is a table of descriptors (2.7.5.3) */

/* Driver area flags (2.7.6) and device area flags (2.7.8). */
#define VRING_AVAIL_F_NO_INTERRUPT 1   /* driver: no interrupt needed (without EVENT_IDX) */
#define VRING_USED_F_NO_NOTIFY     1   /* device: no notification needed (without EVENT_IDX) */

struct vring_desc {
    uint64_t addr;   /* guest-physical */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
_Static_assert(sizeof(struct vring_desc) == 16, "2.7.5: descriptor is 16 bytes");

/* Driver area ("available ring"): flags, idx, ring[size], then used_event (EVENT_IDX). */
struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};
#define VRING_AVAIL_RING_OFF      4
#define VRING_AVAIL_BYTES(size)   (6u + 2u * (uint32_t)(size))   /* with used_event */
#define VRING_USED_EVENT_OFF(size) (4u + 2u * (uint32_t)(size))

struct vring_used_elem {
    uint32_t id;     /* head of the chain */
    uint32_t len;    /* bytes written into the chain's device-writable buffers */
};
_Static_assert(sizeof(struct vring_used_elem) == 8, "2.7.8: used element is 8 bytes");

/* Device area ("used ring"): flags, idx, ring[size], then avail_event (EVENT_IDX). */
struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};
#define VRING_USED_RING_OFF        4
#define VRING_USED_BYTES(size)     (6u + 8u * (uint32_t)(size))   /* with avail_event */
#define VRING_AVAIL_EVENT_OFF(size) (4u + 8u * (uint32_t)(size))
#define VRING_DESC_BYTES(size)     (16u * (uint32_t)(size))

/* Alignment of the three areas (2.7, table "Virtqueue Part Alignment"). */
#define VRING_DESC_ALIGN  16
#define VRING_AVAIL_ALIGN 2
#define VRING_USED_ALIGN  4

/* 2.7.7.2 / 2.7.10: with EVENT_IDX, notify when the index moved past `event` since `old`. */
static inline int vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* ---- virtio-pci modern transport (4.1.4) ---- */

/* cfg_type of a vendor-specific capability (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
#define PCI_CAP_ID_VNDR           0x09

struct virtio_pci_cap {
    uint8_t cap_vndr;     /* PCI_CAP_ID_VNDR */
    uint8_t cap_next;
    uint8_t cap_len;
    uint8_t cfg_type;     /* VIRTIO_PCI_CAP_* */
    uint8_t bar;
    uint8_t id;
    uint8_t padding[2];
    uint32_t offset;      /* within the BAR */
    uint32_t length;
};
_Static_assert(sizeof(struct virtio_pci_cap) == 16, "4.1.4: capability is 16 bytes");

struct virtio_pci_notify_cap {
    struct virtio_pci_cap cap;
    uint32_t notify_off_multiplier;   /* queue_notify_off * this = offset of its notify register */
};
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "4.1.4.4: notify capability");

/* Common configuration structure (4.1.4.3), offsets as the spec lays them out (packed: it
 * ends on a 16-bit field). */
struct __attribute__((packed)) virtio_pci_common_cfg {
    uint32_t device_feature_select;   /* 0x00 */
    uint32_t device_feature;          /* 0x04, read-only */
    uint32_t driver_feature_select;   /* 0x08 */
    uint32_t driver_feature;          /* 0x0c */
    uint16_t config_msix_vector;      /* 0x10 */
    uint16_t num_queues;              /* 0x12, read-only */
    uint8_t device_status;            /* 0x14 */
    uint8_t config_generation;        /* 0x15, read-only */
    uint16_t queue_select;            /* 0x16 */
    uint16_t queue_size;              /* 0x18 */
    uint16_t queue_msix_vector;       /* 0x1a */
    uint16_t queue_enable;            /* 0x1c */
    uint16_t queue_notify_off;        /* 0x1e, read-only */
    uint64_t queue_desc;              /* 0x20 */
    uint64_t queue_driver;            /* 0x28 */
    uint64_t queue_device;            /* 0x30 */
    uint16_t queue_notify_data;       /* 0x38, read-only */
    uint16_t queue_reset;             /* 0x3a */
};
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 0x3c, "4.1.4.3: common configuration");
_Static_assert(__builtin_offsetof(struct virtio_pci_common_cfg, queue_desc) == 0x20,
               "4.1.4.3: queue_desc at 0x20");

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_PCI_ISR_QUEUE  0x1     /* ISR status bit 0: a queue interrupt (4.1.4.5) */
#define VIRTIO_PCI_ISR_CONFIG 0x2     /* bit 1: a configuration change */

/* ---- virtio-blk (5.2) ---- */

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR   512u   /* the request's sector unit, whatever blk_size says */
#define VIRTIO_BLK_ID_BYTES 20

/* The device-readable header at the start of every request (5.2.6). */
struct virtio_blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "5.2.6: request header");

/* Device configuration layout (5.2.4), as far as the fields this device offers. */
struct virtio_blk_config {
    uint64_t capacity;        /* in 512-byte sectors */
    uint32_t size_max;
    uint32_t seg_max;
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
    uint32_t blk_size;
};
_Static_assert(sizeof(struct virtio_blk_config) == 24, "5.2.4: configuration up to blk_size");

/* ---- virtio-net (5.1) ---- */

#define VIRTIO_NET_F_MAC    5     /* the device configuration has the MAC address */
#define VIRTIO_NET_F_STATUS 16    /* ... and a link status */
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RX_Q 0         /* receiveq1 */
#define VIRTIO_NET_TX_Q 1         /* transmitq1 */

/* Device configuration layout (5.1.4), as far as the fields this device offers. */
struct virtio_net_config {
    uint8_t mac[6];
    uint16_t status;
};
_Static_assert(sizeof(struct virtio_net_config) == 8, "5.1.4: mac and status");

/* The header before every frame in both directions (5.1.6), with VIRTIO_F_VERSION_1. */
struct virtio_net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "5.1.6: the VERSION_1 header is 12 bytes");

#endif
