/* One guest instruction under single-step: how writes to pages the hypervisor shadows (the
 * IDT for ELI, an assigned function's MSI-X table) reach the real bytes and are re-examined.
 * The monitor trap flag where the CPU has it; else RFLAGS.TF with a #DB exit, never delivered
 * to the guest. External-interrupt exiting is on for the step, so no interrupt is taken while
 * a page is writable.
 *
 * Step state is per vCPU and lists every page the instruction unshadowed (a write may span
 * two). A step ends at its single-step exit, or at the vCPU's next exit of any other kind
 * (an instruction whose event delivery clears TF never raises its #DB; the watchdog makes
 * sure such an exit comes): either way every page goes back to its shadow, and the other
 * vCPUs drop the writable translation before the guest runs on. */
#ifndef EXITLESS_VMM_STEP_H
#define EXITLESS_VMM_STEP_H

#include <stdbool.h>

#include "vmm/exit.h"
#include "vmm/guest.h"

/* An EPT write violation on a page `kind`'s owner shadows: unshadows it for this vCPU's
 * step (arming the step, or adding the page to the one in progress). False when the page
 * is not shadowed by that owner. */
bool step_page_write(struct vcpu *v, enum step_kind kind, uint64_t gpa);
/* Before handling an exit: ends a step in progress unless this exit is part of it. */
void step_before_exit(struct vcpu *v, const struct vexit *e);
/* Monitor-trap-flag exit, or the #DB of a TF step: ends the step. */
enum exit_action handle_mtf(struct vcpu *v);
/* A #DB exit outside a step: the trap flag a TF step left in an interrupt frame. True when
 * it was that (swallowed); false when the #DB is the guest's own. */
bool step_tf_residue(struct vcpu *v);

#endif
