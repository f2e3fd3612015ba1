/* INIT-SIPI-SIPI between a guest's own cores (SDM vol. 3, 9.4 and 11.6.1), emulated: an INIT
 * puts the target vCPU in wait-for-SIPI in the hypervisor on its own core; a STARTUP that
 * finds it waiting starts it in real mode at the vector's page. */
#ifndef EXITLESS_VMM_APIC_START_H
#define EXITLESS_VMM_APIC_START_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct guest;

/* On the sender's CPU, after vmm/intr/x2apic_check.c allowed it (`to` is another vCPU of
 * the same guest; NULL does nothing). INIT always takes effect; a STARTUP to a vCPU that is
 * not waiting for one is ignored, as the hardware ignores it. */
void apic_start_init(struct vcpu *from, struct vcpu *to);
void apic_start_sipi(struct vcpu *from, struct vcpu *to, uint8_t vector);
/* Owner: an INIT is pending or the vCPU waits for its SIPI (it must not enter the guest). */
bool apic_start_pending(const struct vcpu *v);
/* Owner, outside the run loop: takes a pending INIT (what the INIT resets of the vCPU and
 * its core's APIC), then waits for the STARTUP without spinning hot (HLT, woken by the kick
 * NMI of the sender, a stop or a cross-call). True with v->start set to the SIPI's start;
 * false when the guest stopped meanwhile. */
bool apic_start_wait_sipi(struct vcpu *v);
/* Management CPU, periodically: kicks again every vCPU of g with a pending INIT or an
 * untaken SIPI (an NMI that landed just before a HLT or a VM entry is lost). */
void apic_start_police(struct guest *g);

#endif
