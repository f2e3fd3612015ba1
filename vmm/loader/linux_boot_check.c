/* What both Linux boot protocols share: the command line's limits and where the initrd
 * goes. Pure, host unit-tested. */
#include <string.h>

#include "vmm/loader/linux_check.h"
#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_check.h"

#define PAGE 0x1000ull

int linux_cmdline_check(const char *cmdline, uint32_t kernel_max, char *err, size_t len)
{
    size_t n = strnlen(cmdline, LINUX_CMDLINE_MAX);
    if (n >= LINUX_CMDLINE_MAX)
        return loader_fail(err, len, "command line is longer than the %u bytes the loader "
                                     "reserves for it", LINUX_CMDLINE_MAX - 1);
    if (kernel_max && n > kernel_max)
        return loader_fail(err, len, "command line is %zu bytes, the kernel takes at most %u "
                                     "(cmdline_size)", n, kernel_max);
    return 0;
}

int linux_initrd_place(uint64_t mem_size, uint64_t kernel_end, uint64_t addr_max,
                       uint64_t size, uint64_t *start, char *err, size_t len)
{
    uint64_t top = mem_size;
    if (addr_max < top - 1)
        top = addr_max + 1;
    top &= ~(PAGE - 1);
    uint64_t low = (kernel_end + PAGE - 1) & ~(PAGE - 1);
    if (size == 0)
        return loader_fail(err, len, "initrd is empty");
    if (size > top || ((top - size) & ~(PAGE - 1)) < low)
        return loader_fail(err, len, "initrd (%lu KiB) does not fit between the kernel's end "
                                     "%#lx and %#lx (guest memory %lu MiB, kernel's limit %#lx)",
                           size >> 10, low, top, mem_size >> 20, addr_max);
    *start = (top - size) & ~(PAGE - 1);
    return 0;
}
