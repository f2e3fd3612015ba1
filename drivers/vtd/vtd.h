/* VT-d: DMA remapping domains per guest, interrupt remapping and fault reporting. */
#ifndef EXITLESS_DRIVERS_VTD_H
#define EXITLESS_DRIVERS_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "exitless/manifest.h"
#include "kernel/paging.h"

#define VTD_MAX_UNITS   4
#define VTD_MAX_DOMAINS (MF_MAX_GUESTS + 1)
#define VTD_DOMAIN_HV   1  /* domain id of the hypervisor's own DMA (NIC PF queues) */
#define VTD_NO_GUEST    0xffu
#define VTD_IRT_ENTRIES 256

/* A DMA address space: second-level tables shared by every unit (same format everywhere). */
struct vtd_domain {
    uint16_t id;            /* domain id in context entries (0 is never used) */
    uint8_t guest;          /* manifest guest index, VTD_NO_GUEST for the hypervisor */
    const char *name;
    struct pt pt;
    uint64_t pages;         /* 4 KiB pages mapped */
    uint64_t mem_hpa, mem_size; /* guest domains: GPA 0..mem_size -> mem_hpa */
    volatile uint64_t faults;
};

/* Fault callback for the guest layer (stop the guest per its on-fault policy). Runs in the
 * fault interrupt on the management CPU. */
typedef void (*vtd_fault_hook_t)(uint8_t guest, uint64_t faults);

/*
 * Boot, after pci_init() and sriov_init(): brings up every DRHD unit of the DMAR (root and
 * context tables, queued invalidation, fault interrupt to CPU 0, interrupt remapping), builds
 * one domain per guest that owns devices (its memory block is reserved here so the domain
 * and the guest's EPT map the same host pages; see vtd_guest_memory()), the hypervisor DMA
 * domain, attaches each owned VF/PCI function to its guest's domain and the NIC PFs to the
 * hypervisor domain, refuses devices with RMRRs or outside every unit's scope, then enables
 * translation. Every other device has no context entry: its DMA is blocked and reported.
 * Returns false when the manifest's assignments cannot be honoured (each reason logged).
 */
bool vtd_init(const struct mf_manifest *m);
bool vtd_active(void);

/* The domain of manifest guest `g` or of the hypervisor (VTD_NO_GUEST); NULL if none. */
struct vtd_domain *vtd_domain_of(uint8_t guest);
/* The host block reserved for guest `g`'s memory (the domain maps GPA 0..size to it): the
 * guest layer must use it as guest->mem_hpa. false when none was reserved. */
bool vtd_guest_memory(uint8_t guest, uint64_t *hpa, uint64_t *size);
/* Maps [iova, iova+size) -> hpa in `d` (VTD_SL_R/W attrs) and invalidates; for the PF driver
 * this is the identity map of a buffer it allocated (iova == hpa). */
int vtd_domain_map(struct vtd_domain *d, uint64_t iova, uint64_t hpa, uint64_t size,
                   uint64_t attrs) __attribute__((warn_unused_result));
/* Points requester `bdf` at domain `d` (NULL: removes its context entry, blocking it). */
int vtd_attach(uint16_t seg, uint16_t bdf, struct vtd_domain *d) __attribute__((warn_unused_result));
/* Owner guest of requester `bdf`, VTD_NO_GUEST when nobody owns it. */
uint8_t vtd_owner_of(uint16_t seg, uint16_t bdf);

/*
 * Interrupt remapping. Allocates an IRTE for MSI/MSI-X from requester `sid` to `vector` on
 * the CPU with `dest_apic_id` (source id verified, fixed delivery, physical destination) and
 * returns the remappable-format address/data the device's MSI-X entry must hold.
 * vtd_irte_update() retargets an entry (the guest layer: MSI-X table write trapped -> new
 * destination core / vector). Index < 0 on error.
 */
int vtd_irte_alloc(uint16_t seg, uint16_t sid, uint32_t dest_apic_id, uint8_t vector,
                   uint64_t *msi_addr, uint32_t *msi_data) __attribute__((warn_unused_result));
int vtd_irte_update(uint16_t seg, int index, uint16_t sid, uint32_t dest_apic_id,
                    uint8_t vector) __attribute__((warn_unused_result));
void vtd_irte_free(uint16_t seg, int index);

/* What the driver holds (the resource census, vmm/census.c). Domains and their tables are
 * built on the boot CPU before any guest runs and only read after that; IRTE use is read
 * under each unit's lock. */
struct vtd_usage {
    uint32_t domains;
    uint64_t domain_table_pages;    /* second-level table pages of every domain */
    uint64_t domain_mapped_pages;   /* 4 KiB pages mapped in every domain */
    uint32_t context_table_pages;   /* per-bus context tables of every unit */
    uint32_t irtes_in_use;          /* interrupt-remapping entries of every unit */
};
void vtd_usage(struct vtd_usage *out);

/* Faults: counts and the last record seen (tests), the guest-layer hook. */
struct vtd_fault_record {
    uint16_t sid;
    uint8_t reason;
    bool read;
    uint64_t addr;         /* page address, or the interrupt index for IR faults */
    uint8_t guest;         /* owner of sid, VTD_NO_GUEST */
};
void vtd_set_fault_hook(vtd_fault_hook_t hook);
uint64_t vtd_fault_count(void);
bool vtd_last_fault(struct vtd_fault_record *out);
/* Reads and clears pending fault records now (the interrupt handler's work; tests call it
 * when interrupts may be off). */
void vtd_fault_poll(void);

#endif
