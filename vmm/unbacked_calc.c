/* The arithmetic of all-ones reads (pure): which pages to log, what the register gets. */
#include "vmm/unbacked.h"

#define PAGE_SHIFT_4K 12

bool unbacked_note(struct unbacked_log *l, uint64_t gpa)
{
    uint64_t page = gpa >> PAGE_SHIFT_4K << PAGE_SHIFT_4K;
    l->reads++;
    for (uint32_t i = 0; i < l->npages; i++)
        if (l->page[i] == page)
            return false;
    if (l->npages == UNBACKED_PAGES_LOGGED) {
        l->unlogged_reads++;
        return false;
    }
    l->page[l->npages++] = page;
    return true;
}

static uint64_t low_bytes(unsigned n) { return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1; }

uint64_t unbacked_load_result(enum insn_op op, uint64_t mem, unsigned mem_size,
                              unsigned dest_size, bool high8, uint64_t old)
{
    uint64_t val = mem & low_bytes(mem_size);
    if (op == INSN_MOVSX && mem_size < 8 && ((val >> (8 * mem_size - 1)) & 1))
        val |= ~low_bytes(mem_size);
    val &= low_bytes(dest_size);
    if (high8)
        return (old & ~0xff00ull) | ((val & 0xff) << 8);
    switch (dest_size) {
    case 1: return (old & ~0xffull) | val;
    case 2: return (old & ~0xffffull) | val;
    default: return val;        /* 32-bit results zero-extend to 64 bits */
    }
}
