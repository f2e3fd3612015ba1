/* Unit tests for the SVM control computation: both interrupt modes, CPUs with and without
 * NRIP save, decode assists, FlushByAsid and VGIF (QEMU TCG has none of the first three), and
 * CPUs that cannot run guests at all. */
#include "check.h"
#include "kernel/trap.h"
#include "vmm/svm/svm_caps.h"

/* QEMU 10 TCG, -cpu max: NP + VGIF (+ one more bit), 16 ASIDs (DESIGN.md). */
static const struct svm_caps qemu = {
    .svm = true,
    .vm_cr_readable = true,
    .vm_cr = 0,
    .long_mode = true,
    .nx = true,
    .revision = 1,
    .nasid = 16,
    .features = CPUID_8000000A_EDX_NP | CPUID_8000000A_EDX_VGIF,
    .phys_bits = 40,
};

static void test_injected(void)
{
    struct svm_controls c;
    char err[200] = "";
    CHECK(svm_controls(&qemu, INTR_INJECTED, &c, err, sizeof(err)) == 0, "%s", err);
    uint32_t want1 = INTERCEPT1_NMI | INTERCEPT1_CPUID | INTERCEPT1_HLT | INTERCEPT1_IOIO_PROT |
                     INTERCEPT1_MSR_PROT | INTERCEPT1_SHUTDOWN | INTERCEPT1_INVD |
                     INTERCEPT1_RDPMC | INTERCEPT1_INVLPGA;
    CHECK((c.misc1 & want1) == want1, "misc1 %#x", c.misc1);
    CHECK(!(c.misc1 & (INTERCEPT1_INTR | INTERCEPT1_VINTR)), "INTR/VINTR set per vCPU: %#x",
          c.misc1);
    CHECK(!(c.misc1 & (INTERCEPT1_IDTR_READ | INTERCEPT1_IDTR_WRITE)), "injected: no IDTR exits");
    CHECK(!(c.misc1 & (INTERCEPT1_LDTR_WRITE | INTERCEPT1_TR_WRITE | INTERCEPT1_GDTR_WRITE)),
          "LLDT/LTR/LGDT never exit on SVM");
    uint32_t want2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
                     INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI | INTERCEPT2_SKINIT |
                     INTERCEPT2_WBINVD | INTERCEPT2_MONITOR | INTERCEPT2_MWAIT |
                     INTERCEPT2_MWAIT_COND | INTERCEPT2_XSETBV;
    CHECK_EQ_U64(c.misc2, want2, "misc2");
    CHECK_EQ_U64(c.cr_write, (1u << 4) | (1u << 8), "CR4 and CR8 writes exit, nothing else");
    CHECK_EQ_U64(c.cr_read, (1u << 0) | (1u << 8), "CR8 reads exit (and CR0: QEMU keys reads on it)");
    CHECK_EQ_U64(c.exceptions, 1u << VEC_UD, "injected: #UD (VMCALL) only");
    CHECK(!c.nrip && !c.decode_assists, "QEMU: no NRIP, no decode assists");
    CHECK_EQ_U64(c.tlb_flush, TLB_CONTROL_FLUSH_ALL, "no FlushByAsid: flush all ASIDs");
    CHECK_EQ_U64(c.clean, 0, "clean bits never used");
    CHECK_EQ_U64(c.int_ctl, 0, "int_ctl: nothing before the INTR bits");
}

static void test_exitless(void)
{
    struct svm_controls c;
    char err[200] = "";
    CHECK(svm_controls(&qemu, INTR_EXITLESS, &c, err, sizeof(err)) == 0, "%s", err);
    CHECK_EQ_U64(c.exceptions, (1u << VEC_UD) | (1u << VEC_NP) | (1u << VEC_GP),
                 "ELI: #UD (VMCALL), #NP and #GP exit");
    CHECK(c.misc1 & INTERCEPT1_IDTR_WRITE, "ELI: LIDT exits: %#x", c.misc1);
    CHECK(!(c.misc1 & INTERCEPT1_IDTR_READ), "SIDT runs in the guest (the IDTR is the guest's)");
    CHECK(!(c.misc1 & (INTERCEPT1_GDTR_READ | INTERCEPT1_GDTR_WRITE | INTERCEPT1_LDTR_READ |
                       INTERCEPT1_LDTR_WRITE | INTERCEPT1_TR_READ | INTERCEPT1_TR_WRITE)),
          "exitless: LGDT/LLDT/LTR and their stores run in the guest");
    CHECK(c.misc1 & INTERCEPT1_NMI, "NMIs always exit");
    CHECK(!(c.misc1 & INTERCEPT1_INTR), "INTR decided per vCPU");
    CHECK(c.cr_write & (1u << 8), "exitless: CR8 writes exit (the guest's CR8 is the TPR)");
}

static void test_intr_bits(void)
{
    uint32_t misc1 = INTERCEPT1_NMI, int_ctl = V_TPR_MASK;
    svm_intr_bits(true, &misc1, &int_ctl);
    CHECK_EQ_U64(misc1, INTERCEPT1_NMI | INTERCEPT1_INTR, "on: INTR intercept");
    CHECK_EQ_U64(int_ctl, V_TPR_MASK | V_INTR_MASKING, "on: host IF masks physical interrupts");
    svm_intr_bits(false, &misc1, &int_ctl);
    CHECK_EQ_U64(misc1, INTERCEPT1_NMI, "off: no INTR intercept");
    CHECK_EQ_U64(int_ctl, V_TPR_MASK, "off: V_INTR_MASKING 0 (ELI)");
}

static void test_hardware(void)
{
    struct svm_caps hw = qemu;
    hw.features |= CPUID_8000000A_EDX_NRIPS | CPUID_8000000A_EDX_DECODE |
                   CPUID_8000000A_EDX_FLUSHBYASID | CPUID_8000000A_EDX_VMCBCLEAN;
    struct svm_controls c;
    char err[200] = "";
    CHECK(svm_controls(&hw, INTR_INJECTED, &c, err, sizeof(err)) == 0, "%s", err);
    CHECK(c.nrip && c.decode_assists, "NRIP and decode assists used where present");
    CHECK_EQ_U64(c.tlb_flush, TLB_CONTROL_FLUSH_ASID, "FlushByAsid: flush only the guest's ASID");
    CHECK_EQ_U64(c.clean, 0, "clean bits unused even when the CPU has them");
    hw.features &= ~CPUID_8000000A_EDX_VGIF;
    struct svm_controls c2;
    CHECK(svm_controls(&hw, INTR_INJECTED, &c2, err, sizeof(err)) == 0, "no VGIF is fine: %s", err);
    CHECK_EQ_U64(c2.misc1, c.misc1, "VGIF changes nothing (GIF is never virtualized)");
}

static void expect_fail(struct svm_caps caps, const char *want)
{
    struct svm_controls c;
    char err[300] = "";
    CHECK(svm_controls(&caps, INTR_INJECTED, &c, err, sizeof(err)) == -1, "accepted: want '%s'", want);
    CHECK_STREQ(err, want, "error");
    CHECK_STREQ(svm_unavailable_reason(&caps), want + 5, "svm_unavailable_reason");
}

static void test_missing(void)
{
    struct svm_caps c = qemu;
    c.svm = false;
    expect_fail(c, "SVM: this CPU has no SVM (CPUID 0x80000001:ECX[2] is 0)");
    c = qemu;
    c.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;
    expect_fail(c, "SVM: SVM is disabled by the firmware (VM_CR.SVMDIS set and locked); enable "
                   "AMD-V / SVM mode in the firmware setup");
    c = qemu;
    c.features &= ~CPUID_8000000A_EDX_NP;
    expect_fail(c, "SVM: this CPU lacks nested paging (CPUID 0x8000000A:EDX[0]), required for "
                   "guest memory isolation");
    c = qemu;
    c.nx = false;
    expect_fail(c, "SVM: this CPU has no NX (CPUID 0x80000001:EDX[20]), needed for "
                   "non-executable nested page-table entries");
    c = qemu;
    c.nasid = 1;
    expect_fail(c, "SVM: this CPU offers no guest ASID (CPUID 0x8000000A:EBX < 2)");
    CHECK(svm_unavailable_reason(&qemu) == NULL, "QEMU max is usable");
    struct svm_caps c2 = qemu;
    c2.vm_cr_readable = false;
    c2.vm_cr = VM_CR_SVMDIS;
    CHECK(svm_unavailable_reason(&c2) == NULL, "VM_CR unreadable: its value is not trusted");
}

static void test_events(void)
{
    CHECK(svm_event_valid(0), "no event");
    CHECK(svm_event_valid(EVENT_VALID | EVENT_TYPE_EXCEPTION | EVENT_EV | VEC_GP), "#GP");
    CHECK(svm_event_valid(EVENT_VALID | EVENT_TYPE_INTR | 0xdf), "interrupt");
    CHECK(svm_event_valid(EVENT_VALID | EVENT_TYPE_NMI | 2), "NMI");
    CHECK(!svm_event_valid(EVENT_VALID | EVENT_TYPE_EXCEPTION | 0x41), "exception type 0x41");
    CHECK(!svm_event_valid(EVENT_VALID | (5u << EVENT_TYPE_SHIFT)), "type 5");
}

static void test_reinject(void)
{
    CHECK_EQ_U64(svm_reinject(0, false), 0, "nothing interrupted");
    uint32_t intr = EVENT_VALID | EVENT_TYPE_INTR | 0x41;
    CHECK_EQ_U64(svm_reinject(intr, false), intr, "an interrupt cut short by an NPF: again");
    CHECK_EQ_U64(svm_reinject(intr, true), 0, "exception exits: the handler decides");
    /* QEMU: a hardware interrupt hitting a not-present gate reads 0x80000341. */
    CHECK_EQ_U64(svm_reinject(0x80000341u, false), EVENT_VALID | EVENT_TYPE_INTR | 0x41,
                 "QEMU's exception-type interrupt rebuilt as an interrupt");
    CHECK(svm_event_valid(svm_reinject(0x80000341u, false)), "and VMRUN accepts it");
    uint32_t pf = EVENT_VALID | EVENT_TYPE_EXCEPTION | EVENT_EV | VEC_PF;
    CHECK_EQ_U64(svm_reinject(pf, false), pf, "a #PF cut short: again, with its error code");
    CHECK_EQ_U64(svm_reinject(EVENT_VALID | EVENT_TYPE_SOFT_INT | 0x80, false), 0,
                 "INT n is re-executed, not injected");
    CHECK_EQ_U64(svm_reinject(EVENT_VALID | EVENT_TYPE_EXCEPTION | VEC_BP, false), 0, "INT3 too");
    CHECK_EQ_U64(svm_reinject(EVENT_VALID | EVENT_TYPE_EXCEPTION | 4, false), 0, "INTO too");
    uint32_t nmi = EVENT_VALID | EVENT_TYPE_NMI | 2;
    CHECK_EQ_U64(svm_reinject(nmi, false), nmi, "an NMI: again");
    CHECK_EQ_U64(svm_reinject(EVENT_VALID | EVENT_TYPE_INTR | EVENT_EV | 0x41, false),
                 EVENT_VALID | EVENT_TYPE_INTR | 0x41, "no error code on an interrupt");
}

int main(void)
{
    test_injected();
    test_exitless();
    test_intr_bits();
    test_hardware();
    test_missing();
    test_events();
    test_reinject();
    return check_summary("svm_controls");
}
