/* Enabling VMX operation on a CPU (SDM vol. 3, 24.7 and 24.8). */
#include <stdio.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "vmm/vendor.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_bits.h"
#include "vmm/vmx/vmx_ops.h"

#define MSR_IA32_VMX_PINBASED_CTLS      0x481
#define MSR_IA32_VMX_EXIT_CTLS          0x483
#define MSR_IA32_VMX_ENTRY_CTLS         0x484
#define MSR_IA32_VMX_MISC               0x485
#define MSR_IA32_VMX_CR0_FIXED0         0x486
#define MSR_IA32_VMX_CR0_FIXED1         0x487
#define MSR_IA32_VMX_CR4_FIXED0         0x488
#define MSR_IA32_VMX_CR4_FIXED1         0x489
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS     0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS    0x490

#define FEATURE_CONTROL_LOCKED          (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define CPUID1_ECX_VMX                  (1u << 5)
#define CPUID1_ECX_XSAVE                (1u << 26)

static struct vmx_cpu vmx_cpus[MAX_CPUS];

struct vmx_cpu *vmx_this_cpu(void)
{
    return &vmx_cpus[current_cpu_id()];
}

static uint64_t msr_or_zero(uint32_t msr)
{
    uint64_t v;
    return rdmsr_safe(msr, &v) ? 0 : v;
}

void vmx_read_caps(struct vmx_caps *c)
{
    c->basic = msr_or_zero(MSR_IA32_VMX_BASIC);
    bool true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
    c->pinbased = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
                                        : MSR_IA32_VMX_PINBASED_CTLS);
    c->procbased = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
                                         : MSR_IA32_VMX_PROCBASED_CTLS);
    c->exit = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
    c->entry = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
    c->procbased2 = msr_or_zero(MSR_IA32_VMX_PROCBASED_CTLS2);
    c->misc = msr_or_zero(MSR_IA32_VMX_MISC);
    c->ept_vpid = msr_or_zero(MSR_IA32_VMX_EPT_VPID_CAP);
    c->cr0_fixed0 = msr_or_zero(MSR_IA32_VMX_CR0_FIXED0);
    c->cr0_fixed1 = msr_or_zero(MSR_IA32_VMX_CR0_FIXED1);
    c->cr4_fixed0 = msr_or_zero(MSR_IA32_VMX_CR4_FIXED0);
    c->cr4_fixed1 = msr_or_zero(MSR_IA32_VMX_CR4_FIXED1);
}

const char *vmx_unavailable(void)
{
    uint64_t fc;
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_VMX))
        return "this CPU has no VMX (CPUID.1:ECX[5] is 0)";
    if (!rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc) && (fc & FEATURE_CONTROL_LOCKED) &&
        !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
        return "VMX is disabled by the firmware (IA32_FEATURE_CONTROL is locked with VMX off); "
               "enable VT-x in the firmware setup";
    return NULL;
}

int vmx_cpu_enable(char *err, size_t errlen)
{
    struct vmx_cpu *v = vmx_this_cpu();
    uint64_t fc;

    if (v->on)
        return 0;
    const char *no = vmx_unavailable();
    if (no) {
        snprintf(err, errlen, "%s", no);
        return -1;
    }
    if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc))
        fc = 0;
    if (!(fc & FEATURE_CONTROL_LOCKED)) {
        fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
        if (wrmsr_safe(MSR_IA32_FEATURE_CONTROL, fc)) {
            snprintf(err, errlen, "cannot write IA32_FEATURE_CONTROL to enable VMX");
            return -1;
        }
    }

    vmx_read_caps(&v->caps);
    for (int m = 0; m < 2; m++)
        v->mode_ok[m] = vmx_negotiate(&v->caps, (enum intr_mode)m, &v->ctl[m],
                                      v->mode_err[m], sizeof(v->mode_err[m])) == 0;
    if (!v->mode_ok[INTR_INJECTED]) {
        snprintf(err, errlen, "%s", v->mode_err[INTR_INJECTED]);
        return -1;
    }
    if (vmx_basic_vmcs_size(v->caps.basic) > PAGE_SIZE ||
        vmx_basic_mem_type(v->caps.basic) != VMX_BASIC_MEM_TYPE_WB) {
        snprintf(err, errlen, "unsupported VMCS region (size %u, memory type %u)",
                 vmx_basic_vmcs_size(v->caps.basic), vmx_basic_mem_type(v->caps.basic));
        return -1;
    }

    write_cr0(vmx_fixed_cr0(&v->caps, read_cr0(), false));
    write_cr4(vmx_fixed_cr4(&v->caps, read_cr4() | CR4_VMXE));
    /* XSETBV on a guest's behalf needs CR4.OSXSAVE in the host; the hypervisor itself never
     * touches extended state (built without SSE), so the guest's XCR0 is the core's. */
    if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) {
        write_cr4(read_cr4() | CR4_OSXSAVE);
        v->xsave = true;
    }

    v->vmxon_phys = frames_alloc(1, PAGE_SIZE);
    if (v->vmxon_phys == FRAME_NONE) {
        snprintf(err, errlen, "no memory for the VMXON region");
        return -1;
    }
    *(uint32_t *)phys_to_virt(v->vmxon_phys) = vmx_basic_revision(v->caps.basic);
    if (vmx_on(v->vmxon_phys)) {
        snprintf(err, errlen, "VMXON failed");
        return -1;
    }
    v->on = true;
    if (!v->ctl[INTR_INJECTED].wbinvd_exiting)
        log_warn("vmx", "cpu%u: no WBINVD exiting: a guest's WBINVD flushes the shared cache",
                 current_cpu_id());
    if (!v->ctl[INTR_INJECTED].preemption_timer)
        log_warn("vmx", "cpu%u: no VMX-preemption timer: no watchdog bounds the time between "
                        "exits (the stop relies on NMIs alone)", current_cpu_id());
    log_debug("vmx", "caps basic %#lx pin %#lx proc %#lx proc2 %#lx exit %#lx entry %#lx",
              v->caps.basic, v->caps.pinbased, v->caps.procbased, v->caps.procbased2,
              v->caps.exit, v->caps.entry);
    log_debug("vmx", "caps misc %#lx ept/vpid %#lx cr0 %#lx/%#lx cr4 %#lx/%#lx", v->caps.misc,
              v->caps.ept_vpid, v->caps.cr0_fixed0, v->caps.cr0_fixed1, v->caps.cr4_fixed0,
              v->caps.cr4_fixed1);
    return 0;
}
