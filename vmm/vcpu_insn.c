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

uint64_t vcpu_insn_linear(struct vcpu *v, const struct insn *in)
{
    uint64_t gpr[16];
    for (unsigned i = 0; i < 16; i++)
        gpr[i] = vcpu_gpr_read(v, i);
    const uint64_t seg[INSN_SEGS] = {
        vcpu_get(v, VREG_ES_BASE), vcpu_get(v, VREG_CS_BASE), vcpu_get(v, VREG_SS_BASE),
        vcpu_get(v, VREG_DS_BASE), vcpu_get(v, VREG_FS_BASE), vcpu_get(v, VREG_GS_BASE),
    };
    return insn_mem_linear(&in->mem, gpr, vcpu_get(v, VREG_RIP) + in->len, seg);
}
