/* The vector map of kernel/vectors.h as data, so the boot log and unit tests can check it. */
#include <stddef.h>

#include "kernel/vectors.h"

const struct vector_use hv_vectors[] = {
    { VEC_VTD_FAULT, "VT-d fault" },
    { VEC_NIC_MAILBOX, "NIC mailbox" },
    { VEC_UPLINK_RX, "uplink receive" },
    { VEC_IPI_PING, "IPI ping" },
    { VEC_IPI_PONG, "IPI pong" },
    { VEC_IPI_XCALL, "IPI cross-call" },
    { VEC_TIMER, "timer" },
    { VEC_LAPIC_ERROR, "LAPIC error" },
    { VEC_SPURIOUS, "spurious" },
};
const unsigned hv_vector_count = sizeof(hv_vectors) / sizeof(hv_vectors[0]);

enum vector_owner vector_owner(uint8_t vector)
{
    if (vector <= VEC_EXCEPTION_LAST)
        return VECTOR_EXCEPTION;
    if (vector <= VEC_PIC_LAST)
        return VECTOR_LEGACY_PIC;
    if (vector <= VEC_GUEST_LAST)
        return VECTOR_GUEST;
    return VECTOR_HYPERVISOR;
}

const char *vector_owner_name(enum vector_owner owner)
{
    static const char *const names[] = {
        [VECTOR_EXCEPTION] = "exceptions", [VECTOR_LEGACY_PIC] = "8259 (masked)",
        [VECTOR_GUEST] = "guests", [VECTOR_HYPERVISOR] = "hypervisor",
    };
    return names[owner];
}

const char *vector_name(uint8_t vector)
{
    for (unsigned i = 0; i < hv_vector_count; i++)
        if (hv_vectors[i].vector == vector)
            return hv_vectors[i].name;
    return NULL;
}
