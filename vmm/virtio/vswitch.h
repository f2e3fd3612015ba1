/*
 * The software switch of the virtio-net ports: port table, forwarding decision on a frame's
 * header, VLANs, anti-spoofing, mirroring and per-port token buckets (docs/virtio-switch.md).
 *
 * Ownership: a struct vsw is built once by the CPU that parses the manifest, before the
 * sidecore that serves the ports starts (the start is the hand-over), and from then on is
 * read and written by that one sidecore only (owner_cpu): the decision, the buckets and the
 * counters have no lock because no other CPU reaches them. A reader elsewhere (statistics)
 * must ask the owner for a copy; nothing here may be called from another CPU.
 *
 * The switch never touches frame payloads: the caller copies the first bytes of a frame out of
 * guest memory once (VSW_HDR_LEN, or fewer for a shorter frame), passes that copy and the
 * frame's length, and then does what the verdict says. A frame the verdict drops costs that
 * header read only.
 */
#ifndef EXITLESS_VMM_VSWITCH_H
#define EXITLESS_VMM_VSWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/virtio/vswitch_bucket.h"

#define VSW_MAX_PORTS    256          /* manifest port numbers 0..255 */
#define VSW_MAX_UPLINKS  8            /* = MF_MAX_NICS */
#define VSW_MAX_MIRROR_VLANS 8        /* = MF_MAX_VLAN_LIST */
#define VSW_NO_PORT      0xffffu
#define VSW_NO_UPLINK    0xffu
#define VSW_SRC_UPLINK(nic) (0x100u + (nic))  /* source number of frames from a NIC's wire */

#define VSW_ETH_HLEN     14u          /* destination, source, EtherType */
#define VSW_TAG_LEN      4u           /* an 802.1Q tag: TPID 0x8100 and TCI */
#define VSW_HDR_LEN      (VSW_ETH_HLEN + VSW_TAG_LEN)  /* what the decision reads at most */
#define VSW_MAX_FRAME    1514u        /* untagged frame without FCS (no GSO offered) */
#define VSW_TPID_8021Q   0x8100u
#define VSW_VID_MASK     0x0fffu

struct vsw_portset {
    uint64_t w[VSW_MAX_PORTS / 64];
};

static inline bool vsw_set_has(const struct vsw_portset *s, unsigned p)
{
    return p < VSW_MAX_PORTS && (s->w[p / 64] >> (p % 64)) & 1;
}

static inline void vsw_set_add(struct vsw_portset *s, unsigned p)
{
    if (p < VSW_MAX_PORTS)
        s->w[p / 64] |= 1ull << (p % 64);
}

static inline void vsw_set_del(struct vsw_portset *s, unsigned p)
{
    if (p < VSW_MAX_PORTS)
        s->w[p / 64] &= ~(1ull << (p % 64));
}

/* Per-port counters; "tx" is what the guest sent into the switch, "rx" what it was given. */
struct vsw_counters {
    uint64_t tx_frames, tx_bytes;        /* accepted from the guest */
    uint64_t rx_frames, rx_bytes;        /* delivered to the guest (mirror copies included) */
    uint64_t mirrored;                   /* mirror copies delivered to this port (the target) */
    uint64_t drop_spoof;                 /* sent with a source MAC that is not the port's */
    uint64_t drop_vlan;                  /* sent with an 802.1Q tag: an access port may not tag */
    uint64_t drop_malformed;             /* shorter than a header, longer than VSW_MAX_FRAME,
                                            or a multicast source address */
    uint64_t drop_unknown;               /* sent to nobody: unknown unicast and no uplink, or
                                            the port's own address */
    uint64_t drop_ingress;               /* addressed to this port, over its ingress_limit */
    uint64_t egress_deferred;            /* decisions that left a frame in the guest's ring
                                            because of egress_limit */
};

struct vsw_uplink_counters {
    uint64_t tx_frames, tx_bytes;        /* decided for the PF path (vnet counts its losses) */
    uint64_t rx_frames;                  /* frames from the wire delivered to some port */
    uint64_t drop_unknown, drop_spoof, drop_malformed;  /* frames from the wire */
};

struct vsw_port {
    bool present;
    bool spoof_check;                    /* manifest spoof_check, default true */
    uint8_t mac[6];
    uint16_t vlan;                       /* port VLAN 1..4094, 0 = untagged segment */
    uint8_t uplink;                      /* NIC index or VSW_NO_UPLINK */
    uint8_t guest;                       /* manifest guest index, for logs */
    struct vsw_bucket egress, ingress;   /* rate 0 = unlimited */
    struct vsw_counters c;
};

struct vsw_mirror {
    bool present;
    struct vsw_portset sources;          /* ports whose sent and received frames are copied */
    uint8_t nvlans;
    uint16_t vlans[VSW_MAX_MIRROR_VLANS];/* VLANs whose frames are copied */
    uint16_t target;                     /* port receiving the copies */
};

struct vsw_mac_entry {
    uint64_t mac;                        /* the 48-bit address, first byte most significant */
    uint16_t port;
};

struct vsw {
    uint32_t owner_cpu;                  /* the sidecore that owns all of this */
    uint64_t hz;                         /* the clock the buckets run on */
    uint16_t nports, nmacs;
    struct vsw_port port[VSW_MAX_PORTS]; /* indexed by port number */
    struct vsw_mac_entry macs[VSW_MAX_PORTS];  /* sorted by mac: the forwarding table */
    struct vsw_mirror mirror;
    struct vsw_uplink_counters uplink[VSW_MAX_UPLINKS];
};

/* One port as the manifest describes it (vswitch_build.c maps the manifest onto these). */
struct vsw_port_cfg {
    uint16_t port;
    uint8_t mac[6];
    uint16_t vlan;
    uint8_t uplink;
    uint8_t guest;
    bool spoof_check;
    uint64_t egress_bps, ingress_bps;    /* 0 = unlimited */
};

enum vsw_action {
    VSW_DELIVER,                         /* to dest (untagged), and/or the uplink, and/or the mirror */
    VSW_DROP,                            /* do not copy the payload; counted */
    VSW_DEFER,                           /* leave the frame in the guest's ring until retry_at */
};

enum vsw_why {
    VSW_OK,
    VSW_WHY_MALFORMED,
    VSW_WHY_SPOOF,
    VSW_WHY_VLAN,
    VSW_WHY_UNKNOWN,                     /* unknown unicast without an uplink */
    VSW_WHY_SELF,                        /* addressed to the sending port (no hairpin) */
    VSW_WHY_POLICED,                     /* every receiver was over its ingress_limit */
    VSW_WHY_EGRESS,                      /* VSW_DEFER: over the sender's egress_limit */
    VSW_WHY_NO_PORT,                     /* the source is not a port or uplink of this switch */
};

/*
 * What to do with one frame. Tags: `strip_tag` says the frame carries an 802.1Q tag now (only
 * a frame from the wire can); ports always receive frames untagged (remove that tag); the
 * uplink copy carries `uplink_tag` and the mirror copy `mirror_tag` (0 = untagged: remove a
 * tag; otherwise the copy carries a tag with that VLAN id: insert one if the frame has none).
 */
struct vsw_verdict {
    enum vsw_action action;
    enum vsw_why why;
    uint16_t vlan;                       /* the frame's VLAN on the switch, 0 = untagged */
    bool strip_tag;
    uint16_t ndest;
    struct vsw_portset dest;             /* receiving ports, already policed */
    bool uplink;                         /* also out through the PF of uplink_nic */
    uint8_t uplink_nic;
    uint16_t uplink_tag;
    uint16_t mirror_port;                /* VSW_NO_PORT: no copy */
    uint16_t mirror_tag;
    uint64_t retry_at;                   /* VSW_DEFER: the clock value to try again at */
};

/* Empties the switch: no ports, no mirror; hz is the buckets' clock rate. */
void vsw_init(struct vsw *sw, uint32_t owner_cpu, uint64_t hz);

/* Adds one port, its buckets full at time now. -1: number taken or out of range, MAC not
 * unicast or already used, VLAN out of 0..4094, uplink out of range, or a rate beyond the
 * bucket bounds. */
__attribute__((warn_unused_result))
int vsw_add_port(struct vsw *sw, const struct vsw_port_cfg *cfg, uint64_t now);

/* Sets the mirror (after the ports). -1: target or a source is not a port, target is a
 * source, or more VLANs than VSW_MAX_MIRROR_VLANS. */
__attribute__((warn_unused_result))
int vsw_set_mirror(struct vsw *sw, const struct vsw_portset *sources, const uint16_t *vlans,
                   unsigned nvlans, uint16_t target);

/* The port owning mac on the switch, or VSW_NO_PORT. */
uint16_t vsw_lookup(const struct vsw *sw, const uint8_t mac[6]);

/*
 * The forwarding decision for a frame of `len` bytes from source `src` (a port number, or
 * VSW_SRC_UPLINK(nic) for a frame from that NIC's wire), of which the first hdr_len bytes are
 * in hdr (a copy the caller owns). Charges the sender's egress bucket and the receivers'
 * ingress buckets at time now and updates the counters, so the caller must act on the
 * verdict. Owner sidecore only.
 */
void vsw_decide(struct vsw *sw, uint32_t src, const uint8_t *hdr, uint32_t hdr_len, uint32_t len,
                uint64_t now, struct vsw_verdict *v);

/* vswitch_build.c. The manifest's owner of the switch: its lowest sidecore (UINT32_MAX if none). */
struct mf_manifest;
uint32_t vsw_owner_of(const struct mf_manifest *m);

/* The switch of a checked manifest, on a clock of hz ticks per second, buckets full at now:
 * a port per [[guest.virtio_net]] and the [virtio_switch] mirror. -1 if a setting is outside
 * what the switch can hold (the manifest check already refuses those it knows of). */
__attribute__((warn_unused_result))
int vsw_build(struct vsw *sw, const struct mf_manifest *m, uint64_t hz, uint64_t now);

#endif
