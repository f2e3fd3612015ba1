/* SVM operation on one CPU (APM vol. 2, 15.4): capabilities, EFER.SVME, VM_HSAVE_PA. */
#include <stdio.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "vmm/svm/svm.h"
#include "vmm/svm/svm_pm.h"

#define CPUID1_ECX_PCID       (1u << 17)
#define CPUID1_ECX_XSAVE      (1u << 26)
#define CPUID7_EBX_FSGSBASE   (1u << 0)
#define CPUID7_EBX_SMEP       (1u << 7)
#define CPUID7_EBX_SMAP       (1u << 20)
#define CPUID7_ECX_UMIP       (1u << 2)
#define CPUID7_ECX_PKU        (1u << 3)
#define CPUID7_ECX_CET_SS     (1u << 7)
#define CPUID7_ECX_LA57       (1u << 16)
/* CR4 bits (APM vol. 2, 3.1.3). */
#define CR4_BASE_BITS  0x7ffull            /* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT */
#define CR4_UMIP       (1ull << 11)
#define CR4_LA57       (1ull << 12)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_PCIDE      (1ull << 17)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)
#define CR4_PKE        (1ull << 22)
#define CR4_CET        (1ull << 23)
/* EFER bits the checks accept (APM vol. 2, 3.1.7): SCE LME LMA NXE SVME LMSLE FFXSR TCE. */
#define EFER_IMPLEMENTED 0xfd01ull

static struct svm_cpu svm_cpus[MAX_CPUS];

struct svm_cpu *svm_this_cpu(void)
{
    return &svm_cpus[current_cpu_id()];
}

static uint64_t cr4_from_cpuid(void)
{
    uint64_t cr4 = CR4_BASE_BITS;
    struct cpuid_regs l1 = cpuid(1, 0);
    if (l1.ecx & CPUID1_ECX_PCID)
        cr4 |= CR4_PCIDE;
    if (l1.ecx & CPUID1_ECX_XSAVE)
        cr4 |= CR4_OSXSAVE;
    if (cpuid(0, 0).eax >= 7) {
        struct cpuid_regs l7 = cpuid(7, 0);
        cr4 |= (l7.ebx & CPUID7_EBX_FSGSBASE ? CR4_FSGSBASE : 0) |
               (l7.ebx & CPUID7_EBX_SMEP ? CR4_SMEP : 0) |
               (l7.ebx & CPUID7_EBX_SMAP ? CR4_SMAP : 0) |
               (l7.ecx & CPUID7_ECX_UMIP ? CR4_UMIP : 0) |
               (l7.ecx & CPUID7_ECX_PKU ? CR4_PKE : 0) |
               (l7.ecx & CPUID7_ECX_CET_SS ? CR4_CET : 0) |
               (l7.ecx & CPUID7_ECX_LA57 ? CR4_LA57 : 0);
    }
    return cr4;
}

void svm_read_caps(struct svm_caps *c)
{
    memset(c, 0, sizeof(*c));
    uint32_t max = cpuid(0x80000000u, 0).eax;
    if (max >= 0x80000001u) {
        struct cpuid_regs r = cpuid(0x80000001u, 0);
        c->svm = r.ecx & CPUID_80000001_ECX_SVM;
        c->long_mode = r.edx & CPUID_80000001_EDX_LM;
        c->nx = r.edx & CPUID_80000001_EDX_NX;
    }
    c->phys_bits = max >= 0x80000008u ? (cpuid(0x80000008u, 0).eax & 0xff) : 36;
    if (c->svm && max >= 0x8000000au) {
        struct cpuid_regs r = cpuid(0x8000000au, 0);
        c->revision = r.eax & 0xff;
        c->nasid = r.ebx;
        c->features = r.edx;
    }
    if (c->svm)
        c->vm_cr_readable = rdmsr_safe(MSR_VM_CR, &c->vm_cr) == 0;
    c->cr4_allowed = cr4_from_cpuid();
}

const char *svm_unavailable(void)
{
    struct svm_caps c;
    svm_read_caps(&c);
    return svm_unavailable_reason(&c);
}

int svm_cpu_enable(char *err, size_t errlen)
{
    struct svm_cpu *p = svm_this_cpu();
    if (p->on)
        return 0;
    svm_read_caps(&p->caps);
    const char *why = svm_unavailable_reason(&p->caps);
    if (why) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    for (int m = 0; m < INTR_MODES; m++)
        p->mode_ok[m] = svm_controls(&p->caps, (enum intr_mode)m, &p->ctl[m], p->mode_err[m],
                                     sizeof(p->mode_err[m])) == 0;
    if (!p->mode_ok[INTR_INJECTED]) {
        snprintf(err, errlen, "%s", p->mode_err[INTR_INJECTED]);
        return -1;
    }
    /* Nested page-table leaves use NX for guest memory that is not executable: it is a
     * reserved bit (a fault) unless the host has EFER.NXE (APM 15.25.5). */
    uint64_t efer = rdmsr(MSR_EFER);
    if (!(efer & EFER_NXE)) {
        snprintf(err, errlen, "host EFER.NXE is off: nested page tables could not mark guest "
                              "memory non-executable");
        return -1;
    }
    p->hsave_phys = frames_alloc(1, PAGE_SIZE);
    p->host_area_phys = frames_alloc(1, PAGE_SIZE);
    if (p->hsave_phys == FRAME_NONE || p->host_area_phys == FRAME_NONE) {
        snprintf(err, errlen, "no memory for the host save areas");
        return -1;
    }
    if (wrmsr_safe(MSR_EFER, efer | EFER_SVME) || wrmsr_safe(MSR_VM_HSAVE_PA, p->hsave_phys)) {
        snprintf(err, errlen, "cannot set EFER.SVME or VM_HSAVE_PA");
        return -1;
    }
    /* XSETBV on a guest's behalf needs CR4.OSXSAVE in the host; the hypervisor itself never
     * touches extended state (built without SSE), so the guest's XCR0 is the core's. */
    if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) {
        write_cr4(read_cr4() | CR4_OSXSAVE);
        p->xsave = true;
    }
    p->check = (struct svm_check_env){
        .phys_bits = p->caps.phys_bits,
        .long_mode = p->caps.long_mode,
        .cr4_allowed = p->caps.cr4_allowed,
        .efer_allowed = EFER_IMPLEMENTED,
        .msrpm_bytes = SVM_MSRPM_BYTES,
        .iopm_bytes = SVM_IOPM_BYTES,
    };
    p->on = true;
    const struct svm_controls *c = &p->ctl[INTR_INJECTED];
    log_info("svm", "cpu%u: SVM revision %u, %u ASIDs, features %#x: nested paging; %s; %s; %s",
             current_cpu_id(), p->caps.revision, p->caps.nasid, p->caps.features,
             c->nrip ? "next-RIP save" : "no next-RIP save (instructions decoded)",
             c->decode_assists ? "decode assists" : "no decode assists",
             c->tlb_flush == TLB_CONTROL_FLUSH_ASID ? "flush by ASID" : "flushes drop all ASIDs");
    if (!p->mode_ok[INTR_EXITLESS])
        log_warn("svm", "cpu%u: exitless guests cannot run: %s", current_cpu_id(),
                 p->mode_err[INTR_EXITLESS]);
    return 0;
}
