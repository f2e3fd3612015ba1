/* Unit tests for a guest's view of an assigned function's configuration space (vmm/vpci_cfg.c)
 * and for the MSI-X entry policy (vmm/vpci_msix_check.c), on the configuration space of an
 * 82576-style VF: MSI (hidden), MSI-X, a vendor capability (hidden), PCI Express. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci.h"

static uint8_t space[256];

static uint32_t fake_read32(const struct vpci_fn *f, uint16_t off)
{
    (void)f;
    uint32_t v;
    memcpy(&v, space + off, 4);
    return v;
}

static const struct vpci_host_ops fake_ops = { fake_read32 };

static void put32(uint16_t off, uint32_t v) { memcpy(space + off, &v, 4); }

static void build_vf_space(void)
{
    memset(space, 0, sizeof(space));
    put32(0x00, 0xffffffffu);           /* a VF's ids read all-ones */
    put32(0x04, 0x00100000u);           /* status: capability list */
    put32(0x08, 0x02000001u);           /* Ethernet controller, revision 1 */
    put32(0x0c, 0x00800010u);           /* multi-function bit set, cache line 0x10 */
    put32(0x2c, 0x10ca8086u);
    put32(0x34, 0x50);
    put32(0x50, 0x00807005u);           /* MSI, next 0x70: hidden */
    put32(0x70, 0x00029011u);           /* MSI-X, 3 entries, next 0x90 */
    put32(0x74, 0x00000003u);           /* table in BAR3 at 0 */
    put32(0x78, 0x00002003u);           /* PBA in BAR3 at 0x2000 */
    put32(0x90, 0x0008a009u);           /* vendor-specific, next 0xa0: hidden */
    put32(0xa0, 0x00020010u);           /* PCI Express, last */
    put32(0xa4, 0x10008000u);           /* device capabilities: FLR */
    put32(0x3c, 0x0000010bu);
}

static void make_fn(struct vpci_fn *f)
{
    memset(f, 0, sizeof(*f));
    f->host = &fake_ops;
    f->vendor = 0x8086;
    f->device = 0x10ca;
    f->bar[0] = (struct vpci_bar){ .hpa = 0xf0000000, .gpa = 0xc0000000, .size = 0x4000, .is64 = true };
    f->bar[3] = (struct vpci_bar){ .hpa = 0xf0010000, .gpa = 0xc0004000, .size = 0x4000, .is64 = true };
}

static void test_capabilities(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    CHECK_EQ_U64(vpci_cfg_filter_caps(&f), 2, "MSI and the vendor capability hidden");
    CHECK_EQ_U64(f.ncaps, 2, "MSI-X and PCIe shown");
    CHECK_EQ_U64(f.caps[0], 0x70, "first shown");
    CHECK_EQ_U64(f.caps[1], 0xa0, "second shown");
    CHECK_EQ_U64(f.msix_cap, 0x70, "MSI-X found");
    CHECK_EQ_U64(f.msix_nvec, 3, "MSI-X entries");
    CHECK_EQ_U64(f.msix_bir, 3, "MSI-X table BAR");
    CHECK_EQ_U64(f.msix_table_off, 0, "MSI-X table offset");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x34, 1), 0x70, "capability pointer skips MSI");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x71, 1), 0xa0, "MSI-X links to PCIe, past the vendor capability");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0xa1, 1), 0x00, "PCIe ends the list");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x50, 4), 0, "hidden MSI reads zero");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x90, 4), 0, "hidden vendor capability reads zero");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0xa4, 4), 0x10008000u, "PCIe capability readable");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x06, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST, "status: list");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x74, 4), 3, "MSI-X table offset/BIR as the device's");
    /* Device Control at PCIe + 8: an FLR request is reported, the register stays the device's. */
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xa8, 2, 0x8000), VPCI_FX_FLR, "FLR by a 16-bit write: reported");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xa9, 1, 0x80), VPCI_FX_FLR, "FLR by the high byte: reported");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xa8, 4, 0x00008000u), VPCI_FX_FLR, "FLR by a dword write: reported");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xa8, 2, 0x2000), 0, "other Device Control bits: dropped silently");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xaa, 2, 0x8000), 0, "Device Status bit 15: no FLR");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x78, 2, 0x8000), 0, "bit 15 elsewhere: no FLR");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0xa8, 4), 0, "Device Control reads the device's");
}

static void test_header(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x00, 4), 0x10ca8086u, "ids from the PF, not all-ones");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x02, 2), 0x10ca, "device id, 16-bit read");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x08, 4), 0x02000001u, "class and revision");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x0e, 1), 0x00, "header type 0, single function");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x0c, 1), 0x10, "cache line size kept");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x30, 4), 0, "no expansion ROM");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x3d, 1), 0, "no INTx pin shown without routing");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x01, 2), 0xffff, "misaligned read: all-ones");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x00, 3), 0xffffff, "odd size: all-ones");
    f.irq_pin = 1;
    f.irq_vector = 0xd0;
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x3c, 2), 0x01d0, "pin A, line = vector");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x3c, 1, 0x0b), 0, "line write has no effect");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x3c, 1), 0xd0, "line unchanged");
    f.ncaps = 0;
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x06, 2) & PCI_STATUS_CAP_LIST, 0, "no list when none shown");
}

static void test_bars(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x10, 4), 0xc0000004u, "BAR0: guest address, 64-bit");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x14, 4), 0, "BAR0 upper half");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x18, 4), 0, "BAR2 absent");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x10, 4, 0xffffffffu), 0, "sizing write");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x14, 4, 0xffffffffu), 0, "sizing write, upper");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x10, 4), 0xffffc004u, "size mask 16 KiB");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x14, 4), 0xffffffffu, "upper size mask");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x10, 4, 0xc0000000u), 0, "restore");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x14, 4, 0), 0, "restore upper");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x10, 4), 0xc0000004u, "address back");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x10, 4, 0xd0000000u), VPCI_FX_BAR_MOVE, "move refused");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x10, 4), 0xc0000004u, "BAR stays");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x1c, 4, 0xffffffffu), 0, "BAR3 sizing");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x1c, 4), 0xffffc004u, "BAR3 size mask");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x10, 4), 0xc0000004u, "BAR0 not in sizing any more");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x10, 2, 0xffff), 0, "partial BAR writes ignored");
}

static void test_command_and_msix_control(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x04, 2, 0xffff), VPCI_FX_COMMAND, "command write");
    CHECK_EQ_U64(f.command, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF,
                 "only memory, bus master, INTx disable kept");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x04, 2), 0x0406, "command reads back");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x06, 2, 0xffff), 0, "status write has no effect");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x72, 2, 0xc7ff), VPCI_FX_MSIX_CTRL, "MSI-X control");
    CHECK_EQ_U64(f.msix_ctrl, PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL, "enable and mask");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x72, 2), 0xc002, "table size stays the device's");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x70, 4, 0x00009911u), VPCI_FX_MSIX_CTRL, "dword write");
    CHECK_EQ_U64(f.msix_ctrl, 0, "cleared");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0xa8, 2, PCI_EXP_DEVCTL_FLR), VPCI_FX_FLR, "PCIe control: FLR reported, not done");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x50, 4, 0xffffffffu), 0, "hidden MSI: ignored");
}

/* Found by the fuzzer (tests/fuzz/fuzz_vpci.c): a read of a size no access has must read
 * all-ones without a shift past 32 bits (undefined behaviour). */
static void test_bad_sizes(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x00, 7), 0xffffffffu, "size 7: all-ones");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x00, 8), 0xffffffffu, "size 8: all-ones");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x00, 0), 0, "size 0: no bits");
    CHECK_EQ_U64(vpci_cfg_write(&f, 0x04, 6, 0xffff), 0, "size 6 write ignored");
    CHECK_EQ_U64(f.command, 0, "command unchanged");
    CHECK_EQ_U64(vpci_bridge_read(0x00, 5), 0x29c08086u, "bridge, size 5: the dword");
}

/* Found by the fuzzer: an MSI-X capability whose table BAR indicator is reserved (6, 7)
 * was kept, and the MSI-X setup indexed the six BARs with it. It is hidden now. */
static void test_msix_reserved_bir(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    put32(0x74, 0x00000007);            /* table in "BAR7" */
    CHECK_EQ_U64(vpci_cfg_filter_caps(&f), 3, "MSI, MSI-X and the vendor capability hidden");
    CHECK_EQ_U64(f.msix_cap, 0, "no MSI-X");
    CHECK_EQ_U64(f.ncaps, 1, "PCIe alone shown");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x34, 1), 0xa0, "list starts at PCIe");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x70, 4), 0, "hidden MSI-X reads zero");
    put32(0x74, 0x00000006);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(f.msix_cap, 0, "BIR 6: no MSI-X");
    put32(0x74, 0x00000005);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(f.msix_cap, 0x70, "BIR 5 is a BAR: MSI-X kept");
}

/* Found by the fuzzer: a capability list that loops showed the same capability again and
 * again, and overlapping entries showed one's bytes through the other's header; a second
 * MSI-X capability was shown with the device's own control bits. Only the first of each is
 * shown now. */
static void test_cap_loops_and_overlaps(void)
{
    struct vpci_fn f;
    build_vf_space();
    make_fn(&f);
    put32(0x70, 0x00027011);            /* MSI-X whose next is itself */
    /* The walk is bounded at 48 steps: MSI, MSI-X shown, MSI-X 46 times more. */
    CHECK_EQ_U64(vpci_cfg_filter_caps(&f), 1 + 46, "MSI and the repeats hidden");
    CHECK_EQ_U64(f.ncaps, 1, "MSI-X shown once");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x71, 1), 0, "its next pointer ends the list");
    build_vf_space();
    put32(0x34, 0xa0);
    put32(0xa0, 0x00020010 | 0xa800);   /* PCIe (0xa0-0xdb), next 0xa8: inside it */
    put32(0xa8, 0x0002b011);            /* MSI-X at 0xa8, next 0xb0 */
    put32(0xac, 0x00000003);
    put32(0xb0, 0x00020011);            /* another MSI-X at 0xb0 */
    put32(0xb4, 0x00000003);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(f.ncaps, 1, "only PCIe shown");
    CHECK_EQ_U64(f.msix_cap, 0, "no MSI-X inside PCIe");
    build_vf_space();
    put32(0x70, 0x0002e011);            /* MSI-X, next 0xe0 */
    put32(0xe0, 0x0002a011);            /* second MSI-X, next PCIe */
    put32(0xe4, 0x00000003);
    vpci_cfg_filter_caps(&f);
    CHECK_EQ_U64(f.ncaps, 2, "MSI-X and PCIe shown");
    CHECK_EQ_U64(f.msix_cap, 0x70, "the first MSI-X is the shadowed one");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0x71, 1), 0xa0, "the second MSI-X is skipped");
    CHECK_EQ_U64(vpci_cfg_read(&f, 0xe0, 4), 0, "and reads zero");
}

static void test_bridge(void)
{
    CHECK_EQ_U64(vpci_bridge_read(0x00, 4), 0x29c08086u, "host bridge ids");
    CHECK_EQ_U64(vpci_bridge_read(0x0b, 1), 0x06, "bridge class");
    CHECK_EQ_U64(vpci_bridge_read(0x0a, 1), 0x00, "host bridge subclass");
    CHECK_EQ_U64(vpci_bridge_read(0x10, 4), 0, "no BARs");
}

static void test_msix_policy(void)
{
    const uint32_t apics[] = { 2, 3 };
    uint8_t vec = 0;
    uint32_t apic = 0;
    struct vpci_msix_entry ok = { 0xfee03000u, 0, 0x41, 0 };
    CHECK(vpci_msix_check(&ok, apics, 2, INTR_INJECTED, &vec, &apic) == NULL, "own core, own vector");
    CHECK_EQ_U64(vec, 0x41, "vector");
    CHECK_EQ_U64(apic, 3, "destination");
    struct vpci_msix_entry lowpri = { 0xfee02000u, 0, 0x100 | 0xdf, 0 };
    CHECK(vpci_msix_check(&lowpri, apics, 2, INTR_INJECTED, &vec, &apic) == NULL, "lowest priority allowed");
    struct { struct vpci_msix_entry e; const char *why; } bad[] = {
        { { 0xfee03000u, 1, 0x41, 0 }, "address above 4 GiB: not an interrupt message" },
        { { 0x00103000u, 0, 0x41, 0 }, "address outside the interrupt range 0xfee00000-0xfeefffff" },
        { { 0xfee03004u, 0, 0x41, 0 }, "logical destination mode (only physical is allowed)" },
        { { 0xfee03010u, 0, 0x41, 0 }, "remappable-format address (an interrupt remapping handle): only compatibility format is allowed" },
        { { 0xfee00018u, 0, 0, 0 }, "remappable-format address (an interrupt remapping handle): only compatibility format is allowed" },
        { { 0xfee03000u, 0, 0x200 | 0x41, 0 }, "delivery mode other than fixed or lowest priority" },
        { { 0xfee03000u, 0, 0x400 | 0x41, 0 }, "delivery mode other than fixed or lowest priority" },
        { { 0xfee03000u, 0, 0x8000 | 0x41, 0 }, "level-triggered message" },
        { { 0xfee03000u, 0, 0x20, 0 }, "vector outside the guest's range 0x30-0xdf" },
        { { 0xfee03000u, 0, 0xf0, 0 }, "vector outside the guest's range 0x30-0xdf" },
        { { 0xfee03000u, 0, 0x0e, 0 }, "vector outside the guest's range 0x30-0xdf" },
        { { 0xfee01000u, 0, 0x41, 0 }, "destination is not one of the guest's cores" },
        { { 0xfee00000u, 0, 0x41, 0 }, "destination is not one of the guest's cores" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_STREQ(vpci_msix_check(&bad[i].e, apics, 2, INTR_INJECTED, &vec, &apic), bad[i].why, "refused entry");
    /* Exitless guests own every vector 0x20-0xff (vmm/intr/vector_policy.h). */
    struct vpci_msix_entry linux_vec = { 0xfee03000u, 0, 0xec, 0 };
    CHECK(vpci_msix_check(&linux_vec, apics, 2, INTR_EXITLESS, &vec, &apic) == NULL &&
          vec == 0xec, "exitless: 0xec is the guest's");
    struct vpci_msix_entry low = { 0xfee03000u, 0, 0x20, 0 };
    CHECK(vpci_msix_check(&low, apics, 2, INTR_EXITLESS, &vec, &apic) == NULL, "exitless: 0x20");
    struct vpci_msix_entry exc = { 0xfee03000u, 0, 0x1f, 0 };
    CHECK_STREQ(vpci_msix_check(&exc, apics, 2, INTR_EXITLESS, &vec, &apic),
                "vector outside the guest's range 0x20-0xff", "exitless: exception vector");
    CHECK_STREQ(vpci_msix_check(&linux_vec, apics, 2, INTR_INJECTED, &vec, &apic),
                "vector outside the guest's range 0x30-0xdf", "injected: 0xec is the hypervisor's");
}

int main(void)
{
    test_capabilities();
    test_header();
    test_bars();
    test_command_and_msix_control();
    test_bad_sizes();
    test_msix_reserved_bir();
    test_cap_loops_and_overlaps();
    test_bridge();
    test_msix_policy();
    return check_summary("vpci");
}
