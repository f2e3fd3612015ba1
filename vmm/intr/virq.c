/* Virtual interrupt delivery (SDM vol. 3, 26.6 event injection, 25.6.2 interrupt-window
 * exiting). Priority follows the APIC: a vector is delivered only above the highest virtual
 * vector in service. */
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/percpu.h"
#include "vmm/guest_mgr.h"
#include "vmm/msr.h"
#include "vmm/intr/virq.h"
#include "vmm/vpci/vpci.h"
#include "vmm/vcpu.h"
#include "vmm/intr/x2apic_check.h"

#define MSR_X2APIC_ISR0 0x810

static int highest(const uint64_t bits[4])
{
    for (int w = 3; w >= 0; w--)
        if (bits[w])
            return w * 64 + 63 - __builtin_clzll(bits[w]);
    return -1;
}

static void set_bit(uint64_t bits[4], unsigned v) { bits[v / 64] |= 1ull << (v % 64); }
static void clear_bit(uint64_t bits[4], unsigned v) { bits[v / 64] &= ~(1ull << (v % 64)); }

void virq_trap_eoi(struct vcpu *v, bool trap)
{
    vendor->msrpm_trap_write(phys_to_virt(v->msrpm_phys), X2APIC_EOI, trap);
    v->eoi_trapped = trap;
}

void virq_raise(struct vcpu *v, uint8_t vec)
{
    __atomic_fetch_or(&v->virr_remote[vec / 64], 1ull << (vec % 64), __ATOMIC_SEQ_CST);
    /* The kick also ends a halt on this very core: an injected guest's own timer, taken
     * while the hypervisor waits in handle_hlt for the guest's next interrupt. */
    v->kick = true;
    if (v->cpu != current_cpu_id())
        guest_mgr_kick(v->guest);
}

void virq_before_entry(struct vcpu *v)
{
    for (int w = 0; w < 4; w++)
        if (v->virr_remote[w])
            v->virr[w] |= __atomic_exchange_n(&v->virr_remote[w], 0, __ATOMIC_SEQ_CST);
    int vec = highest(v->virr);
    if (vec < 0 || (vec >> 4) <= (highest(v->visr) >> 4))
        return;
    if (vendor->event_pending(v) || !vendor->irq_window_open(v)) {
        vendor->irq_window_exit(v, true);
        return;
    }
    vendor->inject_irq(v, (uint8_t)vec);
    clear_bit(v->virr, (unsigned)vec);
    set_bit(v->visr, (unsigned)vec);
    if (!v->eoi_trapped)
        virq_trap_eoi(v, true);
}

enum exit_action handle_interrupt_window(struct vcpu *v)
{
    vendor->irq_window_exit(v, false);
    return EXIT_RESUME; /* virq_before_entry injects now that the window is open */
}

/* Highest vector in this CPU's physical in-service register (x2APIC ISR MSRs). */
static int physical_isr_highest(void)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t bits = (uint32_t)rdmsr(MSR_X2APIC_ISR0 + (uint32_t)i);
        if (bits)
            return i * 32 + 31 - __builtin_clz(bits);
    }
    return -1;
}

void virq_eoi(struct vcpu *v)
{
    int virt = highest(v->visr);
    int phys = v->guest->intr_mode == INTR_EXITLESS ? physical_isr_highest() : -1;
    if (phys > virt)
        wrmsr(X2APIC_EOI, 0);       /* the guest's own physical interrupt */
    else if (virt >= 0) {
        clear_bit(v->visr, (unsigned)virt);
        vpci_intx_eoi(v->guest, (uint8_t)virt);
    }
    /* Exitless guests EOI their physical interrupts directly again once no virtual one is in
     * service; injected-mode guests always trap (all their interrupts are virtual). */
    if (highest(v->visr) < 0 && v->guest->intr_mode == INTR_EXITLESS)
        virq_trap_eoi(v, false);
}
