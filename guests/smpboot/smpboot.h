/* smpboot: what the trampoline and the C side share. */
#ifndef EXITLESS_GUEST_SMPBOOT_H
#define EXITLESS_GUEST_SMPBOOT_H

#define TRAMP_BASE 0x20000          /* STARTUP vector 0x20 */
#define TRAMP_VECTOR (TRAMP_BASE >> 12)
#define AP_STACK_SIZE 8192
#define AP_SLOTS 8

#ifndef __ASSEMBLER__
#include <stdint.h>

extern const char smp_tramp_start[], smp_tramp_end[];
/* Trampoline data, by their link addresses (the copy at TRAMP_BASE is what the APs use). */
extern const char tr_seen[], tr_real_entries[], tr_cr3[], tr_cr4[], tr_efer[], tr_stacks[],
    tr_next_slot[], tr_ip_expected[];
/* What one real-mode entry recorded (tr_seen[]). */
struct tr_seen {
    uint16_t cs, ip;
    uint32_t cr0;
};
void smp_ap_main(uint32_t slot);
#endif

#endif
