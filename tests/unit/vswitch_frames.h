/* Helpers of the software switch tests: MACs, frame headers and a switch with a few ports. */
#ifndef EXITLESS_TESTS_VSWITCH_FRAMES_H
#define EXITLESS_TESTS_VSWITCH_FRAMES_H

#include <string.h>

#include "vmm/virtio/vswitch.h"

/* 02:00:00:00:00:nn, a locally administered unicast address. */
static inline void mac_n(uint8_t m[6], uint8_t n)
{
    const uint8_t base[6] = { 0x02, 0, 0, 0, 0, n };
    memcpy(m, base, 6);
}

/* A header copy: dst, src, then an 802.1Q tag when vid >= 0 (priority tag for 0), and an
 * IPv4 EtherType. Returns the header length. */
static inline uint32_t hdr_make(uint8_t h[VSW_HDR_LEN], const uint8_t dst[6], const uint8_t src[6], int vid)
{
    memcpy(h, dst, 6);
    memcpy(h + 6, src, 6);
    if (vid < 0) {
        h[12] = 0x08, h[13] = 0x00;
        return VSW_ETH_HLEN;
    }
    h[12] = 0x81, h[13] = 0x00;
    h[14] = (uint8_t)(vid >> 8 & 0x0f), h[15] = (uint8_t)vid;
    h[16] = 0x08, h[17] = 0x00;
    return VSW_HDR_LEN;
}

static inline struct vsw_port_cfg port_cfg(uint16_t port, uint8_t macn, uint16_t vlan, uint8_t uplink)
{
    struct vsw_port_cfg c = { .port = port, .vlan = vlan, .uplink = uplink, .spoof_check = true };
    mac_n(c.mac, macn);
    return c;
}

/* Sends one frame of len bytes from port src (MAC src_mac) to dst_mac. */
static inline void send_frame(struct vsw *sw, uint32_t src, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                              int vid, uint32_t len, uint64_t now, struct vsw_verdict *v)
{
    uint8_t h[VSW_HDR_LEN];
    uint32_t hl = hdr_make(h, dst_mac, src_mac, vid);
    vsw_decide(sw, src, h, hl, len, now, v);
}

#endif
