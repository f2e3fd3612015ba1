/* The one way down from the generic hypervisor to a CPU vendor's half: Intel VMX
 * (vmm/vmx/: VMCS, EPT, VPID) or AMD SVM (vmm/svm/: VMCB, NPT, ASID). Exactly one backend is
 * chosen at boot from CPUID (vendor_select) and every generic file reaches the hardware only
 * through the calls below; none includes a vendor header.
 *
 * Calling rules: every vcpu_* call here runs on the vCPU's own CPU (v->cpu), between an exit
 * and the next entry, with interrupts disabled, unless it says otherwise. The vendor's
 * control block (VMCS, VMCB) is owned by that CPU alone. */
#ifndef EXITLESS_VMM_VENDOR_H
#define EXITLESS_VMM_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitless/hypercall.h"
#include "vmm/gpmap.h"

struct vcpu;
struct guest;

/* How a guest takes its interrupts (manifest `interrupts`). */
enum intr_mode {
    INTR_INJECTED = 0,      /* every external interrupt exits; guest vectors are injected */
    INTR_EXITLESS = 1,      /* ELI: the guest's own vectors arrive through its shadow IDT */
    INTR_MODES
};

/* Exit kinds common to both vendors, for dispatch and statistics (the ABI numbering of
 * include/exitless/hypercall.h, HC_EXIT_*). The vendor's own reason travels beside it. */
enum vexit_kind {
    VEXIT_OTHER = HC_EXIT_OTHER,            /* nothing the generic code handles: reported loudly */
    VEXIT_EXCEPTION = HC_EXIT_EXCEPTION,
    VEXIT_NMI = HC_EXIT_NMI,
    VEXIT_EXTINT = HC_EXIT_EXTINT,
    VEXIT_INTR_WINDOW = HC_EXIT_INTR_WINDOW,
    VEXIT_SHUTDOWN = HC_EXIT_SHUTDOWN,      /* triple fault */
    VEXIT_CPUID = HC_EXIT_CPUID,
    VEXIT_HLT = HC_EXIT_HLT,
    VEXIT_HYPERCALL = HC_EXIT_HYPERCALL,    /* VMCALL / VMMCALL */
    VEXIT_IO = HC_EXIT_IO,
    VEXIT_MSR_READ = HC_EXIT_MSR_READ,
    VEXIT_MSR_WRITE = HC_EXIT_MSR_WRITE,
    VEXIT_CR = HC_EXIT_CR,                  /* MOV to/from a control register */
    VEXIT_DESC_TABLE = HC_EXIT_DESC_TABLE,  /* LGDT LIDT SGDT SIDT */
    VEXIT_SEG_TABLE = HC_EXIT_SEG_TABLE,    /* LLDT LTR SLDT STR */
    VEXIT_GPA = HC_EXIT_GPA,                /* EPT violation / nested page fault */
    VEXIT_GPA_MISCONFIG = HC_EXIT_GPA_MISCONFIG,
    VEXIT_XSETBV = HC_EXIT_XSETBV,
    VEXIT_CACHE = HC_EXIT_CACHE,            /* WBINVD, INVD */
    VEXIT_UD = HC_EXIT_UD,                  /* an instruction the guest does not have: #UD */
    VEXIT_GP = HC_EXIT_GP,                  /* one it may not run (RDPMC): #GP */
    VEXIT_WATCHDOG = HC_EXIT_WATCHDOG,      /* the vendor's guaranteed periodic exit */
    VEXIT_STEP = HC_EXIT_STEP,              /* monitor trap flag */
    VEXIT_ENTRY_FAILED = HC_EXIT_ENTRY_FAILED,
    VEXIT_KINDS = HC_EXIT_KINDS
};

/* What the vendor decoded about one exit. Fields not named for a kind are zero. */
struct vexit {
    enum vexit_kind kind;
    uint64_t raw;               /* the vendor's exit reason / code, for the log */
    uint64_t rip;               /* guest RIP at the exit */
    uint8_t insn_len;           /* length of the exiting instruction, 0 when not known */
    union {
        struct {                /* VEXIT_EXCEPTION */
            uint8_t vector;
            bool has_error;
            uint32_t error;
            bool hardware;      /* raised by the CPU (not INT n, INT3, INTO, INT1) */
            bool hw_interrupt_delivery; /* raised while delivering an external interrupt */
            int16_t delivering; /* raised delivering this hardware exception, else -1 */
            uint64_t info;      /* #DB: DR6-style bits (bit 14 BS); #PF: the address */
        } exc;
        struct {                /* VEXIT_IO */
            uint16_t port;
            uint8_t size;       /* 1, 2, 4 */
            bool in, string, rep;
        } io;
        struct {                /* VEXIT_GPA */
            uint64_t gpa;
            bool write, fetch;  /* neither: a read */
            bool walk;          /* by the CPU's walk of the guest's own page tables */
            bool delivery;      /* while the CPU delivered an event (IDT, GDT, stack) */
        } gpa;
        struct {                /* VEXIT_CR */
            uint8_t cr;
            bool write;         /* MOV to CR; else MOV from CR */
            int8_t gpr;         /* SDM register number, 4 = RSP */
        } cr;
        struct {                /* VEXIT_DESC_TABLE, VEXIT_SEG_TABLE: the memory operand */
            bool idt;           /* IDTR (LIDT/SIDT) or LDTR (LLDT/SLDT); else GDTR or TR */
            bool store;         /* SGDT/SIDT/SLDT/STR */
            bool opsize32;      /* operand size 32 (LGDT/LIDT outside long mode) */
            bool has_mem;       /* memory operand at gla; else register `gpr` */
            int8_t gpr;
            uint64_t gla;       /* linear address of the operand */
        } dt;
        struct {                /* VEXIT_ENTRY_FAILED */
            uint64_t qualification;
        } entry;
    };
};

/* Guest state the generic handlers read and write. CR0 and CR4 are as the guest sees them
 * (the vendor keeps whatever bits it must force elsewhere); EFER is the guest's. */
enum vreg {
    VREG_RIP, VREG_RSP, VREG_RFLAGS,
    VREG_CR0, VREG_CR3, VREG_CR4, VREG_EFER,
    VREG_GDTR_BASE, VREG_GDTR_LIMIT, VREG_IDTR_BASE, VREG_IDTR_LIMIT,
    VREG_ES_BASE, VREG_CS_BASE, VREG_SS_BASE, VREG_DS_BASE, VREG_FS_BASE, VREG_GS_BASE,
    VREG_TR_SEL, VREG_LDTR_SEL, /* read only: written with load_sys_seg */
    VREG_CPL,               /* read only: SS.DPL */
    VREG_CS_LONG,           /* read only: CS.L (64-bit code) */
    VREG_CS_DB,             /* read only: CS.D (32-bit default sizes outside 64-bit code) */
    VREG_COUNT
};

struct vendor_ops {
    const char *name;                   /* "VMX", "SVM" */
    /* An NMI that made the guest exit is still delivered to the host by the CPU (SVM: it
     * stays pending until STGI); else the exit consumed it and VEXIT_NMI runs the handler. */
    bool nmi_reaches_host;
    /* Turns virtualization on for the calling CPU (idempotent). 0, or -1 with a reason. */
    int (*cpu_enable)(char *err, size_t errlen);
    /* A fresh vCPU from v->guest->entry (vCPU 0) or reset state (the others). 0 or -1. */
    int (*vcpu_setup)(struct vcpu *v);
    /* Runs the guest until its next exit, decoded into *e. 0; or -1 when the entry itself
     * failed (the vendor reported the cause with guest_fault and dumped its state). */
    int (*vcpu_enter)(struct vcpu *v, struct vexit *e);
    /* After the handler, before the next entry: re-delivers an event whose delivery the exit
     * interrupted, unless the handler injected another (or the event was the hypervisor's). */
    void (*vcpu_after_exit)(struct vcpu *v, const struct vexit *e);
    void (*vcpu_dump)(struct vcpu *v);
    uint64_t (*get)(struct vcpu *v, enum vreg r);
    void (*set)(struct vcpu *v, enum vreg r, uint64_t val);
    /* A MOV to CR0 or CR4 the generic code checked against the architecture: makes it the
     * guest's value (host-owned bits, EFER.LMA on paging changes). */
    void (*set_cr)(struct vcpu *v, unsigned cr, uint64_t val);
    /* LTR / LLDT emulated by the generic code: loads TR (else LDTR) with a descriptor the
     * generic code read and checked; attr is the descriptor's access byte (bits 0-7) and its
     * flags nibble G, D/B, L, AVL (bits 8-11), as in the SVM segment format. */
    void (*load_sys_seg)(struct vcpu *v, bool tr, uint16_t sel, uint64_t base, uint32_t limit,
                         uint16_t attr);
    /* CR4 bits a guest may set on this CPU (the CPU's, minus the virtualization bit). */
    uint64_t (*cr4_allowed)(void);
    /* CPUID_INSN_* (vmm/cpuid_policy.h): the optional instructions v's guest can run on
     * this CPU (VMX enables RDTSCP and INVPCID only where the CPU has their controls);
     * CPUID hides the others. */
    uint32_t (*guest_insns)(struct vcpu *v);
    /* Advances RIP past the exiting instruction (e->insn_len; the vendor decodes it when the
     * CPU did not say) and ends STI/MOV-SS blocking. */
    void (*skip)(struct vcpu *v, const struct vexit *e);
    void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
    /* Virtual interrupts: whether an event is already set up for the next entry; whether
     * the guest can take an interrupt now (IF and no interrupt shadow); inject one (waking a
     * halted guest); exit as soon as it can (interrupt window) or not. */
    bool (*event_pending)(struct vcpu *v);
    bool (*irq_window_open)(struct vcpu *v);
    void (*inject_irq)(struct vcpu *v, uint8_t vector);
    void (*irq_window_exit)(struct vcpu *v, bool on);
    /* External interrupts exit (on) or reach the guest's (shadow) IDT (off, ELI). */
    void (*intr_exiting)(struct vcpu *v, bool on);
    /* A HLT with interrupts enabled in an exitless guest: the guest halts in guest mode and
     * its own interrupts wake it without an exit (RIP already past the HLT or at it, as the
     * vendor needs). */
    void (*halt_in_guest)(struct vcpu *v, const struct vexit *e);
    /* Exceptions that exit (bit per vector), on top of what the vendor always needs. */
    void (*intercept_exception)(struct vcpu *v, uint8_t vector, bool on);
    /* Monitor trap flag, where the CPU has it: the next instruction ends in VEXIT_STEP. */
    bool (*has_mtf)(struct vcpu *v);
    void (*mtf)(struct vcpu *v, bool on);
    /* The second-level table format (EPT or NPT) that gpmap builds from GPM_* attributes,
     * and the root value the vendor loads (EPTP or nCR3). */
    const struct pt_format *gpmap_format;
    uint64_t (*gpmap_root)(uint64_t root_phys);
    /* After a change to the guest's second-level tables: this CPU drops what it cached for
     * v (INVEPT / an ASID flush at the next entry). Reports failure with guest_fault. */
    void (*flush_gpmap)(struct vcpu *v);
    /* MSR and port permission maps, generated from the generic policy (vmm/msr.c,
     * vmm/io.c): sizes in pages, fill, and one MSR's write interception. */
    unsigned msrpm_pages, iopm_pages;
    void (*msrpm_build)(uint8_t *pm, bool exitless);
    void (*msrpm_trap_write)(uint8_t *pm, uint32_t msr, bool trap);
    void (*iopm_build)(uint8_t *pm);
    /* The vendor's name for its raw exit reason. */
    const char *(*exit_name)(uint64_t raw);
};

/* The backend of this machine; NULL until vendor_select found one. Written once on the BSP
 * before any AP starts a guest; read-only afterwards. */
extern const struct vendor_ops *vendor;

/* Picks VMX on Intel, SVM on AMD, from CPUID; logs which and why. Returns the backend, or
 * NULL with `why` filled when this CPU has neither (or the firmware disabled it). */
const struct vendor_ops *vendor_select(char *why, size_t whylen);

extern const struct vendor_ops vmx_vendor_ops;
extern const struct vendor_ops svm_vendor_ops;
/* Whether each backend can run on this CPU (CPUID, firmware locks): NULL, or why not. */
const char *vmx_unavailable(void);
const char *svm_unavailable(void);

/* Short forms for the generic code. */
static inline uint64_t vcpu_get(struct vcpu *v, enum vreg r) { return vendor->get(v, r); }
static inline void vcpu_set(struct vcpu *v, enum vreg r, uint64_t x) { vendor->set(v, r, x); }
static inline void vcpu_skip(struct vcpu *v, const struct vexit *e) { vendor->skip(v, e); }
/* Raises exception `vec` in the guest at its next entry (vmm/vcpu.c): a fault-class
 * exception gets RFLAGS.RF set in the frame it pushes, as the CPU's own faults do. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vec, bool has_error, uint32_t error);
static inline unsigned vcpu_guest_cpl(struct vcpu *v) { return (unsigned)vendor->get(v, VREG_CPL); }

#endif
