/* A guest's vectors: its interrupt mode decides (vmm/intr/vector_policy.c). */
#include "vmm/guest.h"
#include "vmm/intr/vector_policy.h"

bool guest_owns_vector(const struct guest *g, uint8_t vector)
{
    return intr_mode_owns_vector(g->intr_mode, vector);
}
