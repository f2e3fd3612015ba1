/* One virtual CPU on its own physical core: VMCS setup, the run loop, event injection. */
#ifndef EXITLESS_VMM_VCPU_H
#define EXITLESS_VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"

/* What an exit handler tells the run loop. */
enum exit_action {
    EXIT_RESUME = 0,        /* re-enter the guest */
    EXIT_STOP = 1,          /* the guest stopped or failed; its state says which */
};

/* Creates and fills this vCPU's VMCS on the calling CPU (which must be v->cpu, in VMX
 * operation). Returns 0 or -1 with the reason logged. */
int vcpu_setup(struct vcpu *v) __attribute__((warn_unused_result));
/* Runs the guest until it stops; returns on this CPU. */
void vcpu_run(struct vcpu *v);

void vcpu_skip_instruction(void);
void vcpu_inject_exception(uint8_t vector, bool has_error, uint32_t error);
/* Logs the guest-state and exit fields of the current VMCS. */
void vcpu_dump_vmcs(const struct vcpu *v);

/* Invalidates this guest's EPT-derived translations after a mapping changed (on v's CPU). */
void vcpu_invept(struct vcpu *v);
/* The current guest's CPL: SS.DPL (SDM 5.5). */
unsigned vcpu_guest_cpl(void);
/* The core's TPR from the guest's (v->tpr), capped below the hypervisor's priority classes. */
void vcpu_set_tpr(struct vcpu *v);
/* Guest general register by the SDM's register number (0 = RAX ... 15 = R15). */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned index);

#endif
