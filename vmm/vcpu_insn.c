/* The instruction at the guest's CS:RIP (vmm/vcpu_insn.h); the decisions are vmm/insn's. */
#include "kernel/arch.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_insn.h"

#define INSN_MAX 15

enum insn_mode vcpu_insn_mode(struct vcpu *v)
{
    return insn_mode_of(vcpu_get(v, VREG_CR0), vcpu_get(v, VREG_RFLAGS), vcpu_get(v, VREG_EFER),
                        vcpu_get(v, VREG_CS_LONG), vcpu_get(v, VREG_CS_DB));
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
        n = insn_bytes_in_page(lin);
        if (n == INSN_MAX || gwalk_read(v, lin, buf, n))
            return -1;
    }
    return insn_decode(buf, n, mode, in) ? -1 : 0;
}
