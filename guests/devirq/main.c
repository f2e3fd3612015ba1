/* devirq: an assigned PCI function (Bochs's e1000, or an 82576 VF) through the guest's
 * virtual PCI. For the e1000:
 * Finds the host bridge and the device through ports 0xCF8/0xCFC, checks what the header
 * shows and hides, sizes and maps BAR0, reads device registers (the MAC the device loaded
 * from its EEPROM, given on the command line as mac=xx:xx:xx:xx:xx:xx), then raises N
 * interrupts through the device's interrupt cause set register and takes each on the vector
 * the interrupt line register names. Exitless mode: none of them costs an exit. Injected
 * (command line "mode=injected"): each costs the external-interrupt exit and a trapped EOI.
 * For a VF (nested KVM, servers): the same through MSI-X, see vf_checks(). */
#include "guest.h"

#define N 50
#define MSR_EOI 0x80b
#define EXIT_EXCEPTION HC_EXIT_EXCEPTION
#define EXIT_EXTINT HC_EXIT_EXTINT
#define EXIT_WINDOW HC_EXIT_INTR_WINDOW
#define EXIT_WRMSR HC_EXIT_MSR_WRITE
#define EXIT_EPT_VIOLATION HC_EXIT_GPA
#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e
#define IGBVF_DEVICE 0x10ca         /* 82576 virtual function */
/* 82576 VF registers (82576 datasheet 8.28): extended interrupt cause set/mask/auto-clear. */
#define VF_STATUS  0x0008
#define VF_EICS    0x1520
#define VF_EIMS    0x1524
#define VF_EIMC    0x1528
#define VF_EIAC    0x152c
#define VF_EICR    0x1580
#define VEC_VF     0x50
#define VEC_VF_BAD 0x51
/* 8254x registers (PCI/PCI-X family developer's manual, 13.4). */
#define REG_STATUS 0x0008
#define REG_EERD   0x0014
#define  EERD_START (1u << 0)
#define  EERD_DONE  (1u << 4)
#define  EERD_ADDR_SHIFT 8
#define  EERD_DATA_SHIFT 16
#define REG_ICR    0x00c0
#define REG_ICS    0x00c8
#define REG_IMS    0x00d0
#define REG_IMC    0x00d8
#define REG_RAL0   0x5400
#define REG_RAH0   0x5404
#define  RAH_AV    (1u << 31)
#define ICR_TXDW   (1u << 0)

static volatile uint64_t dev_irqs, stray_irqs;
static volatile uint32_t last_icr;
static volatile uint64_t raised_at, lat_sum, lat_min = ~0ull;
static volatile uint8_t *bar0;
static struct hc_exit_stats s0, s1;
static bool injected;

static uint32_t cfg_read(unsigned dev, unsigned bus, uint8_t off)
{
    outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | off);
    return inl(0xcfc);
}
static void cfg_write(unsigned dev, uint8_t off, uint32_t v)
{
    outl(0xcf8, 0x80000000u | dev << 11 | off);
    outl(0xcfc, v);
}
static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(bar0 + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(bar0 + off) = v; }
static uint64_t d(unsigned reason) { return s1.exits[reason] - s0.exits[reason]; }

/* Delivery latency: from just before the cause was raised to the handler. */
static void record_latency(uint64_t now)
{
    uint64_t lat = now - raised_at;
    lat_sum += lat;
    if (lat < lat_min)
        lat_min = lat;
}

static void on_dev(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    record_latency(rdtsc());
    uint32_t icr = rd(REG_ICR); /* reading clears the causes and lowers the line */
    last_icr = icr;
    if (icr & ICR_TXDW)
        dev_irqs++;
    else
        stray_irqs++;
    wrmsr(MSR_EOI, 0);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* mac=xx:xx:xx:xx:xx:xx from the command line. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (; *s; s++) {
        if (s[0] != 'm' || s[1] != 'a' || s[2] != 'c' || s[3] != '=')
            continue;
        const char *p = s + 4;
        for (int i = 0; i < 6; i++, p += 3) {
            int hi = hexval(p[0]), lo = hexval(p[1]);
            if (hi < 0 || lo < 0)
                return false;
            mac[i] = (uint8_t)(hi << 4 | lo);
        }
        return true;
    }
    return false;
}

static uint16_t device_id;
static volatile uint64_t vf_bad_irqs;

/* The virtual bus: the host bridge, the device, and nothing else. */
static bool config_checks(uint8_t *vector)
{
    uint32_t id0 = cfg_read(0, 0, 0x00), class0 = cfg_read(0, 0, 0x08);
    check("pci-host-bridge", id0 == 0x29c08086u && class0 >> 8 == 0x060000u,
          "00:00.0 id 0x%x class 0x%x", id0, class0 >> 8);
    uint32_t id = cfg_read(1, 0, 0x00), hdr = cfg_read(1, 0, 0x0c);
    device_id = (uint16_t)(id >> 16);
    bool found = check("pci-device-found", (uint16_t)id == E1000_VENDOR &&
                       (device_id == E1000_DEVICE || device_id == IGBVF_DEVICE) &&
                       ((hdr >> 16) & 0xff) == 0, "00:01.0 id 0x%x header type 0x%x", id, (hdr >> 16) & 0xff);
    check("pci-nothing-else", cfg_read(2, 0, 0x00) == 0xffffffffu && cfg_read(0, 1, 0x00) == 0xffffffffu,
          "00:02.0 0x%x, 01:00.0 0x%x", cfg_read(2, 0, 0x00), cfg_read(0, 1, 0x00));
    if (!found)
        return false;

    uint32_t bar = cfg_read(1, 0, 0x10);
    cfg_write(1, 0x10, 0xffffffffu);
    uint32_t mask = cfg_read(1, 0, 0x10);
    cfg_write(1, 0x10, bar);
    uint32_t size = ~(mask & ~0xfu) + 1;
    uint32_t want = device_id == E1000_DEVICE ? 0x20000 : 0x4000;
    check("pci-bar0-sized", !(bar & 1) && (bar & ~0xfu) >= 0xc0000000u && size == want &&
          cfg_read(1, 0, 0x10) == bar, "BAR0 0x%x size 0x%x", bar, size);
    cfg_write(1, 0x10, (bar & ~0xfu) + 0x100000);
    check("pci-bar-stays", cfg_read(1, 0, 0x10) == bar, "BAR0 0x%x after a move", cfg_read(1, 0, 0x10));
    uint32_t io_bar = 0;
    for (uint8_t off = 0x14; off <= 0x24; off += 4)
        io_bar |= cfg_read(1, 0, off) & 1;
    check("pci-io-bar-hidden", io_bar == 0, "an I/O BAR is shown");
    bar0 = (volatile uint8_t *)(uintptr_t)(bar & ~0xfu);

    uint32_t intr = cfg_read(1, 0, 0x3c);
    *vector = (uint8_t)intr;
    if (device_id == IGBVF_DEVICE) {
        cfg_write(1, 0x04, 0x6);
        check("pci-vf-no-intx", ((intr >> 8) & 0xff) == 0, "pin %u", (intr >> 8) & 0xff);
        return true;
    }
    check("pci-intx", ((intr >> 8) & 0xff) == 1 && *vector >= 0x30 && *vector <= 0xdf,
          "pin %u line (vector) 0x%x", (intr >> 8) & 0xff, *vector);
    cfg_write(1, 0x3c, intr & ~0xffu);
    check("pci-line-read-only", cfg_read(1, 0, 0x3c) == intr, "line became 0x%x", cfg_read(1, 0, 0x3c));
    cfg_write(1, 0x04, 0x6); /* memory space, bus master */
    check("pci-command", (cfg_read(1, 0, 0x04) & 0x7) == 0x6, "command 0x%x", cfg_read(1, 0, 0x04));
    return true;
}

/* One EEPROM word through the EEPROM read register (13.4.4); -1 if it never completes. */
static int eeprom_word(unsigned addr)
{
    wr(REG_EERD, addr << EERD_ADDR_SHIFT | EERD_START);
    for (int i = 0; i < 100000; i++) {
        uint32_t v = rd(REG_EERD);
        if (v & EERD_DONE)
            return (int)(v >> EERD_DATA_SHIFT);
    }
    return -1;
}

static void register_checks(const char *cmdline)
{
    uint8_t mac[6] = { 0 };
    uint32_t status = rd(REG_STATUS);
    check("dev-status", status != 0xffffffffu, "STATUS 0x%x", status);
    bool have = parse_mac(cmdline, mac), same = have;
    int w[3];
    for (unsigned i = 0; i < 3; i++) {
        w[i] = eeprom_word(i);
        same &= w[i] == (mac[2 * i] | mac[2 * i + 1] << 8);
    }
    check("dev-eeprom-mac", same, "EEPROM words 0x%x 0x%x 0x%x, command line mac %s", w[0], w[1],
          w[2], have ? "given" : "missing");
    /* The receive address registers are the driver's to fill: write and read one back. */
    wr(REG_RAL0, (uint32_t)w[0] | (uint32_t)w[1] << 16);
    wr(REG_RAH0, (uint32_t)w[2] | RAH_AV);
    check("dev-register-write", rd(REG_RAL0) == ((uint32_t)w[0] | (uint32_t)w[1] << 16) &&
          rd(REG_RAH0) == ((uint32_t)w[2] | RAH_AV), "RAL0 0x%x RAH0 0x%x", rd(REG_RAL0), rd(REG_RAH0));
}

static void interrupt_checks(uint8_t vector)
{
    guest_set_handler(vector, on_dev);
    rd(REG_ICR);
    wr(REG_IMS, ICR_TXDW);
    guest_exit_stats(&s0);
    bool ok = true;
    for (uint64_t i = 1; i <= N && ok; i++) {
        raised_at = rdtsc();
        wr(REG_ICS, ICR_TXDW);
        ok = guest_wait_count(&dev_irqs, i, 20000000ull);
    }
    guest_exit_stats(&s1);
    wr(REG_IMC, ~0u);
    check("dev-interrupts", ok && dev_irqs == N && stray_irqs == 0,
          "%lu of %d device interrupts on vector 0x%x (%lu without the cause, last ICR 0x%x)",
          dev_irqs, N, vector, stray_irqs, last_icr);
    uint64_t exits = s1.total_exits - s0.total_exits - 1; /* the second statistics VMCALL */
    if (!injected)
        check("dev-interrupts-no-exits", exits == 0,
              "%lu exits for %d device interrupts (external %lu exception %lu wrmsr %lu EPT %lu)",
              exits, N, d(EXIT_EXTINT), d(EXIT_EXCEPTION), d(EXIT_WRMSR), d(EXIT_EPT_VIOLATION));
    else
        check("dev-interrupts-injected-exits", d(EXIT_EXTINT) == N && d(EXIT_WRMSR) == N,
              "external %lu, trapped EOIs %lu for %d interrupts", d(EXIT_EXTINT), d(EXIT_WRMSR), N);
    const char *m = injected ? "injected" : "exitless";
    gprintf("BENCH %s-device-exits-per-10k %lu exits\n", m, exits * 10000 / N);
    if (dev_irqs)
        gprintf("BENCH %s-device-latency-avg %lu cycles\nBENCH %s-device-latency-min %lu cycles\n",
                m, lat_sum / dev_irqs, m, lat_min);
}

static void on_vf(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    record_latency(rdtsc());
    dev_irqs++;
    wrmsr(MSR_EOI, 0);
}
static void on_vf_bad(uint8_t v, uint64_t e) { (void)v; (void)e; vf_bad_irqs++; wrmsr(MSR_EOI, 0); }

/* An 82576 VF (nested KVM or a server): capabilities as filtered, MSI-X entry 0 to this core
 * through the shadowed table, entry 1 to a core that is not the guest's (left masked by the
 * hypervisor), then N interrupts raised through the VF's cause set register. */
static void vf_checks(const struct exitless_boot_info *bi)
{
    uint8_t cap = (uint8_t)(cfg_read(1, 0, 0x34) & 0xfc), msix = 0, ids = 0;
    for (int n = 0; cap && n < 16; n++) {
        uint32_t h = cfg_read(1, 0, cap);
        ids |= (uint8_t)h == 0x11 ? 1 : (uint8_t)h == 0x10 ? 2 : 4;
        if ((uint8_t)h == 0x11)
            msix = cap;
        cap = (uint8_t)((h >> 8) & 0xfc);
    }
    check("vf-capabilities", msix && (ids & 2) && !(ids & 4), "MSI-X at 0x%x, kinds seen 0x%x", msix, ids);
    check("vf-status", rd(VF_STATUS) != 0xffffffffu, "STATUS 0x%x", rd(VF_STATUS));
    if (!msix)
        return;
    uint32_t table = cfg_read(1, 0, (uint8_t)(msix + 4));
    uint32_t tbar = cfg_read(1, 0, (uint8_t)(0x10 + 4 * (table & 7))) & ~0xfu;
    volatile uint32_t *t = (volatile uint32_t *)(uintptr_t)(tbar + (table & ~7u));
    uint32_t other = 0;
    while (other == bi->apic_ids[0])
        other++;
    t[0] = 0xfee00000u | bi->apic_ids[0] << 12; t[1] = 0; t[2] = VEC_VF; t[3] = 0;
    t[4] = 0xfee00000u | other << 12; t[5] = 0; t[6] = VEC_VF_BAD; t[7] = 0;
    check("vf-msix-table-reads-back", t[0] == (0xfee00000u | bi->apic_ids[0] << 12) && t[2] == VEC_VF &&
          t[3] == 0 && t[6] == VEC_VF_BAD, "entry 0: 0x%x 0x%x 0x%x", t[0], t[2], t[3]);
    uint32_t ctrl = cfg_read(1, 0, msix);
    cfg_write(1, msix, (ctrl | 0x80000000u) & ~0x40000000u);
    check("vf-msix-enabled", cfg_read(1, 0, msix) >> 31, "control 0x%x", cfg_read(1, 0, msix) >> 16);
    guest_set_handler(VEC_VF, on_vf);
    guest_set_handler(VEC_VF_BAD, on_vf_bad);
    wr(VF_EIAC, 0x7);
    wr(VF_EICR, 0x7);
    wr(VF_EIMS, 0x3);
    guest_exit_stats(&s0);
    bool ok = true;
    for (uint64_t i = 1; i <= N && ok; i++) {
        raised_at = rdtsc();
        wr(VF_EICS, 0x1);
        ok = guest_wait_count(&dev_irqs, i, 20000000ull);
    }
    guest_exit_stats(&s1);
    check("vf-interrupts", ok && dev_irqs == N, "%lu of %d MSI-X interrupts on vector 0x%x",
          dev_irqs, N, VEC_VF);
    uint64_t exits = s1.total_exits - s0.total_exits - 1;
    if (!injected)
        check("vf-interrupts-no-exits", exits == 0, "%lu exits for %d interrupts", exits, N);
    /* Entry 1 names a core that is not this guest's: it must never fire. */
    wr(VF_EICS, 0x2);
    for (int i = 0; i < 1000000; i++)
        __asm__ volatile("sti; pause");
    check("vf-foreign-destination-refused", vf_bad_irqs == 0 && dev_irqs == N,
          "%lu interrupts through the refused entry", vf_bad_irqs);
    wr(VF_EIMC, 0x7);
    const char *m = injected ? "injected" : "exitless";
    gprintf("BENCH %s-vf-exits-per-10k %lu exits\n", m, exits * 10000 / N);
    if (dev_irqs)
        gprintf("BENCH %s-vf-latency-avg %lu cycles\n", m, lat_sum / dev_irqs);
}

int guest_main(const struct exitless_boot_info *bi)
{
    injected = guest_has_word(bi->cmdline, "mode=injected");
    uint8_t vector = 0;
    if (!config_checks(&vector))
        return 1;
    if (device_id == IGBVF_DEVICE) {
        vf_checks(bi);
        return 0;
    }
    register_checks(bi->cmdline);
    interrupt_checks(vector);
    return 0;
}
