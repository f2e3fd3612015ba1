/* Exit dispatch: one handler per exit kind (vmm/vendor.h), the same on every vendor. */
#ifndef EXITLESS_VMM_EXIT_H
#define EXITLESS_VMM_EXIT_H

#include <stdint.h>

#include "vmm/vcpu.h"

/* Handler contract: called on the vCPU's CPU right after the exit, with v->exit decoded.
 * Returns EXIT_RESUME after emulating (RIP advanced when an instruction completed) or
 * EXIT_STOP after guest_fault()/guest_finish() decided the guest's fate. */
typedef enum exit_action (*exit_handler_t)(struct vcpu *v);

enum exit_action exit_dispatch(struct vcpu *v, const struct vexit *e);

/* Handlers that live in their own files. */
enum exit_action handle_cpuid(struct vcpu *v);
/* XCR0 bits a guest may enable on this CPU: what CPUID.(0xd,0) shows it (vmm/cpuid.c). */
uint64_t cpuid_guest_xcr0_allowed(void);
enum exit_action handle_rdmsr(struct vcpu *v);
enum exit_action handle_wrmsr(struct vcpu *v);
enum exit_action handle_io(struct vcpu *v);
enum exit_action handle_vmcall(struct vcpu *v);
enum exit_action handle_desc_table(struct vcpu *v);
enum exit_action handle_seg_table(struct vcpu *v);

#endif
