/* libFuzzer harness: the guest ACPI tables (vmm/platform/acpi_tables.c, acpi_dsdt.c, aml.c)
 * built from any guest description (core count and APIC ids, PCI window, COM1) into a
 * buffer of any size at any base. It asserts:
 *  - the builder refuses exactly the descriptions guest_acpi_check refuses, a misaligned
 *    base, tables that would run past 2^64, and a buffer short of what the tables need, and
 *    otherwise uses exactly that much, the same whatever base or larger buffer it is given,
 *    writing nothing past what it uses;
 *  - RSDP, XSDT, FADT, MADT and DSDT: signatures, lengths inside the region, checksums, each
 *    16-byte aligned, no two overlapping, every pointer to a table inside the region;
 *  - the MADT lists exactly the guest's cores in order (read by hand and by the hypervisor's
 *    own firmware-table parser, drivers/acpi), the FADT is hardware-reduced;
 *  - the DSDT reads back (tests/unit/aml_reader.h) with \_S5, COM1 only when asked, and PCI0
 *    only when asked, whose memory descriptor gives the window's base, end and length.
 * Input: flags, core count, the PCI window's base and end, buffer size, base, APIC ids. */
#include <stdbool.h>

#include "drivers/acpi/acpi.h"
#include "fuzz_input.h"
#include "tests/unit/aml_reader.h"
#include "tests/unit/table_bytes.h"
#include "vmm/platform/acpi_tables.h"
#include "vmm/platform/pm.h"

#define BIG 0x10000

struct region {
    const uint8_t *buf;
    size_t len;
    uint64_t base;
    uint64_t start[5], end[5];  /* tables seen, for the overlap check */
    unsigned n;
};

/* The table at gpa with signature sig, checked; NULL only when the builder refused. */
static const uint8_t *table(struct region *r, uint64_t gpa, const char *sig)
{
    FUZZ_ASSERT(gpa >= r->base && gpa - r->base <= r->len && r->len - (gpa - r->base) >= 36,
                "%s at %#lx outside [%#lx, +%#zx)", sig, gpa, r->base, r->len);
    FUZZ_ASSERT(!(gpa % 16), "%s at %#lx not 16-byte aligned", sig, gpa);
    const uint8_t *t = r->buf + (gpa - r->base);
    uint32_t len = rd32(t + 4);
    FUZZ_ASSERT(!memcmp(t, sig, 4) && len >= 36 && len <= r->len - (gpa - r->base),
                "%s: signature %.4s, length %u", sig, (const char *)t, len);
    FUZZ_ASSERT(sum(t, len) == 0, "%s checksum", sig);
    for (unsigned i = 0; i < r->n; i++)
        FUZZ_ASSERT(gpa + len <= r->start[i] || gpa >= r->end[i], "%s overlaps another table", sig);
    r->start[r->n] = gpa;
    r->end[r->n++] = gpa + len;
    return t;
}

static struct region *mapped;
static const void *map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys < mapped->base || phys - mapped->base > mapped->len ||
        len > mapped->len - (phys - mapped->base))
        return NULL;
    return mapped->buf + (phys - mapped->base);
}

static unsigned reports;
static void report(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
    reports++;
}

static void check_madt(const struct guest_acpi_cfg *c, const uint8_t *m)
{
    FUZZ_ASSERT(rd32(m + 4) == 44 + 16 * c->ncpus && rd32(m + 36) == 0xfee00000u && !rd32(m + 40),
                "MADT header");
    for (uint32_t i = 0; i < c->ncpus; i++) {
        const uint8_t *e = m + 44 + 16 * i;
        FUZZ_ASSERT(e[0] == 9 && e[1] == 16 && rd32(e + 4) == c->apic_ids[i] && rd32(e + 8) == 1 &&
                        rd32(e + 12) == i,
                    "x2APIC entry %u", i);
    }
}

static void check_dsdt(const struct guest_acpi_cfg *c, const uint8_t *d)
{
    static struct aml_read r;
    memset(&r, 0, sizeof(r));
    read_terms(&r, d + 36, rd32(d + 4) - 36, "\\");
    FUZZ_ASSERT(!r.bad, "DSDT does not read back: %s", r.why);
    const struct aml_obj *s5 = find(&r, "\\_S5_");
    FUZZ_ASSERT(s5 && s5->kind == OBJ_PKG && s5->nelems == 4 && s5->elems[0] == PM_SLP_TYP_S5,
                "\\_S5");
    FUZZ_ASSERT(!find(&r, "\\_SB_.COM1._HID") == !c->com1, "COM1 present: %d", c->com1);
    const struct aml_obj *crs = find(&r, "\\_SB_.PCI0._CRS");
    FUZZ_ASSERT(!crs == !c->pci, "PCI0 present: %d", c->pci);
    if (!crs)
        return;
    FUZZ_ASSERT(crs->kind == OBJ_BUF && crs->len >= 2, "PCI0 _CRS");
    /* Walk the resource template to its end tag; find the memory descriptor. */
    const uint8_t *p = crs->data, *end = crs->data + crs->len;
    bool mem = false, tag_end = false;
    while (p < end && !tag_end) {
        size_t len;
        if (p[0] & 0x80) {
            FUZZ_ASSERT(end - p >= 3, "large descriptor cut off");
            len = 3 + rd16(p + 1);
        } else {
            len = 1 + (p[0] & 7);
        }
        FUZZ_ASSERT(len <= (size_t)(end - p), "descriptor %#x runs past _CRS", p[0]);
        if (p[0] == 0x87 || p[0] == 0x8a) {
            unsigned w = p[0] == 0x87 ? 4 : 8;
            FUZZ_ASSERT(len == 3 + 3 + 5 * w, "memory descriptor length %zu", len);
            uint64_t min = 0, max = 0, length = 0;
            memcpy(&min, p + 6 + w, w);
            memcpy(&max, p + 6 + 2 * w, w);
            memcpy(&length, p + 6 + 4 * w, w);
            FUZZ_ASSERT(min == c->pci_mmio_base && max == c->pci_mmio_end - 1 &&
                            length == c->pci_mmio_end - c->pci_mmio_base,
                        "memory window [%#lx, %#lx] length %#lx for [%#lx, %#lx)", min, max, length,
                        c->pci_mmio_base, c->pci_mmio_end);
            mem = true;
        }
        tag_end = p[0] == 0x79;
        p += len;
    }
    FUZZ_ASSERT(tag_end && p == end && mem, "_CRS: end tag %d at its end %d, memory %d", tag_end,
                p == end, mem);
}

static void check_tables(const struct guest_acpi_cfg *c, const uint8_t *buf, size_t len,
                         uint64_t base)
{
    struct region r = { .buf = buf, .len = len, .base = base };
    FUZZ_ASSERT(len >= 36 && !memcmp(buf, "RSD PTR ", 8) && sum(buf, 20) == 0 && sum(buf, 36) == 0 &&
                    buf[15] == 2 && rd32(buf + 20) == 36,
                "RSDP");
    r.start[0] = base;
    r.end[0] = base + 36;
    r.n = 1;
    const uint8_t *x = table(&r, rd64(buf + 24), "XSDT");
    FUZZ_ASSERT(rd32(x + 4) == 36 + 16, "XSDT lists %u bytes of entries", rd32(x + 4) - 36);
    const uint8_t *f = table(&r, rd64(x + 36), "FACP");
    const uint8_t *m = table(&r, rd64(x + 44), "APIC");
    FUZZ_ASSERT(rd32(f + 112) & (1u << 20), "FADT not hardware-reduced");
    const uint8_t *d = table(&r, rd64(f + 140), "DSDT");
    uint64_t last = 0;
    for (unsigned i = 0; i < r.n; i++)
        last = r.end[i] > last ? r.end[i] : last;
    FUZZ_ASSERT(last - base == len, "tables end at %#lx, %zu bytes used", last - base, len);
    check_madt(c, m);
    check_dsdt(c, d);

    static struct acpi_info info;
    memset(&info, 0, sizeof(info));
    mapped = &r;
    reports = 0;
    struct acpi_env env = { .map = map, .report = report };
    FUZZ_ASSERT(acpi_parse_at(&env, base, &info) == 0 && info.nrejected == 0 && !reports,
                "drivers/acpi: %u tables rejected, %u reports", info.nrejected, reports);
    FUZZ_ASSERT(info.madt.present && info.madt.ncpus == c->ncpus && info.fadt.hw_reduced &&
                    info.fadt.dsdt_valid,
                "drivers/acpi: MADT %u CPUs", info.madt.ncpus);
    for (uint32_t i = 0; i < c->ncpus; i++)
        FUZZ_ASSERT(info.madt.cpus[i].apic_id == c->apic_ids[i] && info.madt.cpus[i].uid == i,
                    "drivers/acpi: CPU %u", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    uint8_t flags = fuzz_u8(&in);
    struct guest_acpi_cfg c = { .ncpus = fuzz_u8(&in) % (ACPI_GUEST_MAX_CPUS + 2),
                                .pci = flags & 1, .com1 = flags & 2 };
    c.pci_mmio_base = fuzz_u64(&in);
    c.pci_mmio_end = fuzz_u64(&in);
    if (flags & 4) {
        /* Windows near the 4 GiB line, where the descriptor's width changes. */
        c.pci_mmio_base = (c.pci_mmio_base & 0xffffffffu) >> (c.pci_mmio_base >> 59);
        c.pci_mmio_end = (c.pci_mmio_end % 0x200000000ull) | (flags & 8 ? 0x100000000ull : 0);
    }
    size_t bufsize = fuzz_u16(&in) % (BIG + 1);
    uint64_t base = fuzz_u64(&in);
    if (flags & 16)
        base = (base & 0xfffff) << 4;   /* aligned, low */
    for (unsigned i = 0; i < ACPI_GUEST_MAX_CPUS; i++)
        c.apic_ids[i] = flags & 32 ? fuzz_u32(&in) : fuzz_u8(&in);

    uint64_t rsdp = 0;
    static uint8_t big[BIG];
    size_t need0 = guest_acpi_build(&c, big, sizeof(big), 0, &rsdp);
    bool valid = guest_acpi_check(&c) == NULL;
    FUZZ_ASSERT(!need0 == !valid, "built %zu bytes at 0; description valid %d", need0, valid);
    size_t need = guest_acpi_build(&c, big, sizeof(big), base, &rsdp);
    FUZZ_ASSERT(need == (base % 16 || base > UINT64_MAX - need0 ? 0 : need0),
                "built %zu bytes at %#lx, %zu at 0", need, base, need0);
    if (!need)
        return 0;
    FUZZ_ASSERT(rsdp == base && need <= sizeof(big), "RSDP at %#lx, %zu bytes", rsdp, need);
    check_tables(&c, big, need, base);

    /* The same description in a buffer of the input's size: all or nothing, and the same. */
    uint8_t *buf = malloc(bufsize ? bufsize : 1);
    memset(buf, 0xa5, bufsize);
    uint64_t rsdp2 = 0;
    size_t got = guest_acpi_build(&c, buf, bufsize, base, &rsdp2);
    FUZZ_ASSERT(got == (bufsize >= need ? need : 0), "%zu bytes in a %zu-byte buffer, %zu needed",
                got, bufsize, need);
    if (got) {
        FUZZ_ASSERT(!memcmp(buf, big, need), "a larger buffer gave other tables");
        for (size_t i = need; i < bufsize; i++)
            FUZZ_ASSERT(!buf[i], "byte %zu past the tables not cleared", i);
    }
    free(buf);
    return 0;
}
