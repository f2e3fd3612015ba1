/* isolation: may use all of its own memory, and is stopped by the hypervisor the moment
 * it touches a byte beyond it. The manifest marks it as expected to be stopped. */
#include "guest.h"

int guest_main(const struct exitless_boot_info *bi)
{
    uint8_t v = 0;
    uint64_t last = bi->mem_size - 1;
    int e = probe_write8(last, 0x77) | probe_read8(last, &v);
    check("own-memory", e == 0 && v == 0x77, "last byte of RAM: vector %d value %#x", e, v);
    gprintf("writing outside my memory at %#lx: the hypervisor must stop me\n",
            (unsigned long)(bi->mem_size + 0x2000));
    probe_write8(bi->mem_size + 0x2000, 1);
    check("outside-write-stopped", false, "the write outside guest memory completed");
    return 1;
}
