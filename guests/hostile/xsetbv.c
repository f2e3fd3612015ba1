/* hostile: CPUID.OSXSAVE, XSETBV and XGETBV against the guest's CR4.OSXSAVE. */
#include "hostile.h"

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void xsetbv_phase(void)
{
    if (!(cpuid(1, 0).c & CPUID1_ECX_XSAVE)) {
        gprintf("xsetbv: skipped: this CPU has no XSAVE (CPUID.1:ECX.XSAVE clear)\n");
        return;
    }
    bool os_before = cpuid(1, 0).c & CPUID1_ECX_OSXSAVE;
    int ud = probe_xsetbv(0, 3);
    check("xsetbv-without-osxsave-ud", ud == VEC_UD, "XSETBV with CR4.OSXSAVE clear: vector %d", ud);
    int set = probe_set_cr4(read_cr4() | CR4_OSXSAVE);
    bool os_after = cpuid(1, 0).c & CPUID1_ECX_OSXSAVE;
    check("cpuid-osxsave-follows-cr4", !os_before && set == 0 && os_after,
          "OSXSAVE before %d, CR4 write %d, after %d", os_before, set, os_after);
    if (set)
        return;
    int ok = probe_xsetbv(0, 3);
    uint64_t xcr0 = ok ? 0 : xgetbv0();
    check("xsetbv-valid", ok == 0 && xcr0 == 3, "XSETBV(XCR0 = 3): vector %d, XGETBV 0x%lx", ok, xcr0);
    int xcr1 = probe_xsetbv(1, 3), nox87 = probe_xsetbv(0, 2), high = probe_xsetbv(0, 3 | (1ull << 63));
    check("xsetbv-invalid-gp", xcr1 == VEC_GP && nox87 == VEC_GP && high == VEC_GP,
          "ECX=1: %d, XCR0 without x87: %d, bit 63: %d", xcr1, nox87, high);
    check("xsetbv-xcr0-kept", xgetbv0() == 3, "XCR0 0x%lx after the refused writes", xgetbv0());
}
