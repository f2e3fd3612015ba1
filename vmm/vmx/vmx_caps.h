/* VMX capabilities of a CPU and the negotiation of the controls every guest core uses. */
#ifndef EXITLESS_VMM_VMX_CAPS_H
#define EXITLESS_VMM_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/vendor.h"

/* Raw capability MSRs (SDM appendix A); the control MSRs are the TRUE_ ones when
 * IA32_VMX_BASIC[55] says they exist. Low 32 bits: allowed-0 (must be 1); high 32 bits:
 * allowed-1 (may be 1). */
struct vmx_caps {
    uint64_t basic;
    uint64_t pinbased, procbased, procbased2, exit, entry;
    uint64_t misc, ept_vpid;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};


/* The negotiated controls and the optional features they turned on. */
struct vmx_controls {
    uint32_t pin, proc, proc2, exit, entry;
    bool vpid;              /* tag guest TLB entries: no flush on every exit */
    bool ept_2m, ept_1g;    /* large EPT pages */
    bool invept_single, invvpid_single;
    bool rdtscp, invpcid, xsaves;
    bool descriptor_exiting; /* LGDT/LIDT/SGDT/SIDT exits (ELI keeps the guest's IDT view) */
    bool hlt_exiting_optional; /* HLT exiting may be turned off (an idle guest's HLT, vmx_events.c) */
    bool monitor_trap_flag;  /* single-step exits (else ELI steps with RFLAGS.TF and #DB) */
    bool preemption_timer;   /* the watchdog that bounds the time between exits */
    unsigned preemption_timer_shift; /* the timer counts TSC >> this (IA32_VMX_MISC[4:0]) */
    bool wbinvd_exiting;     /* else WBINVD runs in the guest (CPUs without the control) */
};

/* Computes the controls for `mode`. Returns 0, or -1 with err naming the first missing
 * required feature ("VMX: this CPU lacks <feature> (<control> bit N), required for ..."). */
int vmx_negotiate(const struct vmx_caps *caps, enum intr_mode mode, struct vmx_controls *out,
                  char *err, size_t errlen) __attribute__((warn_unused_result));

/* CR0/CR4 adjusted to the fixed bits VMX operation (or a guest) requires (SDM A.7, A.8). */
uint64_t vmx_fixed_cr0(const struct vmx_caps *caps, uint64_t cr0, bool unrestricted_guest);
uint64_t vmx_fixed_cr4(const struct vmx_caps *caps, uint64_t cr4);

#endif
