/* The guest's vectors by interrupt mode (vmm/intr/vector_policy.h); pure. */
#include "kernel/vectors.h"
#include "vmm/intr/vector_policy.h"

#define VEC_EXITLESS_FIRST 0x20

uint8_t intr_mode_first_vector(enum intr_mode mode)
{
    return mode == INTR_EXITLESS ? VEC_EXITLESS_FIRST : VEC_GUEST_FIRST;
}

uint8_t intr_mode_last_vector(enum intr_mode mode)
{
    return mode == INTR_EXITLESS ? 0xff : VEC_GUEST_LAST;
}

bool intr_mode_owns_vector(enum intr_mode mode, uint8_t vector)
{
    return vector >= intr_mode_first_vector(mode) && vector <= intr_mode_last_vector(mode);
}
