/* The guest instruction behind an exit, for CPUs that do not say (no next-RIP save, no decode
 * assists: QEMU TCG, older hardware): fetched through the guest's page tables and decoded by
 * vmm/insn. The guest may rewrite the bytes between the exit and the fetch (another vCPU):
 * callers check the decoded instruction against the intercept. */
#include "vmm/gwalk.h"
#include "vmm/svm/svm.h"

#define EFER_LMA_BIT (1ull << 10)
#define CR0_PE_BIT (1ull << 0)
#define INSN_MAX 15

static enum insn_mode mode_of(const struct vmcb_save *s)
{
    if ((s->efer & EFER_LMA_BIT) && (s->cs.attrib & SEG_ATTR_L))
        return INSN_MODE64;
    if ((s->cr0 & CR0_PE_BIT) && (s->cs.attrib & SEG_ATTR_DB))
        return INSN_MODE32;
    return INSN_MODE16;
}

int svm_decode_rip(struct vcpu *v, struct insn *out)
{
    const struct vmcb_save *s = &svm_vcpu(v)->vmcb->save;
    enum insn_mode mode = mode_of(s);
    uint64_t lin = s->cs.base + s->rip;
    if (mode != INSN_MODE64)
        lin &= 0xffffffffull;
    uint8_t buf[INSN_MAX];
    size_t n = INSN_MAX;
    if (gwalk_read(v, lin, buf, n)) {
        /* The next page may be unmapped: an instruction that ends before it still decodes. */
        n = 4096 - (lin & 4095);
        if (n > INSN_MAX || gwalk_read(v, lin, buf, n))
            return -1;
    }
    return insn_decode(buf, n, mode, out);
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
