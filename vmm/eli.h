/* ELI, exitless interrupts (Gordon et al., ASPLOS 2012): the guest's own interrupts reach it
 * straight from the hardware; every other vector exits through #NP of a shadow IDT. */
#ifndef EXITLESS_VMM_ELI_H
#define EXITLESS_VMM_ELI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/exit.h"

/* Vectors an exitless guest owns on its cores: exceptions and the guest vector range. */
bool eli_owned(uint8_t vector);
/* LGDT/LIDT/SGDT/SIDT exits: emulated; LIDT (re)builds the shadow. */
enum exit_action handle_desc_table(struct vcpu *v);
/* An EPT write violation: true when it was a write to a shadowed IDT page (handled by a
 * single-step of the writing instruction into the real page). */
bool eli_ept_write(struct vcpu *v, uint64_t gpa);
/* After that single step: rebuild the shadow from the real page and map it back. */
void eli_step_done(struct vcpu *v);
/* #NP exits: a hypervisor interrupt blocked by the shadow, or the guest's own #NP. */
enum exit_action eli_handle_np(struct vcpu *v);
/* External-interrupt exiting on (before the guest has an IDT, during a step) or off. */
void eli_set_intr_exiting(struct vcpu *v, bool on);

#endif
