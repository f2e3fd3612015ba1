/* The VMX backend behind vmm/vendor.h. */
#include "vmm/vmx/ept.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_events.h"
#include "vmm/vmx/vmx_maps.h"
#include "vmm/vmx/vmx_vcpu.h"

const struct vendor_ops vmx_vendor_ops = {
    .name = "VMX",
    .cpu_enable = vmx_cpu_enable,
    .vcpu_setup = vmx_vcpu_setup,
    .vcpu_enter = vmx_vcpu_enter,
    .vcpu_after_exit = vmx_after_exit,
    .vcpu_dump = vmx_vcpu_dump,
    .get = vmx_get,
    .set = vmx_set,
    .set_cr = vmx_set_cr,
    .load_sys_seg = vmx_load_sys_seg,
    .cr4_allowed = vmx_cr4_allowed,
    .guest_insns = vmx_guest_insns,
    .skip = vmx_skip,
    .inject_exception = vmx_inject_exception,
    .event_pending = vmx_event_pending,
    .irq_window_open = vmx_irq_window_open,
    .inject_irq = vmx_inject_irq,
    .irq_window_exit = vmx_irq_window_exit,
    .intr_exiting = vmx_intr_exiting,
    .halt_in_guest = vmx_halt_in_guest,
    .intercept_exception = vmx_intercept_exception,
    .has_mtf = vmx_has_mtf,
    .mtf = vmx_mtf,
    .gpmap_format = &pt_format_ept,
    .gpmap_root = ept_pointer,
    .flush_gpmap = vmx_flush_gpmap,
    .msrpm_pages = 1,
    .iopm_pages = 2,
    .msrpm_build = vmx_msrpm_build,
    .msrpm_trap_write = vmx_msrpm_trap_write,
    .iopm_build = vmx_iopm_build,
    .exit_name = vmx_exit_name,
};
