/* VT-d interrupt remapping: the IRT, remappable-format entries with source-id checks, and
 * interrupt entry cache invalidation (VT-d 4.x chapter 5, 9.10, 11.4.9). */
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/vtd/vtd_priv.h"
#include "kernel/lapic.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"

#define VTD_IRTA_SIZE_256 7u /* 2^(S+1) entries */

static int iec_invalidate(struct vtd_unit *u)
{
    if (!u->qi)
        return -1; /* there is no register-based IEC invalidation: IR needs QI (6.5.2.7) */
    return vtd_qi_submit(u, (struct vtd_entry128){ VTD_QI_IEC, 0 }); /* global */
}

int vtd_ir_init(struct vtd_unit *u)
{
    if (!(u->ecap & VTD_ECAP_IR)) {
        log_warn("vtd", "unit at %#lx: no interrupt remapping: no device interrupt can be "
                        "assigned safely", u->drhd->reg_base);
        return 0;
    }
    if (!u->qi) {
        log_err("vtd", "unit at %#lx: interrupt remapping needs queued invalidation", u->drhd->reg_base);
        return -1;
    }
    uint64_t p = frames_alloc(1, FRAME_SIZE);
    if (p == FRAME_NONE)
        return -1;
    u->irt_phys = p;
    u->irt = phys_to_virt(p);
    vtd_flush(u, u->irt, FRAME_SIZE);
    /* Extended interrupt mode: 32-bit x2APIC destinations; needed once the CPUs use x2APIC ids. */
    u->eim = (u->ecap & VTD_ECAP_EIM) && lapic_x2apic_mode();
    vtd_write64(u, VTD_IRTA, p | (u->eim ? VTD_IRTA_EIME : 0) | VTD_IRTA_SIZE_256);
    if (vtd_gcmd(u, VTD_GCMD_SIRTP, true) || iec_invalidate(u)) {
        log_err("vtd", "unit at %#lx: interrupt remapping table not latched", u->drhd->reg_base);
        return -1;
    }
    /* CFI stays clear: compatibility-format interrupts are blocked and reported. */
    if (vtd_gcmd(u, VTD_GCMD_IRE, true)) {
        log_err("vtd", "unit at %#lx: interrupt remapping did not enable", u->drhd->reg_base);
        return -1;
    }
    log_info("vtd", "unit at %#lx: interrupt remapping enabled: %u entries, %s destinations, "
                    "compatibility format blocked, source ids verified",
             u->drhd->reg_base, VTD_IRT_ENTRIES, u->eim ? "x2APIC (EIM)" : "xAPIC 8-bit");
    return 0;
}

static int write_irte(struct vtd_unit *u, int index, uint16_t sid, uint32_t dest, uint8_t vector)
{
    if (!u->eim && dest > 0xff)
        return -1;
    struct vtd_entry128 e = vtd_irte_encode(sid, dest, vector, u->eim);
    struct vtd_entry128 *slot = &u->irt[index];
    slot->lo = 0; /* not present while the high half changes */
    vtd_flush(u, slot, 16);
    slot->hi = e.hi;
    __asm__ volatile("" ::: "memory");
    slot->lo = e.lo;
    vtd_flush(u, slot, 16);
    return iec_invalidate(u);
}

int vtd_irte_update(uint16_t seg, int index, uint16_t sid, uint32_t dest_apic_id, uint8_t vector)
{
    struct vtd_unit *u = vtd_unit_for(seg, sid);
    if (!u || !u->irt || index < 0 || index >= VTD_IRT_ENTRIES)
        return -1;
    uint64_t f = spin_lock_irqsave(&u->lock);
    int rc = write_irte(u, index, sid, dest_apic_id, vector);
    spin_unlock_irqrestore(&u->lock, f);
    return rc;
}

unsigned vtd_ir_in_use(struct vtd_unit *u)
{
    unsigned n = 0;
    uint64_t f = spin_lock_irqsave(&u->lock);
    for (unsigned i = 0; i < VTD_IRT_ENTRIES; i++)
        n += u->irt_used[i];
    spin_unlock_irqrestore(&u->lock, f);
    return n;
}

int vtd_irte_alloc(uint16_t seg, uint16_t sid, uint32_t dest_apic_id, uint8_t vector,
                   uint64_t *msi_addr, uint32_t *msi_data)
{
    struct vtd_unit *u = vtd_unit_for(seg, sid);
    if (!u || !u->irt)
        return -1;
    uint64_t f = spin_lock_irqsave(&u->lock);
    int index = -1;
    for (int i = 0; i < VTD_IRT_ENTRIES && index < 0; i++)
        if (!u->irt_used[i])
            index = i;
    if (index >= 0) {
        u->irt_used[index] = true;
        if (write_irte(u, index, sid, dest_apic_id, vector)) {
            u->irt_used[index] = false;
            index = -1;
        }
    }
    spin_unlock_irqrestore(&u->lock, f);
    if (index < 0)
        return -1;
    *msi_addr = vtd_msi_address((uint16_t)index);
    *msi_data = 0; /* SHV = 0: the handle alone selects the entry */
    return index;
}

void vtd_irte_free(uint16_t seg, int index)
{
    for (unsigned i = 0; i < vtd_nunits; i++) {
        struct vtd_unit *u = &vtd_units[i];
        if (u->drhd->segment != seg || !u->irt || index < 0 || index >= VTD_IRT_ENTRIES)
            continue;
        uint64_t f = spin_lock_irqsave(&u->lock);
        u->irt[index].lo = 0;
        vtd_flush(u, &u->irt[index], 16);
        (void)iec_invalidate(u);
        u->irt_used[index] = false;
        spin_unlock_irqrestore(&u->lock, f);
    }
}
