/* SMP bring-up: trampoline below 1 MiB, INIT-SIPI-SIPI per AP (SDM vol. 3, 9.4.4.1), each AP
 * with its own guarded stacks, GDT/TSS and percpu struct, then idle. */
#include <string.h>

#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/gdt.h"
#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/xcall.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"

#define INIT_DEASSERT_WAIT_US 10000 /* SDM 9.4.4.1: 10 ms after INIT */
#define SIPI_WAIT_US          200   /* 200 us after each SIPI */
#define CHECKIN_TIMEOUT_US    1000000
#define AP_STACK_SIZE         0x4000
#define PML4_KERNEL_FIRST     256   /* entries 256-511: the kernel's upper half */
#define PT_ENTRIES            512
#define FOUR_GIB              (4ull << 30)

extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const char tr_gdtr_base[], tr_pm32_ptr[], tr_lm64_ptr[], tr_cr3[], tr_kernel_cr3[];
extern const char tr_stack[], tr_arg[], tr_entry[], tr_gdt[], tr_pm32[], tr_lm64[];
extern char ap_entry64[];
void ap_main(struct percpu *p);

static struct cpu_gdt ap_gdts[MAX_CPUS];
static uint64_t tramp_phys;         /* trampoline page, below 1 MiB */
static uint64_t tramp_pml4;         /* its page tables, below 4 GiB */
static volatile uint32_t stop_all;  /* set by the panic path */

static uint64_t tr_off(const char *sym)
{
    return (uint64_t)(uintptr_t)(sym - ap_trampoline_start);
}

static void tr_put32(const char *sym, uint32_t v)
{
    memcpy((char *)phys_to_virt(tramp_phys) + tr_off(sym), &v, sizeof(v));
}

static void tr_put64(const char *sym, uint64_t v)
{
    memcpy((char *)phys_to_virt(tramp_phys) + tr_off(sym), &v, sizeof(v));
}

/* Own tables for the trampoline: the low 2 MiB identity-mapped (the trampoline runs there
 * while it turns paging on) plus the kernel's upper-half PML4 entries, so the hypervisor's
 * tables never need an identity map. */
static bool trampoline_setup(void)
{
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
    ASSERT(len <= PAGE_SIZE);
    tramp_phys = frames_alloc_below(1, PAGE_SIZE, MM_LOW_LIMIT);
    uint64_t tables = frames_alloc_below(3, PAGE_SIZE, FOUR_GIB);
    if (tramp_phys == FRAME_NONE || tables == FRAME_NONE) {
        log_err("smp", "no memory below 1 MiB / 4 GiB for the AP trampoline: APs stay off");
        return false;
    }
    tramp_pml4 = tables;
    uint64_t *pml4 = phys_to_virt(tables);
    uint64_t *pdpt = phys_to_virt(tables + PAGE_SIZE);
    uint64_t *pd = phys_to_virt(tables + 2 * PAGE_SIZE);
    const uint64_t *kernel_pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
    pdpt[0] = (tables + 2 * PAGE_SIZE) | PTE_P | PTE_W;
    pml4[0] = (tables + PAGE_SIZE) | PTE_P | PTE_W;
    for (int i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
        pml4[i] = kernel_pml4[i];

    memcpy(phys_to_virt(tramp_phys), ap_trampoline_start, len);
    tr_put32(tr_gdtr_base, (uint32_t)(tramp_phys + tr_off(tr_gdt)));
    tr_put32(tr_pm32_ptr, (uint32_t)(tramp_phys + tr_off(tr_pm32)));
    tr_put32(tr_lm64_ptr, (uint32_t)(tramp_phys + tr_off(tr_lm64)));
    tr_put64(tr_cr3, tramp_pml4);
    tr_put64(tr_kernel_cr3, read_cr3());
    tr_put64(tr_entry, (uint64_t)(uintptr_t)ap_entry64);
    log_info("smp", "AP trampoline at %#lx (%lu bytes), its page tables at %#lx", tramp_phys,
             (unsigned long)len, tramp_pml4);
    return true;
}

static void prepare_stacks(struct percpu *p)
{
    p->stack_size = AP_STACK_SIZE;
    p->stack_top = mm_alloc_stack(AP_STACK_SIZE);
    for (int i = 0; i < IST_COUNT; i++)
        p->ist_top[i] = mm_alloc_stack(IST_STACK_SIZE);
    p->gdt = &ap_gdts[p->cpu_id];
}

static bool wait_online(const struct percpu *p, uint64_t us)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(us);
    while (!p->remote.online) {
        if ((int64_t)(rdtsc() - end) > 0)
            return false;
        cpu_relax();
    }
    return true;
}

/* INIT, 10 ms, SIPI, 200 us, second SIPI only if the first did not start it. */
static bool start_ap(struct percpu *p)
{
    uint8_t sipi_page = (uint8_t)(tramp_phys >> 12);
    tr_put64(tr_stack, p->stack_top);
    tr_put64(tr_arg, (uint64_t)(uintptr_t)p);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    lapic_send_ipi(p->apic_id, ICR_INIT | ICR_LEVEL_ASSERT, 0);
    udelay(INIT_DEASSERT_WAIT_US);
    lapic_send_ipi(p->apic_id, ICR_STARTUP, sipi_page);
    udelay(SIPI_WAIT_US);
    if (!p->remote.online) {
        lapic_send_ipi(p->apic_id, ICR_STARTUP, sipi_page);
        udelay(SIPI_WAIT_US);
    }
    if (wait_online(p, CHECKIN_TIMEOUT_US))
        return true;
    /* Park it again so a late start cannot run on the next AP's stack. */
    lapic_send_ipi(p->apic_id, ICR_INIT | ICR_LEVEL_ASSERT, 0);
    return false;
}

static void checkin(struct percpu *p, const char *what)
{
    uint32_t hw = lapic_id();
    p->remote.checkins++;
    log_info("smp", "check-in: cpu %u, APIC id %u (%s)%s", p->cpu_id, hw, what,
             hw == p->apic_id ? "" : ", but the MADT said another APIC id");
    __atomic_store_n(&p->remote.online, 1, __ATOMIC_RELEASE);
}

void smp_checkin_bsp(void)
{
    checkin(this_cpu(), "boot CPU");
}

void ap_main(struct percpu *p)
{
    percpu_load(p);
    gdt_load(p->gdt, p->ist_top);
    idt_load();
    lapic_init_cpu(p->acpi_uid);
    timer_init_cpu();
    checkin(p, "application processor");
    cpu_idle_loop();
}

void cpu_idle_loop(void)
{
    struct percpu_remote *r = &this_cpu()->remote;
    for (;;) {
        if (stop_all)
            cpu_halt_forever();
        void (*fn)(void *) = __atomic_load_n(&r->role_fn, __ATOMIC_ACQUIRE);
        if (fn) {
            void *arg = r->role_arg;
            __atomic_store_n(&r->role_fn, NULL, __ATOMIC_RELEASE);
            fn(arg);
            continue;
        }
        __asm__ volatile("sti; hlt; cli" ::: "memory"); /* sti's shadow covers the hlt */
    }
}

static void wake_only(void *arg) { (void)arg; }

int smp_assign_role(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
    struct percpu *p = percpu_of(cpu);
    if (!p || cpu == current_cpu_id() || !p->remote.online || p->remote.role_fn)
        return -1;
    p->remote.role_arg = arg;
    __atomic_store_n(&p->remote.role_fn, fn, __ATOMIC_RELEASE);
    /* A cross-call's IPI wakes it from HLT; the idle loop then finds the role. */
    return xcall_run(cpu, wake_only, NULL) == 0 ? 0 : -1;
}

uint32_t smp_boot_aps(void)
{
    const struct acpi_info *ai = acpi_get();
    struct percpu *bsp = this_cpu();
    uint32_t bsp_apic = bsp->apic_id, next = 1, failed = 0, skipped = 0;
    if (!ai || !ai->madt.present) {
        log_warn("smp", "no MADT: running on the boot CPU only");
        return 1;
    }
    if (!trampoline_setup())
        return 1;
    for (unsigned i = 0; i < ai->madt.ncpus; i++) {
        const struct acpi_cpu *c = &ai->madt.cpus[i];
        if (c->apic_id == bsp_apic)
            continue;
        if (!(c->flags & ACPI_CPU_ENABLED)) {
            skipped++; /* online-capable: hot-plug is not supported */
            continue;
        }
        if (next >= MAX_CPUS) {
            log_warn("smp", "APIC id %u and later left out: more than %u CPUs", c->apic_id,
                     MAX_CPUS);
            break;
        }
        struct percpu *p = percpu_prepare(next++, c->apic_id, c->uid);
        prepare_stacks(p);
        uint64_t t0 = rdtsc();
        if (start_ap(p)) {
            log_debug("smp", "cpu %u started in %lu us", p->cpu_id,
                      tsc_cycles_to_us(rdtsc() - t0));
        } else {
            failed++;
            log_err("smp", "cpu %u (APIC id %u) did not check in within %u ms: left out",
                    p->cpu_id, p->apic_id, CHECKIN_TIMEOUT_US / 1000);
        }
    }
    uint32_t online = cpus_online();
    log_info("smp", "%u of %u CPUs online (%u failed to start, %u online-capable not started); "
                    "APs idle in sti;hlt", online, cpu_count(), failed, skipped);
    return online;
}

void smp_stop_others(void)
{
    stop_all = 1;
    if (lapic_ready() && cpus_online() > 1)
        lapic_send_ipi_all_but_self(ICR_NMI, 0);
}

bool smp_handle_nmi(void)
{
    struct percpu *c = this_cpu();
    if (stop_all)
        cpu_halt_forever();
    if (c->remote.nmis_seen < c->remote.nmis_expected) {
        c->remote.nmis_seen++;
        return true;
    }
    /* A kick: its only job was to make the core leave guest mode (or wake from HLT); the
     * code it interrupted looks at the reason. On a core that runs vCPUs an NMI without a
     * flag is a later kick whose flag an earlier NMI's handler already took (two kicks can
     * be in flight: the second is latched while the first is handled). */
    if (__atomic_exchange_n(&c->remote.kick_nmi, 0, __ATOMIC_ACQ_REL) || c->kick_target)
        return true;
    /* Nobody's: a device's message (a DMA write at the interrupt address where remapping
     * does not block it), the platform's. Counted, not fatal: whoever can send an NMI must
     * not be able to stop the hypervisor. No logging here (a lock the interrupted code may
     * hold): the management loop reports the count. */
    __atomic_add_fetch(&c->remote.nmis_unknown, 1, __ATOMIC_RELAXED);
    return true;
}

void smp_report_unknown_nmis(void)
{
    static uint64_t reported[MAX_CPUS];
    for (uint32_t i = 0; i < cpu_count() && i < MAX_CPUS; i++) {
        struct percpu *c = percpu_of(i);
        if (!c)
            continue;
        uint64_t n = __atomic_load_n(&c->remote.nmis_unknown, __ATOMIC_RELAXED);
        if (n != reported[i]) {
            log_warn("smp", "CPU %u: %lu NMI(s) nobody sent (a device or the platform): ignored, "
                            "%lu so far", i, n - reported[i], n);
            reported[i] = n;
        }
    }
}

void smp_kick_nmi(uint32_t cpu)
{
    struct percpu *t = percpu_of(cpu);
    if (!t || !t->remote.online)
        return;
    __atomic_store_n(&t->remote.kick_nmi, 1, __ATOMIC_RELEASE);
    lapic_send_ipi(t->apic_id, ICR_NMI, 0);
}
