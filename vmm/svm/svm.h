/* The SVM backend's private state: per physical CPU and per vCPU. Only vmm/svm/ includes it;
 * the generic code reaches SVM through vmm/vendor.h (svm_vendor_ops). */
#ifndef EXITLESS_VMM_SVM_SVM_H
#define EXITLESS_VMM_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/insn/decode.h"
#include "vmm/svm/svm_caps.h"
#include "vmm/svm/vmcb.h"
#include "vmm/vendor.h"

/* Every core runs one vCPU, so one ASID serves every guest: a core that switches to another
 * guest (a restart) flushes it at the first VMRUN (vcpu_setup asks for the flush). */
#define SVM_GUEST_ASID 1

/* One physical CPU in SVM operation. Owner: that CPU (filled by svm_cpu_enable). */
struct svm_cpu {
    bool on;
    struct svm_caps caps;
    struct svm_controls ctl[INTR_MODES];
    bool mode_ok[INTR_MODES];
    char mode_err[INTR_MODES][160];
    uint64_t hsave_phys;        /* VM_HSAVE_PA: where VMRUN keeps the host's state */
    uint64_t host_area_phys;    /* VMSAVE/VMLOAD area for the host's FS/GS/TR/LDTR/SYSCALL
                                 * MSRs, which VMRUN does not switch */
    bool xsave;                 /* CR4.OSXSAVE on: XSETBV works on a guest's behalf */
    struct svm_check_env check; /* for svm_vmcb_check before each VMRUN */
};

/* One vCPU's SVM half (struct vcpu.hw). Owner: the vCPU's CPU. Kept across restarts. */
struct svm_vcpu {
    struct vmcb *vmcb;
    uint64_t vmcb_phys;
    const struct svm_controls *ctl;
    uint32_t exc_extra;         /* intercept_exception() bits on top of ctl->exceptions */
    bool hlt_in_guest;          /* HLT intercept dropped for one native HLT (halt_in_guest) */
    bool flush;                 /* flush this guest's ASID at the next VMRUN */
    uint64_t dr6_before;        /* DR6 at the last VMRUN: a #DB the hypervisor swallows
                                 * leaves the guest's DR6 as it was */
    uint32_t exit_int_state;    /* int_state at the last exit (halt_in_guest) */
    uint32_t mtf_warned;
};

struct svm_cpu *svm_this_cpu(void);
void svm_read_caps(struct svm_caps *caps);
/* vendor_ops.cpu_enable: EFER.SVME and VM_HSAVE_PA on the calling CPU (idempotent). */
int svm_cpu_enable(char *err, size_t errlen);
static inline struct svm_vcpu *svm_vcpu(struct vcpu *v) { return v->hw; }

/* vmm/svm/svm_entry.S: loads the guest's registers (RAX through the VMCB), runs it, saves
 * them back. clgi; vmsave host; vmload guest; sti; vmrun; vmsave guest; vmload host; cli;
 * stgi. Returns when the guest exited (or VMRUN failed: see exit_code). */
void svm_vmrun(uint64_t vmcb_phys, struct guest_regs *regs, uint64_t host_area_phys);

/* vmm/svm/svm_exit.c: the exit in v's VMCB as generic facts. */
void svm_decode_exit(struct vcpu *v, struct vexit *e);
/* Whether `vector` is in service at this CPU's local APIC. */
bool svm_lapic_in_service(uint8_t vector);

/* vmm/svm/svm_insn.c: the guest instruction at RIP, decoded (0) or not (-1); the linear
 * address of its memory operand. */
int svm_decode_rip(struct vcpu *v, struct insn *out);
uint64_t svm_operand_gla(struct vcpu *v, const struct insn *in);

#endif
