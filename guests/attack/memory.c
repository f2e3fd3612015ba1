/* attack: loads from, then stores to, guest-physical addresses the guest does not own. Loads
 * must come back all ones (nothing there, as on a PC's bus) and leave it running; each store
 * must stop it. Addresses above 4 GiB, which the loader's identity map does not cover, are
 * reached through a 2 MiB window this guest maps itself at linear 512 GiB. */
#include "attack.h"

#define WINDOW 0x8000000000ull      /* PML4 slot 1 */
#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_PS 0x80ull
#define MB2 0x200000ull

static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

struct region {
    const char *name;
    uint64_t gpa;           /* 0: the first byte past its RAM */
};

/* Every kind of guest-physical address the guest has nothing at: past its RAM, the PCI holes
 * (where PCI BARs, ECAM and the firmware live on the host), the IOAPIC, HPET, VT-d and LAPIC
 * pages, the top of the 32-bit space, and high addresses up to its MAXPHYADDR. */
static const struct region low[] = {
    { "past-ram", 0 }, { "pci-hole-80000000", 0x80000000ull }, { "ecam-b0000000", 0xb0000000ull },
    { "pci-hole-c0000000", 0xc0000000ull }, { "pci-hole-e0000000", 0xe0000000ull },
    { "ioapic-fec00000", 0xfec00000ull }, { "hpet-fed00000", 0xfed00000ull },
    { "vtd-fed90000", 0xfed90000ull }, { "lapic-fee00000", 0xfee00000ull },
    { "bios-ffff0000", 0xffff0000ull },
};

static unsigned maxphyaddr(void)
{
    unsigned n = cpuid(0x80000000u, 0).a >= 0x80000008u ? cpuid(0x80000008u, 0).a & 0xff : 36;
    return n ? n : 36;
}

/* The linear address that reaches guest-physical `gpa`. */
static uint64_t reach(uint64_t gpa)
{
    if (gpa < (4ull << 30))
        return gpa;
    static bool mapped;
    if (!mapped) {
        uint64_t cr3;
        __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
        uint64_t *pml4 = (uint64_t *)(cr3 & ~0xfffull);
        pdpt[0] = (uint64_t)pd | PTE_P | PTE_RW;
        pml4[1] = (uint64_t)pdpt | PTE_P | PTE_RW;
        mapped = true;
    }
    pd[0] = (gpa & ~(MB2 - 1)) | PTE_P | PTE_RW | PTE_PS;
    __asm__ volatile("invlpg (%0)" ::"r"(WINDOW) : "memory");
    return WINDOW + (gpa & (MB2 - 1));
}

static uint64_t load64(uint64_t a)
{
    uint64_t r = 0x1122334455667788ull;
    __asm__ volatile("movq (%1), %0" : "+r"(r) : "r"(a) : "memory");
    return r;
}

static void read_one(const char *name, uint64_t gpa)
{
    char n[64];
    gsnprintf(n, sizeof(n), "read-%s", name);
    uint64_t got = load64(reach(gpa));
    check(n, got == ~0ull, "8 bytes at guest-physical 0x%lx gave 0x%lx, want all ones", gpa, got);
}

void memory_reads(void)
{
    phase_begin("reads");
    for (unsigned i = 0; i < sizeof(low) / sizeof(low[0]); i++)
        read_one(low[i].name, low[i].gpa ? low[i].gpa : bi->mem_size);
    unsigned top = maxphyaddr(), n = 0, bad = 0;
    uint64_t first_bad = 0, got_bad = 0;
    /* 4 GiB, every power of two above it, and the last 2 MiB below 2^MAXPHYADDR. */
    for (unsigned b = 32; b <= top; b++) {
        uint64_t gpa = b < top ? 1ull << b : (1ull << top) - MB2;
        uint64_t got = load64(reach(gpa));
        n++;
        if (got != ~0ull && !bad++)
            first_bad = gpa, got_bad = got;
    }
    gprintf("attack: reads: %u high addresses from 4 GiB to 2^%u\n", n, top);
    check("read-high-to-maxphyaddr", bad == 0, "%u of %u gave data; first 0x%lx: 0x%lx", bad, n,
          first_bad, got_bad);
    phase_end("reads");
}

static const struct region stores[] = {
    { "past-ram", 0 }, { "lapic-fee00000", 0xfee00000ull }, { "ioapic-fec00000", 0xfec00000ull },
    { "vtd-fed90000", 0xfed90000ull }, { "pci-hole-e0000000", 0xe0000000ull }, { "high", ~0ull },
};

unsigned memory_writes(void) { return sizeof(stores) / sizeof(stores[0]); }

void memory_write(unsigned which)
{
    const struct region *r = &stores[which];
    uint64_t gpa = r->gpa == 0 ? bi->mem_size + 0x1000 : r->gpa == ~0ull ? 1ull << (maxphyaddr() - 1)
                                                                          : r->gpa;
    gprintf("attack: write-%s: storing at guest-physical 0x%lx: the hypervisor must stop me\n",
            r->name, gpa);
    volatile uint32_t *p = (volatile uint32_t *)reach(gpa);
    *p = 0xdeadbeef;
    char n[64];
    gsnprintf(n, sizeof(n), "write-%s-stopped", r->name);
    check(n, false, "the store at 0x%lx completed (reads back 0x%x)", gpa, *p);
    guest_stop(1);
}
