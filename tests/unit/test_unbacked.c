/* Unit tests for all-ones reads: what each load leaves in its register, the once-per-page log
 * and its bound, and the refused-MSR table. */
#include "check.h"
#include "vmm/msr_refused.h"
#include "vmm/unbacked.h"

#define OLD 0x1122334455667788ull

static void test_results(void)
{
    CHECK_EQ_U64(unbacked_load_result(INSN_MOV_LOAD, ~0ull, 1, 1, false, OLD),
                 0x11223344556677ffull, "MOV r8 keeps the rest");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOV_LOAD, ~0ull, 1, 1, true, OLD),
                 0x112233445566ff88ull, "MOV AH");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOV_LOAD, ~0ull, 2, 2, false, OLD),
                 0x112233445566ffffull, "MOV r16 keeps the rest");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOV_LOAD, ~0ull, 4, 4, false, OLD), 0xffffffffull,
                 "MOV r32 zero-extends");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOV_LOAD, ~0ull, 8, 8, false, OLD), ~0ull, "MOV r64");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVZX, ~0ull, 1, 4, false, OLD), 0xff, "MOVZX r32, m8");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVZX, ~0ull, 2, 2, false, OLD), 0x112233445566ffffull,
                 "MOVZX r16, m16");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVSX, ~0ull, 1, 8, false, OLD), ~0ull,
                 "MOVSX r64, m8");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVSX, ~0ull, 2, 4, false, OLD), 0xffffffffull,
                 "MOVSX r32, m16");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVSX, 0x7f, 1, 8, false, OLD), 0x7f,
                 "MOVSX of a positive byte");
    CHECK_EQ_U64(unbacked_load_result(INSN_MOVSX, 0xffffffff5a5a5a5aull, 4, 8, false, OLD),
                 0x5a5a5a5aull, "MOVSXD reads 4 bytes only");
}

static void test_log(void)
{
    struct unbacked_log l = { 0 };
    CHECK(unbacked_note(&l, 0xfed00000), "first read of a page logged");
    CHECK(!unbacked_note(&l, 0xfed00ff8), "same page: not again");
    CHECK(unbacked_note(&l, 0xfed01000), "next page logged");
    for (uint64_t p = 2; p < UNBACKED_PAGES_LOGGED; p++)
        CHECK(unbacked_note(&l, 0xfed00000 + (p << 12)), "page %lu", (unsigned long)p);
    CHECK(!unbacked_note(&l, 0xf0000000), "beyond the table: counted, not logged");
    CHECK_EQ_U64(l.reads, UNBACKED_PAGES_LOGGED + 2, "every read counted");
    CHECK_EQ_U64(l.unlogged_reads, 1, "one read on a page not logged");
    CHECK_EQ_U64(l.npages, UNBACKED_PAGES_LOGGED, "table full");
}

static void test_refused(void)
{
    struct msr_refused t = { 0 };
    CHECK(msr_refused_note(&t, 0xce, false), "first read refusal");
    CHECK(!msr_refused_note(&t, 0xce, false), "repeat");
    CHECK(msr_refused_note(&t, 0xce, true), "the write is another entry");
    CHECK_EQ_U64(t.e[0].count, 2, "counted");
    for (uint32_t m = 0; t.n < MSR_REFUSED_MAX; m++)
        CHECK(msr_refused_note(&t, 0x1000 + m, false), "entry %u", m);
    CHECK(!msr_refused_note(&t, 0x2000, false), "full: not logged");
    CHECK_EQ_U64(t.untracked, 1, "counted as untracked");
    CHECK(!msr_refused_note(&t, 0xce, true), "a known one is still counted");
    CHECK_EQ_U64(t.e[1].count, 2, "its count");
}

int main(void)
{
    test_results();
    test_log();
    test_refused();
    return check_summary("unbacked");
}
