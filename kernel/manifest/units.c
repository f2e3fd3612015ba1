/* Value syntaxes of the manifest: sizes, rates, durations, MAC and PCI addresses, CPU lists, names. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Decimal digits with '_' separators; advances *s. False on no digits or overflow. */
static bool parse_decimal(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    bool any = false;
    while ((*p >= '0' && *p <= '9') || (*p == '_' && any && p[1] >= '0' && p[1] <= '9')) {
        if (*p != '_') {
            uint64_t d = (uint64_t)(*p - '0');
            if (v > (UINT64_MAX - d) / 10)
                return false;
            v = v * 10 + d;
            any = true;
        }
        p++;
    }
    *s = p;
    *out = v;
    return any;
}

static bool strieq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b))
        a++, b++;
    return *a == '\0' && *b == '\0';
}

/*
 * A whole number, an optional blank, an optional K/M/G/T prefix multiplying by base^1..4.
 * Advances *s to the unit that follows; false on syntax or overflow.
 */
static bool parse_prefixed(const char **s, uint64_t base, uint64_t *out, bool *prefixed)
{
    static const char prefixes[] = "kmgt";
    uint64_t v;
    if (!parse_decimal(s, &v))
        return false;
    if (**s == ' ')
        (*s)++;
    const char *p = **s ? strchr(prefixes, lower(**s)) : NULL;
    *prefixed = p != NULL;
    if (p) {
        for (long i = 0; i <= p - prefixes; i++) {
            if (v > UINT64_MAX / base)
                return false;
            v *= base;
        }
        (*s)++;
    }
    *out = v;
    return true;
}

/* "4096", "4K", "512M", "2G", "1T", also "512MiB". Binary multiples. */
bool mf_parse_size(const char *s, uint64_t *out)
{
    uint64_t v;
    bool prefixed;
    if (!parse_prefixed(&s, 1024, &v, &prefixed) || (*s && !(prefixed && strieq(s, "ib"))))
        return false;
    *out = v;
    return true;
}

/* "10Mbit", "1Gbit", "500Kbit", "100000bit"; "Mbps" forms too. Decimal multiples, bits/s. */
bool mf_parse_rate(const char *s, uint64_t *out)
{
    uint64_t v;
    bool prefixed;
    if (!parse_prefixed(&s, 1000, &v, &prefixed) || (!strieq(s, "bit") && !strieq(s, "bps")))
        return false;
    *out = v;
    return true;
}

/* "500ms", "3s", "2min" (an optional blank before the unit): milliseconds. */
bool mf_parse_duration(const char *s, uint64_t *ms)
{
    static const struct { const char *unit; uint64_t ms; } units[] = {
        { "ms", 1 }, { "s", 1000 }, { "min", 60 * 1000 },
    };
    uint64_t v;
    if (!parse_decimal(&s, &v))
        return false;
    if (*s == ' ')
        s++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (!strieq(s, units[i].unit))
            continue;
        if (v > UINT64_MAX / units[i].ms)
            return false;
        *ms = v * units[i].ms;
        return true;
    }
    return false;
}

static int hexdig(char c)
{
    c = lower(c);
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Up to `max` hex digits (at least one); advances *s. */
static bool parse_hex(const char **s, uint32_t max, uint32_t *out)
{
    uint32_t v = 0, n = 0;
    while (n < max && hexdig(**s) >= 0) {
        v = v * 16 + (uint32_t)hexdig(**s);
        (*s)++;
        n++;
    }
    *out = v;
    return n > 0 && hexdig(**s) < 0;
}

/* "02:00:00:00:00:01" or with '-'. */
bool mf_parse_mac(const char *s, struct mf_mac *out)
{
    struct mf_mac m;
    char sep = 0;
    for (int i = 0; i < 6; i++) {
        uint32_t v;
        if (hexdig(s[0]) < 0 || hexdig(s[1]) < 0 || !parse_hex(&s, 2, &v))
            return false;
        m.b[i] = (uint8_t)v;
        if (i == 5)
            break;
        if (!sep && (*s == ':' || *s == '-'))
            sep = *s;
        if (*s != sep)
            return false;
        s++;
    }
    if (*s)
        return false;
    *out = m;
    return true;
}

/* "0000:01:00.0" or "01:00.0". */
bool mf_parse_pci(const char *s, struct mf_pci_addr *out)
{
    uint32_t a, b, dev, fn;
    const char *p = s;
    if (!parse_hex(&p, 4, &a) || *p++ != ':' || !parse_hex(&p, 2, &b))
        return false;
    struct mf_pci_addr r = { 0, 0, 0, 0 };
    if (*p == ':') {
        p++;
        if (!parse_hex(&p, 2, &dev))
            return false;
        r.segment = (uint16_t)a;
        r.bus = (uint8_t)b;
    } else {
        if (a > 0xff)
            return false;
        r.bus = (uint8_t)a;
        dev = b;
    }
    if (*p++ != '.' || !parse_hex(&p, 1, &fn) || *p || dev > 31 || fn > 7)
        return false;
    r.dev = (uint8_t)dev;
    r.fn = (uint8_t)fn;
    *out = r;
    return true;
}

/* "3", "4-7", "1,3,8-11": adds to *set. *bad_cpu = a number too large, or UINT32_MAX on syntax. */
bool mf_parse_cpu_range(const char *s, struct mf_cpuset *set, uint32_t *bad_cpu)
{
    struct mf_cpuset tmp = *set;
    *bad_cpu = UINT32_MAX;
    for (;;) {
        uint64_t lo, hi;
        while (*s == ' ')
            s++;
        if (!parse_decimal(&s, &lo))
            return false;
        hi = lo;
        if (*s == '-') {
            s++;
            if (!parse_decimal(&s, &hi) || hi < lo)
                return false;
        }
        if (hi >= MF_MAX_CPUS) {
            *bad_cpu = hi > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)hi;
            return false;
        }
        for (uint64_t c = lo; c <= hi; c++)
            mf_cpuset_add(&tmp, (unsigned)c);
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (*s++ != ',')
            return false;
    }
    *set = tmp;
    return true;
}

/* Names: 1..31 of [A-Za-z0-9_-], starting with a letter or digit. */
bool mf_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MF_NAME_MAX || s[0] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!mf_lex_is_bare((unsigned char)s[i]))
            return false;
    return true;
}

void mf_format_mac(const struct mf_mac *m, char *buf, size_t size)
{
    snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m->b[0], m->b[1], m->b[2], m->b[3],
             m->b[4], m->b[5]);
}

void mf_format_pci(const struct mf_pci_addr *a, char *buf, size_t size)
{
    snprintf(buf, size, "%04x:%02x:%02x.%x", a->segment, a->bus, a->dev, a->fn);
}

void mf_format_size(uint64_t bytes, char *buf, size_t size)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && bytes && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, size, "%llu", (unsigned long long)bytes);
    else
        snprintf(buf, size, "%llu%c", (unsigned long long)bytes, units[u]);
}

void mf_format_rate(uint64_t bps, char *buf, size_t size)
{
    static const char *const units[] = { "bit", "Kbit", "Mbit", "Gbit", "Tbit" };
    int u = 0;
    while (u < 4 && bps && bps % 1000 == 0) {
        bps /= 1000;
        u++;
    }
    snprintf(buf, size, "%llu%s", (unsigned long long)bps, units[u]);
}

void mf_format_duration(uint64_t ms, char *buf, size_t size)
{
    if (ms && ms % 60000 == 0)
        snprintf(buf, size, "%llumin", (unsigned long long)(ms / 60000));
    else if (ms && ms % 1000 == 0)
        snprintf(buf, size, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(buf, size, "%llums", (unsigned long long)ms);
}

void mf_format_cpuset(const struct mf_cpuset *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned c = 0; c < MF_MAX_CPUS; c++) {
        if (!mf_cpuset_has(s, c))
            continue;
        unsigned e = c;
        while (e + 1 < MF_MAX_CPUS && mf_cpuset_has(s, e + 1))
            e++;
        int n = e == c ? snprintf(buf + used, size - used, "%s%u", used ? "," : "", c)
                       : snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", c, e);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
        c = e;
    }
}

bool mf_mac_equal(const struct mf_mac *a, const struct mf_mac *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

bool mf_pci_equal(const struct mf_pci_addr *a, const struct mf_pci_addr *b)
{
    return a->segment == b->segment && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

uint32_t mf_cpuset_count(const struct mf_cpuset *s)
{
    uint32_t n = 0;
    for (unsigned c = 0; c < MF_MAX_CPUS; c++)
        n += mf_cpuset_has(s, c);
    return n;
}
