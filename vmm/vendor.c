/* Choosing the backend at boot: VMX on Intel, SVM on AMD, by CPUID. */
#include <stdio.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "vmm/vendor.h"

const struct vendor_ops *vendor;

static bool cpu_vendor_is(const char *id)
{
    struct cpuid_regs r = cpuid(0, 0);
    char s[13];
    memcpy(s, &r.ebx, 4);
    memcpy(s + 4, &r.edx, 4);
    memcpy(s + 8, &r.ecx, 4);
    s[12] = 0;
    return strcmp(s, id) == 0;
}

const struct vendor_ops *vendor_select(char *why, size_t whylen)
{
    bool amd = cpu_vendor_is("AuthenticAMD") || cpu_vendor_is("HygonGenuine");
    const char *vmx_no = vmx_unavailable(), *svm_no = svm_unavailable();
    /* The CPU's own extension first; the other only if this CPU offers it anyway. */
    if (amd && !svm_no)
        vendor = &svm_vendor_ops;
    else if (!amd && !vmx_no)
        vendor = &vmx_vendor_ops;
    else if (!vmx_no)
        vendor = &vmx_vendor_ops;
    else if (!svm_no)
        vendor = &svm_vendor_ops;
    if (vendor) {
        log_info("vcpu", "backend: %s (%s CPU; %s)", vendor->name, amd ? "AMD" : "Intel-compatible",
                 vendor == &svm_vendor_ops ? "AMD-V with nested paging" : "VT-x with EPT");
        return vendor;
    }
    snprintf(why, whylen, "no virtualization backend: VMX: %s; SVM: %s", vmx_no, svm_no);
    log_err("vcpu", "%s", why);
    return NULL;
}
