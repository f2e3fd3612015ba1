/* The one interrupt vector map of the hypervisor: what is ours, what is left for guests. */
#ifndef EXITLESS_KERNEL_VECTORS_H
#define EXITLESS_KERNEL_VECTORS_H

/*
 * x86 delivers by priority class (vector >> 4, SDM vol. 3, 11.8.3.1): a higher class preempts
 * a lower one. The hypervisor's vectors sit at the top so a guest's interrupt never blocks
 * them; guests get one contiguous range that exitless delivery (ELI) can hand out as physical
 * vectors, and the shadow IDT of a guest core marks every vector outside it not-present.
 *
 *   0x00-0x1f  CPU exceptions (SDM vol. 3, 6.15)
 *   0x20-0x2f  legacy 8259 PIC, remapped here and fully masked (only spurious IRQ 7/15 land)
 *   0x30-0xdf  GUEST RANGE: never used by the hypervisor, handed to guests' devices
 *   0xe0-0xef  hypervisor device interrupts (VT-d faults, NIC PF mailbox, ...)
 *   0xf0-0xff  hypervisor core: IPIs, timer, LAPIC error, spurious
 *
 * This map holds on the management CPU, sidecores, idle cores and the cores of guests with
 * injected interrupts (whose interrupts all exit into this IDT). On the cores of an EXITLESS
 * guest the guest owns every vector 0x20-0xff (Linux puts its timer and IPIs at 0xec-0xff):
 * no fixed vector of the hypervisor's is ever sent there; the hypervisor reaches those cores
 * by NMI only (kicks, and cross-calls posted for the vCPU loop, kernel/xcall.c), which
 * always exits. The one exception is what every core's LAPIC itself raises: spurious (0xff)
 * and LVT error (0xfe), kept as the hypervisor programmed them, which reach the guest's
 * gates for the same vectors (Linux uses 0xff and 0xfe for just that). Which vectors a guest
 * owns is decided in one place: vmm/intr/vector_policy.c.
 */
#define VEC_EXCEPTION_FIRST 0x00
#define VEC_EXCEPTION_LAST  0x1f
#define VEC_PIC_FIRST       0x20 /* master 8259 IRQ 0-7 -> 0x20-0x27 */
#define VEC_PIC_SLAVE       0x28 /* slave 8259 IRQ 8-15 -> 0x28-0x2f */
#define VEC_PIC_LAST        0x2f
#define VEC_GUEST_FIRST     0x30
#define VEC_GUEST_LAST      0xdf
#define VEC_HV_FIRST        0xe0

/* Hypervisor device interrupts. */
#define VEC_VTD_FAULT       0xe0 /* VT-d fault event (later issue) */
#define VEC_NIC_MAILBOX     0xe1 /* NIC PF: VF mailbox / VF reset / link events (drivers/nic) */
#define VEC_UPLINK_RX       0xe2 /* NIC PF: a frame on the switch's uplink wakes the halted
                                    sidecore that owns it (drivers/nic/igb_uplink.c) */

/* Hypervisor core. */
/* 0xf0 is free: a guest core is made to leave guest mode with an NMI (kernel/smp.c), which
 * nothing the guest does can hold back. */
#define VEC_IPI_PING        0xf1 /* ping: the target answers with VEC_IPI_PONG */
#define VEC_IPI_PONG        0xf2 /* answer to a ping */
#define VEC_IPI_XCALL       0xf3 /* cross-call: run the function posted to this CPU */
#define VEC_TIMER           0xfc /* this CPU's hypervisor timer (TSC-deadline / one-shot) */
#define VEC_LAPIC_ERROR     0xfe /* LVT error: logs ESR */
#define VEC_SPURIOUS        0xff /* LAPIC spurious (low nibble must be 0xf on old parts) */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

enum vector_owner {
    VECTOR_EXCEPTION,
    VECTOR_LEGACY_PIC,
    VECTOR_GUEST,
    VECTOR_HYPERVISOR,
};

struct vector_use {
    uint8_t vector;
    const char *name;
};

/* Every vector the hypervisor uses above the exceptions, ascending. */
extern const struct vector_use hv_vectors[];
extern const unsigned hv_vector_count;

enum vector_owner vector_owner(uint8_t vector);
const char *vector_owner_name(enum vector_owner owner);
/* What a hypervisor vector is for, or NULL when the hypervisor does not use it. */
const char *vector_name(uint8_t vector);
#endif

#endif
