/* vf case=cfgattack: one guest attacks through its VF's configuration space (BARs, MSI-X
 * control and table location, command register, a function-level reset through the PCIe
 * capability, every function it does not own, and the host's ECAM) and checks after each what it observed
 * and that its VF still moves frames; role=neighbour, with a VF of its own, answers its
 * frames throughout and reports each round, so the log shows the neighbour's progress after
 * every attack; last, the mailbox rounds of mbxattack.c. Foreign MSI-X destinations and hypervisor vectors are case=irq (irq.c); DMA
 * outside the guest's memory is case=dma (dma.c). */
#include "vf.h"

#define VF_SLOT          1
#define PCI_COMMAND      0x04
#define  CMD_MEMORY        (1u << 1)
#define  CMD_MASTER        (1u << 2)
#define PCI_BAR0         0x10
#define  BAR_64            (2u << 1)
#define  BAR_FLAGS         0xfu
#define PCI_CAP_PTR      0x34
#define CAP_EXP          0x10
#define EXP_DEVCTL       0x08        /* PCIe 3.0 7.8.4: Device Control, low half of the dword */
#define  DEVCTL_FLR        (1u << 15)
#define MSIX_CTRL_ENABLE (1u << 31)
#define MSIX_CTRL_MASKALL (1u << 30)
#define MSIX_TABLE       4
#define ABSENT           0xffffffffu
#define Q35_ECAM         0xb0000000ull  /* where QEMU's q35 puts MMCONFIG on the host */
#define ECAM(b, d, fn, off) (Q35_ECAM + ((uint64_t)(b) << 20 | (d) << 15 | (fn) << 12 | (off)))
#define HOST_PF_SLOT     2
#define HOST_VF_SLOT     0x12
#define BAR_MOVE         0x100000u   /* a different, size-aligned address */
#define UP_WAIT_US       60000000
#define EXCHANGE_US      2000000
#define END_SENDS        3

static struct vf vf;
static struct frame f;

/* A check that also logs what was observed, passing or not: the attack's record. */
bool observed(const char *name, bool ok, const char *fmt, ...)
{
    char detail[240];
    va_list ap;
    va_start(ap, fmt);
    gvsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    gprintf("observed: %s: %s\n", name, detail);
    return vcheck(name, ok, "%s", detail);
}

/* A round trip with the neighbour after an attack; its sequence names the attack. */
static bool round_trip(const uint8_t nb[6], uint32_t seq, const char *after)
{
    bool got = frame_exchange(&vf, nb, 0, "EXL-CFG-PING", "EXL-CFG-PONG", seq, UP_WAIT_US, &f);
    char name[48];
    gsnprintf(name, sizeof(name), "frames-after-%s", after);
    return observed(name, got && frame_is(&f, vf.mac, nb, "EXL-CFG-PONG", seq),
                  "round %u with the neighbour: %s (VF STATUS 0x%x)", seq,
                  got ? "reply intact" : "no reply", vf_rd(&vf, VF_STATUS));
}

/* BAR i: all ones (sizing), another address, the original. */
static bool bar_attack(unsigned i)
{
    uint8_t off = (uint8_t)(PCI_BAR0 + 4 * i);
    uint32_t orig = cfg_read(VF_SLOT, off);
    char name[32];
    gsnprintf(name, sizeof(name), orig ? "bar%u-writes" : "bar%u-not-shown", i);
    if (!orig)
        return observed(name, true, "BAR%u reads 0: nothing to move", i);
    cfg_write(VF_SLOT, off, 0xffffffffu);
    uint32_t mask = cfg_read(VF_SLOT, off);
    uint32_t size = ~(mask & ~BAR_FLAGS) + 1;
    cfg_write(VF_SLOT, off, (orig & ~BAR_FLAGS) + BAR_MOVE);
    uint32_t moved = cfg_read(VF_SLOT, off);
    uint32_t hi = (orig & BAR_64) ? cfg_read(VF_SLOT, (uint8_t)(off + 4)) : 0;
    if (orig & BAR_64)
        cfg_write(VF_SLOT, (uint8_t)(off + 4), hi + 1);
    uint32_t hi_moved = (orig & BAR_64) ? cfg_read(VF_SLOT, (uint8_t)(off + 4)) : 0;
    cfg_write(VF_SLOT, off, orig);
    if (orig & BAR_64)
        cfg_write(VF_SLOT, (uint8_t)(off + 4), hi);
    uint32_t back = cfg_read(VF_SLOT, off);
    return observed(name, size && !(size & (size - 1)) && (mask & BAR_FLAGS) == (orig & BAR_FLAGS) &&
                  moved == orig && hi_moved == hi && back == orig,
                  "BAR%u 0x%x: ones read 0x%x (size 0x%x); 0x%x read 0x%x; upper 0x%x+1 read 0x%x; "
                  "restored 0x%x", i, orig, mask, size, (orig & ~BAR_FLAGS) + BAR_MOVE, moved,
                  hi, hi_moved, back);
}

static bool msix_attack(void)
{
    uint8_t c = vf.msix_cap;
    uint32_t h = cfg_read(VF_SLOT, c), table = cfg_read(VF_SLOT, (uint8_t)(c + MSIX_TABLE));
    cfg_write(VF_SLOT, c, h | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
    uint32_t on = cfg_read(VF_SLOT, c);
    cfg_write(VF_SLOT, c, h & ~(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL));
    uint32_t off = cfg_read(VF_SLOT, c);
    cfg_write(VF_SLOT, (uint8_t)(c + MSIX_TABLE), (table ^ 1u) + 0x1000u);  /* other BIR and offset */
    uint32_t table_after = cfg_read(VF_SLOT, (uint8_t)(c + MSIX_TABLE));
    cfg_write(VF_SLOT, c, h);
    uint32_t back = cfg_read(VF_SLOT, c);
    return observed("msix-capability-writes",
                  (on & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)) == (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) &&
                  !(off & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)) && (on & 0x7ff0000u) == (h & 0x7ff0000u) &&
                  table_after == table && back == h,
                  "control 0x%x; enable+mask read 0x%x, both off 0x%x; table BIR/offset 0x%x written "
                  "0x%x read 0x%x; restored 0x%x", h, on, off, table, (table ^ 1u) + 0x1000u, table_after, back);
}

/* Bus master off: a frame must not leave (its descriptor is never fetched); on again and the
 * driver brought up anew, frames move again. */
static bool master_attack(const struct exitless_boot_info *bi, const uint8_t nb[6])
{
    cfg_write(VF_SLOT, PCI_COMMAND, CMD_MEMORY);
    uint32_t cmd = cfg_read(VF_SLOT, PCI_COMMAND) & 0xffff;
    bool sent = frame_send(&vf, nb, 0, "EXL-CFG-DARK", 0);
    observed("bus-master-off-stops-dma", !(cmd & CMD_MASTER) && !sent,
           "command 0x%x; the frame's descriptor %s", cmd, sent ? "came back done: DMA ran" : "never completed");
    cfg_write(VF_SLOT, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
    cmd = cfg_read(VF_SLOT, PCI_COMMAND) & 0xffff;
    return observed("bus-master-on-again", (cmd & CMD_MASTER) != 0, "command 0x%x", cmd) &&
           vf_bring_up(&vf, bi->cmdline);
}

/* FLR through the PCIe capability: the capability is shown read-only, so the write is dropped
 * and the VF is not reset (its queue stays on); the driver's own reset follows. */
static bool flr_attack(const struct exitless_boot_info *bi)
{
    uint8_t cap = (uint8_t)(cfg_read(VF_SLOT, PCI_CAP_PTR) & 0xfc);
    for (int n = 0; cap && n < 16 && (uint8_t)cfg_read(VF_SLOT, cap) != CAP_EXP; n++)
        cap = (uint8_t)((cfg_read(VF_SLOT, cap) >> 8) & 0xfc);
    if (!cap || (uint8_t)cfg_read(VF_SLOT, cap) != CAP_EXP) {
        observed("flr-no-pcie-capability", true, "no PCIe capability shown: no FLR to ask for");
        return vf_bring_up(&vf, bi->cmdline);
    }
    uint32_t dc = cfg_read(VF_SLOT, (uint8_t)(cap + EXP_DEVCTL));
    uint32_t tx = vf_rd(&vf, VF_TXDCTL);
    cfg_write(VF_SLOT, (uint8_t)(cap + EXP_DEVCTL), dc | DEVCTL_FLR);
    delay_us(100000);   /* PCIe 3.0 6.6.2: a function completes its FLR within 100 ms */
    uint32_t dc_after = cfg_read(VF_SLOT, (uint8_t)(cap + EXP_DEVCTL));
    uint32_t tx_after = vf_rd(&vf, VF_TXDCTL);
    observed("flr-write-dropped", dc_after == dc && (tx & XDCTL_ENABLE) && tx_after == tx,
           "PCIe cap 0x%x: devctl 0x%x, FLR written, reads 0x%x; TXDCTL 0x%x before, 0x%x after "
           "(an FLR clears it)", cap, dc, dc_after, tx, tx_after);
    return vf_bring_up(&vf, bi->cmdline);
}

/* One foreign function: absent on read, and still absent after writes to its command
 * register, BAR0 and capability pointer. */
static unsigned foreign(unsigned bus, unsigned dev, unsigned fn)
{
    unsigned bad = 0;
    bad += cfg_read_at(bus, dev, fn, 0) != ABSENT;
    cfg_write_at(bus, dev, fn, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
    cfg_write_at(bus, dev, fn, PCI_BAR0, 0);
    cfg_write_at(bus, dev, fn, 0x3c, 0);
    bad += cfg_read_at(bus, dev, fn, 0) != ABSENT;
    bad += cfg_read_at(bus, dev, fn, PCI_COMMAND) != ABSENT;
    return bad ? 1 : 0;
}

static bool foreign_attack(void)
{
    static const unsigned buses[] = { 1, 2, 0x10, 0x80, 0xff };
    unsigned tried = 0, answered = 0;
    for (unsigned dev = 0; dev < 32; dev++)
        for (unsigned fn = 0; fn < 8; fn++) {
            if (fn == 0 && dev <= VF_SLOT)
                continue;   /* its host bridge and its own VF */
            tried++;
            answered += foreign(0, dev, fn);
        }
    for (unsigned b = 0; b < sizeof(buses) / sizeof(buses[0]); b++)
        for (unsigned dev = 0; dev < 32; dev++) {
            tried++;
            answered += foreign(buses[b], dev, 0);
        }
    observed("foreign-functions-absent", tried && !answered,
           "%u functions on buses 0, 1, 2, 0x10, 0x80, 0xff read and written: %u answered", tried, answered);
    /* The PF sits at host 00:02.0, its SR-IOV capability at 0x160. Neither its slot nor the
     * extended space behind CF8[27:24] reaches it: extended offsets fold onto the VF's own
     * first 256 bytes, which hold no SR-IOV capability. */
    uint32_t pf = cfg_read_at(0, 2, 0, 0), pf_sriov = cfg_read_at(0, 2, 0, 0x160);
    uint32_t ext = cfg_read_at(0, VF_SLOT, 0, 0x100), own = cfg_read_at(0, VF_SLOT, 0, 0);
    cfg_write_at(0, 2, 0, 0x160 + 0x10, 0);  /* the PF's NumVFs/InitialVFs dword, if it were there */
    return observed("pf-sriov-unreachable", pf == ABSENT && pf_sriov == ABSENT && ext == own,
                  "00:02.0 reads 0x%x, its 0x160 0x%x; own VF's 0x100 reads 0x%x (= its 0x0: 0x%x)", pf, pf_sriov, ext, own);
}

/* MMCONFIG at the host's ECAM address: the guest is given none, so the PF's header, its
 * SR-IOV capability and its own VF's host function are loads past its RAM (all ones). */
static bool ecam_attack(void)
{
    uint32_t pf = *(volatile uint32_t *)(uintptr_t)ECAM(0, HOST_PF_SLOT, 0, 0);
    uint32_t sriov = *(volatile uint32_t *)(uintptr_t)ECAM(0, HOST_PF_SLOT, 0, 0x160);
    uint32_t own = *(volatile uint32_t *)(uintptr_t)ECAM(0, HOST_VF_SLOT, 0, 0);
    return observed("ecam-absent", pf == ABSENT && sriov == ABSENT && own == ABSENT,
                    "host ECAM 00:02.0 reads 0x%x, its 0x160 0x%x, 00:12.0 0x%x", pf, sriov, own);
}

static int attacker(const struct exitless_boot_info *bi)
{
    uint8_t nb[6];
    if (!vcheck("peer-address", arg_mac(bi->cmdline, "peer", nb), "no peer= MAC on the command line") ||
        !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline) || !round_trip(nb, 1, "bring-up"))
        return 1;
    gprintf("%s: attack begins: BAR writes\n", bi->name);
    bool ok = bar_attack(0) & bar_attack(3);
    ok &= round_trip(nb, 2, "bar-writes");
    gprintf("%s: attack begins: MSI-X capability writes (foreign entries: case=irq)\n", bi->name);
    ok &= msix_attack();
    ok &= round_trip(nb, 3, "msix-writes");
    gprintf("%s: attack begins: bus master off\n", bi->name);
    ok &= master_attack(bi, nb) && round_trip(nb, 4, "bus-master");
    gprintf("%s: attack begins: FLR through the PCIe capability\n", bi->name);
    ok &= flr_attack(bi) && round_trip(nb, 5, "flr");
    gprintf("%s: attack begins: configuration space of functions it does not own\n", bi->name);
    ok &= foreign_attack() & ecam_attack();
    ok &= round_trip(nb, 6, "foreign-functions");
    gprintf("%s: attack begins: malformed mailbox requests\n", bi->name);
    ok &= mbx_malformed_attack(&vf, bi, nb);
    ok &= round_trip(nb, 7, "mailbox-malformed");
    gprintf("%s: attack begins: a mailbox flood\n", bi->name);
    ok &= mbx_flood_attack(&vf);
    gprintf("%s: attack begins: its own VF reset in a loop\n", bi->name);
    ok &= mbx_reset_loop_attack(&vf, bi);
    ok &= round_trip(nb, 8, "mailbox-flood");
    for (int i = 0; i < END_SENDS; i++)
        frame_send(&vf, nb, 0, "EXL-CFG-DONE", 9);
    return ok ? 0 : 1;
}

/* Answers every round until the attacker's DONE; each round logged as it is answered. */
static int neighbour(const struct exitless_boot_info *bi)
{
    uint8_t a[6];
    if (!vcheck("peer-address", arg_mac(bi->cmdline, "peer", a), "no peer= MAC on the command line") ||
        !vf_find(&vf) || !vf_bring_up(&vf, bi->cmdline))
        return 1;
    unsigned n = 0, bad = 0, dark = 0;
    uint32_t seen = 0;
    for (uint64_t end = deadline_us(UP_WAIT_US); vf_recv(&vf, &f, end); end = deadline_us(UP_WAIT_US)) {
        if (str_same(f.marker, "EXL-CFG-PING")) {
            bool intact = frame_is(&f, vf.mac, a, "EXL-CFG-PING", f.seq);
            bad += !intact;
            /* Logged before the reply, so the log has it before the attacker's check of it. */
            if (intact && f.seq < 32 && !(seen & 1u << f.seq))
                gprintf("%s: neighbour progress: answering round %u\n", bi->name, f.seq);
            frame_send(&vf, a, 0, "EXL-CFG-PONG", f.seq);
            if (f.seq < 32)
                seen |= 1u << f.seq;
            n++;
        } else if (str_same(f.marker, "EXL-CFG-DARK")) {
            dark++;
        } else if (str_same(f.marker, "EXL-CFG-DONE")) {
            break;
        }
    }
    observed("no-frame-while-bus-master-off", !dark, "%u frames sent while the attacker's bus master was off", dark);
    return observed("served-every-round", (seen & 0x1fe) == 0x1fe && !bad, "%u frames answered, %u not intact, "
                  "rounds seen 0x%x (want 1-8)", n, bad, seen) ? 0 : 1;
}

int case_cfgattack(const struct exitless_boot_info *bi)
{
    char role[16] = "";
    arg_word(bi->cmdline, "role", role, sizeof(role));
    if (str_same(role, "attacker"))
        return attacker(bi);
    if (str_same(role, "neighbour"))
        return neighbour(bi);
    vcheck("role", false, "role=%s: want attacker or neighbour", role);
    return 1;
}
