/*
 * What this hypervisor has built of the services a manifest can ask for. A manifest that asks
 * for one that is not built is refused (by the host tool and at boot, with file:line:col):
 * never accepted and silently left out. Each switch flips to 1 in the change that makes the
 * service work end to end; a host test may define them on its command line to exercise the
 * checks that apply once they are built.
 */
#ifndef EXITLESS_BUILT_H
#define EXITLESS_BUILT_H

/* hypervisor.sidecores: a CPU polling the virtio rings of the guests it serves. */
#ifndef SIDECORE_BUILT
#define SIDECORE_BUILT 1
#endif

/* [[guest.virtio_net]]: a virtio-net function on the sidecore's software switch. */
#ifndef VIRTIO_NET_BUILT
#define VIRTIO_NET_BUILT 1
#endif

/* [[guest.virtio_net]] uplink: the switch's frames to and from a NIC's wire through its PF. */
#ifndef VIRTIO_NET_UPLINK_BUILT
#define VIRTIO_NET_UPLINK_BUILT 1
#endif

/* [[guest.virtio_blk]]: a virtio-blk function on a RAM module. */
#ifndef VIRTIO_BLK_BUILT
#define VIRTIO_BLK_BUILT 1
#endif

#endif
