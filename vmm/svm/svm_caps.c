/* SVM control computation and the VMRUN consistency checks (APM vol. 2, 15.5.1, 15.20).
 * Pure logic, unit-tested. */
#include <stdio.h>

#include "kernel/trap.h"
#include "vmm/svm/svm_caps.h"

#define CR0_CD (1ull << 30)
#define CR0_NW (1ull << 29)
#define CR0_PE_BIT (1ull << 0)
#define CR0_PG_BIT (1ull << 31)
#define CR4_PAE_BIT (1ull << 5)
#define EFER_LME_BIT (1ull << 8)
#define EFER_LMA_BIT (1ull << 10)
#define VEC_OF 4

const char *svm_unavailable_reason(const struct svm_caps *c)
{
    if (!c->svm)
        return "this CPU has no SVM (CPUID 0x80000001:ECX[2] is 0)";
    if (c->vm_cr_readable && (c->vm_cr & VM_CR_SVMDIS))
        return c->vm_cr & VM_CR_LOCK
                   ? "SVM is disabled by the firmware (VM_CR.SVMDIS set and locked); enable "
                     "AMD-V / SVM mode in the firmware setup"
                   : "SVM is disabled (VM_CR.SVMDIS set, not locked)";
    if (!(c->features & CPUID_8000000A_EDX_NP))
        return "this CPU lacks nested paging (CPUID 0x8000000A:EDX[0]), required for guest "
               "memory isolation";
    if (!c->long_mode)
        return "this CPU has no long mode (CPUID 0x80000001:EDX[29])";
    if (!c->nx)
        return "this CPU has no NX (CPUID 0x80000001:EDX[20]), needed for non-executable "
               "nested page-table entries";
    if (c->nasid < 2)
        return "this CPU offers no guest ASID (CPUID 0x8000000A:EBX < 2)";
    return NULL;
}

void svm_intr_bits(bool on, uint32_t *misc1, uint32_t *int_ctl)
{
    *misc1 = on ? *misc1 | INTERCEPT1_INTR : *misc1 & ~INTERCEPT1_INTR;
    *int_ctl = on ? *int_ctl | V_INTR_MASKING : *int_ctl & ~V_INTR_MASKING;
}

int svm_controls(const struct svm_caps *caps, enum intr_mode mode, struct svm_controls *out,
                 char *err, size_t errlen)
{
    const char *why = svm_unavailable_reason(caps);
    if (why) {
        snprintf(err, errlen, "SVM: %s", why);
        return -1;
    }
    bool exitless = mode == INTR_EXITLESS;
    *out = (struct svm_controls){ 0 };
    /* CR8 is the guest's TPR, kept in v->tpr: both directions exit so no guest value masks
     * the hypervisor's priority classes (0xe, 0xf) and the guest reads back what it wrote.
     * The CR0 read intercept is there for QEMU TCG, which checks every MOV-from-CR against
     * the CR0 read bit (DESIGN.md): without it a CR8 read would not exit there. The exit
     * handler decodes which CR was read. CR0/CR3 writes are the guest's own under nested
     * paging: no bit of them is the host's. CR4 writes exit to be checked against the bits
     * the CPU has (a VMXE or other must-be-zero bit gets #GP there): QEMU TCG takes CR4.VMXE
     * from an SVM guest without a #GP, and the next VMRUN then fails its checks. */
    out->cr_read = (1u << 0) | (1u << 8);
    out->cr_write = (1u << 4) | (1u << 8);
    /* The hypercall ABI is VMCALL (include/exitless/hypercall.h), which raises #UD on AMD:
     * #UD exits in every mode and a VMCALL behind it is the hypercall (svm_exit.c); any
     * other #UD is the guest's own and is reflected. ELI: a vector the shadow IDT hides
     * raises #NP, one past the guest's IDT limit #GP. */
    out->exceptions = (1u << VEC_UD) | (exitless ? (1u << VEC_NP) | (1u << VEC_GP) : 0);
    /* NMIs are the hypervisor's (kicks, the panic stop): always exit; they stay pending and
     * reach the host's IDT at STGI. Instructions the generic policy handles or refuses exit;
     * the SVM instructions the guest does not have exit and get #UD, so the guest can never
     * clear GIF and hold off the NMI. */
    out->misc1 = INTERCEPT1_NMI | INTERCEPT1_CPUID | INTERCEPT1_INVD | INTERCEPT1_HLT |
                 INTERCEPT1_IOIO_PROT | INTERCEPT1_MSR_PROT | INTERCEPT1_SHUTDOWN |
                 INTERCEPT1_RDPMC | INTERCEPT1_INVLPGA;
    /* Exitless: LIDT exits so the shadow follows the guest's IDT. SIDT needs no exit: the
     * shadow lives in the nested page tables, so the IDTR in the VMCB is the one the guest
     * loaded. GDTR/LDTR/TR are not intercepted either (SVM traps them one by one, unlike
     * VMX's descriptor-table exiting): LGDT, LLDT, LTR, SGDT, SLDT, STR run in the guest. */
    if (exitless)
        out->misc1 |= INTERCEPT1_IDTR_WRITE;
    out->misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
                 INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI | INTERCEPT2_SKINIT |
                 INTERCEPT2_WBINVD | INTERCEPT2_MONITOR | INTERCEPT2_MWAIT |
                 INTERCEPT2_MWAIT_COND | INTERCEPT2_XSETBV;
    /* V_INTR_MASKING goes with the INTR intercept (svm_intr_bits); the window request
     * (V_IRQ) ignores the TPR: the generic code decides priority. */
    out->int_ctl = 0;
    /* One ASID per core (each core runs one vCPU): flush just it where the CPU can. */
    out->tlb_flush = caps->features & CPUID_8000000A_EDX_FLUSHBYASID ? TLB_CONTROL_FLUSH_ASID
                                                                      : TLB_CONTROL_FLUSH_ALL;
    out->nrip = caps->features & CPUID_8000000A_EDX_NRIPS;
    out->decode_assists = caps->features & CPUID_8000000A_EDX_DECODE;
    /* Clean bits: none, ever. Every VMRUN reloads the whole VMCB; QEMU ignores them anyway,
     * so a wrong clean bit could never be caught in the test tier. */
    out->clean = 0;
    return 0;
}

bool svm_event_valid(uint32_t e)
{
    if (!(e & EVENT_VALID))
        return true;
    uint32_t type = event_type(e);
    uint8_t vec = event_vector(e);
    if (type == EVENT_TYPE_EXCEPTION)
        return vec != VEC_NMI && vec < 32;
    return type == EVENT_TYPE_INTR || type == EVENT_TYPE_NMI || type == EVENT_TYPE_SOFT_INT;
}

static bool above_phys(uint64_t addr, uint64_t len, unsigned phys_bits)
{
    uint64_t top = phys_bits >= 64 ? ~0ull : (1ull << phys_bits);
    return addr >= top || top - addr < len;
}

const char *svm_vmcb_check(const struct vmcb *vmcb, const struct svm_check_env *env)
{
    const struct vmcb_save *s = &vmcb->save;
    const struct vmcb_control *c = &vmcb->control;
    uint64_t mbz_phys = env->phys_bits >= 64 ? 0 : ~0ull << env->phys_bits;
    bool lme = s->efer & EFER_LME_BIT, pg = s->cr0 & CR0_PG_BIT;

    if (!(s->efer & EFER_SVME))
        return "save.efer: EFER.SVME is 0";
    if ((s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD))
        return "save.cr0: CR0.NW set without CR0.CD";
    if (s->cr0 >> 32)
        return "save.cr0: bits 63:32 are not zero";
    if ((s->efer & EFER_LMA_BIT) && (s->cr3 & mbz_phys))
        return "save.cr3: a must-be-zero bit (above the physical-address width) is set";
    if (s->cr4 & ~env->cr4_allowed)
        return "save.cr4: a must-be-zero bit (one this CPU does not implement) is set";
    if (s->dr6 >> 32)
        return "save.dr6: bits 63:32 are not zero";
    if (s->dr7 >> 32)
        return "save.dr7: bits 63:32 are not zero";
    if (s->efer & ~env->efer_allowed)
        return "save.efer: a must-be-zero bit is set";
    if ((s->efer & (EFER_LMA_BIT | EFER_LME_BIT)) && !env->long_mode)
        return "save.efer: EFER.LME/LMA set on a CPU without long mode";
    if (lme && pg && !(s->cr4 & CR4_PAE_BIT))
        return "save.cr4: EFER.LME and CR0.PG set with CR4.PAE clear";
    if (lme && pg && !(s->cr0 & CR0_PE_BIT))
        return "save.cr0: EFER.LME and CR0.PG set with CR0.PE clear";
    if (lme && pg && (s->cr4 & CR4_PAE_BIT) && (s->cs.attrib & SEG_ATTR_L) &&
        (s->cs.attrib & SEG_ATTR_DB))
        return "save.cs: CS.L and CS.D both set in long mode";
    if (!(c->intercept_misc2 & INTERCEPT2_VMRUN))
        return "control.intercept_misc2: the VMRUN intercept is clear";
    if (above_phys(c->msrpm_base_pa & ~0xfffull, env->msrpm_bytes, env->phys_bits))
        return "control.msrpm_base_pa: the MSR permission map extends past the physical "
               "address width";
    if (above_phys(c->iopm_base_pa & ~0xfffull, env->iopm_bytes, env->phys_bits))
        return "control.iopm_base_pa: the I/O permission map extends past the physical "
               "address width";
    if (!svm_event_valid(c->event_inj))
        return "control.event_inj: illegal event (reserved type, or an exception type on a "
               "vector that is no exception)";
    if (c->asid == 0)
        return "control.asid: ASID 0 is the host's";
    if ((c->nested_ctl & NESTED_CTL_NP_ENABLE) && (c->nested_cr3 & mbz_phys))
        return "control.nested_cr3: a must-be-zero bit (above the physical-address width) is "
               "set";
    return NULL;
}

uint32_t svm_reinject(uint32_t ii, bool exception_exit)
{
    if (!(ii & EVENT_VALID) || exception_exit)
        return 0;
    uint32_t type = event_type(ii);
    uint8_t vec = event_vector(ii);
    if (type == EVENT_TYPE_SOFT_INT ||
        (type == EVENT_TYPE_EXCEPTION && (vec == VEC_BP || vec == VEC_OF)))
        return 0;
    if (type == EVENT_TYPE_EXCEPTION && vec >= 32)
        type = EVENT_TYPE_INTR;
    uint32_t ev = type == EVENT_TYPE_EXCEPTION ? ii & EVENT_EV : 0;
    return vec | type | ev | EVENT_VALID;
}
