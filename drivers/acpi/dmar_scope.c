/* DMAR device scopes to PCI requester ids, and which DRHD unit translates a given BDF. */
#include "acpi_priv.h"

/* PCI configuration header offsets (PCI Local Bus 3.0 section 6.1, bridge header type 1). */
#define PCI_VENDOR_ID 0x00
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_TYPE_BRIDGE 0x01
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1a

#define BDF(bus, dev, fn) ((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))
#define BDF_BUS(bdf) ((uint8_t)((bdf) >> 8))

/* Reads a PCI-PCI bridge's secondary and subordinate bus; -ACPI_E_NODEV if it is not one. */
static int read_bridge(acpi_pci_read8_fn read8, void *ctx, uint16_t seg, uint8_t bus,
                       uint8_t dev, uint8_t fn, uint8_t *sec, uint8_t *sub)
{
    uint8_t vendor_lo = read8(ctx, seg, bus, dev, fn, PCI_VENDOR_ID);
    uint8_t vendor_hi = read8(ctx, seg, bus, dev, fn, PCI_VENDOR_ID + 1);
    uint8_t hdr = read8(ctx, seg, bus, dev, fn, PCI_HEADER_TYPE);

    if ((vendor_lo & vendor_hi) == 0xff || (hdr & PCI_HEADER_TYPE_MASK) != PCI_HEADER_TYPE_BRIDGE)
        return -ACPI_E_NODEV;
    *sec = read8(ctx, seg, bus, dev, fn, PCI_SECONDARY_BUS);
    *sub = read8(ctx, seg, bus, dev, fn, PCI_SUBORDINATE_BUS);
    /* Buses only grow downstream; anything else would loop or is unconfigured. */
    if (*sec <= bus || *sub < *sec)
        return -ACPI_E_NODEV;
    return 0;
}

/*
 * VT-d 8.3.1: start at start_bus; every hop but the last names a bridge on the current bus
 * whose secondary bus is the next one. The last hop need not exist yet (SR-IOV VFs appear
 * only after the PF enables them), unless the scope is a bridge whose bus range we need.
 */
int acpi_dmar_scope_bdf(const struct acpi_dmar_scope *scope, uint16_t segment,
                        acpi_pci_read8_fn read8, void *ctx, uint16_t *bdf, uint8_t *sec_bus,
                        uint8_t *sub_bus)
{
    uint8_t bus = scope->start_bus, sec = 0, sub = 0;
    unsigned last;
    int rc;

    if (scope->path_len == 0 || scope->path_len > ACPI_MAX_SCOPE_PATH)
        return -ACPI_E_MALFORMED;
    last = scope->path_len - 1u;
    for (unsigned i = 0; i < last; i++) {
        rc = read_bridge(read8, ctx, segment, bus, scope->path[i].dev, scope->path[i].fn, &sec,
                         &sub);
        if (rc < 0)
            return rc;
        bus = sec;
    }
    if (scope->type == ACPI_DMAR_SCOPE_BRIDGE) {
        rc = read_bridge(read8, ctx, segment, bus, scope->path[last].dev, scope->path[last].fn,
                         &sec, &sub);
        if (rc < 0)
            return rc;
    }
    *bdf = BDF(bus, scope->path[last].dev, scope->path[last].fn);
    *sec_bus = scope->type == ACPI_DMAR_SCOPE_BRIDGE ? sec : 0;
    *sub_bus = scope->type == ACPI_DMAR_SCOPE_BRIDGE ? sub : 0;
    return 0;
}

static int resolve_list(const struct acpi_env *env, const char *owner, unsigned idx,
                        uint16_t segment, struct acpi_dmar_scope *scopes, unsigned n,
                        acpi_pci_read8_fn read8, void *ctx)
{
    int failed = 0;

    for (unsigned i = 0; i < n; i++) {
        struct acpi_dmar_scope *s = &scopes[i];

        s->resolved = acpi_dmar_scope_bdf(s, segment, read8, ctx, &s->bdf, &s->sec_bus,
                                          &s->sub_bus) == 0;
        if (!s->resolved) {
            acpi_report(env, "DMAR: %s %u scope %u (type %u, bus %u, %u hops) does not resolve to a device",
                        owner, idx, i, s->type, s->start_bus, s->path_len);
            failed++;
        }
    }
    return failed;
}

int acpi_dmar_resolve(const struct acpi_env *env, struct acpi_dmar *dmar, acpi_pci_read8_fn read8,
                      void *ctx)
{
    int failed = 0;

    for (unsigned i = 0; i < dmar->ndrhd; i++)
        failed += resolve_list(env, "DRHD", i, dmar->drhd[i].segment, dmar->drhd[i].scopes,
                               dmar->drhd[i].nscopes, read8, ctx);
    for (unsigned i = 0; i < dmar->nrmrr; i++)
        failed += resolve_list(env, "RMRR", i, dmar->rmrr[i].segment, dmar->rmrr[i].scopes,
                               dmar->rmrr[i].nscopes, read8, ctx);
    for (unsigned i = 0; i < dmar->natsr; i++)
        failed += resolve_list(env, "ATSR", i, dmar->atsr[i].segment, dmar->atsr[i].scopes,
                               dmar->atsr[i].nscopes, read8, ctx);
    return failed;
}

static bool scope_covers(const struct acpi_dmar_scope *s, uint16_t bdf)
{
    if (!s->resolved)
        return false;
    if (s->bdf == bdf)
        return true;
    /* A sub-hierarchy scope covers every bus below its bridge (VT-d 8.3.1). */
    return s->type == ACPI_DMAR_SCOPE_BRIDGE && BDF_BUS(bdf) >= s->sec_bus &&
           BDF_BUS(bdf) <= s->sub_bus;
}

const struct acpi_dmar_drhd *acpi_dmar_find_drhd(const struct acpi_dmar *dmar, uint16_t segment,
                                                 uint16_t bdf)
{
    for (unsigned i = 0; i < dmar->ndrhd; i++) {
        const struct acpi_dmar_drhd *u = &dmar->drhd[i];

        if (u->segment != segment)
            continue;
        for (unsigned j = 0; j < u->nscopes; j++) {
            if (scope_covers(&u->scopes[j], bdf))
                return u;
        }
    }
    for (unsigned i = 0; i < dmar->ndrhd; i++) {
        if (dmar->drhd[i].segment == segment && (dmar->drhd[i].flags & ACPI_DRHD_INCLUDE_PCI_ALL))
            return &dmar->drhd[i];
    }
    return NULL;
}
