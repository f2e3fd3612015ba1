/* ELI, exitless interrupts (Gordon et al., ASPLOS 2012): the guest's own interrupts reach it
 * straight from the hardware; every other vector exits through #NP of a shadow IDT. */
#ifndef EXITLESS_VMM_ELI_H
#define EXITLESS_VMM_ELI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/exit.h"
#include "vmm/guest.h"

/* Vectors present in the guest's shadow IDT: the exceptions and the vectors it owns
 * (vmm/intr/vector_policy.h; an exitless guest owns every one, so its shadow is a faithful
 * copy and the hypervisor reaches its cores by NMI only). */
bool eli_owned(const struct guest *g, uint8_t vector);
/* The vCPU loaded IDTR (LIDT, emulated by vmm/systab.c): shadow the pages it lives in. 0, or
 * -1 after stopping the guest (an IDT outside its RAM or over more than two pages). */
int eli_idt_loaded(struct vcpu *v, uint64_t base, uint32_t limit);
/* An EPT write violation: true when it was a write to a shadowed IDT page (handled by a
 * single-step of the writing instruction into the real page). */
bool eli_ept_write(struct vcpu *v, uint64_t gpa);
/* For a step (ept_lock held): maps the shadowed IDT page at `gpa` to the guest's RAM, or
 * rebuilds its shadow from it and maps that back once no vCPU steps it. 0 or -1 (not an IDT
 * page, for unshadow). */
int eli_unshadow(struct guest *g, uint64_t gpa);
int eli_reshadow(struct guest *g, uint64_t gpa);
/* INIT of one vCPU (owner): it has no IDT any more; the pages only it used are plain RAM. */
void eli_vcpu_reset(struct vcpu *v);
/* Restart: every IDT page back to plain RAM, no vCPU has an IDT. */
void eli_reset(struct guest *g);
/* #NP and #GP exits of exitless guests: a hypervisor interrupt blocked by the shadow (#NP)
 * or by the guest's IDT limit (#GP), or the guest's own fault, reflected. */
enum exit_action eli_handle_delivery_fault(struct vcpu *v, uint8_t exception);
/* External-interrupt exiting on (before the guest has an IDT, during a step) or off. */
void eli_set_intr_exiting(struct vcpu *v, bool on);

#endif
