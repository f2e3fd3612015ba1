/* VT-d driver internals shared by vtd.c, vtd_ir.c and vtd_fault.c. */
#ifndef EXITLESS_DRIVERS_VTD_PRIV_H
#define EXITLESS_DRIVERS_VTD_PRIV_H

#include "drivers/acpi/acpi.h"
#include "drivers/vtd/vtd.h"
#include "drivers/vtd/vtd_hw.h"
#include "kernel/spinlock.h"

#define VTD_TIMEOUT_US 100000

struct vtd_unit {
    const struct acpi_dmar_drhd *drhd;
    volatile uint8_t *regs;
    uint64_t cap, ecap;
    unsigned aw;
    bool coherent;           /* ECAP.C */
    bool qi;
    struct spinlock lock;    /* protects: the QI tail, register invalidation, IRT updates */
    uint64_t root_phys;
    struct vtd_entry128 *root;
    struct vtd_entry128 *ctx[256]; /* per bus, NULL until a device on it is attached */
    struct vtd_entry128 *iq;
    uint64_t iq_phys;
    unsigned iq_tail;
    volatile uint32_t *wait_status;
    uint64_t wait_status_phys;
    struct vtd_entry128 *irt;
    uint64_t irt_phys;
    bool irt_used[VTD_IRT_ENTRIES];
    bool eim;
};

extern struct vtd_unit vtd_units[VTD_MAX_UNITS];
extern unsigned vtd_nunits;

uint32_t vtd_read32(const struct vtd_unit *u, unsigned off);
uint64_t vtd_read64(const struct vtd_unit *u, unsigned off);
void vtd_write32(struct vtd_unit *u, unsigned off, uint32_t v);
void vtd_write64(struct vtd_unit *u, unsigned off, uint64_t v);
/* Sets/clears a GCMD state bit and waits for GSTS to follow; -1 on timeout. */
int vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on);
/* Writes back CPU cache lines of table memory the unit reads, when it does not snoop. */
void vtd_flush(const struct vtd_unit *u, const void *p, uint64_t len);
/* Queued invalidation of one descriptor followed by a wait descriptor. */
int vtd_qi_submit(struct vtd_unit *u, struct vtd_entry128 d);
struct vtd_unit *vtd_unit_for(uint16_t seg, uint16_t bdf);

int vtd_ir_init(struct vtd_unit *u);
/* Interrupt-remapping entries in use on unit u (taken under u->lock). */
unsigned vtd_ir_in_use(struct vtd_unit *u);
void vtd_fault_init(struct vtd_unit *u);

#endif
