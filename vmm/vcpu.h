/* One virtual CPU on its own physical core: setup and the run loop (vendor-neutral). */
#ifndef EXITLESS_VMM_VCPU_H
#define EXITLESS_VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/vendor.h"

/* What an exit handler tells the run loop. */
enum exit_action {
    EXIT_RESUME = 0,        /* re-enter the guest */
    EXIT_STOP = 1,          /* the guest stopped or failed; its state says which */
};

/* A fresh vCPU on the calling CPU (which must be v->cpu, with virtualization on). Returns 0
 * or -1 with the reason logged. */
int vcpu_setup(struct vcpu *v) __attribute__((warn_unused_result));
/* Runs the guest until it stops; returns on this CPU. */
void vcpu_run(struct vcpu *v);

/* Past the instruction of the exit being handled. */
static inline void vcpu_skip_instruction(struct vcpu *v) { vendor->skip(v, &v->exit); }
/* A fault-class exception vector (SDM vol. 3, table 6-1): its frame has RFLAGS.RF set. The
 * vendors' re-delivery of an interrupted event sets RF for these too. */
bool vcpu_vector_is_fault(uint8_t vec);
/* Gives the guest an exception it raised itself and the hypervisor intercepted, as the CPU
 * would have delivered it: when it arose delivering another exception (the exit says), the
 * pair becomes a double fault, and a fault delivering a double fault stops the guest
 * (triple fault). */
enum exit_action vcpu_reflect_exception(struct vcpu *v, uint8_t vec, bool has_error,
                                        uint32_t error);
/* The core's TPR from the guest's (v->tpr), capped below the hypervisor's priority classes. */
void vcpu_set_tpr(struct vcpu *v);
/* Guest general register by the SDM's register number (0 = RAX ... 15 = R15); RSP (4) is
 * NULL here: use vcpu_gpr_read/write, which take every number. */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned index);
uint64_t vcpu_gpr_read(struct vcpu *v, unsigned index);
void vcpu_gpr_write(struct vcpu *v, unsigned index, uint64_t val);

#endif
