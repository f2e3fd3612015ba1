/* Boot-time setup of every interrupt controller (after ACPI, before time and SMP). */
#include <stdio.h>

#include "drivers/acpi/acpi.h"
#include "drivers/irq/ioapic.h"
#include "drivers/irq/pic8259.h"
#include "kernel/acpi_glue.h"
#include "kernel/intc.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/vectors.h"

#define XAPIC_DEFAULT_PHYS 0xfee00000ull

static void log_vector_map(void)
{
    log_info("irq", "vectors: 0x%02x-%#x exceptions, %#x-%#x %s, %#x-%#x %s, %#x-%#x %s",
             VEC_EXCEPTION_FIRST, VEC_EXCEPTION_LAST, VEC_PIC_FIRST, VEC_PIC_LAST,
             vector_owner_name(VECTOR_LEGACY_PIC), VEC_GUEST_FIRST, VEC_GUEST_LAST,
             vector_owner_name(VECTOR_GUEST), VEC_HV_FIRST, 0xff,
             vector_owner_name(VECTOR_HYPERVISOR));
    char line[400];
    int n = 0;
    for (unsigned i = 0; i < hv_vector_count && n < (int)sizeof(line); i++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%#x %s", i ? ", " : "",
                      hv_vectors[i].vector, hv_vectors[i].name);
    log_info("irq", "hypervisor vectors: %s", line);
}

void intc_init(bool allow_x2apic)
{
    struct acpi_info *ai = acpi_get();
    /* Without a MADT assume a PC-AT; with one, PCAT_COMPAT says the 8259s exist. */
    if (!ai || !ai->madt.present || ai->madt.pcat_compat) {
        pic_remap_and_mask(VEC_PIC_FIRST, VEC_PIC_SLAVE);
        log_info("irq", "8259 PICs remapped to %#x-%#x and fully masked", VEC_PIC_FIRST,
                 VEC_PIC_LAST);
    }
    for (unsigned i = 0; ai && i < ai->madt.nioapics; i++) {
        struct acpi_ioapic *io = &ai->madt.ioapics[i];
        uint8_t version;
        unsigned n = ioapic_mask_all(io, &version);
        log_info("irq", "IOAPIC id %u at %#x version %#x: GSI %u-%u, all %u entries masked",
                 io->id, io->address, version, io->gsi_base, io->gsi_base + n - 1, n);
    }
    lapic_setup_bsp(ai && ai->madt.present ? ai->madt.lapic_address : XAPIC_DEFAULT_PHYS,
                    allow_x2apic);
    struct percpu *bsp = this_cpu();
    bsp->apic_id = lapic_id();
    for (unsigned i = 0; ai && i < ai->madt.ncpus; i++)
        if (ai->madt.cpus[i].apic_id == bsp->apic_id)
            bsp->acpi_uid = ai->madt.cpus[i].uid;
    lapic_init_cpu(bsp->acpi_uid);
    log_vector_map();
}

uint32_t intc_pci_intx_gsi(uint8_t irq_line, bool *level, bool *active_low)
{
    struct acpi_info *ai = acpi_get();
    *level = true;
    *active_low = true;
    for (unsigned i = 0; ai && i < ai->madt.nisos; i++)
        if (ai->madt.isos[i].bus == 0 && ai->madt.isos[i].source == irq_line)
            return ai->madt.isos[i].gsi;
    return irq_line;
}

static struct acpi_ioapic *ioapic_of(uint32_t gsi, unsigned *pin)
{
    struct acpi_info *ai = acpi_get();
    for (unsigned i = 0; ai && i < ai->madt.nioapics; i++) {
        struct acpi_ioapic *io = &ai->madt.ioapics[i];
        if (gsi >= io->gsi_base && gsi < io->gsi_base + io->gsi_count) {
            *pin = gsi - io->gsi_base;
            return io;
        }
    }
    return NULL;
}

int intc_gsi_route(uint32_t gsi, uint8_t vector, uint32_t apic, bool level, bool active_low,
                   bool masked)
{
    unsigned pin;
    struct acpi_ioapic *io = ioapic_of(gsi, &pin);
    if (!io || apic > 0xff)
        return -1;
    ioapic_route(io, pin, vector, (uint8_t)apic, level, active_low, masked);
    return 0;
}

void intc_gsi_mask(uint32_t gsi, bool masked)
{
    unsigned pin;
    struct acpi_ioapic *io = ioapic_of(gsi, &pin);
    if (io)
        ioapic_set_masked(io, pin, masked);
}
