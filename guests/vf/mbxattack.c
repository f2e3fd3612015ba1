/* The mailbox rounds of vf case=cfgattack (cfgattack.c runs them, with a frame exchange with
 * the neighbour after each): malformed and refused requests to the PF, requests before the
 * reset handshake, and a flood of requests that never wait for a reply. The PF must refuse
 * each (NACK), keep the VF's settings, keep answering, and bound what it logs. */
#include "vf.h"

#define MSG_SET_MAC     0x02u
#define MSG_SET_MCAST   0x03u
#define MSG_SET_VLAN    0x04u
#define MSG_SET_LPE     0x05u
#define MSG_SET_PROMISC 0x06u
#define MSG_UNKNOWN     0x77u
#define INFO(x)         ((uint32_t)(x) << 16)
#define TYPE_MASK       0xffffu
#define FLOOD           5000u
#define TAKE_US         20000
#define IGB_LOG_BOUND   16          /* the PF's log lines per VF: the flood must pass it */
#define SETTLE_US       200000
#define RESET_SETTLE_US 100000
#define RESET_LOOP      20u         /* own resets, each with a handshake: past the PF's bound of 8 */

/* One request; true when the PF answered it with a NACK of the same type. */
static bool refused(struct vf *vf, const uint32_t *msg, unsigned words, uint32_t *got)
{
    uint32_t r[4] = { 0, 0, 0, 0 };
    const char *why = vf_mbx_call(vf, msg, words, r, 4);
    *got = why ? 0 : r[0];
    return !why && (r[0] & MSG_NACK) && !(r[0] & MSG_ACK) && (r[0] & TYPE_MASK) == (msg[0] & TYPE_MASK);
}

static void mac_words(uint32_t *w, const uint8_t mac[6])
{
    w[1] = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
    w[2] = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
}

bool mbx_malformed_attack(struct vf *vf, const struct exitless_boot_info *bi, const uint8_t nb[6])
{
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, zero[6] = { 0 };
    uint32_t m[10][4] = {
        { MSG_UNKNOWN }, { MSG_SET_MAC }, { MSG_SET_MAC }, { MSG_SET_MAC },
        { MSG_SET_MAC | INFO(3) }, { MSG_SET_MCAST | INFO(31) }, { MSG_SET_MCAST | INFO(255) },
        { MSG_SET_VLAN | INFO(1), 20 }, { MSG_SET_LPE, 100000 }, { MSG_SET_PROMISC | INFO(2) },
    };
    mac_words(m[1], mcast);
    mac_words(m[2], zero);
    mac_words(m[3], nb);
    unsigned ok = 0, n = sizeof(m) / sizeof(m[0]), first_bad = ~0u;
    uint32_t got, bad_reply = 0;
    for (unsigned i = 0; i < n; i++) {
        if (refused(vf, m[i], 4, &got))
            ok++;
        else if (first_bad == ~0u)
            first_bad = i, bad_reply = got;
    }
    bool all = observed("mailbox-malformed-refused", ok == n,
                        "%u of %u requests (unknown type, multicast/zero/neighbour's MAC, extra "
                        "unicast filters, 31 and 255 multicast hashes, a VLAN not allowed, a "
                        "100000-byte frame, promiscuous) refused with a NACK; first other: #%d "
                        "reply 0x%x", ok, n, (int)first_bad, bad_reply);
    /* After a VF reset and before the handshake: refused; then the handshake again. */
    vf_wr(vf, VF_CTRL, VF_CTRL_RST);
    delay_us(RESET_SETTLE_US);
    vf_mbx_forget(vf);
    uint32_t early[1] = { MSG_SET_MCAST };
    bool before = refused(vf, early, 1, &got);
    bool again = vf_bring_up(vf, bi->cmdline);
    char mac[18];
    mac_str(vf->mac, mac);
    all &= observed("mailbox-before-handshake-refused", before && again,
                    "set-multicast before the handshake: %s (reply 0x%x); handshake again: %s, MAC %s",
                    before ? "NACK" : "NOT refused", got, again ? "ACK" : "failed", mac);
    return all;
}

bool mbx_flood_attack(struct vf *vf)
{
    uint32_t msg[1] = { MSG_UNKNOWN };
    unsigned posted = 0, taken = 0;
    /* Each request is posted as soon as the PF has taken the one before (PFACK), its reply
     * never read nor acknowledged: every one reaches the PF and is refused. */
    for (unsigned i = 0; i < FLOOD; i++) {
        if (!vf_mbx_post(vf, msg, 1))
            continue;
        posted++;
        taken += vf_mbx_taken(vf, TAKE_US);
    }
    delay_us(SETTLE_US);
    vf_mbx_forget(vf);
    uint32_t got;
    bool answered = refused(vf, msg, 1, &got);
    return observed("mailbox-flood-survived", taken > IGB_LOG_BOUND && answered,
                    "%u of %u requests posted, %u taken by the PF, no reply read; a request after "
                    "them answered: %s (reply 0x%x)", posted, FLOOD, taken,
                    answered ? "NACK, as it should" : "NO", got);
}

/* The VF resets itself (VTCTRL.RST) and does the handshake again, over and over: each reset
 * and handshake must be served (the MAC handed over each time), and the PF logs at most its
 * bound of reset lines for this run. */
bool mbx_reset_loop_attack(struct vf *vf, const struct exitless_boot_info *bi)
{
    uint8_t want[6];
    bool have = arg_mac(bi->cmdline, "mac", want);
    unsigned ok = 0;
    for (unsigned i = 0; i < RESET_LOOP; i++) {
        vf_wr(vf, VF_CTRL, VF_CTRL_RST);
        delay_us(RESET_SETTLE_US);
        vf_mbx_forget(vf);
        ok += !vf_up(vf) && have && mem_same(vf->mac, want, 6);
    }
    vf_rings_start(vf);
    return observed("reset-loop-survived", ok == RESET_LOOP,
                    "%u of %u own VF resets followed by a handshake that the PF answered with "
                    "the manifest's MAC", ok, RESET_LOOP);
}
