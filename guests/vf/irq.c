/* vf case=irq: MSI-X of the guest's own VF, exitless. Entry 0 names this core and a guest
 * vector; the VF raises it N times through its interrupt cause set register (EICS) and each
 * arrives in the guest's IDT with no exit. Entry 1 names a core that is not the guest's,
 * entry 2 a vector no guest owns: the hypervisor leaves both masked on the device, so the VF's
 * messages stay pending in its PBA and nothing arrives (no interrupt, no exit). Fixing
 * entry 1 then lets its held message through, once. Last, the same through an alias of the
 * table page that its own page tables map at linear 1 TiB (the protection is per
 * guest-physical page): a foreign destination written there is refused too, and a good
 * entry written there is followed. */
#include "vf.h"

#define N_IRQS       50
#define VEC_OK       0x50
#define VEC_FOREIGN  0x51       /* a guest vector, but aimed at another core */
#define VEC_LATE     0x52       /* entry 1 once it names this core */
/* Below every guest's vectors in either mode (0x00-0x1f are the CPU's exceptions); the
 * hypervisor's own vectors above 0xe0 belong to exitless guests on their cores. */
#define VEC_UNOWNED  0x1f
#define CAUSE(i)     (1u << (i)) /* VF cause i raises MSI-X entry i (no IVAR needed) */
#define ALL_CAUSES   0x7u
#define MSR_EOI      0x80b
#define IRQ_WAIT_US  1000000
#define QUIET_US     200000

#define ALIAS_WIN    0x10000000000ull   /* PML4 slot 2 */
#define PTE_P_RW     3ull

static volatile uint64_t n_ok, n_foreign, n_late, raised_at, lat_sum;
static uint64_t alias_pdpt[512] __attribute__((aligned(4096)));
static uint64_t alias_pd[512] __attribute__((aligned(4096)));
static uint64_t alias_pt[512] __attribute__((aligned(4096)));

/* The MSI-X table as reached through a second linear mapping of its page. */
static volatile uint32_t *table_alias(volatile uint32_t *table)
{
    uint64_t cr3, gpa = (uint64_t)table;        /* linear = guest-physical below 4 GiB */
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    uint64_t *pml4 = (uint64_t *)(cr3 & ~0xfffull);
    alias_pt[0] = (gpa & ~0xfffull) | PTE_P_RW;
    alias_pd[0] = (uint64_t)alias_pt | PTE_P_RW;
    alias_pdpt[0] = (uint64_t)alias_pd | PTE_P_RW;
    pml4[2] = (uint64_t)alias_pdpt | PTE_P_RW;
    __asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
    return (volatile uint32_t *)(ALIAS_WIN + (gpa & 0xfff));
}

static void on_ok(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    lat_sum += rdtsc() - raised_at;
    n_ok++;
    wrmsr(MSR_EOI, 0);
}
static void on_foreign(uint8_t v, uint64_t e) { (void)v; (void)e; n_foreign++; wrmsr(MSR_EOI, 0); }
static void on_late(uint8_t v, uint64_t e) { (void)v; (void)e; n_late++; wrmsr(MSR_EOI, 0); }

/* Spins with interrupts on until *count reaches want or `us` passes. */
static bool wait_for(volatile uint64_t *count, uint64_t want, uint64_t us)
{
    uint64_t end = deadline_us(us);
    while (*count < want)
        if (rdtsc() >= end)
            return false;
        else
            __asm__ volatile("sti; pause");
    return true;
}

static bool mine(const struct exitless_boot_info *bi, uint32_t apic)
{
    for (uint32_t i = 0; i < bi->nvcpus; i++)
        if (bi->apic_ids[i] == apic)
            return true;
    return false;
}

static struct hc_exit_stats s0, s1;

/* "kind=count ..." of the exits between s0 and s1, the statistics calls left out. */
static void exit_kinds(char *buf, unsigned size)
{
    unsigned n = 0;
    buf[0] = 0;
    for (unsigned k = 0; k < HC_EXIT_KINDS && n + 1 < size; k++) {
        uint64_t d = s1.exits[k] - s0.exits[k] - (k == HC_EXIT_HYPERCALL);
        if (d)
            n += (unsigned)gsnprintf(buf + n, size - n, "%s%u=%lu", n ? " " : "", k, d);
    }
}

int case_irq(const struct exitless_boot_info *bi)
{
    struct vf vf = { 0 };
    (void)us_to_cycles(1);              /* the TSC rate's CPUID exit, before any count */
    if (!vf_find(&vf))
        return 1;
    /* mode=injected (make bench's baseline): the same interrupts, each exiting and injected. */
    bool injected = guest_has_word(bi->cmdline, "mode=injected");
    const char *mode = injected ? "injected" : "exitless";
    uint32_t me = bi->apic_ids[0], other = me + 1;
    while (mine(bi, other))
        other++;
    vf_wr(&vf, VF_EIMC, ALL_CAUSES);
    vf_wr(&vf, VF_EIAC, ALL_CAUSES);   /* a cause clears itself when its message is sent */
    vf_wr(&vf, VF_EICR, ALL_CAUSES);
    msix_set(&vf, 0, me, VEC_OK, false);
    msix_set(&vf, 1, other, VEC_FOREIGN, false);
    msix_set(&vf, 2, me, VEC_UNOWNED, false);
    guest_set_handler(VEC_OK, on_ok);
    guest_set_handler(VEC_FOREIGN, on_foreign);
    guest_set_handler(VEC_LATE, on_late);
    msix_enable(&vf, true);
    volatile uint32_t *t = vf.msix;
    vcheck("msix-table-reads-back", t[0] == (0xfee00000u | me << 12) && t[2] == VEC_OK && t[3] == 0 &&
           t[4] == (0xfee00000u | other << 12) && t[6] == VEC_FOREIGN && t[10] == VEC_UNOWNED,
           "entry 0 0x%x/0x%x/0x%x, entry 1 0x%x/0x%x, entry 2 data 0x%x (the guest's own view)",
           t[0], t[2], t[3], t[4], t[6], t[10]);
    vf_wr(&vf, VF_EIMS, ALL_CAUSES);

    /* N interrupts, each raised by the VF itself once the previous one has arrived. */
    bool ok = true;
    guest_exit_stats(&s0);
    for (uint64_t i = 1; i <= N_IRQS && ok; i++) {
        raised_at = rdtsc();
        vf_wr(&vf, VF_EICS, CAUSE(0));
        ok = wait_for(&n_ok, i, IRQ_WAIT_US);
    }
    guest_exit_stats(&s1);
    vcheck("vf-interrupts", ok && n_ok == N_IRQS && n_foreign == 0 && n_late == 0,
           "%lu of %d MSI-X interrupts arrived on vector 0x%x (stray: %lu on 0x%x, %lu on 0x%x)",
           n_ok, N_IRQS, VEC_OK, n_foreign, VEC_FOREIGN, n_late, VEC_LATE);
    uint64_t exits = s1.total_exits - s0.total_exits - 1; /* the second statistics call */
    char kinds[120];
    exit_kinds(kinds, sizeof(kinds));
    if (injected)
        vcheck("vf-interrupts-injected-exits", exits >= N_IRQS, "%lu exits for %d interrupts (by "
               "kind: %s)", exits, N_IRQS, kinds);
    else
        vcheck("vf-interrupts-no-exits", exits == 0, "%lu exits for %d interrupts (by kind: %s; "
               "hypervisor interrupts %lu)", exits, N_IRQS, kinds, s1.hv_interrupts - s0.hv_interrupts);
    gprintf("BENCH %s-vf-msix-exits-per-10k %lu exits\n", mode, exits * 10000 / N_IRQS);
    if (n_ok)
        gprintf("BENCH %s-vf-msix-latency-avg %lu cycles\n", mode, lat_sum / n_ok);

    /* The refused entries: the VF raises both causes, the device holds both messages. */
    guest_exit_stats(&s0);
    vf_wr(&vf, VF_EICS, CAUSE(1) | CAUSE(2));
    for (uint64_t end = deadline_us(QUIET_US); rdtsc() < end;)
        __asm__ volatile("sti; pause");
    guest_exit_stats(&s1);
    bool held1 = msix_pending(&vf, 1), held2 = msix_pending(&vf, 2);
    exits = s1.total_exits - s0.total_exits - 1;
    vcheck("msix-other-core-refused", held1 && n_foreign == 0 && n_ok == N_IRQS,
           "entry 1 (APIC id %u, vector 0x%x): message %s in the VF's PBA, %lu interrupts arrived",
           other, VEC_FOREIGN, held1 ? "pending" : "NOT pending (sent?)", n_foreign);
    vcheck("msix-unowned-vector-refused", held2 && exits == 0 && s1.hv_interrupts == s0.hv_interrupts,
           "entry 2 (vector 0x%x): message %s in the VF's PBA; %lu exits, %lu hypervisor interrupts "
           "on this core meanwhile", VEC_UNOWNED, held2 ? "pending" : "NOT pending (sent?)", exits,
           s1.hv_interrupts - s0.hv_interrupts);

    /* Entry 1 fixed to name this core: the held message arrives, once. */
    msix_set(&vf, 1, me, VEC_LATE, false);
    bool late = wait_for(&n_late, 1, IRQ_WAIT_US);
    for (uint64_t end = deadline_us(QUIET_US); rdtsc() < end;)
        __asm__ volatile("sti; pause");
    vcheck("msix-held-message-delivered-when-allowed", late && n_late == 1 && !msix_pending(&vf, 1) &&
           n_foreign == 0, "%lu interrupts on 0x%x after entry 1 was fixed (want 1), PBA bit %s",
           n_late, VEC_LATE, msix_pending(&vf, 1) ? "still set" : "clear");

    /* Through the alias: entry 1 aimed at another core again (refused, held), then at this
     * core on VEC_LATE (followed: the held message arrives). */
    struct vf alias = vf;
    alias.msix = table_alias(vf.msix);
    msix_set(&alias, 1, other, VEC_FOREIGN, false);
    vf_wr(&vf, VF_EICS, CAUSE(1));
    for (uint64_t end = deadline_us(QUIET_US); rdtsc() < end;)
        __asm__ volatile("sti; pause");
    bool held = msix_pending(&vf, 1);
    vcheck("msix-alias-other-core-refused", held && n_foreign == 0 && vf.msix[4] == alias.msix[4],
           "entry 1 written through linear 0x%lx (APIC id %u): message %s in the VF's PBA, %lu "
           "interrupts on 0x%x", (uint64_t)alias.msix, other, held ? "pending" : "NOT pending",
           n_foreign, VEC_FOREIGN);
    /* A remappable-format address (bit 4: an IRTE handle, here 1, with SHV) on this core's
     * APIC id bits: the guest has no remapping table; refused too, the message held. */
    volatile uint32_t *e1 = alias.msix + 4;
    e1[3] = 1;                                          /* masked while it is written */
    e1[0] = 0xfee00000u | 1u << 5 | 1u << 4 | 1u << 3 | me << 12;
    e1[1] = 0;
    e1[2] = VEC_LATE;
    e1[3] = 0;
    vf_wr(&vf, VF_EICS, CAUSE(1));
    for (uint64_t end = deadline_us(QUIET_US); rdtsc() < end;)
        __asm__ volatile("sti; pause");
    bool held_rf = msix_pending(&vf, 1);
    vcheck("msix-remappable-format-refused", held_rf && n_late == 1 && n_foreign == 0,
           "entry 1 in remappable format (handle 1): message %s in the VF's PBA, %lu interrupts on 0x%x",
           held_rf ? "pending" : "NOT pending", n_late, VEC_LATE);
    msix_set(&alias, 1, me, VEC_LATE, false);
    late = wait_for(&n_late, 2, IRQ_WAIT_US);
    vcheck("msix-alias-write-followed", late && n_late == 2 && n_foreign == 0,
           "entry 1 fixed through the alias: %lu interrupts on 0x%x in all (want 2)", n_late, VEC_LATE);
    vf_wr(&vf, VF_EIMC, ALL_CAUSES);
    msix_enable(&vf, false);
    return 0;
}
