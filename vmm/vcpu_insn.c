/* The instruction at the guest's CS:RIP (vmm/vcpu_insn.h). */
#include "kernel/arch.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_insn.h"

#define CR0_PE_BIT (1ull << 0)
#define RFLAGS_VM_BIT (1ull << 17)
#define EFER_LMA_BIT (1ull << 10)
#define INSN_MAX 15

enum insn_mode vcpu_insn_mode(struct vcpu *v)
{
    if (!(vcpu_get(v, VREG_CR0) & CR0_PE_BIT) || (vcpu_get(v, VREG_RFLAGS) & RFLAGS_VM_BIT))
        return INSN_MODE16;
    if ((vcpu_get(v, VREG_EFER) & EFER_LMA_BIT) && vcpu_get(v, VREG_CS_LONG))
        return INSN_MODE64;
    return vcpu_get(v, VREG_CS_DB) ? INSN_MODE32 : INSN_MODE16;
}

int vcpu_insn_at_rip(struct vcpu *v, enum insn_mode mode, struct insn *in)
{
    uint64_t lin = vcpu_get(v, VREG_CS_BASE) + vcpu_get(v, VREG_RIP);
    if (mode != INSN_MODE64)
        lin &= 0xffffffffull;
    uint8_t buf[INSN_MAX];
    size_t n = INSN_MAX;
    if (gwalk_read(v, lin, buf, n)) {
        /* The next page may be unmapped: an instruction that ends before it still decodes. */
        n = PAGE_4K - (lin & (PAGE_4K - 1));
        if (n > INSN_MAX || gwalk_read(v, lin, buf, n))
            return -1;
    }
    return insn_decode(buf, n, mode, in) ? -1 : 0;
}
