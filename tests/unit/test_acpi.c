/* Host tests of drivers/acpi against real firmware tables and hand-made malformed ones. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/acpi/acpi.h"
#include "check.h"

/* ---- fake physical memory: blobs at physical addresses, each in its own exact-size allocation
 * so ASan catches any read past a table ---- */

#define MAX_REGIONS 16

struct region {
    uint64_t base;
    size_t len;
    uint8_t *bytes;
};

struct machine {
    struct region r[MAX_REGIONS];
    unsigned n;
    uint64_t rsdp;
};

static char log_buf[16384];
static size_t log_len;

static void report(void *ctx, const char *line)
{
    size_t n = strlen(line);

    (void)ctx;
    if (getenv("ACPI_TEST_VERBOSE"))
        fprintf(stderr, "  report: %s\n", line);
    if (log_len + n + 2 < sizeof log_buf) {
        memcpy(log_buf + log_len, line, n);
        log_len += n;
        log_buf[log_len++] = '\n';
        log_buf[log_len] = '\0';
    }
}

static void log_clear(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

static bool logged(const char *needle) { return strstr(log_buf, needle) != NULL; }

static const void *map(void *ctx, uint64_t phys, size_t len)
{
    struct machine *m = ctx;

    for (unsigned i = 0; i < m->n; i++) {
        struct region *r = &m->r[i];
        if (phys >= r->base && len <= r->len && phys - r->base <= r->len - len)
            return r->bytes + (phys - r->base);
    }
    return NULL;
}

static struct acpi_env env_of(struct machine *m)
{
    return (struct acpi_env){.map = map, .report = report, .ctx = m};
}

static void add_region(struct machine *m, uint64_t base, const void *bytes, size_t len)
{
    struct region *r = &m->r[m->n++];

    r->base = base;
    r->len = len;
    r->bytes = malloc(len);
    memcpy(r->bytes, bytes, len);
}

static void free_machine(struct machine *m)
{
    for (unsigned i = 0; i < m->n; i++)
        free(m->r[i].bytes);
    memset(m, 0, sizeof *m);
}

static const char *fixture_dir(void)
{
    const char *d = getenv("ACPI_FIXTURES");
    return d ? d : "tests/fixtures/acpi";
}

/* Loads <name>.txt: "rsdp ADDR" and "blob FILE BASE" lines written by extract.py. */
static bool load_fixture(const char *name, struct machine *m)
{
    char path[512], line[512], file[256];
    unsigned long long addr;
    FILE *f;

    memset(m, 0, sizeof *m);
    snprintf(path, sizeof path, "%s/%s.txt", fixture_dir(), name);
    f = fopen(path, "r");
    if (!f)
        return false;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "rsdp %llx", &addr) == 1) {
            m->rsdp = addr;
        } else if (sscanf(line, "blob %255s %llx", file, &addr) == 2 && m->n < MAX_REGIONS) {
            static uint8_t data[1 << 20];
            char bpath[800];
            FILE *b;
            size_t len;

            snprintf(bpath, sizeof bpath, "%s/%s", fixture_dir(), file);
            b = fopen(bpath, "rb");
            if (!b)
                break;
            len = fread(data, 1, sizeof data, b);
            fclose(b);
            add_region(m, addr, data, len);
        }
    }
    fclose(f);
    return m->rsdp && m->n;
}

/* ---- building tables by hand ---- */

struct tb {
    uint8_t b[8192];
    uint32_t n;
};

static void put(struct tb *t, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        t->b[t->n++] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
}

static void tb_header(struct tb *t, const char *sig, uint8_t rev)
{
    memset(t, 0, sizeof *t);
    memcpy(t->b, sig, 4);
    t->b[8] = rev;
    memcpy(t->b + 10, "EXTEST", 6);
    t->n = 36;
}

static uint8_t checksum_of(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Sets the header length to the bytes written and fixes the checksum. */
static void tb_finish(struct tb *t)
{
    memcpy(t->b + 4, &t->n, 4);
    t->b[9] = 0;
    t->b[9] = (uint8_t)-checksum_of(t->b, t->n);
}

/* Calls a single-table parser on an exact-size heap copy (ASan guards the end). */
#define PARSE_EXACT(fn, t, out)                                                 \
    ({                                                                          \
        struct machine m_ = {0};                                                \
        struct acpi_env e_ = env_of(&m_);                                       \
        uint8_t *copy_ = malloc((t)->n);                                        \
        memcpy(copy_, (t)->b, (t)->n);                                          \
        int rc_ = fn(&e_, copy_, (t)->n, (out));                                \
        free(copy_);                                                            \
        rc_;                                                                    \
    })

/* Finishes table t, parses it, and expects return code `rc` and the diagnostic `msg`. */
#define EXPECT_PARSE(fn, t, out, rc, msg)                                      \
    do {                                                                        \
        tb_finish(t);                                                           \
        log_clear();                                                            \
        CHECK_EQ_U64(PARSE_EXACT(fn, t, out), rc, msg);                         \
        CHECK(logged(msg), "want \"%s\" in:\n%s", msg, log_buf);              \
    } while (0)

/* A machine: RSDP v2 at 0xe0000, XSDT and RSDT listing `n` tables placed 4 KiB apart. */
#define T_BASE 0x100000ull
static void build_machine(struct machine *m, struct tb *const *tables, unsigned n)
{
    struct tb xsdt, rsdt;
    uint8_t rsdp[36] = "RSD PTR ";
    uint64_t xsdt_at = 0x80000, rsdt_at = 0x81000;

    memset(m, 0, sizeof *m);
    tb_header(&xsdt, "XSDT", 1);
    tb_header(&rsdt, "RSDT", 1);
    for (unsigned i = 0; i < n; i++) {
        put(&xsdt, T_BASE + i * 0x1000ull, 8);
        put(&rsdt, T_BASE + i * 0x1000ull, 4);
        add_region(m, T_BASE + i * 0x1000ull, tables[i]->b, tables[i]->n);
    }
    tb_finish(&xsdt);
    tb_finish(&rsdt);
    add_region(m, xsdt_at, xsdt.b, xsdt.n);
    add_region(m, rsdt_at, rsdt.b, rsdt.n);
    memcpy(rsdp + 9, "EXTEST", 6);
    rsdp[15] = 2;
    memcpy(rsdp + 16, &(uint32_t){(uint32_t)rsdt_at}, 4);
    memcpy(rsdp + 20, &(uint32_t){36}, 4);
    memcpy(rsdp + 24, &xsdt_at, 8);
    rsdp[8] = (uint8_t)-checksum_of(rsdp, 20);
    rsdp[32] = (uint8_t)-checksum_of(rsdp, 36);
    add_region(m, 0xe0000, rsdp, sizeof rsdp);
    m->rsdp = 0xe0000;
}

static struct acpi_info info; /* big: keep it off the stack */

static void dump(const char *name)
{
    char line[1024];

    if (!getenv("ACPI_TEST_VERBOSE"))
        return;
    fprintf(stderr, "== %s\n", name);
    acpi_summarize_tables(&info, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    acpi_summarize_madt(&info, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    acpi_summarize_mcfg(&info, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    acpi_summarize_dmar(&info, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    acpi_summarize_fadt(&info, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    for (unsigned i = 0; i < info.madt.nisos; i++)
        fprintf(stderr, "  ISO bus %u irq %u -> gsi %u flags 0x%x\n", info.madt.isos[i].bus,
                info.madt.isos[i].source, info.madt.isos[i].gsi, info.madt.isos[i].flags);
    for (unsigned i = 0; i < info.madt.nnmis; i++)
        fprintf(stderr, "  NMI uid 0x%x lint %u flags 0x%x\n", info.madt.nmis[i].uid,
                info.madt.nmis[i].lint, info.madt.nmis[i].flags);
    for (unsigned i = 0; i < info.madt.ncpus; i++)
        fprintf(stderr, "  CPU apic %u uid %u flags 0x%x x2 %d\n", info.madt.cpus[i].apic_id,
                info.madt.cpus[i].uid, info.madt.cpus[i].flags, info.madt.cpus[i].from_x2apic);
    for (unsigned i = 0; i < info.dmar.ndrhd; i++) {
        const struct acpi_dmar_drhd *u = &info.dmar.drhd[i];
        fprintf(stderr, "  DRHD 0x%llx flags 0x%x seg %u size %u\n",
                (unsigned long long)u->reg_base, u->flags, u->segment, u->size);
        for (unsigned j = 0; j < u->nscopes; j++) {
            const struct acpi_dmar_scope *s = &u->scopes[j];
            fprintf(stderr, "    scope type %u enum %u bus %u path", s->type, s->enum_id,
                    s->start_bus);
            for (unsigned k = 0; k < s->path_len; k++)
                fprintf(stderr, " %02x.%x", s->path[k].dev, s->path[k].fn);
            fprintf(stderr, "\n");
        }
    }
    fprintf(stderr, "  FADT flags 0x%x boot_arch 0x%x pm1a %u:0x%llx/%u pm1b 0x%llx facs 0x%llx dsdt len %u smi 0x%x\n",
            info.fadt.flags, info.fadt.boot_arch, info.fadt.pm1a_cnt.space,
            (unsigned long long)info.fadt.pm1a_cnt.address, info.fadt.pm1a_cnt.bit_width,
            (unsigned long long)info.fadt.pm1b_cnt.address,
            (unsigned long long)info.fadt.facs_phys, info.fadt.dsdt_length, info.fadt.smi_cmd);
}

static void parse_fixture(const char *name, struct machine *m)
{
    struct acpi_env env;
    int rc;

    CHECK(load_fixture(name, m), "fixture %s loads from %s", name, fixture_dir());
    env = env_of(m);
    log_clear();
    rc = acpi_parse_at(&env, m->rsdp, &info);
    CHECK_EQ_U64(rc, 0, name);
    dump(name);
}

static void check_summary_line(int (*fn)(const struct acpi_info *, char *, size_t),
                               const char *want, const char *what)
{
    char line[512];

    fn(&info, line, sizeof line);
    CHECK_STREQ(line, want, what);
}

/* What QEMU q35 builds for both firmwares: the tables come from QEMU's table loader. */
static void check_qemu_q35(const char *name)
{
    const struct acpi_madt *md = &info.madt;
    const struct acpi_dmar *d = &info.dmar;
    const struct acpi_fadt *f = &info.fadt;
    static const uint8_t scope_devfn[][2] = {
        {0x00, 0}, {0x01, 0}, {0x02, 0},                       /* host bridge, VGA, igb PF */
        {0x12, 0}, {0x12, 2}, {0x12, 4}, {0x12, 6},            /* igb VFs: offset 0x80, stride 2 */
        {0x13, 0}, {0x13, 2}, {0x13, 4}, {0x13, 6},
        {0x1f, 0}, {0x1f, 2}, {0x1f, 3}};                      /* LPC, SATA, SMBus */

    CHECK_EQ_U64(info.rsdp_revision, 0, "QEMU builds an ACPI 1.0 RSDP (RSDT only)");
    CHECK(!info.xsdt_used, "%s: RSDT walked", name);
    CHECK_STREQ(info.oem_id, "BOCHS ", "RSDP OEM id");
    CHECK_EQ_U64(info.nrejected, 0, "no rejected tables");
    CHECK(log_len == 0, "%s: no diagnostics, got:\n%s", name, log_buf);

    CHECK(md->present, "%s: MADT", name);
    CHECK_EQ_U64(md->ncpus, 4, "q35 -smp 4 CPUs");
    for (unsigned i = 0; i < md->ncpus; i++) {
        CHECK_EQ_U64(md->cpus[i].apic_id, i, "APIC id");
        CHECK_EQ_U64(md->cpus[i].uid, i, "processor UID");
        CHECK_EQ_U64(md->cpus[i].flags, ACPI_CPU_ENABLED, "CPU enabled");
        CHECK(!md->cpus[i].from_x2apic, "xAPIC entries");
    }
    CHECK_EQ_U64(md->lapic_address, 0xfee00000, "LAPIC address");
    CHECK(md->pcat_compat, "PCAT_COMPAT");
    CHECK_EQ_U64(md->nioapics, 1, "one IOAPIC");
    CHECK_EQ_U64(md->ioapics[0].id, 0, "IOAPIC id");
    CHECK_EQ_U64(md->ioapics[0].address, 0xfec00000, "IOAPIC address");
    CHECK_EQ_U64(md->ioapics[0].gsi_base, 0, "IOAPIC GSI base");
    CHECK_EQ_U64(md->nisos, 5, "overrides");
    CHECK_EQ_U64(md->isos[0].source, 0, "ISO 0: IRQ0");
    CHECK_EQ_U64(md->isos[0].gsi, 2, "ISO 0: to GSI2");
    CHECK_EQ_U64(md->isos[0].flags, 0, "ISO 0: conforms to bus");
    for (unsigned i = 1; i < 5; i++) {
        static const uint8_t irq[] = {0, 5, 9, 10, 11};
        CHECK_EQ_U64(md->isos[i].source, irq[i], "PCI link IRQ");
        CHECK_EQ_U64(md->isos[i].gsi, irq[i], "identity GSI");
        CHECK_EQ_U64(md->isos[i].flags, ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL,
                     "level, active high");
    }
    CHECK_EQ_U64(md->nnmis, 1, "one LAPIC NMI entry");
    CHECK_EQ_U64(md->nmis[0].uid, ACPI_NMI_ALL_CPUS, "NMI on all CPUs");
    CHECK_EQ_U64(md->nmis[0].lint, 1, "NMI on LINT1");

    CHECK(info.mcfg.present, "%s: MCFG", name);
    CHECK_EQ_U64(info.mcfg.nwindows, 1, "one ECAM window");
    CHECK_EQ_U64(info.mcfg.windows[0].base, 0xb0000000, "q35 ECAM base");
    CHECK_EQ_U64(info.mcfg.windows[0].segment, 0, "segment");
    CHECK_EQ_U64(info.mcfg.windows[0].start_bus, 0, "start bus");
    CHECK_EQ_U64(info.mcfg.windows[0].end_bus, 255, "end bus");

    CHECK(d->present, "%s: DMAR", name);
    CHECK_EQ_U64(d->host_address_width, 48, "QEMU 10 intel-iommu aw-bits");
    CHECK_EQ_U64(d->flags, ACPI_DMAR_INTR_REMAP, "IR, no x2APIC opt-out");
    CHECK_EQ_U64(d->ndrhd, 1, "one DRHD");
    CHECK_EQ_U64(d->nrmrr, 0, "no RMRR");
    CHECK_EQ_U64(d->natsr, 0, "no ATSR");
    CHECK_EQ_U64(d->drhd[0].reg_base, 0xfed90000, "DRHD base");
    CHECK_EQ_U64(d->drhd[0].flags, 0, "no INCLUDE_PCI_ALL");
    CHECK_EQ_U64(d->drhd[0].segment, 0, "DRHD segment");
    CHECK_EQ_U64(d->drhd[0].nscopes, 15, "IOAPIC + 14 PCI endpoints");
    CHECK_EQ_U64(d->drhd[0].scopes[0].type, ACPI_DMAR_SCOPE_IOAPIC, "IOAPIC scope first");
    CHECK_EQ_U64(d->drhd[0].scopes[0].enum_id, 0, "IOAPIC scope id matches MADT");
    CHECK_EQ_U64(d->drhd[0].scopes[0].start_bus, 0xff, "IOAPIC source id bus");
    for (unsigned i = 0; i < 14 && i + 1 < d->drhd[0].nscopes; i++) {
        const struct acpi_dmar_scope *s = &d->drhd[0].scopes[i + 1];
        CHECK_EQ_U64(s->type, ACPI_DMAR_SCOPE_ENDPOINT, "endpoint scope");
        CHECK_EQ_U64(s->start_bus, 0, "bus 0");
        CHECK_EQ_U64(s->path_len, 1, "one hop");
        CHECK_EQ_U64(s->path[0].dev, scope_devfn[i][0], "scope device");
        CHECK_EQ_U64(s->path[0].fn, scope_devfn[i][1], "scope function");
    }

    CHECK(f->present, "%s: FADT", name);
    CHECK_EQ_U64(f->revision, 3, "FADT revision");
    CHECK(f->pm_timer_present, "PM timer");
    CHECK_EQ_U64(f->pm_timer.space, ACPI_GAS_IO, "PM timer in I/O space");
    CHECK_EQ_U64(f->pm_timer.address, 0x608, "ICH9 PM timer port");
    CHECK_EQ_U64(f->pm_timer_bits, 24, "no TMR_VAL_EXT");
    CHECK(f->reset_present, "reset register");
    CHECK_EQ_U64(f->reset_reg.space, ACPI_GAS_IO, "reset via port");
    CHECK_EQ_U64(f->reset_reg.address, 0xcf9, "reset port 0xcf9");
    CHECK_EQ_U64(f->reset_value, 0xf, "reset value");
    CHECK(!f->hw_reduced, "not hardware-reduced");
    CHECK_EQ_U64(f->sci_irq, 9, "SCI");
    CHECK_EQ_U64(f->pm1a_cnt.address, 0x604, "PM1a control port");
    CHECK_EQ_U64(f->pm1a_cnt.bit_width, 16, "PM1a control width");
    CHECK_EQ_U64(f->pm1b_cnt.address, 0, "no PM1b");
    CHECK(f->dsdt_valid, "DSDT checksum");
    CHECK_EQ_U64(f->dsdt_length, 8796, "DSDT length");

    check_summary_line(acpi_summarize_madt,
                       "MADT: 4 CPUs (APIC ids 0,1,2,3), 1 IOAPIC id 0 at 0xfec00000 GSI base 0, "
                       "5 overrides, 1 NMI, LAPIC 0xfee00000, 8259s present",
                       "MADT summary");
    check_summary_line(acpi_summarize_mcfg, "MCFG: segment 0 buses 0-255 at 0xb0000000",
                       "MCFG summary");
    check_summary_line(acpi_summarize_dmar,
                       "DMAR: haw 48, 1 DRHD at 0xfed90000 (15 scopes), 0 RMRR, 0 ATSR, "
                       "IR supported x2APIC ok",
                       "DMAR summary");
}

/* q35 bus 0 has no bridges on any DMAR path: every config read sees an empty slot. */
static uint8_t read8_empty(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
                           uint16_t off)
{
    (void)ctx, (void)seg, (void)bus, (void)dev, (void)fn, (void)off;
    return 0xff;
}

static void check_qemu_scope_matching(void)
{
    struct machine none = {0};
    struct acpi_env env = env_of(&none);
    const struct acpi_dmar_drhd *u = &info.dmar.drhd[0];

    CHECK_EQ_U64(acpi_dmar_resolve(&env, &info.dmar, read8_empty, NULL), 0, "all scopes resolve");
    CHECK_EQ_U64(u->scopes[0].bdf, 0xff00, "IOAPIC source id ff:00.0");
    CHECK_EQ_U64(u->scopes[3].bdf, 0x0010, "igb PF 00:02.0");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 0, 0x0010) == u, "igb PF translated by the DRHD");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 0, 0x0092) == u, "igb VF 00:12.2 translated");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 0, 0x009e) == u, "igb VF 00:13.6 translated");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 0, 0xff00) == u, "IOAPIC source id covered");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 0, 0x0018) == NULL, "00:03.0 not listed, no catch-all");
    CHECK(acpi_dmar_find_drhd(&info.dmar, 1, 0x0010) == NULL, "segment 1 has no unit");
}


/* The DSDT's static \_S5 package, as the kernel's power-off path reads it. */
static void check_fixture_s5(struct machine *m, const char *name)
{
    const uint8_t *dsdt = map(m, info.fadt.dsdt_phys, info.fadt.dsdt_length);
    uint8_t a = 0xee, b = 0xee;

    CHECK(dsdt != NULL, "%s: DSDT mapped", name);
    if (!dsdt)
        return;
    CHECK_EQ_U64(acpi_find_s5(dsdt, info.fadt.dsdt_length, &a, &b), 0, "fixture has \\_S5");
    CHECK_EQ_U64(a, 0, "S5 SLP_TYPa (Package {Zero, Zero, ...})");
    CHECK_EQ_U64(b, 0, "S5 SLP_TYPb");
}

/* Runs acpi_find_s5 on an exact-size heap copy so ASan catches any read past the end. */
static int s5_of(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, aml, len);
    int rc = acpi_find_s5(copy, len, a, b);
    free(copy);
    return rc;
}

static void test_s5_aml(void)
{
    static const uint8_t bytes[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
                                    0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00};
    static const uint8_t rooted[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x02,
                                     0x01, 0x0b, 0x07, 0x00};
    static const uint8_t long_pkglen[] = {0x08, '_', 'S', '5', '_', 0x12, 0x41, 0x00, 0x02,
                                          0x0c, 0x03, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t method[] = {0x14, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05,
                                     0x0a, 0x05};
    static const uint8_t ref_then_name[] = {0x70, '_', 'S', '5', '_', 0x60, 0x08, '_', 'S', '5',
                                            '_', 0x12, 0x05, 0x02, 0x0a, 0x02, 0x01};
    static const uint8_t one_elem[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x05};
    static const uint8_t not_const[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x70, 0x05,
                                        0x0a, 0x05};
    uint8_t a = 0, b = 0;

    CHECK_EQ_U64(s5_of(bytes, sizeof bytes, &a, &b), 0, "byte-prefixed _S5");
    CHECK(a == 5 && b == 6, "_S5 values 5,6, got %u,%u", a, b);
    CHECK_EQ_U64(s5_of(rooted, sizeof rooted, &a, &b), 0, "root-prefixed \\_S5");
    CHECK(a == 1 && b == 7, "One and a word 7, got %u,%u", a, b);
    CHECK_EQ_U64(s5_of(long_pkglen, sizeof long_pkglen, &a, &b), 0, "two-byte PkgLength");
    CHECK(a == 3 && b == 0, "dword 3 and Zero, got %u,%u", a, b);
    CHECK_EQ_U64(s5_of(ref_then_name, sizeof ref_then_name, &a, &b), 0,
                 "a reference to _S5_ before its definition is skipped");
    CHECK(a == 2 && b == 1, "2,1 from the definition, got %u,%u", a, b);
    CHECK_EQ_U64(s5_of(method, sizeof method, &a, &b), (uint64_t)-ACPI_E_NOTFOUND,
                 "a Method _S5 is not a static package");
    CHECK_EQ_U64(s5_of(one_elem, sizeof one_elem, &a, &b), (uint64_t)-ACPI_E_NOTFOUND,
                 "a one-element package has no SLP_TYPb");
    CHECK_EQ_U64(s5_of(not_const, sizeof not_const, &a, &b), (uint64_t)-ACPI_E_NOTFOUND,
                 "a computed element is not read");
    /* Every truncation of a good encoding fails cleanly (ASan checks the bounds). */
    for (size_t len = 0; len < sizeof bytes - 2; len++)
        CHECK_EQ_U64(s5_of(bytes, len, &a, &b), (uint64_t)-ACPI_E_NOTFOUND,
                     "truncated _S5 encoding");
}

static void test_qemu_seabios(void)
{
    struct machine m;
    struct acpi_env env;
    uint64_t found = 0;

    parse_fixture("qemu-seabios", &m);
    check_qemu_q35("qemu-seabios");
    CHECK_EQ_U64(info.root_phys, 0xffe2574, "SeaBIOS RSDT address");
    CHECK_EQ_U64(info.ntables, 7, "FACP DSDT APIC HPET MCFG DMAR WAET");
    check_summary_line(acpi_summarize_fadt,
                       "FADT: rev 3, PM timer port 0x608 (24-bit), reset reg port 0xcf9 value 0xf, "
                       "SCI 9, hw-reduced no, DSDT 0xffe0040",
                       "FADT summary");
    check_summary_line(acpi_summarize_tables,
                       "ACPI: RSDP rev 0 OEM \"BOCHS \", RSDT at 0xffe2574, 7 tables: FACP DSDT "
                       "APIC HPET MCFG DMAR WAET, 0 rejected",
                       "table summary");
    check_qemu_scope_matching();
    check_fixture_s5(&m, "qemu-seabios");

    /* Legacy BIOS: the RSDP is findable by scanning the F segment. */
    env = env_of(&m);
    CHECK_EQ_U64(acpi_find_rsdp(&env, 0xf5250, 20, &found), 0, "scan finds the RSDP");
    CHECK_EQ_U64(found, 0xf5250, "RSDP address");

    /* multiboot2 tag 14 hands over a copy of the RSDP, not its address. */
    {
        uint8_t copy[20];
        memcpy(copy, map(&m, m.rsdp, 20), 20);
        log_clear();
        CHECK_EQ_U64(acpi_parse(&env, copy, sizeof copy, &info), 0, "parse from an RSDP copy");
        CHECK_EQ_U64(info.madt.ncpus, 4, "same CPUs via the copy");
    }
    free_machine(&m);
}

static void test_qemu_ovmf(void)
{
    struct machine m;

    parse_fixture("qemu-ovmf", &m);
    check_qemu_q35("qemu-ovmf");
    /* OVMF installs QEMU's tables page by page in high memory and adds a BGRT. */
    CHECK_EQ_U64(info.root_phys, 0xf77c000, "OVMF RSDT address");
    CHECK_EQ_U64(info.ntables, 8, "FACP DSDT APIC HPET MCFG DMAR WAET BGRT");
    CHECK_STREQ(info.tables[7].signature, "BGRT", "OVMF boot graphics table");
    CHECK_EQ_U64(info.fadt.facs_phys, 0xf7dc000, "FACS in its own NVS page");
    check_summary_line(acpi_summarize_fadt,
                       "FADT: rev 3, PM timer port 0x608 (24-bit), reset reg port 0xcf9 value 0xf, "
                       "SCI 9, hw-reduced no, DSDT 0xf779000",
                       "FADT summary");
    check_qemu_scope_matching();
    check_fixture_s5(&m, "qemu-ovmf");
    free_machine(&m);
}

static void test_bochs(void)
{
    struct machine m;
    const struct acpi_madt *md = &info.madt;

    parse_fixture("bochs", &m);
    CHECK_EQ_U64(info.rsdp_revision, 0, "Bochs BIOS: ACPI 1.0 RSDP");
    CHECK_EQ_U64(info.ntables, 5, "FACP DSDT APIC SSDT HPET");
    CHECK_EQ_U64(info.nrejected, 0, "no rejected tables");
    CHECK(log_len == 0, "bochs: no diagnostics, got:\n%s", log_buf);
    CHECK(md->present, "MADT");
    CHECK_EQ_U64(md->ncpus, 4, "the Bochs BIOS lists every CPU");
    for (unsigned i = 0; i < md->ncpus; i++)
        CHECK_EQ_U64(md->cpus[i].apic_id, i, "APIC id");
    CHECK_EQ_U64(md->nioapics, 1, "one IOAPIC");
    CHECK_EQ_U64(md->ioapics[0].id, 4, "IOAPIC id follows the CPUs");
    CHECK_EQ_U64(md->ioapics[0].address, 0xfec00000, "IOAPIC address");
    CHECK_EQ_U64(md->nisos, 1, "only IRQ0 -> GSI2");
    CHECK_EQ_U64(md->isos[0].gsi, 2, "IRQ0 -> GSI2");
    CHECK_EQ_U64(md->nnmis, 0, "no LAPIC NMI entries");
    CHECK(!info.mcfg.present, "i440FX: no MCFG");
    CHECK(!info.dmar.present, "no VT-d");
    CHECK_EQ_U64(info.fadt.revision, 1, "ACPI 1.0 FADT");
    CHECK_EQ_U64(info.fadt.pm_timer.address, 0xb008, "PIIX4 PM timer port");
    CHECK_EQ_U64(info.fadt.pm_timer_bits, 24, "24-bit PM timer");
    CHECK(!info.fadt.reset_present, "no reset register in a 116-byte FADT");
    CHECK_EQ_U64(info.fadt.pm1a_cnt.address, 0xb004, "PM1a control for S5");
    check_fixture_s5(&m, "bochs");
    CHECK(info.fadt.dsdt_valid, "DSDT checksum");
    check_summary_line(acpi_summarize_madt,
                       "MADT: 4 CPUs (APIC ids 0,1,2,3), 1 IOAPIC id 4 at 0xfec00000 GSI base 0, "
                       "1 override, 0 NMIs, LAPIC 0xfee00000, 8259s present",
                       "MADT summary");
    check_summary_line(acpi_summarize_mcfg,
                       "MCFG: absent or rejected (PCI config through ports 0xcf8/0xcfc only)",
                       "MCFG summary");
    check_summary_line(acpi_summarize_dmar, "DMAR: absent or rejected (no VT-d)", "DMAR summary");
    check_summary_line(acpi_summarize_fadt,
                       "FADT: rev 1, PM timer port 0xb008 (24-bit), reset reg none, SCI 9, "
                       "hw-reduced no, DSDT 0x3ff0100",
                       "FADT summary");
    free_machine(&m);
}

/* ---- hand-made tables ---- */

static void madt_begin(struct tb *t)
{
    tb_header(t, "APIC", 5);
    put(t, 0xfee00000, 4);
    put(t, 1, 4); /* PCAT_COMPAT */
}

static void madt_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
    put(t, 0, 1), put(t, 8, 1), put(t, uid, 1), put(t, id, 1), put(t, flags, 4);
}

static void madt_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
    put(t, 9, 1), put(t, 16, 1), put(t, 0, 2), put(t, id, 4), put(t, flags, 4), put(t, uid, 4);
}

static void mcfg_begin(struct tb *t)
{
    tb_header(t, "MCFG", 1);
    put(t, 0, 8);
}

static void mcfg_window(struct tb *t, uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
    put(t, base, 8), put(t, seg, 2), put(t, start, 1), put(t, end, 1), put(t, 0, 4);
}

static void dmar_begin(struct tb *t, uint8_t flags)
{
    tb_header(t, "DMAR", 1);
    put(t, 38, 1); /* 39-bit host address width */
    put(t, flags, 1);
    put(t, 0, 10);
}

/* DRHD header with room for `scope_bytes` of scopes; `len_fix` corrupts its length. */
static void dmar_drhd(struct tb *t, uint8_t flags, uint16_t seg, uint64_t base,
                      unsigned scope_bytes, int len_fix)
{
    put(t, 0, 2), put(t, (uint64_t)(16 + scope_bytes + len_fix), 2);
    put(t, flags, 1), put(t, 0, 1), put(t, seg, 2), put(t, base, 8);
}

static void dmar_scope(struct tb *t, uint8_t type, uint8_t bus, const uint8_t *path,
                       unsigned hops)
{
    put(t, type, 1), put(t, 6 + 2 * hops, 1), put(t, 0, 2), put(t, 0, 1), put(t, bus, 1);
    for (unsigned i = 0; i < 2 * hops; i++)
        put(t, path[i], 1);
}

static void fadt_build(struct tb *t, uint32_t len, uint32_t flags)
{
    tb_header(t, "FACP", len > 244 ? 6 : 3);
    memset(t->b + 36, 0, len - 36);
    t->n = len;
    memcpy(t->b + 46, &(uint16_t){9}, 2);       /* SCI_INT */
    memcpy(t->b + 76, &(uint32_t){0x408}, 4);   /* PM_TMR_BLK */
    t->b[91] = 4;                               /* PM_TMR_LEN */
    memcpy(t->b + 112, &flags, 4);
}

static void test_madt_malformed(void)
{
    struct tb t;
    struct acpi_madt *md = &info.madt;

    /* Zero-length entry: would loop forever if trusted. */
    madt_begin(&t);
    madt_lapic(&t, 0, 0, 1);
    put(&t, 1, 1), put(&t, 0, 1), put(&t, 0, 10);
    EXPECT_PARSE(acpi_parse_madt, &t, md, -ACPI_E_MALFORMED, "MADT: entry type 1 at offset 0x34 has length 0 (zero-length)");
    CHECK(!md->present && md->ncpus == 0, "rejected MADT leaves nothing behind");

    /* Last entry claims more bytes than the table has. */
    madt_begin(&t);
    madt_lapic(&t, 0, 0, 1);
    put(&t, 1, 1), put(&t, 12, 1), put(&t, 0, 6); /* IOAPIC cut 4 bytes short */
    EXPECT_PARSE(acpi_parse_madt, &t, md, -ACPI_E_MALFORMED, "MADT: entry type 1 at offset 0x34, length 12, overruns its end by 4 bytes");

    /* Entry whose length fits the table but is too short for its type. */
    madt_begin(&t);
    put(&t, 1, 1), put(&t, 8, 1), put(&t, 0, 6);
    EXPECT_PARSE(acpi_parse_madt, &t, md, -ACPI_E_MALFORMED, "MADT: entry type 1 at offset 0x2c has length 8, needs 12");

    /* A single stray byte after the last entry. */
    madt_begin(&t);
    madt_lapic(&t, 0, 0, 1);
    put(&t, 0, 1);
    EXPECT_PARSE(acpi_parse_madt, &t, md, -ACPI_E_MALFORMED, "MADT: 1 stray bytes at offset 0x34");

    /* Shorter than the fixed part. */
    tb_header(&t, "APIC", 5);
    put(&t, 0xfee00000, 4);
    EXPECT_PARSE(acpi_parse_madt, &t, md, -ACPI_E_LENGTH, "MADT: length 40, shorter than its fixed part (44)");
}

static void test_madt_cpus(void)
{
    struct tb t;
    struct acpi_madt *md = &info.madt;

    /* Mixed xAPIC/x2APIC, disabled, online-capable, duplicate, override, x2APIC NMI. */
    madt_begin(&t);
    madt_lapic(&t, 0, 0, ACPI_CPU_ENABLED);
    madt_lapic(&t, 1, 1, 0);                        /* unusable */
    madt_lapic(&t, 2, 2, ACPI_CPU_ONLINE_CAPABLE);  /* hot-pluggable */
    madt_x2apic(&t, 300, ACPI_CPU_ENABLED, 3);
    madt_x2apic(&t, 0, ACPI_CPU_ENABLED, 4);       /* duplicate of APIC id 0 */
    put(&t, 5, 1), put(&t, 12, 1), put(&t, 0, 2), put(&t, 0xfee10000ull, 8);
    put(&t, 10, 1), put(&t, 12, 1), put(&t, 5, 2), put(&t, 0xffffffff, 4), put(&t, 1, 1),
        put(&t, 0, 3);
    put(&t, 0x7f, 1), put(&t, 4, 1), put(&t, 0, 2); /* unknown type: skipped */
    tb_finish(&t);
    log_clear();
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_madt, &t, md), 0, "mixed MADT parses");
    CHECK_EQ_U64(md->ncpus, 3, "enabled + online-capable + x2APIC");
    CHECK_EQ_U64(md->ncpus_disabled, 1, "disabled CPU counted");
    CHECK_EQ_U64(md->ncpus_dropped, 1, "duplicate dropped");
    CHECK(logged("MADT: APIC id 0 listed twice"), "%s", log_buf);
    CHECK_EQ_U64(md->cpus[1].flags, ACPI_CPU_ONLINE_CAPABLE, "online-capable kept");
    CHECK_EQ_U64(md->cpus[2].apic_id, 300, "x2APIC id");
    CHECK(md->cpus[2].from_x2apic, "from x2APIC entry");
    CHECK_EQ_U64(md->lapic_address, 0xfee10000, "address override wins");
    CHECK_EQ_U64(md->nnmis, 1, "x2APIC NMI");
    CHECK_EQ_U64(md->nmis[0].uid, ACPI_NMI_ALL_CPUS, "x2APIC NMI to all");
    CHECK_EQ_U64(md->nother, 1, "unknown entry skipped");

    /* More CPUs than we hold. */
    madt_begin(&t);
    for (unsigned i = 0; i < ACPI_MAX_CPUS + 10; i++)
        madt_x2apic(&t, i, ACPI_CPU_ENABLED, i);
    tb_finish(&t);
    log_clear();
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_madt, &t, md), 0, "big MADT parses");
    CHECK_EQ_U64(md->ncpus, ACPI_MAX_CPUS, "capped");
    CHECK_EQ_U64(md->ncpus_dropped, 10, "extra counted");
    CHECK(md->truncated, "marked truncated");
    CHECK(logged("MADT: more than 256 CPUs, the rest ignored"), "%s", log_buf);
    {
        char line[64];
        int n = acpi_summarize_madt(&info, line, sizeof line);
        CHECK(n > (int)sizeof line && strlen(line) == sizeof line - 1, "summary truncates safely");
    }
}

static void test_mcfg_malformed(void)
{
    struct tb t;
    struct acpi_mcfg *mc = &info.mcfg;

    mcfg_begin(&t);
    mcfg_window(&t, 0xb0000000, 0, 0, 255);
    mcfg_window(&t, 0xc0000000, 0, 128, 200); /* same buses again */
    mcfg_window(&t, 0xb8000000, 1, 0, 63);    /* memory inside window 0 */
    mcfg_window(&t, 0xe0000000, 2, 10, 5);    /* inverted */
    mcfg_window(&t, 0xd0000000, 1, 0, 63);    /* fine */
    tb_finish(&t);
    log_clear();
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_mcfg, &t, mc), 0, "MCFG parses");
    CHECK_EQ_U64(mc->nwindows, 2, "two good windows");
    CHECK_EQ_U64(mc->nrejected, 3, "three rejected");
    CHECK_EQ_U64(mc->windows[1].base, 0xd0000000, "segment 1 window");
    CHECK(logged("MCFG: window 1 (segment 0 buses 128-200 at 0xc0000000) overlaps an earlier window (segment 0 buses 0-255 at 0xb0000000), ignored"),
          "%s", log_buf);
    CHECK(logged("MCFG: window 2 (segment 1 buses 0-63 at 0xb8000000) overlaps"), "%s", log_buf);
    CHECK(logged("MCFG: window 3 (segment 2) ends at bus 5 before its start bus 10"), "%s", log_buf);
    check_summary_line(acpi_summarize_mcfg,
                       "MCFG: segment 0 buses 0-255 at 0xb0000000; segment 1 buses 0-63 at "
                       "0xd0000000, 3 rejected",
                       "multi-window summary");

    /* Partial trailing entry. */
    mcfg_begin(&t);
    mcfg_window(&t, 0xb0000000, 0, 0, 255);
    put(&t, 0, 4);
    EXPECT_PARSE(acpi_parse_mcfg, &t, mc, -ACPI_E_LENGTH, "MCFG: length 64 is not 44 plus whole 16-byte entries");
    CHECK(!mc->present, "rejected");

    /* Too many windows. */
    mcfg_begin(&t);
    for (unsigned i = 0; i < ACPI_MAX_MCFG + 1; i++)
        mcfg_window(&t, 0x100000000ull * (i + 1), (uint16_t)i, 0, 255);
    tb_finish(&t);
    log_clear();
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_mcfg, &t, mc), 0, "many windows");
    CHECK_EQ_U64(mc->nwindows, ACPI_MAX_MCFG, "capped");
    CHECK(mc->truncated && logged("MCFG: more than 16 windows"), "%s", log_buf);
}

static const uint8_t path_1c_00[] = {0x1c, 0, 0x00, 0}; /* root port 1c.0, then device 0 */
static const uint8_t path_1d[] = {0x1d, 0};

static void test_dmar_malformed(void)
{
    struct tb t;
    struct acpi_dmar *d = &info.dmar;

    /* Scope runs past the end of its DRHD (DRHD length 2 bytes short). */
    dmar_begin(&t, ACPI_DMAR_INTR_REMAP);
    dmar_drhd(&t, 0, 0, 0xfed90000, 8, -2);
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, path_1d, 1); /* inside the table, not the DRHD */
    tb_finish(&t);
    log_clear();
    CHECK(PARSE_EXACT(acpi_parse_dmar, &t, d) < 0, "scope overruns DRHD");
    CHECK(logged("DMAR scope: entry type 1 at offset 0x40, length 8, overruns its end by 2 bytes"),
          "%s", log_buf);
    CHECK(!d->present && d->ndrhd == 0, "whole DMAR rejected");

    /* Zero-length remapping structure. */
    dmar_begin(&t, 0);
    put(&t, 0, 2), put(&t, 0, 2), put(&t, 0, 12);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR: entry type 0 at offset 0x30 has length 0 (zero-length)");

    /* Zero-length device scope. */
    dmar_begin(&t, 0);
    dmar_drhd(&t, 0, 0, 0xfed90000, 6, 0);
    put(&t, 1, 1), put(&t, 0, 1), put(&t, 0, 4);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR scope: entry type 1 at offset 0x40 has length 0");

    /* Odd path length, and an impossible device number. */
    dmar_begin(&t, 0);
    dmar_drhd(&t, 0, 0, 0xfed90000, 7, 0);
    put(&t, 1, 1), put(&t, 7, 1), put(&t, 0, 4), put(&t, 3, 1);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR: DRHD 0 scope type 1 has a 1-byte path");
    dmar_begin(&t, 0);
    dmar_drhd(&t, 0, 0, 0xfed90000, 8, 0);
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (const uint8_t[]){0x20, 0}, 1);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR: DRHD 0 scope path hop 0 is 20.0, not a PCI device");

    /* Register base not page aligned. */
    dmar_begin(&t, 0);
    dmar_drhd(&t, 0, 0, 0xfed90010, 0, 0);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR: DRHD 0 register base 0xfed90010 is not a page address");

    /* More scopes than a DRHD holds. */
    dmar_begin(&t, 0);
    dmar_drhd(&t, 0, 0, 0xfed90000, 8 * (ACPI_MAX_DRHD_SCOPES + 1), 0);
    for (unsigned i = 0; i < ACPI_MAX_DRHD_SCOPES + 1; i++)
        dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, (uint8_t)(i / 32),
                   (const uint8_t[]){(uint8_t)(i % 32), 0}, 1);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_LIMIT, "DMAR: DRHD 0 has more than 64 device scopes");

    /* RMRR with limit below base. */
    dmar_begin(&t, 0);
    put(&t, 1, 2), put(&t, 24, 2), put(&t, 0, 2), put(&t, 0, 2), put(&t, 0x2000, 8),
        put(&t, 0x1fff - 0x1000, 8);
    EXPECT_PARSE(acpi_parse_dmar, &t, d, -ACPI_E_MALFORMED, "DMAR: RMRR 0 limit 0xfff below its base 0x2000");
}

/* A fake PCI tree: root port 00:1c.0 -> bus 2..3, root port 00:1d.0 -> bus 4..4,
 * a broken bridge 00:1e.0 whose secondary bus points back at bus 0. */
static uint8_t read8_tree(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
                          uint16_t off)
{
    static const struct { uint8_t dev, sec, sub; } bridges[] = {
        {0x1c, 2, 3}, {0x1d, 4, 4}, {0x1e, 0, 0}};

    (void)ctx;
    if (seg != 0 || bus != 0 || fn != 0)
        return 0xff;
    for (unsigned i = 0; i < 3; i++) {
        if (bridges[i].dev != dev)
            continue;
        switch (off) {
        case 0x00: return 0x86;
        case 0x01: return 0x80;
        case 0x0e: return 0x01;
        case 0x19: return bridges[i].sec;
        case 0x1a: return bridges[i].sub;
        default: return 0;
        }
    }
    return 0xff;
}

static void test_dmar_scopes(void)
{
    struct tb t;
    struct acpi_dmar *d = &info.dmar;
    struct machine none = {0};
    struct acpi_env env = env_of(&none);

    dmar_begin(&t, ACPI_DMAR_INTR_REMAP | ACPI_DMAR_X2APIC_OPT_OUT);
    dmar_drhd(&t, 0, 0, 0xfed90000, 10 + 8 + 8, 0);
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, path_1c_00, 2); /* 02:00.0 via 1c.0 */
    dmar_scope(&t, ACPI_DMAR_SCOPE_BRIDGE, 0, path_1d, 1);      /* everything under 1d.0 */
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (const uint8_t[]){0x1e, 0}, 1);
    dmar_drhd(&t, 0, 0, 0xfed91000, 10, 0);
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (const uint8_t[]){0x1e, 0, 0, 0}, 2); /* loop */
    dmar_drhd(&t, ACPI_DRHD_INCLUDE_PCI_ALL, 0, 0xfed92000, 8, 0);
    dmar_scope(&t, ACPI_DMAR_SCOPE_IOAPIC, 0xf0, (const uint8_t[]){0x1f, 0}, 1);
    put(&t, 1, 2), put(&t, 32, 2), put(&t, 0, 2), put(&t, 0, 2), put(&t, 0x7c000000, 8),
        put(&t, 0x7c7fffff, 8);
    dmar_scope(&t, ACPI_DMAR_SCOPE_ENDPOINT, 0, (const uint8_t[]){0x14, 0}, 1);
    put(&t, 2, 2), put(&t, 8, 2), put(&t, ACPI_ATSR_ALL_PORTS, 1), put(&t, 0, 1), put(&t, 0, 2);
    put(&t, 3, 2), put(&t, 20, 2), put(&t, 0, 16); /* RHSA: counted only */
    tb_finish(&t);
    log_clear();
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_dmar, &t, d), 0, "synthetic DMAR parses");
    CHECK_EQ_U64(d->host_address_width, 39, "haw");
    CHECK_EQ_U64(d->ndrhd, 3, "three units");
    CHECK_EQ_U64(d->nrmrr, 1, "one RMRR");
    CHECK_EQ_U64(d->rmrr[0].base, 0x7c000000, "RMRR base");
    CHECK_EQ_U64(d->rmrr[0].limit, 0x7c7fffff, "RMRR limit");
    CHECK_EQ_U64(d->rmrr[0].nscopes, 1, "RMRR scope");
    CHECK_EQ_U64(d->natsr, 1, "one ATSR");
    CHECK_EQ_U64(d->atsr[0].flags, ACPI_ATSR_ALL_PORTS, "ATSR ALL_PORTS");
    CHECK_EQ_U64(d->nother, 1, "RHSA counted");
    check_summary_line(acpi_summarize_dmar,
                       "DMAR: haw 39, 3 DRHDs at 0xfed90000 (3 scopes), at 0xfed91000 (1 scope), "
                       "at 0xfed92000 (INCLUDE_PCI_ALL, 1 scope), 1 RMRR, 1 ATSR, IR supported "
                       "x2APIC opt-out",
                       "DMAR summary");

    CHECK_EQ_U64(acpi_dmar_resolve(&env, d, read8_tree, NULL), 1, "only the looping path fails");
    CHECK(logged("DMAR: DRHD 0 scope 2 (type 1, bus 0, 1 hops)") == false,
          "an absent endpoint still resolves: VFs appear later");
    CHECK(logged("DMAR: DRHD 1 scope 0 (type 1, bus 0, 2 hops) does not resolve"), "%s", log_buf);
    CHECK_EQ_U64(d->drhd[0].scopes[0].bdf, 0x0200, "02:00.0 behind 1c.0");
    CHECK_EQ_U64(d->drhd[0].scopes[1].bdf, 0x00e8, "bridge 00:1d.0");
    CHECK_EQ_U64(d->drhd[0].scopes[1].sec_bus, 4, "bridge secondary bus");
    CHECK_EQ_U64(d->drhd[0].scopes[1].sub_bus, 4, "bridge subordinate bus");
    CHECK_EQ_U64(d->drhd[2].scopes[0].bdf, 0xf0f8, "IOAPIC source id f0:1f.0");

    CHECK(acpi_dmar_find_drhd(d, 0, 0x0200) == &d->drhd[0], "explicit endpoint");
    CHECK(acpi_dmar_find_drhd(d, 0, 0x0405) == &d->drhd[0], "below the bridge scope");
    CHECK(acpi_dmar_find_drhd(d, 0, 0x00e8) == &d->drhd[0], "the bridge itself");
    CHECK(acpi_dmar_find_drhd(d, 0, 0x0300) == &d->drhd[2], "bus 3 not listed: catch-all");
    CHECK(acpi_dmar_find_drhd(d, 0, 0x0001) == &d->drhd[2], "00:00.1: catch-all");
    CHECK(acpi_dmar_find_drhd(d, 1, 0x0200) == NULL, "other segment");

    {
        struct acpi_dmar_scope s = {.type = ACPI_DMAR_SCOPE_BRIDGE, .path_len = 1,
                                    .path = {{0x1b, 0}}};
        uint16_t bdf;
        uint8_t sec, sub;
        CHECK_EQ_U64(acpi_dmar_scope_bdf(&s, 0, read8_tree, NULL, &bdf, &sec, &sub),
                     -ACPI_E_NODEV, "absent bridge");
    }
}

static void test_fadt_variants(void)
{
    struct tb t;
    struct acpi_fadt *f = &info.fadt;
    struct acpi_raw_gas { uint8_t s, w, o, a; uint64_t addr; } __attribute__((packed)) g;

    /* ACPI 6 FADT: MMIO 32-bit PM timer via X_PM_TMR_BLK, memory reset register, HW-reduced. */
    fadt_build(&t, 276, ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP | ACPI_FADT_HW_REDUCED);
    g = (struct acpi_raw_gas){ACPI_GAS_MEMORY, 32, 0, 3, 0xfe000008};
    memcpy(t.b + 208, &g, sizeof g);
    g = (struct acpi_raw_gas){ACPI_GAS_MEMORY, 8, 0, 1, 0xfe000100};
    memcpy(t.b + 116, &g, sizeof g);
    t.b[128] = 0x5;
    memcpy(t.b + 140, &(uint64_t){0x1234567000ull}, 8); /* X_DSDT above 4G */
    memcpy(t.b + 40, &(uint32_t){0x1000}, 4);           /* DSDT: ignored when X_DSDT set */
    tb_finish(&t);
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_fadt, &t, f), 0, "ACPI 6 FADT");
    CHECK(f->pm_timer_present && f->pm_timer.space == ACPI_GAS_MEMORY, "MMIO PM timer");
    CHECK_EQ_U64(f->pm_timer.address, 0xfe000008, "X_PM_TMR_BLK wins");
    CHECK_EQ_U64(f->pm_timer_bits, 32, "TMR_VAL_EXT");
    CHECK(f->reset_present && f->reset_reg.space == ACPI_GAS_MEMORY, "MMIO reset");
    CHECK_EQ_U64(f->reset_value, 5, "reset value");
    CHECK(f->hw_reduced, "hardware-reduced");
    CHECK_EQ_U64(f->dsdt_phys, 0x1234567000ull, "X_DSDT preferred");
    info.fadt.dsdt_valid = true;
    check_summary_line(acpi_summarize_fadt,
                       "FADT: rev 6, PM timer mmio 0xfe000008 (32-bit), reset reg mmio 0xfe000100 "
                       "value 0x5, SCI 9, hw-reduced yes, DSDT 0x1234567000",
                       "ACPI 6 FADT summary");

    /* RESET_REG_SUP clear: the register is not used even if filled in. */
    fadt_build(&t, 244, 0);
    g = (struct acpi_raw_gas){ACPI_GAS_IO, 8, 0, 1, 0xcf9};
    memcpy(t.b + 116, &g, sizeof g);
    t.b[91] = 0; /* PM_TMR_LEN 0: no timer */
    tb_finish(&t);
    CHECK_EQ_U64(PARSE_EXACT(acpi_parse_fadt, &t, f), 0, "FADT without reset support");
    CHECK(!f->reset_present, "reset needs RESET_REG_SUP");
    CHECK(!f->pm_timer_present, "PM_TMR_LEN 0 means no timer");

    fadt_build(&t, 100, 0);
    EXPECT_PARSE(acpi_parse_fadt, &t, f, -ACPI_E_LENGTH, "FADT: length 100, shorter than the ACPI 1.0 FADT (116)");
}

/* Whole-boot paths: acpi_parse over synthetic machines with broken tables among good ones. */
static void test_parse_rejections(void)
{
    struct tb madt, mcfg, bad, dmar;
    struct tb *list[4] = {&madt, &mcfg, &bad, &dmar};
    struct machine m;
    struct acpi_env env;
    int rc;

    madt_begin(&madt);
    madt_lapic(&madt, 0, 0, ACPI_CPU_ENABLED);
    madt_lapic(&madt, 1, 1, ACPI_CPU_ENABLED);
    tb_finish(&madt);
    mcfg_begin(&mcfg);
    mcfg_window(&mcfg, 0xe0000000, 0, 0, 63);
    tb_finish(&mcfg);
    dmar_begin(&dmar, 0);
    dmar_drhd(&dmar, ACPI_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000, 0, 0);
    tb_finish(&dmar);

    /* Good XSDT machine with one table whose checksum is off by one. */
    mcfg_begin(&bad);
    tb_finish(&bad);
    memcpy(bad.b, "SRAT", 4);
    tb_finish(&bad);
    bad.b[20]++;
    build_machine(&m, list, 4);
    env = env_of(&m);
    log_clear();
    rc = acpi_parse_at(&env, m.rsdp, &info);
    CHECK_EQ_U64(rc, 0, "parse with one bad table");
    CHECK(info.xsdt_used, "XSDT used");
    CHECK_EQ_U64(info.rsdp_revision, 2, "RSDP v2");
    CHECK_EQ_U64(info.ntables, 4, "four listed");
    CHECK_EQ_U64(info.nrejected, 1, "one rejected");
    CHECK(logged("SRAT: bad checksum (bytes sum to 0x01)"), "%s", log_buf);
    CHECK(logged("ACPI: SRAT at 0x102000 failed validation, ignored"), "%s", log_buf);
    CHECK(!info.tables[2].valid && info.tables[0].valid, "valid flags");
    CHECK_EQ_U64(info.madt.ncpus, 2, "MADT still parsed");
    CHECK_EQ_U64(info.mcfg.nwindows, 1, "MCFG still parsed");
    CHECK(info.dmar.present && info.dmar.drhd[0].flags == ACPI_DRHD_INCLUDE_PCI_ALL, "DMAR");
    check_summary_line(acpi_summarize_tables,
                       "ACPI: RSDP rev 2 OEM \"EXTEST\", XSDT at 0x80000, 4 tables: APIC MCFG "
                       "SRAT(bad) DMAR, 1 rejected",
                       "summary marks the bad table");
    free_machine(&m);

    /* Bad checksum in the MADT itself: named, ignored, no CPUs reported. */
    madt.b[40] ^= 0x80;
    build_machine(&m, list, 2);
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
    CHECK(!info.madt.present && info.mcfg.present, "MADT ignored, MCFG kept");
    CHECK(logged("APIC: bad checksum") && logged("ACPI: APIC at 0x100000 failed validation"),
          "%s", log_buf);
    free_machine(&m);
    madt.b[40] ^= 0x80;

    /* Header length beyond the mapped memory (truncated table). */
    build_machine(&m, list, 2);
    m.r[0].len -= 10; /* the MADT's region ends 10 bytes early */
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
    CHECK(!info.madt.present, "truncated MADT ignored");
    CHECK(logged("ACPI: cannot map APIC at 0x100000 (60 bytes), ignored"), "%s", log_buf);
    free_machine(&m);

    /* Header length smaller than a header. */
    memcpy(madt.b + 4, &(uint32_t){20}, 4);
    build_machine(&m, list, 2);
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
    CHECK(logged("ACPI: APIC at 0x100000 has length 20, ignored"), "%s", log_buf);
    free_machine(&m);
    tb_finish(&madt);

    /* Structurally broken MADT with a valid checksum: parser rejects it by name. */
    madt.b[45] = 0; /* first entry's length -> 0 */
    tb_finish(&madt);
    build_machine(&m, list, 2);
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
    CHECK(!info.madt.present && info.nrejected == 1, "MADT rejected");
    CHECK(logged("ACPI: APIC at 0x100000 rejected, ignored"), "%s", log_buf);
    CHECK(!info.tables[0].valid, "marked invalid");
    free_machine(&m);
    madt.b[45] = 8;
    tb_finish(&madt);

    /* RSDP with a bad extended checksum: XSDT not trusted, RSDT used. */
    build_machine(&m, list, 2);
    m.r[m.n - 1].bytes[33] ^= 1;
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse via RSDT");
    CHECK(!info.xsdt_used && info.madt.ncpus == 2, "RSDT fallback works");
    CHECK(logged("RSDP: bad extended checksum, XSDT not trusted, using the RSDT"), "%s", log_buf);
    free_machine(&m);

    /* XSDT address pointing at garbage. */
    build_machine(&m, list, 2);
    memset(m.r[2].bytes, 0xa5, m.r[2].len); /* region 2 is the XSDT */
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse via RSDT");
    CHECK(!info.xsdt_used && info.madt.ncpus == 2, "fell back to RSDT");
    CHECK(logged("ACPI: ???? at 0x80000 has length 2779096485, ignored"), "%s", log_buf);
    CHECK(logged("ACPI: XSDT unusable, falling back to the RSDT"), "%s", log_buf);
    free_machine(&m);

    /* XSDT with a valid header whose entries point at garbage and at nothing. */
    {
        struct tb junk;
        struct tb *jl[1] = {&junk};
        memset(&junk, 0x5a, sizeof junk);
        junk.n = 64;
        build_machine(&m, jl, 1);
        env = env_of(&m);
        log_clear();
        CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
        CHECK_EQ_U64(info.nrejected, 1, "junk table rejected");
        CHECK(logged("ACPI: ZZZZ at 0x100000 has length 1515870810, ignored"), "%s", log_buf);
        free_machine(&m);
    }

    /* RSDP broken: nothing to parse. */
    build_machine(&m, list, 2);
    m.r[m.n - 1].bytes[8] ^= 1;
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), -ACPI_E_CHECKSUM, "bad RSDP checksum");
    CHECK(logged("RSDP: bad checksum over the first 20 bytes"), "%s", log_buf);
    CHECK_EQ_U64(acpi_parse(&env, "RSD PTX ", 8, &info), -ACPI_E_SIGNATURE, "bad signature");
    CHECK_EQ_U64(acpi_parse_at(&env, 0x12345000, &info), -ACPI_E_MAP, "unmapped RSDP");
    free_machine(&m);

    /* Both roots unusable. */
    build_machine(&m, list, 2);
    memset(m.r[2].bytes, 0, m.r[2].len);
    memset(m.r[3].bytes, 0, m.r[3].len);
    env = env_of(&m);
    log_clear();
    CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), -ACPI_E_NOTFOUND, "no root");
    CHECK(logged("ACPI: no usable RSDT or XSDT, no ACPI tables"), "%s", log_buf);
    free_machine(&m);

    /* Two MADTs: the first counts. */
    {
        struct tb *twice[2] = {&madt, &madt};
        build_machine(&m, twice, 2);
        env = env_of(&m);
        log_clear();
        CHECK_EQ_U64(acpi_parse_at(&env, m.rsdp, &info), 0, "parse");
        CHECK(logged("ACPI: second APIC at 0x101000 ignored"), "%s", log_buf);
        free_machine(&m);
    }
}

int main(void)
{
    test_qemu_seabios();
    test_qemu_ovmf();
    test_bochs();
    test_madt_malformed();
    test_madt_cpus();
    test_mcfg_malformed();
    test_dmar_malformed();
    test_dmar_scopes();
    test_fadt_variants();
    test_parse_rejections();
    test_s5_aml();
    return check_summary("acpi");
}
