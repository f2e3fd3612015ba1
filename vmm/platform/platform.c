/* The guest platform's ports: byte registers, so a wider access that touches one is done a
 * byte at a time (bytes that are no register read all ones, as unclaimed ports do). */
#include "kernel/arch.h"
#include "vmm/guest.h"
#include "vmm/platform/platform.h"
#include "vmm/platform/pit.h"
#include "vmm/platform/pm.h"

static bool byte_access(struct guest *g, uint16_t port, bool write, uint8_t *v)
{
    return pm_port(g, port, write, v) || pit_port(g, port, write, v);
}

bool platform_port(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value)
{
    bool any = false;
    uint32_t out = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = write ? (uint8_t)(*value >> (8 * i)) : 0xff;
        if (byte_access(g, (uint16_t)(port + i), write, &b))
            any = true;
        else
            b = 0xff;
        out |= (uint32_t)b << (8 * i);
    }
    if (any && !write)
        *value = out;
    return any;
}

void platform_reset(struct guest *g)
{
    pit_reset(&g->pit, rdtsc());
    g->pm = (struct guest_pm){ 0 };
}
