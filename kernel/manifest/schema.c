/* Table-driven conversion of manifest tables into model structs: key lookup, types, ranges. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

#define MAX_KEYS 32

const char *mf_node_describe(struct mf_workspace *ws, uint32_t n, char *buf, size_t size)
{
    const struct mf_node *v = mf_node(ws, n);
    switch (v->kind) {
    case N_STRING: {
        const char *s = mf_str(ws, v->sval);
        size_t len = strlen(s);
        snprintf(buf, size, "string \"%.*s%s\"", len > 40 ? 37 : (int)len, s, len > 40 ? "..." : "");
        break;
    }
    case N_INT:
        snprintf(buf, size, "integer %lld", (long long)v->ival);
        break;
    case N_BOOL:
        snprintf(buf, size, "boolean %s", v->ival ? "true" : "false");
        break;
    case N_ARRAY:
        snprintf(buf, size, "an array");
        break;
    default:
        snprintf(buf, size, "a table");
        break;
    }
    return buf;
}

void mf_value_error(struct mf_workspace *ws, const char *key, uint32_t n, const char *expected)
{
    char found[64];
    mf_error(&ws->diag, mf_node(ws, n)->vpos, "'%s': expected %s, found %s", key, expected,
             mf_node_describe(ws, n, found, sizeof(found)));
}

const char *mf_key_name(struct mf_workspace *ws, uint32_t n)
{
    return mf_str(ws, mf_node(ws, n)->key);
}

bool mf_get_string(struct mf_workspace *ws, uint32_t n, char *buf, size_t size)
{
    const struct mf_node *v = mf_node(ws, n);
    if (v->kind != N_STRING) {
        mf_value_error(ws, mf_key_name(ws, n), n, "a string");
        return false;
    }
    const char *s = mf_str(ws, v->sval);
    if (strlen(s) >= size) {
        mf_error(&ws->diag, v->vpos, "'%s': expected at most %u characters, found %u",
                 mf_key_name(ws, n), (unsigned)size - 1, (unsigned)strlen(s));
        return false;
    }
    memcpy(buf, s, strlen(s) + 1);
    return true;
}

const char *mf_get_name(struct mf_workspace *ws, uint32_t table)
{
    for (uint32_t c = mf_node(ws, table)->child; c; c = mf_node(ws, c)->next)
        if (strcmp(mf_key_name(ws, c), "name") == 0 && mf_node(ws, c)->kind == N_STRING)
            return mf_str(ws, mf_node(ws, c)->sval);
    return NULL;
}

/* An array of VLAN ids, each 1..4094, no repeats. */
bool mf_get_vlans(struct mf_workspace *ws, uint32_t n, uint16_t *v, uint8_t *count)
{
    const char *key = mf_key_name(ws, n);
    uint8_t k = 0;
    if (mf_node(ws, n)->kind != N_ARRAY) {
        mf_value_error(ws, key, n, "an array of VLAN ids such as [10, 20]");
        return false;
    }
    for (uint32_t e = mf_node(ws, n)->child; e; e = mf_node(ws, e)->next) {
        const struct mf_node *x = mf_node(ws, e);
        if (x->kind != N_INT || x->ival < 1 || x->ival > 4094) {
            mf_value_error(ws, key, e, "VLAN ids in 1..4094");
            return false;
        }
        if (k == MF_MAX_VLAN_LIST) {
            mf_error(&ws->diag, x->vpos, "'%s': expected at most %d VLANs, found more", key,
                     MF_MAX_VLAN_LIST);
            return false;
        }
        for (uint8_t i = 0; i < k; i++)
            if (v[i] == x->ival) {
                mf_error(&ws->diag, x->vpos, "'%s': VLAN %d is listed twice", key, (int)x->ival);
                return false;
            }
        v[k++] = (uint16_t)x->ival;
    }
    *count = k;
    return true;
}

/* An array of up to MF_MAX_MIRROR_SRCS names (mirror endpoints), kept as written with their
 * positions; `array` and `one` say what is expected of the array and of an element. */
void mf_get_refs(struct mf_workspace *ws, uint32_t n, const char *key, const char *array, const char *one,
                 char (*refs)[MF_NAME_MAX], struct mf_pos *pos, uint8_t *count)
{
    if (mf_node(ws, n)->kind != N_ARRAY) {
        mf_value_error(ws, key, n, array);
        return;
    }
    for (uint32_t e = mf_node(ws, n)->child; e; e = mf_node(ws, e)->next) {
        const struct mf_node *x = mf_node(ws, e);
        if (*count == MF_MAX_MIRROR_SRCS) {
            mf_error(&ws->diag, x->vpos, "'%s': expected at most %d entries", key, MF_MAX_MIRROR_SRCS);
            return;
        }
        if (x->kind != N_STRING || !mf_valid_name(mf_str(ws, x->sval))) {
            mf_value_error(ws, key, e, one);
            continue;
        }
        memcpy(refs[*count], mf_str(ws, x->sval), strlen(mf_str(ws, x->sval)) + 1);
        pos[(*count)++] = x->vpos;
    }
}

void mf_for_each_table(struct mf_workspace *ws, uint32_t n, const char *what,
                       void (*fn)(struct mf_workspace *ws, uint32_t table, void *ctx), void *ctx)
{
    const struct mf_node *v = mf_node(ws, n);
    if (v->kind == N_TABLE) {
        fn(ws, n, ctx);
        return;
    }
    if (v->kind == N_ARRAY) {
        for (uint32_t e = v->child; e; e = mf_node(ws, e)->next) {
            if (mf_node(ws, e)->kind == N_TABLE)
                fn(ws, e, ctx);
            else
                mf_value_error(ws, what, e, "a table");
        }
        return;
    }
    mf_value_error(ws, what, n, "a table or an array of tables");
}

/* Cpus: 3, [1, 2], ["4-7", 9] or "1,3,8-11". */
static bool get_cpus(struct mf_workspace *ws, const char *key, uint32_t n, struct mf_cpuset *set)
{
    const struct mf_node *v = mf_node(ws, n);
    uint32_t bad;
    if (v->kind == N_ARRAY) {
        for (uint32_t e = v->child; e; e = mf_node(ws, e)->next)
            if (!get_cpus(ws, key, e, set))
                return false;
        return true;
    }
    if (v->kind == N_INT && v->ival >= 0 && v->ival < MF_MAX_CPUS) {
        mf_cpuset_add(set, (unsigned)v->ival);
        return true;
    }
    if (v->kind == N_STRING && mf_parse_cpu_range(mf_str(ws, v->sval), set, &bad))
        return true;
    if (v->kind == N_INT || (v->kind == N_STRING && bad != UINT32_MAX)) {
        mf_error(&ws->diag, v->vpos, "'%s': expected CPU numbers in 0..%d, found CPU %lld", key,
                 MF_MAX_CPUS - 1, v->kind == N_INT ? (long long)v->ival : (long long)bad);
        return false;
    }
    mf_value_error(ws, key, n, "CPU numbers such as [1, 2] or \"4-7\"");
    return false;
}

static bool set_enum(struct mf_workspace *ws, const struct mf_key *k, uint32_t n, int *out)
{
    char expected[MF_MSG_MAX / 2];
    size_t used = 0;
    uint32_t count = 0;
    if (mf_node(ws, n)->kind == N_STRING) {
        const char *s = mf_str(ws, mf_node(ws, n)->sval);
        for (; k->enums[count]; count++)
            if (strcmp(s, k->enums[count]) == 0) {
                *out = (int)count;
                return true;
            }
    }
    for (count = 0; k->enums[count]; count++) {
        int w = snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
                         count == 0 ? "one of " : ", ", k->enums[count]);
        if (w > 0 && (size_t)w < sizeof(expected) - used)
            used += (size_t)w;
    }
    const char *hint = mf_node(ws, n)->kind == N_STRING
                     ? mf_suggest(mf_str(ws, mf_node(ws, n)->sval), k->enums, count) : NULL;
    char found[64];
    mf_error(&ws->diag, mf_node(ws, n)->vpos, "'%s': expected %s, found %s%s%s%s", k->name, expected,
             mf_node_describe(ws, n, found, sizeof(found)), hint ? "; did you mean \"" : "",
             hint ? hint : "", hint ? "\"?" : "");
    return false;
}

static bool set_int(struct mf_workspace *ws, const struct mf_key *k, uint32_t n, void *field)
{
    const struct mf_node *v = mf_node(ws, n);
    if (v->kind != N_INT || v->ival < k->min || v->ival > k->max) {
        char expected[64];
        if (k->type == K_VLAN)
            snprintf(expected, sizeof(expected), "a VLAN id in 1..4094");
        else
            snprintf(expected, sizeof(expected), "an integer in %lld..%lld", (long long)k->min,
                     (long long)k->max);
        mf_value_error(ws, k->name, n, expected);
        return false;
    }
    if (k->type == K_U8)
        *(uint8_t *)field = (uint8_t)v->ival;
    else if (k->type == K_U16 || k->type == K_VLAN)
        *(uint16_t *)field = (uint16_t)v->ival;
    else
        *(uint32_t *)field = (uint32_t)v->ival;
    return true;
}

/* A quantity's string syntax and what its messages expect. */
struct quantity {
    bool (*parse)(const char *s, uint64_t *out);
    const char *fraction, *syntax, *zero, *too_big;
};

static const struct quantity quantities[] = {
    [K_SIZE] = { mf_parse_size, "a whole number with a unit such as \"1536M\" (no fractions)",
                 "a size such as \"512M\" or \"2G\"", "a size above zero", NULL },
    [K_RATE] = { mf_parse_rate, "a whole number with a unit such as \"1500Mbit\" (no fractions)",
                 "a rate such as \"100Mbit\" or \"1Gbit\"",
                 "a rate above zero (leave the key out for no limit)", NULL },
    [K_DURATION] = { mf_parse_duration,
                     "a whole number with a unit such as \"1500ms\" (no fractions)",
                     "a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds",
                     "a duration above zero (leave the key out for no limit)",
                     "a duration of at most 1 day (\"1440min\")" },
};

_Static_assert(MF_TIME_LIMIT_MAX_MS == 1440ull * 60 * 1000, "the duration limit text says 1440min");

/* A size, rate or duration: a string with a unit, or a plain integer (bytes, bits/s, ms). */
static bool set_quantity(struct mf_workspace *ws, const struct mf_key *k, uint32_t n, uint64_t *out)
{
    const struct mf_node *v = mf_node(ws, n);
    const struct quantity *qt = &quantities[k->type];
    uint64_t q = 0;
    bool ok = (v->kind == N_INT && v->ival >= 0 && (q = (uint64_t)v->ival, true)) ||
              (v->kind == N_STRING && qt->parse(mf_str(ws, v->sval), &q));
    if (!ok && v->kind == N_STRING && strchr(mf_str(ws, v->sval), '.')) {
        mf_value_error(ws, k->name, n, qt->fraction);
        return false;
    }
    if (!ok) {
        mf_value_error(ws, k->name, n, qt->syntax);
        return false;
    }
    if (q == 0) {
        mf_value_error(ws, k->name, n, qt->zero);
        return false;
    }
    if (qt->too_big && q > (uint64_t)k->max) {
        mf_value_error(ws, k->name, n, qt->too_big);
        return false;
    }
    *out = q;
    return true;
}

static bool set_string_value(struct mf_workspace *ws, const struct mf_key *k, uint32_t n, void *field)
{
    const struct mf_node *v = mf_node(ws, n);
    const char *s = v->kind == N_STRING ? mf_str(ws, v->sval) : NULL;
    switch (k->type) {
    case K_NAME:
        if (s && mf_valid_name(s))
            return mf_get_string(ws, n, field, k->size);
        mf_value_error(ws, k->name, n, "a name of letters, digits, '-' and '_' (at most 31)");
        return false;
    case K_MODREF: {
        struct mf_modref *r = field;
        if (s && mf_valid_name(s)) {
            memcpy(r->name, s, strlen(s) + 1);
            r->pos = v->vpos;
            return true;
        }
        mf_value_error(ws, k->name, n, "a module name of letters, digits, '-' and '_'");
        return false;
    }
    case K_MAC: {
        struct mf_mac m;
        if (!s || !mf_parse_mac(s, &m)) {
            mf_value_error(ws, k->name, n, "a MAC address such as \"02:00:00:00:00:01\"");
            return false;
        }
        static const struct mf_mac zero;
        if ((m.b[0] & 1) || mf_mac_equal(&m, &zero)) {
            mf_value_error(ws, k->name, n, (m.b[0] & 1) ? "a unicast MAC address (multicast bit clear)"
                                                         : "a non-zero MAC address");
            return false;
        }
        *(struct mf_mac *)field = m;
        return true;
    }
    default: /* K_PCI */
        if (s && mf_parse_pci(s, field))
            return true;
        mf_value_error(ws, k->name, n, "a PCI address such as \"0000:01:00.0\"");
        return false;
    }
}

static bool apply_key(struct mf_walk *w, const struct mf_key *k, uint32_t n)
{
    struct mf_workspace *ws = w->ws;
    char *field = (char *)w->obj + k->off;
    const struct mf_node *v = mf_node(ws, n);
    switch (k->type) {
    case K_STR:
        return mf_get_string(ws, n, field, k->size);
    case K_U8:
    case K_U16:
    case K_U32:
    case K_VLAN:
        return set_int(ws, k, n, field);
    case K_BOOL:
        if (v->kind != N_BOOL) {
            mf_value_error(ws, k->name, n, "true or false");
            return false;
        }
        *(bool *)field = v->ival != 0;
        return true;
    case K_ENUM:
        return set_enum(ws, k, n, (int *)(void *)field);
    case K_SIZE:
    case K_RATE:
    case K_DURATION:
        return set_quantity(ws, k, n, (uint64_t *)(void *)field);
    case K_CPUS: {
        struct mf_cpuset set;
        memset(&set, 0, sizeof(set));
        if (!get_cpus(ws, k->name, n, &set))
            return false;
        if (mf_cpuset_count(&set) == 0 && k->required) {
            mf_value_error(ws, k->name, n, "at least one CPU");
            return false;
        }
        *(struct mf_cpuset *)(void *)field = set;
        return true;
    }
    case K_SUB:
        k->sub(w, n);
        return true;
    default:
        return set_string_value(ws, k, n, field);
    }
}

void mf_walk_table(struct mf_walk *w, const struct mf_key *keys)
{
    struct mf_workspace *ws = w->ws;
    const char *names[MAX_KEYS];
    uint32_t nkeys = 0, seen = 0;
    while (keys[nkeys].name && nkeys < MAX_KEYS) {
        names[nkeys] = keys[nkeys].name;
        nkeys++;
    }
    for (uint32_t c = mf_node(ws, w->table)->child; c; c = mf_node(ws, c)->next) {
        const char *key = mf_key_name(ws, c);
        uint32_t i = 0;
        while (i < nkeys && strcmp(key, names[i]) != 0)
            i++;
        if (i == nkeys) {
            const char *hint = mf_suggest(key, names, nkeys);
            mf_error(&ws->diag, mf_node(ws, c)->kpos, "unknown key '%s' in %s%s%s%s", key, w->where,
                     hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
            continue;
        }
        seen |= 1u << i;
        if (!apply_key(w, &keys[i], c))
            continue;
        if (keys[i].pos_off)
            *(struct mf_pos *)(void *)((char *)w->obj + keys[i].pos_off - 1) = mf_node(ws, c)->vpos;
        if (keys[i].set_off)
            *((bool *)w->obj + keys[i].set_off - 1) = true;
    }
    if (mf_node(ws, w->table)->flags & NF_BROKEN)
        return;
    for (uint32_t i = 0; i < nkeys; i++)
        if (keys[i].required && !(seen & (1u << i)))
            mf_error(&ws->diag, mf_node(ws, w->table)->kpos, "%s: missing key '%s'", w->where,
                     keys[i].name);
}
