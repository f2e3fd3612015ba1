/* The VMX half of a vCPU: its VMCS and what was negotiated for it (private to vmm/vmx/). */
#ifndef EXITLESS_VMM_VMX_VCPU_H
#define EXITLESS_VMM_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/vmx/vmx_caps.h"

/* Owner: the vCPU's CPU. */
struct vmx_vcpu {
    uint64_t vmcs_phys;
    bool launched;
    uint16_t vpid;
    const struct vmx_controls *ctl;
    /* HLT exiting is off since a HLT with interrupts enabled, until the next exit. */
    bool hlt_in_guest;
};

static inline struct vmx_vcpu *vmx_of(struct vcpu *v) { return v->hw; }

int vmx_vcpu_setup(struct vcpu *v);
int vmx_vcpu_enter(struct vcpu *v, struct vexit *e);
void vmx_vcpu_dump(struct vcpu *v);
uint64_t vmx_get(struct vcpu *v, enum vreg r);
void vmx_set(struct vcpu *v, enum vreg r, uint64_t val);
void vmx_set_cr(struct vcpu *v, unsigned cr, uint64_t val);
void vmx_load_sys_seg(struct vcpu *v, bool tr, uint16_t sel, uint64_t base, uint32_t limit,
                      uint16_t attr);
uint64_t vmx_cr4_allowed(void);
uint32_t vmx_guest_insns(struct vcpu *v);
void vmx_flush_gpmap(struct vcpu *v);
/* Fills *e from the current VMCS after an exit (vmm/vmx/vmx_exit.c). */
void vmx_decode_exit(struct vcpu *v, uint32_t reason, struct vexit *e);
void vmx_after_exit(struct vcpu *v, const struct vexit *e);
void vmx_skip(struct vcpu *v, const struct vexit *e);
const char *vmx_exit_name(uint64_t raw);

#endif
