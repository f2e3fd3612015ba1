/* MADT parser: CPUs (local APIC and x2APIC), IOAPICs, interrupt overrides, NMI wiring. */
#include "acpi_priv.h"

/* Layouts from ACPI 6.5 section 5.2.12 (Multiple APIC Description Table). */
#define MADT_ENTRIES_OFF 44 /* header + Local Interrupt Controller Address + Flags */
#define MADT_PCAT_COMPAT (1u << 0)

enum madt_type {
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_ISO = 2,
    MADT_NMI_SOURCE = 3,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_OVERRIDE = 5,
    MADT_X2APIC = 9,
    MADT_X2APIC_NMI = 10,
};

struct madt_lapic { /* 5.2.12.2 */
    uint8_t type, length, uid, apic_id;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT local APIC entry");

struct madt_ioapic { /* 5.2.12.3 */
    uint8_t type, length, id, reserved;
    uint32_t address, gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT IOAPIC entry");

struct madt_iso { /* 5.2.12.5 */
    uint8_t type, length, bus, source;
    uint32_t gsi;
    uint16_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_iso) == 10, "MADT interrupt source override");

struct madt_nmi_source { /* 5.2.12.6 */
    uint8_t type, length;
    uint16_t flags;
    uint32_t gsi;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_nmi_source) == 8, "MADT NMI source");

struct madt_lapic_nmi { /* 5.2.12.7 */
    uint8_t type, length, uid;
    uint16_t flags;
    uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT local APIC NMI");
#define MADT_LAPIC_NMI_ALL 0xff

struct madt_lapic_override { /* 5.2.12.8 */
    uint8_t type, length;
    uint16_t reserved;
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_override) == 12, "MADT local APIC address override");

struct madt_x2apic { /* 5.2.12.12 */
    uint8_t type, length;
    uint16_t reserved;
    uint32_t x2apic_id, flags, uid;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic) == 16, "MADT x2APIC entry");

struct madt_x2apic_nmi { /* 5.2.12.13 */
    uint8_t type, length;
    uint16_t flags;
    uint32_t uid;
    uint8_t lint, reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic_nmi) == 12, "MADT x2APIC NMI");

/* True if one more item fits; otherwise reports the limit once and marks the MADT truncated. */
static bool room(const struct acpi_env *env, struct acpi_madt *m, unsigned n, unsigned max,
                 const char *what)
{
    if (n < max)
        return true;
    if (!m->truncated)
        acpi_report(env, "MADT: more than %u %s, the rest ignored", max, what);
    m->truncated = true;
    return false;
}

static void add_cpu(const struct acpi_env *env, struct acpi_madt *m, uint32_t apic_id,
                    uint32_t uid, uint32_t flags, bool x2)
{
    if (!(flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE))) {
        m->ncpus_disabled++;
        return;
    }
    for (unsigned i = 0; i < m->ncpus; i++) {
        if (m->cpus[i].apic_id == apic_id) {
            acpi_report(env, "MADT: APIC id %u listed twice, second entry ignored", apic_id);
            m->ncpus_dropped++;
            return;
        }
    }
    if (!room(env, m, m->ncpus, ACPI_MAX_CPUS, "CPUs")) {
        m->ncpus_dropped++;
        return;
    }
    m->cpus[m->ncpus++] = (struct acpi_cpu){
        .apic_id = apic_id, .uid = uid, .flags = flags, .from_x2apic = x2};
}

static void add_nmi(const struct acpi_env *env, struct acpi_madt *m, uint32_t uid,
                    uint16_t flags, uint8_t lint)
{
    if (room(env, m, m->nnmis, ACPI_MAX_NMIS, "NMI entries"))
        m->nmis[m->nnmis++] = (struct acpi_nmi){.uid = uid, .flags = flags, .lint = lint};
}

/* One entry whose length the walker already checked against the table. */
static int madt_entry(struct acpi_walk *w, void *arg, uint16_t type, const uint8_t *p,
                      uint32_t len)
{
    const struct acpi_env *env = w->env;
    struct acpi_madt *m = arg;

#define MADT_TAKE(var)                                                       \
    do {                                                                     \
        int rc_ = acpi_entry_min(w, type, len, (uint32_t)sizeof(var));       \
        if (rc_ < 0)                                                         \
            return rc_;                                                      \
        memcpy(&(var), p, sizeof(var));                                      \
    } while (0)

    switch (type) {
    case MADT_LAPIC: {
        struct madt_lapic e;
        MADT_TAKE(e);
        add_cpu(env, m, e.apic_id, e.uid, e.flags, false);
        break;
    }
    case MADT_X2APIC: {
        struct madt_x2apic e;
        MADT_TAKE(e);
        add_cpu(env, m, e.x2apic_id, e.uid, e.flags, true);
        break;
    }
    case MADT_IOAPIC: {
        struct madt_ioapic e;
        MADT_TAKE(e);
        if (room(env, m, m->nioapics, ACPI_MAX_IOAPICS, "IOAPICs"))
            m->ioapics[m->nioapics++] = (struct acpi_ioapic){
                .id = e.id, .address = e.address, .gsi_base = e.gsi_base};
        break;
    }
    case MADT_ISO: {
        struct madt_iso e;
        MADT_TAKE(e);
        if (room(env, m, m->nisos, ACPI_MAX_ISOS, "interrupt source overrides"))
            m->isos[m->nisos++] = (struct acpi_iso){
                .bus = e.bus, .source = e.source, .gsi = e.gsi, .flags = e.flags};
        break;
    }
    case MADT_NMI_SOURCE: {
        struct madt_nmi_source e;
        MADT_TAKE(e);
        m->nnmi_sources++;
        break;
    }
    case MADT_LAPIC_NMI: {
        struct madt_lapic_nmi e;
        MADT_TAKE(e);
        add_nmi(env, m, e.uid == MADT_LAPIC_NMI_ALL ? ACPI_NMI_ALL_CPUS : e.uid, e.flags, e.lint);
        break;
    }
    case MADT_X2APIC_NMI: {
        struct madt_x2apic_nmi e;
        MADT_TAKE(e);
        add_nmi(env, m, e.uid, e.flags, e.lint); /* uid 0xffffffff already means all */
        break;
    }
    case MADT_LAPIC_OVERRIDE: {
        struct madt_lapic_override e;
        MADT_TAKE(e);
        m->lapic_address = e.address;
        break;
    }
    default:
        m->nother++;
        break;
    }
#undef MADT_TAKE
    return 0;
}

int acpi_parse_madt(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_madt *out)
{
    const uint8_t *p = tbl;
    struct acpi_walk w = {.env = env, .what = "MADT", .base = p, .off = MADT_ENTRIES_OFF,
                          .end = len, .hdr = 2};
    int rc;

    memset(out, 0, sizeof *out);
    if (len < MADT_ENTRIES_OFF) {
        acpi_report(env, "MADT: length %u, shorter than its fixed part (%u)", len,
                    MADT_ENTRIES_OFF);
        return -ACPI_E_LENGTH;
    }
    out->lapic_address = acpi_rd32(p + ACPI_HDR_LEN);
    out->pcat_compat = acpi_rd32(p + ACPI_HDR_LEN + 4) & MADT_PCAT_COMPAT;
    rc = acpi_walk_each(&w, madt_entry, out);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    else
        out->present = true;
    return rc;
}
