/* I/O APIC register access through IOREGSEL/IOWIN (82093AA datasheet, section 3). */
#include "drivers/acpi/acpi.h"
#include "drivers/irq/ioapic.h"
#include "kernel/mm.h"

#define IOAPIC_REGSEL 0x00 /* byte offsets of the two MMIO registers */
#define IOAPIC_WINDOW 0x10
#define IOAPIC_MMIO_SIZE 0x20
#define IOAPIC_REG_VERSION 0x01
#define  IOAPIC_VERSION_MASK 0xffu
#define  IOAPIC_MAX_REDIR_SHIFT 16   /* bits 23:16: number of entries - 1 */
#define  IOAPIC_MAX_REDIR_MASK 0xffu
#define IOAPIC_REG_REDIR_LOW(n) (0x10 + 2 * (n))
#define IOAPIC_REG_REDIR_HIGH(n) (0x11 + 2 * (n))
#define  IOAPIC_REDIR_MASKED (1u << 16)
#define  IOAPIC_REDIR_LEVEL  (1u << 15)
#define  IOAPIC_REDIR_ACTIVE_LOW (1u << 13)
#define  IOAPIC_REDIR_DEST_SHIFT 24   /* high dword: physical APIC id */
#define IOAPIC_MAX_UNITS 8

/* Each IOAPIC's registers, mapped once. */
static struct { uint32_t phys; volatile uint32_t *base; } mapped[IOAPIC_MAX_UNITS];

static volatile uint32_t *regs_of(const struct acpi_ioapic *io)
{
    for (unsigned i = 0; i < IOAPIC_MAX_UNITS; i++) {
        if (mapped[i].base && mapped[i].phys == io->address)
            return mapped[i].base;
        if (!mapped[i].base) {
            mapped[i].phys = io->address;
            mapped[i].base = (volatile uint32_t *)mmio_map(io->address, IOAPIC_MMIO_SIZE);
            return mapped[i].base;
        }
    }
    return (volatile uint32_t *)mmio_map(io->address, IOAPIC_MMIO_SIZE);
}

static uint32_t ioapic_read(volatile uint32_t *base, uint32_t reg)
{
    base[IOAPIC_REGSEL / 4] = reg;
    return base[IOAPIC_WINDOW / 4];
}

static void ioapic_write(volatile uint32_t *base, uint32_t reg, uint32_t val)
{
    base[IOAPIC_REGSEL / 4] = reg;
    base[IOAPIC_WINDOW / 4] = val;
}

unsigned ioapic_mask_all(struct acpi_ioapic *io, uint8_t *version)
{
    volatile uint32_t *base = regs_of(io);
    uint32_t ver = ioapic_read(base, IOAPIC_REG_VERSION);
    unsigned count = ((ver >> IOAPIC_MAX_REDIR_SHIFT) & IOAPIC_MAX_REDIR_MASK) + 1;
    *version = (uint8_t)(ver & IOAPIC_VERSION_MASK);
    io->gsi_count = count;
    for (unsigned n = 0; n < count; n++) {
        ioapic_write(base, IOAPIC_REG_REDIR_HIGH(n), 0);
        ioapic_write(base, IOAPIC_REG_REDIR_LOW(n), IOAPIC_REDIR_MASKED);
    }
    return count;
}

void ioapic_route(const struct acpi_ioapic *io, unsigned pin, uint8_t vector, uint8_t apic,
                  bool level, bool active_low, bool masked)
{
    volatile uint32_t *base = regs_of(io);
    uint32_t lo = vector | (level ? IOAPIC_REDIR_LEVEL : 0) |
                  (active_low ? IOAPIC_REDIR_ACTIVE_LOW : 0) | (masked ? IOAPIC_REDIR_MASKED : 0);
    ioapic_write(base, IOAPIC_REG_REDIR_LOW(pin), lo | IOAPIC_REDIR_MASKED);
    ioapic_write(base, IOAPIC_REG_REDIR_HIGH(pin), (uint32_t)apic << IOAPIC_REDIR_DEST_SHIFT);
    ioapic_write(base, IOAPIC_REG_REDIR_LOW(pin), lo);
}

void ioapic_set_masked(const struct acpi_ioapic *io, unsigned pin, bool masked)
{
    volatile uint32_t *base = regs_of(io);
    uint32_t lo = ioapic_read(base, IOAPIC_REG_REDIR_LOW(pin));
    lo = masked ? lo | IOAPIC_REDIR_MASKED : lo & ~IOAPIC_REDIR_MASKED;
    ioapic_write(base, IOAPIC_REG_REDIR_LOW(pin), lo);
}
