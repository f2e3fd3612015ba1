/* Guest manager: creation, start on dedicated cores, restarts, the stop report. */
#include <stdio.h>
#include <string.h>

#include "drivers/vtd/vtd.h"
#include "drivers/nic/nic.h"
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/lapic.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/tsc.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "vmm/guest_mgr.h"
#include "vmm/loader/linux_check.h"
#include "vmm/loader/loader.h"
#include "vmm/platform/platform.h"
#include "vmm/stats.h"
#include "vmm/vcpu.h"
#include "vmm/vpci/vpci_virtio_notify.h"
#include "kernel/xcall.h"
#include "vmm/intr/apic_start.h"
#include "vmm/intr/notify.h"
#include "vmm/intr/vector_policy.h"
#include "vmm/intr/virq.h"
#include "vmm/vpci/vpci_virtio_fn.h"

#define REPORT_REASONS 6
#define POLICE_PERIOD_US 1000u

static struct guest guests[GUEST_MAX];
void (*guest_mgr_restart_hook)(struct guest *g);
static uint32_t nguests;
static volatile uint32_t vcpus_running;    /* vCPU loops still active */

uint32_t guest_mgr_count(void) { return nguests; }
struct guest *guest_mgr_get(uint32_t i) { return i < nguests ? &guests[i] : NULL; }
/* Injected mode: a guest's physical interrupt exits and lands here on its core; it becomes
 * a virtual interrupt for the vCPU running there. */
static void guest_vector_handler(struct trap_frame *f)
{
    struct vcpu *v = this_cpu()->current_vcpu;
    /* A level-triggered INTx stays masked at the IOAPIC until the guest's EOI. */
    if (v)
        vpci_intx_arrived(v->guest, (uint8_t)f->vector);
    lapic_eoi();
    if (v)
        virq_raise(v, (uint8_t)f->vector);
    else
        log_warn("irq", "guest vector %#lx with no guest on this core, dropped", f->vector);
}

/* An interrupt taken while this guest core is in the hypervisor (an exit being handled, a
 * host-side wait with interrupts on) on a vector its guest owns is the guest's: exitless
 * guests own 0x20-0xff, so their timer and IPIs at 0xe0-0xfd land here too, not in the
 * hypervisor's handlers of those vectors (which serve only cores without an exitless guest).
 * Spurious (0xff) and LAPIC error (0xfe) stay the hypervisor's: they are the vectors it
 * programmed into every core's SVR and LVT error (a guest's SVR and LVT error writes are kept
 * as the hypervisor set them, so in guest mode the guest's gates for the same two vectors
 * take them, as Linux expects); neither is an interrupt of the guest's own. */
static bool guest_irq_hook(uint8_t vector)
{
    struct vcpu *v = this_cpu()->current_vcpu;
    if (!v || !guest_owns_vector(v->guest, vector) || vector == VEC_SPURIOUS ||
        vector == VEC_LAPIC_ERROR)
        return false;
    struct trap_frame f = { .vector = vector };
    guest_vector_handler(&f);
    return true;
}

/* VT-d faults from a guest's device (fault interrupt, management CPU): a few are logged and
 * tolerated (a driver's bug while it starts); a device that keeps faulting stops its guest,
 * which then restarts or stays stopped per its on_fault policy. */
static void device_fault_hook(uint8_t manifest_index, uint64_t total)
{
    for (uint32_t i = 0; i < nguests; i++) {
        struct guest *g = &guests[i];
        if (g->manifest_index != manifest_index || g->state != GUEST_RUNNING)
            continue;
        if (++g->device_faults >= GUEST_DEVICE_FAULT_LIMIT)
            guest_fault(g, "its assigned device keeps faulting: %u VT-d faults in this run "
                           "(limit %u, %lu since boot)", g->device_faults,
                        GUEST_DEVICE_FAULT_LIMIT, total);
        return;
    }
}

void guest_mgr_init(void)
{
    vtd_set_fault_hook(device_fault_hook);
    for (unsigned vec = VEC_GUEST_FIRST; vec <= VEC_GUEST_LAST; vec++)
        irq_register((uint8_t)vec, guest_vector_handler);
}

/* The kick is an NMI: NMIs always exit (NMI exiting), so nothing the guest does (CLI, its
 * TPR, its IDT, its page tables) holds it back. */
void guest_mgr_kick(struct guest *g)
{
    uint32_t me = current_cpu_id();
    for (uint32_t i = 0; i < g->nvcpus; i++)
        if (g->vcpus[i].cpu != me && g->vcpus[i].active)
            smp_kick_nmi(g->vcpus[i].cpu);
}

static const struct mb2_module *find_module(const struct boot_info *bi, const char *name)
{
    return name ? mb2_find_module(bi, name) : NULL;
}

static int load_image(struct guest *g, const struct boot_info *bi, char *err, size_t len)
{
    const struct mb2_module *m = find_module(bi, g->image);
    if (!m) {
        snprintf(err, len, "image module '%s' was not loaded by the boot loader",
                 g->image ? g->image : "(none)");
        return -1;
    }
    const struct mb2_module *mod = NULL;
    if (g->initrd && g->initrd[0] && !(mod = find_module(bi, g->initrd))) {
        snprintf(err, len, "module '%s' was not loaded by the boot loader", g->initrd);
        return -1;
    }
    if (guest_prepare_memory(g, err, len))
        return -1;
    platform_reset(g);
    return guest_load(g, phys_to_virt(m->start), m->end - m->start,
                      mod ? phys_to_virt(mod->start) : NULL, mod ? mod->end - mod->start : 0,
                      g->initrd, err, len);
}

static const struct boot_info *boot_info_for_restart;
/* How guest_mgr_start started vCPUs on other CPUs (a restart starts the APs of a guest whose
 * APs wait for INIT-SIPI the same way); written once before any guest runs. */
static cpu_start_fn start_on_other;

struct guest *guest_mgr_create(const struct guest_config *cfg, const struct boot_info *bi,
                               char *err, size_t errlen)
{
    if (nguests >= GUEST_MAX) {
        snprintf(err, errlen, "more than %d guests", GUEST_MAX);
        return NULL;
    }
    struct guest *g = &guests[nguests];
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", cfg->name);
    g->id = nguests;
    g->image = cfg->image;
    g->initrd = cfg->initrd;
    g->cmdline = cfg->cmdline;
    g->mem_size = cfg->mem_size;
    g->on_fault = cfg->on_fault;
    g->max_restarts = cfg->max_restarts;
    g->time_limit_ms = cfg->time_limit_ms;
    g->intr_mode = cfg->intr_mode;
    g->expect_fault = cfg->expect_fault;
    g->manifest_index = cfg->manifest_index;
    g->nvcpus = cfg->ncpus;
    for (uint32_t i = 0; i < cfg->ncpus; i++) {
        struct vcpu *v = &g->vcpus[i];
        v->guest = g;
        v->index = i;
        v->cpu = cfg->cpus[i];
        v->apic_id = percpu_of(v->cpu) ? percpu_of(v->cpu)->apic_id : v->cpu;
    }
    vuart_init(&g->uart, g->name);
    boot_info_for_restart = bi;
    if (load_image(g, bi, err, errlen))
        return NULL;
    if (vpci_setup(g, cfg->mf, err, (unsigned)errlen) ||
        vpci_virtio_fn_setup(g, cfg->mf, bi, err, (unsigned)errlen))
        return NULL;
    g->state = GUEST_READY;
    nguests++;
    log_info("guest", "%s: %lu MiB at host %#lx, %u vCPU(s), %s interrupts, entry %#lx (%s)",
             g->name, g->mem_size >> 20, g->mem_hpa, g->nvcpus,
             g->intr_mode == INTR_EXITLESS ? "exitless" : "injected", g->entry.rip,
             g->entry.mode == BOOT_LONG64 ? "64-bit" : "32-bit protected mode");
    return g;
}

static void report(struct guest *g)
{
    struct hc_exit_stats s; /* on this guest core's stack: reports run in parallel */
    guest_exit_stats(g, &s);
    log_info("stats", "%s: %lu exits, %lu unclaimed port accesses", g->name, s.total_exits,
             s.unclaimed_port_accesses);
    /* The busiest reasons, most first. */
    bool shown[HC_STATS_REASONS] = { false };
    for (int k = 0; k < REPORT_REASONS; k++) {
        uint32_t best = HC_STATS_REASONS;
        for (uint32_t r = 0; r < HC_STATS_REASONS; r++)
            if (!shown[r] && s.exits[r] && (best == HC_STATS_REASONS || s.exits[r] > s.exits[best]))
                best = r;
        if (best == HC_STATS_REASONS)
            break;
        shown[best] = true;
        log_info("stats", "%s:   %-20s %8lu exits, %8lu cycles/exit", g->name,
                 exit_kind_name(best), s.exits[best], s.cycles[best] / s.exits[best]);
    }
    for (uint32_t i = 0; i < HC_STATS_HOT_RIPS && s.hot_count[i]; i++)
        log_info("stats", "%s:   hot rip %#lx: %lu exits", g->name, s.hot_rip[i], s.hot_count[i]);
    msr_refused_report(g);
    unbacked_report(g);
    vpci_virtio_baseline_report(g);
}

/* Where each vCPU starts a run: at the entry, or (the APs of a guest whose loader asked for
 * it: Linux) waiting for the INIT-SIPI-SIPI its vCPU 0 sends. */
static void set_start_state(struct guest *g)
{
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        struct vcpu *v = &g->vcpus[i];
        v->start = (struct vcpu_start){ .mode = VCPU_START_ENTRY };
        v->start_ipis = 0;
        __atomic_store_n(&v->init_sipi, i && g->entry.aps_wait_sipi ? VCPU_WAIT_SIPI : VCPU_RUNS,
                         __ATOMIC_SEQ_CST);
    }
}

static void vcpu_main(void *arg);

/* A restart of a guest whose APs wait for INIT-SIPI: they wait again, on their cores. (Other
 * multi-vCPU guests restart on vCPU 0 alone, as their image expects every vCPU at the entry
 * at once.) */
static void restart_aps(struct guest *g)
{
    if (!g->entry.aps_wait_sipi)
        return;
    for (uint32_t i = 1; i < g->nvcpus; i++) {
        __atomic_fetch_add(&vcpus_running, 1, __ATOMIC_SEQ_CST);
        if (!start_on_other || start_on_other(g->vcpus[i].cpu, vcpu_main, &g->vcpus[i])) {
            __atomic_fetch_sub(&vcpus_running, 1, __ATOMIC_SEQ_CST);
            guest_fault(g, "restart: CPU %u is not available to run vCPU %u",
                        g->vcpus[i].cpu, i);
        }
    }
}

/* Body of each guest core: virtualization on, a fresh vCPU, run; restart per policy. */
static void vcpu_main(void *arg)
{
    struct vcpu *v = arg;
    struct guest *g = v->guest;
    char err[160];

    this_cpu()->kick_target = true;
    this_cpu()->irq_hook = guest_irq_hook;
    /* An exitless guest owns every fixed vector here: the hypervisor's cross-calls come by
     * NMI (kernel/xcall.c). */
    if (g->intr_mode == INTR_EXITLESS)
        xcall_set_nmi_delivery(true);
    __atomic_store_n(&v->active, true, __ATOMIC_SEQ_CST);
    if (vendor->cpu_enable(err, sizeof(err))) {
        guest_fault(g, "cannot enable %s on CPU %u: %s", vendor->name, v->cpu, err);
        goto out;
    }
    for (;;) {
        /* Waiting for a SIPI (an AP at its start, or after an INIT) until one comes. */
        bool run = !apic_start_pending(v) || apic_start_wait_sipi(v);
        if (run && vcpu_setup(v)) {
            guest_fault(g, "cannot set up vCPU %u on CPU %u", v->index, v->cpu);
            break;
        }
        if (run)
            vcpu_run(v);
        if (run && g->state == GUEST_RUNNING)
            continue;   /* the run loop left for an INIT */
        /* Restart only from the first vCPU, once the guest failed or asked to be reset
         * (a reboot is a restart request, not a fault), and as its policy allows. */
        bool reboot = g->state == GUEST_STOPPED && g->reboot_requested;
        if (v->index != 0 || (g->state != GUEST_FAILED && !reboot))
            break;
        if (g->on_fault != ON_FAULT_RESTART || g->restarts >= g->max_restarts) {
            if (reboot)
                log_warn("guest", "%s: asked to reboot, but its policy does not restart it "
                         "(%s): it stays stopped", g->name,
                         g->on_fault != ON_FAULT_RESTART ? "on_fault = \"stop\""
                                                         : "no restarts left");
            break;
        }
        /* Nothing of the old run may still execute: the other vCPUs leave their loops (the
         * management CPU keeps kicking them) and the restart runs this one. */
        for (uint32_t i = 1; i < g->nvcpus; i++)
            while (__atomic_load_n(&g->vcpus[i].active, __ATOMIC_SEQ_CST))
                cpu_relax();
        g->restarts++;
        log_warn("guest", "%s: restarting (%u of %u) after: %s", g->name, g->restarts,
                 g->max_restarts, g->fault);
        vpci_guest_stop(g);
        if (load_image(g, boot_info_for_restart, err, sizeof(err))) {
            log_err("guest", "%s: restart failed: %s", g->name, err);
            break;
        }
        memset(&v->stats, 0, sizeof(v->stats));
        set_start_state(g);
        vpci_guest_start(g);
        if (guest_mgr_restart_hook)
            guest_mgr_restart_hook(g);
        g->run_started_tsc = rdtsc();
        g->reboot_requested = false;
        g->state = GUEST_RUNNING;
        restart_aps(g);
    }
out:
    if (v->index == 0) {
        vpci_guest_stop(g);
        report(g);
    }
    xcall_set_nmi_delivery(false);
    while (xcall_serve_posted())  /* one posted while this core still took NMIs */
        ;
    this_cpu()->irq_hook = NULL;
    __atomic_store_n(&v->active, false, __ATOMIC_SEQ_CST);
    __atomic_fetch_sub(&vcpus_running, 1, __ATOMIC_SEQ_CST);
}

void guest_mgr_start(struct guest *g, cpu_start_fn start_on)
{
    struct vcpu *inline_vcpu = NULL;
    start_on_other = start_on;
    set_start_state(g);
    vpci_guest_start(g);
    g->run_started_tsc = rdtsc();
    g->state = GUEST_RUNNING;
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        struct vcpu *v = &g->vcpus[i];
        __atomic_fetch_add(&vcpus_running, 1, __ATOMIC_SEQ_CST);
        if (v->cpu == current_cpu_id()) {
            inline_vcpu = v;
        } else if (!start_on || start_on(v->cpu, vcpu_main, v)) {
            guest_fault(g, "CPU %u is not available to run vCPU %u", v->cpu, i);
            __atomic_fetch_sub(&vcpus_running, 1, __ATOMIC_SEQ_CST);
        }
    }
    if (inline_vcpu)
        vcpu_main(inline_vcpu);
}

/* Management CPU, about once a millisecond: a guest past its time limit is stopped; a
 * stopped guest whose vCPUs still run is kicked again (an NMI that lands just before a VM
 * entry, or just before a HLT, is taken in the host and does not end that entry or HLT). */
static void police(void)
{
    uint64_t now = rdtsc();
    for (uint32_t i = 0; i < nguests; i++) {
        struct guest *g = &guests[i];
        if (g->state == GUEST_RUNNING && g->time_limit_ms &&
            now - g->run_started_tsc > tsc_us_to_cycles(g->time_limit_ms * 1000))
            guest_fault(g, "ran past its time limit of %lu ms", g->time_limit_ms);
        if (g->state == GUEST_RUNNING) {
            apic_start_police(g);
            continue;
        }
        for (uint32_t c = 0; c < g->nvcpus; c++)
            if (__atomic_load_n(&g->vcpus[c].active, __ATOMIC_SEQ_CST))
                smp_kick_nmi(g->vcpus[c].cpu);
    }
}

bool guest_mgr_wait_all(void)
{
    bool all_ok = true;
    uint64_t next_police = 0;
    while (__atomic_load_n(&vcpus_running, __ATOMIC_SEQ_CST)) {
        notify_poll();
        if (rdtsc() >= next_police) {
            police();
            nic_service_all();  /* mailbox requests a bounded pass left (or an interrupt lost) */
            vtd_fault_poll();   /* faults whose event interrupt never came (a record overflow) */
            smp_report_unknown_nmis();
            next_police = rdtsc() + tsc_us_to_cycles(POLICE_PERIOD_US);
        }
        cpu_relax();
    }
    for (uint32_t i = 0; i < nguests; i++) {
        struct guest *g = &guests[i];
        bool failed = g->state == GUEST_FAILED;
        bool ok = (g->expect_fault ? failed : (!failed && g->exit_status == 0)) &&
                  g->checks_failed == 0;
        log_info("guest", "%s: %s (%s), %u checks passed, %u failed%s", g->name,
                 failed ? "failed" : "stopped", g->fault, g->checks_passed, g->checks_failed,
                 ok ? "" : g->expect_fault && !failed ? ": expected to be stopped by a fault"
                                                      : ": not the expected outcome");
        all_ok &= ok;
    }
    return all_ok;
}
