/* Unit tests for the VMCB layout (APM appendix B), the VMRUN consistency checks (APM 15.5.1:
 * each check fails on the field the APM names) and the exit-code names. */
#include <stddef.h>

#include "check.h"
#include "vmm/svm/svm_caps.h"
#include "vmm/svm/svm_pm.h"
#include "vmm/svm/vmcb.h"

static struct vmcb vmcb __attribute__((aligned(4096)));

static const struct svm_check_env env = {
    .phys_bits = 40,
    .long_mode = true,
    .cr4_allowed = 0x3f07ffull,
    .efer_allowed = (1ull << 0) | (1ull << 8) | (1ull << 10) | (1ull << 11) | EFER_SVME,
    .msrpm_bytes = SVM_MSRPM_BYTES,
    .iopm_bytes = SVM_IOPM_BYTES,
};

static void test_layout(void)
{
    /* The same offsets as the _Static_asserts, through a real object (APM table B-1/B-2). */
    const uint8_t *base = (const uint8_t *)&vmcb;
    CHECK_EQ_U64((const uint8_t *)&vmcb.control.exit_code - base, 0x070, "EXITCODE");
    CHECK_EQ_U64((const uint8_t *)&vmcb.control.exit_int_info - base, 0x088, "EXITINTINFO");
    CHECK_EQ_U64((const uint8_t *)&vmcb.control.event_inj - base, 0x0a8, "EVENTINJ");
    CHECK_EQ_U64((const uint8_t *)&vmcb.control.nested_cr3 - base, 0x0b0, "N_CR3");
    CHECK_EQ_U64((const uint8_t *)&vmcb.control.next_rip - base, 0x0c8, "nRIP");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.es - base, 0x400, "ES");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.cpl - base, 0x4cb, "CPL");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.efer - base, 0x4d0, "EFER");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.cr4 - base, 0x548, "CR4");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.rip - base, 0x578, "RIP");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.rsp - base, 0x5d8, "RSP");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.rax - base, 0x5f8, "RAX");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.cr2 - base, 0x640, "CR2");
    CHECK_EQ_U64((const uint8_t *)&vmcb.save.g_pat - base, 0x668, "G_PAT");
    CHECK_EQ_U64(sizeof(vmcb), 4096, "one page");
    CHECK_EQ_U64(ioio_port(0x03f80010ull), 0x3f8, "IOIO port in EXITINFO1[31:16]");
    CHECK_EQ_U64(ioio_size(IOIO_SZ16), 2, "IOIO size");
}

/* A 64-bit guest as the backend builds it. */
static void good(struct vmcb *v)
{
    memset(v, 0, sizeof(*v));
    v->control.intercept_misc2 = INTERCEPT2_VMRUN;
    v->control.asid = 1;
    v->control.msrpm_base_pa = 0x100000;
    v->control.iopm_base_pa = 0x104000;
    v->control.nested_ctl = NESTED_CTL_NP_ENABLE;
    v->control.nested_cr3 = 0x200000;
    v->save.efer = (1ull << 8) | (1ull << 10) | EFER_SVME;
    v->save.cr0 = 0x80000031;
    v->save.cr4 = 1ull << 5;
    v->save.cr3 = 0x1000;
    v->save.cs.attrib = 0xa9b;
    v->save.dr6 = 0xffff0ff0;
    v->save.dr7 = 0x400;
}

static void expect(const char *want_prefix, const char *what)
{
    const char *got = svm_vmcb_check(&vmcb, &env);
    CHECK(got && strncmp(got, want_prefix, strlen(want_prefix)) == 0, "%s: got '%s', want '%s...'",
          what, got ? got : "(passes)", want_prefix);
}

static void test_checks(void)
{
    good(&vmcb);
    CHECK(svm_vmcb_check(&vmcb, &env) == NULL, "a good VMCB passes: %s", svm_vmcb_check(&vmcb, &env));
    good(&vmcb); vmcb.save.efer &= ~EFER_SVME;
    expect("save.efer: EFER.SVME", "SVME clear");
    good(&vmcb); vmcb.save.cr0 |= 1ull << 29;
    expect("save.cr0: CR0.NW", "NW without CD");
    good(&vmcb); vmcb.save.cr0 |= 3ull << 29;
    CHECK(svm_vmcb_check(&vmcb, &env) == NULL, "NW with CD is legal");
    good(&vmcb); vmcb.save.cr0 |= 1ull << 32;
    expect("save.cr0: bits 63:32", "CR0 high bits");
    good(&vmcb); vmcb.save.cr3 |= 1ull << 45;
    expect("save.cr3", "CR3 past MAXPHYADDR in long mode");
    good(&vmcb); vmcb.save.cr4 |= 1ull << 13;
    expect("save.cr4: a must-be-zero", "CR4 bit the CPU lacks (VMXE on AMD)");
    good(&vmcb); vmcb.save.dr6 |= 1ull << 40;
    expect("save.dr6", "DR6 high bits");
    good(&vmcb); vmcb.save.dr7 |= 1ull << 33;
    expect("save.dr7", "DR7 high bits");
    good(&vmcb); vmcb.save.efer |= 1ull << 20;
    expect("save.efer: a must-be-zero", "EFER reserved bit");
    good(&vmcb); vmcb.save.cr4 = 0;
    expect("save.cr4: EFER.LME and CR0.PG", "long mode without PAE");
    good(&vmcb); vmcb.save.cr0 &= ~1ull;
    expect("save.cr0: EFER.LME and CR0.PG set with CR0.PE", "paging without protection");
    good(&vmcb); vmcb.save.cs.attrib |= SEG_ATTR_DB;
    expect("save.cs: CS.L and CS.D", "CS.L with CS.D");
    good(&vmcb); vmcb.control.intercept_misc2 = 0;
    expect("control.intercept_misc2: the VMRUN", "VMRUN intercept clear");
    good(&vmcb); vmcb.control.msrpm_base_pa = (1ull << 40) - 0x1000;
    expect("control.msrpm_base_pa", "MSRPM past the address width");
    good(&vmcb); vmcb.control.iopm_base_pa = (1ull << 40) - 0x2000;
    expect("control.iopm_base_pa", "IOPM past the address width");
    good(&vmcb); vmcb.control.event_inj = EVENT_VALID | EVENT_TYPE_EXCEPTION | 0x41;
    expect("control.event_inj", "exception type on vector 0x41 (QEMU's EXITINTINFO re-injected)");
    good(&vmcb); vmcb.control.event_inj = EVENT_VALID | EVENT_TYPE_EXCEPTION | 2;
    expect("control.event_inj", "exception type on the NMI vector");
    good(&vmcb); vmcb.control.event_inj = EVENT_VALID | (1u << EVENT_TYPE_SHIFT) | 0x30;
    expect("control.event_inj", "reserved event type 1");
    good(&vmcb); vmcb.control.event_inj = EVENT_VALID | EVENT_TYPE_INTR | 0x41;
    CHECK(svm_vmcb_check(&vmcb, &env) == NULL, "an interrupt on 0x41 is legal");
    good(&vmcb); vmcb.control.asid = 0;
    expect("control.asid", "ASID 0");
    good(&vmcb); vmcb.control.nested_cr3 = 1ull << 50;
    expect("control.nested_cr3", "nCR3 past the address width");

    /* A 32-bit protected-mode guest (multiboot): no long-mode checks apply. */
    good(&vmcb);
    vmcb.save.efer = EFER_SVME;
    vmcb.save.cr0 = 0x11;
    vmcb.save.cr4 = 0;
    vmcb.save.cr3 = 1ull << 45;  /* ignored outside long mode */
    vmcb.save.cs.attrib = 0xc9b;
    CHECK(svm_vmcb_check(&vmcb, &env) == NULL, "32-bit guest: %s", svm_vmcb_check(&vmcb, &env));
    struct svm_check_env no_lm = env;
    no_lm.long_mode = false;
    good(&vmcb);
    CHECK(svm_vmcb_check(&vmcb, &no_lm) != NULL &&
          strstr(svm_vmcb_check(&vmcb, &no_lm), "without long mode"), "LME on a CPU without LM");
}

static void test_names(void)
{
    CHECK_STREQ(svm_exit_name(SVM_EXIT_VMMCALL), "VMEXIT_VMMCALL", "0x81");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_MSR), "VMEXIT_MSR", "0x7c");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_NPF), "VMEXIT_NPF", "0x400");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_READ_CR8), "VMEXIT_CR8_READ", "0x08");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_WRITE_CR8), "VMEXIT_CR8_WRITE", "0x18");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_EXCP_BASE + 11), "VMEXIT_EXCP_NP", "0x4b");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_EXCP_BASE + 1), "VMEXIT_EXCP_DB", "0x41");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_INTR), "VMEXIT_INTR", "0x60");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_SHUTDOWN), "VMEXIT_SHUTDOWN", "0x7f");
    CHECK_STREQ(svm_exit_name(SVM_EXIT_XSETBV), "VMEXIT_XSETBV", "0x8d");
    CHECK_STREQ(svm_exit_name(0xffffffffull), "VMEXIT_INVALID", "-1, as QEMU stores it");
    CHECK_STREQ(svm_exit_name(~0ull), "VMEXIT_INVALID", "-1 sign-extended");
    CHECK_STREQ(svm_exit_name(0x3ff), "unknown", "gap");
    CHECK_STREQ(svm_exit_name(0x0b0), "unknown", "past the dense codes");
    for (uint64_t c = 0; c < 0x500; c++)
        CHECK(svm_exit_name(c) != NULL, "code %#llx has a name", (unsigned long long)c);
}

int main(void)
{
    test_layout();
    test_checks();
    test_names();
    return check_summary("svm_vmcb");
}
