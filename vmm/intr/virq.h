/* Virtual interrupts: vectors with no physical source (emulated devices, injected-mode
 * deliveries), injected at VM entry, EOI trapped while one is in service. */
#ifndef EXITLESS_VMM_VIRQ_H
#define EXITLESS_VMM_VIRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/exit.h"


/* Requests vector `vec` for vCPU v from any CPU (kicks v's core when it is another). */
void virq_raise(struct vcpu *v, uint8_t vec);
/* Before each entry on v's CPU: injects the highest pending vector when the guest can take
 * it, otherwise asks for an interrupt-window exit. */
void virq_before_entry(struct vcpu *v);
enum exit_action handle_interrupt_window(struct vcpu *v);
/* A trapped EOI: ends the highest in-service interrupt, virtual or physical. */
void virq_eoi(struct vcpu *v);
/* Whether EOI writes exit (the MSR bitmap bit of this vCPU). */
void virq_trap_eoi(struct vcpu *v, bool trap);

#endif
