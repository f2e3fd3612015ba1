/* The system-table instructions a vendor makes exit, emulated the same on every vendor:
 * LGDT/LIDT/SGDT/SIDT (ELI keeps the guest's view of its IDT and shadows what it loads) and
 * LLDT/LTR/SLDT/STR (VMX's descriptor-table exiting traps them too). Operands are read and
 * written through the guest's page tables; every check the CPU makes is made here first
 * (SDM vol. 2, LGDT/LIDT, LLDT, LTR, SGDT/SIDT, SLDT, STR). */
#include <string.h>

#include "kernel/trap.h"
#include "vmm/exit.h"
#include "vmm/gwalk.h"
#include "vmm/intr/eli.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_insn.h"

#define EFER_LMA_BIT (1ull << 10)
#define SEL_TI (1u << 2)
#define DESC_P (1u << 7)            /* access byte */
#define DESC_S (1u << 4)
#define TYPE_LDT 0x2u
#define TYPE_TSS16_AVAIL 0x1u
#define TYPE_TSS_AVAIL 0x9u
#define TYPE_TSS_BUSY_BIT 0x2u

/* LGDT/LIDT outside long mode: a 16-bit operand size loads only 24 bits of base. VMX reports
 * the size in the instruction information (bit 11) but Bochs leaves that bit clear, so the
 * size comes from the instruction itself whenever it decodes as the exit says. */
static bool opsize32(struct vcpu *v, const struct vexit *e)
{
    struct insn in;
    if (vcpu_insn_at_rip(v, vcpu_insn_mode(v), &in) == 0 &&
        in.op == (e->dt.idt ? INSN_LIDT : INSN_LGDT))
        return in.opsize != 2;
    return e->dt.opsize32;
}

static enum exit_action fault(struct vcpu *v, uint8_t vec, uint32_t err)
{
    vcpu_inject_exception(v, vec, true, err);
    return EXIT_RESUME;
}

/* An operand the guest's page tables do not map: a #PF as the CPU would raise (the address
 * is not reported in CR2: guests here never rely on it for these instructions). */
static enum exit_action bad_operand(struct vcpu *v)
{
    return fault(v, VEC_PF, 0);
}

enum exit_action handle_desc_table(struct vcpu *v)
{
    const struct vexit *e = &v->exit;
    bool lma = vcpu_get(v, VREG_EFER) & EFER_LMA_BIT;
    bool idt = e->dt.idt;
    enum vreg base_r = idt ? VREG_IDTR_BASE : VREG_GDTR_BASE;
    enum vreg limit_r = idt ? VREG_IDTR_LIMIT : VREG_GDTR_LIMIT;
    uint8_t desc[10] = { 0 };
    size_t len = lma ? 10 : 6;

    if (e->dt.store) { /* SGDT/SIDT: store limit and base as the CPU would */
        uint16_t limit = (uint16_t)vcpu_get(v, limit_r);
        uint64_t base = vcpu_get(v, base_r);
        memcpy(desc, &limit, 2);
        memcpy(desc + 2, &base, lma ? 8 : 4);
        if (gwalk_write(v, e->dt.gla, desc, len))
            return bad_operand(v);
    } else {
        if (vcpu_guest_cpl(v) != 0)
            return fault(v, VEC_GP, 0);
        uint16_t limit;
        uint64_t base = 0;
        if (gwalk_read(v, e->dt.gla, desc, len))
            return bad_operand(v);
        memcpy(&limit, desc, 2);
        memcpy(&base, desc + 2, lma ? 8 : 4);
        if (!lma && !opsize32(v, e))
            base &= 0xffffff;
        if (lma && (uint64_t)((int64_t)(base << 16) >> 16) != base)
            return fault(v, VEC_GP, 0); /* non-canonical base */
        vcpu_set(v, base_r, base);
        vcpu_set(v, limit_r, limit);
        if (idt && v->guest->intr_mode == INTR_EXITLESS && eli_idt_loaded(v, base, limit))
            return EXIT_STOP;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* LLDT/LTR: the descriptor the selector names in the GDT, checked as the CPU checks it. */
static enum exit_action load_sys_seg(struct vcpu *v, bool tr, uint16_t sel)
{
    bool lma = vcpu_get(v, VREG_EFER) & EFER_LMA_BIT;
    if (vcpu_guest_cpl(v) != 0)
        return fault(v, VEC_GP, 0);
    if (!(sel & ~3u)) {
        if (tr)
            return fault(v, VEC_GP, 0);         /* LTR of a null selector */
        vendor->load_sys_seg(v, false, sel, 0, 0, 0); /* LLDT 0: no LDT */
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    }
    uint32_t err = sel & ~3u;
    uint64_t index = sel & ~7u, size = lma ? 16 : 8;
    if ((sel & SEL_TI) || index + size - 1 > vcpu_get(v, VREG_GDTR_LIMIT))
        return fault(v, VEC_GP, err);
    uint32_t d[4] = { 0 };
    uint64_t gla = vcpu_get(v, VREG_GDTR_BASE) + index;
    if (gwalk_read(v, gla, d, size))
        return bad_operand(v);
    uint8_t access = (uint8_t)(d[1] >> 8), type = access & 0xf;
    bool type_ok = tr ? (type == TYPE_TSS_AVAIL || (!lma && type == TYPE_TSS16_AVAIL))
                      : type == TYPE_LDT;
    if ((access & DESC_S) || !type_ok || (lma && ((d[3] >> 8) & 0x1f)))
        return fault(v, VEC_GP, err);
    if (!(access & DESC_P))
        return fault(v, VEC_NP, err);
    uint64_t base = (d[0] >> 16) | ((d[1] & 0xff) << 16) | (d[1] & 0xff000000u);
    if (lma)
        base |= (uint64_t)d[2] << 32;
    if (lma && (uint64_t)((int64_t)(base << 16) >> 16) != base)
        return fault(v, VEC_GP, err);
    uint32_t limit = (d[0] & 0xffff) | (d[1] & 0xf0000);
    uint16_t flags = (uint16_t)((d[1] >> 20) & 0xf);
    if (flags & 0x8)
        limit = (limit << 12) | 0xfff;
    if (tr) {
        /* The CPU marks the TSS busy in the GDT. */
        access |= TYPE_TSS_BUSY_BIT;
        uint8_t byte = access;
        if (gwalk_write(v, gla + 5, &byte, 1))
            return bad_operand(v);
    }
    vendor->load_sys_seg(v, tr, sel, base, limit, (uint16_t)(access | flags << 8));
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action handle_seg_table(struct vcpu *v)
{
    const struct vexit *e = &v->exit;
    bool tr = !e->dt.idt;        /* TR, else LDTR */
    if (e->dt.store) {
        uint16_t sel = (uint16_t)vcpu_get(v, tr ? VREG_TR_SEL : VREG_LDTR_SEL);
        if (e->dt.has_mem) {
            if (gwalk_write(v, e->dt.gla, &sel, 2))
                return bad_operand(v);
        } else {
            vcpu_gpr_write(v, (unsigned)e->dt.gpr, sel); /* zero-extended (SDM SLDT/STR) */
        }
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    }
    uint16_t sel;
    if (e->dt.has_mem) {
        if (gwalk_read(v, e->dt.gla, &sel, 2))
            return bad_operand(v);
    } else {
        sel = (uint16_t)vcpu_gpr_read(v, (unsigned)e->dt.gpr);
    }
    return load_sys_seg(v, tr, sel);
}
