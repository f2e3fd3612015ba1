/* libFuzzer harness: a guest's view of an assigned function (vmm/vpci/vpci_cfg.c) and its
 * MSI-X table (vmm/vpci/vpci_msix_apply.c, vpci_msix_check.c) on a device whose whole
 * configuration space comes from the input, driven by a sequence of guest configuration
 * reads and writes and MSI-X table writes. After every step it asserts what the guest may
 * and may not see or change:
 *  - nothing the hypervisor placed moves (BARs, capabilities, identity, INTx routing);
 *  - BARs read as their guest address (aligned to their size) or, while sized, their mask;
 *  - the capability list the guest walks is the shown capabilities, in order, each once,
 *    not overlapping, one MSI-X at most, and every byte outside them and the header reads
 *    zero;
 *  - reads outside the space or of a bad size or alignment read all-ones;
 *  - a device entry is unmasked only when MSI-X is on, the guest's entry is unmasked and it
 *    passes the interrupt-message rules (checked here from the SDM, independently), with
 *    the vector and destination the guest wrote; and every such entry is programmed.
 * Input: mode and cores, six BAR sizes, 256 bytes of host configuration space, then steps
 * of 8 bytes (kind, a, b, value). */
#include <stdbool.h>

#include "drivers/pci/pci.h"
#include "fuzz_input.h"
#include "kernel/vectors.h"
#include "vmm/vpci/vpci.h"

#define MAX_STEPS 48
#define HEADER_END 0x40
#define SUBSYSTEM_IDS 0x2c
#define CAP_SPAN_PM 8       /* PCI PM 1.2, 3.2: the PM registers */
#define CAP_SPAN_EXP 0x3c   /* PCIe 3.0, 7.8: the capability structure, version 2 */
#define CAP_SPAN_MSIX 12    /* PCI 3.0, 6.8.2: header, table and PBA offsets */
#define COMMAND_GUEST (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF)

enum step { STEP_READ, STEP_WRITE, STEP_TABLE, STEP_FAIL_NEXT, STEP_KINDS };

struct dev_entry {
    bool unmasked;
    uint8_t vector;
    uint32_t apic;
};

struct world {
    uint8_t space[256];
    struct vpci_fn f, fixed;        /* fixed: the fields no guest access may change */
    struct vpci_msix_entry table[VPCI_MSIX_MAX];
    struct dev_entry dev[VPCI_MSIX_MAX];
    bool failed[VPCI_MSIX_MAX];     /* the last program of this entry was made to fail */
    bool fail_next;
    uint32_t apics[4];
    unsigned napic;
    enum intr_mode mode;
    uint32_t refused_calls;
};

static struct world w;

static uint32_t host32(uint16_t off)
{
    uint32_t v;
    memcpy(&v, w.space + (off & 0xfc), 4);
    return v;
}

static uint32_t fake_read32(const struct vpci_fn *f, uint16_t off)
{
    (void)f;
    FUZZ_ASSERT(off < 256 && !(off & 3), "host read at %#x", off);
    return host32(off);
}

static const struct vpci_host_ops fake_ops = { fake_read32 };

static void op_mask(void *ctx, struct vpci_fn *f, unsigned i)
{
    (void)ctx;
    FUZZ_ASSERT(f == &w.f && i < f->msix_nvec, "mask of entry %u of %u", i, f->msix_nvec);
    w.dev[i].unmasked = false;
}

static int op_program(void *ctx, struct vpci_fn *f, unsigned i, uint8_t vector, uint32_t apic)
{
    (void)ctx;
    FUZZ_ASSERT(f == &w.f && i < f->msix_nvec, "program of entry %u of %u", i, f->msix_nvec);
    w.failed[i] = w.fail_next;
    if (w.fail_next) {
        w.fail_next = false;
        w.dev[i].unmasked = false;
        return -1;
    }
    w.dev[i] = (struct dev_entry){ true, vector, apic };
    return 0;
}

static void op_refused(void *ctx, const struct vpci_fn *f, unsigned i,
                       const struct vpci_msix_entry *e, const char *why)
{
    (void)ctx;
    (void)e;
    FUZZ_ASSERT(f == &w.f && i < f->msix_nvec && why && why[0], "refusal of entry %u", i);
    w.refused_calls++;
}

static const struct vpci_msix_ops msix_ops = { NULL, op_mask, op_program, op_refused };

/* The interrupt-message rules (SDM vol. 3 11.11.1, 11.11.2) and the vector ranges a guest owns
 * (exitless: 0x20-0xff; injected: the guest range of kernel/vectors.h): may the guest's entry
 * reach a core? Written here from the SDM, apart from vpci_msix_check. */
static bool message_ok(const struct vpci_msix_entry *e, uint8_t *vector, uint32_t *apic)
{
    uint32_t dest = (e->addr_lo >> 12) & 0xff, delivery = (e->data >> 8) & 7;
    uint8_t vec = (uint8_t)e->data;
    bool owned = w.mode == INTR_EXITLESS ? vec >= 0x20 : vec >= VEC_GUEST_FIRST && vec <= VEC_GUEST_LAST;
    if (e->addr_hi || (e->addr_lo >> 20) != 0xfee || (e->addr_lo & 4) || delivery > 1 ||
        (e->data & 0x8000) || !owned)
        return false;
    for (unsigned k = 0; k < w.napic; k++)
        if (w.apics[k] == dest) {
            *vector = vec;
            *apic = dest;
            return true;
        }
    return false;
}

static unsigned span_of(uint8_t id)
{
    switch (id) {
    case 0x01: return CAP_SPAN_PM;
    case PCI_CAP_ID_EXP: return CAP_SPAN_EXP;
    case PCI_CAP_ID_MSIX: return CAP_SPAN_MSIX;
    default: return 0;
    }
}

/* The shown capability covering `off`, or -1. */
static int shown_cap(const struct vpci_fn *f, unsigned off)
{
    for (unsigned c = 0; c < f->ncaps; c++)
        if (off >= f->caps[c] && off < f->caps[c] + span_of(w.space[f->caps[c]]))
            return (int)c;
    return -1;
}

static void check_caps(const struct vpci_fn *f)
{
    FUZZ_ASSERT(f->ncaps <= VPCI_MAX_CAPS, "%u capabilities", f->ncaps);
    for (unsigned c = 0; c < f->ncaps; c++) {
        unsigned off = f->caps[c], span = span_of(w.space[off]);
        FUZZ_ASSERT(off >= HEADER_END && !(off & 3) && span && off + span <= 256,
                    "capability %u at %#x (id %#x)", c, off, w.space[off]);
        for (unsigned d = 0; d < c; d++) {
            unsigned o = f->caps[d], s = span_of(w.space[o]);
            FUZZ_ASSERT(off + span <= o || o + s <= off,
                        "shown capabilities at %#x and %#x overlap", o, off);
        }
        /* The one MSI-X capability shown is the shadowed one: the device's own control
         * bits and table are never the guest's to read. */
        FUZZ_ASSERT(w.space[off] != PCI_CAP_ID_MSIX || off == f->msix_cap,
                    "a second MSI-X capability at %#x is shown", off);
    }
    /* What a guest's capability walk finds. */
    unsigned p = vpci_cfg_read(&w.f, PCI_CAP_PTR, 1);
    for (unsigned k = 0; k < f->ncaps; k++) {
        FUZZ_ASSERT(p == f->caps[k], "walk step %u reaches %#x, want %#x", k, p, f->caps[k]);
        p = vpci_cfg_read(&w.f, (uint16_t)(p + 1), 1);
    }
    FUZZ_ASSERT(p == 0, "capability list does not end after %u entries (next %#x)", f->ncaps, p);
    if (f->msix_cap) {
        FUZZ_ASSERT(shown_cap(f, f->msix_cap) >= 0 && w.space[f->msix_cap] == PCI_CAP_ID_MSIX,
                    "MSI-X at %#x not a shown MSI-X capability", f->msix_cap);
        /* vpci_msix_setup reads the table's BAR as bar[msix_bir]. */
        FUZZ_ASSERT(f->msix_bir < VPCI_NUM_BARS, "MSI-X table in BAR %u", f->msix_bir);
        uint32_t size = ((host32(f->msix_cap) >> 16) & PCI_MSIX_CTRL_SIZE_MASK) + 1;
        FUZZ_ASSERT(f->msix_nvec == (size < VPCI_MSIX_MAX ? size : VPCI_MSIX_MAX),
                    "%u entries shown of %u", f->msix_nvec, size);
    }
}

static bool upper_half(const struct vpci_fn *f, unsigned i)
{
    return i > 0 && f->bar[i - 1].size && f->bar[i - 1].is64;
}

static void check_bar(const struct vpci_fn *f, unsigned i, uint32_t v)
{
    bool sizing = f->bar_sizing & (1u << i);
    if (upper_half(f, i)) {
        const struct vpci_bar *b = &f->bar[i - 1];
        uint32_t want = sizing ? (uint32_t)(~(b->size - 1) >> 32) : (uint32_t)(b->gpa >> 32);
        FUZZ_ASSERT(v == want, "BAR%u upper half %#x, want %#x", i, v, want);
        return;
    }
    const struct vpci_bar *b = &f->bar[i];
    if (!b->size) {
        FUZZ_ASSERT(v == 0 && !sizing, "absent BAR%u reads %#x", i, v);
        return;
    }
    uint32_t flags = (b->is64 ? PCI_BAR_MEM_64 : 0) | (b->prefetch ? PCI_BAR_PREFETCH : 0);
    FUZZ_ASSERT((v & 0xf) == flags, "BAR%u flags %#x, want %#x", i, v & 0xf, flags);
    uint32_t addr = v & PCI_BAR_MEM_MASK;
    if (sizing)
        FUZZ_ASSERT(addr == ((uint32_t)~(b->size - 1) & PCI_BAR_MEM_MASK), "BAR%u mask %#x", i, v);
    else
        FUZZ_ASSERT(addr == ((uint32_t)b->gpa & PCI_BAR_MEM_MASK) &&
                        (addr & (uint32_t)(b->size - 1)) == 0,
                    "BAR%u reads %#x for %#lx+%#lx", i, v, b->gpa, b->size);
}

/* The dword at `off` as the guest must see it. */
static void check_dword(const struct vpci_fn *f, uint16_t off)
{
    uint32_t v = vpci_cfg_read(&w.f, off, 4);
    if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * VPCI_NUM_BARS) {
        check_bar(f, (off - PCI_BAR0) / 4u, v);
        return;
    }
    switch (off) {
    case PCI_VENDOR_ID:
        FUZZ_ASSERT(v == ((uint32_t)f->device << 16 | f->vendor), "ids %#x", v);
        return;
    case PCI_COMMAND:
        FUZZ_ASSERT((v & 0xffff) == f->command && !(f->command & ~COMMAND_GUEST),
                    "command %#x", v & 0xffff);
        FUZZ_ASSERT(!!(v & (PCI_STATUS_CAP_LIST << 16)) == (f->ncaps > 0), "status %#x", v >> 16);
        return;
    case PCI_CLASS_REV: case SUBSYSTEM_IDS:
        FUZZ_ASSERT(v == host32(off), "%#x reads %#x", off, v);
        return;
    case 0x0c:
        FUZZ_ASSERT(v == (host32(off) & 0xffff), "header type/BIST %#x", v);
        return;
    case PCI_CAP_PTR:
        FUZZ_ASSERT(v == (f->ncaps ? f->caps[0] : 0u), "capability pointer %#x", v);
        return;
    case 0x3c:
        FUZZ_ASSERT(v == (f->irq_pin ? (uint32_t)f->irq_pin << 8 | f->irq_vector : 0),
                    "interrupt pin/line %#x", v);
        return;
    }
    if (off < HEADER_END) {
        FUZZ_ASSERT(v == 0, "reserved header dword %#x reads %#x", off, v);
        return;
    }
    int c = shown_cap(f, off);
    if (c < 0) {
        FUZZ_ASSERT(v == 0, "hidden dword %#x reads %#x", off, v);
        return;
    }
    if (off != f->caps[c]) {
        FUZZ_ASSERT(v == host32(off), "capability dword %#x reads %#x", off, v);
        return;
    }
    uint32_t next = (unsigned)c + 1 < f->ncaps ? f->caps[c + 1] : 0;
    uint32_t upper = off == f->msix_cap ? (uint32_t)(f->msix_ctrl | (f->msix_nvec - 1u))
                                        : host32(off) >> 16;
    FUZZ_ASSERT(v == (upper << 16 | next << 8 | w.space[off]), "capability header %#x reads %#x",
                off, v);
    if (off == f->msix_cap)
        FUZZ_ASSERT(!(f->msix_ctrl & ~(PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL)),
                    "MSI-X control %#x", f->msix_ctrl);
}

/* Fields no guest access changes (only command, bar_sizing and MSI-X state may). */
static void check_fixed(const struct vpci_fn *f)
{
    struct vpci_fn a = *f;
    a.command = w.fixed.command;
    a.bar_sizing = w.fixed.bar_sizing;
    a.msix_ctrl = w.fixed.msix_ctrl;
    memcpy(a.msix_applied, w.fixed.msix_applied, sizeof(a.msix_applied));
    a.msix_live = w.fixed.msix_live;
    a.msix_refused = w.fixed.msix_refused;
    a.msix_denied = w.fixed.msix_denied;
    FUZZ_ASSERT(!memcmp(&a, &w.fixed, sizeof(a)), "a guest access changed fixed state");
    for (unsigned i = 0; i < VPCI_NUM_BARS; i++)
        FUZZ_ASSERT(!(f->bar_sizing & (1u << i)) || f->bar[i].size || upper_half(f, i),
                    "sizing bit of absent BAR%u", i);
}

static void check_msix(const struct vpci_fn *f)
{
    bool on = (f->msix_ctrl & PCI_MSIX_CTRL_ENABLE) && !(f->msix_ctrl & PCI_MSIX_CTRL_MASKALL);
    FUZZ_ASSERT(f->msix_refused == w.refused_calls, "refused %u, reported %u", f->msix_refused,
                w.refused_calls);
    uint32_t entries = f->msix_nvec >= 32 ? ~0u : (1u << f->msix_nvec) - 1;
    FUZZ_ASSERT(!(f->msix_live & ~entries), "live bits %#x past %u entries", f->msix_live,
                f->msix_nvec);
    for (unsigned i = 0; i < f->msix_nvec; i++) {
        const struct vpci_msix_entry *e = &w.table[i];
        uint8_t vec = 0;
        uint32_t apic = 0;
        bool ok = message_ok(e, &vec, &apic);
        bool want = on && !(e->ctrl & PCI_MSIX_ENTRY_MASKED) && ok;
        const struct dev_entry *d = &w.dev[i];
        FUZZ_ASSERT(!!(f->msix_live & (1u << i)) == d->unmasked, "entry %u live bit", i);
        if (d->unmasked)
            FUZZ_ASSERT(want && d->vector == vec && d->apic == apic,
                        "entry %u unmasked on the device (vector %#x, APIC %u) but the guest's "
                        "entry is %#x:%08x %#x ctrl %#x", i, d->vector, d->apic, e->addr_hi,
                        e->addr_lo, e->data, e->ctrl);
        else if (!w.failed[i])
            FUZZ_ASSERT(!want, "entry %u allowed (vector %#x, APIC %u) but left masked", i, vec,
                        apic);
    }
}

static void check_all(void)
{
    const struct vpci_fn *f = &w.f;
    check_fixed(f);
    check_caps(f);
    for (uint16_t off = 0; off < 256; off += 4)
        check_dword(f, off);
    if (f->msix_cap)
        check_msix(f);
}

static void apply(void)
{
    if (w.f.msix_cap)
        vpci_msix_apply(&w.f, w.table, w.apics, w.napic, w.mode, &msix_ops);
}

/* One guest access; true when it may have changed state. */
static bool step(struct fuzz_in *in)
{
    uint8_t kind = fuzz_u8(in), a = fuzz_u8(in);
    uint16_t b = fuzz_u16(in);
    uint32_t val = fuzz_u32(in);
    uint16_t off = b & 0x1ff;
    unsigned size = a & 7;
    switch (kind % STEP_KINDS) {
    case STEP_READ: {
        uint32_t v = vpci_cfg_read(&w.f, off, size);
        bool bad = off >= 0x100 || (size != 1 && size != 2 && size != 4) || (off & (size - 1));
        uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
        if (bad)
            FUZZ_ASSERT(v == ones, "bad read %#x/%u returns %#x", off, size, v);
        else
            FUZZ_ASSERT(v == (vpci_cfg_read(&w.f, off & 0xfc, 4) >> (8 * (off & 3)) & ones),
                        "read %#x/%u returns %#x, not its part of the dword", off, size, v);
        return false;
    }
    case STEP_WRITE: {
        unsigned fx = vpci_cfg_write(&w.f, off, size, val);
        FUZZ_ASSERT(!(fx & ~(VPCI_FX_COMMAND | VPCI_FX_MSIX_CTRL | VPCI_FX_BAR_MOVE)),
                    "effects %#x", fx);
        if (fx & VPCI_FX_MSIX_CTRL) {
            FUZZ_ASSERT(w.f.msix_cap, "MSI-X control effect without MSI-X");
            apply();
        }
        break;
    }
    case STEP_TABLE:
        /* A guest write into the shadow page, then the re-check its single step ends with;
         * words past the function's entries are in the page but not the table. */
        if (w.f.msix_cap) {
            uint32_t *words = (uint32_t *)&w.table[a % VPCI_MSIX_MAX];
            words[b & 3] = val;
            apply();
        }
        break;
    case STEP_FAIL_NEXT:
        w.fail_next = true;
        return false;
    }
    return true;
}

/* The function as vpci.c's add_fn builds it: BARs placed in the MMIO window in order, each
 * aligned to its size; a 64-bit BAR takes the next slot as its upper half. */
static bool setup(struct fuzz_in *in)
{
    uint8_t cfg = fuzz_u8(in);
    w.mode = cfg & 1 ? INTR_EXITLESS : INTR_INJECTED;
    w.napic = 1 + ((cfg >> 1) & 3);
    for (unsigned k = 0; k < w.napic; k++)
        w.apics[k] = (uint32_t)(k * 5 + (cfg >> 3)) & 0xff;
    uint8_t bars[VPCI_NUM_BARS];
    fuzz_bytes(in, bars, sizeof(bars));
    fuzz_bytes(in, w.space, sizeof(w.space));

    struct vpci_fn *f = &w.f;
    f->host = &fake_ops;
    f->vendor = (uint16_t)host32(0);
    f->device = (uint16_t)(host32(0) >> 16);
    for (unsigned i = 0; i < VPCI_MSIX_MAX; i++)
        f->msix_irte[i] = -1;
    uint64_t next = VPCI_MMIO_BASE;
    for (unsigned i = 0; i < VPCI_NUM_BARS; i++) {
        if (!bars[i] || upper_half(f, i))
            continue;
        uint64_t size = 1ull << (12 + (bars[i] & 15));
        uint64_t gpa = (next + size - 1) & ~(size - 1);
        if (gpa + size > VPCI_MMIO_END)
            return false;   /* vpci_setup refuses the guest */
        f->bar[i] = (struct vpci_bar){ .hpa = 0xf0000000ull + gpa, .gpa = gpa, .size = size,
                                       .is64 = (bars[i] & 0x40) && i + 1 < VPCI_NUM_BARS,
                                       .prefetch = bars[i] & 0x20 };
        next = gpa + size;
    }
    vpci_cfg_filter_caps(f);
    if (f->msix_cap) {
        FUZZ_ASSERT(f->msix_bir < VPCI_NUM_BARS, "MSI-X table in BAR %u", f->msix_bir);
        /* vpci_msix_setup: the table must lie in a BAR the guest sees. */
        const struct vpci_bar *b = &f->bar[f->msix_bir];
        if (!b->size || f->msix_table_off + (uint64_t)f->msix_nvec * PCI_MSIX_ENTRY_SIZE > b->size)
            return false;
        for (unsigned i = 0; i < VPCI_MSIX_MAX; i++) {
            w.table[i].ctrl = PCI_MSIX_ENTRY_MASKED;
            f->msix_applied[i].ctrl = PCI_MSIX_ENTRY_MASKED;
        }
    } else {
        uint8_t pin = w.space[0x3d];
        if (pin >= 1 && pin <= 4) {
            f->irq_pin = pin;
            f->irq_vector = VPCI_INTX_VECTOR_BASE;
        }
    }
    w.fixed = *f;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    memset(&w, 0, sizeof(w));
    if (!setup(&in))
        return 0;
    check_all();
    for (unsigned n = 0; n < MAX_STEPS && fuzz_left(&in); n++)
        if (step(&in))
            check_all();
    return 0;
}
