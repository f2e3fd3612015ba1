/* The AMD virtual machine control block (APM vol. 2, appendix B): layout, intercept bits, exit
 * codes, event fields. Pure definitions, shared by the SVM backend and its unit tests. Offsets
 * are checked against appendix B below, field by field. */
#ifndef EXITLESS_VMM_SVM_VMCB_H
#define EXITLESS_VMM_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* One segment register in the state save area (APM table B-2): the attribute word packs the
 * descriptor's type/S/DPL/P (bits 7:0) and AVL/L/D/G (bits 11:8). */
struct vmcb_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};
_Static_assert(sizeof(struct vmcb_seg) == 16, "APM table B-2: 16 bytes per segment");

#define SEG_ATTR_TYPE_MASK  0x00fu
#define SEG_ATTR_S          (1u << 4)
#define SEG_ATTR_DPL_SHIFT  5
#define SEG_ATTR_DPL_MASK   (3u << SEG_ATTR_DPL_SHIFT)
#define SEG_ATTR_P          (1u << 7)
#define SEG_ATTR_AVL        (1u << 8)
#define SEG_ATTR_L          (1u << 9)
#define SEG_ATTR_DB         (1u << 10)
#define SEG_ATTR_G          (1u << 11)

/* Control area (APM table B-1), offsets 0x000-0x3ff. */
struct vmcb_control {
    uint16_t intercept_cr_read;     /* 0x000: bit n = CRn */
    uint16_t intercept_cr_write;    /* 0x002 */
    uint16_t intercept_dr_read;     /* 0x004 */
    uint16_t intercept_dr_write;    /* 0x006 */
    uint32_t intercept_exceptions;  /* 0x008: bit n = vector n */
    uint32_t intercept_misc1;       /* 0x00c: INTERCEPT1_* */
    uint32_t intercept_misc2;       /* 0x010: INTERCEPT2_* */
    uint32_t intercept_misc3;       /* 0x014: INVLPGB, INVPCID, ... */
    uint8_t reserved_018[0x03c - 0x018];
    uint16_t pause_filter_thresh;   /* 0x03c */
    uint16_t pause_filter_count;    /* 0x03e */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t tlb_control;            /* 0x05c: TLB_CONTROL_* */
    uint8_t reserved_05d[3];
    uint32_t int_ctl;               /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
    uint32_t int_vector;            /* 0x064 */
    uint32_t int_state;             /* 0x068: interrupt shadow */
    uint32_t reserved_06c;
    uint32_t exit_code;             /* 0x070 */
    uint32_t exit_code_hi;          /* 0x074 */
    uint64_t exit_info_1;           /* 0x078 */
    uint64_t exit_info_2;           /* 0x080 */
    uint32_t exit_int_info;         /* 0x088: event being delivered at the exit (EVENT_*) */
    uint32_t exit_int_info_err;     /* 0x08c */
    uint64_t nested_ctl;            /* 0x090: NESTED_CTL_NP_ENABLE */
    uint64_t avic_vapic_bar;        /* 0x098 */
    uint64_t ghcb_gpa;              /* 0x0a0 */
    uint32_t event_inj;             /* 0x0a8: event to inject at VMRUN (EVENT_*) */
    uint32_t event_inj_err;         /* 0x0ac */
    uint64_t nested_cr3;            /* 0x0b0 */
    uint64_t virt_ext;              /* 0x0b8: LBR virtualization, virtual VMSAVE/VMLOAD */
    uint32_t clean;                 /* 0x0c0: VMCB clean bits */
    uint32_t reserved_0c4;
    uint64_t next_rip;              /* 0x0c8: with NRIP save */
    uint8_t insn_len;               /* 0x0d0: with decode assists (#NPF, #PF) */
    uint8_t insn_bytes[15];         /* 0x0d1 */
    uint64_t avic_backing_page;     /* 0x0e0 */
    uint64_t reserved_0e8;
    uint64_t avic_logical_id;       /* 0x0f0 */
    uint64_t avic_physical_id;      /* 0x0f8 */
    uint64_t reserved_100;
    uint64_t vmsa_pa;               /* 0x108 */
    uint8_t reserved_110[0x400 - 0x110];
};

/* State save area (APM table B-2), at VMCB offset 0x400. */
struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs;     /* 0x000-0x05f */
    struct vmcb_seg gdtr, ldtr, idtr, tr;       /* 0x060-0x09f */
    uint8_t reserved_0a0[0x0cb - 0x0a0];
    uint8_t cpl;                    /* 0x0cb */
    uint32_t reserved_0cc;
    uint64_t efer;                  /* 0x0d0 */
    uint8_t reserved_0d8[0x148 - 0x0d8];
    uint64_t cr4;                   /* 0x148 */
    uint64_t cr3;                   /* 0x150 */
    uint64_t cr0;                   /* 0x158 */
    uint64_t dr7;                   /* 0x160 */
    uint64_t dr6;                   /* 0x168 */
    uint64_t rflags;                /* 0x170 */
    uint64_t rip;                   /* 0x178 */
    uint8_t reserved_180[0x1d8 - 0x180];
    uint64_t rsp;                   /* 0x1d8 */
    uint64_t s_cet, ssp, isst_addr; /* 0x1e0-0x1f7 */
    uint64_t rax;                   /* 0x1f8 */
    uint64_t star, lstar, cstar, sfmask;        /* 0x200-0x21f: VMSAVE/VMLOAD */
    uint64_t kernel_gs_base;        /* 0x220 */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip; /* 0x228-0x23f */
    uint64_t cr2;                   /* 0x240 */
    uint8_t reserved_248[0x268 - 0x248];
    uint64_t g_pat;                 /* 0x268: the guest's PAT under nested paging */
    uint64_t dbgctl;                /* 0x270 */
    uint64_t br_from, br_to, last_excp_from, last_excp_to; /* 0x278-0x297 */
    uint8_t reserved_298[0xc00 - 0x298];
};

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
};

/* APM appendix B, table B-1. */
_Static_assert(offsetof(struct vmcb_control, intercept_exceptions) == 0x008, "B-1");
_Static_assert(offsetof(struct vmcb_control, intercept_misc1) == 0x00c, "B-1");
_Static_assert(offsetof(struct vmcb_control, intercept_misc2) == 0x010, "B-1");
_Static_assert(offsetof(struct vmcb_control, pause_filter_count) == 0x03e, "B-1");
_Static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x040, "B-1");
_Static_assert(offsetof(struct vmcb_control, msrpm_base_pa) == 0x048, "B-1");
_Static_assert(offsetof(struct vmcb_control, tsc_offset) == 0x050, "B-1");
_Static_assert(offsetof(struct vmcb_control, asid) == 0x058, "B-1");
_Static_assert(offsetof(struct vmcb_control, tlb_control) == 0x05c, "B-1");
_Static_assert(offsetof(struct vmcb_control, int_ctl) == 0x060, "B-1");
_Static_assert(offsetof(struct vmcb_control, int_vector) == 0x064, "B-1");
_Static_assert(offsetof(struct vmcb_control, int_state) == 0x068, "B-1");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x070, "B-1");
_Static_assert(offsetof(struct vmcb_control, exit_info_1) == 0x078, "B-1");
_Static_assert(offsetof(struct vmcb_control, exit_info_2) == 0x080, "B-1");
_Static_assert(offsetof(struct vmcb_control, exit_int_info) == 0x088, "B-1");
_Static_assert(offsetof(struct vmcb_control, nested_ctl) == 0x090, "B-1");
_Static_assert(offsetof(struct vmcb_control, event_inj) == 0x0a8, "B-1");
_Static_assert(offsetof(struct vmcb_control, nested_cr3) == 0x0b0, "B-1");
_Static_assert(offsetof(struct vmcb_control, virt_ext) == 0x0b8, "B-1");
_Static_assert(offsetof(struct vmcb_control, clean) == 0x0c0, "B-1");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0x0c8, "B-1");
_Static_assert(offsetof(struct vmcb_control, insn_len) == 0x0d0, "B-1");
_Static_assert(offsetof(struct vmcb_control, avic_backing_page) == 0x0e0, "B-1");
_Static_assert(offsetof(struct vmcb_control, vmsa_pa) == 0x108, "B-1");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "B-1: the control area is 1 KiB");
/* APM appendix B, table B-2 (offsets from the save area at 0x400). */
_Static_assert(offsetof(struct vmcb_save, cs) == 0x010, "B-2");
_Static_assert(offsetof(struct vmcb_save, gdtr) == 0x060, "B-2");
_Static_assert(offsetof(struct vmcb_save, ldtr) == 0x070, "B-2");
_Static_assert(offsetof(struct vmcb_save, idtr) == 0x080, "B-2");
_Static_assert(offsetof(struct vmcb_save, tr) == 0x090, "B-2");
_Static_assert(offsetof(struct vmcb_save, cpl) == 0x0cb, "B-2");
_Static_assert(offsetof(struct vmcb_save, efer) == 0x0d0, "B-2");
_Static_assert(offsetof(struct vmcb_save, cr4) == 0x148, "B-2");
_Static_assert(offsetof(struct vmcb_save, cr3) == 0x150, "B-2");
_Static_assert(offsetof(struct vmcb_save, cr0) == 0x158, "B-2");
_Static_assert(offsetof(struct vmcb_save, dr7) == 0x160, "B-2");
_Static_assert(offsetof(struct vmcb_save, dr6) == 0x168, "B-2");
_Static_assert(offsetof(struct vmcb_save, rflags) == 0x170, "B-2");
_Static_assert(offsetof(struct vmcb_save, rip) == 0x178, "B-2");
_Static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8, "B-2");
_Static_assert(offsetof(struct vmcb_save, rax) == 0x1f8, "B-2");
_Static_assert(offsetof(struct vmcb_save, star) == 0x200, "B-2");
_Static_assert(offsetof(struct vmcb_save, kernel_gs_base) == 0x220, "B-2");
_Static_assert(offsetof(struct vmcb_save, sysenter_eip) == 0x238, "B-2");
_Static_assert(offsetof(struct vmcb_save, cr2) == 0x240, "B-2");
_Static_assert(offsetof(struct vmcb_save, g_pat) == 0x268, "B-2");
_Static_assert(offsetof(struct vmcb_save, dbgctl) == 0x270, "B-2");
_Static_assert(offsetof(struct vmcb, save) == 0x400, "B: the save area starts at 0x400");
_Static_assert(sizeof(struct vmcb) == 4096, "one VMCB is one 4 KiB page");

/* Intercept vector 3, VMCB 0x00c (APM table B-1). */
#define INTERCEPT1_INTR         (1u << 0)
#define INTERCEPT1_NMI          (1u << 1)
#define INTERCEPT1_SMI          (1u << 2)
#define INTERCEPT1_INIT         (1u << 3)
#define INTERCEPT1_VINTR        (1u << 4)
#define INTERCEPT1_CR0_SEL_WRITE (1u << 5)
#define INTERCEPT1_IDTR_READ    (1u << 6)
#define INTERCEPT1_GDTR_READ    (1u << 7)
#define INTERCEPT1_LDTR_READ    (1u << 8)
#define INTERCEPT1_TR_READ      (1u << 9)
#define INTERCEPT1_IDTR_WRITE   (1u << 10)
#define INTERCEPT1_GDTR_WRITE   (1u << 11)
#define INTERCEPT1_LDTR_WRITE   (1u << 12)
#define INTERCEPT1_TR_WRITE     (1u << 13)
#define INTERCEPT1_RDTSC        (1u << 14)
#define INTERCEPT1_RDPMC        (1u << 15)
#define INTERCEPT1_PUSHF        (1u << 16)
#define INTERCEPT1_POPF         (1u << 17)
#define INTERCEPT1_CPUID        (1u << 18)
#define INTERCEPT1_RSM          (1u << 19)
#define INTERCEPT1_IRET         (1u << 20)
#define INTERCEPT1_INTN         (1u << 21)
#define INTERCEPT1_INVD         (1u << 22)
#define INTERCEPT1_PAUSE        (1u << 23)
#define INTERCEPT1_HLT          (1u << 24)
#define INTERCEPT1_INVLPG       (1u << 25)
#define INTERCEPT1_INVLPGA      (1u << 26)
#define INTERCEPT1_IOIO_PROT    (1u << 27)
#define INTERCEPT1_MSR_PROT     (1u << 28)
#define INTERCEPT1_TASK_SWITCH  (1u << 29)
#define INTERCEPT1_FERR_FREEZE  (1u << 30)
#define INTERCEPT1_SHUTDOWN     (1u << 31)

/* Intercept vector 4, VMCB 0x010. */
#define INTERCEPT2_VMRUN        (1u << 0)
#define INTERCEPT2_VMMCALL      (1u << 1)
#define INTERCEPT2_VMLOAD       (1u << 2)
#define INTERCEPT2_VMSAVE       (1u << 3)
#define INTERCEPT2_STGI         (1u << 4)
#define INTERCEPT2_CLGI         (1u << 5)
#define INTERCEPT2_SKINIT       (1u << 6)
#define INTERCEPT2_RDTSCP       (1u << 7)
#define INTERCEPT2_ICEBP        (1u << 8)
#define INTERCEPT2_WBINVD       (1u << 9)
#define INTERCEPT2_MONITOR      (1u << 10)
#define INTERCEPT2_MWAIT        (1u << 11)
#define INTERCEPT2_MWAIT_COND   (1u << 12)
#define INTERCEPT2_XSETBV       (1u << 13)
#define INTERCEPT2_RDPRU        (1u << 14)
#define INTERCEPT2_EFER_WRITE_TRAP (1u << 15)

/* int_ctl, VMCB 0x060 (APM 15.21). */
#define V_TPR_MASK              0x0fu
#define V_IRQ                   (1u << 8)
#define V_GIF                   (1u << 9)
#define V_INTR_PRIO_SHIFT       16
#define V_INTR_PRIO_MASK        (0xfu << V_INTR_PRIO_SHIFT)
#define V_IGN_TPR               (1u << 20)
#define V_INTR_MASKING          (1u << 24)  /* physical interrupts masked by the host's IF */
#define V_GIF_ENABLE            (1u << 25)
#define AVIC_ENABLE             (1u << 31)

/* int_state, VMCB 0x068. */
#define SVM_INTERRUPT_SHADOW    (1u << 0)

/* tlb_control, VMCB 0x05c (APM 15.16.2). */
#define TLB_CONTROL_DO_NOTHING        0
#define TLB_CONTROL_FLUSH_ALL         1    /* every ASID (the only choice without FlushByAsid) */
#define TLB_CONTROL_FLUSH_ASID        3    /* this guest's ASID */
#define TLB_CONTROL_FLUSH_ASID_LOCAL  7    /* this ASID, not its global entries */

/* nested_ctl, VMCB 0x090. */
#define NESTED_CTL_NP_ENABLE    (1ull << 0)

/* EVENTINJ and EXITINTINFO (APM 15.20): vector, type, error-code valid, valid. */
#define EVENT_VECTOR_MASK       0xffu
#define EVENT_TYPE_SHIFT        8
#define EVENT_TYPE_MASK         (7u << EVENT_TYPE_SHIFT)
#define EVENT_TYPE_INTR         (0u << EVENT_TYPE_SHIFT)
#define EVENT_TYPE_NMI          (2u << EVENT_TYPE_SHIFT)
#define EVENT_TYPE_EXCEPTION    (3u << EVENT_TYPE_SHIFT)
#define EVENT_TYPE_SOFT_INT     (4u << EVENT_TYPE_SHIFT)
#define EVENT_EV                (1u << 11)
#define EVENT_VALID             (1u << 31)
static inline uint8_t event_vector(uint32_t e) { return (uint8_t)(e & EVENT_VECTOR_MASK); }
static inline uint32_t event_type(uint32_t e) { return e & EVENT_TYPE_MASK; }

/* EXITINFO1 of an IOIO intercept (APM 15.10.2). */
#define IOIO_TYPE_IN            (1ull << 0)
#define IOIO_STR                (1ull << 2)
#define IOIO_REP                (1ull << 3)
#define IOIO_SZ8                (1ull << 4)
#define IOIO_SZ16               (1ull << 5)
#define IOIO_SZ32               (1ull << 6)
#define IOIO_PORT_SHIFT         16
static inline uint16_t ioio_port(uint64_t info1) { return (uint16_t)(info1 >> IOIO_PORT_SHIFT); }
static inline uint8_t ioio_size(uint64_t info1)
{
    return info1 & IOIO_SZ32 ? 4 : info1 & IOIO_SZ16 ? 2 : 1;
}

/* EXITINFO1 of a nested page fault (APM 15.25.6): a #PF error code plus walk bits. */
#define NPF_P                   (1ull << 0)
#define NPF_WRITE               (1ull << 1)
#define NPF_USER                (1ull << 2)
#define NPF_RSVD                (1ull << 3)
#define NPF_FETCH               (1ull << 4)
#define NPF_FINAL_GPA           (1ull << 32)
#define NPF_PAGE_TABLE_WALK     (1ull << 33)

/* EXITINFO1 of a CR access with decode assists (APM 15.33.1). */
#define CR_INFO_VALID           (1ull << 63)
#define CR_INFO_GPR_MASK        0xfull

/* Exit codes (APM appendix C). */
#define SVM_EXIT_READ_CR0       0x000   /* + n: read of CRn */
#define SVM_EXIT_READ_CR8       0x008
#define SVM_EXIT_WRITE_CR0      0x010   /* + n: write of CRn */
#define SVM_EXIT_WRITE_CR8      0x018
#define SVM_EXIT_READ_DR0       0x020
#define SVM_EXIT_WRITE_DR0      0x030
#define SVM_EXIT_EXCP_BASE      0x040   /* + vector */
#define SVM_EXIT_INTR           0x060
#define SVM_EXIT_NMI            0x061
#define SVM_EXIT_SMI            0x062
#define SVM_EXIT_INIT           0x063
#define SVM_EXIT_VINTR          0x064
#define SVM_EXIT_CR0_SEL_WRITE  0x065
#define SVM_EXIT_IDTR_READ      0x066
#define SVM_EXIT_GDTR_READ      0x067
#define SVM_EXIT_LDTR_READ      0x068
#define SVM_EXIT_TR_READ        0x069
#define SVM_EXIT_IDTR_WRITE     0x06a
#define SVM_EXIT_GDTR_WRITE     0x06b
#define SVM_EXIT_LDTR_WRITE     0x06c
#define SVM_EXIT_TR_WRITE       0x06d
#define SVM_EXIT_RDTSC          0x06e
#define SVM_EXIT_RDPMC          0x06f
#define SVM_EXIT_PUSHF          0x070
#define SVM_EXIT_POPF           0x071
#define SVM_EXIT_CPUID          0x072
#define SVM_EXIT_RSM            0x073
#define SVM_EXIT_IRET           0x074
#define SVM_EXIT_SWINT          0x075
#define SVM_EXIT_INVD           0x076
#define SVM_EXIT_PAUSE          0x077
#define SVM_EXIT_HLT            0x078
#define SVM_EXIT_INVLPG         0x079
#define SVM_EXIT_INVLPGA        0x07a
#define SVM_EXIT_IOIO           0x07b
#define SVM_EXIT_MSR            0x07c
#define SVM_EXIT_TASK_SWITCH    0x07d
#define SVM_EXIT_FERR_FREEZE    0x07e
#define SVM_EXIT_SHUTDOWN       0x07f
#define SVM_EXIT_VMRUN          0x080
#define SVM_EXIT_VMMCALL        0x081
#define SVM_EXIT_VMLOAD         0x082
#define SVM_EXIT_VMSAVE         0x083
#define SVM_EXIT_STGI           0x084
#define SVM_EXIT_CLGI           0x085
#define SVM_EXIT_SKINIT         0x086
#define SVM_EXIT_RDTSCP         0x087
#define SVM_EXIT_ICEBP          0x088
#define SVM_EXIT_WBINVD         0x089
#define SVM_EXIT_MONITOR        0x08a
#define SVM_EXIT_MWAIT          0x08b
#define SVM_EXIT_MWAIT_COND     0x08c
#define SVM_EXIT_XSETBV         0x08d
#define SVM_EXIT_RDPRU          0x08e
#define SVM_EXIT_EFER_WRITE_TRAP 0x08f
#define SVM_EXIT_CR0_WRITE_TRAP 0x090   /* + n */
#define SVM_EXIT_INVLPGB        0x0a0
#define SVM_EXIT_INVLPGB_ILLEGAL 0x0a1
#define SVM_EXIT_INVPCID        0x0a2
#define SVM_EXIT_MCOMMIT        0x0a3
#define SVM_EXIT_TLBSYNC        0x0a4
#define SVM_EXIT_CODES          0x0a5   /* size of the dense part of the code space */
#define SVM_EXIT_NPF            0x400
#define SVM_EXIT_AVIC_INCOMPLETE_IPI 0x401
#define SVM_EXIT_AVIC_NOACCEL   0x402
#define SVM_EXIT_VMGEXIT        0x403
/* A failed VMRUN. QEMU TCG stores it as 0x00000000ffffffff (DESIGN.md): compare the low 32
 * bits, i.e. exit_code alone. */
#define SVM_EXIT_INVALID        0xffffffffu
#define SVM_EXIT_BUSY           0xfffffffeu

/* The APM's name for an exit code ("VMEXIT_NPF"); "unknown" for codes it does not define. */
const char *svm_exit_name(uint64_t code);

#endif
