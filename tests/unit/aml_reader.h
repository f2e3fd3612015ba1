/* A tiny AML reader of our own for the guest DSDT (vmm/platform/acpi_dsdt.c): Scope, Device
 * and Name with integers, packages and buffers, every length checked against its parent.
 * Shared by the unit test of the guest ACPI tables and their fuzz target; a second reader
 * beside the hypervisor's emitter, not a copy of it. */
#ifndef EXITLESS_TESTS_AML_READER_H
#define EXITLESS_TESTS_AML_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmm/platform/aml.h"

#define MAX_OBJS 32
struct aml_obj {
    char path[40];              /* "\\_SB_.PCI0._CRS" */
    enum { OBJ_INT, OBJ_PKG, OBJ_BUF } kind;
    uint64_t value;             /* OBJ_INT */
    uint64_t elems[8];          /* OBJ_PKG: integer elements */
    unsigned nelems;
    const uint8_t *data;        /* OBJ_BUF */
    size_t len;
};
struct aml_read {
    struct aml_obj o[MAX_OBJS];
    unsigned n;
    bool bad;
    char why[80];
};

static bool pkglen(const uint8_t *p, size_t avail, size_t *len, size_t *hdr)
{
    if (!avail)
        return false;
    unsigned follow = p[0] >> 6;
    if (follow + 1 > avail)
        return false;
    size_t v = follow ? p[0] & 0xf : p[0] & 0x3f;
    for (unsigned i = 0; i < follow; i++)
        v |= (size_t)p[1 + i] << (4 + 8 * i);
    *len = v;
    *hdr = follow + 1;
    return v >= follow + 1 && v <= avail;
}

static bool read_int(const uint8_t *p, size_t avail, uint64_t *v, size_t *used)
{
    unsigned n;
    if (!avail)
        return false;
    switch (p[0]) {
    case AML_ZERO_OP: *v = 0; *used = 1; return true;
    case AML_ONE_OP: *v = 1; *used = 1; return true;
    case AML_BYTE_PREFIX: n = 1; break;
    case AML_WORD_PREFIX: n = 2; break;
    case AML_DWORD_PREFIX: n = 4; break;
    case AML_QWORD_PREFIX: n = 8; break;
    default: return false;
    }
    if (avail < 1 + n)
        return false;
    *v = 0;
    for (unsigned i = 0; i < n; i++)
        *v |= (uint64_t)p[1 + i] << (8 * i);
    *used = 1 + n;
    return true;
}

static void fail(struct aml_read *r, const char *why)
{
    if (!r->bad)
        snprintf(r->why, sizeof(r->why), "%s", why);
    r->bad = true;
}

/* Reads a NameSeg (with an optional root prefix) into `scope`.name. */
static size_t read_name(struct aml_read *r, const uint8_t *p, size_t avail, const char *scope,
                        char *out, size_t outlen)
{
    size_t i = 0;
    bool root = false;
    if (avail && p[0] == '\\') {
        root = true;
        i = 1;
    }
    if (avail < i + 4) {
        fail(r, "short name");
        return 0;
    }
    if (root)
        snprintf(out, outlen, "\\%.4s", (const char *)p + i);
    else if (!strcmp(scope, "\\"))
        snprintf(out, outlen, "\\%.4s", (const char *)p + i);
    else
        snprintf(out, outlen, "%s.%.4s", scope, (const char *)p + i);
    return i + 4;
}

static void read_terms(struct aml_read *r, const uint8_t *p, size_t len, const char *scope);

static void read_name_op(struct aml_read *r, const uint8_t *p, size_t len, size_t *at,
                         const char *scope)
{
    if (r->n >= MAX_OBJS) {
        fail(r, "too many objects");
        return;
    }
    struct aml_obj *o = &r->o[r->n];
    size_t used = read_name(r, p + *at, len - *at, scope, o->path, sizeof(o->path));
    if (!used)
        return;
    *at += used;
    const uint8_t *d = p + *at;
    size_t avail = len - *at, plen, hdr;
    if (read_int(d, avail, &o->value, &used)) {
        o->kind = OBJ_INT;
        *at += used;
    } else if (avail && d[0] == AML_PACKAGE_OP && pkglen(d + 1, avail - 1, &plen, &hdr)) {
        o->kind = OBJ_PKG;
        const uint8_t *e = d + 1 + hdr, *end = d + 1 + plen;
        o->nelems = e < end ? *e++ : 0;
        for (unsigned i = 0; i < o->nelems && i < 8; i++) {
            if (!read_int(e, (size_t)(end - e), &o->elems[i], &used)) {
                fail(r, "package element is not an integer");
                return;
            }
            e += used;
        }
        if (e != end)
            fail(r, "package length does not match its elements");
        *at += 1 + plen;
    } else if (avail && d[0] == AML_BUFFER_OP && pkglen(d + 1, avail - 1, &plen, &hdr)) {
        o->kind = OBJ_BUF;
        uint64_t size;
        const uint8_t *e = d + 1 + hdr, *end = d + 1 + plen;
        if (!read_int(e, (size_t)(end - e), &size, &used) || (size_t)(end - e) - used != size) {
            fail(r, "buffer size does not match its bytes");
            return;
        }
        o->data = e + used;
        o->len = size;
        *at += 1 + plen;
    } else {
        fail(r, "name with a value we do not read");
        return;
    }
    r->n++;
}

static void read_terms(struct aml_read *r, const uint8_t *p, size_t len, const char *scope)
{
    size_t at = 0, plen, hdr;
    char inner[40];
    while (at < len && !r->bad) {
        uint8_t op = p[at++];
        if (op == AML_NAME_OP) {
            read_name_op(r, p, len, &at, scope);
        } else if (op == AML_SCOPE_OP ||
                   (op == AML_EXT_OP_PREFIX && at < len && p[at] == AML_EXT_DEVICE_OP)) {
            if (op == AML_EXT_OP_PREFIX)
                at++;
            if (!pkglen(p + at, len - at, &plen, &hdr)) {
                fail(r, "bad PkgLength");
                return;
            }
            size_t used = read_name(r, p + at + hdr, plen - hdr, scope, inner, sizeof(inner));
            if (!used)
                return;
            read_terms(r, p + at + hdr + used, plen - hdr - used, inner);
            at += plen;
        } else {
            fail(r, "unknown opcode");
        }
    }
}

static const struct aml_obj *find(const struct aml_read *r, const char *path)
{
    for (unsigned i = 0; i < r->n; i++)
        if (!strcmp(r->o[i].path, path))
            return &r->o[i];
    return NULL;
}

#endif
