/* One-line boot-log summaries of what the ACPI parsers found. */
#include <stdarg.h>
#include <stdio.h>

#include "acpi_priv.h"

/* Appending formatter: keeps the buffer terminated and returns the untruncated length. */
struct line {
    char *buf;
    size_t cap, pos;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    size_t room = l->pos < l->cap ? l->cap - l->pos : 0;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room ? l->buf + l->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->pos += (size_t)n;
}

static int done(const struct line *l) { return (int)l->pos; }

static const char *plural(unsigned n) { return n == 1 ? "" : "s"; }

static const char *space_name(uint8_t space)
{
    switch (space) {
    case ACPI_GAS_MEMORY:
        return "mmio";
    case ACPI_GAS_IO:
        return "port";
    case ACPI_GAS_PCI_CONFIG:
        return "pci-config";
    default:
        return "space?";
    }
}

int acpi_summarize_tables(const struct acpi_info *info, char *buf, size_t len)
{
    struct line l = {buf, len, 0};

    add(&l, "ACPI: RSDP rev %u OEM \"%s\", %s at 0x%llx, %u tables:", info->rsdp_revision,
        info->oem_id, info->xsdt_used ? "XSDT" : "RSDT", (unsigned long long)info->root_phys,
        info->ntables);
    for (unsigned i = 0; i < info->ntables && i < ACPI_MAX_TABLES; i++)
        add(&l, " %s%s", info->tables[i].signature, info->tables[i].valid ? "" : "(bad)");
    add(&l, ", %u rejected", info->nrejected);
    return done(&l);
}

static void ioapic(struct line *l, const struct acpi_ioapic *io)
{
    add(l, "id %u at 0x%x GSI ", io->id, io->address);
    if (io->gsi_count)
        add(l, "%u-%u", io->gsi_base, io->gsi_base + io->gsi_count - 1);
    else
        add(l, "base %u", io->gsi_base);
}

int acpi_summarize_madt(const struct acpi_info *info, char *buf, size_t len)
{
    const struct acpi_madt *m = &info->madt;
    struct line l = {buf, len, 0};

    if (!m->present) {
        add(&l, "MADT: absent or rejected (only the boot CPU)");
        return done(&l);
    }
    add(&l, "MADT: %u CPU%s (APIC ids ", m->ncpus, plural(m->ncpus));
    for (unsigned i = 0; i < m->ncpus; i++)
        add(&l, "%s%u", i ? "," : "", m->cpus[i].apic_id);
    add(&l, ")");
    if (m->ncpus_disabled)
        add(&l, " +%u disabled", m->ncpus_disabled);
    add(&l, ", %u IOAPIC%s", m->nioapics, plural(m->nioapics));
    for (unsigned i = 0; i < m->nioapics; i++) {
        add(&l, i ? ", " : " ");
        ioapic(&l, &m->ioapics[i]);
    }
    add(&l, ", %u override%s, %u NMI%s, LAPIC 0x%llx%s%s", m->nisos, plural(m->nisos), m->nnmis,
        plural(m->nnmis), (unsigned long long)m->lapic_address,
        m->pcat_compat ? ", 8259s present" : "", m->truncated ? " (TRUNCATED)" : "");
    return done(&l);
}

int acpi_summarize_mcfg(const struct acpi_info *info, char *buf, size_t len)
{
    const struct acpi_mcfg *m = &info->mcfg;
    struct line l = {buf, len, 0};

    if (!m->present || !m->nwindows) {
        add(&l, "MCFG: %s (PCI config through ports 0xcf8/0xcfc only)",
            m->present ? "no windows" : "absent or rejected");
        return done(&l);
    }
    add(&l, "MCFG:");
    for (unsigned i = 0; i < m->nwindows; i++)
        add(&l, "%s segment %u buses %u-%u at 0x%llx", i ? ";" : "", m->windows[i].segment,
            m->windows[i].start_bus, m->windows[i].end_bus,
            (unsigned long long)m->windows[i].base);
    if (m->nrejected)
        add(&l, ", %u rejected", m->nrejected);
    return done(&l);
}

int acpi_summarize_dmar(const struct acpi_info *info, char *buf, size_t len)
{
    const struct acpi_dmar *d = &info->dmar;
    struct line l = {buf, len, 0};

    if (!d->present) {
        add(&l, "DMAR: absent or rejected (no VT-d)");
        return done(&l);
    }
    add(&l, "DMAR: haw %u, %u DRHD%s", d->host_address_width, d->ndrhd, plural(d->ndrhd));
    for (unsigned i = 0; i < d->ndrhd; i++) {
        const struct acpi_dmar_drhd *u = &d->drhd[i];

        add(&l, "%s at 0x%llx (", i ? "," : "", (unsigned long long)u->reg_base);
        if (u->flags & ACPI_DRHD_INCLUDE_PCI_ALL)
            add(&l, "INCLUDE_PCI_ALL, ");
        add(&l, "%u scope%s)", u->nscopes, plural(u->nscopes));
    }
    add(&l, ", %u RMRR, %u ATSR, IR %s x2APIC %s", d->nrmrr, d->natsr,
        (d->flags & ACPI_DMAR_INTR_REMAP) ? "supported" : "not supported",
        (d->flags & ACPI_DMAR_X2APIC_OPT_OUT) ? "opt-out" : "ok");
    return done(&l);
}

int acpi_summarize_fadt(const struct acpi_info *info, char *buf, size_t len)
{
    const struct acpi_fadt *f = &info->fadt;
    struct line l = {buf, len, 0};

    if (!f->present) {
        add(&l, "FADT: absent or rejected");
        return done(&l);
    }
    add(&l, "FADT: rev %u, PM timer ", f->revision);
    if (f->pm_timer_present)
        add(&l, "%s 0x%llx (%u-bit)", space_name(f->pm_timer.space),
            (unsigned long long)f->pm_timer.address, f->pm_timer_bits);
    else
        add(&l, "none");
    if (f->reset_present)
        add(&l, ", reset reg %s 0x%llx value 0x%x", space_name(f->reset_reg.space),
            (unsigned long long)f->reset_reg.address, f->reset_value);
    else
        add(&l, ", reset reg none");
    add(&l, ", SCI %u, hw-reduced %s, DSDT 0x%llx%s", f->sci_irq, f->hw_reduced ? "yes" : "no",
        (unsigned long long)f->dsdt_phys, f->dsdt_valid ? "" : " (bad)");
    return done(&l);
}
