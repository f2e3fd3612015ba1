/* Test build: the minimal igb VF driver shared by the device checks (see devtest_vf.h). */
#include <string.h>

#include "drivers/nic/igb_regs.h"
#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd.h"
#include "kernel/arch.h"
#include "selftest/devtest_vf.h"
#include "kernel/layout.h"
#include "kernel/mm.h"
#include "kernel/tsc.h"

#define AREA_GPA   0x200000ull   /* VF i's rings and buffers at AREA_GPA + i * AREA_SIZE */
#define AREA_SIZE  0x100000ull
#define RX_RING    0x1000
#define TX_BUFS    0x2000
#define RX_BUFS    0x8000

void vf_fill_txd(volatile struct txd *d, uint64_t buf, unsigned len)
{
    d->addr = buf;
    d->olinfo_status = len << TXD_PAYLEN_SHIFT;
    d->cmd_type_len = len | TXD_DTYP_DATA | TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS | TXD_CMD_DEXT;
}

bool vf_wait_txd(volatile struct txd *d)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(VFDRV_WAIT_US);
    while (rdtsc() < end)
        if (d->olinfo_status & TXD_STAT_DD)
            return true;
    return false;
}

void vf_tx_ring(volatile uint8_t *vf, uint64_t ring_dma, unsigned descs)
{
    vf_wr(vf, VF_TXDCTL, 0);
    vf_wr(vf, VF_TDBAL, (uint32_t)ring_dma);
    vf_wr(vf, VF_TDBAH, (uint32_t)(ring_dma >> 32));
    vf_wr(vf, VF_TDLEN, descs * sizeof(struct txd));
    vf_wr(vf, VF_TDH, 0);
    vf_wr(vf, VF_TDT, 0);
    vf_wr(vf, VF_TXDCTL, VF_TXDCTL_ENABLE);
}

bool vfdrv_open(struct vfdrv *d, const struct sriov_vf *vf, unsigned index)
{
    uint64_t size;
    memset(d, 0, sizeof(*d));
    d->index = index;
    if (!vf || vf->owner == SRIOV_NO_OWNER || !vtd_guest_memory(vf->owner, &d->hpa, &size))
        return false;
    d->base = AREA_GPA + index * AREA_SIZE;
    if (d->base + AREA_SIZE > size)
        return false;
    d->regs = pci_map_bar(vf->dev, 0);
    d->tx = phys_to_virt(d->hpa + d->base);
    d->rx = phys_to_virt(d->hpa + d->base + RX_RING);
    return d->regs != NULL;
}

static void rx_arm(struct vfdrv *d, unsigned i)
{
    d->rx[i].addr = d->base + RX_BUFS + (uint64_t)i * VFDRV_BUF;
    d->rx[i].status = 0;
    d->rx[i].length = 0;
    d->rx[i].vlan = 0;
}

void vfdrv_start(struct vfdrv *d)
{
    for (unsigned i = 0; i < VFDRV_TX_DESCS; i++)
        d->tx[i] = (struct txd){ 0, 0, 0 };
    vf_tx_ring(d->regs, d->base, VFDRV_TX_DESCS);
    d->tx_tail = 0;
    vf_wr(d->regs, VF_RXDCTL, 0);
    for (unsigned i = 0; i < VFDRV_RX_DESCS; i++)
        rx_arm(d, i);
    vf_wr(d->regs, VF_RDBAL, (uint32_t)(d->base + RX_RING));
    vf_wr(d->regs, VF_RDBAH, (uint32_t)((d->base + RX_RING) >> 32));
    vf_wr(d->regs, VF_RDLEN, VFDRV_RX_DESCS * sizeof(struct rxd));
    vf_wr(d->regs, VF_SRRCTL, VF_SRRCTL_2K | VF_SRRCTL_ADV);
    vf_wr(d->regs, VF_RDH, 0);
    vf_wr(d->regs, VF_RXDCTL, VF_RXDCTL_ENABLE);
    vf_wr(d->regs, VF_RDT, VFDRV_RX_DESCS - 1);
    d->rx_next = 0;
}

bool vfdrv_send(struct vfdrv *d, const void *frame, unsigned len)
{
    unsigned i = d->tx_tail;
    uint64_t buf = d->base + TX_BUFS + (uint64_t)i * VFDRV_BUF;
    memcpy(phys_to_virt(d->hpa + buf), frame, len);
    d->tx[i] = (struct txd){ 0, 0, 0 };
    vf_fill_txd(&d->tx[i], buf, len);
    d->tx_tail = (i + 1) % VFDRV_TX_DESCS;
    vf_wr(d->regs, VF_TDT, d->tx_tail);
    return vf_wait_txd(&d->tx[i]);
}

int vfdrv_recv(struct vfdrv *d, void *buf, unsigned size, uint64_t wait_us, uint32_t *status, uint16_t *vlan)
{
    unsigned i = d->rx_next;
    uint64_t end = rdtsc() + tsc_us_to_cycles(wait_us);
    while (!(d->rx[i].status & RXD_STAT_DD))
        if (rdtsc() >= end)
            return -1;
        else
            cpu_relax();
    int len = d->rx[i].length;
    if (status)
        *status = d->rx[i].status;
    if (vlan)
        *vlan = d->rx[i].vlan;
    memcpy(buf, phys_to_virt(d->hpa + d->base + RX_BUFS + (uint64_t)i * VFDRV_BUF),
           (unsigned)len < size ? (unsigned)len : size);
    rx_arm(d, i);
    vf_wr(d->regs, VF_RDT, i);
    d->rx_next = (i + 1) % VFDRV_RX_DESCS;
    return len;
}

static bool contains(const uint8_t *p, int len, const char *m)
{
    int n = (int)strlen(m);
    for (int i = 0; i + n <= len; i++)
        if (!memcmp(p + i, m, (size_t)n))
            return true;
    return false;
}

bool vfdrv_recv_marked(struct vfdrv *d, const char *marker, uint64_t wait_us, uint8_t *frame, int *len,
                       uint32_t *status, uint16_t *vlan)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(wait_us);
    while (rdtsc() < end) {
        int n = vfdrv_recv(d, frame, VFDRV_BUF, 1000, status, vlan);
        if (n < 0)
            continue;
        if (contains(frame, n < VFDRV_BUF ? n : VFDRV_BUF, marker)) {
            *len = n;
            return true;
        }
    }
    return false;
}

/* The mailbox bits that clear when read are remembered until used. */
static uint32_t v2p(struct vfdrv *d)
{
    d->v2p |= vf_rd(d->regs, IGBVF_V2PMAILBOX);
    return d->v2p;
}

static bool wait_v2p(struct vfdrv *d, uint32_t bit)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(VFDRV_WAIT_US * 5);
    while (!(v2p(d) & bit))
        if (rdtsc() >= end)
            return false;
        else
            cpu_relax();
    d->v2p &= ~bit;
    return true;
}

static bool vf_lock(struct vfdrv *d)
{
    for (unsigned i = 0; i < 1000; i++) {
        vf_wr(d->regs, IGBVF_V2PMAILBOX, IGB_V2P_VFU);
        if (v2p(d) & IGB_V2P_VFU) {
            d->v2p &= ~IGB_V2P_VFU;
            return true;
        }
    }
    return false;
}

void vfdrv_reset(struct vfdrv *d)
{
    vf_wr(d->regs, VF_CTRL, VF_CTRL_RST);
    udelay(1000);
    d->v2p = 0;
    (void)vf_rd(d->regs, IGBVF_V2PMAILBOX);
}

bool vfdrv_mbx_call(struct vfdrv *d, const uint32_t *msg, unsigned words, uint32_t *reply, unsigned rwords)
{
    if (!vf_lock(d))
        return false;
    for (unsigned i = 0; i < words; i++)
        vf_wr(d->regs, IGBVF_VMBMEM + 4 * i, msg[i]);
    vf_wr(d->regs, IGBVF_V2PMAILBOX, IGB_V2P_REQ);     /* sent; buffer released */
    if (!wait_v2p(d, IGB_V2P_PFACK) || !wait_v2p(d, IGB_V2P_PFSTS) || !vf_lock(d))
        return false;
    for (unsigned i = 0; i < rwords; i++)
        reply[i] = vf_rd(d->regs, IGBVF_VMBMEM + 4 * i);
    vf_wr(d->regs, IGBVF_V2PMAILBOX, IGB_V2P_ACK);     /* received; buffer released */
    return true;
}
