/* All-ones reads (vmm/unbacked.h): the faulting instruction fetched through the guest's page
 * tables (copied once, then only the copy is decoded), checked to be a load whose operand
 * covers the faulting address, its bytes read (RAM where they are RAM, all ones where
 * nothing is), its destination written and the instruction skipped. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "vmm/gwalk.h"
#include "vmm/unbacked.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_insn.h"

/* The instruction at CS:RIP, as the guest's page tables map it. NULL, or why not. */
static const char *fetch(struct vcpu *v, enum insn_mode mode, struct insn *in)
{
    if (vcpu_insn_at_rip(v, mode, in))
        return "cannot fetch it through the guest's page tables, or not an instruction the "
               "hypervisor emulates";
    if ((in->op != INSN_MOV_LOAD && in->op != INSN_MOVZX && in->op != INSN_MOVSX) ||
        !in->has_mem)
        return "not a load into a register (MOV, MOVZX, MOVSX, MOVSXD)";
    return NULL;
}

/* The operand's bytes, page by page: guest RAM as it is, all ones where the guest has nothing
 * mapped. NULL, or why not (a page that is neither, the fault's page not among them). */
static const char *read_operand(struct vcpu *v, uint64_t gla, bool long_mode, unsigned size,
                                uint64_t fault_gpa, uint64_t *val)
{
    uint8_t bytes[8];
    bool covers_fault = false;
    for (unsigned k = 0; k < size;) {
        uint64_t lin = long_mode ? gla + k : (gla + k) & 0xffffffffull, gpa, hpa;
        unsigned chunk = (unsigned)(PAGE_4K - (lin & (PAGE_4K - 1)));
        if (chunk > size - k)
            chunk = size - k;
        if (gwalk_translate(v, lin, &gpa))
            return "its operand is not mapped by the guest's page tables";
        if (gpa >> 12 == fault_gpa >> 12)
            covers_fault = true;
        if (guest_read(v->guest, gpa, bytes + k, chunk)) {
            if (!gpmap_translate(&v->guest->gpmap, gpa, 0, &hpa))
                return "its operand is partly device memory";
            for (unsigned i = 0; i < chunk; i++)
                bytes[k + i] = 0xff;
        }
        k += chunk;
    }
    if (!covers_fault)
        return "its operand does not cover the faulting address (changed under it?)";
    *val = 0;
    for (unsigned i = 0; i < size; i++)
        *val |= (uint64_t)bytes[i] << (8 * i);
    return NULL;
}

enum unbacked_outcome unbacked_read(struct vcpu *v)
{
    struct vexit *e = &v->exit;
    struct guest *g = v->guest;
    uint64_t hpa, val = 0;
    /* Only a read by the instruction itself (not by the CPU's page walk or its delivery of
     * an event) of a page nothing is mapped at. */
    if (e->gpa.write || e->gpa.fetch || e->gpa.walk || e->gpa.delivery ||
        !gpmap_translate(&g->gpmap, e->gpa.gpa, 0, &hpa))
        return UNBACKED_NO;
    enum insn_mode mode = vcpu_insn_mode(v);
    struct insn in;
    const char *why = fetch(v, mode, &in);
    if (!why)
        why = read_operand(v, vcpu_insn_linear(v, &in), in.mem.long_mode, in.mem_size,
                           e->gpa.gpa, &val);
    if (why) {
        guest_fault(g, "read of guest-physical %#lx, where it has neither RAM nor a device, "
                       "at rip %#lx: cannot answer it: %s", e->gpa.gpa, e->rip, why);
        return UNBACKED_STOPPED;
    }
    unsigned reg = (unsigned)in.gpr - (in.gpr_high8 ? 4u : 0u);
    vcpu_gpr_write(v, reg, unbacked_load_result(in.op, val, in.mem_size, in.opsize,
                                                in.gpr_high8, vcpu_gpr_read(v, reg)));
    e->insn_len = in.len;
    vcpu_skip_instruction(v);
    /* The instruction completed: RF, if the guest's IRET set it, is cleared as the CPU does. */
    uint64_t rflags = vcpu_get(v, VREG_RFLAGS);
    if (rflags & RFLAGS_RF)
        vcpu_set(v, VREG_RFLAGS, rflags & ~RFLAGS_RF);
    spin_lock(&g->unbacked_lock);
    bool first = unbacked_note(&g->unbacked, e->gpa.gpa);
    spin_unlock(&g->unbacked_lock);
    if (first)
        log_info("mem", "%s: %u-byte read of guest-physical %#lx at rip %#lx: neither RAM "
                        "nor a device there, all ones (logged once per page)", g->name,
                 in.mem_size, e->gpa.gpa, e->rip);
    return UNBACKED_EMULATED;
}

void unbacked_report(struct guest *g)
{
    spin_lock(&g->unbacked_lock);
    uint64_t reads = g->unbacked.reads, unlogged = g->unbacked.unlogged_reads;
    uint32_t pages = g->unbacked.npages;
    spin_unlock(&g->unbacked_lock);
    if (reads)
        log_info("stats", "%s: %lu reads of unbacked guest-physical addresses answered with "
                          "all ones (%u pages logged, %lu reads on pages not logged)",
                 g->name, reads, pages, unlogged);
}
