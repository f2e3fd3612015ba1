/* VMX MSR and I/O bitmaps from the generic policy (vmm/vmx/vmx_maps.c). */
#ifndef EXITLESS_VMM_VMX_MAPS_H
#define EXITLESS_VMM_VMX_MAPS_H

#include <stdbool.h>
#include <stdint.h>

void vmx_msrpm_trap(uint8_t *bm, uint32_t msr, bool write, bool trap);
void vmx_msrpm_build(uint8_t *bm, bool exitless);
void vmx_msrpm_trap_write(uint8_t *bm, uint32_t msr, bool trap);
void vmx_iopm_build(uint8_t *bm);

#endif
