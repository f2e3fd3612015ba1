/* Local APIC in x2APIC mode (MSRs) where the CPU has it, xAPIC (MMIO) otherwise: init, EOI,
 * IPIs and the one-shot timer (SDM vol. 3, chapter 11). */
#ifndef EXITLESS_KERNEL_LAPIC_H
#define EXITLESS_KERNEL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16 (SDM 11.12.1.2). */
#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define  LAPIC_SVR_ENABLE      (1u << 8)     /* APIC software enable (SDM 11.9) */
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LOW   0x300
#define LAPIC_ICR_HIGH  0x310                /* xAPIC only: destination in bits 31:24 */
#define LAPIC_LVT_TIMER 0x320
#define  LAPIC_TIMER_ONESHOT   (0u << 17)    /* LVT timer mode, SDM 11.5.4 */
#define  LAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define  LAPIC_LVT_MASKED      (1u << 16)
#define  LAPIC_LVT_NMI         (4u << 8)     /* delivery mode NMI */
#define  LAPIC_LVT_LEVEL       (1u << 15)
#define  LAPIC_LVT_ACTIVE_LOW  (1u << 13)
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3e0
#define  LAPIC_DIVIDE_BY_16    0x3u

/* ICR fields (SDM 11.6.1). */
#define ICR_FIXED          (0u << 8)
#define ICR_NMI            (4u << 8)
#define ICR_INIT           (5u << 8)
#define ICR_STARTUP        (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)       /* xAPIC only */
#define ICR_LEVEL_ASSERT   (1u << 14)
#define ICR_TRIGGER_LEVEL  (1u << 15)
#define ICR_DEST_ALL_BUT_SELF (3u << 18)

/* IA32_APIC_BASE bits (SDM 11.4.4, 11.12.1). */
#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_EXTD     (1ull << 10)      /* x2APIC mode */
#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xffffff000ull

#define MSR_X2APIC_BASE     0x800
#define MSR_TSC_DEADLINE    0x6e0

/* Chooses the mode once (boot CPU): x2APIC when CPUID has it and `allow_x2apic`, else maps
 * the xAPIC page. */
void lapic_setup_bsp(uint64_t madt_lapic_phys, bool allow_x2apic);
/* Enables this CPU's LAPIC in the chosen mode: spurious and error vectors, LINTs masked
 * (LINT1 as NMI on the CPUs the MADT says), TPR 0. Each CPU calls it once. */
void lapic_init_cpu(uint32_t acpi_uid);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t val);

/* Sends an IPI: `mode` is ICR_FIXED/ICR_NMI/ICR_INIT/ICR_STARTUP (| ICR_LEVEL_ASSERT...),
 * `vector` is ignored for NMI and INIT. Waits for an xAPIC to accept it. */
void lapic_send_ipi(uint32_t apic_id, uint32_t mode, uint8_t vector);
/* Same, to every CPU but this one (destination shorthand). */
void lapic_send_ipi_all_but_self(uint32_t mode, uint8_t vector);
bool lapic_ready(void);

#endif
