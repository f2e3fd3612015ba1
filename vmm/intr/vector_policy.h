/* Which interrupt vectors a guest owns on its cores: the one place that decides it, by the
 * guest's interrupt mode. Every check of a guest-chosen vector (x2APIC ICR/LVT/self IPI,
 * MSI-X entries, HC_NOTIFY, HC_INJECT_SELF, the ELI shadow IDT) asks here. */
#ifndef EXITLESS_VMM_VECTOR_POLICY_H
#define EXITLESS_VMM_VECTOR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vendor.h"

struct guest;

/* The vectors above the exceptions that a guest in `mode` owns on its cores:
 *  - exitless: every vector 0x20-0xff. Its interrupts arrive through its own IDT with no
 *    exit, so the hypervisor reaches such a core only by NMI (kicks, cross-calls: see
 *    kernel/xcall.c), which always exits; none of its fixed vectors is sent there.
 *  - injected: the guest range 0x30-0xdf of kernel/vectors.h. Every interrupt exits into the
 *    hypervisor's IDT, where 0xe0-0xff are the hypervisor's own. */
bool intr_mode_owns_vector(enum intr_mode mode, uint8_t vector);
/* Lowest and highest vector of that range, for messages. */
uint8_t intr_mode_first_vector(enum intr_mode mode);
uint8_t intr_mode_last_vector(enum intr_mode mode);
bool guest_owns_vector(const struct guest *g, uint8_t vector);

#endif
