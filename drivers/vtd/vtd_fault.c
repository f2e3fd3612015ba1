/* VT-d fault events: the interrupt on the management CPU, fault records, per-guest counts
 * (VT-d 4.x 7.1-7.3, 11.4.14). */
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd_priv.h"
#include "kernel/lapic.h"
#include "kernel/log.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"

#define MSI_ADDR_DEST_SHIFT 12 /* SDM vol. 3, 11.11.1: destination id in address 19:12 */

static vtd_fault_hook_t fault_hook;
static volatile uint64_t nfaults;
static struct vtd_fault_record last;
static volatile bool have_last;
static struct spinlock fault_lock; /* protects: last, have_last, record reads */

void vtd_set_fault_hook(vtd_fault_hook_t hook) { fault_hook = hook; }
uint64_t vtd_fault_count(void) { return nfaults; }

bool vtd_last_fault(struct vtd_fault_record *out)
{
    uint64_t f = spin_lock_irqsave(&fault_lock);
    bool ok = have_last;
    if (ok)
        *out = last;
    spin_unlock_irqrestore(&fault_lock, f);
    return ok;
}

static void report(const struct vtd_fault_record *r)
{
    char b[16];
    bool ir = r->reason >= 0x20;
    struct vtd_domain *d = r->guest != VTD_NO_GUEST ? vtd_domain_of(r->guest) : NULL;
    uint64_t count = d ? ++d->faults : 0;
    if (ir)
        log_warn("vtd", "fault: interrupt from %s (%s%s) through IRT entry %lu blocked: %s (reason %#x)",
                 pci_bdf_str(0, r->sid, b), d ? "guest " : "no owner", d ? d->name : "",
                 r->addr, vtd_fault_reason_name(r->reason), r->reason);
    else
        log_warn("vtd", "fault: DMA %s of %#lx by %s (%s%s) blocked: %s (reason %#x)",
                 r->read ? "read" : "write", r->addr, pci_bdf_str(0, r->sid, b),
                 d ? "guest " : "no owner", d ? d->name : "", vtd_fault_reason_name(r->reason),
                 r->reason);
    if (d && fault_hook)
        fault_hook(r->guest, count);
}

static void unit_poll(struct vtd_unit *u)
{
    uint32_t fsts = vtd_read32(u, VTD_FSTS);
    unsigned nfr = VTD_CAP_NFR(u->cap), fro = VTD_CAP_FRO(u->cap);
    unsigned idx = (unsigned)VTD_FSTS_FRI(fsts);
    for (unsigned n = 0; (fsts & VTD_FSTS_PPF) && n < nfr; n++, idx = (idx + 1) % nfr) {
        unsigned off = fro + idx * 16;
        uint64_t hi = vtd_read64(u, off + 8);
        if (!(hi & VTD_FRCD_HI_F))
            continue;
        uint64_t lo = vtd_read64(u, off);
        struct vtd_fault_record r = {
            .sid = VTD_FRCD_HI_SID(hi), .reason = (uint8_t)VTD_FRCD_HI_FR(hi),
            .read = (hi & VTD_FRCD_HI_T) != 0,
        };
        r.addr = r.reason >= 0x20 ? VTD_FRCD_LO_IR_INDEX(lo) : (lo & VTD_FRCD_LO_FI_MASK);
        r.guest = vtd_owner_of(u->drhd->segment, r.sid);
        vtd_write32(u, off + 12, (uint32_t)(VTD_FRCD_HI_F >> 32)); /* write 1 to clear F */
        uint64_t f = spin_lock_irqsave(&fault_lock);
        last = r;
        have_last = true;
        nfaults++;
        spin_unlock_irqrestore(&fault_lock, f);
        report(&r);
    }
    if (fsts & (VTD_FSTS_PFO | VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)) {
        if (fsts & VTD_FSTS_PFO)
            log_warn("vtd", "fault records overflowed: some faults were not recorded");
        if (fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE))
            log_err("vtd", "invalidation error (FSTS %#x)", fsts);
        vtd_write32(u, VTD_FSTS, fsts & (VTD_FSTS_PFO | VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE));
    }
}

/* From the fault interrupt and from the management loop's poll: interrupts off, so the two
 * never read the same record twice on this CPU; poll_lock for any other caller. */
static struct spinlock poll_lock;

void vtd_fault_poll(void)
{
    uint64_t f = spin_lock_irqsave(&poll_lock);
    for (unsigned i = 0; i < vtd_nunits; i++)
        unit_poll(&vtd_units[i]);
    spin_unlock_irqrestore(&poll_lock, f);
}

static void fault_irq(struct trap_frame *frame)
{
    (void)frame;
    vtd_fault_poll();
    lapic_eoi();
}

/* Fault events go to the management CPU (CPU 0, this CPU at boot): 7.3, 11.4.7.3-5. */
void vtd_fault_init(struct vtd_unit *u)
{
    static bool registered;
    if (!registered) {
        irq_register(VEC_VTD_FAULT, fault_irq);
        registered = true;
    }
    uint32_t apic = lapic_id();
    vtd_write32(u, VTD_FECTL, VTD_FECTL_IM);
    vtd_write32(u, VTD_FEDATA, VEC_VTD_FAULT);
    vtd_write32(u, VTD_FEADDR, 0xfee00000u | (apic & 0xff) << MSI_ADDR_DEST_SHIFT);
    vtd_write32(u, VTD_FEUADDR, apic & 0xffffff00u); /* x2APIC ids above 255 (EIM) */
    unit_poll(u); /* whatever the firmware left */
    vtd_write32(u, VTD_FECTL, 0);
    log_info("vtd", "unit at %#lx: fault events -> vector %#x on CPU 0 (APIC id %u), %u fault record(s)",
             u->drhd->reg_base, VEC_VTD_FAULT, apic, VTD_CAP_NFR(u->cap));
}
