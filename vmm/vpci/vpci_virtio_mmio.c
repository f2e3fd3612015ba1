/* Memory accesses to a virtio function's BAR0 outside its notification page
 * (vmm/vpci/vpci_virtio_fn.h): the common, ISR and device configuration and the MSI-X table,
 * as a stock driver reaches them. Nothing is mapped there, so each access is an EPT violation
 * (VMX) or nested page fault (SVM): configuration, never the data path. The instruction is
 * fetched through the guest's page tables into a copy, decoded (vmm/insn), checked to be a
 * plain MOV load or store whose operand lies at the faulting address, and applied to the
 * transport's registers (vmm/vpci/vpci_virtio_bar.c) as the register functions say. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "drivers/pci/pci.h"
#include "vmm/guest.h"
#include "vmm/gwalk.h"
#include "vmm/unbacked.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_insn.h"
#include "vmm/vpci/vpci_virtio_fn.h"

/* The function of v's guest whose BAR0 holds gpa, else NULL. The slot table is read-only
 * after guest creation (vpci_virtio_fn.h). */
static struct vpci_vfn *fn_at(struct guest *g, uint64_t gpa)
{
    for (unsigned k = 0; k < g->vpci.nvirtio; k++) {
        struct vpci_vfn *f = vpci_virtio_fn_get(g->id, k);
        if (f && gpa - f->tr.bar_gpa < VPCI_VIRTIO_BAR_SIZE)
            return f;
    }
    return NULL;
}

static bool is_load(enum insn_op op)
{
    return op == INSN_MOV_LOAD || op == INSN_MOVZX || op == INSN_MOVSX;
}

/* The register value a store writes: mem_size bytes of the source register or immediate. */
static uint64_t store_value(struct vcpu *v, const struct insn *in)
{
    uint64_t val;
    if (in->op == INSN_MOV_STORE_IMM)
        val = in->imm;
    else if (in->gpr_high8)
        val = vcpu_gpr_read(v, (unsigned)in->gpr - 4u) >> 8;
    else
        val = vcpu_gpr_read(v, (unsigned)in->gpr);
    return in->mem_size == 8 ? val : val & ((1ull << (8 * in->mem_size)) - 1);
}

/* The instruction behind the fault, decoded and checked against it. NULL, or why not. */
static const char *decode(struct vcpu *v, const struct vpci_vfn *f, bool write, struct insn *in,
                          uint32_t *off)
{
    enum insn_mode mode = vcpu_insn_mode(v);
    if (vcpu_insn_at_rip(v, mode, in) || !in->has_mem)
        return "cannot fetch it through the guest's page tables, or not an instruction the "
               "hypervisor emulates";
    bool store = in->op == INSN_MOV_STORE || in->op == INSN_MOV_STORE_IMM;
    if (write ? !store : !is_load(in->op))
        return write ? "not a MOV store of a register or an immediate"
                     : "not a load into a register (MOV, MOVZX, MOVSX, MOVSXD)";
    uint64_t gpa;
    if (gwalk_translate(v, vcpu_insn_linear(v, in), &gpa))
        return "its operand is not mapped by the guest's page tables";
    if (gpa >> 12 != v->exit.gpa.gpa >> 12 || (gpa & 0xfff) + in->mem_size > 0x1000)
        return "its operand is not (wholly) on the faulting page (changed under it?)";
    *off = (uint32_t)(gpa - f->tr.bar_gpa);
    return NULL;
}

enum unbacked_outcome vpci_virtio_mmio(struct vcpu *v)
{
    struct vexit *e = &v->exit;
    struct guest *g = v->guest;
    if (e->gpa.fetch || e->gpa.walk || e->gpa.delivery)
        return UNBACKED_NO;
    struct vpci_vfn *f = fn_at(g, e->gpa.gpa);
    if (!f)
        return UNBACKED_NO;
    bool write = e->gpa.write;
    struct insn in;
    uint32_t off;
    const char *why = decode(v, f, write, &in, &off);
    if (why) {
        guest_fault(g, "%s of virtio %s %u's BAR0 at guest-physical %#lx, rip %#lx: cannot "
                       "emulate it: %s", write ? "write" : "read", f->is_net ? "net" : "blk",
                    f->index, e->gpa.gpa, e->rip, why);
        return UNBACKED_STOPPED;
    }
    /* Memory decoding off: as a bus with nobody answering, reads all ones, writes lost. The
     * register functions ignore sizes and places no register has (reads 0). */
    spin_lock(&f->tr.lock);
    bool decoding = f->tr.command & PCI_COMMAND_MEMORY;
    spin_unlock(&f->tr.lock);
    if (write) {
        if (decoding)
            (void)vpci_virtio_mmio_write(&f->tr, off, in.mem_size, store_value(v, &in));
    } else {
        uint64_t val = decoding ? vpci_virtio_mmio_read(&f->tr, off, in.mem_size) : ~0ull;
        unsigned reg = (unsigned)in.gpr - (in.gpr_high8 ? 4u : 0u);
        vcpu_gpr_write(v, reg, unbacked_load_result(in.op, val, in.mem_size, in.opsize,
                                                    in.gpr_high8, vcpu_gpr_read(v, reg)));
    }
    __atomic_add_fetch(&f->mmio_exits, 1, __ATOMIC_RELAXED);
    e->insn_len = in.len;
    vcpu_skip_instruction(v);
    uint64_t rflags = vcpu_get(v, VREG_RFLAGS);
    if (rflags & RFLAGS_RF)
        vcpu_set(v, VREG_RFLAGS, rflags & ~RFLAGS_RF);
    return UNBACKED_EMULATED;
}
