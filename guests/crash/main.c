/* crash: triple-faults on purpose (an exception with an empty IDT). The hypervisor stops
 * it with a diagnostic while the other guests keep running. */
#include "guest.h"

int guest_main(const struct exitless_boot_info *bi)
{
    (void)bi;
    gprintf("crashing on purpose: empty IDT, then int3\n");
    guest_triple_fault();
    check("triple-fault-stopped", false, "still running after a triple fault");
    return 1;
}
