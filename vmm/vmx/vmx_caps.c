/* VMX control negotiation in one place: what we require, what we use when present
 * (pure logic, unit-tested on the host with capability values read from Bochs). */
#include <stdio.h>

#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_caps.h"

#define CR0_PE (1ull << 0)
#define CR0_PG (1ull << 31)

struct control_bit {
    uint32_t bit;
    bool required;
    const char *name;  /* what the feature is, for the boot error */
    const char *why;   /* what needs it */
};

/* allowed-0 bits are forced on; a required bit missing from allowed-1 fails. */
static int negotiate_one(uint64_t cap, const char *ctl, const struct control_bit *bits, size_t n,
                         uint32_t *out, char *err, size_t errlen)
{
    uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
    uint32_t v = must;
    for (size_t i = 0; i < n; i++) {
        if (may & bits[i].bit) {
            v |= bits[i].bit;
        } else if (bits[i].required) {
            snprintf(err, errlen, "VMX: this CPU lacks %s (%s control bit %d), required for %s",
                     bits[i].name, ctl, __builtin_ctz(bits[i].bit), bits[i].why);
            return -1;
        }
    }
    *out = v;
    return 0;
}

#define NEGOTIATE(cap, name, table, out)                                                   \
    negotiate_one(cap, name, table, sizeof(table) / sizeof(table[0]), out, err, errlen)

int vmx_negotiate(const struct vmx_caps *caps, enum intr_mode mode, struct vmx_controls *c,
                  char *err, size_t errlen)
{
    bool exiting = mode == INTR_INJECTED;
    const struct control_bit pin[] = {
        /* Conventional guests exit on every external interrupt; exitless ones take their
         * own vectors directly and the shadow IDT routes the rest. */
        { PIN_BASED_EXT_INTR_MASK, exiting, "external-interrupt exiting", "injected interrupts" },
        /* NMIs are the hypervisor's (panic stop, watchdog): they always exit. */
        { PIN_BASED_NMI_EXITING, true, "NMI exiting", "keeping NMIs from guests" },
        { PIN_BASED_VIRTUAL_NMIS, false, "virtual NMIs", "" },
        /* The watchdog: a guest core leaves guest mode at least once per period, whatever
         * the guest does (vmm/vcpu.c). */
        { PIN_BASED_VMX_PREEMPTION_TIMER, false, "VMX-preemption timer", "" },
    };
    const struct control_bit proc[] = {
        /* HLT gives the core back to the hypervisor until the guest's next interrupt. */
        { CPU_BASED_HLT_EXITING, true, "HLT exiting", "idle guests" },
        /* Port and MSR access go through bitmaps: only what we emulate exits. */
        { CPU_BASED_USE_IO_BITMAPS, true, "I/O bitmaps", "port I/O policy" },
        { CPU_BASED_USE_MSR_BITMAPS, true, "MSR bitmaps", "MSR policy" },
        /* MONITOR/MWAIT would let a guest sleep outside our control. */
        { CPU_BASED_MWAIT_EXITING, true, "MWAIT exiting", "idle guests" },
        { CPU_BASED_MONITOR_EXITING, true, "MONITOR exiting", "idle guests" },
        { CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, true, "secondary controls", "EPT" },
        /* Without a TPR shadow MOV to CR8 writes the physical TPR: a guest raising it to 15
         * would mask the hypervisor's own vectors (vmm/exit.c emulates CR8). */
        { CPU_BASED_CR8_LOAD_EXITING, true, "CR8-load exiting", "keeping the TPR below the "
          "hypervisor's vectors" },
        { CPU_BASED_CR8_STORE_EXITING, true, "CR8-store exiting", "the guest's view of its TPR" },
    };
    const struct control_bit proc2[] = {
        /* EPT is the isolation between guests. */
        { SECONDARY_EXEC_ENABLE_EPT, true, "EPT", "guest memory isolation" },
        /* Unrestricted guest: multiboot kernels start in protected mode without paging. */
        { SECONDARY_EXEC_UNRESTRICTED_GUEST, true, "unrestricted guest",
          "starting multiboot and Linux kernels" },
        { SECONDARY_EXEC_ENABLE_VPID, false, "VPID", "" },
        /* Without these enables the instructions #UD in the guest. */
        { SECONDARY_EXEC_ENABLE_RDTSCP, false, "RDTSCP", "" },
        { SECONDARY_EXEC_ENABLE_INVPCID, false, "INVPCID", "" },
        { SECONDARY_EXEC_XSAVES, false, "XSAVES", "" },
        /* A guest's WBINVD would flush the cache every other guest shares (vmm/exit.c). */
        { SECONDARY_EXEC_WBINVD_EXITING, false, "WBINVD exiting", "" },
        /* ELI tracks the guest's IDT through LIDT/SIDT exits. */
        { SECONDARY_EXEC_DESC, !exiting, "descriptor-table exiting", "exitless interrupts" },
    };
    const struct control_bit exit[] = {
        { VM_EXIT_HOST_ADDR_SPACE_SIZE, true, "64-bit host", "running the hypervisor" },
        /* EFER and PAT differ between guest and host: switch them on every transition. */
        { VM_EXIT_SAVE_IA32_EFER, true, "EFER save on exit", "64-bit guests" },
        { VM_EXIT_LOAD_IA32_EFER, true, "EFER load on exit", "64-bit guests" },
        { VM_EXIT_SAVE_IA32_PAT, true, "PAT save on exit", "guest memory types" },
        { VM_EXIT_LOAD_IA32_PAT, true, "PAT load on exit", "guest memory types" },
    };
    const struct control_bit entry[] = {
        { VM_ENTRY_LOAD_IA32_EFER, true, "EFER load on entry", "64-bit guests" },
        { VM_ENTRY_LOAD_IA32_PAT, true, "PAT load on entry", "guest memory types" },
    };

    if (NEGOTIATE(caps->pinbased, "pin-based", pin, &c->pin) ||
        NEGOTIATE(caps->procbased, "processor-based", proc, &c->proc) ||
        NEGOTIATE(caps->procbased2, "secondary processor-based", proc2, &c->proc2) ||
        NEGOTIATE(caps->exit, "VM-exit", exit, &c->exit) ||
        NEGOTIATE(caps->entry, "VM-entry", entry, &c->entry))
        return -1;
    /* Exitless mode leaves external-interrupt exiting off unless the CPU forces it on. */
    if (!exiting)
        c->pin &= ~PIN_BASED_EXT_INTR_MASK | (uint32_t)caps->pinbased;
    if (!exiting && (c->pin & PIN_BASED_EXT_INTR_MASK)) {
        snprintf(err, errlen, "VMX: this CPU forces external-interrupt exiting on, which "
                              "exitless interrupts cannot work with");
        return -1;
    }
    /* IA32e mode is chosen per guest at entry; never negotiated on. */
    c->entry &= ~VM_ENTRY_IA32E_MODE;

    uint64_t ev = caps->ept_vpid;
    if (!(ev & VMX_EPT_PAGE_WALK_4) || !(ev & VMX_EPT_MEMTYPE_WB) || !(ev & VMX_EPT_INVEPT)) {
        snprintf(err, errlen, "VMX: this CPU's EPT lacks %s, required for guest memory",
                 !(ev & VMX_EPT_PAGE_WALK_4) ? "4-level walks"
                 : !(ev & VMX_EPT_MEMTYPE_WB) ? "write-back tables" : "INVEPT");
        return -1;
    }
    c->ept_2m = ev & VMX_EPT_2MB_PAGE;
    c->ept_1g = ev & VMX_EPT_1GB_PAGE;
    c->invept_single = ev & VMX_EPT_INVEPT_SINGLE_CONTEXT;
    c->vpid = (c->proc2 & SECONDARY_EXEC_ENABLE_VPID) && (ev & VMX_VPID_INVVPID);
    if (!c->vpid)
        c->proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
    c->invvpid_single = c->vpid && (ev & VMX_VPID_INVVPID_SINGLE_CONTEXT);
    c->rdtscp = c->proc2 & SECONDARY_EXEC_ENABLE_RDTSCP;
    c->invpcid = c->proc2 & SECONDARY_EXEC_ENABLE_INVPCID;
    c->xsaves = c->proc2 & SECONDARY_EXEC_XSAVES;
    c->descriptor_exiting = c->proc2 & SECONDARY_EXEC_DESC;
    c->monitor_trap_flag = (caps->procbased >> 32) & CPU_BASED_MONITOR_TRAP_FLAG;
    c->hlt_exiting_optional = !((uint32_t)caps->procbased & CPU_BASED_HLT_EXITING);
    c->preemption_timer = c->pin & PIN_BASED_VMX_PREEMPTION_TIMER;
    c->preemption_timer_shift = (unsigned)(caps->misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
    c->wbinvd_exiting = c->proc2 & SECONDARY_EXEC_WBINVD_EXITING;
    if (exiting)
        c->proc2 &= ~SECONDARY_EXEC_DESC; /* only exitless mode tracks the IDT */
    return 0;
}

uint64_t vmx_fixed_cr0(const struct vmx_caps *caps, uint64_t cr0, bool unrestricted_guest)
{
    uint64_t fixed0 = caps->cr0_fixed0;
    /* With unrestricted guest, PE and PG may be 0 in the guest (SDM 26.3.1.1). */
    if (unrestricted_guest)
        fixed0 &= ~(CR0_PE | CR0_PG);
    return (cr0 | fixed0) & caps->cr0_fixed1;
}

uint64_t vmx_fixed_cr4(const struct vmx_caps *caps, uint64_t cr4)
{
    return (cr4 | caps->cr4_fixed0) & caps->cr4_fixed1;
}
