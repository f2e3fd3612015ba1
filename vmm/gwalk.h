/* Guest linear addresses: the guest's own paging walked as the CPU would for the kernel. */
#ifndef EXITLESS_VMM_GWALK_H
#define EXITLESS_VMM_GWALK_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest.h"

/* Guest-physical address of a guest linear address in the current VMCS's paging mode
 * (paging off, 32-bit, or 4-level): 0, or -1 when not mapped or the mode is unsupported. */
int gwalk_translate(struct vcpu *v, uint64_t gla, uint64_t *gpa);
/* Copies guest linear memory, page by page through the guest's paging and EPT. */
int gwalk_read(struct vcpu *v, uint64_t gla, void *buf, size_t len);
int gwalk_write(struct vcpu *v, uint64_t gla, const void *buf, size_t len);

#endif
