/* PIT channel 2 and port B (0x61: its gate, the speaker enable, OUT2) for a guest: what
 * Linux's TSC calibration programs when CPUID does not give it the TSC frequency. Time is the
 * hypervisor's TSC, counted at PIT_HZ from the guest's start. Channels 0 and 1 are not
 * provided: their ports stay unclaimed (writes ignored, reads all ones). */
#ifndef EXITLESS_VMM_PLATFORM_PIT_H
#define EXITLESS_VMM_PLATFORM_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "vmm/platform/pit_counter.h"

#define PIT_CH2_PORT     0x42
#define PIT_CONTROL_PORT 0x43
/* Port B (IBM PC/AT "NMI status and control"). */
#define PORT_B           0x61
#define PORT_B_GATE2     0x01u   /* timer 2 gate */
#define PORT_B_SPEAKER   0x02u   /* speaker data enable: kept, silent */
#define PORT_B_WRITABLE  0x0fu   /* gate, speaker, parity and channel check enables */
#define PORT_B_REFRESH   0x10u   /* toggles every 15 us (18 PIT clocks) */
#define PORT_B_OUT2      0x20u
#define PORT_B_REFRESH_CLOCKS 18

struct guest;

struct guest_pit {
    /* Protects everything below: any vCPU of the guest may reach these ports at once. */
    struct spinlock lock;
    struct pit_counter ch2;
    uint64_t tsc_base;          /* TSC at PIT clock 0 */
    uint8_t port_b;             /* bits 0-3 as last written */
    uint32_t refused;           /* bit -PIT_E_*: that refusal was logged */
};

/* A new run: power-on state, clock 0 at tsc_now. No vCPU of the guest runs. */
void pit_reset(struct guest_pit *p, uint64_t tsc_now);
/* One byte access to port 0x42, 0x43 or 0x61; false for any other port and for what
 * channels 0 and 1 would receive. */
bool pit_port(struct guest *g, uint16_t port, bool write, uint8_t *v);

#endif
