/* x2APIC register writes a guest asks for: the architecture's reserved bits and the
 * hypervisor's policy, as pure checks (host unit-tested). */
#ifndef EXITLESS_VMM_X2APIC_CHECK_H
#define EXITLESS_VMM_X2APIC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vendor.h"

/* x2APIC registers (SDM vol. 3, table 11-6) a guest's write reaches the hypervisor for. */
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ESR 0x828
#define X2APIC_LVT_CMCI 0x82f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_THERMAL 0x833
#define X2APIC_LVT_PERF 0x834
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_LINT1 0x836
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_SELF_IPI 0x83f

#define X2APIC_VECTOR_MASK 0xffu
#define X2APIC_LVT_MASKED (1u << 16)
#define X2APIC_TIMER_MODE_MASK (3u << 17)
#define X2APIC_TIMER_MODE_RESERVED (3u << 17)   /* 11b (SDM 11.5.1) */
#define X2APIC_ICR_MODE_MASK (7u << 8)
#define X2APIC_ICR_DEST_LOGICAL (1u << 11)
#define X2APIC_ICR_SHORTHAND_MASK (3u << 18)
#define X2APIC_ICR_SHORTHAND_SELF (1u << 18)
#define X2APIC_ICR_SHORTHAND_ALL (2u << 18)
#define X2APIC_ICR_SHORTHAND_ALL_BUT_SELF (3u << 18)
#define X2APIC_ICR_MODE_FIXED (0u << 8)
#define X2APIC_ICR_MODE_INIT (5u << 8)
#define X2APIC_ICR_MODE_STARTUP (6u << 8)
#define X2APIC_ICR_LEVEL_ASSERT (1u << 14)
#define X2APIC_ICR_TRIGGER_LEVEL (1u << 15)

/* Bits of register `msr` a write must leave zero (SDM 11.12.1.2-3: a WRMSR that sets one
 * raises #GP); ~0 for EOI, which takes only 0. Read-only bits (delivery status) count as
 * writable: the CPU ignores them. 0 for a register not listed. */
uint64_t x2apic_reserved_bits(uint32_t msr);

/* What becomes of a guest's write. */
enum x2apic_verdict {
    X2APIC_GP,          /* the CPU would raise #GP: so does the guest */
    X2APIC_DENY,        /* architecturally fine, outside the guest's rights: dropped, logged */
    X2APIC_WRITE,       /* written to the core's APIC as given */
    X2APIC_KEEP,        /* accepted, the hypervisor's own setting stays (SVR, LINT, ...) */
    X2APIC_IGNORE,      /* accepted, no effect: INIT level de-assert (SDM 11.6.1) */
    X2APIC_INIT,        /* INIT to one of the guest's other cores: emulated (vmm/intr/apic_start.c) */
    X2APIC_SIPI,        /* STARTUP to one of its other cores, vector = the start page */
    X2APIC_FIXED_OWN,   /* fixed IPI with the all / all-but-self shorthand: sent to each of
                         * the guest's own cores instead of every core of the machine */
};

/* What a guest may reach: its cores' APIC ids, the writing vCPU's own, its vectors by
 * interrupt mode (vmm/intr/vector_policy.h). */
struct x2apic_rights {
    const uint32_t *apic_ids;
    unsigned napic;
    uint32_t self;
    enum intr_mode mode;
};

/* The guest may send fixed, physical IPIs on its own vectors to itself or its own cores
 * (the all shorthands become IPIs to its own cores), INIT and STARTUP to its own other
 * cores, and point its timer at its own vectors. For X2APIC_DENY, *why says what was
 * refused (for the log); else NULL. */
enum x2apic_verdict x2apic_check_write(uint32_t msr, uint64_t val, const struct x2apic_rights *r,
                                       const char **why);

/* The processor-priority register from the TPR and the highest vector in service (-1 for
 * none), SDM 11.8.3.1. */
uint8_t x2apic_ppr(uint8_t tpr, int isr_highest);

#endif
