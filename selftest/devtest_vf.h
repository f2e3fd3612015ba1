/* Test build: a minimal igb VF driver (82576 datasheet 8.28 VF registers, 7.1-7.2 advanced
 * descriptors, 7.10.2.9 mailbox) shared by the device checks. The hypervisor plays the
 * guest's driver: rings and buffers live in the owner guest's memory (GPA = IOVA). */
#ifndef EXITLESS_KERNEL_DEVTEST_VF_H
#define EXITLESS_KERNEL_DEVTEST_VF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/pci/sriov.h"

/* VF registers (8.28): queue 0 of the VF, interrupt cause/mask. */
#define VF_CTRL         0x0000
#define  VF_CTRL_RST      (1u << 26)
#define VF_RDBAL        0x2800
#define VF_RDBAH        0x2804
#define VF_RDLEN        0x2808
#define VF_SRRCTL       0x280c
#define  VF_SRRCTL_2K     2u
#define  VF_SRRCTL_ADV    (1u << 25)
#define VF_RDH          0x2810
#define VF_RDT          0x2818
#define VF_RXDCTL       0x2828
#define  VF_RXDCTL_ENABLE (1u << 25)
#define VF_TDBAL        0x3800
#define VF_TDBAH        0x3804
#define VF_TDLEN        0x3808
#define VF_TDH          0x3810
#define VF_TDT          0x3818
#define VF_TXDCTL       0x3828
#define  VF_TXDCTL_ENABLE (1u << 25)
#define VF_EICS         0x1520
#define VF_EIMS         0x1524
#define VF_EIAC         0x152c
#define VF_EICR         0x1580
/* Advanced TX data descriptor (7.2.2.3). */
#define TXD_DTYP_DATA   (3u << 20)
#define TXD_CMD_EOP     (1u << 24)
#define TXD_CMD_IFCS    (1u << 25)
#define TXD_CMD_RS      (1u << 27)
#define TXD_CMD_DEXT    (1u << 29)
#define TXD_PAYLEN_SHIFT 14
#define TXD_STAT_DD     (1u << 0)
/* Advanced RX descriptor write-back (7.1.5.2). */
#define RXD_STAT_DD     (1u << 0)
#define RXD_STAT_EOP    (1u << 1)
#define RXD_STAT_VP     (1u << 3)

#define VFDRV_TX_DESCS  8
#define VFDRV_RX_DESCS  16
#define VFDRV_BUF       2048
#define VFDRV_WAIT_US   200000

struct txd {
    uint64_t addr;
    uint32_t cmd_type_len;
    uint32_t olinfo_status;
};

struct rxd {
    uint64_t addr;        /* read: packet buffer; write-back: packet info, RSS */
    uint32_t status;      /* write-back: extended status / error */
    uint16_t length;
    uint16_t vlan;
};
_Static_assert(sizeof(struct rxd) == 16, "advanced receive descriptor");

static inline void vf_wr(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static inline uint32_t vf_rd(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }

/* TX descriptor helpers (also used by the VT-d checks on their own rings). */
void vf_fill_txd(volatile struct txd *d, uint64_t buf, unsigned len);
bool vf_wait_txd(volatile struct txd *d);
void vf_tx_ring(volatile uint8_t *vf, uint64_t ring_dma, unsigned descs);

/* One VF driven by the test: queue 0 rings at `base` GPA in its owner's memory. */
struct vfdrv {
    unsigned index;
    volatile uint8_t *regs;
    uint64_t hpa, base;          /* host address of the owner's GPA 0; our area's GPA */
    volatile struct txd *tx;
    volatile struct rxd *rx;
    unsigned tx_tail, rx_next;
    uint32_t v2p;                /* read-to-clear mailbox bits seen so far */
};

/* Maps the VF, finds its owner's memory; false when it has no owner or no domain. */
bool vfdrv_open(struct vfdrv *d, const struct sriov_vf *vf, unsigned index);
void vfdrv_start(struct vfdrv *d);                     /* TX and RX queue 0 on */
/* Sends one frame; true when the descriptor came back done. */
bool vfdrv_send(struct vfdrv *d, const void *frame, unsigned len);
/* Receives one frame within wait_us: its length (buf holds min(len, size) bytes), or -1. */
int vfdrv_recv(struct vfdrv *d, void *buf, unsigned size, uint64_t wait_us, uint32_t *status, uint16_t *vlan);
/* Receives until a frame whose payload contains `marker` arrives (true) or wait_us passes;
 * other frames are dropped. */
bool vfdrv_recv_marked(struct vfdrv *d, const char *marker, uint64_t wait_us, uint8_t *frame, int *len,
                       uint32_t *status, uint16_t *vlan);

/* VF side of the mailbox: function reset, send a request, wait for the PF's reply. */
void vfdrv_reset(struct vfdrv *d);
bool vfdrv_mbx_call(struct vfdrv *d, const uint32_t *msg, unsigned words, uint32_t *reply, unsigned rwords);

#endif
