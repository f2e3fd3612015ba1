/*
 * virtio-net ports on the sidecore's software switch (a manifest [[guest.virtio_net]]): one
 * receive queue (0) and one transmit queue (1). Offered besides the core features (vdev.h):
 * VIRTIO_NET_F_MAC (the manifest's address) and VIRTIO_NET_F_STATUS (link always up); no
 * checksum or segmentation offload, no mergeable receive buffers, no control queue. Frames are
 * at most VSW_MAX_FRAME bytes after the 12-byte header.
 *
 * Transmit (a chain of the transmit queue, in the sender's turn): the device-readable part is
 * the header, then the frame. The first bytes of the frame (VSW_HDR_LEN at most) are copied
 * out of the guest once, into the fabric's frame buffer, and the switch decides on that copy
 * (vmm/virtio/vswitch.h): a dropped frame costs that header read and nothing else, a deferred
 * one (egress_limit) stays held by the device until its bucket allows it; a delivered frame is
 * then copied once more, the rest of it after the header, and written from that buffer into
 * the next receive buffer of each receiver and of the mirror target (vdev_deliver()). A
 * receiver without a free buffer loses the frame (counted there: rx_nobuf). A transmit chain
 * shorter than the header, or a receive buffer too small for the header and the frame (5.1.6.3:
 * without mergeable buffers a driver supplies whole-frame buffers), is a driver error: that
 * device needs reset.
 *
 * Ownership: a struct vnet is its device's (vnet->dev.lock) but for the fields marked
 * "fabric", which, like the struct vnet_fabric and the switch itself, belong to the one
 * sidecore that owns the switch (vsw->owner_cpu): it alone serves every virtio-net device.
 */
#ifndef EXITLESS_VMM_VIRTIO_VNET_H
#define EXITLESS_VMM_VIRTIO_VNET_H

#include "vmm/virtio/vdev.h"
#include "vmm/virtio/vswitch.h"

#define VNET_HDR_LEN   ((uint32_t)sizeof(struct virtio_net_hdr))
#define VNET_MAX_BYTES (VNET_HDR_LEN + VSW_MAX_FRAME + VSW_TAG_LEN)

struct vnet_fabric;

/* A frame from a NIC's wire, in the driver's DMA buffer: read once, what is kept is copied. */
typedef void (*vnet_wire_fn)(void *arg, const volatile uint8_t *frame, uint32_t len);

/* The fabric's uplinks: a PF queue per NIC that some port names (drivers/nic/nic.h; the
 * sidecore bridges to it, tests fake it). Both run on the switch's owner only. */
struct vnet_uplink_ops {
    /* One frame to NIC nic's wire, with an 802.1Q tag of tci inserted when tci != 0. false:
     * lost (a full ring), counted by the fabric. */
    bool (*tx)(uint8_t nic, const uint8_t *frame, uint32_t len, uint16_t tci);
    /* Up to budget frames from the wire, each handed to fn(arg, ...); returns how many. */
    unsigned (*rx)(uint8_t nic, vnet_wire_fn fn, void *arg, unsigned budget);
};

struct vnet {
    struct vdev dev;            /* first: the backend is found from the device */
    struct vnet_fabric *fab;
    uint16_t port;              /* its switch port */
    struct virtio_net_config cfg;
    /* fabric */
    bool rx_irq;                /* a receive interrupt is due (sent by the sidecore) */
    bool cfg_irq;               /* the device failed while receiving: configuration interrupt */
    uint64_t rx_nobuf;          /* frames for this port lost for want of a receive buffer */
    uint64_t tx_deferred;       /* transmit chains held for the egress limit */
    /* The sidecore's cost of this port's transmissions, in fab->now() ticks from the header
     * read to the last copy: frames dropped because every receiver was over its ingress
     * limit, and frames delivered. */
    uint64_t policed, policed_ticks, delivered, delivered_ticks;
};

/* The switch with the devices of its ports; owned by vsw.owner_cpu (see above). */
struct vnet_fabric {
    struct vsw sw;
    struct vnet *dev[VSW_MAX_PORTS];        /* by port number; NULL: no device (yet) */
    uint64_t (*now)(void);                  /* the buckets' clock (sw.hz) */
    uint8_t frame[VSW_MAX_FRAME + VSW_TAG_LEN];  /* the one copy of the frame in flight */
    uint64_t header_reads, frame_copies;    /* frames looked at; frames copied whole */
    const struct vnet_uplink_ops *up;       /* NULL: no uplink */
    uint8_t uplinks;                        /* bit per NIC some port names as its uplink */
    uint64_t wire_out, wire_lost;           /* frames handed to an uplink; of them refused */
    uint64_t wire_in;                       /* frames taken from the wire (the switch counts
                                               what it drops: sw.uplink[nic]) */
};

/* Sets the fabric's uplinks: every NIC named by a port of the switch. */
void vnet_uplinks_set(struct vnet_fabric *fab, const struct vnet_uplink_ops *up);
/* Takes up to budget frames from each uplink through the switch to their ports; returns the
 * frames taken. Owner sidecore only. */
unsigned vnet_uplink_poll(struct vnet_fabric *fab, unsigned budget);

/* A port device for switch port `port` of fab, with the port's MAC. */
void vnet_init(struct vnet *n, const char *name, const struct vq_guest *g,
               struct vnet_fabric *fab, uint16_t port, const uint8_t mac[6],
               void (*log)(const char *line));

#endif
