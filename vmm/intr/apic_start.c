/* INIT-SIPI-SIPI for a guest's own cores (vmm/intr/apic_start.h).
 *
 * State (vcpu.init_sipi) moves by atomics between the guest's vCPUs: a sender stores
 * VCPU_INIT_PENDING (INIT always wins, whatever the target did) or, only while the target has
 * an INIT pending or waits, compare-exchanges VCPU_SIPI_RECEIVED | vector, so of the two
 * STARTUPs an OS sends only the first counts; the owner compare-exchanges INIT_PENDING to
 * WAIT_SIPI when it has reset, and SIPI_RECEIVED to RUNS when it starts. Every move a sender
 * makes is followed by a kick NMI (v->kick and smp_kick_nmi): the target leaves guest mode
 * or wakes from its HLT; the management CPU repeats the kick while a move is untaken
 * (apic_start_police), so a lost NMI only delays it. The hardware would reset the APIC too:
 * the hypervisor masks the core's timer and ends what the guest had in service, and the
 * guest finds its LVTs, IRR and the rest as its new start should leave them only in part
 * (pending interrupts stay pending; an OS clears them when it sets up its APIC). */
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "kernel/xcall.h"
#include "vmm/intr/apic_start.h"
#include "vmm/intr/eli.h"
#include "vmm/intr/virq.h"
#include "vmm/intr/x2apic_check.h"
#include "vmm/vcpu.h"

#define START_LOGGED 8              /* INIT/SIPI lines per sending vCPU */
#define X2APIC_ISR0 0x810
#define X2APIC_TIMER_INIT 0x838
#define ISR_REGS 8

static void kick(struct vcpu *to)
{
    to->kick = true;
    smp_kick_nmi(to->cpu);
}

static void log_start(struct vcpu *from, const char *what, const struct vcpu *to, int vector)
{
    if (++from->start_ipis > START_LOGGED)
        return;
    if (vector < 0)
        log_info("apic", "%s: vCPU %u sent %s to vCPU %u (APIC id %u)", from->guest->name,
                 from->index, what, to->index, to->apic_id);
    else
        log_info("apic", "%s: vCPU %u sent %s (vector %#x) to vCPU %u (APIC id %u)",
                 from->guest->name, from->index, what, vector, to->index, to->apic_id);
}

void apic_start_init(struct vcpu *from, struct vcpu *to)
{
    if (!to || to == from)
        return;
    __atomic_store_n(&to->init_sipi, VCPU_INIT_PENDING, __ATOMIC_SEQ_CST);
    kick(to);
    log_start(from, "INIT", to, -1);
}

void apic_start_sipi(struct vcpu *from, struct vcpu *to, uint8_t vector)
{
    if (!to || to == from)
        return;
    uint32_t s = __atomic_load_n(&to->init_sipi, __ATOMIC_ACQUIRE);
    while (s == VCPU_INIT_PENDING || s == VCPU_WAIT_SIPI) {
        if (__atomic_compare_exchange_n(&to->init_sipi, &s, VCPU_SIPI_RECEIVED | vector, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
            kick(to);
            log_start(from, "STARTUP", to, vector);
            return;
        }
    }
    if (++from->start_ipis <= START_LOGGED)
        log_info("apic", "%s: vCPU %u sent STARTUP (vector %#x) to vCPU %u, which is not waiting "
                 "for one: ignored", from->guest->name, from->index, vector, to->index);
}

bool apic_start_pending(const struct vcpu *v)
{
    return __atomic_load_n(&v->init_sipi, __ATOMIC_ACQUIRE) != VCPU_RUNS;
}

/* What INIT resets that the next vcpu_setup does not: virtual interrupts, the vCPU's IDT in
 * the ELI shadow, the core's timer and what the guest left in service. */
static void reset_for_init(struct vcpu *v)
{
    for (int w = 0; w < 4; w++) {
        v->virr[w] = v->visr[w] = 0;
        __atomic_store_n(&v->virr_remote[w], 0, __ATOMIC_SEQ_CST);
    }
    if (v->eoi_trapped && v->guest->intr_mode == INTR_EXITLESS)
        virq_trap_eoi(v, false);
    eli_vcpu_reset(v);
    wrmsr_safe(MSR_TSC_DEADLINE, 0);
    wrmsr_safe(X2APIC_TIMER_INIT, 0);
    wrmsr_safe(X2APIC_LVT_TIMER, X2APIC_LVT_MASKED | VEC_TIMER);
    for (int n = 0; n < 256; n++) {     /* one EOI per vector in service at most */
        bool any = false;
        for (uint32_t i = 0; i < ISR_REGS && !any; i++) {
            uint64_t bits;
            any = rdmsr_safe(X2APIC_ISR0 + i, &bits) == 0 && (uint32_t)bits;
        }
        if (!any)
            break;
        wrmsr_safe(X2APIC_EOI, 0);
    }
}

bool apic_start_wait_sipi(struct vcpu *v)
{
    struct guest *g = v->guest;
    for (;;) {
        if (xcall_serve_posted())
            v->hv_interrupts++;
        if (g->state != GUEST_RUNNING)
            return false;
        uint32_t s = __atomic_load_n(&v->init_sipi, __ATOMIC_ACQUIRE);
        if (s == VCPU_INIT_PENDING) {
            reset_for_init(v);
            __atomic_compare_exchange_n(&v->init_sipi, &s, VCPU_WAIT_SIPI, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
            continue;
        }
        if (s & VCPU_SIPI_RECEIVED) {
            if (!__atomic_compare_exchange_n(&v->init_sipi, &s, VCPU_RUNS, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
                continue;   /* a new INIT came first */
            v->start = (struct vcpu_start){ .mode = VCPU_START_SIPI,
                                            .sipi_vector = (uint8_t)(s & 0xff) };
            return true;
        }
        if (s == VCPU_RUNS)
            return true;
        /* Waiting: halted with interrupts off, so only an NMI (a kick, a cross-call, a stop)
         * wakes the core; the guest's interrupts stay pending in its APIC. */
        v->kick = false;
        irq_disable();
        if (!v->kick && g->state == GUEST_RUNNING && !xcall_posted() &&
            __atomic_load_n(&v->init_sipi, __ATOMIC_ACQUIRE) == VCPU_WAIT_SIPI)
            __asm__ volatile("hlt" ::: "memory");
    }
}

void apic_start_police(struct guest *g)
{
    for (uint32_t i = 0; i < g->nvcpus; i++) {
        struct vcpu *v = &g->vcpus[i];
        uint32_t s = __atomic_load_n(&v->init_sipi, __ATOMIC_ACQUIRE);
        if ((s == VCPU_INIT_PENDING || (s & VCPU_SIPI_RECEIVED)) &&
            __atomic_load_n(&v->active, __ATOMIC_ACQUIRE))
            smp_kick_nmi(v->cpu);
    }
}
