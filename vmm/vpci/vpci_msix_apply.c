/* Programming an assigned function's MSI-X entries from the guest's table (PCI 3.0 section
 * 6.8.2): which entries changed, which the policy refuses (vpci_msix_check), and what each
 * becomes on the device. Pure: the device, the remapping unit and the log are reached through
 * struct vpci_msix_ops, so the host tests and the fuzzer run it on arrays. */
#include <string.h>

#include "drivers/pci/pci.h"
#include "vmm/vpci/vpci.h"

void vpci_msix_apply(struct vpci_fn *f, const volatile struct vpci_msix_entry *table,
                     const uint32_t *apics, unsigned napic, enum intr_mode mode,
                     const struct vpci_msix_ops *ops)
{
    bool on = (f->msix_ctrl & PCI_MSIX_CTRL_ENABLE) && !(f->msix_ctrl & PCI_MSIX_CTRL_MASKALL);
    for (unsigned i = 0; i < f->msix_nvec && i < VPCI_MSIX_MAX; i++) {
        const volatile struct vpci_msix_entry *s = &table[i];
        /* One copy of each word: the checks and the device see the same values. */
        struct vpci_msix_entry e = { s->addr_lo, s->addr_hi, s->data, s->ctrl };
        uint32_t bit = 1u << i;
        bool want = on && !(e.ctrl & PCI_MSIX_ENTRY_MASKED);
        bool same = !memcmp(&e, &f->msix_applied[i], sizeof(e));
        bool live = f->msix_live & bit;
        bool denied = f->msix_denied & bit;
        /* Unchanged and as wanted; a refused entry stays refused (and reported once) until
         * the guest changes it. */
        if (same && (want ? live || denied : !live))
            continue;
        f->msix_applied[i] = e;
        f->msix_denied &= ~bit;
        if (!want) {
            ops->mask(ops->ctx, f, i);
            f->msix_live &= ~bit;
            continue;
        }
        uint8_t vec;
        uint32_t apic;
        const char *why = vpci_msix_check(&e, apics, napic, mode, &vec, &apic);
        if (why) {
            ops->mask(ops->ctx, f, i);
            f->msix_live &= ~bit;
            f->msix_denied |= bit;
            f->msix_refused++;
            ops->refused(ops->ctx, f, i, &e, why);
            continue;
        }
        /* A failed program leaves the entry masked and not denied: the next pass retries. */
        if (ops->program(ops->ctx, f, i, vec, apic))
            f->msix_live &= ~bit;
        else
            f->msix_live |= bit;
    }
}
