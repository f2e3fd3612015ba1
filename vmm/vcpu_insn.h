/* The guest instruction at CS:RIP, fetched through the guest's page tables into a copy and
 * decoded (vmm/insn): for exits whose hardware report is incomplete or, on some emulators,
 * missing. The guest may rewrite the bytes meanwhile (another vCPU): callers check the
 * decoded instruction against what the exit says it was. */
#ifndef EXITLESS_VMM_VCPU_INSN_H
#define EXITLESS_VMM_VCPU_INSN_H

#include "vmm/insn/decode.h"

struct vcpu;

/* The decoding mode the vCPU's CS and CR0 select. */
enum insn_mode vcpu_insn_mode(struct vcpu *v);
/* 0 and *in filled, or -1 when the bytes cannot be fetched or do not decode. */
int vcpu_insn_at_rip(struct vcpu *v, enum insn_mode mode, struct insn *in);
/* The linear address of in's memory operand with the vCPU's registers and segment bases (the
 * instruction at RIP, in->len long). */
uint64_t vcpu_insn_linear(struct vcpu *v, const struct insn *in);

#endif
