/* Intel 82576 (igb) PF and VF registers and bits used by the PF driver (82576 datasheet,
 * chapter 8 register descriptions; sections named where the logic depends on them). */
#ifndef EXITLESS_DRIVERS_NIC_IGB_REGS_H
#define EXITLESS_DRIVERS_NIC_IGB_REGS_H

#define IGB_VENDOR_INTEL   0x8086
#define IGB_DEVICE_82576   0x10c9
#define IGB_MAX_POOLS      8    /* VMDq pools = VFs + PF (7.10.1) */
#define IGB_NUM_RAR        24   /* receive address registers (8.10.13) */
#define IGB_NUM_VLVF       32   /* VLAN pool filters (8.10.x VLVF) */
#define IGB_NUM_MIRROR     4    /* mirror rules (7.10.3.7) */
#define IGB_MBX_WORDS      16   /* mailbox memory per VF (7.10.2.9) */

/* General (8.2). */
#define IGB_CTRL           0x00000
#define  IGB_CTRL_LRST       (1u << 3)
#define  IGB_CTRL_SLU        (1u << 6)
#define  IGB_CTRL_FRCSPD     (1u << 11)
#define  IGB_CTRL_FRCDPX     (1u << 12)
#define  IGB_CTRL_RST        (1u << 26)
#define IGB_STATUS         0x00008
#define  IGB_STATUS_LU       (1u << 1)
#define  IGB_STATUS_SPEED_SHIFT 6
#define  IGB_STATUS_SPEED_MASK  (3u << 6)
#define  IGB_STATUS_IOV_MODE (1u << 18)
#define IGB_CTRL_EXT       0x00018
#define  IGB_CTRL_EXT_PFRSTD (1u << 14) /* PF reset done: VFs may talk (7.10.2.9.1) */
#define  IGB_CTRL_EXT_DRV_LOAD (1u << 28)
#define IGB_MDIC           0x00020
#define  IGB_MDIC_DATA_MASK  0xffffu
#define  IGB_MDIC_REG_SHIFT  16
#define  IGB_MDIC_PHY_SHIFT  21
#define  IGB_MDIC_OP_WRITE   (1u << 26)
#define  IGB_MDIC_OP_READ    (2u << 26)
#define  IGB_MDIC_READY      (1u << 28)
#define  IGB_MDIC_ERROR      (1u << 30)
#define IGB_PHY_ADDR       1
#define IGB_PHY_BMCR       0x00            /* IEEE 802.3 clause 22 control */
#define  IGB_BMCR_RESTART_AN (1u << 9)
#define  IGB_BMCR_FULL_DUPLEX (1u << 8)
#define  IGB_BMCR_AN_ENABLE  (1u << 12)
#define  IGB_BMCR_SPEED1000  (1u << 6)
#define IGB_PHY_BMSR       0x01
#define  IGB_BMSR_AN_DONE    (1u << 5)

/* Interrupts (8.8): ICR/IMS/IMC at the e1000-compatible offsets, which the 82576 decodes
 * and drivers use. */
#define IGB_ICR            0x000c0
#define  IGB_ICR_LSC         (1u << 2)
#define  IGB_ICR_VMMB        (1u << 8)   /* VF mailbox or VF reset event */
#define IGB_IMS            0x000d0
#define IGB_IMC            0x000d8
#define IGB_GPIE           0x01514
#define  IGB_GPIE_NSICR      (1u << 0)
#define  IGB_GPIE_MSIX       (1u << 4)
#define  IGB_GPIE_EIAME      (1u << 30)
#define  IGB_GPIE_PBA        (1u << 31)
#define IGB_EICS           0x01520
#define IGB_EIMS           0x01524
#define IGB_EIMC           0x01528
#define IGB_EIAC           0x0152c
#define IGB_EICR           0x01580
#define IGB_IVAR_MISC      0x01740
#define  IGB_IVAR_VALID      0x80u
#define  IGB_IVAR_OTHER_SHIFT 8

/* Receive / transmit global control (8.10, 8.12). */
#define IGB_RCTL           0x00100
#define  IGB_RCTL_EN         (1u << 1)
#define  IGB_RCTL_BAM        (1u << 15)
#define  IGB_RCTL_VFE        (1u << 18)  /* VLAN filter table enable */
#define  IGB_RCTL_SECRC      (1u << 26)
#define IGB_TCTL           0x00400
#define  IGB_TCTL_EN         (1u << 1)
#define  IGB_TCTL_PSP        (1u << 3)
#define  IGB_TCTL_CT_SHIFT   4
#define  IGB_TCTL_COLD_SHIFT 12
#define IGB_MRQC           0x05818
#define  IGB_MRQC_VMDQ       0x3u        /* VMDq, one queue per pool (7.10.1.1) */
#define IGB_VT_CTL         0x0581c
#define  IGB_VT_CTL_DEF_POOL_SHIFT 7
#define  IGB_VT_CTL_DEF_POOL_MASK  (7u << 7)
#define  IGB_VT_CTL_DIS_DEF_POOL   (1u << 29) /* unmatched unicast: dropped */
#define  IGB_VT_CTL_REPL_EN        (1u << 30) /* broadcast/multicast to several pools */

/* Address and VLAN filters (8.10). */
#define IGB_MTA(i)         (0x05200 + 4 * (i))
#define IGB_MTA_WORDS      128
#define IGB_RAL(i)         ((i) < 16 ? 0x05400 + 8 * (i) : 0x054e0 + 8 * ((i) - 16))
#define IGB_RAH(i)         (IGB_RAL(i) + 4)
#define  IGB_RAH_POOL_SHIFT  18
#define  IGB_RAH_POOL_MASK   (0xffu << 18)
#define  IGB_RAH_AV          (1u << 31)
#define IGB_VFTA(i)        (0x05600 + 4 * (i))
#define IGB_VFTA_WORDS     128
#define IGB_VLVF(i)        (0x05d00 + 4 * (i))
#define  IGB_VLVF_VID_MASK   0xfffu
#define  IGB_VLVF_POOL_SHIFT 12
#define  IGB_VLVF_POOL_MASK  (0xffu << 12)
#define  IGB_VLVF_EN         (1u << 31)
#define IGB_VMOLR(p)       (0x05ad0 + 4 * (p))
#define  IGB_VMOLR_RLPML_MASK 0x3fffu
#define  IGB_VMOLR_LPE       (1u << 16)
#define  IGB_VMOLR_AUPE      (1u << 24)  /* accept untagged */
#define  IGB_VMOLR_ROMPE     (1u << 25)  /* accept multicast hash (MTA) matches */
#define  IGB_VMOLR_BAM       (1u << 27)
#define  IGB_VMOLR_STRVLAN   (1u << 30)
#define  IGB_VMOLR_STRCRC    (1u << 31)
#define IGB_VMVIR(p)       (0x03700 + 4 * (p))
#define  IGB_VMVIR_DEFAULT   (1u << 30)  /* always insert the default tag */
#define IGB_RPLOLR         0x05af0

/* Virtualization (8.10.x, 7.10). */
#define IGB_P2VMAILBOX(v)  (0x00c00 + 4 * (v))
#define  IGB_P2V_STS         (1u << 0)
#define  IGB_P2V_ACK         (1u << 1)
#define  IGB_P2V_VFU         (1u << 2)
#define  IGB_P2V_PFU         (1u << 3)
#define  IGB_P2V_RVFU        (1u << 4)
#define IGB_VMBMEM(v)      (0x00800 + 64 * (v))
#define IGB_MBVFICR        0x00c80
#define  IGB_MBVFICR_REQ(v)  (1u << (v))
#define  IGB_MBVFICR_ACK(v)  (1u << (16 + (v)))
#define IGB_MBVFIMR        0x00c84
#define IGB_VFLRE          0x00c88
#define IGB_VFRE           0x00c8c
#define IGB_VFTE           0x00c90
#define IGB_QDE            0x02408       /* queue drop enable, one bit per queue */
#define IGB_DTXSWC         0x03500
#define  IGB_DTXSWC_MAC_SPOOF_SHIFT  0
#define  IGB_DTXSWC_VLAN_SPOOF_SHIFT 8
#define  IGB_DTXSWC_LOOPBACK_EN      (1u << 31) /* VEB: VF-to-VF inside the NIC */
#define IGB_WVBR           0x03554       /* spoofed frames seen, per pool */
#define IGB_VMRCTL(r)      (0x05d80 + 4 * (r))
#define  IGB_VMRCTL_VPME     (1u << 0)   /* mirror the pools in VMRVM */
#define  IGB_VMRCTL_VLME     (1u << 3)   /* mirror the VLANs in VMRVLAN */
#define  IGB_VMRCTL_DST_SHIFT 8
#define IGB_VMRVLAN(r)     (0x05d90 + 4 * (r))
#define IGB_VMRVM(r)       (0x05da0 + 4 * (r))

/* Transmit rate scheduler (7.10.3.5, 8.12.x). */
#define IGB_RTTDQSEL       0x03604
#define IGB_RTTBCNRM       0x03690
#define  IGB_RTTBCNRM_MMW    0x14u
#define IGB_RTTBCNRC       0x036b0
#define  IGB_RTTBCNRC_RS_ENA   (1u << 31)
#define  IGB_RTTBCNRC_RF_INT_SHIFT 14
#define  IGB_RTTBCNRC_RF_INT_MASK  (0x3fffu << 14)
#define  IGB_RTTBCNRC_RF_DEC_MASK  0x3fffu

/* Per-queue registers (8.10, 8.12): queue q. */
#define IGB_RDBAL(q)       (0x0c000 + 0x40 * (q))
#define IGB_RDBAH(q)       (0x0c004 + 0x40 * (q))
#define IGB_RDLEN(q)       (0x0c008 + 0x40 * (q))
#define IGB_SRRCTL(q)      (0x0c00c + 0x40 * (q))
#define  IGB_SRRCTL_BSIZE_1K_SHIFT 0
#define  IGB_SRRCTL_DESC_ADV (1u << 25)
#define  IGB_SRRCTL_DROP_EN  (1u << 31)
#define IGB_RDH(q)         (0x0c010 + 0x40 * (q))
#define IGB_RDT(q)         (0x0c018 + 0x40 * (q))
#define IGB_RXDCTL(q)      (0x0c028 + 0x40 * (q))
#define  IGB_RXDCTL_ENABLE   (1u << 25)
#define IGB_TDBAL(q)       (0x0e000 + 0x40 * (q))
#define IGB_TDBAH(q)       (0x0e004 + 0x40 * (q))
#define IGB_TDLEN(q)       (0x0e008 + 0x40 * (q))
#define IGB_TDH(q)         (0x0e010 + 0x40 * (q))
#define IGB_TDT(q)         (0x0e018 + 0x40 * (q))
#define IGB_TXDCTL(q)      (0x0e028 + 0x40 * (q))
#define  IGB_TXDCTL_ENABLE   (1u << 25)
/* Interrupt vector allocation (8.8.x IVAR0-7): queue q < 8 has byte 0 (receive) and byte 1
 * (transmit) of IVAR(q), each IGB_IVAR_VALID | MSI-X vector. */
#define IGB_IVAR(q)        (0x01700 + 4 * ((q) & 7))

/* Advanced descriptors (7.1.5, 7.2.2.3): receive write-back status in the upper quadword,
 * transmit data descriptor command bits in cmd_type_len. */
#define IGB_RXD_STAT_DD      (1u << 0)
#define IGB_RXD_STAT_EOP     (1u << 1)
#define IGB_RXD_ERR_RXE      (1u << 29) /* a receive error (CRC, symbol, length) */
#define IGB_TXD_DTYP_DATA    (3u << 20)
#define IGB_TXD_CMD_EOP      (1u << 24)
#define IGB_TXD_CMD_IFCS     (1u << 25)
#define IGB_TXD_CMD_RS       (1u << 27)
#define IGB_TXD_CMD_DEXT     (1u << 29)
#define IGB_TXD_PAYLEN_SHIFT 14
#define IGB_TXD_STAT_DD      (1u << 0)

/* Per-pool statistics (8.19.x): pool p. */
#define IGB_PVFGPRC(p)     (0x10010 + 0x100 * (p))
#define IGB_PVFGPTC(p)     (0x10014 + 0x100 * (p))
#define IGB_PVFMPRC(p)     (0x1003c + 0x100 * (p))

/* PF/VF mailbox messages (7.10.2.9): word 0 = type | info << 16 | flags. */
#define IGB_MSG_RESET      0x01u
#define IGB_MSG_SET_MAC    0x02u
#define IGB_MSG_SET_MCAST  0x03u
#define IGB_MSG_SET_VLAN   0x04u
#define IGB_MSG_SET_LPE    0x05u
#define IGB_MSG_SET_PROMISC 0x06u
#define IGB_MSG_TYPE_MASK  0xffffu
#define IGB_MSG_INFO_SHIFT 16
#define IGB_MSG_INFO_MASK  (0xffu << 16)
#define IGB_MSG_ACK        (1u << 31)
#define IGB_MSG_NACK       (1u << 30)
#define IGB_MSG_CTS        (1u << 29)
#define IGB_MSG_MAX_MCAST  30

/* VF side of the mailbox, as seen in the VF's BAR (8.28). */
#define IGBVF_CTRL         0x00000
#define IGBVF_V2PMAILBOX   0x00c40
#define  IGB_V2P_REQ         (1u << 0)
#define  IGB_V2P_ACK         (1u << 1)
#define  IGB_V2P_VFU         (1u << 2)
#define  IGB_V2P_PFU         (1u << 3)
#define  IGB_V2P_PFSTS       (1u << 4)
#define  IGB_V2P_PFACK       (1u << 5)
#define  IGB_V2P_RSTI        (1u << 6)
#define  IGB_V2P_RSTD        (1u << 7)
#define IGBVF_VMBMEM       0x00800

#endif
