/* SVM exit decoding (APM vol. 2, 15.7-15.13, appendix C): one table on the exit code gives the
 * generic kind and, where the generic handler needs operands, a decoder for EXITINFO1/2 or
 * for the instruction itself. Codes the table does not name become VEXIT_OTHER, which the
 * generic code reports loudly with the vendor's name for the code (no silent default). */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "vmm/intr/eli.h"
#include "vmm/svm/svm.h"

#define LAPIC_ISR0 0x100            /* xAPIC in-service register 0; x2APIC MSR 0x810 */
#define MSR_X2APIC_ISR0 0x810
#define ERR_EXT (1u << 0)           /* exception error code (SDM 6.13) */
#define ERR_IDT (1u << 1)
#define ERR_INDEX_SHIFT 3
/* Exceptions that push an error code (SDM table 6-1, APM 8.2). */
#define ERROR_CODE_VECTORS ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | \
                            (1u << 14) | (1u << 17) | (1u << 21) | (1u << 29) | (1u << 30))

typedef void (*svm_decoder)(struct vcpu *v, struct vmcb *vm, struct vexit *e);

struct exit_desc {
    enum vexit_kind kind;
    svm_decoder decode;             /* NULL: nothing beyond the kind */
    enum insn_op op;                /* an instruction the generic code skips: its opcode */
    uint8_t len;                    /* and its length without prefixes (decoding failed) */
};

bool svm_lapic_in_service(uint8_t vec)
{
    uint32_t bits = lapic_x2apic_mode() ? (uint32_t)rdmsr(MSR_X2APIC_ISR0 + vec / 32u)
                                        : lapic_read(LAPIC_ISR0 + 0x10u * (vec / 32u));
    return bits & (1u << (vec % 32u));
}

/* The length of the exiting instruction: next_rip where the CPU saves it, else decoded. */
static void set_len(struct vcpu *v, struct vmcb *vm, struct vexit *e, enum insn_op op,
                    uint8_t fallback)
{
    if (svm_vcpu(v)->ctl->nrip && vm->control.next_rip > vm->save.rip &&
        vm->control.next_rip - vm->save.rip <= 15) {
        e->insn_len = (uint8_t)(vm->control.next_rip - vm->save.rip);
        return;
    }
    struct insn in;
    e->insn_len = svm_decode_rip(v, &in) == 0 && in.op == op ? in.len : fallback;
}

/* #NP/#GP of an exitless guest raised while delivering a hardware interrupt through the
 * shadow IDT (a hypervisor vector, hidden) or past the guest's IDT limit. QEMU sets no EXT bit
 * and reports the interrupt as an exception-type EXITINTINFO (DESIGN.md), so the interrupt is
 * recognised by its vector (not the guest's, in EXITINTINFO and the error code's IDT index)
 * and by the host LAPIC, which has it in service. */
static bool hv_interrupt_delivery(struct vcpu *v, struct vmcb *vm, uint32_t err)
{
    uint32_t ii = vm->control.exit_int_info;
    uint8_t vec = event_vector(ii);
    if (v->guest->intr_mode != INTR_EXITLESS || !(ii & EVENT_VALID))
        return false;
    bool hw = event_type(ii) == EVENT_TYPE_INTR ||
              (event_type(ii) == EVENT_TYPE_EXCEPTION && vec >= 32);
    return hw && !eli_owned(v->guest, vec) && (err & ERR_IDT) && (err >> ERR_INDEX_SHIFT) == vec &&
           svm_lapic_in_service(vec);
}

static void decode_exception(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    uint8_t vec = (uint8_t)(vm->control.exit_code - SVM_EXIT_EXCP_BASE);
    e->exc.vector = vec;
    /* Intercepted exceptions are the CPU's own, but #BP and #OF, which INT3 and INTO raise. */
    e->exc.hardware = vec != VEC_BP && vec != 4 /* #OF */;
    e->exc.has_error = ERROR_CODE_VECTORS & (1u << vec);
    e->exc.error = e->exc.has_error ? (uint32_t)vm->control.exit_info_1 : 0;
    if (vec == VEC_PF)
        e->exc.info = vm->control.exit_info_2;
    else if (vec == VEC_DB)
        e->exc.info = vm->save.dr6;
    if (vec == VEC_NP || vec == VEC_GP)
        e->exc.hw_interrupt_delivery = hv_interrupt_delivery(v, vm, e->exc.error);
    /* QEMU reports an external interrupt being delivered as an exception-type EXITINTINFO
     * too (above): only the architectural exception vectors count as exceptions here. */
    uint32_t ii = vm->control.exit_int_info;
    e->exc.delivering = (ii & EVENT_VALID) && event_type(ii) == EVENT_TYPE_EXCEPTION &&
                                event_vector(ii) < 32 && !e->exc.hw_interrupt_delivery
                            ? (int16_t)event_vector(ii) : -1;
    /* A VMCALL, the hypercall ABI's instruction, raises #UD on AMD: it is the hypercall,
     * counted and handled as the VMMCALL exit is. Any other #UD stays the guest's. */
    struct insn in;
    if (vec == VEC_UD && svm_decode_rip(v, &in) == 0 && in.op == INSN_VMCALL) {
        e->kind = VEXIT_HYPERCALL;
        e->insn_len = in.len;
        memset(&e->exc, 0, sizeof(e->exc));
    }
}

/* MOV to/from CRn. With decode assists EXITINFO1 names the GPR; else the instruction is
 * decoded, which also gives the real CR of a read: QEMU reports every MOV-from-CR as a CR0
 * read (DESIGN.md). A CR0 read exit can also be SMSW, which the generic code does not
 * emulate: it stays VEXIT_OTHER. */
static void decode_cr(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    uint32_t code = vm->control.exit_code;
    bool write = code >= SVM_EXIT_WRITE_CR0;
    uint64_t info = vm->control.exit_info_1;
    if (svm_vcpu(v)->ctl->decode_assists && (info & CR_INFO_VALID)) {
        e->cr.cr = (uint8_t)(code & 0xf);
        e->cr.write = write;
        e->cr.gpr = (int8_t)(info & CR_INFO_GPR_MASK);
        set_len(v, vm, e, write ? INSN_MOV_TO_CR : INSN_MOV_FROM_CR, 3);
        return;
    }
    struct insn in;
    if (svm_decode_rip(v, &in) || (in.op != INSN_MOV_TO_CR && in.op != INSN_MOV_FROM_CR) ||
        (in.op == INSN_MOV_TO_CR) != write || in.cr < 0 || in.gpr < 0) {
        e->kind = VEXIT_OTHER;
        return;
    }
    e->cr.cr = (uint8_t)in.cr;
    e->cr.write = write;
    e->cr.gpr = (int8_t)in.gpr;
    e->insn_len = in.len;
}

static void decode_ioio(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    (void)v;
    uint64_t info = vm->control.exit_info_1;
    e->io.port = ioio_port(info);
    e->io.size = ioio_size(info);
    e->io.in = info & IOIO_TYPE_IN;
    e->io.string = info & IOIO_STR;
    e->io.rep = info & IOIO_REP;
    /* EXITINFO2 is the next RIP on every CPU (APM 15.10.2). */
    uint64_t next = vm->control.exit_info_2;
    e->insn_len = next > vm->save.rip && next - vm->save.rip <= 15
                      ? (uint8_t)(next - vm->save.rip) : 0;
}

static void decode_msr(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    bool write = vm->control.exit_info_1 & 1;
    e->kind = write ? VEXIT_MSR_WRITE : VEXIT_MSR_READ;
    set_len(v, vm, e, write ? INSN_WRMSR : INSN_RDMSR, 2);
}

static void decode_npf(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    (void)v;
    e->gpa.gpa = vm->control.exit_info_2;
    e->gpa.write = vm->control.exit_info_1 & NPF_WRITE;
    e->gpa.fetch = vm->control.exit_info_1 & NPF_FETCH;
    e->gpa.walk = vm->control.exit_info_1 & NPF_PAGE_TABLE_WALK; /* APM 15.25.6 */
    e->gpa.delivery = vm->control.exit_int_info & EVENT_VALID;
}

/* LIDT/LGDT/SIDT/SGDT and LLDT/LTR/SLDT/STR: the operand from the decoded instruction. */
static void decode_table(struct vcpu *v, struct vmcb *vm, struct vexit *e)
{
    static const enum insn_op want[] = {
        [SVM_EXIT_IDTR_READ - SVM_EXIT_IDTR_READ] = INSN_SIDT,
        [SVM_EXIT_GDTR_READ - SVM_EXIT_IDTR_READ] = INSN_SGDT,
        [SVM_EXIT_LDTR_READ - SVM_EXIT_IDTR_READ] = INSN_SLDT,
        [SVM_EXIT_TR_READ - SVM_EXIT_IDTR_READ] = INSN_STR,
        [SVM_EXIT_IDTR_WRITE - SVM_EXIT_IDTR_READ] = INSN_LIDT,
        [SVM_EXIT_GDTR_WRITE - SVM_EXIT_IDTR_READ] = INSN_LGDT,
        [SVM_EXIT_LDTR_WRITE - SVM_EXIT_IDTR_READ] = INSN_LLDT,
        [SVM_EXIT_TR_WRITE - SVM_EXIT_IDTR_READ] = INSN_LTR,
    };
    uint32_t code = vm->control.exit_code;
    struct insn in;
    if (svm_decode_rip(v, &in) || in.op != want[code - SVM_EXIT_IDTR_READ]) {
        e->kind = VEXIT_OTHER;
        return;
    }
    e->insn_len = in.len;
    e->dt.idt = code == SVM_EXIT_IDTR_READ || code == SVM_EXIT_IDTR_WRITE ||
                code == SVM_EXIT_LDTR_READ || code == SVM_EXIT_LDTR_WRITE;
    e->dt.store = code < SVM_EXIT_IDTR_WRITE;
    e->dt.opsize32 = in.opsize != 2;
    e->dt.has_mem = in.has_mem;
    e->dt.gpr = (int8_t)in.gpr;
    if (in.has_mem)
        e->dt.gla = svm_operand_gla(v, &in);
}

#define INSN(k, o, l) { .kind = (k), .op = (o), .len = (l) }
static const struct exit_desc exits[SVM_EXIT_CODES] = {
    [SVM_EXIT_INTR] = { .kind = VEXIT_EXTINT },
    [SVM_EXIT_NMI] = { .kind = VEXIT_NMI },
    [SVM_EXIT_VINTR] = { .kind = VEXIT_INTR_WINDOW },
    [SVM_EXIT_SHUTDOWN] = { .kind = VEXIT_SHUTDOWN },
    [SVM_EXIT_CPUID] = INSN(VEXIT_CPUID, INSN_CPUID, 2),
    [SVM_EXIT_HLT] = INSN(VEXIT_HLT, INSN_HLT, 1),
    [SVM_EXIT_VMMCALL] = INSN(VEXIT_HYPERCALL, INSN_VMMCALL, 3),
    [SVM_EXIT_XSETBV] = INSN(VEXIT_XSETBV, INSN_XSETBV, 3),
    [SVM_EXIT_INVD] = INSN(VEXIT_CACHE, INSN_INVD, 2),
    [SVM_EXIT_WBINVD] = INSN(VEXIT_CACHE, INSN_WBINVD, 2),
    [SVM_EXIT_IOIO] = { .kind = VEXIT_IO, .decode = decode_ioio },
    [SVM_EXIT_MSR] = { .kind = VEXIT_MSR_READ, .decode = decode_msr },
    [SVM_EXIT_IDTR_READ] = { .kind = VEXIT_DESC_TABLE, .decode = decode_table },
    [SVM_EXIT_GDTR_READ] = { .kind = VEXIT_DESC_TABLE, .decode = decode_table },
    [SVM_EXIT_IDTR_WRITE] = { .kind = VEXIT_DESC_TABLE, .decode = decode_table },
    [SVM_EXIT_GDTR_WRITE] = { .kind = VEXIT_DESC_TABLE, .decode = decode_table },
    [SVM_EXIT_LDTR_READ] = { .kind = VEXIT_SEG_TABLE, .decode = decode_table },
    [SVM_EXIT_TR_READ] = { .kind = VEXIT_SEG_TABLE, .decode = decode_table },
    [SVM_EXIT_LDTR_WRITE] = { .kind = VEXIT_SEG_TABLE, .decode = decode_table },
    [SVM_EXIT_TR_WRITE] = { .kind = VEXIT_SEG_TABLE, .decode = decode_table },
    /* Instructions the guest does not have: #UD, as on a CPU without SVM / MONITOR. */
    [SVM_EXIT_VMRUN] = { .kind = VEXIT_UD },
    [SVM_EXIT_VMLOAD] = { .kind = VEXIT_UD },
    [SVM_EXIT_VMSAVE] = { .kind = VEXIT_UD },
    [SVM_EXIT_STGI] = { .kind = VEXIT_UD },
    [SVM_EXIT_CLGI] = { .kind = VEXIT_UD },
    [SVM_EXIT_SKINIT] = { .kind = VEXIT_UD },
    [SVM_EXIT_INVLPGA] = { .kind = VEXIT_UD },
    [SVM_EXIT_MONITOR] = { .kind = VEXIT_UD },
    [SVM_EXIT_MWAIT] = { .kind = VEXIT_UD },
    [SVM_EXIT_MWAIT_COND] = { .kind = VEXIT_UD },
    /* One it may not run: no performance counters for guests. */
    [SVM_EXIT_RDPMC] = { .kind = VEXIT_GP },
};

void svm_decode_exit(struct vcpu *v, struct vexit *e)
{
    struct vmcb *vm = svm_vcpu(v)->vmcb;
    uint32_t code = vm->control.exit_code;
    e->raw = ((uint64_t)vm->control.exit_code_hi << 32) | code;
    e->rip = vm->save.rip;
    if (code < SVM_EXIT_READ_DR0) {
        e->kind = VEXIT_CR;
        decode_cr(v, vm, e);
        return;
    }
    if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR) {
        e->kind = VEXIT_EXCEPTION;
        decode_exception(v, vm, e);
        return;
    }
    if (code == SVM_EXIT_NPF) {
        e->kind = VEXIT_GPA;
        decode_npf(v, vm, e);
        return;
    }
    const struct exit_desc *d = code < SVM_EXIT_CODES ? &exits[code] : NULL;
    if (!d || (d->kind == VEXIT_OTHER && !d->decode)) {
        e->kind = VEXIT_OTHER;
        return;
    }
    e->kind = d->kind;
    if (d->decode)
        d->decode(v, vm, e);
    else if (d->op != INSN_UNKNOWN)
        set_len(v, vm, e, d->op, d->len);
}
