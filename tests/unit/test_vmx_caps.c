/* Unit tests for VMX control negotiation, with capability MSRs as Bochs 2.7 reports them
 * (corei7_skylake_x) and variations that must fail with a clear reason. */
#include "check.h"
#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_caps.h"

static const struct vmx_caps bochs = {
    .basic = 0xd810000000002bull,
    .pinbased = 0x7f00000016ull,
    .procbased = 0xf7f9fffe04006172ull,
    .procbased2 = 0x2177fff00000000ull,
    .exit = 0x7fffff00036dfbull,
    .entry = 0xffff000011fbull,
    .misc = 0x600401e0ull,
    .ept_vpid = 0xf0106334141ull,
    .cr0_fixed0 = 0x80000021ull,
    .cr0_fixed1 = 0xffffffffull,
    .cr4_fixed0 = 0x2000ull,
    .cr4_fixed1 = 0x3727ffull,
};

static void test_bochs(void)
{
    struct vmx_controls c;
    char err[200] = "";
    CHECK(vmx_negotiate(&bochs, INTR_INJECTED, &c, err, sizeof(err)) == 0, "%s", err);
    CHECK((c.pin & (PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING)) ==
              (PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING), "pin %#x", c.pin);
    CHECK((c.pin & 0x16) == 0x16, "allowed-0 pin bits kept on: %#x", c.pin);
    uint32_t want_proc = CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
                         CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
    CHECK((c.proc & want_proc) == want_proc, "proc %#x", c.proc);
    CHECK(!(c.proc & CPU_BASED_CR3_LOAD_EXITING), "TRUE controls let CR3 exits off: %#x", c.proc);
    CHECK((c.proc2 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST)) ==
              (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST), "proc2 %#x", c.proc2);
    CHECK(c.vpid && (c.proc2 & SECONDARY_EXEC_ENABLE_VPID), "VPID used");
    CHECK(!(c.proc2 & SECONDARY_EXEC_DESC), "injected mode does not track the IDT");
    CHECK(c.ept_2m && c.invept_single, "EPT features");
    CHECK(!c.monitor_trap_flag, "Bochs 2.7 has no monitor trap flag");
    CHECK(!(c.entry & VM_ENTRY_IA32E_MODE), "IA-32e entry chosen per guest");
    CHECK((c.exit & VM_EXIT_HOST_ADDR_SPACE_SIZE) && (c.exit & VM_EXIT_LOAD_IA32_EFER), "exit %#x",
          c.exit);

    /* A guest's TPR never masks the hypervisor; the watchdog and WBINVD exits are there. */
    CHECK((c.proc & (CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING)) ==
              (CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING), "CR8 exits: %#x", c.proc);
    CHECK(c.preemption_timer && (c.pin & PIN_BASED_VMX_PREEMPTION_TIMER), "watchdog: %#x", c.pin);
    CHECK(c.preemption_timer_shift == 0, "Bochs's timer runs at the TSC rate: %u",
          c.preemption_timer_shift);
    CHECK(c.wbinvd_exiting && (c.proc2 & SECONDARY_EXEC_WBINVD_EXITING), "WBINVD exits: %#x",
          c.proc2);

    CHECK(vmx_negotiate(&bochs, INTR_EXITLESS, &c, err, sizeof(err)) == 0, "%s", err);
    CHECK(!(c.pin & PIN_BASED_EXT_INTR_MASK), "exitless: no external-interrupt exiting %#x", c.pin);
    CHECK(c.proc & CPU_BASED_CR8_LOAD_EXITING, "exitless: CR8 loads exit too: %#x", c.proc);
    CHECK(c.proc2 & SECONDARY_EXEC_DESC, "exitless: descriptor-table exiting");
    CHECK(c.hlt_exiting_optional, "Bochs lets HLT exiting off (an idle guest halts in guest mode)");

    /* A CPU whose allowed-0 settings force HLT exiting on keeps it on at every HLT. */
    struct vmx_caps forced = bochs;
    forced.procbased |= CPU_BASED_HLT_EXITING;
    CHECK(vmx_negotiate(&forced, INTR_EXITLESS, &c, err, sizeof(err)) == 0, "%s", err);
    CHECK(!c.hlt_exiting_optional && (c.proc & CPU_BASED_HLT_EXITING), "HLT exiting forced on");
}

static void expect_fail(struct vmx_caps caps, enum intr_mode mode, const char *want)
{
    struct vmx_controls c;
    char err[200] = "";
    CHECK(vmx_negotiate(&caps, mode, &c, err, sizeof(err)) == -1, "accepted: want '%s'", want);
    CHECK_STREQ(err, want, "negotiation error");
}

static void test_missing(void)
{
    struct vmx_caps c = bochs;
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_ENABLE_EPT << 32);
    expect_fail(c, INTR_INJECTED, "VMX: this CPU lacks EPT (secondary processor-based control "
                                     "bit 1), required for guest memory isolation");
    c = bochs;
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_UNRESTRICTED_GUEST << 32);
    expect_fail(c, INTR_INJECTED, "VMX: this CPU lacks unrestricted guest (secondary "
                                     "processor-based control bit 7), required for starting "
                                     "multiboot and Linux kernels");
    c = bochs;
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_DESC << 32);
    expect_fail(c, INTR_EXITLESS, "VMX: this CPU lacks descriptor-table exiting (secondary "
                                      "processor-based control bit 2), required for exitless "
                                      "interrupts");
    c = bochs;
    c.pinbased |= PIN_BASED_EXT_INTR_MASK; /* allowed-0: forced on */
    expect_fail(c, INTR_EXITLESS, "VMX: this CPU forces external-interrupt exiting on, which "
                                      "exitless interrupts cannot work with");
    c = bochs;
    c.ept_vpid &= ~VMX_EPT_MEMTYPE_WB;
    expect_fail(c, INTR_INJECTED, "VMX: this CPU's EPT lacks write-back tables, required for "
                                     "guest memory");
    c = bochs;
    c.procbased &= ~((uint64_t)CPU_BASED_CR8_LOAD_EXITING << 32);
    expect_fail(c, INTR_EXITLESS, "VMX: this CPU lacks CR8-load exiting (processor-based "
                                      "control bit 19), required for keeping the TPR below the "
                                      "hypervisor's vectors");
    c = bochs;
    c.pinbased &= ~((uint64_t)PIN_BASED_VMX_PREEMPTION_TIMER << 32);
    c.procbased2 &= ~((uint64_t)SECONDARY_EXEC_WBINVD_EXITING << 32);
    {
        struct vmx_controls opt;
        char e2[200];
        CHECK(vmx_negotiate(&c, INTR_INJECTED, &opt, e2, sizeof(e2)) == 0 &&
                  !opt.preemption_timer && !opt.wbinvd_exiting &&
                  !(opt.pin & PIN_BASED_VMX_PREEMPTION_TIMER),
              "watchdog and WBINVD exiting are optional");
    }
    c = bochs;
    c.ept_vpid &= ~VMX_VPID_INVVPID;
    struct vmx_controls ctl;
    char err[200];
    CHECK(vmx_negotiate(&c, INTR_INJECTED, &ctl, err, sizeof(err)) == 0 && !ctl.vpid &&
              !(ctl.proc2 & SECONDARY_EXEC_ENABLE_VPID), "VPID dropped without INVVPID");
}

static void test_fixed_bits(void)
{
    /* Bochs: CR0 PE, NE, PG fixed to 1; unrestricted guests may clear PE and PG. */
    CHECK_EQ_U64(vmx_fixed_cr0(&bochs, 0x11, false), 0x80000031, "host CR0");
    CHECK_EQ_U64(vmx_fixed_cr0(&bochs, 0x11, true), 0x31, "unrestricted guest CR0");
    CHECK_EQ_U64(vmx_fixed_cr4(&bochs, 0x20), 0x2020, "CR4 gets VMXE");
    CHECK_EQ_U64(vmx_fixed_cr4(&bochs, 0x800000 | 0x20), 0x2020, "unsupported CR4 bit cleared");
}

int main(void)
{
    test_bochs();
    test_missing();
    test_fixed_bits();
    return check_summary("vmx_caps");
}
