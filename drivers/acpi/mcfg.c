/* MCFG parser: PCIe ECAM windows, rejecting inverted or overlapping ones. */
#include "acpi_priv.h"

/* PCI Firmware Specification 3.2, section 4.1.2: header, 8 reserved bytes, then entries. */
#define MCFG_ENTRIES_OFF 44

struct mcfg_entry {
    uint64_t base;
    uint16_t segment;
    uint8_t start_bus, end_bus;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mcfg_entry) == 16, "MCFG allocation entry");

/* ECAM: 1 MiB of configuration space per bus (PCIe base spec 7.2.2). */
#define ECAM_BUS_SHIFT 20

static uint64_t ecam_start(const struct acpi_mcfg_window *w)
{
    return w->base + ((uint64_t)w->start_bus << ECAM_BUS_SHIFT);
}

static uint64_t ecam_end(const struct acpi_mcfg_window *w) /* exclusive */
{
    return w->base + (((uint64_t)w->end_bus + 1) << ECAM_BUS_SHIFT);
}

/* Index of an accepted window that `w` collides with (same buses or same memory), or -1. */
static int overlap(const struct acpi_mcfg *m, const struct acpi_mcfg_window *w)
{
    for (unsigned i = 0; i < m->nwindows; i++) {
        const struct acpi_mcfg_window *o = &m->windows[i];
        bool buses = o->segment == w->segment && o->start_bus <= w->end_bus &&
                     w->start_bus <= o->end_bus;
        bool memory = ecam_start(o) < ecam_end(w) && ecam_start(w) < ecam_end(o);

        if (buses || memory)
            return (int)i;
    }
    return -1;
}

static void add_window(const struct acpi_env *env, struct acpi_mcfg *m, unsigned idx,
                       const struct acpi_mcfg_window *w)
{
    int other;

    if (w->end_bus < w->start_bus) {
        acpi_report(env, "MCFG: window %u (segment %u) ends at bus %u before its start bus %u, ignored",
                    idx, w->segment, w->end_bus, w->start_bus);
        m->nrejected++;
        return;
    }
    if (w->base > UINT64_MAX - ((uint64_t)256 << ECAM_BUS_SHIFT)) {
        acpi_report(env, "MCFG: window %u at 0x%llx wraps the address space, ignored", idx,
                    (unsigned long long)w->base);
        m->nrejected++;
        return;
    }
    other = overlap(m, w);
    if (other >= 0) {
        acpi_report(env, "MCFG: window %u (segment %u buses %u-%u at 0x%llx) overlaps an earlier window (segment %u buses %u-%u at 0x%llx), ignored",
                    idx, w->segment, w->start_bus, w->end_bus, (unsigned long long)w->base,
                    m->windows[other].segment, m->windows[other].start_bus,
                    m->windows[other].end_bus, (unsigned long long)m->windows[other].base);
        m->nrejected++;
        return;
    }
    if (m->nwindows == ACPI_MAX_MCFG) {
        if (!m->truncated)
            acpi_report(env, "MCFG: more than %d windows, the rest ignored", ACPI_MAX_MCFG);
        m->truncated = true;
        return;
    }
    m->windows[m->nwindows++] = *w;
}

int acpi_parse_mcfg(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_mcfg *out)
{
    const uint8_t *p = tbl;
    unsigned n;

    memset(out, 0, sizeof *out);
    if (len < MCFG_ENTRIES_OFF || (len - MCFG_ENTRIES_OFF) % sizeof(struct mcfg_entry)) {
        acpi_report(env, "MCFG: length %u is not %u plus whole %u-byte entries", len,
                    MCFG_ENTRIES_OFF, (unsigned)sizeof(struct mcfg_entry));
        return -ACPI_E_LENGTH;
    }
    n = (len - MCFG_ENTRIES_OFF) / sizeof(struct mcfg_entry);
    for (unsigned i = 0; i < n; i++) {
        struct mcfg_entry e;

        memcpy(&e, p + MCFG_ENTRIES_OFF + i * sizeof e, sizeof e);
        add_window(env, out, i, &(struct acpi_mcfg_window){
            .base = e.base, .segment = e.segment, .start_bus = e.start_bus, .end_bus = e.end_bus});
    }
    out->present = true;
    return 0;
}
