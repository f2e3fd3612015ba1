/* The guest's virtual platform ports (power management, PIT channel 2, port B): the one
 * entry vmm/io.c calls before it treats a port as unclaimed. */
#ifndef EXITLESS_VMM_PLATFORM_PLATFORM_H
#define EXITLESS_VMM_PLATFORM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* One access of `size` bytes (1, 2, 4); reads fill *value. False when no byte of it is a
 * platform register (the caller counts it as unclaimed). */
bool platform_port(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value);
/* A new run of the guest (first start or restart): every platform device at power-on. */
void platform_reset(struct guest *g);

#endif
