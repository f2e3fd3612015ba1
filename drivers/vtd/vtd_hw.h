/* VT-d remapping hardware: register offsets and bits, table entry formats and their pure
 * encoders (Intel VT-d specification 4.x, chapters 9-11). Unit-tested on the host. */
#ifndef EXITLESS_DRIVERS_VTD_HW_H
#define EXITLESS_DRIVERS_VTD_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/paging.h"

/* Registers (11.4). */
#define VTD_VER      0x00
#define VTD_CAP      0x08
#define  VTD_CAP_RWBF        (1ull << 4)
#define  VTD_CAP_CM          (1ull << 7)
#define  VTD_CAP_SAGAW(c)    (((c) >> 8) & 0x1f)
#define   VTD_SAGAW_39         (1u << 1) /* 3-level */
#define   VTD_SAGAW_48         (1u << 2) /* 4-level */
#define  VTD_CAP_MGAW(c)     ((unsigned)(((c) >> 16) & 0x3f) + 1)
#define  VTD_CAP_FRO(c)      ((unsigned)(((c) >> 24) & 0x3ff) * 16)
#define  VTD_CAP_SLLPS(c)    (((c) >> 34) & 0xf) /* bit 0: 2 MiB, bit 1: 1 GiB */
#define  VTD_CAP_NFR(c)      ((unsigned)(((c) >> 40) & 0xff) + 1)
#define  VTD_CAP_ND(c)       ((c) & 0x7)         /* domain ids: 2^(4 + 2*ND) */
#define  VTD_CAP_PI          (1ull << 59)
#define VTD_ECAP     0x10
#define  VTD_ECAP_C          (1ull << 0)  /* page walks snoop the CPU caches */
#define  VTD_ECAP_QI         (1ull << 1)
#define  VTD_ECAP_IR         (1ull << 3)
#define  VTD_ECAP_EIM        (1ull << 4)
#define  VTD_ECAP_PT         (1ull << 6)
#define  VTD_ECAP_IRO(e)     ((unsigned)(((e) >> 8) & 0x3ff) * 16)
#define VTD_GCMD     0x18
#define VTD_GSTS     0x1c
#define  VTD_GCMD_TE         (1u << 31)
#define  VTD_GCMD_SRTP       (1u << 30)
#define  VTD_GCMD_WBF        (1u << 27)
#define  VTD_GCMD_QIE        (1u << 26)
#define  VTD_GCMD_IRE        (1u << 25)
#define  VTD_GCMD_SIRTP      (1u << 24)
#define  VTD_GCMD_CFI        (1u << 23)
/* GCMD bits that are commands, not states: never written back from GSTS (11.4.4.1). */
#define  VTD_GCMD_ONESHOT    (VTD_GCMD_SRTP | VTD_GCMD_WBF | VTD_GCMD_SIRTP | (1u << 29))
#define VTD_RTADDR   0x20               /* TTM bits 11:10 = 00: legacy mode */
#define VTD_CCMD     0x28
#define  VTD_CCMD_ICC        (1ull << 63)
#define  VTD_CCMD_GLOBAL     (1ull << 61)
#define VTD_FSTS     0x34
#define  VTD_FSTS_PFO        (1u << 0)
#define  VTD_FSTS_PPF        (1u << 1)
#define  VTD_FSTS_IQE        (1u << 4)
#define  VTD_FSTS_ICE        (1u << 5)
#define  VTD_FSTS_ITE        (1u << 6)
#define  VTD_FSTS_FRI(f)     (((f) >> 8) & 0xff)
#define VTD_FECTL    0x38
#define  VTD_FECTL_IM        (1u << 31)
#define VTD_FEDATA   0x3c
#define VTD_FEADDR   0x40
#define VTD_FEUADDR  0x44
#define VTD_IQH      0x80
#define VTD_IQT      0x88
#define VTD_IQA      0x90               /* QS 2:0 = 0: one 4 KiB page, 256 descriptors */
#define VTD_ICS      0x9c
#define VTD_IRTA     0xb8
#define  VTD_IRTA_EIME       (1ull << 11)
/* IOTLB registers at ECAP.IRO (11.4.8). */
#define VTD_IOTLB_REG        0x08
#define  VTD_IOTLB_IVT       (1ull << 63)
#define  VTD_IOTLB_GLOBAL    (1ull << 60)
#define  VTD_IOTLB_DRAIN     (3ull << 48)
/* Fault recording registers (11.4.14), 16 bytes each at CAP.FRO. */
#define VTD_FRCD_HI_F        (1ull << 63)   /* in the high qword */
#define VTD_FRCD_HI_T        (1ull << 62)   /* 1: read request, 0: write */
#define VTD_FRCD_HI_FR(h)    ((unsigned)(((h) >> 32) & 0xff))
#define VTD_FRCD_HI_SID(h)   ((uint16_t)((h) & 0xffff))
#define VTD_FRCD_LO_FI_MASK  0xfffffffffffff000ull
#define VTD_FRCD_LO_IR_INDEX(l) ((unsigned)((l) >> 48)) /* interrupt faults: FI[63:48] */

/* Root and context entries, legacy mode (9.1, 9.3). */
#define VTD_ROOT_P           (1ull << 0)
#define VTD_CTX_P            (1ull << 0)
#define VTD_CTX_FPD          (1ull << 1)
#define VTD_CTX_TT_UNTRANSLATED (0ull << 2)
#define VTD_CTX_AW_SHIFT     0                /* high qword */
#define VTD_CTX_DID_SHIFT    8
#define VTD_AW_39            1u
#define VTD_AW_48            2u
struct vtd_entry128 {
    uint64_t lo, hi;
};
_Static_assert(sizeof(struct vtd_entry128) == 16, "VT-d entries are 128 bits");

/* Second-level paging entries (9.8). */
#define VTD_SL_R             (1ull << 0)
#define VTD_SL_W             (1ull << 1)
#define VTD_SL_PS            (1ull << 7)
#define VTD_SL_RW            (VTD_SL_R | VTD_SL_W)
extern const struct pt_format pt_format_vtd_sl;

/* Invalidation descriptors (6.5.2). */
#define VTD_QI_CC            0x1ull         /* context-cache */
#define VTD_QI_IOTLB         0x2ull
#define VTD_QI_IEC           0x4ull         /* interrupt entry cache */
#define VTD_QI_WAIT          0x5ull
#define  VTD_QI_GRAN_GLOBAL    (1ull << 4)  /* context-cache / IOTLB global */
#define  VTD_QI_IOTLB_DR       (1ull << 7)
#define  VTD_QI_IOTLB_DW       (1ull << 6)
#define  VTD_QI_WAIT_SW        (1ull << 5)  /* write status data when done */
#define  VTD_QI_WAIT_FN        (1ull << 6)  /* fence */
#define VTD_QI_ENTRIES       256

/* Interrupt remapping table entries, remappable format (9.10). */
#define VTD_IRTE_P           (1ull << 0)
#define VTD_IRTE_FPD         (1ull << 1)
#define VTD_IRTE_DLM_FIXED   (0ull << 5)
#define VTD_IRTE_VECTOR_SHIFT 16
#define VTD_IRTE_DST_SHIFT   32
#define VTD_IRTE_HI_SQ_ALL   (0ull << 16)   /* compare all 16 SID bits */
#define VTD_IRTE_HI_SVT_SID  (1ull << 18)   /* verify the requester id against SID */
/* Remappable-format MSI address (5.1.5.2): handle[14:0] in 19:5, handle[15] in bit 2. */
#define VTD_MSI_ADDR_BASE    0xfee00000u
#define VTD_MSI_ADDR_IF      (1u << 4)      /* interrupt format: remappable */
#define VTD_MSI_ADDR_SHV     (1u << 3)

/* Pure encoders. */
struct vtd_entry128 vtd_root_entry(uint64_t ctx_table_phys);
struct vtd_entry128 vtd_context_entry(uint64_t sl_root_phys, uint16_t did, unsigned aw);
/* Remappable IRTE: fixed delivery, physical destination; `x2apic` = EIM in use (full 32-bit
 * destination), else the xAPIC id goes in DST bits 15:8. Requester `sid` is verified. */
struct vtd_entry128 vtd_irte_encode(uint16_t sid, uint32_t dest_apic_id, uint8_t vector, bool x2apic);
uint32_t vtd_msi_address(uint16_t handle);
/* The address width field for a SAGAW mask and the host's address width: 0 = unsupported. */
unsigned vtd_pick_aw(uint64_t sagaw, unsigned haw);
/* Human name of a fault reason code (7.1.3, 7.2.3 tables). */
const char *vtd_fault_reason_name(unsigned fr);

#endif
