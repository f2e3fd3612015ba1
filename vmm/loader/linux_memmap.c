/* The memory map a Linux guest is given (e820 in the zero page, the memmap of
 * hvm_start_info): exactly the layout vmm/loader/linux_layout.h documents. Pure,
 * host unit-tested. */
#include "vmm/loader/linux_check.h"
#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_check.h"
#include "vmm/vpci/vpci.h"

int linux_memmap(uint64_t mem_size, struct linux_mem_range r[LINUX_MEMMAP_MAX], char *err,
                 size_t len)
{
    if (mem_size < LINUX_MEM_MIN)
        return loader_fail(err, len, "guest memory %lu KiB is below the %llu MiB a Linux guest "
                                     "needs", mem_size >> 10, LINUX_MEM_MIN >> 20);
    if (mem_size & 0xfff)
        return loader_fail(err, len, "guest memory %#lx is not a whole number of pages",
                           mem_size);
    /* Guest RAM is one block from 0: it must end below the window where assigned BARs and
     * the APIC pages live (vmm/vpci/vpci.h). */
    if (mem_size > VPCI_MMIO_BASE)
        return loader_fail(err, len, "guest memory %lu MiB overlaps the PCI window at %#llx: "
                                     "a Linux guest may have at most %llu MiB",
                           mem_size >> 20, VPCI_MMIO_BASE, VPCI_MMIO_BASE >> 20);
    const uint64_t acpi_end = LINUX_GPA_ACPI + LINUX_ACPI_SIZE;
    r[0] = (struct linux_mem_range){ 0, LINUX_GPA_LOW_RAM_END, E820_RAM };
    r[1] = (struct linux_mem_range){ LINUX_GPA_LOW_RAM_END, LINUX_GPA_ACPI - LINUX_GPA_LOW_RAM_END,
                                     E820_RESERVED };
    r[2] = (struct linux_mem_range){ LINUX_GPA_ACPI, LINUX_ACPI_SIZE, E820_ACPI };
    r[3] = (struct linux_mem_range){ acpi_end, LINUX_GPA_HIGH_RAM - acpi_end, E820_RESERVED };
    r[4] = (struct linux_mem_range){ LINUX_GPA_HIGH_RAM, mem_size - LINUX_GPA_HIGH_RAM, E820_RAM };
    return (int)LINUX_MEMMAP_MAX;
}
