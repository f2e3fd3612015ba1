/* Nested page-table entries (APM vol. 2, 15.25): the guest-physical map in the x86-64 long-mode
 * page-table format, walked with the guest's accesses treated as user accesses, so every
 * level has U/S set. GPM_* attributes -> P, R/W, NX, PS, PCD|PWT. Pure logic, unit-tested. */
#include "vmm/svm/npt.h"

/* Non-leaf entries grant everything; the leaf decides (the walk ANDs the levels). */
static uint64_t npt_table_entry(uint64_t phys)
{
    return phys | PTE_P | PTE_W | PTE_U;
}

/* A leaf the guest may at least read. NPT cannot express write- or execute-only: an entry
 * without GPM_R is left not present. NX needs EFER.NXE in the host (checked when SVM is
 * enabled on a CPU). GPM_UC picks PAT entry 3 (PCD|PWT), UC in the default PAT the host
 * keeps; the PAT bit is never used, so large and small leaves encode it the same way. */
static uint64_t npt_leaf_entry(uint64_t phys, uint64_t attrs, int level)
{
    if (!(attrs & GPM_R))
        return 0;
    uint64_t e = phys | PTE_P | PTE_U;
    if (attrs & GPM_W)
        e |= PTE_W;
    if (!(attrs & GPM_X))
        e |= PTE_NX;
    if (attrs & GPM_UC)
        e |= PTE_PCD | PTE_PWT;
    if (level > 1)
        e |= PTE_PS;
    return e;
}

static bool npt_present(uint64_t e) { return e & PTE_P; }
static bool npt_is_leaf(uint64_t e, int level) { return level == 1 || (e & PTE_PS); }

static uint64_t npt_perms(uint64_t e)
{
    if (!(e & PTE_P))
        return 0;
    return GPM_R | (e & PTE_W ? GPM_W : 0) | (e & PTE_NX ? 0 : GPM_X);
}

const struct pt_format pt_format_npt = {
    .table_entry = npt_table_entry,
    .leaf_entry = npt_leaf_entry,
    .present = npt_present,
    .is_leaf = npt_is_leaf,
    .perms = npt_perms,
};

uint64_t npt_root(uint64_t root_phys)
{
    return root_phys; /* nCR3: the PML4's address; PCD/PWT 0 (write-back table walks) */
}
