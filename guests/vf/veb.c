/* vf case=veb: guest-to-guest frames switched inside the NIC (VEB), within VLANs. role=trunk
 * (allowed_vlans = [10, 20]: it tags its own frames) sends to role=port guests (a port VLAN
 * each: the NIC tags their frames and strips the tag of what they receive). Each port guest
 * announces itself (its frames reach the trunk tagged with its VLAN), then receives, in
 * order, a frame for its address in the other VLAN (must be dropped) and one in its own
 * VLAN (must arrive intact, its tag stripped): the frame that arrives proves the one before
 * it was not just late. Each port guest also tries a VLAN hop: frames it tags itself with the
 * other VLAN, which must reach the trunk in its own port VLAN. */
#include "vf.h"

#define UP_WAIT_US      60000000
#define ANNOUNCE_US     20000
#define RESEND_US       200000
#define LATE_QUIET_US   300000
#define VID_MASK        0xfffu
#define END_SENDS       3

static struct vf vf;
static struct frame f;

/* The VLAN a frame travelled in: the tag in it, or the one the NIC stripped. */
static unsigned vlan_of(const struct frame *fr)
{
    if (fr->tag)
        return fr->tag & VID_MASK;
    return fr->status & RXD_STAT_VP ? fr->desc_vlan & VID_MASK : 0;
}

/* A VLAN hop: a port guest sends its own 802.1Q tag of the other VLAN ("EXL-VEB-HOP"). The
 * NIC inserts the port VLAN in front of it (or replaces it): the frame must reach the trunk in
 * the sender's port VLAN. Its VLAN as delivered is the outermost tag: the one the NIC
 * stripped into the descriptor, else the first in the frame. Returns it, or ~0u when fr is
 * no hop frame. The marker is searched for, since a second tag moves it. */
static unsigned hop_vlan(const struct frame *fr)
{
    static const char m[] = "EXL-VEB-HOP";
    int n = fr->len < (int)sizeof(fr->raw) ? fr->len : (int)sizeof(fr->raw);
    for (int i = 12; i + (int)sizeof(m) - 1 <= n; i++)
        if (mem_same(fr->raw + i, m, sizeof(m) - 1))
            return fr->status & RXD_STAT_VP ? fr->desc_vlan & VID_MASK
                   : fr->tag ? fr->tag & VID_MASK : 0;
    return ~0u;
}

static void note_hop(const struct frame *fr, const uint8_t p10[6], const uint8_t p20[6],
                     unsigned *h10, unsigned *h20)
{
    unsigned v = hop_vlan(fr);
    if (v == ~0u)
        return;
    if (mem_same(fr->src, p10, 6))
        *h10 = v;
    if (mem_same(fr->src, p20, 6))
        *h20 = v;
}

static int trunk(const struct exitless_boot_info *bi)
{
    uint8_t p10[6], p20[6];
    if (!vcheck("peer-addresses", arg_mac(bi->cmdline, "vlan10", p10) && arg_mac(bi->cmdline, "vlan20", p20),
                "want vlan10= and vlan20= MACs on the command line") ||
        !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    unsigned v10 = ~0u, v20 = ~0u, others = 0, h10 = ~0u, h20 = ~0u;
    for (uint64_t end = deadline_us(UP_WAIT_US); (v10 == ~0u || v20 == ~0u) && vf_recv(&vf, &f, end);) {
        note_hop(&f, p10, p20, &h10, &h20);
        if (!str_same(f.marker, "EXL-VEB-HELLO")) {
            others++;
            continue;
        }
        if (mem_same(f.src, p10, 6) && frame_is(&f, vf.mac, p10, "EXL-VEB-HELLO", f.seq))
            v10 = vlan_of(&f);
        if (mem_same(f.src, p20, 6) && frame_is(&f, vf.mac, p20, "EXL-VEB-HELLO", f.seq))
            v20 = vlan_of(&f);
    }
    if (!vcheck("port-vlan-tag-inserted", v10 == 10 && v20 == 20,
                "announcements arrived in VLAN %d and VLAN %d (want 10 and 20; ~0: none), %u other frames",
                (int)v10, (int)v20, others))
        return 1;
    /* The four frames, again until both receivers said they have theirs. */
    bool got10 = false, got20 = false, sent = true;
    for (uint64_t end = deadline_us(UP_WAIT_US); (!got10 || !got20) && rdtsc() < end;) {
        sent &= frame_send(&vf, p20, 10, "EXL-VEB-WRONG", 1);  /* p20's address, VLAN 10 */
        sent &= frame_send(&vf, p10, 20, "EXL-VEB-WRONG", 2);  /* p10's address, VLAN 20 */
        sent &= frame_send(&vf, p10, 10, "EXL-VEB-V10", 3);
        sent &= frame_send(&vf, p20, 20, "EXL-VEB-V20", 4);
        for (uint64_t r = deadline_us(RESEND_US); vf_recv(&vf, &f, r);) {
            note_hop(&f, p10, p20, &h10, &h20);
            if (!str_same(f.marker, "EXL-VEB-GOT"))
                continue;
            got10 |= mem_same(f.src, p10, 6);
            got20 |= mem_same(f.src, p20, 6);
        }
    }
    gprintf("%s: VLAN hop frames arrived in VLAN %d (from the VLAN 10 guest, tagged 20) and %d "
            "(from the VLAN 20 guest, tagged 10)\n", bi->name, (int)h10, (int)h20);
    vcheck("vlan-hop-kept-in-port-vlan", h10 == 10 && h20 == 20,
           "frames the VLAN 10 and VLAN 20 guests tagged with the other VLAN arrived in VLAN %d "
           "and %d (want 10 and 20; -1: none arrived)", (int)h10, (int)h20);
    return vcheck("receivers-confirmed", sent && got10 && got20, "sent %s; VLAN 10 guest %s, VLAN 20 guest %s",
                  sent ? "all" : "NOT all (a descriptor never completed)", got10 ? "confirmed" : "silent",
                  got20 ? "confirmed" : "silent") ? 0 : 1;
}

static int port(const struct exitless_boot_info *bi)
{
    uint8_t t[6];
    char vid_s[8] = "";
    if (!vcheck("peer-addresses", arg_mac(bi->cmdline, "peer", t) && arg_word(bi->cmdline, "vlan", vid_s, sizeof(vid_s)),
                "want peer= (the trunk's MAC) and vlan= on the command line") ||
        !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    unsigned vid = 0;
    for (const char *c = vid_s; *c >= '0' && *c <= '9'; c++)
        vid = vid * 10 + (unsigned)(*c - '0');
    const char *good = vid == 10 ? "EXL-VEB-V10" : "EXL-VEB-V20";
    uint32_t good_seq = vid == 10 ? 3 : 4;
    unsigned wrong = 0, wrong_vlan = 0, others = 0;
    bool got = false;
    struct frame keep;
    uint32_t seq = 0;
    for (uint64_t end = deadline_us(UP_WAIT_US); !got && rdtsc() < end;) {
        frame_send(&vf, t, 0, "EXL-VEB-HELLO", ++seq);
        frame_send(&vf, t, vid == 10 ? 20 : 10, "EXL-VEB-HOP", seq);   /* a VLAN hop */
        for (uint64_t r = deadline_us(ANNOUNCE_US); !got && vf_recv(&vf, &f, r);) {
            if (str_same(f.marker, good) && f.seq == good_seq) {
                got = true;
                keep = f;
            } else if (str_same(f.marker, "EXL-VEB-WRONG")) {
                wrong++;
                wrong_vlan = vlan_of(&f);
            } else {
                others++;
            }
        }
    }
    /* Anything of the other VLAN still on its way would arrive now. */
    for (uint64_t r = deadline_us(LATE_QUIET_US); vf_recv(&vf, &f, r);)
        if (str_same(f.marker, "EXL-VEB-WRONG")) {
            wrong++;
            wrong_vlan = vlan_of(&f);
        }
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, t, 0, "EXL-VEB-GOT", vid);
    bool intact = got && frame_is(&keep, vf.mac, t, good, good_seq);
    vcheck("frame-from-trunk-in-own-vlan", intact && keep.tag == 0 && (keep.status & RXD_STAT_VP) &&
           (keep.desc_vlan & VID_MASK) == vid,
           "%s; tag left in the frame 0x%x, descriptor VLAN %u (%s), want VLAN %u stripped",
           !got ? "no frame" : intact ? "intact" : "NOT intact", got ? keep.tag : 0,
           got ? keep.desc_vlan & VID_MASK : 0, got && (keep.status & RXD_STAT_VP) ? "VP set" : "VP clear", vid);
    vcheck("frame-in-other-vlan-not-delivered", got && wrong == 0,
           "%u frame(s) for this address in another VLAN arrived (last one in VLAN %u)%s", wrong, wrong_vlan,
           got ? "" : "; and the frame in its own VLAN never came, so this proves nothing");
    return 0;
}

int case_veb(const struct exitless_boot_info *bi)
{
    char role[16] = "";
    arg_word(bi->cmdline, "role", role, sizeof(role));
    if (str_same(role, "trunk"))
        return trunk(bi);
    if (str_same(role, "port"))
        return port(bi);
    vcheck("role", false, "role=%s: want trunk or port", role);
    return 1;
}
