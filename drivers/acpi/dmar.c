/* DMAR parser: remapping hardware units, reserved memory regions, ATS reporting, scopes. */
#include "acpi_priv.h"

/*
 * Layouts from the Intel VT-d specification (rev 4.x), chapter 8. Any structural error
 * rejects the whole table: a unit dropped on its own would silently leave its devices to the
 * INCLUDE_PCI_ALL unit, which is worse than running without VT-d and saying so.
 */
#define DMAR_HAW_OFF 36   /* Host Address Width, minus one */
#define DMAR_FLAGS_OFF 37
#define DMAR_STRUCTS_OFF 48 /* after 10 reserved bytes */

enum dmar_type { DMAR_DRHD = 0, DMAR_RMRR = 1, DMAR_ATSR = 2 };

struct dmar_drhd { /* 8.3 */
    uint16_t type, length;
    uint8_t flags, size;
    uint16_t segment;
    uint64_t reg_base;
} __attribute__((packed));
_Static_assert(sizeof(struct dmar_drhd) == 16, "DRHD fixed part");

struct dmar_rmrr { /* 8.4 */
    uint16_t type, length, reserved, segment;
    uint64_t base, limit;
} __attribute__((packed));
_Static_assert(sizeof(struct dmar_rmrr) == 24, "RMRR fixed part");

struct dmar_atsr { /* 8.5 */
    uint16_t type, length;
    uint8_t flags, reserved;
    uint16_t segment;
} __attribute__((packed));
_Static_assert(sizeof(struct dmar_atsr) == 8, "ATSR fixed part");

struct dmar_scope { /* 8.3.1, followed by the path's (device, function) byte pairs */
    uint8_t type, length;
    uint16_t reserved;
    uint8_t enum_id, start_bus;
} __attribute__((packed));
_Static_assert(sizeof(struct dmar_scope) == 6, "device scope fixed part");

#define PCI_MAX_DEV 31
#define PCI_MAX_FN 7
#define VTD_PAGE_MASK 0xfffull

/* Copies one scope entry, checking its path; `p`/`len` are already bounds-checked. */
static int scope_entry(const struct acpi_walk *w, const char *owner, unsigned idx,
                       const uint8_t *p, uint32_t len, struct acpi_dmar_scope *s)
{
    struct dmar_scope raw;
    uint32_t pairs;
    int rc = acpi_entry_min(w, p[0], len, sizeof raw);

    if (rc < 0)
        return rc;
    memcpy(&raw, p, sizeof raw);
    pairs = (len - (uint32_t)sizeof raw) / 2;
    if ((len - sizeof raw) % 2 || pairs == 0) {
        acpi_report(w->env, "DMAR: %s %u scope type %u has a %u-byte path (need whole, non-empty (dev,fn) pairs)",
                    owner, idx, raw.type, len - (uint32_t)sizeof raw);
        return -ACPI_E_MALFORMED;
    }
    if (pairs > ACPI_MAX_SCOPE_PATH) {
        acpi_report(w->env, "DMAR: %s %u scope path has %u hops, we keep at most %d", owner, idx,
                    pairs, ACPI_MAX_SCOPE_PATH);
        return -ACPI_E_LIMIT;
    }
    memset(s, 0, sizeof *s);
    s->type = raw.type;
    s->enum_id = raw.enum_id;
    s->start_bus = raw.start_bus;
    s->path_len = (uint8_t)pairs;
    for (uint32_t i = 0; i < pairs; i++) {
        s->path[i].dev = p[sizeof raw + 2 * i];
        s->path[i].fn = p[sizeof raw + 2 * i + 1];
        if (s->path[i].dev > PCI_MAX_DEV || s->path[i].fn > PCI_MAX_FN) {
            acpi_report(w->env, "DMAR: %s %u scope path hop %u is %02x.%x, not a PCI device",
                        owner, idx, i, s->path[i].dev, s->path[i].fn);
            return -ACPI_E_MALFORMED;
        }
    }
    return 0;
}

/* Device scopes in [off, end) of the table, belonging to unit `owner` number `idx`. */
static int parse_scopes(const struct acpi_walk *parent, uint32_t off, uint32_t end,
                        const char *owner, unsigned idx, struct acpi_dmar_scope *scopes,
                        unsigned max, unsigned *n)
{
    struct acpi_walk w = {.env = parent->env, .what = "DMAR scope", .base = parent->base,
                          .off = off, .end = end, .hdr = 2};
    const uint8_t *e;
    uint32_t len;
    uint16_t type;
    int rc;

    *n = 0;
    while ((rc = acpi_walk_next(&w, &type, &e, &len)) > 0) {
        if (type < ACPI_DMAR_SCOPE_ENDPOINT || type > ACPI_DMAR_SCOPE_NAMESPACE)
            continue; /* reserved types are skipped (VT-d 8.3.1) */
        if (*n == max) {
            acpi_report(parent->env, "DMAR: %s %u has more than %u device scopes", owner, idx, max);
            return -ACPI_E_LIMIT;
        }
        rc = scope_entry(&w, owner, idx, e, len, &scopes[*n]);
        if (rc < 0)
            return rc;
        (*n)++;
    }
    return rc;
}

/* Fixed parts of the unit kinds we keep; each fills its slot and names its scope array. */
static int fill_drhd(const struct acpi_walk *w, unsigned idx, const uint8_t *p,
                     struct acpi_dmar_drhd *u)
{
    struct dmar_drhd raw;

    memcpy(&raw, p, sizeof raw);
    if (raw.reg_base == 0 || (raw.reg_base & VTD_PAGE_MASK)) {
        acpi_report(w->env, "DMAR: DRHD %u register base 0x%llx is not a page address", idx,
                    (unsigned long long)raw.reg_base);
        return -ACPI_E_MALFORMED;
    }
    u->flags = raw.flags;
    u->size = raw.size;
    u->segment = raw.segment;
    u->reg_base = raw.reg_base;
    return 0;
}

static int fill_rmrr(const struct acpi_walk *w, unsigned idx, const uint8_t *p,
                     struct acpi_dmar_rmrr *r)
{
    struct dmar_rmrr raw;

    memcpy(&raw, p, sizeof raw);
    if (raw.limit < raw.base) {
        acpi_report(w->env, "DMAR: RMRR %u limit 0x%llx below its base 0x%llx", idx,
                    (unsigned long long)raw.limit, (unsigned long long)raw.base);
        return -ACPI_E_MALFORMED;
    }
    r->segment = raw.segment;
    r->base = raw.base;
    r->limit = raw.limit;
    return 0;
}

static void fill_atsr(const uint8_t *p, struct acpi_dmar_atsr *a)
{
    struct dmar_atsr raw;

    memcpy(&raw, p, sizeof raw);
    a->flags = raw.flags;
    a->segment = raw.segment;
}

static const struct {
    const char *name;
    uint32_t fixed; /* bytes before the first device scope */
    unsigned max, max_scopes;
} kinds[] = {
    [DMAR_DRHD] = {"DRHD", sizeof(struct dmar_drhd), ACPI_MAX_DRHD, ACPI_MAX_DRHD_SCOPES},
    [DMAR_RMRR] = {"RMRR", sizeof(struct dmar_rmrr), ACPI_MAX_RMRR, ACPI_MAX_SMALL_SCOPES},
    [DMAR_ATSR] = {"ATSR", sizeof(struct dmar_atsr), ACPI_MAX_ATSR, ACPI_MAX_SMALL_SCOPES},
};

/* One remapping structure whose length the walker already checked against the table. */
static int dmar_struct(struct acpi_walk *w, void *arg, uint16_t type, const uint8_t *p,
                       uint32_t len)
{
    struct acpi_dmar *d = arg;
    uint32_t off = (uint32_t)(p - w->base);
    struct acpi_dmar_scope *scopes;
    unsigned *count, *nscopes, idx;
    int rc;

    if (type > DMAR_ATSR) {
        d->nother++; /* RHSA, ANDD, SATC, SIDP: not needed yet */
        return 0;
    }
    rc = acpi_entry_min(w, type, len, kinds[type].fixed);
    if (rc < 0)
        return rc;
    count = type == DMAR_DRHD ? &d->ndrhd : type == DMAR_RMRR ? &d->nrmrr : &d->natsr;
    idx = *count;
    if (idx == kinds[type].max) {
        acpi_report(w->env, "DMAR: more than %u %s structures", kinds[type].max, kinds[type].name);
        return -ACPI_E_LIMIT;
    }
    if (type == DMAR_DRHD) {
        rc = fill_drhd(w, idx, p, &d->drhd[idx]);
        scopes = d->drhd[idx].scopes;
        nscopes = &d->drhd[idx].nscopes;
    } else if (type == DMAR_RMRR) {
        rc = fill_rmrr(w, idx, p, &d->rmrr[idx]);
        scopes = d->rmrr[idx].scopes;
        nscopes = &d->rmrr[idx].nscopes;
    } else {
        fill_atsr(p, &d->atsr[idx]);
        scopes = d->atsr[idx].scopes;
        nscopes = &d->atsr[idx].nscopes;
    }
    if (rc < 0)
        return rc;
    (*count)++;
    return parse_scopes(w, off + kinds[type].fixed, off + len, kinds[type].name, idx, scopes,
                        kinds[type].max_scopes, nscopes);
}

int acpi_parse_dmar(const struct acpi_env *env, const void *tbl, uint32_t len,
                    struct acpi_dmar *out)
{
    const uint8_t *p = tbl;
    struct acpi_walk w = {.env = env, .what = "DMAR", .base = p, .off = DMAR_STRUCTS_OFF,
                          .end = len, .hdr = 4};
    int rc;

    memset(out, 0, sizeof *out);
    if (len < DMAR_STRUCTS_OFF) {
        acpi_report(env, "DMAR: length %u, shorter than its fixed part (%u)", len,
                    DMAR_STRUCTS_OFF);
        return -ACPI_E_LENGTH;
    }
    out->host_address_width = (uint8_t)(p[DMAR_HAW_OFF] + 1);
    out->flags = p[DMAR_FLAGS_OFF];
    rc = acpi_walk_each(&w, dmar_struct, out);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    else
        out->present = true;
    return rc;
}
