/* The guest instruction behind an exit, for CPUs that do not say (no next-RIP save, no decode
 * assists: QEMU TCG, older hardware): fetched through the guest's page tables and decoded by
 * vmm/insn. The guest may rewrite the bytes between the exit and the fetch (another vCPU):
 * callers check the decoded instruction against the intercept. */
#include "vmm/vcpu_insn.h"
#include "vmm/svm/svm.h"

int svm_decode_rip(struct vcpu *v, struct insn *out)
{
    return vcpu_insn_at_rip(v, vcpu_insn_mode(v), out);
}

uint64_t svm_operand_gla(struct vcpu *v, const struct insn *in)
{
    const struct vmcb_save *s = &svm_vcpu(v)->vmcb->save;
    const struct guest_regs *r = &v->regs;
    /* By encoding number (SDM table 2-2); RSP lives in the VMCB. */
    const uint64_t gpr[16] = { r->rax, r->rcx, r->rdx, r->rbx, s->rsp, r->rbp, r->rsi, r->rdi,
                               r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
    const uint64_t seg[INSN_SEGS] = { s->es.base, s->cs.base, s->ss.base,
                                      s->ds.base, s->fs.base, s->gs.base };
    return insn_mem_linear(&in->mem, gpr, s->rip + in->len, seg);
}
