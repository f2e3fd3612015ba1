/* Nested page tables (APM vol. 2, 15.25): the entry format gpmap builds for SVM guests. */
#ifndef EXITLESS_VMM_SVM_NPT_H
#define EXITLESS_VMM_SVM_NPT_H

#include <stdint.h>

#include "kernel/paging.h"
#include "vmm/gpmap.h"

extern const struct pt_format pt_format_npt;
/* The nCR3 value for a map whose PML4 is at root_phys. */
uint64_t npt_root(uint64_t root_phys);

#endif
