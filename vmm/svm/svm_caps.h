/* SVM capabilities of a CPU, the control fields every guest core uses (one pure function of
 * the capabilities and the interrupt mode), and the VMRUN consistency checks (APM 15.5.1).
 * Pure logic: unit-tested on the host (tests/unit/test_svm_*.c). */
#ifndef EXITLESS_VMM_SVM_CAPS_H
#define EXITLESS_VMM_SVM_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/svm/vmcb.h"
#include "vmm/vendor.h"

/* CPUID and MSR bits (APM vol. 3, appendix E; vol. 2, 15.4 and 15.30.1). */
#define CPUID_80000001_ECX_SVM      (1u << 2)
#define CPUID_80000001_EDX_NX       (1u << 20)
#define CPUID_80000001_EDX_LM       (1u << 29)
#define CPUID_8000000A_EDX_NP       (1u << 0)
#define CPUID_8000000A_EDX_LBRV     (1u << 1)
#define CPUID_8000000A_EDX_SVML     (1u << 2)
#define CPUID_8000000A_EDX_NRIPS    (1u << 3)
#define CPUID_8000000A_EDX_TSCRATE  (1u << 4)
#define CPUID_8000000A_EDX_VMCBCLEAN (1u << 5)
#define CPUID_8000000A_EDX_FLUSHBYASID (1u << 6)
#define CPUID_8000000A_EDX_DECODE   (1u << 7)
#define CPUID_8000000A_EDX_PAUSEFILTER (1u << 10)
#define CPUID_8000000A_EDX_AVIC     (1u << 13)
#define CPUID_8000000A_EDX_VMSAVE_VIRT (1u << 15)
#define CPUID_8000000A_EDX_VGIF     (1u << 16)
#define MSR_VM_CR                   0xc0010114u
#define VM_CR_LOCK                  (1ull << 3)
#define VM_CR_SVMDIS                (1ull << 4)
#define MSR_VM_HSAVE_PA             0xc0010117u
#define EFER_SVME                   (1ull << 12)

/* What one CPU offers, as read by svm_read_caps() (kernel side) or written by a test. */
struct svm_caps {
    bool svm;                   /* CPUID 0x80000001 ECX[2] */
    bool vm_cr_readable;        /* VM_CR exists (RDMSR did not fault) */
    uint64_t vm_cr;             /* MSR 0xC0010114 */
    bool long_mode, nx;         /* CPUID 0x80000001 EDX[29], EDX[20] */
    uint32_t revision;          /* CPUID 0x8000000A EAX[7:0] */
    uint32_t nasid;             /* CPUID 0x8000000A EBX */
    uint32_t features;          /* CPUID 0x8000000A EDX */
    unsigned phys_bits;         /* CPUID 0x80000008 EAX[7:0] */
    uint64_t cr4_allowed;       /* CR4 bits this CPU implements (from CPUID), for the checks */
};

/* NULL when SVM with nested paging can run here; else why not, in words for the boot log. */
const char *svm_unavailable_reason(const struct svm_caps *caps);

/* The control fields one interrupt mode starts with, and the optional features in use.
 * Fields that change while a guest runs (VINTR, the INTR intercept of an exitless guest before
 * its IDT is shadowed, #DB while a step runs, HLT for halt_in_guest) are set by the vCPU code
 * on top of these; intr_on_* say what the INTR intercept and V_INTR_MASKING are at start. */
struct svm_controls {
    uint16_t cr_read, cr_write;     /* intercept_cr_read / _write */
    uint32_t exceptions;            /* intercept_exceptions, always on for this mode */
    uint32_t misc1, misc2;          /* INTERCEPT1_* without INTR and VINTR; INTERCEPT2_* */
    uint32_t int_ctl;               /* int_ctl without V_INTR_MASKING (see svm_intr_bits) */
    uint8_t tlb_flush;              /* the TLB_CONTROL value that flushes this guest */
    bool nrip;                      /* next_rip is valid after instruction intercepts */
    bool decode_assists;            /* EXITINFO1 names the GPR of MOV CRn */
    uint32_t clean;                 /* VMCB clean bits written at every VMRUN: always 0 */
};

/* Computes the controls for `mode` on a CPU with `caps`. 0, or -1 with err naming the missing
 * feature ("SVM: this CPU lacks ..."). */
int svm_controls(const struct svm_caps *caps, enum intr_mode mode, struct svm_controls *out,
                 char *err, size_t errlen) __attribute__((warn_unused_result));

/* The INTR intercept (misc1) and int_ctl bits for "external interrupts exit" (on) or "reach
 * the guest's IDT" (off, ELI). They always change together: with the INTR intercept on,
 * V_INTR_MASKING makes the host's IF (always 1 around VMRUN) decide, so a hypervisor
 * interrupt exits at once whatever the guest's IF; with it off the guest's IF masks physical
 * interrupts as on bare metal, which ELI needs. */
void svm_intr_bits(bool on, uint32_t *misc1, uint32_t *int_ctl);

/* What the consistency checks need to know about the CPU besides the VMCB. */
struct svm_check_env {
    unsigned phys_bits;
    bool long_mode;
    uint64_t cr4_allowed;
    uint64_t efer_allowed;      /* EFER bits the CPU implements */
    uint32_t msrpm_bytes, iopm_bytes;
};

/* The APM 15.5.1 checks VMRUN makes on a VMCB ("illegal state combinations" and the control
 * checks), in its order. Returns NULL when the VMCB passes, else the first failure, naming the
 * field ("save.cr0: CR0.NW set without CR0.CD"). */
const char *svm_vmcb_check(const struct vmcb *vmcb, const struct svm_check_env *env);

/* Valid EVENTINJ value (APM 15.20): reserved types and exception-type events on vectors
 * that are not exceptions (2 is the NMI; past 31) make VMRUN fail. */
bool svm_event_valid(uint32_t event);

/* The EVENTINJ value that re-delivers the event an exit interrupted (EXITINTINFO, APM 15.7.2),
 * or 0 when nothing is to be re-delivered: no event; an exception-intercept exit (the handler
 * decides: reflected, or the hypervisor's interrupt behind an ELI #NP); or an event that
 * re-executing the instruction raises again (INTn, INT3, INTO: RIP is still at it, and
 * without next-RIP save the return address of an injected software event is unknown). QEMU
 * reports a hardware interrupt as an exception-type event on its vector, which VMRUN refuses
 * (DESIGN.md): it is rebuilt as an interrupt. The error code, if any, is EXITINTINFO's. */
uint32_t svm_reinject(uint32_t exit_int_info, bool exception_exit);

#endif
