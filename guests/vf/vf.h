/* vf: a test guest that drives its assigned 82576 virtual function itself, as a guest OS
 * driver would: finds it in its virtual PCI, programs MSI-X through the shadowed table,
 * brings it up through the PF mailbox and moves frames from rings in its own memory. The
 * command line picks the case (case=irq|dma|restart|veb|soak|cfgattack) and the guest's role in it. */
#ifndef EXITLESS_GUEST_VF_H
#define EXITLESS_GUEST_VF_H

#include "guest.h"

/* 82576 VF registers as the VF's BAR0 shows them (82576 datasheet 8.28; Linux igbvf
 * e1000_regs.h names). */
#define VF_CTRL         0x0000
#define  VF_CTRL_RST      (1u << 26)
#define VF_STATUS       0x0008
#define  VF_STATUS_LU     (1u << 1)
#define VF_EICS         0x1520
#define VF_EIMS         0x1524
#define VF_EIMC         0x1528
#define VF_EIAC         0x152c
#define VF_EICR         0x1580
#define VF_V2PMAILBOX   0x0c40
#define  V2P_REQ          (1u << 0)
#define  V2P_ACK          (1u << 1)
#define  V2P_VFU          (1u << 2)
#define  V2P_PFU          (1u << 3)
#define  V2P_PFSTS        (1u << 4)
#define  V2P_PFACK        (1u << 5)
#define  V2P_RSTI         (1u << 6)
#define  V2P_RSTD         (1u << 7)
#define VF_VMBMEM       0x0800
#define VF_RDBAL        0x2800
#define VF_RDBAH        0x2804
#define VF_RDLEN        0x2808
#define VF_SRRCTL       0x280c
#define  SRRCTL_BSIZE_2K  2u
#define  SRRCTL_DESC_ADV  (1u << 25)
#define VF_RDH          0x2810
#define VF_RDT          0x2818
#define VF_RXDCTL       0x2828
#define VF_TDBAL        0x3800
#define VF_TDBAH        0x3804
#define VF_TDLEN        0x3808
#define VF_TDH          0x3810
#define VF_TDT          0x3818
#define VF_TXDCTL       0x3828
#define  XDCTL_ENABLE     (1u << 25)

/* PF/VF mailbox messages (82576 datasheet 7.10.2.9.2; Linux e1000_mbx.h). */
#define MSG_RESET       0x01u
#define MSG_ACK         (1u << 31)
#define MSG_NACK        (1u << 30)
#define MSG_CTS         (1u << 29)

/* Advanced descriptors (82576 datasheet 7.1.5, 7.2.2.3). */
#define TXD_DTYP_DATA   (3u << 20)
#define TXD_CMD_EOP     (1u << 24)
#define TXD_CMD_IFCS    (1u << 25)
#define TXD_CMD_RS      (1u << 27)
#define TXD_CMD_DEXT    (1u << 29)
#define TXD_PAYLEN_SHIFT 14
#define TXD_STAT_DD     (1u << 0)
#define RXD_STAT_DD     (1u << 0)
#define RXD_STAT_EOP    (1u << 1)
#define RXD_STAT_VP     (1u << 3)

struct txd {
    uint64_t addr;
    uint32_t cmd_type_len;
    uint32_t olinfo_status;
};
struct rxd {
    uint64_t addr;          /* read: packet buffer; write-back: packet info, RSS */
    uint32_t status;        /* write-back: extended status / error */
    uint16_t length;
    uint16_t vlan;
};
_Static_assert(sizeof(struct txd) == 16 && sizeof(struct rxd) == 16, "advanced descriptors");

#define VF_TX_DESCS     8
#define VF_RX_DESCS     16
#define VF_BUF          2048
#define FRAME_LEN       128         /* every test frame: header, marker, sequence, pattern */
#define ETH_TEST        0x88b5      /* IEEE 802 local experimental ethertype */
#define ETH_VLAN        0x8100
#define MARKER_LEN      16

/* The VF as the guest found it and drives it. */
struct vf {
    volatile uint8_t *regs;         /* BAR0 */
    volatile uint32_t *msix;        /* MSI-X table (the hypervisor's shadow) */
    volatile uint32_t *pba;         /* pending bits (the device's own, read as dwords) */
    unsigned msix_n;
    uint8_t msix_cap;
    uint8_t mac[6];
    uint32_t v2p;                   /* read-to-clear mailbox bits seen, not yet used */
    unsigned tx_tail, rx_next;
};

/* A received frame, decoded. */
struct frame {
    uint8_t dst[6], src[6];
    uint16_t tag;                   /* 802.1Q TCI in the frame, or 0 */
    uint16_t desc_vlan;             /* descriptor VLAN (stripped tag) when VP */
    uint32_t status;
    int len;
    char marker[MARKER_LEN + 1];
    uint32_t seq;
    bool intact;                    /* every byte as the sender's builder made it */
    uint8_t raw[FRAME_LEN + 4];
};

/* Time (TSC from the hypervisor's CPUID leaf). */
uint64_t us_to_cycles(uint64_t us);
void delay_us(uint64_t us);
static inline uint64_t deadline_us(uint64_t us) { return rdtsc() + us_to_cycles(us); }

/* Small helpers (no libc here). */
void mem_copy(void *d, const void *s, unsigned n);
bool mem_same(const void *a, const void *b, unsigned n);
bool str_same(const char *a, const char *b);
/* Value of word `key`=... on the command line: a MAC (false if absent or malformed). */
bool arg_mac(const char *cmdline, const char *key, uint8_t mac[6]);
/* The value of `key`=word copied into buf (false if absent). */
bool arg_word(const char *cmdline, const char *key, char *buf, unsigned size);
void mac_str(const uint8_t mac[6], char *buf);

/* Virtual PCI: the VF at 00:01.0, BAR0 mapped, MSI-X found, memory + bus master on.
 * Reports its own checks; false when there is no usable VF. */
bool vf_find(struct vf *vf);
uint32_t cfg_read(unsigned dev, uint8_t off);
void cfg_write(unsigned dev, uint8_t off, uint32_t v);
/* Any function's dword at off (past 0xff through CF8[27:24]), by CF8/CFC. */
uint32_t cfg_read_at(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void cfg_write_at(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v);
/* MSI-X: entry i of the (shadowed) table; enable with the function unmasked. */
void msix_set(struct vf *vf, unsigned i, uint32_t apic, uint8_t vector, bool masked);
void msix_enable(struct vf *vf, bool on);
bool msix_pending(struct vf *vf, unsigned i);

static inline uint32_t vf_rd(const struct vf *vf, unsigned off) { return *(volatile uint32_t *)(vf->regs + off); }
static inline void vf_wr(const struct vf *vf, unsigned off, uint32_t v) { *(volatile uint32_t *)(vf->regs + off) = v; }

/* The driver: function reset and the reset handshake through the mailbox (the PF answers
 * with the VF's MAC); 0, or a reason. */
const char *vf_up(struct vf *vf);
/* Queue 0 rings in this guest's memory (GPA = the device's DMA address). */
void vf_rings_start(struct vf *vf);
/* One frame from buf; true when the descriptor came back done. */
bool vf_send(struct vf *vf, const void *buf, unsigned len);
/* A descriptor whose buffer is at `dma` (anywhere: the bad-DMA checks). Returns at once. */
/* Every RX descriptor's buffer address set to `dma` (attacks: where the NIC writes next). */
void vf_rx_point_at(struct vf *vf, uint64_t dma);
/* The mailbox (attacks): one request and the PF's reply (NULL, or what failed); a request
 * posted without waiting for anything (false: the buffer could not be locked); the mailbox
 * state after such posts dropped (pending reply released, status bits forgotten). */
const char *vf_mbx_call(struct vf *vf, const uint32_t *msg, unsigned words, uint32_t *reply,
                        unsigned rwords);
bool vf_mbx_post(struct vf *vf, const uint32_t *msg, unsigned words);
bool vf_mbx_taken(struct vf *vf, uint64_t us);  /* the PF took the posted request (PFACK) */
void vf_mbx_forget(struct vf *vf);
void vf_send_raw(struct vf *vf, uint64_t dma, unsigned len);
/* The next received frame before TSC `end`, decoded into f; false when none came. */
bool vf_recv(struct vf *vf, struct frame *f, uint64_t end);

/* Test frames: dst, src, optional 802.1Q tag, ETH_TEST, a 16-byte marker, a sequence
 * number and a pattern derived from both, FRAME_LEN bytes in all (plus 4 with a tag). */
unsigned frame_build(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t tci,
                     const char *marker, uint32_t seq);
bool frame_send(struct vf *vf, const uint8_t dst[6], uint16_t tci, const char *marker, uint32_t seq);
/* Waits up to `us` for a frame with `marker` (any sequence when seq is ~0u); frames with
 * other markers are counted in *others (if given) and dropped. */
bool frame_wait(struct vf *vf, const char *marker, uint32_t seq, uint64_t us, struct frame *f,
                unsigned *others);
/* Sends (marker_out, seq) to dst every `retry_us` until (marker_in, seq) comes back,
 * at most `us` in all. */
bool frame_exchange(struct vf *vf, const uint8_t dst[6], uint16_t tci, const char *marker_out,
                    const char *marker_in, uint32_t seq, uint64_t us, struct frame *f);
/* Checks a received frame is exactly what its sender built: our address, the sender's,
 * marker, sequence and every payload byte. */
bool frame_is(const struct frame *f, const uint8_t dst[6], const uint8_t src[6], const char *marker,
              uint32_t seq);

/* Bring-up shared by the network cases, after vf_find: the reset handshake (the MAC must be
 * the command line's mac=, which the manifest also gives the VF), then the rings. */
bool vf_bring_up(struct vf *vf, const char *cmdline);

/* check() with the name prefixed by check_prefix ("run1-..."), when set. */
extern const char *check_prefix;
/* When set, passing checks report nothing (a soak's hundreds of runs): failures still do. */
extern bool vcheck_quiet;
bool vcheck(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Bad DMA: descriptors whose buffers lie outside this guest's memory, one every `pace_us`,
 * until the hypervisor stops the guest; returns only if it has not within `us`. */
void vf_dma_outside(struct vf *vf, uint64_t mem_size, uint64_t pace_us, uint64_t us);
/* The same, waiting at most `wait_us` (not the usual TX wait) for each descriptor to complete,
 * which a blocked read never does: the soak's faults, many times over. */
void vf_dma_outside_waiting(struct vf *vf, uint64_t mem_size, uint64_t pace_us, uint64_t wait_us,
                            uint64_t us);

int case_irq(const struct exitless_boot_info *bi);
int case_dma(const struct exitless_boot_info *bi);
int case_restart(const struct exitless_boot_info *bi);
int case_veb(const struct exitless_boot_info *bi);
int case_soak(const struct exitless_boot_info *bi);
int case_cfgattack(const struct exitless_boot_info *bi);
/* cfgattack.c: a check that also logs what was observed. mbxattack.c: mailbox rounds. */
bool observed(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool mbx_malformed_attack(struct vf *vf, const struct exitless_boot_info *bi, const uint8_t nb[6]);
bool mbx_flood_attack(struct vf *vf);
bool mbx_reset_loop_attack(struct vf *vf, const struct exitless_boot_info *bi);

#endif
