/* VMX operation on one CPU: capabilities, VMXON, and the negotiated controls. */
#ifndef EXITLESS_VMM_VMX_H
#define EXITLESS_VMM_VMX_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/vmx/vmx_caps.h"

/* Per-CPU VMX description, filled once by vmx_cpu_enable() on that CPU. */
struct vmx_cpu {
    bool on;
    struct vmx_caps caps;
    struct vmx_controls ctl[2];   /* indexed by enum intr_mode */
    bool mode_ok[2];
    char mode_err[2][160];
    uint64_t vmxon_phys;
    bool xsave;                   /* CR4.OSXSAVE is on: XSETBV works on the guest's behalf */
};

/* Reads the capability MSRs of this CPU (unit-testable values; MSRs a platform lacks
 * read as 0 and make negotiation fail loudly). */
void vmx_read_caps(struct vmx_caps *caps);
/* Feature control, CR0/CR4 fixed bits, VMXON. Returns 0, or -1 with a reason in err. */
int vmx_cpu_enable(char *err, size_t errlen) __attribute__((warn_unused_result));
struct vmx_cpu *vmx_this_cpu(void);

#endif
