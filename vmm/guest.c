/* Guests: memory, lifecycle (start, fault, finish, restart) and guest-memory access. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drivers/vtd/vtd.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/smp.h"
#include "kernel/tsc.h"
#include "vmm/intr/eli.h"
#include "vmm/vcpu.h"
#include "vmm/guest.h"
#include "vmm/sidecore/sidecore.h"
#include "vmm/guest_mgr.h"
#include "vmm/io.h"
#include "vmm/loader/loader.h"
#include "vmm/msr.h"

/* Copies through the guest's EPT page by page; refuses any page without `need`. */
static int guest_copy(struct guest *g, uint64_t gpa, void *host, uint64_t len, bool write)
{
    uint8_t *h = host;
    if (gpa + len < gpa)
        return -1;
    while (len) {
        uint64_t hpa, chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        if (gpmap_translate(&g->gpmap, gpa, write ? GPM_W : GPM_R, &hpa) ||
            !mm_in_physmap(hpa, chunk))
            return -1;
        if (write)
            memcpy(phys_to_virt(hpa), h, chunk);
        else
            memcpy(h, phys_to_virt(hpa), chunk);
        gpa += chunk;
        h += chunk;
        len -= chunk;
    }
    return 0;
}

int guest_read(struct guest *g, uint64_t gpa, void *buf, uint64_t len)
{
    return guest_copy(g, gpa, buf, len, false);
}

int guest_write(struct guest *g, uint64_t gpa, const void *buf, uint64_t len)
{
    return guest_copy(g, gpa, (void *)(uintptr_t)buf, len, true);
}

void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len)
{
    if (gpa + len < gpa || gpa + len > g->mem_size)
        return NULL;
    return phys_to_virt(g->mem_hpa + gpa);
}

void guest_exit_stats(struct guest *g, struct hc_exit_stats *out)
{
    const struct exit_stats *src[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        src[i] = &g->vcpus[i].stats;
    stats_summarize(src, (int)g->nvcpus, out);
    out->unclaimed_port_accesses = g->unclaimed_ports;
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        out->hv_interrupts += g->vcpus[i].hv_interrupts;
        out->denied_apic_writes += g->vcpus[i].denied_apic_writes;
    }
}

/* A vCPU gets this long to leave guest mode. The guest cannot hold an NMI exit off, so only a
 * broken core runs into it; on real hardware the exit takes microseconds, but an emulated
 * core (QEMU TCG on a loaded host) can go unscheduled for hundreds of milliseconds, and a
 * neighbour was once stopped at a 200 ms bound with nothing wrong with it. */
#define EPT_SYNC_TIMEOUT_US 2000000u
#define EPT_SYNC_RESEND_US 200u      /* an NMI lost in the entry window is sent again */

/* Waits until every vCPU of g but self has flushed up to generation gen, or is outside guest
 * mode (it flushes before it enters). */
static void ept_wait(struct guest *g, const struct vcpu *self, uint64_t gen)
{
    uint64_t deadline = rdtsc() + tsc_us_to_cycles(EPT_SYNC_TIMEOUT_US);
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        struct vcpu *o = &g->vcpus[i];
        uint64_t resend = 0;
        /* A vCPU outside guest mode invalidates before it enters (vcpu_run). */
        while (o != self && __atomic_load_n(&o->in_guest, __ATOMIC_SEQ_CST) &&
               __atomic_load_n(&o->ept_seen, __ATOMIC_ACQUIRE) < gen) {
            uint64_t now = rdtsc();
            if (now >= resend) {
                smp_kick_nmi(o->cpu);
                resend = now + tsc_us_to_cycles(EPT_SYNC_RESEND_US);
            }
            if (now > deadline) {
                guest_fault(g, "vCPU %u did not leave guest mode for an EPT invalidation in "
                               "%u ms", o->index, EPT_SYNC_TIMEOUT_US / 1000);
                return;
            }
            cpu_relax();
        }
    }
}

void guest_ept_sync(struct vcpu *self)
{
    struct guest *g = self->guest;
    vendor->flush_gpmap(self);
    uint64_t gen = __atomic_add_fetch(&g->ept_gen, 1, __ATOMIC_SEQ_CST);
    if (self->ept_seen < gen)
        __atomic_store_n(&self->ept_seen, gen, __ATOMIC_RELEASE);
    ept_wait(g, self, gen);
}

void guest_ept_sync_remote(struct guest *g)
{
    ept_wait(g, NULL, __atomic_add_fetch(&g->ept_gen, 1, __ATOMIC_SEQ_CST));
}

/* After g left GUEST_RUNNING: its vCPUs, the management CPU, and the sidecores serving its
 * virtio devices (a halted one would not see the stop and log its devices' report). */
static void kick_others(struct guest *g)
{
    for (uint32_t i = 0; i < g->nvcpus; i++)
        g->vcpus[i].kick = true;
    guest_mgr_kick(g);
    sidecore_guest_stopped(g);
}

void guest_fault(struct guest *g, const char *fmt, ...)
{
    va_list ap;
    uint64_t flags = spin_lock_irqsave(&g->lock);
    if (g->state != GUEST_RUNNING) {
        spin_unlock_irqrestore(&g->lock, flags);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(g->fault, sizeof(g->fault), fmt, ap);
    va_end(ap);
    g->state = GUEST_FAILED;
    spin_unlock_irqrestore(&g->lock, flags);
    vuart_flush(&g->uart);
    log_err("guest", "%s stopped: %s", g->name, g->fault);
    kick_others(g);
}

/* Running -> stopped, under g->lock; false if it was not running. */
static bool stop_running(struct guest *g, int status, bool reboot, const char *fmt, const char *arg)
{
    uint64_t flags = spin_lock_irqsave(&g->lock);
    if (g->state != GUEST_RUNNING) {
        spin_unlock_irqrestore(&g->lock, flags);
        return false;
    }
    g->state = GUEST_STOPPED;
    g->exit_status = status;
    g->reboot_requested = reboot;
    snprintf(g->fault, sizeof(g->fault), fmt, arg);
    spin_unlock_irqrestore(&g->lock, flags);
    vuart_flush(&g->uart);
    return true;
}

bool guest_finish(struct guest *g, int status, const char *why)
{
    if (!stop_running(g, status, false, "%s", why))
        return false;
    log_info("guest", "%s finished: %s, status %d", g->name, why, status);
    kick_others(g);
    return true;
}

bool guest_request_reboot(struct guest *g, const char *how)
{
    if (!stop_running(g, 0, true, "reboot requested (%s)", how))
        return false;
    log_info("guest", "%s: reboot requested (%s)", g->name, how);
    kick_others(g);
    return true;
}

int guest_prepare_memory(struct guest *g, char *err, size_t errlen)
{
    uint64_t frames = g->mem_size / PAGE_SIZE;
    if (!g->mem_hpa) {
        /* A guest that owns devices has its block reserved by VT-d, so its DMA domain and
         * its EPT map the same host pages. */
        uint64_t hpa, size;
        if (g->manifest_index >= 0 && vtd_guest_memory((uint8_t)g->manifest_index, &hpa, &size) &&
            size >= g->mem_size)
            g->mem_hpa = hpa;
        else
            g->mem_hpa = frames_alloc(frames, 2ull << 20);
        if (g->mem_hpa == FRAME_NONE) {
            g->mem_hpa = 0;
            snprintf(err, errlen, "no %lu MiB block of free memory", g->mem_size >> 20);
            return -1;
        }
        if (gpmap_init(&g->gpmap) ||
            gpmap_map(&g->gpmap, 0, g->mem_hpa, g->mem_size, GPM_RWX, true)) {
            snprintf(err, errlen, "cannot build the guest-physical map");
            return -1;
        }
        g->iopm_phys = frames_alloc(vendor->iopm_pages, PAGE_SIZE);
        if (g->iopm_phys == FRAME_NONE) {
            snprintf(err, errlen, "no memory for the port permission map");
            return -1;
        }
        vendor->iopm_build(phys_to_virt(g->iopm_phys));
        for (uint32_t i = 0; i < g->nvcpus; i++) {
            g->vcpus[i].msrpm_phys = frames_alloc(vendor->msrpm_pages, PAGE_SIZE);
            if (g->vcpus[i].msrpm_phys == FRAME_NONE) {
                snprintf(err, errlen, "no memory for the MSR permission maps");
                return -1;
            }
        }
    } else {
        memset(phys_to_virt(g->mem_hpa), 0, g->mem_size); /* restart: nothing survives */
        /* The shadow IDT goes with the old image: guest RAM is mapped back as it was. */
        eli_reset(g);
    }
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        struct vcpu *v = &g->vcpus[i];
        vendor->msrpm_build(phys_to_virt(v->msrpm_phys), g->intr_mode == INTR_EXITLESS);
        memset(v->virr, 0, sizeof(v->virr));
        memset(v->visr, 0, sizeof(v->visr));
        v->eoi_trapped = g->intr_mode != INTR_EXITLESS;
    }
    return 0;
}
