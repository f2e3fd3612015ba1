/* Diagnostics and the bounds-checked walker shared by the MADT and DMAR parsers. */
#include <stdarg.h>
#include <stdio.h>

#include "acpi_priv.h"

void acpi_report(const struct acpi_env *env, const char *fmt, ...)
{
    char line[200];
    va_list ap;

    if (!env || !env->report)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    env->report(env->ctx, line);
}

int acpi_walk_next(struct acpi_walk *w, uint16_t *type, const uint8_t **entry, uint32_t *len)
{
    const uint8_t *p = w->base + w->off;
    uint32_t left, l;
    uint16_t t;

    if (w->off >= w->end)
        return 0;
    left = w->end - w->off;
    if (left < w->hdr) {
        acpi_report(w->env, "%s: %u stray bytes at offset 0x%x, too short for an entry",
                    w->what, left, w->off);
        return -ACPI_E_MALFORMED;
    }
    if (w->hdr == 4) {
        t = acpi_rd16(p);
        l = acpi_rd16(p + 2);
    } else {
        t = acpi_rd8(p);
        l = acpi_rd8(p + 1);
    }
    /* A zero length would never advance; anything under the header size is as bad. */
    if (l < w->hdr) {
        acpi_report(w->env, "%s: entry type %u at offset 0x%x has length %u (%s)", w->what, t,
                    w->off, l, l == 0 ? "zero-length" : "shorter than its header");
        return -ACPI_E_MALFORMED;
    }
    if (l > left) {
        acpi_report(w->env, "%s: entry type %u at offset 0x%x, length %u, overruns its end by %u bytes",
                    w->what, t, w->off, l, l - left);
        return -ACPI_E_MALFORMED;
    }
    *type = t;
    *entry = p;
    *len = l;
    w->off += l;
    return 1;
}

int acpi_walk_each(struct acpi_walk *w, acpi_entry_fn fn, void *arg)
{
    const uint8_t *e;
    uint32_t len;
    uint16_t type;
    int rc;

    while ((rc = acpi_walk_next(w, &type, &e, &len)) > 0) {
        rc = fn(w, arg, type, e, len);
        if (rc < 0)
            return rc;
    }
    return rc;
}

int acpi_entry_min(const struct acpi_walk *w, uint16_t type, uint32_t len, uint32_t need)
{
    if (len >= need)
        return 0;
    acpi_report(w->env, "%s: entry type %u at offset 0x%x has length %u, needs %u", w->what, type,
                w->off - len, len, need);
    return -ACPI_E_MALFORMED;
}
