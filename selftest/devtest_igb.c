/* igb PF driver checks (test build): the hypervisor acts as the VFs' drivers and checks
 * what the PF programmed from the manifest: the mailbox policy, VEB/VEPA switching, VLAN
 * isolation, port VLAN insert/strip, steering of frames from the wire, statistics, and that
 * every setting is reported as enforced or not, never both. */
#include <stdio.h>
#include <string.h>

#include "drivers/nic/igb_regs.h"
#include "drivers/nic/nic.h"
#include "kernel/arch.h"
#include "selftest/devtest.h"
#include "selftest/devtest_vf.h"
#include "kernel/log.h"
#include "selftest/selftest.h"
#include "kernel/tsc.h"

#define NVF          4
#define ETH_LOCAL    0x88b5          /* IEEE 802 local experimental ethertype */
#define QUIET_US     300000          /* "not received" means nothing within this */
#define RECV_US      1000000
#define EXT_WAIT_US  15000000        /* frames from the test script's socket */
#define PORT_TCI     (5u << 13 | 10) /* qemu-igb.toml: VF2 port VLAN 10, priority 5 */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint8_t fr[VFDRV_BUF];

static unsigned frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t tci, const char *marker)
{
    memset(f, 0, 64);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    unsigned o = 12;
    if (tci) {
        f[12] = 0x81;
        f[13] = 0x00;
        f[14] = (uint8_t)(tci >> 8);
        f[15] = (uint8_t)tci;
        o = 16;
    }
    f[o] = ETH_LOCAL >> 8;
    f[o + 1] = ETH_LOCAL & 0xff;
    memcpy(f + o + 2, marker, strlen(marker));
    return o == 16 ? 64 : 60;
}

static bool send(struct vfdrv *d, const uint8_t *dst, const uint8_t *src, uint16_t tci, const char *marker)
{
    uint8_t f[64];
    return vfdrv_send(d, f, frame(f, dst, src, tci, marker));
}

static bool got(struct vfdrv *d, const char *marker, uint64_t us, uint32_t *status, uint16_t *vlan, int *len)
{
    int l = 0;
    uint32_t st = 0;
    uint16_t vl = 0;
    bool ok = vfdrv_recv_marked(d, marker, us, fr, &l, &st, &vl);
    if (status)
        *status = st;
    if (vlan)
        *vlan = vl;
    if (len)
        *len = l;
    return ok;
}

/* Frames containing `marker` that arrive at `d` within `us` (everything else is dropped). */
static unsigned count(struct vfdrv *d, const char *marker, uint64_t us)
{
    unsigned n = 0;
    uint64_t end = rdtsc() + tsc_us_to_cycles(us);
    while (rdtsc() < end) {
        int l = vfdrv_recv(d, fr, sizeof fr, 1000, NULL, NULL);
        if (l > 0 && (unsigned)l >= strlen(marker))
            for (int i = 0; i + (int)strlen(marker) <= l && i < (int)sizeof fr; i++)
                if (!memcmp(fr + i, marker, strlen(marker))) {
                    n++;
                    break;
                }
    }
    return n;
}

static uint32_t pf_rd(const struct nic *n, unsigned reg) { return *(volatile uint32_t *)(n->regs + reg); }
static void pf_wr(const struct nic *n, unsigned reg, uint32_t v) { *(volatile uint32_t *)(n->regs + reg) = v; }

static uint32_t call(struct vfdrv *d, const uint32_t *msg, unsigned words, uint32_t *reply)
{
    memset(reply, 0, 4 * sizeof(uint32_t));
    if (!vfdrv_mbx_call(d, msg, words, reply, 4))
        return 0xdeadu;
    return reply[0];
}

static bool open_vfs(const struct nic *n, struct vfdrv *d, unsigned count_vfs, const char *name)
{
    if (!n || n->nvfs < count_vfs)
        return test_report(name, false, "need nic 0 with %u VFs under the PF driver", count_vfs);
    for (unsigned v = 0; v < count_vfs; v++)
        if (!vfdrv_open(&d[v], sriov_vf(0, v), v))
            return test_report(name, false, "VF%u has no owner guest memory to use", v);
    return true;
}

/* The reset handshake on every VF: the reply carries the manifest's MAC. */
static bool reset_all(const struct nic *n, struct vfdrv *d, unsigned nvf, const char *name)
{
    bool ok = true;
    char detail[160] = "";
    unsigned len = 0;
    for (unsigned v = 0; v < nvf; v++) {
        uint32_t msg[1] = { IGB_MSG_RESET }, r[4];
        vfdrv_reset(&d[v]);
        uint32_t w0 = call(&d[v], msg, 1, r);
        bool mac = !memcmp(&r[1], n->vf[v].mac, 6);
        ok &= w0 == (IGB_MSG_RESET | IGB_MSG_ACK) && mac;
        const uint8_t *b = (const uint8_t *)&r[1];
        len += (unsigned)snprintf(detail + len, sizeof detail - len, "VF%u %#x %02x:%02x:%02x:%02x:%02x:%02x%s; ", v,
                                  w0, b[0], b[1], b[2], b[3], b[4], b[5], mac ? "" : " (wrong)");
        vfdrv_start(&d[v]);
    }
    return test_report(name, ok, "%s", detail);
}

static bool mailbox_policy(const struct nic *n, struct vfdrv *d)
{
    bool ok = true;
    uint32_t r[4];
    /* Untrusted VF0 asks for another MAC: refused, its filter unchanged. */
    uint32_t ral = pf_rd(n, IGB_RAL(1)), rah = pf_rd(n, IGB_RAH(1));
    uint32_t m1[3] = { IGB_MSG_SET_MAC, 0, 0 };
    const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
    memcpy(&m1[1], other, 6);
    uint32_t w = call(&d[0], m1, 3, r);
    ok &= test_report("igb/mbx-untrusted-set-mac-refused",
                      w == (IGB_MSG_SET_MAC | IGB_MSG_NACK | IGB_MSG_CTS) && pf_rd(n, IGB_RAL(1)) == ral &&
                          pf_rd(n, IGB_RAH(1)) == rah,
                      "reply %#x (want NACK|CTS %#x), RAR1 %#x/%#x -> %#x/%#x", w,
                      IGB_MSG_SET_MAC | IGB_MSG_NACK | IGB_MSG_CTS, ral, rah, pf_rd(n, IGB_RAL(1)), pf_rd(n, IGB_RAH(1)));
    /* Trusted VF3 may: its filter follows, then goes back. */
    const uint8_t moved[6] = { 0x02, 0, 0, 0, 0, 0x33 };
    memcpy(&m1[1], moved, 6);
    uint32_t w1 = call(&d[3], m1, 3, r);
    uint32_t rah4 = pf_rd(n, IGB_RAH(4));
    memcpy(&m1[1], n->vf[3].mac, 6);
    uint32_t w2 = call(&d[3], m1, 3, r);
    ok &= test_report("igb/mbx-trusted-set-mac-accepted",
                      w1 == (IGB_MSG_SET_MAC | IGB_MSG_ACK | IGB_MSG_CTS) && (rah4 & 0xffff) == 0x3300 &&
                          w2 == (IGB_MSG_SET_MAC | IGB_MSG_ACK | IGB_MSG_CTS),
                      "set %#x (RAH4 %#x), restore %#x", w1, rah4, w2);
    /* VLANs: outside VF1's allowed list, or any VLAN for the port-VLAN VF2: refused. */
    uint32_t v30[2] = { IGB_MSG_SET_VLAN | 1u << IGB_MSG_INFO_SHIFT, 30 };
    uint32_t v10[2] = { IGB_MSG_SET_VLAN | 1u << IGB_MSG_INFO_SHIFT, 10 };
    uint32_t v20[2] = { IGB_MSG_SET_VLAN | 1u << IGB_MSG_INFO_SHIFT, 20 };
    uint32_t a = call(&d[1], v30, 2, r), b = call(&d[2], v10, 2, r), c = call(&d[1], v20, 2, r);
    ok &= test_report("igb/mbx-vlan-outside-allowed-refused",
                      (a & (IGB_MSG_ACK | IGB_MSG_NACK)) == IGB_MSG_NACK && (b & (IGB_MSG_ACK | IGB_MSG_NACK)) == IGB_MSG_NACK,
                      "VF1 VLAN 30: %#x, VF2 (port VLAN) VLAN 10: %#x", a, b);
    ok &= test_report("igb/mbx-vlan-inside-allowed-accepted", (c & (IGB_MSG_ACK | IGB_MSG_NACK)) == IGB_MSG_ACK,
                      "VF1 VLAN 20: %#x", c);
    /* Multicast list: the hash bit appears in the MTA. */
    uint32_t mc[2] = { IGB_MSG_SET_MCAST | 1u << IGB_MSG_INFO_SHIFT, 0x010 };
    uint32_t m = call(&d[1], mc, 2, r);
    ok &= test_report("igb/mbx-multicast-list", m == (IGB_MSG_SET_MCAST | 1u << IGB_MSG_INFO_SHIFT | IGB_MSG_ACK |
                                                     IGB_MSG_CTS) && (pf_rd(n, IGB_MTA(0)) & (1u << 16)),
                      "reply %#x, MTA[0] %#x", m, pf_rd(n, IGB_MTA(0)));
    return ok;
}

static bool switching(const struct nic *n, struct vfdrv *d)
{
    bool ok = true;
    const uint8_t *mac0 = n->vf[0].mac, *mac1 = n->vf[1].mac, *mac2 = n->vf[2].mac;
    uint32_t st;
    uint16_t vl;
    int len;
    /* VF0 -> VF1 unicast is switched inside the NIC (the host checks the wire). */
    bool s = send(&d[0], mac1, mac0, 0, "EXL-UNI-0-1");
    bool r1 = got(&d[1], "EXL-UNI-0-1", RECV_US, NULL, NULL, NULL);
    unsigned r2 = count(&d[2], "EXL-UNI-0-1", QUIET_US);
    ok &= test_report("igb/veb-unicast-vf0-to-vf1", s && r1 && !r2, "sent %s, VF1 %s, VF2 got %u",
                      s ? "yes" : "no", r1 ? "received it" : "did not receive it", r2);
    s = send(&d[0], bcast, mac0, 0, "EXL-BC-0");
    r1 = got(&d[1], "EXL-BC-0", RECV_US, NULL, NULL, NULL);
    r2 = count(&d[2], "EXL-BC-0", QUIET_US);
    ok &= test_report("igb/veb-broadcast-reaches-vf1", s && r1 && !r2,
                      "sent %s, VF1 %s, port-VLAN VF2 got %u (untagged: not for it)", s ? "yes" : "no",
                      r1 ? "received it" : "did not", r2);
    /* VLAN 20 never reaches the VLAN-10 VF; VLAN 10 does, with the tag stripped. */
    bool s20 = send(&d[1], bcast, mac1, 20, "EXL-V20-BC") & send(&d[1], mac2, mac1, 20, "EXL-V20-UNI");
    unsigned leak = count(&d[2], "EXL-V20", QUIET_US), leak0 = count(&d[0], "EXL-V20", 1000);
    bool s10 = send(&d[1], mac2, mac1, 10, "EXL-V10-UNI");
    bool r10 = got(&d[2], "EXL-V10-UNI", RECV_US, &st, &vl, &len);
    ok &= test_report("igb/vlan20-isolated-from-vlan10-vf", s20 && !leak && !leak0 && s10 && r10,
                      "VLAN 20 frames sent %s: VF2 got %u, VF0 got %u; VLAN 10 unicast %s VF2",
                      s20 ? "yes" : "no", leak, leak0, r10 ? "reached" : "did not reach");
    bool stripped = r10 && !(fr[12] == 0x81 && fr[13] == 0x00) && (st & RXD_STAT_VP) && (vl & 0xfff) == 10;
    ok &= test_report("igb/port-vlan-stripped-on-receive", stripped,
                      "VF2 frame ethertype %02x%02x, status %#x (VP %s), descriptor VLAN %u", fr[12], fr[13], st,
                      st & RXD_STAT_VP ? "set" : "clear", vl & 0xfff);
    /* VF2 sends untagged: the NIC inserts VLAN 10 priority 5 (VF1 is in VLAN 10, untouched). */
    s = send(&d[2], mac1, mac2, 0, "EXL-PV-UNI");
    r1 = got(&d[1], "EXL-PV-UNI", RECV_US, &st, &vl, &len);
    uint16_t tci = (uint16_t)(fr[14] << 8 | fr[15]);
    bool tagged = r1 && fr[12] == 0x81 && fr[13] == 0x00 && tci == PORT_TCI;
    bool sb = send(&d[2], bcast, mac2, 0, "EXL-PV-BC");
    ok &= test_report("igb/port-vlan-inserted-on-transmit", s && tagged && sb,
                      "VF1 %s, ethertype %02x%02x TCI %#x (want 8100 %#x); broadcast sent %s",
                      r1 ? "received it" : "did not receive it", fr[12], fr[13], tci, PORT_TCI, sb ? "yes" : "no");
    return ok;
}

static bool from_wire(const struct nic *n, struct vfdrv *d)
{
    unsigned pf_pool = n->nvfs;
    uint32_t pf0 = pf_rd(n, IGB_PVFGPRC(pf_pool));
    bool e0 = got(&d[0], "EXL-EXT-0", EXT_WAIT_US, NULL, NULL, NULL);
    bool e3 = got(&d[3], "EXL-EXT-3", RECV_US * 2, NULL, NULL, NULL);
    unsigned wrong0 = count(&d[0], "EXL-EXT-3", QUIET_US) + count(&d[0], "EXL-EXT-X", QUIET_US);
    unsigned wrong3 = count(&d[3], "EXL-EXT-0", QUIET_US) + count(&d[3], "EXL-EXT-X", QUIET_US);
    unsigned other = count(&d[1], "EXL-EXT", QUIET_US) + count(&d[2], "EXL-EXT", QUIET_US);
    uint32_t pf1 = pf_rd(n, IGB_PVFGPRC(pf_pool));
    return test_report("igb/external-frames-land-in-owner-pool", e0 && e3 && !wrong0 && !wrong3 && !other && pf1 == pf0,
                       "VF0 got its frame: %s, VF3 got its frame: %s; wrong frames: VF0 %u, VF3 %u, VF1+VF2 %u, "
                       "PF pool %u", e0 ? "yes" : "no", e3 ? "yes" : "no", wrong0, wrong3, other, pf1 - pf0);
}

/* Every asked setting is either enforced or reported, never both; on QEMU's model the
 * rate limiter, anti-spoofing, mirroring and drop enable are reported as not enforced. */
static bool honesty(const struct nic *n)
{
    bool ok = true;
    char e[128], g[128];
    for (unsigned v = 0; v < n->nvfs; v++) {
        const struct nic_vf *f = &n->vf[v];
        ok &= !(f->enforced & f->gaps) && (f->enforced | f->gaps) == f->asked;
    }
    pf_wr(n, IGB_RTTDQSEL, 0);
    uint32_t rate = pf_rd(n, IGB_RTTBCNRC);
    uint32_t want0 = 1u << NIC_S_TX_RATE | 1u << NIC_S_SPOOF | 1u << NIC_S_RX_DROP | 1u << NIC_S_INGRESS |
                     1u << NIC_S_MIRROR;
    uint32_t want2 = 1u << NIC_S_MAC | 1u << NIC_S_VLAN | 1u << NIC_S_PORT_VLAN | 1u << NIC_S_PRIORITY;
    if (n->emulated)
        ok &= (n->vf[0].gaps & want0) == want0 && rate == 0;
    ok &= (n->vf[2].enforced & want2) == want2;
    return test_report("igb/unenforced-settings-reported", ok,
                       "VF0 enforced %s, not enforced %s (RTTBCNRC reads %#x); VF2 enforced %s",
                       nic_settings_str(n->vf[0].enforced, e, sizeof e), nic_settings_str(n->vf[0].gaps, g, sizeof g),
                       rate, nic_settings_str(n->vf[2].enforced, (char[128]){ 0 }, 128));
}

bool devtest_igb(const struct mf_manifest *m)
{
    (void)m;
    static struct vfdrv d[NVF];
    const struct nic *n = nic_at(0);
    if (!open_vfs(n, d, NVF, "igb/setup"))
        return false;
    bool ok = reset_all(n, d, NVF, "igb/mbx-reset-returns-manifest-mac");
    ok &= mailbox_policy(n, d);
    uint32_t tx0 = pf_rd(n, IGB_PVFGPTC(0));
    ok &= switching(n, d);
    uint32_t tx1 = pf_rd(n, IGB_PVFGPTC(0));
    ok &= test_report("igb/pool-statistics", tx1 - tx0 == 2, "VF0's pool counted %u frames sent, it sent 2",
                      tx1 - tx0);
    ok &= from_wire(n, d);
    ok &= honesty(n);
    return ok;
}

bool devtest_igb_vepa(const struct mf_manifest *m)
{
    (void)m;
    static struct vfdrv d[2];
    const struct nic *n = nic_at(0);
    if (!open_vfs(n, d, 2, "igb-vepa/setup"))
        return false;
    bool ok = reset_all(n, d, 2, "igb-vepa/mbx-reset-returns-manifest-mac");
    uint32_t tx0 = pf_rd(n, IGB_PVFGPTC(0));
    bool s = send(&d[0], n->vf[1].mac, n->vf[0].mac, 0, "EXL-UNI-0-1");
    unsigned r = count(&d[1], "EXL-UNI-0-1", QUIET_US * 2);
    uint32_t tx1 = pf_rd(n, IGB_PVFGPTC(0));
    ok &= test_report("igb-vepa/unicast-goes-to-the-wire", s && !r && tx1 - tx0 == 1,
                      "sent %s (pool counter +%u), VF1 got %u (VEPA: the NIC does not switch it)", s ? "yes" : "no",
                      tx1 - tx0, r);
    return ok;
}
