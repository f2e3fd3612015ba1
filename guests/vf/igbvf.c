/* vf: a minimal 82576 VF driver inside the guest: function reset and the PF mailbox
 * handshake (82576 datasheet 7.10.2.9; Linux igbvf's mbx.c/vf.c name the steps), queue 0
 * TX/RX rings with advanced descriptors in the guest's own memory (GPA = DMA address: the
 * VT-d domain mirrors the guest-physical map), test frames built and checked byte by byte. */
#include "vf.h"

#define MBX_WORDS        16
#define MBX_WAIT_US      2000000     /* the PF answers from the management CPU */
#define LOCK_TRIES       1000
#define RESET_SETTLE_US  1000
#define TX_WAIT_US       200000
#define OUTSIDE_GAP      0x1000000ull /* bad DMA: this far above the end of guest memory */

static struct txd tx_ring[VF_TX_DESCS] __attribute__((aligned(128)));
static struct rxd rx_ring[VF_RX_DESCS] __attribute__((aligned(128)));
static uint8_t tx_bufs[VF_TX_DESCS][VF_BUF] __attribute__((aligned(4096)));
static uint8_t rx_bufs[VF_RX_DESCS][VF_BUF] __attribute__((aligned(4096)));

/* The mailbox bits that clear when read are remembered until used. */
static uint32_t v2p(struct vf *vf)
{
    vf->v2p |= vf_rd(vf, VF_V2PMAILBOX);
    return vf->v2p;
}

static bool wait_v2p(struct vf *vf, uint32_t bit)
{
    uint64_t end = deadline_us(MBX_WAIT_US);
    while (!(v2p(vf) & bit))
        if (rdtsc() >= end)
            return false;
    vf->v2p &= ~bit;
    return true;
}

static bool mbx_lock(struct vf *vf)
{
    for (unsigned i = 0; i < LOCK_TRIES; i++) {
        vf_wr(vf, VF_V2PMAILBOX, V2P_VFU);
        if (v2p(vf) & V2P_VFU) {
            vf->v2p &= ~V2P_VFU;
            return true;
        }
    }
    return false;
}

/* One request and the PF's reply (7.10.2.9.2: the VF owns the buffer while it writes,
 * REQ hands it over, PFACK then PFSTS come back, ACK releases the reply). */
static const char *mbx_call(struct vf *vf, const uint32_t *msg, unsigned words, uint32_t *reply,
                            unsigned rwords)
{
    if (!mbx_lock(vf))
        return "the mailbox buffer stays taken by the PF";
    for (unsigned i = 0; i < words; i++)
        vf_wr(vf, VF_VMBMEM + 4 * i, msg[i]);
    vf_wr(vf, VF_V2PMAILBOX, V2P_REQ);
    if (!wait_v2p(vf, V2P_PFACK))
        return "the PF never acknowledged the request";
    if (!wait_v2p(vf, V2P_PFSTS))
        return "the PF never replied";
    if (!mbx_lock(vf))
        return "the reply could not be locked";
    for (unsigned i = 0; i < rwords && i < MBX_WORDS; i++)
        reply[i] = vf_rd(vf, VF_VMBMEM + 4 * i);
    vf_wr(vf, VF_V2PMAILBOX, V2P_ACK);
    return NULL;
}

const char *vf_mbx_call(struct vf *vf, const uint32_t *msg, unsigned words, uint32_t *reply,
                        unsigned rwords)
{
    return mbx_call(vf, msg, words, reply, rwords);
}

bool vf_mbx_post(struct vf *vf, const uint32_t *msg, unsigned words)
{
    if (!mbx_lock(vf))
        return false;
    for (unsigned i = 0; i < words; i++)
        vf_wr(vf, VF_VMBMEM + 4 * i, msg[i]);
    vf_wr(vf, VF_V2PMAILBOX, V2P_REQ);
    return true;
}

bool vf_mbx_taken(struct vf *vf, uint64_t us)
{
    uint64_t end = deadline_us(us);
    while (!(v2p(vf) & V2P_PFACK))
        if (rdtsc() >= end)
            return false;
    vf->v2p = 0;
    return true;
}

void vf_mbx_forget(struct vf *vf)
{
    vf_wr(vf, VF_V2PMAILBOX, V2P_ACK);      /* release whatever reply is in the buffer */
    vf->v2p = 0;
    (void)v2p(vf);
    vf->v2p = 0;
}

const char *vf_up(struct vf *vf)
{
    vf_wr(vf, VF_CTRL, VF_CTRL_RST);        /* queues off; the PF sees the reset (VFLRE) */
    delay_us(RESET_SETTLE_US);
    vf->v2p = 0;
    (void)v2p(vf);
    uint32_t msg = MSG_RESET, r[4] = { 0, 0, 0, 0 };
    const char *why = mbx_call(vf, &msg, 1, r, 4);
    if (why)
        return why;
    if (r[0] != (MSG_RESET | MSG_ACK))
        return r[0] & MSG_NACK ? "the PF refused the reset handshake (NACK)" : "unexpected reply";
    mem_copy(vf->mac, &r[1], 6);
    return NULL;
}

static void rx_arm(unsigned i)
{
    rx_ring[i].addr = (uint64_t)(uintptr_t)rx_bufs[i];
    rx_ring[i].status = 0;
    rx_ring[i].length = 0;
    rx_ring[i].vlan = 0;
}

void vf_rings_start(struct vf *vf)
{
    uint64_t tx = (uint64_t)(uintptr_t)tx_ring, rx = (uint64_t)(uintptr_t)rx_ring;
    for (unsigned i = 0; i < VF_TX_DESCS; i++)
        tx_ring[i] = (struct txd){ 0, 0, 0 };
    vf_wr(vf, VF_TXDCTL, 0);
    vf_wr(vf, VF_TDBAL, (uint32_t)tx);
    vf_wr(vf, VF_TDBAH, (uint32_t)(tx >> 32));
    vf_wr(vf, VF_TDLEN, sizeof(tx_ring));
    vf_wr(vf, VF_TDH, 0);
    vf_wr(vf, VF_TDT, 0);
    vf_wr(vf, VF_TXDCTL, XDCTL_ENABLE);
    vf->tx_tail = 0;
    vf_wr(vf, VF_RXDCTL, 0);
    for (unsigned i = 0; i < VF_RX_DESCS; i++)
        rx_arm(i);
    vf_wr(vf, VF_RDBAL, (uint32_t)rx);
    vf_wr(vf, VF_RDBAH, (uint32_t)(rx >> 32));
    vf_wr(vf, VF_RDLEN, sizeof(rx_ring));
    vf_wr(vf, VF_SRRCTL, SRRCTL_BSIZE_2K | SRRCTL_DESC_ADV);
    vf_wr(vf, VF_RDH, 0);
    vf_wr(vf, VF_RXDCTL, XDCTL_ENABLE);
    vf_wr(vf, VF_RDT, VF_RX_DESCS - 1);
    vf->rx_next = 0;
}

static volatile struct txd *tx_post(struct vf *vf, uint64_t dma, unsigned len)
{
    unsigned i = vf->tx_tail;
    volatile struct txd *d = &tx_ring[i];
    d->addr = dma;
    d->olinfo_status = len << TXD_PAYLEN_SHIFT;
    d->cmd_type_len = len | TXD_DTYP_DATA | TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS | TXD_CMD_DEXT;
    vf->tx_tail = (i + 1) % VF_TX_DESCS;
    vf_wr(vf, VF_TDT, vf->tx_tail);
    return d;
}

static bool tx_done(volatile struct txd *d, uint64_t us)
{
    uint64_t end = deadline_us(us);
    while (!(d->olinfo_status & TXD_STAT_DD))
        if (rdtsc() >= end)
            return false;
    return true;
}

bool vf_send(struct vf *vf, const void *buf, unsigned len)
{
    mem_copy(tx_bufs[vf->tx_tail], buf, len);
    return tx_done(tx_post(vf, (uint64_t)(uintptr_t)tx_bufs[vf->tx_tail], len), TX_WAIT_US);
}

void vf_rx_point_at(struct vf *vf, uint64_t dma)
{
    (void)vf;
    for (unsigned i = 0; i < VF_RX_DESCS; i++) {
        rx_ring[i].addr = dma;
        rx_ring[i].status = 0;
    }
    __asm__ volatile("" ::: "memory");
}

void vf_send_raw(struct vf *vf, uint64_t dma, unsigned len)
{
    (void)tx_done(tx_post(vf, dma, len), TX_WAIT_US);
}

/* Payload after the (optional) tag: ethertype, marker, sequence, pattern. */
static unsigned payload_at(const uint8_t *b) { return b[12] == (ETH_VLAN >> 8) && b[13] == (ETH_VLAN & 0xff) ? 16 : 12; }

static void decode(struct frame *f, int len)
{
    const uint8_t *b = f->raw;
    mem_copy(f->dst, b, 6);
    mem_copy(f->src, b + 6, 6);
    unsigned p = payload_at(b);
    f->tag = p == 16 ? (uint16_t)(b[14] << 8 | b[15]) : 0;
    f->marker[0] = 0;
    f->seq = 0;
    if (len < (int)(p + 2 + MARKER_LEN + 4) || b[p] != (ETH_TEST >> 8) || b[p + 1] != (ETH_TEST & 0xff))
        return;
    mem_copy(f->marker, b + p + 2, MARKER_LEN);
    f->marker[MARKER_LEN] = 0;
    mem_copy(&f->seq, b + p + 2 + MARKER_LEN, 4);
}

bool vf_recv(struct vf *vf, struct frame *f, uint64_t end)
{
    unsigned i = vf->rx_next;
    volatile struct rxd *d = &rx_ring[i];
    while (!(d->status & RXD_STAT_DD))
        if (rdtsc() >= end)
            return false;
    f->status = d->status;
    f->len = d->length;
    f->desc_vlan = d->vlan;
    unsigned n = (unsigned)f->len < sizeof(f->raw) ? (unsigned)f->len : sizeof(f->raw);
    mem_copy(f->raw, rx_bufs[i], n);
    decode(f, (int)n);
    rx_arm(i);
    vf_wr(vf, VF_RDT, i);
    vf->rx_next = (i + 1) % VF_RX_DESCS;
    return true;
}

unsigned frame_build(uint8_t *b, const uint8_t dst[6], const uint8_t src[6], uint16_t tci,
                     const char *marker, uint32_t seq)
{
    mem_copy(b, dst, 6);
    mem_copy(b + 6, src, 6);
    unsigned p = 12;
    if (tci) {
        b[12] = ETH_VLAN >> 8;
        b[13] = ETH_VLAN & 0xff;
        b[14] = (uint8_t)(tci >> 8);
        b[15] = (uint8_t)tci;
        p = 16;
    }
    b[p] = ETH_TEST >> 8;
    b[p + 1] = ETH_TEST & 0xff;
    unsigned m = 0;
    for (; m < MARKER_LEN && marker[m]; m++)
        b[p + 2 + m] = (uint8_t)marker[m];
    for (; m < MARKER_LEN; m++)
        b[p + 2 + m] = 0;
    mem_copy(b + p + 2 + MARKER_LEN, &seq, 4);
    unsigned len = FRAME_LEN + (p - 12);
    /* The pattern depends on the payload offset only, so a tag the NIC inserts or strips
     * leaves the bytes after it comparable. */
    for (unsigned i = p + 2 + MARKER_LEN + 4; i < len; i++)
        b[i] = (uint8_t)(seq * 31u + (i - p) * 7u + 0x5a);
    return len;
}

bool frame_send(struct vf *vf, const uint8_t dst[6], uint16_t tci, const char *marker, uint32_t seq)
{
    uint8_t b[FRAME_LEN + 4];
    return vf_send(vf, b, frame_build(b, dst, vf->mac, tci, marker, seq));
}

bool frame_wait(struct vf *vf, const char *marker, uint32_t seq, uint64_t us, struct frame *f,
                unsigned *others)
{
    uint64_t end = deadline_us(us);
    while (vf_recv(vf, f, end)) {
        if (str_same(f->marker, marker) && (seq == ~0u || f->seq == seq))
            return true;
        if (others)
            (*others)++;
    }
    return false;
}

bool frame_exchange(struct vf *vf, const uint8_t dst[6], uint16_t tci, const char *marker_out,
                    const char *marker_in, uint32_t seq, uint64_t us, struct frame *f)
{
    uint64_t end = deadline_us(us), retry = us / 20 ? us / 20 : 1;
    while (rdtsc() < end) {
        if (!frame_send(vf, dst, tci, marker_out, seq))
            continue;
        if (frame_wait(vf, marker_in, seq, retry, f, NULL))
            return true;
    }
    return false;
}

bool frame_is(const struct frame *f, const uint8_t dst[6], const uint8_t src[6], const char *marker,
              uint32_t seq)
{
    uint8_t want[FRAME_LEN + 4];
    unsigned len = frame_build(want, dst, src, f->tag, marker, seq);
    return f->len == (int)len && (f->status & RXD_STAT_EOP) && mem_same(f->raw, want, len);
}

void vf_dma_outside_waiting(struct vf *vf, uint64_t mem_size, uint64_t pace_us, uint64_t wait_us,
                            uint64_t us)
{
    uint64_t end = deadline_us(us);
    while (rdtsc() < end) {
        (void)tx_done(tx_post(vf, mem_size + OUTSIDE_GAP, 64), wait_us);
        delay_us(pace_us);
    }
}

void vf_dma_outside(struct vf *vf, uint64_t mem_size, uint64_t pace_us, uint64_t us)
{
    vf_dma_outside_waiting(vf, mem_size, pace_us, TX_WAIT_US, us);
}

bool vf_bring_up(struct vf *vf, const char *cmdline)
{
    uint8_t want[6];
    char a[18], b[18];
    bool have = arg_mac(cmdline, "mac", want);
    const char *why = vf_up(vf);
    mac_str(vf->mac, a);
    mac_str(want, b);
    if (!vcheck("mailbox-reset-handshake", !why && have && mem_same(vf->mac, want, 6),
                "%s; MAC from the PF %s, the manifest's %s", why ? why : "reply ACK", a, have ? b : "(no mac= given)"))
        return false;
    vf_rings_start(vf);
    return true;
}
