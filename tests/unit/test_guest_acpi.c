/* Host tests of the guest ACPI builder (vmm/platform/acpi_tables.c, acpi_dsdt.c, aml.c):
 * checksums and lengths of every table, the MADT for 1/2/8 cores, the FADT's flags and
 * registers, the DSDT read back by a small AML reader of our own, and the tables read again
 * by the hypervisor's own firmware-table parser (drivers/acpi) as a second, independent
 * reader. With GUEST_ACPI_DUMP=dir it also writes the tables as files (for iasl). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml_reader.h"
#include "check.h"
#include "table_bytes.h"
#include "drivers/acpi/acpi.h"
#include "vmm/platform/acpi_tables.h"
#include "vmm/platform/aml.h"
#include "vmm/platform/pm.h"

#define BASE 0xe0000ull
#define BUF_SIZE 0x10000

struct built {
    uint8_t *buf;               /* exactly `len` bytes: ASan catches any read past them */
    size_t len;
    uint64_t rsdp;
};

static struct guest_acpi_cfg cfg_of(uint32_t ncpus, bool pci, bool com1)
{
    struct guest_acpi_cfg c = { .ncpus = ncpus, .pci = pci, .com1 = com1,
                                .pci_mmio_base = 0xc0000000ull, .pci_mmio_end = 0xd0000000ull };
    for (uint32_t i = 0; i < ncpus && i < ACPI_GUEST_MAX_CPUS; i++)
        c.apic_ids[i] = 2 * i + 1;      /* not the index: UID and id must not be confused */
    return c;
}

static struct built build(const struct guest_acpi_cfg *c)
{
    struct built b = { 0 };
    uint8_t *tmp = malloc(BUF_SIZE);
    b.len = guest_acpi_build(c, tmp, BUF_SIZE, BASE, &b.rsdp);
    b.buf = malloc(b.len ? b.len : 1);
    memcpy(b.buf, tmp, b.len);
    free(tmp);
    return b;
}

/* A table by guest-physical address, with its length checked against the buffer. */
static const uint8_t *table_at(const struct built *b, uint64_t gpa, const char *sig)
{
    if (gpa < BASE || gpa - BASE + 36 > b->len) {
        CHECK(false, "%s at %#llx is outside the tables", sig, (unsigned long long)gpa);
        return NULL;
    }
    const uint8_t *t = b->buf + (gpa - BASE);
    uint32_t len = rd32(t + 4);
    CHECK(memcmp(t, sig, 4) == 0, "signature %.4s, want %s", (const char *)t, sig);
    CHECK(len >= 36 && gpa - BASE + len <= b->len, "%s length %u", sig, len);
    if (len < 36 || gpa - BASE + len > b->len)
        return NULL;
    CHECK(sum(t, len) == 0, "%s checksum", sig);
    CHECK(memcmp(t + 10, "EXITLS", 6) == 0, "%s OEM id %.6s", sig, (const char *)t + 10);
    return t;
}

struct tables {
    const uint8_t *xsdt, *fadt, *madt, *dsdt;
};

static struct tables walk(const struct built *b)
{
    struct tables t = { 0 };
    const uint8_t *r = b->buf;
    CHECK_EQ_U64(b->rsdp, BASE, "RSDP at the base");
    CHECK(memcmp(r, "RSD PTR ", 8) == 0, "RSDP signature");
    CHECK(sum(r, 20) == 0, "RSDP checksum (first 20 bytes)");
    CHECK(sum(r, 36) == 0, "RSDP extended checksum");
    CHECK_EQ_U64(r[15], 2, "RSDP revision");
    CHECK_EQ_U64(rd32(r + 20), 36, "RSDP length");
    CHECK(memcmp(r + 9, "EXITLS", 6) == 0, "RSDP OEM id");
    t.xsdt = table_at(b, rd64(r + 24), "XSDT");
    if (!t.xsdt)
        return t;
    CHECK_EQ_U64(rd32(t.xsdt + 4), 36 + 16, "XSDT lists two tables");
    t.fadt = table_at(b, rd64(t.xsdt + 36), "FACP");
    t.madt = table_at(b, rd64(t.xsdt + 44), "APIC");
    if (t.fadt)
        t.dsdt = table_at(b, rd64(t.fadt + 140), "DSDT");
    return t;
}

static void test_madt(uint32_t ncpus)
{
    struct guest_acpi_cfg c = cfg_of(ncpus, true, true);
    struct built b = build(&c);
    CHECK(b.len, "%u cores: built", ncpus);
    struct tables t = walk(&b);
    if (!t.madt)
        goto out;
    CHECK_EQ_U64(rd32(t.madt + 4), 44 + 16 * ncpus, "MADT length");
    CHECK_EQ_U64(rd32(t.madt + 36), 0xfee00000u, "local APIC address");
    CHECK_EQ_U64(rd32(t.madt + 40), 0, "MADT flags: no PCAT_COMPAT");
    for (uint32_t i = 0; i < ncpus; i++) {
        const uint8_t *e = t.madt + 44 + 16 * i;
        CHECK(e[0] == 9 && e[1] == 16, "entry %u: type %u length %u, want x2APIC", i, e[0], e[1]);
        CHECK_EQ_U64(rd32(e + 4), 2 * i + 1, "x2APIC id");
        CHECK_EQ_U64(rd32(e + 8), 1, "enabled");
        CHECK_EQ_U64(rd32(e + 12), i, "ACPI processor UID = index");
    }
out:
    free(b.buf);
}

static void test_fadt(void)
{
    struct guest_acpi_cfg c = cfg_of(2, true, true);
    struct built b = build(&c);
    struct tables t = walk(&b);
    const uint8_t *f = t.fadt;
    if (!f)
        goto out;
    CHECK_EQ_U64(rd32(f + 4), 276, "FADT length (ACPI 6)");
    CHECK_EQ_U64(f[8], 6, "FADT revision");
    uint32_t flags = rd32(f + 112);
    CHECK(flags & (1u << 20), "HW_REDUCED_ACPI");
    CHECK(flags & (1u << 10), "RESET_REG_SUP");
    CHECK(flags & (1u << 19), "FORCE_APIC_PHYSICAL_DESTINATION_MODE");
    CHECK(flags & 1u, "WBINVD");
    CHECK_EQ_U64(rd32(f + 36), 0, "no FACS");
    CHECK_EQ_U64(rd64(f + 132), 0, "no X_FACS");
    CHECK_EQ_U64(rd32(f + 40), 0, "32-bit DSDT field empty (X_DSDT used)");
    CHECK_EQ_U64(rd16(f + 46), 0, "no SCI");
    CHECK_EQ_U64(rd32(f + 48), 0, "no SMI command port");
    CHECK_EQ_U64(rd32(f + 56) | rd32(f + 64) | rd32(f + 76) | rd32(f + 80), 0,
                 "no PM1a event/control, PM timer or GPE blocks");
    CHECK_EQ_U64(f[45], 4, "PM profile");
    uint16_t arch = (uint16_t)rd16(f + 109);
    CHECK(!(arch & 3), "no legacy devices, no 8042: %#x", arch);
    CHECK(!(arch & (1u << 3)), "MSI supported");
    CHECK_EQ_U64(f[131], 3, "FADT minor version");
    /* GAS: I/O space, 8 bits, offset 0, byte access, port. */
    static const struct { unsigned off; uint16_t port; const char *what; } regs[] = {
        { 116, PM_RESET_PORT, "RESET_REG" },
        { 244, PM_SLEEP_CONTROL_PORT, "SLEEP_CONTROL_REG" },
        { 256, PM_SLEEP_STATUS_PORT, "SLEEP_STATUS_REG" },
    };
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *g = f + regs[i].off;
        CHECK(g[0] == 1 && g[1] == 8 && g[2] == 0 && g[3] == 1, "%s: GAS %u/%u/%u/%u",
              regs[i].what, g[0], g[1], g[2], g[3]);
        CHECK_EQ_U64(rd64(g + 4), regs[i].port, regs[i].what);
    }
    CHECK_EQ_U64(f[128], PM_RESET_VALUE, "RESET_VALUE");
out:
    free(b.buf);
}

static uint64_t int_of(const struct aml_read *r, const char *path)
{
    const struct aml_obj *o = find(r, path);
    CHECK(o && o->kind == OBJ_INT, "%s: an integer", path);
    return o && o->kind == OBJ_INT ? o->value : 0xdeadbeef;
}

static struct aml_read read_dsdt(const uint8_t *dsdt)
{
    struct aml_read r = { 0 };
    read_terms(&r, dsdt + 36, rd32(dsdt + 4) - 36, "\\");
    CHECK(!r.bad, "AML reads back: %s", r.why);
    return r;
}

static void test_dsdt_full(void)
{
    struct guest_acpi_cfg c = cfg_of(1, true, true);
    c.pci_mmio_base = 0xe0000000ull;
    c.pci_mmio_end = 0xf0000000ull;
    struct built b = build(&c);
    struct tables t = walk(&b);
    if (!t.dsdt)
        goto out;
    CHECK_EQ_U64(t.dsdt[8], 2, "DSDT revision 2 (64-bit integers)");
    struct aml_read r = read_dsdt(t.dsdt);
    const struct aml_obj *s5 = find(&r, "\\_S5_");
    CHECK(s5 && s5->kind == OBJ_PKG && s5->nelems == 4, "\\_S5 is a 4-element package");
    if (s5 && s5->kind == OBJ_PKG)
        CHECK(s5->elems[0] == PM_SLP_TYP_S5 && !s5->elems[1] && !s5->elems[2] && !s5->elems[3],
              "\\_S5 = {%llu, %llu, ...}", (unsigned long long)s5->elems[0],
              (unsigned long long)s5->elems[1]);
    CHECK_EQ_U64(int_of(&r, "\\_SB_.COM1._HID"), 0x0105d041u, "COM1 _HID EISAID(PNP0501)");
    CHECK_EQ_U64(int_of(&r, "\\_SB_.COM1._UID"), 0, "COM1 _UID");
    const struct aml_obj *crs = find(&r, "\\_SB_.COM1._CRS");
    static const uint8_t com1_crs[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x79, 0x00 };
    CHECK(crs && crs->kind == OBJ_BUF && crs->len == sizeof(com1_crs) &&
              !memcmp(crs->data, com1_crs, sizeof(com1_crs)),
          "COM1 _CRS: IO(Decode16, 0x3F8, 0x3F8, 1, 8) and nothing else (no IRQ)");
    CHECK_EQ_U64(int_of(&r, "\\_SB_.PCI0._HID"), 0x030ad041u, "PCI0 _HID EISAID(PNP0A03)");
    CHECK_EQ_U64(int_of(&r, "\\_SB_.PCI0._UID"), 0, "PCI0 _UID");
    CHECK_EQ_U64(int_of(&r, "\\_SB_.PCI0._BBN"), 0, "PCI0 _BBN");
    CHECK_EQ_U64(int_of(&r, "\\_SB_.PCI0._SEG"), 0, "PCI0 _SEG");
    CHECK(!find(&r, "\\_SB_.PCI0._PRT") && !find(&r, "\\_SB_.PCI0._OSC"), "no _PRT, no _OSC");
    crs = find(&r, "\\_SB_.PCI0._CRS");
    CHECK(crs && crs->kind == OBJ_BUF && crs->len == 16 + 8 + 26 + 2, "PCI0 _CRS size %zu",
          crs ? crs->len : 0);
    if (crs && crs->kind == OBJ_BUF && crs->len == 52) {
        const uint8_t *d = crs->data;
        CHECK(d[0] == 0x88 && rd16(d + 1) == 13 && d[3] == 2 && d[4] == 0x0c, "WordBusNumber");
        CHECK(rd16(d + 8) == 0 && rd16(d + 10) == 0 && rd16(d + 14) == 1, "buses 0-0");
        static const uint8_t io[] = { 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08 };
        CHECK(!memcmp(d + 16, io, sizeof(io)), "IO(Decode16, 0xCF8, 0xCF8, 1, 8)");
        const uint8_t *m = d + 24;
        CHECK(m[0] == 0x87 && rd16(m + 1) == 23 && m[3] == 0 && m[4] == 0x0c && m[5] == 1,
              "DWordMemory producer, fixed, read-write");
        CHECK(rd32(m + 10) == 0xe0000000u && rd32(m + 14) == 0xefffffffu &&
                  rd32(m + 22) == 0x10000000u, "window [0xe0000000, 0xf0000000)");
        CHECK(d[50] == 0x79, "end tag");
    }
    /* The hypervisor's own \_S5 scan reads the same values. */
    uint8_t a = 0xff, bb = 0xff;
    CHECK(acpi_find_s5(t.dsdt, rd32(t.dsdt + 4), &a, &bb) == 0 && a == PM_SLP_TYP_S5 && bb == 0,
          "drivers/acpi finds \\_S5 = {%u, %u}", a, bb);
out:
    free(b.buf);
}

static void test_dsdt_minimal(void)
{
    struct guest_acpi_cfg c = cfg_of(1, false, false);
    struct built b = build(&c);
    struct tables t = walk(&b);
    if (t.dsdt) {
        struct aml_read r = read_dsdt(t.dsdt);
        CHECK(r.n == 1 && find(&r, "\\_S5_"), "only \\_S5 without PCI and COM1 (%u objects)", r.n);
    }
    free(b.buf);
    c = cfg_of(1, false, true);
    b = build(&c);
    t = walk(&b);
    if (t.dsdt) {
        struct aml_read r = read_dsdt(t.dsdt);
        CHECK(find(&r, "\\_SB_.COM1._HID") && !find(&r, "\\_SB_.PCI0._HID"), "COM1 only");
    }
    free(b.buf);
    /* A window above 4 GiB takes a QWord descriptor. */
    c = cfg_of(1, true, false);
    c.pci_mmio_base = 0x800000000ull;
    c.pci_mmio_end = 0x900000000ull;
    b = build(&c);
    t = walk(&b);
    if (t.dsdt) {
        struct aml_read r = read_dsdt(t.dsdt);
        const struct aml_obj *crs = find(&r, "\\_SB_.PCI0._CRS");
        CHECK(crs && crs->kind == OBJ_BUF && crs->len == 16 + 8 + 46 + 2 && crs->data[24] == 0x8a &&
                  rd64(crs->data + 24 + 14) == 0x800000000ull &&
                  rd64(crs->data + 24 + 22) == 0x8ffffffffull,
              "QWordMemory window above 4 GiB");
    }
    free(b.buf);
}

/* ---- the hypervisor's firmware-table parser reads what we built ---- */

static const struct built *mapped;
static unsigned reports;
static void report(void *ctx, const char *line)
{
    (void)ctx;
    reports++;
    fprintf(stderr, "  drivers/acpi: %s\n", line);
}

static const void *map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys < BASE || phys - BASE > mapped->len || len > mapped->len - (phys - BASE))
        return NULL;
    return mapped->buf + (phys - BASE);
}

static void test_second_reader(void)
{
    static struct acpi_info info;
    struct guest_acpi_cfg c = cfg_of(8, true, true);
    struct built b = build(&c);
    mapped = &b;
    struct acpi_env env = { .map = map, .report = report };
    CHECK(acpi_parse_at(&env, b.rsdp, &info) == 0, "drivers/acpi parses the guest tables");
    CHECK(info.xsdt_used && info.nrejected == 0 && info.ntables == 3 && reports == 0,
          "XSDT, 3 tables (FADT, MADT, DSDT), none rejected, nothing reported (%u tables, %u rejected)",
          info.ntables, info.nrejected);
    CHECK(!strcmp(info.oem_id, "EXITLS"), "OEM id %s", info.oem_id);
    CHECK(info.madt.present && info.madt.ncpus == 8 && !info.madt.pcat_compat &&
              info.madt.nioapics == 0 && info.madt.lapic_address == 0xfee00000u,
          "MADT: %u CPUs, %u IOAPICs", info.madt.ncpus, info.madt.nioapics);
    for (unsigned i = 0; i < info.madt.ncpus && i < 8; i++)
        CHECK(info.madt.cpus[i].apic_id == 2 * i + 1 && info.madt.cpus[i].uid == i &&
                  info.madt.cpus[i].from_x2apic, "CPU %u", i);
    CHECK(info.fadt.present && info.fadt.hw_reduced && info.fadt.reset_present &&
              info.fadt.reset_reg.space == ACPI_GAS_IO && info.fadt.reset_reg.address == PM_RESET_PORT &&
              info.fadt.reset_value == PM_RESET_VALUE && info.fadt.dsdt_valid &&
              !info.fadt.pm_timer_present && info.fadt.facs_phys == 0,
          "FADT: hardware-reduced, reset register, DSDT valid");
    free(b.buf);
}

static void test_refusals(void)
{
    struct guest_acpi_cfg c = cfg_of(2, true, true);
    uint8_t *buf = malloc(BUF_SIZE);
    uint64_t rsdp = 0;
    size_t need = guest_acpi_build(&c, buf, BUF_SIZE, BASE, &rsdp);
    CHECK(need > 0 && need < 1024, "two cores take %zu bytes", need);
    /* Every size short of what is needed: 0, and nothing written past the buffer (ASan). */
    unsigned bad = 0;
    for (size_t s = 0; s < need; s++) {
        uint8_t *small = malloc(s ? s : 1);
        if (guest_acpi_build(&c, small, s, BASE, &rsdp))
            bad++;
        free(small);
    }
    CHECK(bad == 0, "%u sizes below %zu were accepted", bad, need);
    CHECK(guest_acpi_build(&c, buf, need, BASE, &rsdp) == need, "exactly enough works");
    CHECK(guest_acpi_build(&c, buf, BUF_SIZE, BASE + 8, &rsdp) == 0, "unaligned base refused");
    /* Found by the fuzzer: tables placed so they run past 2^64 were built, their pointers
     * wrapped to low memory. */
    CHECK(guest_acpi_build(&c, buf, BUF_SIZE, 0ull - 0x100, &rsdp) == 0, "tables past 2^64 refused");
    CHECK(guest_acpi_build(&c, buf, BUF_SIZE, 0ull - 16 * ((need + 15) / 16), &rsdp) == need,
          "tables ending at 2^64 exactly: built");

    struct guest_acpi_cfg e = cfg_of(0, false, false);
    CHECK(guest_acpi_check(&e) && !guest_acpi_build(&e, buf, BUF_SIZE, BASE, &rsdp), "no cores");
    e = cfg_of(ACPI_GUEST_MAX_CPUS + 1, false, false);
    CHECK(guest_acpi_check(&e) != NULL, "too many cores");
    e = cfg_of(2, false, false);
    e.apic_ids[1] = e.apic_ids[0];
    CHECK(guest_acpi_check(&e) != NULL, "duplicate APIC id");
    e.apic_ids[1] = 0xffffffffu;
    CHECK(guest_acpi_check(&e) != NULL, "APIC id 0xffffffff");
    e = cfg_of(1, true, false);
    e.pci_mmio_end = e.pci_mmio_base;
    CHECK(guest_acpi_check(&e) != NULL && !guest_acpi_build(&e, buf, BUF_SIZE, BASE, &rsdp),
          "empty PCI window");
    e.pci = false;
    CHECK(guest_acpi_check(&e) == NULL, "the window is not looked at without PCI");
    e = cfg_of(1, false, false);
    e.uart_on_pci = true;
    CHECK(guest_acpi_check(&e) != NULL, "the UART on PCI without a PCI root");
    e = cfg_of(1, true, true);
    e.uart_on_pci = true;
    CHECK(guest_acpi_check(&e) != NULL, "the UART both on PCI and as COM1");
    free(buf);
}

/* A Linux guest's UART is a PCI function: no COM1, its ports in PCI0's window. */
static void test_dsdt_uart_on_pci(void)
{
    struct guest_acpi_cfg c = cfg_of(1, true, false);
    c.uart_on_pci = true;
    c.pci_mmio_base = 0xe0000000ull;
    c.pci_mmio_end = 0xf0000000ull;
    struct built b = build(&c);
    struct tables t = walk(&b);
    if (t.dsdt) {
        struct aml_read r = read_dsdt(t.dsdt);
        CHECK(!find(&r, "\\_SB_.COM1._HID"), "no COM1 device");
        const struct aml_obj *crs = find(&r, "\\_SB_.PCI0._CRS");
        CHECK(crs && crs->kind == OBJ_BUF && crs->len == 16 + 8 + 26 + 8 + 2, "PCI0 _CRS size %zu",
              crs ? crs->len : 0);
        static const uint8_t io[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x79 };
        if (crs && crs->kind == OBJ_BUF && crs->len == 60)
            CHECK(!memcmp(crs->data + 50, io, sizeof(io)),
                  "IO(Decode16, 0x3F8, 0x3F8, 1, 8) after the memory window, then the end tag");
    }
    free(b.buf);
}

/* ---- the emitter on its own: PkgLength encodings of every width ---- */
static void test_aml_pkglen(void)
{
    static uint8_t buf[0x20000];
    static const size_t sizes[] = { 0, 1, 61, 62, 63, 64, 4093, 4094, 4095, 5000, 0x10000 };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct aml a;
        aml_init(&a, buf, sizeof(buf));
        aml_name(&a, "BUF_");
        aml_buffer_open(&a);
        for (size_t k = 0; k < sizes[i]; k++)
            aml_byte(&a, (uint8_t)k);
        aml_close(&a);
        struct aml_read r = { 0 };
        read_terms(&r, buf, a.len, "\\");
        const struct aml_obj *o = find(&r, "\\BUF_");
        CHECK(!a.overflow && !r.bad && o && o->kind == OBJ_BUF && o->len == sizes[i] &&
                  (!sizes[i] || o->data[sizes[i] - 1] == (uint8_t)(sizes[i] - 1)),
              "buffer of %zu bytes reads back (%s)", sizes[i], r.why);
    }
    struct aml a;
    uint8_t tiny[8];
    aml_init(&a, tiny, sizeof(tiny));
    aml_name_integer(&a, "ABCD", 0x123456789ull);
    CHECK(a.overflow && a.len <= sizeof(tiny), "overflow is remembered, nothing written past");
    aml_init(&a, buf, sizeof(buf));
    aml_name_integer(&a, "abcd", 1);
    CHECK(a.overflow, "a lower-case NameSeg is refused");
    aml_init(&a, buf, sizeof(buf));
    aml_close(&a);
    CHECK(a.overflow, "closing nothing is refused");
    uint32_t id;
    CHECK(aml_eisaid(&id, "PNP0A03") && id == 0x030ad041u, "EISAID(PNP0A03) = %#x", id);
    CHECK(!aml_eisaid(&id, "PNP0A0") && !aml_eisaid(&id, "pnp0A03") && !aml_eisaid(&id, "PNP0G03"),
          "malformed EISA ids refused");
}

/* Found by the fuzzer: a window of exactly the first 4 GiB fits DWord addresses but not a
 * DWord length (2^32 became 0); it takes a QWord descriptor, like any larger window. */
static void test_aml_memory_width(void)
{
    static const struct { uint64_t min, max; unsigned tag; } cases[] = {
        { 0, 0xfffffffeu, 0x87 },               /* length 0xffffffff: still DWord */
        { 0, 0xffffffffu, 0x8a },               /* length 2^32 */
        { 0xc0000000u, 0xfebfffffu, 0x87 },
        { 0x100000000ull, 0x1ffffffffull, 0x8a },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[64];
        struct aml a;
        aml_init(&a, buf, sizeof(buf));
        aml_res_memory(&a, cases[i].min, cases[i].max);
        unsigned w = cases[i].tag == 0x87 ? 4 : 8;
        uint64_t len = 0;
        memcpy(&len, buf + 6 + 4 * w, w);
        CHECK(!a.overflow && buf[0] == cases[i].tag && len == cases[i].max - cases[i].min + 1,
              "window %#llx-%#llx: tag %#x, length %#llx", (unsigned long long)cases[i].min,
              (unsigned long long)cases[i].max, buf[0], (unsigned long long)len);
    }
}

/* GUEST_ACPI_DUMP=dir: the tables of a two-core guest with PCI and COM1 as files. */
static void dump(const char *dir)
{
    struct guest_acpi_cfg c = cfg_of(2, true, true);
    struct built b = build(&c);
    struct tables t = walk(&b);
    const uint8_t *tabs[] = { t.xsdt, t.fadt, t.madt, t.dsdt };
    const char *names[] = { "xsdt", "facp", "apic", "dsdt" };
    for (int i = 0; i < 4; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.dat", dir, names[i]);
        FILE *f = tabs[i] ? fopen(path, "wb") : NULL;
        CHECK(f && fwrite(tabs[i], rd32(tabs[i] + 4), 1, f) == 1, "write %s", path);
        if (f)
            fclose(f);
    }
    free(b.buf);
}

int main(void)
{
    const char *dir = getenv("GUEST_ACPI_DUMP");
    if (dir) {
        dump(dir);
        return check_summary("guest_acpi dump");
    }
    test_madt(1);
    test_madt(2);
    test_madt(8);
    test_fadt();
    test_aml_memory_width();
    test_dsdt_full();
    test_dsdt_minimal();
    test_dsdt_uart_on_pci();
    test_second_reader();
    test_refusals();
    test_aml_pkglen();
    return check_summary("guest_acpi");
}
