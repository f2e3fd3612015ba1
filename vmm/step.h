/* One guest instruction under single-step: how writes to pages the hypervisor shadows (the
 * IDT for ELI, an assigned function's MSI-X table) reach the real bytes and are re-examined.
 * The monitor trap flag where the CPU has it; else RFLAGS.TF with a #DB exit, never delivered
 * to the guest. External-interrupt exiting is on for the step, so no interrupt is taken while
 * the page is writable. */
#ifndef EXITLESS_VMM_STEP_H
#define EXITLESS_VMM_STEP_H

#include "vmm/exit.h"
#include "vmm/guest.h"

/* Arms the step; the caller has mapped the page writable. */
void step_begin(struct vcpu *v, enum step_kind kind);
/* Monitor-trap-flag exit, or the #DB of a TF step: disarms it and lets the owner of the
 * step re-shadow. */
enum exit_action handle_mtf(struct vcpu *v);

#endif
