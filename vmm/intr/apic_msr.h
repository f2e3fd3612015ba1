/* The guest's local APIC as software sees it through MSRs: the APIC base MSR and the x2APIC
 * registers (SDM vol. 3, 11.4.4 and 11.12, table 11-6), their rules for the permission maps
 * and the emulation of what exits. The generic MSR code (vmm/msr.c) asks here first for
 * every MSR these cover. */
#ifndef EXITLESS_VMM_APIC_MSR_H
#define EXITLESS_VMM_APIC_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/msr.h"

struct vcpu;

/* The rule of an APIC MSR (x2APIC registers only while the host's APICs are in x2APIC
 * mode), or NULL when `msr` is not one. */
const struct msr_rule *apic_msr_rule(uint32_t msr);
/* msr_pass_each's part: the passed-through APIC reads and writes, and the EOI write of
 * exitless guests. */
void apic_msr_pass_each(msr_pass_fn fn, void *ctx, bool exitless);
/* An MSR_EMULATE access of an APIC MSR: 0, or -1 when the guest gets #GP. */
int apic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
