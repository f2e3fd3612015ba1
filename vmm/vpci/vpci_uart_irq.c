/* The virtual UART's interrupt as its PCI function's MSI (vmm/vpci/vpci_uart.h): the
 * message the guest programmed, checked like an assigned function's MSI-X entry
 * (vpci_msix_check: fixed or lowest-priority, edge, physical destination among the guest's
 * own cores, a vector its interrupt mode owns), then delivered without a device: exitless
 * guests own their vectors, so the hypervisor sends the IPI the message would have been and
 * the guest's IDT takes it in guest mode; injected guests get it as a virtual interrupt. */
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "vmm/guest.h"
#include "vmm/intr/virq.h"
#include "vmm/vpci/vpci.h"

void vpci_uart_raise(struct guest *g)
{
    struct vpci_msix_entry e = { 0 };
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    bool on = vpci_uart_msi(&g->vpci.uart, &e.addr_lo, &e.addr_hi, &e.data);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (!on)
        return;                 /* MSI or bus mastering off: the function sends nothing */
    uint32_t apics[GUEST_MAX_VCPUS];
    for (uint32_t i = 0; i < g->nvcpus; i++)
        apics[i] = g->vcpus[i].apic_id;
    uint8_t vector;
    uint32_t apic;
    const char *why = vpci_msix_check(&e, apics, g->nvcpus, g->intr_mode, &vector, &apic);
    if (why) {
        /* Counted; the first and every power of two logged (a guest cannot flood the log). */
        uint32_t n = __atomic_add_fetch(&g->vpci.uart_refused, 1, __ATOMIC_RELAXED);
        if (!(n & (n - 1)))
            log_warn("vpci", "%s: UART MSI (address %#x:%#x, data %#x) not sent: %s (%u so far)",
                     g->name, e.addr_hi, e.addr_lo, e.data, why, n);
        return;
    }
    if (g->intr_mode == INTR_EXITLESS) {
        lapic_send_ipi(apic, ICR_FIXED, vector);
        return;
    }
    for (uint32_t i = 0; i < g->nvcpus; i++)
        if (g->vcpus[i].apic_id == apic)
            virq_raise(&g->vcpus[i], vector);
}
