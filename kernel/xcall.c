/* Cross-calls and ping-pong IPIs: a per-target slot in struct percpu_remote plus one IPI. */
#include "kernel/arch.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"
#include "kernel/vectors.h"
#include "kernel/xcall.h"

#define XCALL_NMI_RESEND_US 200   /* an NMI that lands just before a VM entry is lost */

/* Waits with interrupts enabled until *word != old or the deadline passes; with `nmi_cpu`
 * not CPU_NONE, sends that CPU a kick NMI now and then meanwhile. */
static bool wait_change(volatile uint64_t *word, uint64_t old, uint64_t timeout_us,
                        uint32_t nmi_cpu)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(timeout_us), resend = 0;
    uint64_t flags = read_rflags();
    irq_enable();
    bool ok = true;
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == old) {
        uint64_t now = rdtsc();
        if ((int64_t)(now - end) > 0) {
            ok = false;
            break;
        }
        if (nmi_cpu != CPU_NONE && (int64_t)(now - resend) > 0) {
            smp_kick_nmi(nmi_cpu);
            resend = now + tsc_us_to_cycles(XCALL_NMI_RESEND_US);
        }
        cpu_relax();
    }
    if (!(flags & RFLAGS_IF))
        irq_disable();
    return ok;
}

/* Takes the posted call, if the caller has not taken it back, and runs it. */
static bool run_posted(void)
{
    struct percpu_remote *r = &this_cpu()->remote;
    void (*fn)(void *) = __atomic_exchange_n(&r->xcall_fn, NULL, __ATOMIC_ACQ_REL);
    if (!fn)
        return false; /* none, or the caller timed out and took it back */
    void *arg = r->xcall_arg;
    uint64_t req = r->xcall_req;
    uint64_t flags = read_rflags();
    irq_enable();
    fn(arg);
    irq_disable();
    __atomic_store_n(&r->xcall_done, req, __ATOMIC_RELEASE);
    if (flags & RFLAGS_IF)
        irq_enable();
    return true;
}

static void xcall_interrupt(struct trap_frame *f)
{
    (void)f;
    lapic_eoi();
    run_posted();
}

void xcall_set_nmi_delivery(bool on)
{
    __atomic_store_n(&this_cpu()->remote.xcall_by_nmi, on ? 1u : 0u, __ATOMIC_SEQ_CST);
}

bool xcall_posted(void)
{
    return __atomic_load_n(&this_cpu()->remote.xcall_fn, __ATOMIC_ACQUIRE) != NULL;
}

bool xcall_serve_posted(void)
{
    return xcall_posted() && run_posted();
}

int xcall_run(uint32_t cpu, void (*fn)(void *arg), void *arg)
{
    struct percpu *t = percpu_of(cpu);
    if (!t || !t->remote.online)
        return -1;
    if (cpu == current_cpu_id()) {
        fn(arg);
        return 0;
    }
    struct percpu_remote *r = &t->remote;
    uint64_t flags = spin_lock_irqsave(&r->xcall_lock);
    uint64_t done = r->xcall_done;
    r->xcall_arg = arg;
    r->xcall_req++;
    __atomic_store_n(&r->xcall_fn, fn, __ATOMIC_SEQ_CST);
    /* A CPU whose guest owns every fixed vector would take VEC_IPI_XCALL in the guest's
     * IDT: it gets NMIs instead (wait_change sends them). */
    bool by_nmi = __atomic_load_n(&r->xcall_by_nmi, __ATOMIC_SEQ_CST);
    if (!by_nmi)
        lapic_send_ipi(t->apic_id, ICR_FIXED, VEC_IPI_XCALL);
    bool ok = wait_change(&r->xcall_done, done, XCALL_TIMEOUT_US, by_nmi ? cpu : CPU_NONE);
    bool late = false;
    if (!ok && !__atomic_exchange_n(&r->xcall_fn, NULL, __ATOMIC_ACQ_REL)) {
        /* The target took the call and is running it: `arg` must stay valid until it is done,
         * so wait for it however long it takes (a hung target hangs its caller here). */
        late = true;
        while (__atomic_load_n(&r->xcall_done, __ATOMIC_ACQUIRE) == done)
            cpu_relax();
    }
    spin_unlock_irqrestore(&r->xcall_lock, flags);
    if (!ok) {
        log_err("xcall", "cross-call to cpu %u (APIC id %u) %s after %u ms", cpu, t->apic_id,
                late ? "finished late" : "was not picked up, withdrawn",
                XCALL_TIMEOUT_US / 1000);
        return -2;
    }
    return 0;
}

static void ping_interrupt(struct trap_frame *f)
{
    (void)f;
    struct percpu_remote *r = &this_cpu()->remote;
    lapic_eoi();
    uint32_t from = __atomic_exchange_n(&r->ping_from, CPU_NONE, __ATOMIC_ACQ_REL);
    struct percpu *p = percpu_of(from);
    if (!p)
        return;
    r->pings_answered++;
    lapic_send_ipi(p->apic_id, ICR_FIXED, VEC_IPI_PONG);
}

static void pong_interrupt(struct trap_frame *f)
{
    (void)f;
    lapic_eoi();
    __atomic_fetch_add(&this_cpu()->remote.pongs_received, 1, __ATOMIC_RELEASE);
}

int ipi_ping(uint32_t cpu, uint64_t timeout_us)
{
    struct percpu *t = percpu_of(cpu);
    if (!t || !t->remote.online || cpu == current_cpu_id())
        return -1;
    uint32_t free_slot = CPU_NONE, me = current_cpu_id();
    uint64_t end = rdtsc() + tsc_us_to_cycles(timeout_us);
    while (!__atomic_compare_exchange_n(&t->remote.ping_from, &free_slot, me, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free_slot = CPU_NONE;
        if ((int64_t)(rdtsc() - end) > 0)
            return -2;
        cpu_relax();
    }
    uint64_t before = this_cpu()->remote.pongs_received;
    lapic_send_ipi(t->apic_id, ICR_FIXED, VEC_IPI_PING);
    if (wait_change(&this_cpu()->remote.pongs_received, before, timeout_us, CPU_NONE))
        return 0;
    uint32_t mine = me;
    __atomic_compare_exchange_n(&t->remote.ping_from, &mine, CPU_NONE, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
    return -2;
}

void xcall_setup(void)
{
    irq_register(VEC_IPI_XCALL, xcall_interrupt);
    irq_register(VEC_IPI_PING, ping_interrupt);
    irq_register(VEC_IPI_PONG, pong_interrupt);
}
