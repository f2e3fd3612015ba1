/* The guest's CPUID topology and frequency leaves (pure). The guest's vCPUs are one package
 * of single-thread cores whose APIC ids are its physical cores' (the MADT lists the same):
 * a package id is an APIC id shifted right by cpuid_topo_shift, the same for all of them.
 * Linux 6.1 reads this through leaf 0xb/0x1f (arch/x86/kernel/cpu/topology.c), leaf 4
 * (cacheinfo.c, Intel), leaf 0x80000008 ECX (amd.c, without TOPOEXT, which is hidden). */
#include "vmm/cpuid_policy.h"
#include "vmm/cpuid_policy_priv.h"

#define L1_EBX_LOGICAL_SHIFT 16
#define L1_EBX_APIC_SHIFT 24
#define L1_EBX_KEEP 0xffffu         /* brand index, CLFLUSH line size */
#define L1_EDX_HTT (1u << 28)       /* EBX[23:16] is valid (more than one logical CPU) */

#define L4_TYPE(eax) ((eax) & 0x1fu)
#define L4_LEVEL(eax) (((eax) >> 5) & 7u)
#define L4_SHARING_SHIFT 14         /* EAX[25:14]: logical ids sharing the cache, minus 1 */
#define L4_SHARING_MASK (0xfffu << L4_SHARING_SHIFT)
#define L4_CORES_SHIFT 26           /* EAX[31:26]: core ids in the package, minus 1 */
#define L4_CORES_MASK (0x3fu << L4_CORES_SHIFT)

#define LB_TYPE_SHIFT 8             /* ECX[15:8]: level type */
#define LB_TYPE_SMT 1u
#define LB_TYPE_CORE 2u
#define LB_COUNT_MASK 0xffffu       /* EBX[15:0]: logical processors at this level */

#define E8_ECX_NC_MASK 0xffu        /* threads in the package, minus 1 */
#define E8_ECX_IDSIZE_SHIFT 12      /* APIC id bits for them */

static uint32_t ids_in_package(const struct cpuid_guest *g) { return 1u << g->topo_shift; }

void cpuid_topo_leaf1(const struct cpuid_guest *g, struct cpuid_regs *r)
{
    uint32_t ids = ids_in_package(g);
    if (ids > 255)
        ids = 255;
    r->ebx = (r->ebx & L1_EBX_KEEP) | (ids << L1_EBX_LOGICAL_SHIFT) |
             ((g->apic_id & 0xffu) << L1_EBX_APIC_SHIFT);
    if (ids > 1)
        r->edx |= L1_EDX_HTT;
    else
        r->edx &= ~L1_EDX_HTT;
}

/* Deterministic cache parameters: L1 and L2 belong to one core (the guest's cores run one
 * thread each), the caches from L3 on are the package's, shared by all its cores. */
static void leaf4(const struct cpuid_guest *g, struct cpuid_regs *r)
{
    if (g->amd || L4_TYPE(r->eax) == 0) {
        if (g->amd)
            *r = (struct cpuid_regs){ 0 };  /* reserved on AMD */
        return;
    }
    uint32_t ids = ids_in_package(g);
    uint32_t cores = ids - 1 > 0x3f ? 0x3f : ids - 1;
    uint32_t sharing = L4_LEVEL(r->eax) >= 3 ? ids - 1 : 0;
    r->eax = (r->eax & ~(L4_SHARING_MASK | L4_CORES_MASK)) | (sharing << L4_SHARING_SHIFT) |
             (cores << L4_CORES_SHIFT);
}

/* Extended topology (SDM vol. 2, CPUID leaf 0BH / 1FH): SMT level of one thread, core level
 * holding the guest's vCPUs, then the invalid level that ends the list. */
static void leaf_b(const struct cpuid_guest *g, uint32_t sub, struct cpuid_regs *r)
{
    switch (sub) {
    case 0:
        *r = (struct cpuid_regs){ .eax = 0, .ebx = 1, .ecx = sub | (LB_TYPE_SMT << LB_TYPE_SHIFT) };
        break;
    case 1:
        *r = (struct cpuid_regs){ .eax = g->topo_shift, .ebx = g->nvcpus & LB_COUNT_MASK,
                                  .ecx = sub | (LB_TYPE_CORE << LB_TYPE_SHIFT) };
        break;
    default:
        *r = (struct cpuid_regs){ .ecx = sub & 0xffu };
        break;
    }
    r->edx = g->apic_id;
}

/* Leaf 0x15: the crystal and its ratio to the TSC (SDM vol. 2, CPUID leaf 15H). The host's
 * when it is what the hypervisor's own frequency came from (on real hardware the crystal is
 * also the LAPIC timer's clock); else crystal = TSC, ratio 1/1 (where the host's claim was
 * wrong, as under Bochs, whose TSC and LAPIC timer both count instructions). A TSC beyond
 * 2^32 - 1 Hz takes a ratio k/1 with the crystal TSC/k. */
static void leaf15(const struct cpuid_guest *g, struct cpuid_regs *r)
{
    if (g->host_leaf15_true && g->host_max_basic >= 0x15 && r->eax && r->ebx && r->ecx) {
        r->edx = 0;
        return;
    }
    uint64_t k = g->tsc_hz / 0x100000000ull + 1;
    *r = (struct cpuid_regs){ .eax = 1, .ebx = (uint32_t)k, .ecx = (uint32_t)(g->tsc_hz / k) };
    if (!g->tsc_hz)
        *r = (struct cpuid_regs){ 0 };
}

void cpuid_topo_leaf(const struct cpuid_guest *g, uint32_t leaf, uint32_t sub,
                     struct cpuid_regs *r)
{
    uint32_t mhz = (uint32_t)((g->tsc_hz + 500000) / 1000000);
    switch (leaf) {
    case 4: leaf4(g, r); break;
    case 0xb: case 0x1f: leaf_b(g, sub, r); break;
    case 0x15: leaf15(g, r); break;
    case 0x16:                  /* base and maximum MHz; the bus clock not enumerated */
        *r = (struct cpuid_regs){ .eax = mhz & 0xffffu, .ebx = mhz & 0xffffu };
        break;
    default: break;
    }
}

/* AMD: NC + 1 cores in the package, APIC ids of ApicIdSize bits (APM vol. 3, E.4.7). Linux
 * takes cores = NC + 1 and package = APIC id >> ApicIdSize. Reserved (zero) on Intel. */
void cpuid_topo_ext8(const struct cpuid_guest *g, struct cpuid_regs *r)
{
    if (!g->amd) {
        r->ecx = 0;
        return;
    }
    uint32_t nc = g->nvcpus ? g->nvcpus - 1 : 0;
    r->ecx = (nc & E8_ECX_NC_MASK) | ((g->topo_shift & 0xfu) << E8_ECX_IDSIZE_SHIFT);
}

uint32_t cpuid_topo_shift(const uint32_t *apic_ids, uint32_t n)
{
    uint32_t s = 0;
    while (s < 31 && (1u << s) < n)
        s++;
    for (; s < 31; s++) {
        bool same = true;
        for (uint32_t i = 1; i < n && same; i++)
            same = (apic_ids[i] >> s) == (apic_ids[0] >> s);
        if (same)
            return s;
    }
    return 31;
}
