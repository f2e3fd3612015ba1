/* The VMX MSR bitmap (SDM 25.6.9) and I/O bitmaps (25.6.4) from the generic policy. */
#include <string.h>

#include "vmm/msr.h"
#include "vmm/vmx/vmx_maps.h"

/* Bitmap quarters: read low, read high, write low, write high (1 KiB each). */
void vmx_msrpm_trap(uint8_t *bm, uint32_t msr, bool write, bool trap)
{
    uint32_t base = write ? 2048 : 0;
    if (msr >= 0xc0000000u) {
        base += 1024;
        msr -= 0xc0000000u;
    }
    if (msr >= 0x2000)
        return;  /* outside both ranges: always exits */
    if (trap)
        bm[base + msr / 8] |= (uint8_t)(1u << (msr % 8));
    else
        bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

static void allow(void *ctx, uint32_t msr, bool write)
{
    vmx_msrpm_trap(ctx, msr, write, false);
}

void vmx_msrpm_build(uint8_t *bm, bool exitless)
{
    memset(bm, 0xff, 4096);
    msr_pass_each(allow, bm, exitless);
}

void vmx_msrpm_trap_write(uint8_t *bm, uint32_t msr, bool trap)
{
    vmx_msrpm_trap(bm, msr, true, trap);
}

/* Bitmaps A (ports 0-0x7fff) and B (0x8000-0xffff): every port exits (vmm/io.c emulates). */
void vmx_iopm_build(uint8_t *bm)
{
    memset(bm, 0xff, 2 * 4096);
}
