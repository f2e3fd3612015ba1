/* Host tests of the vector map: hypervisor vectors unique, in their range, none in the guests'. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/vectors.h"
#include "check.h"

int main(void)
{
    int seen[256] = {0};

    for (unsigned i = 0; i < hv_vector_count; i++) {
        uint8_t v = hv_vectors[i].vector;
        CHECK(seen[v] == 0, "vector 0x%x listed twice", v);
        seen[v]++;
        CHECK(vector_owner(v) == VECTOR_HYPERVISOR, "%s (0x%x) is in the hypervisor range",
              hv_vectors[i].name, v);
        CHECK(i == 0 || hv_vectors[i - 1].vector < v, "table ascending at 0x%x", v);
        CHECK_STREQ(vector_name(v), hv_vectors[i].name, "name lookup");
    }
    for (unsigned v = VEC_GUEST_FIRST; v <= VEC_GUEST_LAST; v++)
        CHECK(vector_name((uint8_t)v) == NULL && vector_owner((uint8_t)v) == VECTOR_GUEST,
              "guest vector 0x%x untouched by the hypervisor", v);
    CHECK_EQ_U64(vector_owner(0x1f), VECTOR_EXCEPTION, "last exception");
    CHECK_EQ_U64(vector_owner(VEC_PIC_FIRST), VECTOR_LEGACY_PIC, "8259 base");
    CHECK_EQ_U64(vector_owner(VEC_PIC_LAST), VECTOR_LEGACY_PIC, "8259 end");
    CHECK_EQ_U64(vector_owner(VEC_HV_FIRST), VECTOR_HYPERVISOR, "hypervisor base");
    CHECK_EQ_U64(VEC_PIC_SLAVE, VEC_PIC_FIRST + 8, "slave PIC follows the master's 8");
    CHECK_EQ_U64(VEC_SPURIOUS & 0xf, 0xf, "spurious vector low nibble 1111 (SDM 11.9)");
    /* The IPIs must outrank every guest vector's priority class (vector >> 4). */
    CHECK((VEC_IPI_PING >> 4) > (VEC_GUEST_LAST >> 4), "IPIs above the guests' classes");
    CHECK((VEC_TIMER >> 4) > (VEC_GUEST_LAST >> 4), "timer above the guests' classes");
    CHECK(VEC_GUEST_LAST - VEC_GUEST_FIRST + 1 == 176, "176 vectors for guests");
    return check_summary("vectors");
}
