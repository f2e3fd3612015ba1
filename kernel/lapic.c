/* Local APIC driver: x2APIC through MSRs, xAPIC through an uncached MMIO page. */
#include <stdio.h>

#include "kernel/arch.h"
#include "kernel/cpuinfo.h"
#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"

#define XAPIC_ID_SHIFT 24   /* xAPIC ID register: bits 31:24 (SDM 11.4.6) */
#define XAPIC_DEST_SHIFT 24 /* ICR high: destination field bits 63:56 */
#define ESR_NAMES_BITS 8

static bool x2apic;
static volatile uint32_t *xapic_regs;
static bool ready;

static void enable_mode(void);
static void error_interrupt(struct trap_frame *f);
static void spurious_interrupt(struct trap_frame *f);

bool lapic_x2apic_mode(void) { return x2apic; }
bool lapic_ready(void) { return ready; }

uint32_t lapic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
    return xapic_regs[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t val)
{
    if (x2apic)
        wrmsr(MSR_X2APIC_BASE + reg / 16, val);
    else
        xapic_regs[reg / 4] = val;
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);
    return x2apic ? id : id >> XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

void lapic_setup_bsp(uint64_t madt_lapic_phys, bool allow_x2apic)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    /* Firmware may have entered x2APIC mode already; there is no way back (SDM 11.12.5). */
    x2apic = (cpu_features()->x2apic && allow_x2apic) || (base & APIC_BASE_EXTD);
    if (!x2apic) {
        uint64_t phys = base & APIC_BASE_ADDR_MASK;
        if (madt_lapic_phys && madt_lapic_phys != phys)
            log_warn("apic", "MADT says the LAPIC is at %#lx, IA32_APIC_BASE says %#lx; "
                             "using the MSR", madt_lapic_phys, phys);
        xapic_regs = (volatile uint32_t *)mmio_map(phys, PAGE_SIZE);
    }
    enable_mode();
    irq_register(VEC_LAPIC_ERROR, error_interrupt);
    irq_register(VEC_SPURIOUS, spurious_interrupt);
    log_info("apic", "local APIC: %s mode%s", x2apic ? "x2APIC (MSR)" : "xAPIC (MMIO)",
             x2apic ? "" : cpu_features()->x2apic ? ", x2APIC turned off on the command line"
                                                  : ", CPU has no x2APIC");
}

/* LINT1 carries NMI on most boards; the MADT's Local APIC NMI entries say which (5.2.12.7). */
static uint32_t lint_lvt(uint32_t acpi_uid, uint8_t lint)
{
    const struct acpi_info *ai = acpi_get();
    if (!ai || !ai->madt.present)
        return LAPIC_LVT_MASKED;
    for (unsigned i = 0; i < ai->madt.nnmis; i++) {
        const struct acpi_nmi *n = &ai->madt.nmis[i];
        if (n->lint != lint || (n->uid != ACPI_NMI_ALL_CPUS && n->uid != acpi_uid))
            continue;
        uint32_t v = LAPIC_LVT_NMI;
        if ((n->flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW)
            v |= LAPIC_LVT_ACTIVE_LOW;
        return v; /* NMI is always edge-triggered (SDM 11.5.1) */
    }
    return LAPIC_LVT_MASKED;
}

/* Globally enables this CPU's LAPIC in the chosen mode; x2APIC is entered from the
 * xAPIC-enabled state and never left (SDM 11.12.5, figure 11-27). */
static void enable_mode(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE))
        wrmsr(MSR_IA32_APIC_BASE, base |= APIC_BASE_ENABLE);
    if (x2apic && !(base & APIC_BASE_EXTD))
        wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
}

void lapic_init_cpu(uint32_t acpi_uid)
{
    enable_mode();
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
    lapic_write(LAPIC_LVT_LINT0, lint_lvt(acpi_uid, 0));
    lapic_write(LAPIC_LVT_LINT1, lint_lvt(acpi_uid, 1));
    lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
    /* ESR is write-then-read (SDM 11.5.3): clear what reset left behind. */
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_ESR, 0);
    lapic_eoi();
    ready = true;
}

static void icr_send(uint32_t dest, uint32_t low)
{
    if (x2apic) {
        /* One 64-bit MSR write; destination in bits 63:32 (SDM 11.12.9). */
        wrmsr(MSR_X2APIC_BASE + LAPIC_ICR_LOW / 16, ((uint64_t)dest << 32) | low);
        return;
    }
    uint64_t flags = read_rflags();
    irq_disable();
    xapic_regs[LAPIC_ICR_HIGH / 4] = dest << XAPIC_DEST_SHIFT;
    xapic_regs[LAPIC_ICR_LOW / 4] = low; /* this write sends */
    while (xapic_regs[LAPIC_ICR_LOW / 4] & ICR_DELIVERY_PENDING)
        cpu_relax();
    if (flags & RFLAGS_IF)
        irq_enable();
}

static uint32_t icr_low(uint32_t mode, uint8_t vector)
{
    uint32_t type = mode & (7u << 8);
    bool no_vector = type == ICR_NMI || type == ICR_INIT;
    return mode | (no_vector ? 0 : vector);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t mode, uint8_t vector)
{
    icr_send(apic_id, icr_low(mode, vector));
}

void lapic_send_ipi_all_but_self(uint32_t mode, uint8_t vector)
{
    icr_send(0, icr_low(mode, vector) | ICR_DEST_ALL_BUT_SELF);
}

static void error_interrupt(struct trap_frame *f)
{
    static const char *const esr_bits[ESR_NAMES_BITS] = {
        "send checksum", "receive checksum", "send accept", "receive accept",
        "redirectable IPI", "send illegal vector", "receive illegal vector",
        "illegal register address",
    };
    (void)f;
    lapic_write(LAPIC_ESR, 0);
    uint32_t esr = lapic_read(LAPIC_ESR);
    char why[200] = "";
    unsigned n = 0;
    for (int b = 0; b < ESR_NAMES_BITS && n < sizeof(why); b++)
        if (esr & (1u << b))
            n += (unsigned)snprintf(why + n, sizeof(why) - n, " %s", esr_bits[b]);
    log_err("apic", "LAPIC error interrupt: ESR %#x:%s", esr, why);
    lapic_eoi();
}

/* Spurious interrupts need no EOI (SDM 11.9). */
static void spurious_interrupt(struct trap_frame *f)
{
    (void)f;
    log_debug("apic", "spurious LAPIC interrupt");
}
