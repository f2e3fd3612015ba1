/* RSDP, XSDT/RSDT walk, per-table validation and dispatch to the table parsers. */
#include "acpi_priv.h"

/* RSDP layout (ACPI 6.5 section 5.2.5.3). */
struct acpi_raw_rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision; /* 0: ACPI 1.0 (20 bytes), 2: ACPI 2.0+ */
    uint32_t rsdt_address;
    uint32_t length; /* whole structure, revision 2+ */
    uint64_t xsdt_address;
    uint8_t extended_checksum; /* over `length` bytes */
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_raw_rsdp) == 36, "RSDP is 36 bytes");
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_MAX_LEN 4096

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Signature for messages: non-printable bytes (garbage tables) become '?'. */
static void printable_sig(const uint8_t *src, char out[5])
{
    for (int i = 0; i < 4; i++)
        out[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
    out[4] = '\0';
}

int acpi_table_validate(const struct acpi_env *env, const void *tbl, size_t mapped,
                        const char *signature)
{
    const uint8_t *p = tbl;
    char sig[5];
    uint32_t len;
    uint8_t sum;

    if (mapped < ACPI_HDR_LEN) {
        acpi_report(env, "%s: only %lu bytes, less than a table header",
                    signature ? signature : "table", (unsigned long)mapped);
        return -ACPI_E_LENGTH;
    }
    printable_sig(p, sig);
    if (signature && memcmp(p, signature, 4) != 0) {
        acpi_report(env, "%s: signature reads \"%s\"", signature, sig);
        return -ACPI_E_SIGNATURE;
    }
    len = acpi_rd32(p + offsetof(struct acpi_raw_header, length));
    if (len < ACPI_HDR_LEN || len > mapped) {
        acpi_report(env, "%s: length %u outside [%u, %lu]", sig, len, (unsigned)ACPI_HDR_LEN,
                    (unsigned long)mapped);
        return -ACPI_E_LENGTH;
    }
    sum = sum_bytes(p, len);
    if (sum != 0) {
        acpi_report(env, "%s: bad checksum (bytes sum to 0x%02x)", sig, sum);
        return -ACPI_E_CHECKSUM;
    }
    return 0;
}

/* Maps and validates the table at `phys`; NULL (reported) if it is unusable. */
static const uint8_t *map_table(const struct acpi_env *env, uint64_t phys, const char *expect,
                                struct acpi_table_ref *ref)
{
    const uint8_t *hdr, *tbl;
    uint32_t len;

    memset(ref, 0, sizeof *ref);
    ref->phys = phys;
    memcpy(ref->signature, "????", 5);
    hdr = phys ? env->map(env->ctx, phys, ACPI_HDR_LEN) : NULL;
    if (!hdr) {
        acpi_report(env, "ACPI: cannot map %s header at 0x%llx, ignored", expect ? expect : "table",
                    (unsigned long long)phys);
        return NULL;
    }
    printable_sig(hdr, ref->signature);
    len = acpi_rd32(hdr + offsetof(struct acpi_raw_header, length));
    ref->length = len;
    ref->revision = hdr[offsetof(struct acpi_raw_header, revision)];
    if (len < ACPI_HDR_LEN || len > ACPI_MAX_TABLE_LEN) {
        acpi_report(env, "ACPI: %s at 0x%llx has length %u, ignored", ref->signature,
                    (unsigned long long)phys, len);
        return NULL;
    }
    tbl = env->map(env->ctx, phys, len);
    if (!tbl) {
        acpi_report(env, "ACPI: cannot map %s at 0x%llx (%u bytes), ignored", ref->signature,
                    (unsigned long long)phys, len);
        return NULL;
    }
    if (acpi_table_validate(env, tbl, len, expect) < 0) {
        acpi_report(env, "ACPI: %s at 0x%llx failed validation, ignored", ref->signature,
                    (unsigned long long)phys);
        return NULL;
    }
    ref->valid = true;
    return tbl;
}

/* Next slot of the table list, or `scratch` once the list is full (reported once). */
static struct acpi_table_ref *add_ref(struct acpi_info *out, const struct acpi_env *env,
                                      struct acpi_table_ref *scratch)
{
    if (out->ntables < ACPI_MAX_TABLES)
        return &out->tables[out->ntables++];
    if (!out->tables_truncated)
        acpi_report(env, "ACPI: more than %d tables, the rest are not listed", ACPI_MAX_TABLES);
    out->tables_truncated = true;
    return scratch;
}

static void check_dsdt(const struct acpi_env *env, struct acpi_info *out)
{
    struct acpi_fadt *f = &out->fadt;
    struct acpi_table_ref scratch, *ref;

    if (!f->dsdt_phys)
        return;
    ref = add_ref(out, env, &scratch);
    f->dsdt_valid = map_table(env, f->dsdt_phys, "DSDT", ref) != NULL;
    f->dsdt_length = ref->length;
    if (!f->dsdt_valid)
        out->nrejected++;
}

/* Runs one table's parser if it is the first of its kind; a parse failure rejects it. */
static void dispatch(const struct acpi_env *env, struct acpi_info *out, const uint8_t *tbl,
                     struct acpi_table_ref *ref)
{
    const char *sig = ref->signature;
    uint32_t len = ref->length;
    bool *present = NULL;
    int rc = 0;

    if (!strcmp(sig, "APIC"))
        present = &out->madt.present;
    else if (!strcmp(sig, "MCFG"))
        present = &out->mcfg.present;
    else if (!strcmp(sig, "DMAR"))
        present = &out->dmar.present;
    else if (!strcmp(sig, "FACP"))
        present = &out->fadt.present;
    if (!present)
        return;
    if (*present) {
        acpi_report(env, "ACPI: second %s at 0x%llx ignored", sig, (unsigned long long)ref->phys);
        return;
    }
    if (present == &out->madt.present)
        rc = acpi_parse_madt(env, tbl, len, &out->madt);
    else if (present == &out->mcfg.present)
        rc = acpi_parse_mcfg(env, tbl, len, &out->mcfg);
    else if (present == &out->dmar.present)
        rc = acpi_parse_dmar(env, tbl, len, &out->dmar);
    else
        rc = acpi_parse_fadt(env, tbl, len, &out->fadt);
    if (rc < 0) {
        acpi_report(env, "ACPI: %s at 0x%llx rejected, ignored", sig, (unsigned long long)ref->phys);
        ref->valid = false;
        out->nrejected++;
    } else if (present == &out->fadt.present) {
        check_dsdt(env, out);
    }
}

/* Walks an RSDT (4-byte entries) or XSDT (8-byte entries); false if the root is unusable. */
static bool walk_root(const struct acpi_env *env, uint64_t phys, bool xsdt, struct acpi_info *out)
{
    const char *sig = xsdt ? "XSDT" : "RSDT";
    const unsigned esz = xsdt ? 8 : 4;
    struct acpi_table_ref root;
    const uint8_t *tbl = map_table(env, phys, sig, &root);
    uint32_t n;

    if (!tbl)
        return false;
    if ((root.length - ACPI_HDR_LEN) % esz)
        acpi_report(env, "ACPI: %s length %u leaves a partial entry, ignoring it", sig, root.length);
    n = (root.length - (uint32_t)ACPI_HDR_LEN) / esz;
    out->xsdt_used = xsdt;
    out->root_phys = phys;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = tbl + ACPI_HDR_LEN + i * esz;
        uint64_t addr = xsdt ? acpi_rd64(e) : acpi_rd32(e);
        struct acpi_table_ref scratch, *ref = add_ref(out, env, &scratch);
        const uint8_t *t = map_table(env, addr, NULL, ref);

        if (!t) {
            out->nrejected++;
            continue;
        }
        dispatch(env, out, t, ref);
    }
    return true;
}

/* RSDP checks (ACPI 6.5 section 5.2.5.3); returns the XSDT address to try, 0 for none. */
static int check_rsdp(const struct acpi_env *env, const uint8_t *p, size_t n, uint64_t *xsdt)
{
    uint32_t len;

    *xsdt = 0;
    if (n < ACPI_RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) != 0) {
        acpi_report(env, "RSDP: no \"RSD PTR \" signature");
        return -ACPI_E_SIGNATURE;
    }
    if (sum_bytes(p, ACPI_RSDP_V1_LEN) != 0) {
        acpi_report(env, "RSDP: bad checksum over the first 20 bytes");
        return -ACPI_E_CHECKSUM;
    }
    if (p[offsetof(struct acpi_raw_rsdp, revision)] < 2)
        return 0;
    if (n < sizeof(struct acpi_raw_rsdp)) {
        acpi_report(env, "RSDP: revision 2 but only %lu bytes, using the RSDT",
                    (unsigned long)n);
        return 0;
    }
    len = acpi_rd32(p + offsetof(struct acpi_raw_rsdp, length));
    if (len < sizeof(struct acpi_raw_rsdp) || len > n) {
        acpi_report(env, "RSDP: length %u outside [36, %lu], using the RSDT", len,
                    (unsigned long)n);
        return 0;
    }
    if (sum_bytes(p, len) != 0) {
        acpi_report(env, "RSDP: bad extended checksum, XSDT not trusted, using the RSDT");
        return 0;
    }
    *xsdt = acpi_rd64(p + offsetof(struct acpi_raw_rsdp, xsdt_address));
    return 0;
}

int acpi_parse(const struct acpi_env *env, const void *rsdp, size_t rsdp_len, struct acpi_info *out)
{
    const uint8_t *p = rsdp;
    uint64_t xsdt;
    uint32_t rsdt;
    int rc;

    memset(out, 0, sizeof *out);
    if (!p)
        return -ACPI_E_NOTFOUND;
    rc = check_rsdp(env, p, rsdp_len, &xsdt);
    if (rc < 0)
        return rc;
    out->rsdp_revision = p[offsetof(struct acpi_raw_rsdp, revision)];
    memcpy(out->oem_id, p + offsetof(struct acpi_raw_rsdp, oem_id), 6);
    if (xsdt) {
        if (walk_root(env, xsdt, true, out))
            return 0;
        /* Nothing was recorded yet: walk_root fails only before its first entry. */
        acpi_report(env, "ACPI: XSDT unusable, falling back to the RSDT");
    }
    rsdt = acpi_rd32(p + offsetof(struct acpi_raw_rsdp, rsdt_address));
    if (walk_root(env, rsdt, false, out))
        return 0;
    acpi_report(env, "ACPI: no usable RSDT or XSDT, no ACPI tables");
    return -ACPI_E_NOTFOUND;
}

int acpi_parse_at(const struct acpi_env *env, uint64_t rsdp_phys, struct acpi_info *out)
{
    const uint8_t *p = env->map(env->ctx, rsdp_phys, ACPI_RSDP_V1_LEN);
    size_t n = ACPI_RSDP_V1_LEN;

    if (p && p[offsetof(struct acpi_raw_rsdp, revision)] >= 2) {
        const uint8_t *v2 = env->map(env->ctx, rsdp_phys, sizeof(struct acpi_raw_rsdp));
        uint32_t len = v2 ? acpi_rd32(v2 + offsetof(struct acpi_raw_rsdp, length)) : 0;

        if (len >= sizeof(struct acpi_raw_rsdp) && len <= ACPI_RSDP_MAX_LEN)
            v2 = env->map(env->ctx, rsdp_phys, len);
        else
            len = sizeof(struct acpi_raw_rsdp);
        if (v2) {
            p = v2;
            n = len;
        }
    }
    if (!p) {
        memset(out, 0, sizeof *out);
        acpi_report(env, "RSDP: cannot map 0x%llx", (unsigned long long)rsdp_phys);
        return -ACPI_E_MAP;
    }
    return acpi_parse(env, p, n, out);
}

int acpi_find_rsdp(const struct acpi_env *env, uint64_t start, size_t len, uint64_t *rsdp_phys)
{
    const uint8_t *p = len >= ACPI_RSDP_V1_LEN ? env->map(env->ctx, start, len) : NULL;

    if (!p)
        return -ACPI_E_MAP;
    for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
        if (memcmp(p + off, "RSD PTR ", 8) == 0 && sum_bytes(p + off, ACPI_RSDP_V1_LEN) == 0) {
            *rsdp_phys = start + off;
            return 0;
        }
    }
    return -ACPI_E_NOTFOUND;
}
