/* What the boot CPU is and which features later layers depend on. */
#ifndef EXITLESS_KERNEL_CPUINFO_H
#define EXITLESS_KERNEL_CPUINFO_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
    char vendor[13];
    char brand[49];
    uint32_t family, model, stepping;
    bool hypervisor;        /* CPUID.1:ECX[31]: we run inside another hypervisor */
    bool vmx;               /* CPUID.1:ECX[5] */
    bool vmx_disabled;      /* IA32_FEATURE_CONTROL locked with VMX outside SMX off */
    bool ept, vpid, unrestricted_guest;
    bool x2apic;            /* CPUID.1:ECX[21] */
    bool tsc_deadline;      /* CPUID.1:ECX[24] */
    bool pdpe1gb;           /* 1 GiB pages */
    bool invariant_tsc;     /* CPUID.80000007H:EDX[8] */
};

void cpuinfo_init(void);
const struct cpu_features *cpu_features(void);

#endif
