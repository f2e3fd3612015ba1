/* attack: the CPU's privileged interfaces. Every I/O port read and written (the guest owns
 * none: each access must exit, none reach the machine), every MSR of the architectural ranges
 * read and written back (writes of what a read returned, zero where the read was refused),
 * every CPUID leaf, XSETBV with values the architecture refuses, and the virtualization
 * instructions of both vendors. */
#include "attack.h"

static uint8_t scratch[4096] __attribute__((aligned(4096)));
static struct hc_exit_stats a, b;

/* Every port address, reached by a 4-byte IN and OUT at each multiple of 4 (each access
 * spans four ports: the hypervisor splits it byte by byte where devices sit), and byte
 * accesses over the legacy range 0-0x3ff, where the guest platform's devices are. */
void cpu_ports(void)
{
    phase_begin("ports");
    guest_exit_stats(&a);
    unsigned faults = 0, ones = 0, accesses = 0;
    for (uint32_t p = 0; p < 0x10000; p += 4, accesses++) {
        uint32_t v = 0;
        faults += attack_inl((uint16_t)p, &v) != 0;
        ones += v == 0xffffffffu;
    }
    for (uint32_t p = 0; p < 0x400; p++, accesses++) {
        uint8_t v = 0;
        faults += attack_inb((uint16_t)p, &v) != 0;
    }
    /* Zero is what the guest platform's registers treat as "do nothing" (no reset, no sleep,
     * no PIT mode change); what matters is that no write reaches the machine. */
    for (uint32_t p = 0; p < 0x10000; p += 4, accesses++)
        faults += attack_outl((uint16_t)p, 0) != 0;
    for (uint32_t p = 0; p < 0x400; p++, accesses++)
        faults += attack_outb((uint16_t)p, 0) != 0;
    guest_exit_stats(&b);
    uint64_t io = b.exits[HC_EXIT_IO] - a.exits[HC_EXIT_IO];
    uint64_t unclaimed = b.unclaimed_port_accesses - a.unclaimed_port_accesses;
    gprintf("attack: ports: %u accesses (%u of 16384 4-byte reads all ones): %lu I/O exits, %lu "
            "unclaimed, %u faults\n", accesses, ones, io, unclaimed, faults);
    check("ports-every-access-exits", faults == 0 && io == accesses,
          "%u faults, %lu I/O exits for %u accesses", faults, io, accesses);
    /* The guest platform claims the UART, PIT, PM and PCI configuration ports; everything
     * else is nobody's, answered and counted by the hypervisor. */
    check("ports-unclaimed-counted", unclaimed >= accesses - 256 && unclaimed <= accesses,
          "%lu unclaimed of %u", unclaimed, accesses);
    phase_end("ports");
}

static bool skip_write(uint32_t m)
{
    /* The x2APIC registers are the interrupt attack's (irq.c); the TSC would move the
     * attacker's own clock back, which the phase timing uses. */
    return (m >= 0x800 && m <= 0x8ff) || m == 0x10 || m == 0x6e0;
}

void cpu_msrs(void)
{
    phase_begin("msrs");
    static const uint32_t ranges[][2] = {
        { 0x0, 0x1fff }, { 0x40000000u, 0x400000ffu }, { 0xc0000000u, 0xc0001fffu },
        { 0xc0010000u, 0xc0011fffu },
    };
    uint64_t efer0 = rdmsr(0xc0000080u), reads = 0, read_ok = 0, writes = 0, write_ok = 0;
    guest_exit_stats(&a);
    for (unsigned r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        for (uint32_t m = ranges[r][0];; m++) {
            uint64_t v = 0;
            int rc = probe_rdmsr(m, &v);
            reads++;
            read_ok += rc == 0;
            if (!skip_write(m)) {
                writes++;
                write_ok += probe_wrmsr(m, rc == 0 ? v : 0) == 0;
            }
            if (m == ranges[r][1])
                break;
        }
    }
    guest_exit_stats(&b);
    uint64_t exits = b.exits[HC_EXIT_MSR_READ] - a.exits[HC_EXIT_MSR_READ] +
                     b.exits[HC_EXIT_MSR_WRITE] - a.exits[HC_EXIT_MSR_WRITE];
    gprintf("attack: msrs: %lu reads (%lu allowed), %lu writes (%lu allowed), %lu MSR exits\n",
            reads, read_ok, writes, write_ok, exits);
    uint64_t efer1 = rdmsr(0xc0000080u);
    check("msrs-swept-guest-intact", efer1 == efer0 && hypercall(HC_PING, 0, 0, 0) == 0,
          "EFER 0x%lx -> 0x%lx", efer0, efer1);
    /* Most of these numbers are no MSR at all or one the policy refuses: the sweep must have
     * been refused far more often than allowed, and refused without the guest dying. */
    check("msrs-most-refused", read_ok < reads / 4 && write_ok < writes / 4,
          "%lu of %lu reads, %lu of %lu writes allowed", read_ok, reads, write_ok, writes);
    phase_end("msrs");
}

void cpu_cpuid(void)
{
    phase_begin("cpuid");
    uint32_t max_basic = cpuid(0, 0).a, max_ext = cpuid(0x80000000u, 0).a;
    uint64_t leaves = 0;
    uint32_t nested = 0;
    for (uint32_t base = 0; base < 8; base++) {
        /* Every leaf of each 0x10000000-wide range's first 256, sub-leaves 0-3 each. */
        for (uint32_t l = 0; l < 0x100; l++)
            for (uint32_t s = 0; s < 4; s++, leaves++)
                (void)cpuid(base * 0x20000000u + l, s);
        for (uint32_t l = 0; l < 0x100; l++, leaves++)
            (void)cpuid(base * 0x20000000u + 0x10000000u + l, 0);
    }
    for (uint32_t l = 0; l <= max_basic && l < 0x100; l++)
        for (uint32_t s = 0; s < 64; s++, leaves++)
            (void)cpuid(l, s);
    nested |= (cpuid(1, 0).c >> 5) & 1;                       /* VMX */
    if (max_ext >= 0x80000001u)
        nested |= ((cpuid(0x80000001u, 0).c >> 2) & 1) << 1;   /* SVM */
    struct cpuid_out sig = cpuid(HC_CPUID_LEAF_BASE, 0);
    gprintf("attack: cpuid: %lu leaf/sub-leaf pairs (basic max 0x%x, extended max 0x%x)\n", leaves,
            max_basic, max_ext);
    check("cpuid-no-virtualization-offered", nested == 0, "VMX %u SVM %u", nested & 1, nested >> 1);
    check("cpuid-hypervisor-leaf-intact", sig.b == *(const uint32_t *)"Exit" &&
              sig.c == *(const uint32_t *)"less" && sig.d == *(const uint32_t *)"HV\0\0",
          "signature 0x%x 0x%x 0x%x", sig.b, sig.c, sig.d);
    phase_end("cpuid");
}

void cpu_xsetbv(void)
{
    phase_begin("xsetbv");
    bool xsave = cpuid(1, 0).c & (1u << 26);
    if (!xsave) {
        gprintf("attack: xsetbv: this CPU has no XSAVE: XSETBV must raise #UD\n");
        check("xsetbv-without-xsave-ud", probe_xsetbv(0, 3) == VEC_UD, "XSETBV did not #UD");
        phase_end("xsetbv");
        return;
    }
    uint64_t cr4 = read_cr4();
    probe_set_cr4(cr4 | (1ull << 18));
    uint64_t supported = (uint64_t)cpuid(0xd, 0).a | (uint64_t)cpuid(0xd, 0).d << 32, x0 = 0;
    attack_xgetbv(0, &x0);
    struct { const char *what; uint32_t xcr; uint64_t v; } bad[] = {
        { "x87 off", 0, 0 }, { "x87 off, SSE on", 0, 2 }, { "AVX without SSE", 0, 5 },
        { "bit 63", 0, 3 | (1ull << 63) }, { "every bit", 0, ~0ull },
        { "beyond CPUID 0xd", 0, 3 | ~supported }, { "XCR1", 1, 3 }, { "XCR 0xffffffff", 0xffffffffu, 3 },
    };
    unsigned wrong = 0;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bad[i].v == (3 | ~supported) && !~supported)
            continue;
        int rc = probe_xsetbv(bad[i].xcr, bad[i].v);
        if (rc != VEC_GP) {
            wrong++;
            gprintf("attack: xsetbv: %s (XCR%u = 0x%lx): vector %d, want #GP\n", bad[i].what,
                    bad[i].xcr, bad[i].v, rc);
        }
    }
    uint64_t x1 = 0;
    attack_xgetbv(0, &x1);
    check("xsetbv-bad-values-gp", wrong == 0, "%u of the bad values were not refused with #GP", wrong);
    check("xsetbv-xcr0-kept", x1 == x0, "XCR0 0x%lx -> 0x%lx", x0, x1);
    phase_end("xsetbv");
}

void cpu_virt_insns(void)
{
    phase_begin("virt");
    struct { const char *name; int (*fn)(void *); bool intel; } insn[] = {
        { "vmxoff", attack_vmxoff, true }, { "vmptrld", attack_vmptrld, true },
        { "vmclear", attack_vmclear, true }, { "vmptrst", attack_vmptrst, true },
        { "vmread", attack_vmread, true }, { "vmwrite", attack_vmwrite, true },
        { "vmlaunch", attack_vmlaunch, true }, { "vmresume", attack_vmresume, true },
        { "invept", attack_invept, true }, { "invvpid", attack_invvpid, true },
        { "vmfunc", attack_vmfunc, true }, { "getsec", attack_getsec, true },
        { "vmload", attack_vmload, false }, { "vmsave", attack_vmsave, false },
        { "stgi", attack_stgi, false }, { "clgi", attack_clgi, false },
        { "skinit", attack_skinit, false }, { "invlpga", attack_invlpga, false },
    };
    /* The CPU's own vendor's instructions must raise #UD (the hypervisor intercepts them or
     * the CPU refuses them outright); the other vendor's are logged as the CPU answers them
     * (an emulator need not refuse every one). */
    bool amd = guest_vmmcall;
    unsigned own = 0, own_ud = 0;
    uint64_t vmxon_region = (uint64_t)scratch;
    int on = probe_vmxon(&vmxon_region), run = probe_vmrun();
    gprintf("attack: virt: vmxon: vector %d, vmrun: vector %d\n", on, run);
    own++, own_ud += (amd ? run : on) == VEC_UD;
    for (unsigned i = 0; i < sizeof(insn) / sizeof(insn[0]); i++) {
        int rc = insn[i].fn(scratch);
        gprintf("attack: virt: %s: vector %d%s\n", insn[i].name, rc,
                rc ? "" : " (no exception: this CPU model completes it; not its vendor's instruction)");
        if (insn[i].intel != amd) {
            own++;
            own_ud += rc == VEC_UD;
        }
    }
    check("virt-own-vendor-ud", own_ud == own, "%u of %u of the CPU vendor's instructions raised #UD",
          own_ud, own);
    check("virt-guest-intact", hypercall(HC_PING, 0, 0, 0) == 0, "HC_PING failed");
    phase_end("virt");
}
