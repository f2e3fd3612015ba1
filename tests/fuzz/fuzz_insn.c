/* libFuzzer harness: the x86 decoder the hypervisor runs on guest bytes (vmm/insn/decode.c),
 * with the fetch of vmm/vcpu_insn.c (the mode from CR0/RFLAGS/EFER/CS, the bytes left in
 * the page). For any bytes, any count and any mode it asserts:
 *  - a refusal leaves op INSN_UNKNOWN and len 0; an instruction has 1 to 15 bytes, never
 *    more than it was given, decodes the same from exactly its own bytes and not from one
 *    byte fewer, whatever follows it;
 *  - its fields agree with each other and with the mode: sizes from their sets, registers
 *    and control registers in range (no REX registers outside 64-bit mode, no RIP base
 *    outside it), memory-operand defaults where there is no memory operand, I/O fields only
 *    on I/O instructions, loads with their memory sizes, the implicit operands of INS/OUTS;
 *  - the linear address of a memory operand is its effective address wrapped at the address
 *    size, plus the segment base that counts, wrapped at 4 GiB outside long mode (computed
 *    here again from the SDM's rules).
 * Input: mode bits, fetch bits, 15 instruction bytes, then register and segment values. */
#include <stdbool.h>

#include "fuzz_input.h"
#include "vmm/insn/decode.h"

static bool same(const struct insn *a, const struct insn *b)
{
    return a->op == b->op && a->len == b->len && a->opsize == b->opsize &&
           a->addr_size == b->addr_size && a->cr == b->cr && a->gpr == b->gpr &&
           a->gpr_high8 == b->gpr_high8 && a->mem_size == b->mem_size && a->has_mem == b->has_mem &&
           a->mem.base == b->mem.base && a->mem.index == b->mem.index &&
           a->mem.scale == b->mem.scale && a->mem.disp == b->mem.disp && a->mem.seg == b->mem.seg &&
           a->mem.addr_size == b->mem.addr_size && a->mem.long_mode == b->mem.long_mode &&
           a->rep == b->rep && a->port_imm == b->port_imm && a->port == b->port &&
           a->io_size == b->io_size && a->imm == b->imm;
}

static bool is_io(enum insn_op op)
{
    return op == INSN_IN || op == INSN_OUT || op == INSN_INS || op == INSN_OUTS;
}

static bool is_load(enum insn_op op)
{
    return op == INSN_MOV_LOAD || op == INSN_MOVZX || op == INSN_MOVSX;
}

static bool is_store(enum insn_op op) { return op == INSN_MOV_STORE || op == INSN_MOV_STORE_IMM; }

static bool takes_cr(enum insn_op op)
{
    return op == INSN_MOV_TO_CR || op == INSN_MOV_FROM_CR || op == INSN_CLTS ||
           op == INSN_LMSW || op == INSN_SMSW;
}

static uint64_t mask_of(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static void check_fields(const struct insn *in, enum insn_mode mode, const uint8_t *b)
{
    bool m64 = mode == INSN_MODE64;
    int regs = m64 ? 16 : 8;
    FUZZ_ASSERT(in->opsize == 1 || in->opsize == 2 || in->opsize == 4 || (m64 && in->opsize == 8),
                "operand size %u in mode %d", in->opsize, mode);
    FUZZ_ASSERT(m64 ? in->addr_size == 4 || in->addr_size == 8 : in->addr_size == 2 || in->addr_size == 4,
                "address size %u in mode %d", in->addr_size, mode);
    FUZZ_ASSERT(in->gpr >= INSN_REG_NONE && in->gpr < regs, "gpr %d in mode %d", in->gpr, mode);
    FUZZ_ASSERT(takes_cr(in->op) ? in->cr >= 0 && in->cr < 16 : in->cr == INSN_REG_NONE,
                "op %d with cr %d", in->op, in->cr);
    FUZZ_ASSERT(!in->gpr_high8 || (in->opsize == 1 && in->gpr >= 4 && in->gpr <= 7 &&
                                   (is_load(in->op) || in->op == INSN_MOV_STORE)),
                "high byte register %d", in->gpr);
    FUZZ_ASSERT(in->op == INSN_MOV_STORE_IMM ? in->gpr == INSN_REG_NONE &&
                                                   (in->opsize == 8 || !(in->imm & ~mask_of(in->opsize)))
                                             : !in->imm,
                "immediate %#lx on op %d of size %u", in->imm, in->op, in->opsize);
    if (is_load(in->op)) {
        FUZZ_ASSERT(in->has_mem && in->gpr >= 0 &&
                        (in->mem_size == 1 || in->mem_size == 2 || in->mem_size == 4 || in->mem_size == 8),
                    "load: memory %d, size %u", in->has_mem, in->mem_size);
        /* MOVZX/MOVSX of a word into a 16-bit register and MOVSXD without REX.W move as
         * many bytes as they write (SDM MOVSX/MOVSXD/MOVZX). */
        FUZZ_ASSERT(in->op == INSN_MOV_LOAD ? in->mem_size == in->opsize : in->mem_size <= in->opsize,
                    "load of %u bytes into %u", in->mem_size, in->opsize);
    } else if (is_store(in->op)) {
        FUZZ_ASSERT(in->has_mem && in->mem_size == in->opsize &&
                        (in->op == INSN_MOV_STORE_IMM || in->gpr >= 0),
                    "store: memory %d, size %u of %u, gpr %d", in->has_mem, in->mem_size,
                    in->opsize, in->gpr);
    } else {
        FUZZ_ASSERT(!in->mem_size, "memory size %u on op %d", in->mem_size, in->op);
    }
    if (is_io(in->op)) {
        FUZZ_ASSERT(in->io_size == 1 || in->io_size == 2 || in->io_size == 4, "I/O size %u", in->io_size);
        FUZZ_ASSERT(!in->port_imm || in->op == INSN_IN || in->op == INSN_OUT, "string I/O with imm");
        if (in->op == INSN_INS)
            FUZZ_ASSERT(in->has_mem && in->mem.base == INSN_RDI && in->mem.seg == INSN_SEG_ES,
                        "INS operand");
        if (in->op == INSN_OUTS)
            FUZZ_ASSERT(in->has_mem && in->mem.base == INSN_RSI, "OUTS operand");
    } else {
        FUZZ_ASSERT(!in->io_size && !in->port_imm, "I/O fields on op %d", in->op);
    }
    if (!in->port_imm)
        FUZZ_ASSERT(!in->port, "port %#x without an immediate", in->port);
    const struct insn_mem *m = &in->mem;
    if (!in->has_mem) {
        FUZZ_ASSERT(m->base == INSN_REG_NONE && m->index == INSN_REG_NONE && m->scale == 1 &&
                        !m->disp && m->seg == INSN_SEG_DS,
                    "memory fields without a memory operand");
        return;
    }
    FUZZ_ASSERT((m->base >= INSN_REG_NONE && m->base < regs) || (m64 && m->base == INSN_REG_RIP),
                "base %d in mode %d", m->base, mode);
    FUZZ_ASSERT(m->index >= INSN_REG_NONE && m->index < regs && m->index != INSN_REG_RIP &&
                    (m64 || m->index != INSN_RSP),
                "index %d in mode %d", m->index, mode);
    FUZZ_ASSERT(m->index == INSN_REG_NONE ? m->scale == 1
                                          : m->scale == 1 || m->scale == 2 || m->scale == 4 || m->scale == 8,
                "scale %u", m->scale);
    FUZZ_ASSERT(m->base != INSN_REG_RIP || m->index == INSN_REG_NONE, "RIP-relative with an index");
    FUZZ_ASSERT(m->seg >= 0 && m->seg < INSN_SEGS && (!m64 || m->seg != INSN_SEG_CS),
                "segment %d in mode %d", m->seg, mode);
    FUZZ_ASSERT(m->addr_size == in->addr_size && m->long_mode == m64, "operand's address size");
    /* Displacements are 8, 16 (16-bit addressing) or 32 bits, sign-extended; the moffs of
     * A0-A3 is an address-size offset, zero-extended. */
    bool moffs = (in->op == INSN_MOV_LOAD || in->op == INSN_MOV_STORE) && m->base == INSN_REG_NONE &&
                 m->index == INSN_REG_NONE && in->len > in->addr_size &&
                 (b[in->len - in->addr_size - 1] & 0xfc) == 0xa0;
    if (moffs)
        FUZZ_ASSERT(in->addr_size == 8 || (m->disp >= 0 && (uint64_t)m->disp <= mask_of(in->addr_size)),
                    "offset %#lx for address size %u", m->disp, in->addr_size);
    else if (in->addr_size == 2)
        FUZZ_ASSERT(m->disp >= INT16_MIN && m->disp <= INT16_MAX, "16-bit displacement %#lx", m->disp);
    else
        FUZZ_ASSERT(m->disp >= INT32_MIN && m->disp <= INT32_MAX, "displacement %#lx", m->disp);
    if (in->rep) {
        bool f2f3 = false;
        for (unsigned i = 0; i < in->len; i++)
            f2f3 |= b[i] == 0xf2 || b[i] == 0xf3;
        FUZZ_ASSERT(f2f3, "rep without F2/F3");
    }
}

/* SDM vol. 1 3.7.5, vol. 3 3.4: base + index * scale + disp, wrapped at the address size,
 * plus the segment base (in 64-bit mode FS and GS only), wrapped at 4 GiB outside it. */
static uint64_t linear_of(const struct insn_mem *m, const uint64_t gpr[16], uint64_t rip_next,
                          const uint64_t seg[INSN_SEGS])
{
    uint64_t base = m->base == INSN_REG_RIP ? rip_next : m->base >= 0 ? gpr[m->base] : 0;
    uint64_t index = m->index >= 0 ? gpr[m->index] : 0;
    uint64_t ea = (base + index * m->scale + (uint64_t)m->disp) & mask_of(m->addr_size);
    bool counts = !m->long_mode || m->seg == INSN_SEG_FS || m->seg == INSN_SEG_GS;
    uint64_t lin = ea + (counts ? seg[m->seg] : 0);
    return m->long_mode ? lin : (uint32_t)lin;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    uint8_t modes = fuzz_u8(&in), fetch = fuzz_u8(&in);
    enum insn_mode mode = insn_mode_of(modes & 1, modes & 2 ? 1ull << 17 : 0,
                                       modes & 4 ? 1ull << 10 : 0, modes & 8, modes & 16);
    FUZZ_ASSERT(mode == INSN_MODE16 || mode == INSN_MODE32 || mode == INSN_MODE64, "mode %d", mode);
    FUZZ_ASSERT((mode == INSN_MODE64) == ((modes & 1) && !(modes & 2) && (modes & 4) && (modes & 8)),
                "64-bit mode from %#x", modes);
    /* The bytes fetched: 15, or those left in the page when the next one is unmapped. */
    uint64_t lin = 4096 - 1 - (fetch & 31);
    size_t n = fetch & 128 ? insn_bytes_in_page(lin) : (fetch & 64 ? 15u : (fetch & 15u));
    FUZZ_ASSERT(n <= 15 && (!(fetch & 128) || n == ((fetch & 31) + 1 < 15 ? (fetch & 31) + 1u : 15u)),
                "%zu bytes from %#lx", n, lin);
    uint8_t bytes[15];
    fuzz_bytes(&in, bytes, sizeof(bytes));
    uint8_t *exact = malloc(n ? n : 1);     /* exactly n bytes: ASan sees a read past them */
    memcpy(exact, bytes, n);
    struct insn a;
    int rc = insn_decode(exact, n, mode, &a);
    FUZZ_ASSERT(rc == 0 || rc == -1, "rc %d", rc);
    if (rc) {
        FUZZ_ASSERT(a.op == INSN_UNKNOWN && a.len == 0, "refusal with op %d len %u", a.op, a.len);
        free(exact);
        return 0;
    }
    FUZZ_ASSERT(a.op != INSN_UNKNOWN && a.len >= 1 && a.len <= 15 && a.len <= n,
                "op %d of %u bytes from %zu", a.op, a.len, n);
    struct insn b;
    FUZZ_ASSERT(insn_decode(exact, a.len, mode, &b) == 0 && same(&a, &b),
                "decodes differently from its own %u bytes", a.len);
    FUZZ_ASSERT(insn_decode(exact, a.len - 1u, mode, &b) == -1, "decodes from %u bytes", a.len - 1u);
    uint8_t more[15];
    memcpy(more, bytes, sizeof(more));
    for (unsigned i = a.len; i < sizeof(more); i++)
        more[i] = (uint8_t)~more[i];
    FUZZ_ASSERT(insn_decode(more, sizeof(more), mode, &b) == 0 && same(&a, &b),
                "the bytes after it change it");
    check_fields(&a, mode, exact);
    if (a.has_mem) {
        uint64_t gpr[16], seg[INSN_SEGS];
        for (unsigned i = 0; i < 16; i++)
            gpr[i] = fuzz_u64(&in);
        for (unsigned i = 0; i < INSN_SEGS; i++)
            seg[i] = fuzz_u64(&in);
        uint64_t rip_next = fuzz_u64(&in);
        uint64_t got = insn_mem_linear(&a.mem, gpr, rip_next, seg);
        uint64_t want = linear_of(&a.mem, gpr, rip_next, seg);
        FUZZ_ASSERT(got == want, "linear %#lx, want %#lx", got, want);
    }
    free(exact);
    return 0;
}
