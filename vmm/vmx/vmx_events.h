/* VMX event and interrupt controls (vmm/vmx/vmx_events.c), for the vendor table. */
#ifndef EXITLESS_VMM_VMX_EVENTS_H
#define EXITLESS_VMM_VMX_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vendor.h"

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
bool vmx_event_pending(struct vcpu *v);
bool vmx_irq_window_open(struct vcpu *v);
void vmx_inject_irq(struct vcpu *v, uint8_t vector);
void vmx_irq_window_exit(struct vcpu *v, bool on);
void vmx_intr_exiting(struct vcpu *v, bool on);
void vmx_halt_in_guest(struct vcpu *v, const struct vexit *e);
/* After every exit: HLT exiting back on if vmx_halt_in_guest turned it off. */
void vmx_hlt_exiting_back(struct vcpu *v);
void vmx_intercept_exception(struct vcpu *v, uint8_t vector, bool on);
bool vmx_has_mtf(struct vcpu *v);
void vmx_mtf(struct vcpu *v, bool on);

#endif
