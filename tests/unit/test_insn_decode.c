/* Unit tests for the x86 decoder (vmm/insn/decode.c): every instruction in each mode, the
 * prefixes, every ModRM/SIB shape in 16/32/64-bit addressing, truncation at every length
 * (exact-sized heap copies, so ASan sees any read past n), the 15-byte limit, unknown
 * opcodes, byte sweeps, and linear addresses with their wrap-around.
 * INSN_DECODE_DUMP=1 prints "mode len bytes" per decoded case (to compare with objdump). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "vmm/insn/decode.h"

enum { M16 = INSN_MODE16, M32 = INSN_MODE32, M64 = INSN_MODE64 };
#define NONE INSN_REG_NONE
#define RIP INSN_REG_RIP
#define ES INSN_SEG_ES
#define CS INSN_SEG_CS
#define SS INSN_SEG_SS
#define DS INSN_SEG_DS
#define FS INSN_SEG_FS
#define GS INSN_SEG_GS

static size_t parse_hex(const char *s, uint8_t *b, size_t cap)
{
    size_t n = 0;
    while (*s) {
        if (*s == ' ') {
            s++;
            continue;
        }
        char pair[3] = { s[0], s[1], 0 };
        if (n < cap)
            b[n] = (uint8_t)strtoul(pair, NULL, 16);
        n++;
        s += 2;
    }
    if (n > cap) {
        fprintf(stderr, "test bytes too long: %s\n", s);
        abort();
    }
    return n;
}

/* Decodes b[0..n) from a heap copy of exactly n bytes. */
static int decode_exact(const uint8_t *b, size_t n, enum insn_mode mode, struct insn *out)
{
    uint8_t *copy = malloc(n);
    if (n && !copy)
        abort();
    if (n)
        memcpy(copy, b, n);
    int rc = insn_decode(copy, n, mode, out);
    free(copy);
    return rc;
}

static bool is_clean_failure(const struct insn *in)
{
    return in->op == INSN_UNKNOWN && in->len == 0 && in->gpr == NONE && in->cr == NONE &&
           !in->has_mem;
}

/* The bytes `h` are one whole instruction `op` in `mode`: it decodes to exactly their length,
 * every shorter prefix of them fails, and bytes after them change nothing. */
static struct insn ok(int mode, const char *h, enum insn_op op)
{
    uint8_t b[32];
    size_t n = parse_hex(h, b, 24);
    struct insn in;
    int rc = decode_exact(b, n, (enum insn_mode)mode, &in);
    CHECK(rc == 0 && in.op == op && in.len == n, "mode %d '%s': rc %d op %d len %u, want op %d len %zu",
          mode, h, rc, in.op, in.len, op, n);
    if (getenv("INSN_DECODE_DUMP"))
        printf("DUMP %d %u %s\n", mode, in.len, h);
    for (size_t k = 0; k < n; k++) {
        struct insn t;
        int trc = decode_exact(b, k, (enum insn_mode)mode, &t);
        CHECK(trc == -1 && is_clean_failure(&t), "mode %d '%s' cut to %zu bytes: rc %d", mode, h, k, trc);
    }
    static const uint8_t tail[] = { 0x0f, 0x01, 0xd9, 0x90, 0x66, 0xcc, 0xff, 0x00 };
    uint8_t longer[40];
    memcpy(longer, b, n);
    memcpy(longer + n, tail, sizeof(tail));
    struct insn l;
    size_t ln = n + sizeof(tail);
    int lrc = decode_exact(longer, ln, (enum insn_mode)mode, &l);
    CHECK(lrc == rc && memcmp(&l, &in, sizeof(in)) == 0, "mode %d '%s': trailing bytes changed the result", mode, h);
    return in;
}

/* The bytes `h` (all of them available) are not an instruction we decode. */
static void bad(int mode, const char *h)
{
    uint8_t b[40];
    size_t n = parse_hex(h, b, sizeof(b));
    struct insn in;
    int rc = decode_exact(b, n, (enum insn_mode)mode, &in);
    CHECK(rc == -1 && is_clean_failure(&in), "mode %d '%s': rc %d op %d len %u, want -1", mode, h, rc, in.op, in.len);
}

/* No operand: defaults everywhere but the sizes. */
static void plain(int mode, const char *h, enum insn_op op, unsigned opsize, unsigned asz)
{
    struct insn in = ok(mode, h, op);
    CHECK(in.opsize == opsize && in.addr_size == asz, "mode %d '%s': opsize %u addr %u, want %u %u",
          mode, h, in.opsize, in.addr_size, opsize, asz);
    CHECK(in.gpr == NONE && !in.has_mem && !in.port_imm && in.io_size == 0,
          "mode %d '%s': stray operand fields", mode, h);
}

static void check_mem(const struct insn *in, int mode, const char *h, int base, int index,
                      unsigned scale, int64_t disp, int seg, unsigned asz)
{
    const struct insn_mem *m = &in->mem;
    CHECK(in->has_mem && in->gpr == NONE, "mode %d '%s': not a memory operand", mode, h);
    CHECK(m->base == base, "mode %d '%s': base %d want %d", mode, h, m->base, base);
    CHECK(m->index == index, "mode %d '%s': index %d want %d", mode, h, m->index, index);
    CHECK(m->scale == scale, "mode %d '%s': scale %u want %u", mode, h, m->scale, scale);
    CHECK(m->disp == disp, "mode %d '%s': disp %lld want %lld", mode, h, (long long)m->disp, (long long)disp);
    CHECK(m->seg == seg, "mode %d '%s': seg %d want %d", mode, h, m->seg, seg);
    CHECK(m->addr_size == asz, "mode %d '%s': addr_size %u want %u", mode, h, m->addr_size, asz);
    CHECK(m->long_mode == (mode == M64), "mode %d '%s': long_mode %d", mode, h, m->long_mode);
}

static struct insn memop(int mode, const char *h, enum insn_op op, int base, int index,
                         unsigned scale, int64_t disp, int seg, unsigned asz)
{
    struct insn in = ok(mode, h, op);
    check_mem(&in, mode, h, base, index, scale, disp, seg, asz);
    return in;
}

static void regop(int mode, const char *h, enum insn_op op, int gpr, unsigned opsize)
{
    struct insn in = ok(mode, h, op);
    CHECK(!in.has_mem && in.gpr == gpr && in.opsize == opsize, "mode %d '%s': gpr %d opsize %u, want %d %u",
          mode, h, in.gpr, in.opsize, gpr, opsize);
}

static void mov_cr(int mode, const char *h, enum insn_op op, int cr, int gpr)
{
    struct insn in = ok(mode, h, op);
    unsigned want = mode == M64 ? 8 : 4;
    CHECK(in.cr == cr && in.gpr == gpr && !in.has_mem && in.opsize == want,
          "mode %d '%s': cr %d gpr %d opsize %u, want %d %d %u", mode, h, in.cr, in.gpr, in.opsize, cr, gpr, want);
}

static void io(int mode, const char *h, enum insn_op op, unsigned size, bool imm, uint8_t port)
{
    struct insn in = ok(mode, h, op);
    CHECK(in.io_size == size && in.port_imm == imm && in.port == port,
          "mode %d '%s': io_size %u imm %d port 0x%x, want %u %d 0x%x", mode, h, in.io_size,
          in.port_imm, in.port, size, imm, port);
}

static const int modes[3] = { M16, M32, M64 };
static unsigned def_op(int mode) { return mode == M16 ? 2 : 4; }
static unsigned def_addr(int mode) { return (unsigned)mode; }

static void test_no_operand(void)
{
    static const struct { const char *h; enum insn_op op; } t[] = {
        { "0f a2", INSN_CPUID }, { "0f 32", INSN_RDMSR }, { "0f 30", INSN_WRMSR },
        { "0f 31", INSN_RDTSC }, { "0f 33", INSN_RDPMC }, { "f4", INSN_HLT },
        { "0f 09", INSN_WBINVD }, { "0f 08", INSN_INVD }, { "0f 06", INSN_CLTS },
        { "0f 01 f9", INSN_RDTSCP }, { "0f 01 d9", INSN_VMMCALL }, { "0f 01 c1", INSN_VMCALL },
        { "0f 01 d1", INSN_XSETBV }, { "0f 01 c9", INSN_MWAIT }, { "0f 01 d8", INSN_VMRUN },
        { "0f 01 da", INSN_VMLOAD }, { "0f 01 db", INSN_VMSAVE }, { "0f 01 dc", INSN_STGI },
        { "0f 01 dd", INSN_CLGI }, { "0f 01 de", INSN_SKINIT }, { "0f 01 df", INSN_INVLPGA },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        for (int m = 0; m < 3; m++)
            plain(modes[m], t[i].h, t[i].op, def_op(modes[m]), def_addr(modes[m]));
    for (int m = 0; m < 3; m++) {
        struct insn in = ok(modes[m], "0f a2", INSN_CPUID);
        CHECK(in.cr == NONE && !in.rep, "CPUID: cr %d rep %d", in.cr, in.rep);
        in = ok(modes[m], "0f 06", INSN_CLTS);
        CHECK(in.cr == 0, "CLTS reaches CR0: cr %d", in.cr);
        plain(modes[m], "f3 90", INSN_PAUSE, def_op(modes[m]), def_addr(modes[m]));
    }
    /* Prefixes change the attributes, not the instruction. */
    plain(M32, "66 0f a2", INSN_CPUID, 2, 4);
    plain(M16, "66 0f a2", INSN_CPUID, 4, 2);
    plain(M64, "66 0f a2", INSN_CPUID, 2, 8);
    plain(M64, "48 0f a2", INSN_CPUID, 8, 8);
    plain(M64, "66 48 0f a2", INSN_CPUID, 8, 8);       /* REX.W wins over 66 */
    plain(M64, "48 66 0f a2", INSN_CPUID, 2, 8);       /* REX before 66: ignored */
    plain(M64, "67 0f 01 d8", INSN_VMRUN, 4, 4);       /* rAX is EAX */
    plain(M32, "67 0f 01 d8", INSN_VMRUN, 4, 2);
    plain(M16, "67 0f 01 da", INSN_VMLOAD, 2, 4);
    plain(M64, "67 0f 01 df", INSN_INVLPGA, 4, 4);
    plain(M64, "2e 3e 26 64 65 36 0f 32", INSN_RDMSR, 4, 8);
    plain(M64, "4f 0f 30", INSN_WRMSR, 8, 8);          /* REX bits mean nothing here */
    plain(M64, "f3 0f 01 d9", INSN_VMMCALL, 4, 8);     /* VMGEXIT outside SEV-ES */
    struct insn in = ok(M64, "f3 0f 09", INSN_WBINVD); /* WBNOINVD */
    CHECK(in.rep, "F3 0F 09 has rep");
    in = ok(M32, "f2 f4", INSN_HLT);
    CHECK(in.rep, "F2 sets rep");
    plain(M64, "66 f3 90", INSN_PAUSE, 2, 8);
    plain(M64, "f2 f3 90", INSN_PAUSE, 4, 8);          /* the last of F2/F3 counts */
    plain(M64, "f3 48 90", INSN_PAUSE, 8, 8);          /* REX.W 90 is still NOP */
    plain(M64, "41 f3 90", INSN_PAUSE, 4, 8);          /* REX before F3: ignored */
    bad(M64, "f3 f2 90");
    bad(M64, "f2 90");
    bad(M64, "90");
    bad(M64, "f3 41 90");                              /* XCHG r8, rax */
    bad(M32, "f3 41 90");                              /* 41 is INC ecx */
}

static void test_monitor(void)
{
    memop(M64, "0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M32, "0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 4);
    memop(M16, "0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 2);
    memop(M64, "65 0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, GS, 8);
    memop(M64, "2e 0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M32, "2e 0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, CS, 4);
    memop(M64, "67 0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 4);
    memop(M32, "67 0f 01 c8", INSN_MONITOR, INSN_RAX, NONE, 1, 0, DS, 2);
}

static void test_mov_cr(void)
{
    mov_cr(M64, "0f 20 c0", INSN_MOV_FROM_CR, 0, INSN_RAX);
    mov_cr(M64, "0f 22 d8", INSN_MOV_TO_CR, 3, INSN_RAX);
    mov_cr(M64, "0f 22 e1", INSN_MOV_TO_CR, 4, INSN_RCX);
    mov_cr(M64, "0f 20 d7", INSN_MOV_FROM_CR, 2, INSN_RDI);
    mov_cr(M64, "44 0f 22 c0", INSN_MOV_TO_CR, 8, INSN_RAX);   /* REX.R: CR8 */
    mov_cr(M64, "41 0f 22 d8", INSN_MOV_TO_CR, 3, INSN_R8);    /* REX.B: r8 */
    mov_cr(M64, "45 0f 20 c7", INSN_MOV_FROM_CR, 8, INSN_R15);
    mov_cr(M64, "48 0f 22 d8", INSN_MOV_TO_CR, 3, INSN_RAX);
    mov_cr(M64, "66 0f 22 d8", INSN_MOV_TO_CR, 3, INSN_RAX);   /* 66 ignored: still 8 */
    mov_cr(M64, "67 0f 22 d8", INSN_MOV_TO_CR, 3, INSN_RAX);
    mov_cr(M64, "f0 0f 22 c0", INSN_MOV_TO_CR, 8, INSN_RAX);   /* AMD LOCK alias */
    mov_cr(M64, "f0 0f 20 c3", INSN_MOV_FROM_CR, 8, INSN_RBX);
    mov_cr(M64, "f0 44 0f 22 c0", INSN_MOV_TO_CR, 8, INSN_RAX);
    mov_cr(M64, "44 66 0f 22 c0", INSN_MOV_TO_CR, 0, INSN_RAX); /* REX before 66: ignored */
    mov_cr(M64, "66 44 0f 22 c0", INSN_MOV_TO_CR, 8, INSN_RAX);
    mov_cr(M64, "4f 0f 20 ff", INSN_MOV_FROM_CR, 15, INSN_R15); /* decoded; the CPU #UDs */
    mov_cr(M64, "42 0f 22 e0", INSN_MOV_TO_CR, 4, INSN_RAX);    /* REX.X: nothing */
    /* mod is ignored: no SIB, no displacement, always the register. */
    mov_cr(M64, "0f 22 18", INSN_MOV_TO_CR, 3, INSN_RAX);
    mov_cr(M64, "0f 22 1c", INSN_MOV_TO_CR, 3, INSN_RSP);
    mov_cr(M64, "0f 22 1d", INSN_MOV_TO_CR, 3, INSN_RBP);
    mov_cr(M64, "0f 22 5d", INSN_MOV_TO_CR, 3, INSN_RBP);
    mov_cr(M64, "0f 20 9c", INSN_MOV_FROM_CR, 3, INSN_RSP);
    mov_cr(M32, "0f 22 1c", INSN_MOV_TO_CR, 3, INSN_RSP);
    mov_cr(M16, "0f 22 06", INSN_MOV_TO_CR, 0, INSN_RSI);
    mov_cr(M32, "0f 22 d8", INSN_MOV_TO_CR, 3, INSN_RAX);
    mov_cr(M32, "0f 20 e0", INSN_MOV_FROM_CR, 4, INSN_RAX);
    mov_cr(M32, "66 0f 20 c0", INSN_MOV_FROM_CR, 0, INSN_RAX);
    mov_cr(M32, "f0 0f 22 c0", INSN_MOV_TO_CR, 8, INSN_RAX);
    mov_cr(M16, "0f 22 c0", INSN_MOV_TO_CR, 0, INSN_RAX);
    mov_cr(M16, "66 0f 20 d3", INSN_MOV_FROM_CR, 2, INSN_RBX);
    mov_cr(M16, "f0 0f 20 c0", INSN_MOV_FROM_CR, 8, INSN_RAX);
    bad(M32, "44 0f 22 c0");                                   /* 44 is INC esp */
    bad(M64, "0f 21 c0");                                      /* MOV DR is not ours */
    bad(M64, "0f 23 c0");
}

/* LGDT (0F 01 /2) carries the ModRM/SIB shapes. */
static void test_addr64(void)
{
    const enum insn_op L = INSN_LGDT;
    memop(M64, "0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M64, "0f 01 51 f8", L, INSN_RCX, NONE, 1, -8, DS, 8);
    memop(M64, "0f 01 51 7f", L, INSN_RCX, NONE, 1, 127, DS, 8);
    memop(M64, "0f 01 51 80", L, INSN_RCX, NONE, 1, -128, DS, 8);
    memop(M64, "0f 01 92 78 56 34 12", L, INSN_RDX, NONE, 1, 0x12345678, DS, 8);
    memop(M64, "0f 01 93 00 00 00 80", L, INSN_RBX, NONE, 1, -0x80000000ll, DS, 8);
    memop(M64, "0f 01 96 fc ff ff ff", L, INSN_RSI, NONE, 1, -4, DS, 8);
    memop(M64, "0f 01 15 10 00 00 00", L, RIP, NONE, 1, 0x10, DS, 8);
    memop(M64, "0f 01 15 f0 ff ff ff", L, RIP, NONE, 1, -16, DS, 8);
    memop(M64, "41 0f 01 15 10 00 00 00", L, RIP, NONE, 1, 0x10, DS, 8); /* r13 special */
    memop(M64, "0f 01 55 00", L, INSN_RBP, NONE, 1, 0, SS, 8);
    memop(M64, "0f 01 95 00 01 00 00", L, INSN_RBP, NONE, 1, 0x100, SS, 8);
    memop(M64, "41 0f 01 55 00", L, INSN_R13, NONE, 1, 0, DS, 8);
    memop(M64, "41 0f 01 10", L, INSN_R8, NONE, 1, 0, DS, 8);
    memop(M64, "41 0f 01 17", L, INSN_R15, NONE, 1, 0, DS, 8);
    /* SIB */
    memop(M64, "0f 01 14 88", L, INSN_RAX, INSN_RCX, 4, 0, DS, 8);
    memop(M64, "0f 01 14 f7", L, INSN_RDI, INSN_RSI, 8, 0, DS, 8);
    memop(M64, "0f 01 14 53", L, INSN_RBX, INSN_RDX, 2, 0, DS, 8);
    memop(M64, "0f 01 14 24", L, INSN_RSP, NONE, 1, 0, SS, 8);
    memop(M64, "0f 01 14 e4", L, INSN_RSP, NONE, 1, 0, SS, 8);          /* ss ignored */
    memop(M64, "0f 01 54 24 10", L, INSN_RSP, NONE, 1, 0x10, SS, 8);
    memop(M64, "0f 01 94 24 00 f0 ff ff", L, INSN_RSP, NONE, 1, -0x1000, SS, 8);
    memop(M64, "0f 01 14 1d 44 33 22 11", L, NONE, INSN_RBX, 1, 0x11223344, DS, 8);
    memop(M64, "0f 01 14 9d 00 00 00 80", L, NONE, INSN_RBX, 4, -0x80000000ll, DS, 8);
    memop(M64, "0f 01 14 25 00 10 00 00", L, NONE, NONE, 1, 0x1000, DS, 8); /* absolute */
    memop(M64, "0f 01 54 45 08", L, INSN_RBP, INSN_RAX, 2, 8, SS, 8);
    memop(M64, "0f 01 94 cd 00 00 01 00", L, INSN_RBP, INSN_RCX, 8, 0x10000, SS, 8);
    memop(M64, "0f 01 14 04", L, INSN_RSP, INSN_RAX, 1, 0, SS, 8);
    /* r12 needs a SIB, r13 a displacement; REX.X makes index 100 r12. */
    memop(M64, "41 0f 01 14 24", L, INSN_R12, NONE, 1, 0, DS, 8);
    memop(M64, "41 0f 01 54 24 f0", L, INSN_R12, NONE, 1, -16, DS, 8);
    memop(M64, "41 0f 01 14 25 00 20 00 00", L, NONE, NONE, 1, 0x2000, DS, 8);
    memop(M64, "41 0f 01 54 25 01", L, INSN_R13, NONE, 1, 1, DS, 8);
    memop(M64, "42 0f 01 14 20", L, INSN_RAX, INSN_R12, 1, 0, DS, 8);
    memop(M64, "42 0f 01 14 c5 00 01 00 00", L, NONE, INSN_R8, 8, 0x100, DS, 8);
    memop(M64, "43 0f 01 14 e5 78 56 34 12", L, NONE, INSN_R12, 8, 0x12345678, DS, 8);
    memop(M64, "4b 0f 01 94 ff 00 00 00 01", L, INSN_R15, INSN_R15, 8, 0x1000000, DS, 8);
    memop(M64, "44 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);          /* REX.R: nothing */
    memop(M64, "48 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
    /* 67: 32-bit addressing, RIP-relative still (EIP). */
    memop(M64, "67 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 4);
    memop(M64, "67 0f 01 15 10 00 00 00", L, RIP, NONE, 1, 0x10, DS, 4);
    memop(M64, "67 41 0f 01 14 24", L, INSN_R12, NONE, 1, 0, DS, 4);
    memop(M64, "67 0f 01 14 25 00 00 00 80", L, NONE, NONE, 1, -0x80000000ll, DS, 4);
    /* Segment overrides: only FS and GS count in 64-bit mode; the last one wins. */
    memop(M64, "64 0f 01 10", L, INSN_RAX, NONE, 1, 0, FS, 8);
    memop(M64, "65 0f 01 10", L, INSN_RAX, NONE, 1, 0, GS, 8);
    memop(M64, "2e 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M64, "26 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M64, "36 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
    memop(M64, "3e 0f 01 14 24", L, INSN_RSP, NONE, 1, 0, SS, 8);
    memop(M64, "64 0f 01 14 24", L, INSN_RSP, NONE, 1, 0, FS, 8);
    memop(M64, "65 0f 01 55 00", L, INSN_RBP, NONE, 1, 0, GS, 8);
    memop(M64, "64 65 0f 01 10", L, INSN_RAX, NONE, 1, 0, GS, 8);
    memop(M64, "65 64 0f 01 10", L, INSN_RAX, NONE, 1, 0, FS, 8);
    memop(M64, "64 2e 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);      /* CS last: ignored */
    /* REX only right before the opcode; of two, the last. */
    memop(M64, "41 64 0f 01 10", L, INSN_RAX, NONE, 1, 0, FS, 8);
    memop(M64, "64 41 0f 01 10", L, INSN_R8, NONE, 1, 0, FS, 8);
    memop(M64, "41 67 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 4);
    memop(M64, "42 41 0f 01 14 20", L, INSN_R8, NONE, 1, 0, DS, 8);
    memop(M64, "41 40 0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 8);
}

static void test_addr32(void)
{
    const enum insn_op L = INSN_LGDT;
    memop(M32, "0f 01 10", L, INSN_RAX, NONE, 1, 0, DS, 4);
    memop(M32, "0f 01 17", L, INSN_RDI, NONE, 1, 0, DS, 4);
    memop(M32, "0f 01 15 78 56 34 12", L, NONE, NONE, 1, 0x12345678, DS, 4);  /* no RIP */
    memop(M32, "0f 01 51 80", L, INSN_RCX, NONE, 1, -128, DS, 4);
    memop(M32, "0f 01 92 00 00 00 80", L, INSN_RDX, NONE, 1, -0x80000000ll, DS, 4);
    memop(M32, "0f 01 14 88", L, INSN_RAX, INSN_RCX, 4, 0, DS, 4);
    memop(M32, "0f 01 14 24", L, INSN_RSP, NONE, 1, 0, SS, 4);
    memop(M32, "0f 01 54 24 fc", L, INSN_RSP, NONE, 1, -4, SS, 4);
    memop(M32, "0f 01 55 f0", L, INSN_RBP, NONE, 1, -16, SS, 4);
    memop(M32, "0f 01 14 25 00 10 00 00", L, NONE, NONE, 1, 0x1000, DS, 4);
    memop(M32, "0f 01 14 ad 00 10 00 00", L, NONE, INSN_RBP, 4, 0x1000, DS, 4);
    memop(M32, "0f 01 94 f5 10 00 00 00", L, INSN_RBP, INSN_RSI, 8, 0x10, SS, 4);
    memop(M32, "2e 0f 01 10", L, INSN_RAX, NONE, 1, 0, CS, 4);
    memop(M32, "26 0f 01 10", L, INSN_RAX, NONE, 1, 0, ES, 4);
    memop(M32, "36 0f 01 10", L, INSN_RAX, NONE, 1, 0, SS, 4);
    memop(M32, "3e 0f 01 55 00", L, INSN_RBP, NONE, 1, 0, DS, 4);
    memop(M32, "64 0f 01 10", L, INSN_RAX, NONE, 1, 0, FS, 4);
    memop(M32, "65 0f 01 14 24", L, INSN_RSP, NONE, 1, 0, GS, 4);
    memop(M32, "26 2e 36 0f 01 10", L, INSN_RAX, NONE, 1, 0, SS, 4);
    memop(M32, "67 0f 01 17", L, INSN_RBX, NONE, 1, 0, DS, 2);          /* 16-bit: [bx] */
    memop(M32, "67 0f 01 16 34 12", L, NONE, NONE, 1, 0x1234, DS, 2);
    bad(M32, "41 0f 01 10");                                           /* INC ecx */
    /* Compatibility mode is INSN_MODE32: no RIP-relative, 32-bit linear addresses. */
    memop(M16, "67 0f 01 15 00 00 01 00", L, NONE, NONE, 1, 0x10000, DS, 4);
    memop(M16, "67 0f 01 14 88", L, INSN_RAX, INSN_RCX, 4, 0, DS, 4);
    memop(M16, "67 0f 01 54 24 08", L, INSN_RSP, NONE, 1, 8, SS, 4);
}

static void test_addr16(void)
{
    const enum insn_op L = INSN_LGDT;
    static const struct { uint8_t rm; int base, index, seg; } t[8] = {
        { 0, INSN_RBX, INSN_RSI, DS }, { 1, INSN_RBX, INSN_RDI, DS },
        { 2, INSN_RBP, INSN_RSI, SS }, { 3, INSN_RBP, INSN_RDI, SS },
        { 4, INSN_RSI, NONE, DS }, { 5, INSN_RDI, NONE, DS },
        { 6, INSN_RBP, NONE, SS }, { 7, INSN_RBX, NONE, DS },
    };
    char h[64];
    for (int i = 0; i < 8; i++) {
        if (t[i].rm != 6) {
            snprintf(h, sizeof(h), "0f 01 %02x", 0x10 | t[i].rm);
            memop(M16, h, L, t[i].base, t[i].index, 1, 0, t[i].seg, 2);
        }
        snprintf(h, sizeof(h), "0f 01 %02x fe", 0x50 | t[i].rm);
        memop(M16, h, L, t[i].base, t[i].index, 1, -2, t[i].seg, 2);
        snprintf(h, sizeof(h), "0f 01 %02x 34 12", 0x90 | t[i].rm);
        memop(M16, h, L, t[i].base, t[i].index, 1, 0x1234, t[i].seg, 2);
        snprintf(h, sizeof(h), "0f 01 %02x 00 80", 0x90 | t[i].rm);
        memop(M16, h, L, t[i].base, t[i].index, 1, -0x8000, t[i].seg, 2);
        snprintf(h, sizeof(h), "26 0f 01 %02x 01", 0x50 | t[i].rm);
        memop(M16, h, L, t[i].base, t[i].index, 1, 1, ES, 2);
    }
    memop(M16, "0f 01 16 34 12", L, NONE, NONE, 1, 0x1234, DS, 2);      /* disp16, not [bp] */
    memop(M16, "0f 01 16 ff ff", L, NONE, NONE, 1, -1, DS, 2);
    memop(M16, "64 0f 01 16 00 10", L, NONE, NONE, 1, 0x1000, FS, 2);
    memop(M16, "3e 0f 01 56 00", L, INSN_RBP, NONE, 1, 0, DS, 2);
    /* The SIB-looking rm=100 and rm=101 are plain registers in 16-bit addressing. */
    memop(M16, "0f 01 14", L, INSN_RSI, NONE, 1, 0, DS, 2);
    memop(M16, "0f 01 15", L, INSN_RDI, NONE, 1, 0, DS, 2);
    memop(M16, "0f 01 17", L, INSN_RBX, NONE, 1, 0, DS, 2);
    bad(M16, "40");                                                     /* INC ax */
}

/* Each group 6/7 instruction in each mode, sizes, register forms. */
static void test_groups(void)
{
    static const struct { unsigned reg; enum insn_op op; } mem7[] = {
        { 0, INSN_SGDT }, { 1, INSN_SIDT }, { 2, INSN_LGDT }, { 3, INSN_LIDT }, { 7, INSN_INVLPG },
    };
    for (int m = 0; m < 3; m++) {
        int mode = modes[m];
        int base = mode == M16 ? INSN_RBX : INSN_RAX;
        unsigned rm = mode == M16 ? 7 : 0;      /* [bx] or [rax] */
        char h[64];
        for (size_t i = 0; i < sizeof(mem7) / sizeof(mem7[0]); i++) {
            snprintf(h, sizeof(h), "0f 01 %02x", mem7[i].reg << 3 | rm);
            struct insn in = memop(mode, h, mem7[i].op, base, NONE, 1, 0, DS, def_addr(mode));
            if (mem7[i].op == INSN_INVLPG)
                continue;
            /* Descriptor tables: 8 in 64-bit mode, whatever 66 says. */
            CHECK(in.opsize == (mode == M64 ? 8 : def_op(mode)), "'%s' mode %d: opsize %u", h, mode, in.opsize);
            snprintf(h, sizeof(h), "66 0f 01 %02x", mem7[i].reg << 3 | rm);
            in = ok(mode, h, mem7[i].op);
            CHECK(in.opsize == (mode == M64 ? 8 : mode == M16 ? 4 : 2), "'%s' mode %d: opsize %u", h, mode, in.opsize);
            CHECK(in.cr == NONE, "'%s': no CR", h);
        }
        /* SMSW/LMSW to and from memory: 16 bits, CR0. */
        snprintf(h, sizeof(h), "0f 01 %02x", 0x20 | rm);
        struct insn in = memop(mode, h, INSN_SMSW, base, NONE, 1, 0, DS, def_addr(mode));
        CHECK(in.opsize == 2 && in.cr == 0, "SMSW m16 mode %d: opsize %u cr %d", mode, in.opsize, in.cr);
        snprintf(h, sizeof(h), "66 0f 01 %02x", 0x30 | rm);
        in = memop(mode, h, INSN_LMSW, base, NONE, 1, 0, DS, def_addr(mode));
        CHECK(in.opsize == 2 && in.cr == 0, "LMSW m16 mode %d: opsize %u cr %d", mode, in.opsize, in.cr);
        /* Group 6 memory forms: a 16-bit selector. */
        static const enum insn_op g6[] = { INSN_SLDT, INSN_STR, INSN_LLDT, INSN_LTR };
        for (int i = 0; i < 4; i++) {
            snprintf(h, sizeof(h), "0f 00 %02x", (unsigned)i << 3 | rm);
            in = memop(mode, h, g6[i], base, NONE, 1, 0, DS, def_addr(mode));
            CHECK(in.opsize == 2, "'%s' mode %d: opsize %u", h, mode, in.opsize);
            /* register forms: stores take the operand size, loads a 16-bit selector */
            snprintf(h, sizeof(h), "0f 00 %02x", 0xc0 | (i << 3) | 2);
            bool store = i < 2;
            regop(mode, h, g6[i], INSN_RDX, store ? def_op(mode) : 2);
            snprintf(h, sizeof(h), "66 0f 00 %02x", 0xc0 | (i << 3) | 3);
            regop(mode, h, g6[i], INSN_RBX, store ? (mode == M16 ? 4 : 2) : 2);
        }
        regop(mode, "0f 01 e0", INSN_SMSW, INSN_RAX, def_op(mode));
        regop(mode, "0f 01 e7", INSN_SMSW, INSN_RDI, def_op(mode));
        regop(mode, "66 0f 01 e0", INSN_SMSW, INSN_RAX, mode == M16 ? 4 : 2);
        regop(mode, "0f 01 f0", INSN_LMSW, INSN_RAX, 2);
        regop(mode, "0f 01 f6", INSN_LMSW, INSN_RSI, 2);
        in = ok(mode, "0f 01 f1", INSN_LMSW);
        CHECK(in.cr == 0, "LMSW reg: cr %d", in.cr);
    }
    regop(M64, "48 0f 01 e0", INSN_SMSW, INSN_RAX, 8);
    regop(M64, "41 0f 01 e3", INSN_SMSW, INSN_R11, 4);
    regop(M64, "48 41 0f 01 e0", INSN_SMSW, INSN_R8, 4);    /* the first REX is not last */
    regop(M64, "49 0f 00 c0", INSN_SLDT, INSN_R8, 8);
    regop(M64, "48 0f 00 cf", INSN_STR, INSN_RDI, 8);
    regop(M64, "41 0f 00 d8", INSN_LTR, INSN_R8, 2);
    regop(M64, "48 41 0f 00 d7", INSN_LLDT, INSN_R15, 2);
    regop(M64, "4d 0f 01 f4", INSN_LMSW, INSN_R12, 2);
    memop(M64, "0f 00 54 24 08", INSN_LLDT, INSN_RSP, NONE, 1, 8, SS, 8);
    memop(M64, "65 0f 00 1d 00 01 00 00", INSN_LTR, RIP, NONE, 1, 0x100, GS, 8);
    memop(M64, "48 0f 00 00", INSN_SLDT, INSN_RAX, NONE, 1, 0, DS, 8);  /* m16 despite REX.W */
    memop(M32, "0f 01 3c 8e", INSN_INVLPG, INSN_RSI, INSN_RCX, 4, 0, DS, 4);
    memop(M64, "0f 01 7d f8", INSN_INVLPG, INSN_RBP, NONE, 1, -8, SS, 8);
    memop(M64, "67 0f 01 b8 00 10 00 00", INSN_INVLPG, INSN_RAX, NONE, 1, 0x1000, DS, 4);
    memop(M64, "41 0f 01 0c 24", INSN_SIDT, INSN_R12, NONE, 1, 0, DS, 8);
    memop(M32, "0f 01 05 00 80 0b 00", INSN_SGDT, NONE, NONE, 1, 0xb8000, DS, 4);
    memop(M16, "0f 01 1e 00 7c", INSN_LIDT, NONE, NONE, 1, 0x7c00, DS, 2);

    /* Not ours: /5 memory, /4 /5 of group 6 (VERR/VERW), register forms of group 7 we skip. */
    static const char *const nope[] = {
        "0f 01 28", "0f 01 68 00", "0f 00 20", "0f 00 28", "0f 00 30", "0f 00 38", "0f 00 e0",
        "0f 00 e8", "0f 00 f0", "0f 00 f8",
        "0f 01 c0", "0f 01 c2", "0f 01 c3", "0f 01 c4", "0f 01 c5", "0f 01 ca", "0f 01 cb",
        "0f 01 cf", "0f 01 d0", "0f 01 d4", "0f 01 d5", "0f 01 d6", "0f 01 d7", "0f 01 e8",
        "0f 01 ee", "0f 01 f8", "0f 01 fa", "0f 01 fb", "0f 01 fc", "0f 01 ff",
    };
    for (size_t i = 0; i < sizeof(nope) / sizeof(nope[0]); i++)
        for (int m = 0; m < 3; m++)
            bad(modes[m], nope[i]);
}

static void test_io(void)
{
    for (int m = 0; m < 3; m++) {
        int mode = modes[m];
        unsigned w = def_op(mode), w66 = mode == M16 ? 4 : 2;
        io(mode, "e4 60", INSN_IN, 1, true, 0x60);
        io(mode, "e5 70", INSN_IN, w, true, 0x70);
        io(mode, "66 e5 71", INSN_IN, w66, true, 0x71);
        io(mode, "e6 80", INSN_OUT, 1, true, 0x80);
        io(mode, "e7 ff", INSN_OUT, w, true, 0xff);
        io(mode, "66 e7 00", INSN_OUT, w66, true, 0x00);
        io(mode, "ec", INSN_IN, 1, false, 0);
        io(mode, "ed", INSN_IN, w, false, 0);
        io(mode, "66 ed", INSN_IN, w66, false, 0);
        io(mode, "ee", INSN_OUT, 1, false, 0);
        io(mode, "ef", INSN_OUT, w, false, 0);
        io(mode, "66 ef", INSN_OUT, w66, false, 0);
        io(mode, "6c", INSN_INS, 1, false, 0);
        io(mode, "6d", INSN_INS, w, false, 0);
        io(mode, "66 6d", INSN_INS, w66, false, 0);
        io(mode, "6e", INSN_OUTS, 1, false, 0);
        io(mode, "6f", INSN_OUTS, w, false, 0);
        io(mode, "66 6f", INSN_OUTS, w66, false, 0);
        struct insn in = ok(mode, "ed", INSN_IN);
        CHECK(!in.has_mem && !in.rep && in.gpr == NONE, "IN dx: no operand fields");
        unsigned a = def_addr(mode);
        in = memop(mode, "6c", INSN_INS, INSN_RDI, NONE, 1, 0, ES, a);
        CHECK(!in.rep, "INSB: no rep");
        in = memop(mode, "f3 6d", INSN_INS, INSN_RDI, NONE, 1, 0, ES, a);
        CHECK(in.rep, "REP INSD");
        memop(mode, "64 6c", INSN_INS, INSN_RDI, NONE, 1, 0, ES, a);    /* ES is fixed */
        memop(mode, "67 6c", INSN_INS, INSN_RDI, NONE, 1, 0, ES, mode == M64 ? 4 : mode == M32 ? 2 : 4);
        in = memop(mode, "f3 6e", INSN_OUTS, INSN_RSI, NONE, 1, 0, DS, a);
        CHECK(in.rep, "REP OUTSB");
        in = memop(mode, "f2 6f", INSN_OUTS, INSN_RSI, NONE, 1, 0, DS, a);
        CHECK(in.rep, "F2 OUTSD repeats too");
        memop(mode, "65 f3 6e", INSN_OUTS, INSN_RSI, NONE, 1, 0, GS, a);
        memop(mode, "2e 6f", INSN_OUTS, INSN_RSI, NONE, 1, 0, mode == M64 ? DS : CS, a);
        memop(mode, "26 6f", INSN_OUTS, INSN_RSI, NONE, 1, 0, mode == M64 ? DS : ES, a);
        memop(mode, "67 6e", INSN_OUTS, INSN_RSI, NONE, 1, 0, DS, mode == M64 ? 4 : mode == M32 ? 2 : 4);
        bad(mode, "e4");
        bad(mode, "66 e6");
    }
    io(M64, "48 ed", INSN_IN, 4, false, 0);            /* REX.W: no 64-bit I/O */
    io(M64, "66 48 e5 10", INSN_IN, 4, true, 0x10);    /* REX.W wins over 66, then 4 */
    io(M64, "48 66 e5 10", INSN_IN, 2, true, 0x10);    /* REX before 66: ignored */
    io(M64, "41 ef", INSN_OUT, 4, false, 0);
    io(M64, "f3 48 6d", INSN_INS, 4, false, 0);
    bad(M64, "e8 00 00 00 00");                        /* CALL */
}

static void test_lock(void)
{
    static const char *const locked[] = { "f0 0f a2", "f0 f4", "f0 0f 01 10", "f0 0f 01 d9",
                                          "f0 e4 60", "f0 6c", "f0 0f 00 d8", "f0 f3 90",
                                          "66 f0 0f 32", "f0 0f 01 f0" };
    for (size_t i = 0; i < sizeof(locked) / sizeof(locked[0]); i++)
        for (int m = 0; m < 3; m++)
            bad(modes[m], locked[i]);
}

static void test_length_limit(void)
{
    /* 13 prefixes + 0F A2 is 15 bytes; 14 is 16, even with every byte there. */
    ok(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 0f a2", INSN_CPUID);
    ok(M32, "26 2e 36 3e 64 65 66 67 f2 f3 26 2e 36 0f a2", INSN_CPUID);
    ok(M64, "26 2e 36 3e 64 65 66 67 26 2e 36 3e 48 0f a2", INSN_CPUID);
    ok(M64, "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 0f a2", INSN_CPUID);
    bad(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 0f a2");
    bad(M32, "26 2e 36 3e 64 65 66 67 f2 f3 26 2e 36 3e 0f a2");
    bad(M64, "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 0f a2");
    bad(M16, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66");
    /* The longest we decode: 8 prefixes + 0F 01 ModRM SIB disp32 = 15. */
    memop(M64, "64 66 66 66 66 66 4b 0f 01 94 ff 00 00 00 01", INSN_LGDT,
          INSN_R15, INSN_R15, 8, 0x1000000, FS, 8);
    bad(M64, "64 66 66 66 66 66 66 4b 0f 01 94 ff 00 00 00 01");
    ok(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 e5 60", INSN_IN);
    bad(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 e5 60");
    memop(M16, "66 66 66 66 66 66 66 66 66 66 0f 01 96 34 12", INSN_LGDT, INSN_RBP, NONE, 1,
          0x1234, SS, 2);
    bad(M16, "66 66 66 66 66 66 66 66 66 66 66 0f 01 96 34 12");
}

static void test_unknown(void)
{
    static const char *const t[] = {
        "00 00", "0f 0b", "0f 05", "0f 34", "0f 07", "0f ff", "0f 38 00 c0", "cc", "cd 80",
        "f1", "0f 0d 00", "0f 1f 00", "0f c7 f8", "0f ae f8", "e8 00 00", "0f 02 c0",
        "66 90", "62 00", "c4 e2 79 00 c0",
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        for (int m = 0; m < 3; m++)
            bad(modes[m], t[i]);
    struct insn in;
    CHECK(insn_decode(NULL, 0, INSN_MODE64, &in) == -1 && is_clean_failure(&in), "n = 0");
    uint8_t cpuid[2] = { 0x0f, 0xa2 };
    CHECK(insn_decode(cpuid, 2, (enum insn_mode)3, &in) == -1 && is_clean_failure(&in), "bad mode");
    CHECK(insn_decode(cpuid, 2, (enum insn_mode)0, &in) == -1, "mode 0");
    /* Only prefixes, as many as we like: truncated. */
    bad(M64, "66");
    bad(M64, "48");
    bad(M64, "f3");
    bad(M64, "66 67 f0 f2 f3 2e 48");
}

/* Every byte pattern of a given shape: success means a length within n and a known op,
 * failure a clean result; a success also decodes alone from its own length. */
static void sweep(int mode, const uint8_t *lead, size_t nlead, size_t nfree, bool some,
                  const char *what)
{
    size_t n = nlead + nfree, total = 1ul << (8 * nfree), good = 0, broken = 0;
    uint8_t *buf = malloc(n);
    for (size_t v = 0; v < total; v++) {
        if (nlead)
            memcpy(buf, lead, nlead);
        for (size_t k = 0; k < nfree; k++)
            buf[nlead + k] = (uint8_t)(v >> (8 * k));
        struct insn in;
        int rc = insn_decode(buf, n, (enum insn_mode)mode, &in);
        if (rc == 0) {
            good++;
            struct insn again;
            if (in.op == INSN_UNKNOWN || in.len == 0 || in.len > n ||
                decode_exact(buf, in.len, (enum insn_mode)mode, &again) != 0 ||
                memcmp(&again, &in, sizeof(in)) != 0)
                broken++;
        } else if (!is_clean_failure(&in)) {
            broken++;
        }
    }
    free(buf);
    CHECK(broken == 0 && (good > 0) == some, "sweep %s mode %d: %zu broken of %zu (%zu decoded)", what,
          mode, broken, total, good);
}

static void test_sweeps(void)
{
    static const uint8_t two[] = { 0x0f }, g7[] = { 0x0f, 0x01 }, g6[] = { 0x0f, 0x00 },
                         crw[] = { 0xf0, 0x0f, 0x22 }, rexg7[] = { 0x4b, 0x0f, 0x01 },
                         a16[] = { 0x67, 0x0f, 0x01 };
    for (int m = 0; m < 3; m++) {
        sweep(modes[m], NULL, 0, 2, true, "any 2 bytes");
        sweep(modes[m], two, 1, 2, true, "0f xx yy");
        sweep(modes[m], g7, 2, 2, true, "0f 01 xx yy");
        sweep(modes[m], g6, 2, 2, true, "0f 00 xx yy");
        sweep(modes[m], crw, 3, 1, true, "lock mov cr");
        sweep(modes[m], a16, 3, 2, true, "67 0f 01 xx yy");
        /* 4B is DEC ebx outside 64-bit mode: nothing after it is ours. */
        sweep(modes[m], rexg7, 3, 2, modes[m] == M64, "4b 0f 01 xx yy");
    }
    /* Known-op count of one-byte opcodes in 64-bit mode: F4, E4-E7, EC-EF, 6C-6F, and the
     * loads 8A, 8B, 63 and the stores 88, 89 (A0-A3 need an 8-byte offset, C6/C7 an
     * immediate). */
    unsigned known = 0;
    for (unsigned b = 0; b < 256; b++) {
        uint8_t op[2] = { (uint8_t)b, 0x00 };
        struct insn in;
        if (insn_decode(op, 2, INSN_MODE64, &in) == 0 && in.len <= 2 && op[0] != 0x0f)
            known++;
    }
    CHECK(known == 18, "one-byte opcodes decoded: %u", known);
}

static void test_linear(void)
{
    uint64_t gpr[16];
    for (int i = 0; i < 16; i++)
        gpr[i] = 0x1000ull * (uint64_t)(i + 1);
    uint64_t seg0[INSN_SEGS] = { 0 };
    uint64_t seg[INSN_SEGS] = { 0x100000, 0x200000, 0x300000, 0x400000,
                                0xffff888000000000ull, 0x7f0000000000ull };
    struct insn in;

    /* 64-bit: [rax + rcx*4 + 0x10]. */
    in = ok(M64, "0f 01 54 88 10", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg0), 0x1000 + 0x2000 * 4 + 0x10, "[rax+rcx*4+16]");
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg), 0x1000 + 0x2000 * 4 + 0x10,
                 "long mode ignores the DS base");
    in = ok(M64, "64 0f 01 54 88 10", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg), 0xffff888000000000ull + 0x9010, "FS base");
    in = ok(M64, "65 0f 01 14 24", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg), 0x7f0000000000ull + 0x5000, "GS:[rsp]");
    in = ok(M64, "0f 01 14 24", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg), 0x5000, "SS:[rsp], SS base ignored");
    /* RIP-relative, both signs; with 67 it is EIP and wraps. */
    in = ok(M64, "0f 01 15 f0 ff ff ff", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0xffffffff80001007ull, seg0), 0xffffffff80000ff7ull, "rip-16");
    in = ok(M64, "0f 01 15 00 00 00 40", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0x1000, seg0), 0x40001000, "rip+1G");
    in = ok(M64, "67 0f 01 15 e0 ff ff ff", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0x100000010ull, seg0), 0xfffffff0, "eip-32 wraps");
    /* Register values and disp32 at the 64-bit edges. */
    uint64_t big[16] = { 0 };
    big[INSN_RAX] = ~0ull;
    big[INSN_RCX] = 0x8000000000000000ull;
    in = ok(M64, "0f 01 50 02", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, big, 0, seg0), 1, "64-bit wrap");
    in = ok(M64, "0f 01 14 c8", INSN_LGDT);     /* [rax + rcx*8] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, big, 0, seg0), ~0ull, "index*8 overflow");
    in = ok(M64, "0f 01 14 25 00 00 00 80", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg0), 0xffffffff80000000ull, "disp32 sign-extends");
    in = ok(M64, "67 0f 01 14 25 00 00 00 80", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg0), 0x80000000ull, "32-bit address zero-extends");
    in = ok(M64, "67 64 0f 01 50 20", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, big, 0, seg), 0xffff888000000000ull + 0x1f,
                 "67: EA wraps at 4G, the FS base is added in 64 bits");
    in = ok(M64, "43 0f 01 14 e5 08 00 00 00", INSN_LGDT);   /* [r12*8 + 8] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg0), 0xd000 * 8 + 8, "no base, r12 index");
    in = ok(M64, "41 0f 01 55 fc", INSN_LGDT);               /* [r13 - 4] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gpr, 0, seg0), 0xe000 - 4, "[r13-4]");

    /* 32-bit: upper register halves ignored, the EA wraps at 4 GiB, then the base. */
    uint64_t g32[16] = { 0 };
    g32[INSN_RAX] = 0xdead0000fffffff0ull;
    g32[INSN_RCX] = 0x40000000;
    g32[INSN_RBP] = 0x8000;
    g32[INSN_RDI] = 0xffffffff00000100ull;
    in = ok(M32, "0f 01 50 20", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg0), 0x10, "[eax+0x20] wraps");
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg), 0x400010, "plus the DS base");
    in = ok(M32, "0f 01 14 88", INSN_LGDT);                  /* [eax + ecx*4] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg0), 0xfffffff0, "ecx*4 wraps away");
    in = ok(M32, "0f 01 55 f8", INSN_LGDT);                  /* SS:[ebp-8] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg), 0x300000 + 0x7ff8, "SS base");
    in = ok(M32, "2e 0f 01 55 f8", INSN_LGDT);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg), 0x200000 + 0x7ff8, "CS override");
    uint64_t hiseg[INSN_SEGS] = { 0, 0, 0, 0xfffff000, 0, 0 };
    in = ok(M32, "0f 01 97 00 20 00 00", INSN_LGDT);         /* DS:[edi+0x2000] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, hiseg), 0x1100, "base + EA wraps at 4G");
    in = ok(M32, "0f 01 15 00 10 00 00", INSN_LGDT);         /* [disp32] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0x12345678, seg), 0x401000, "no RIP in 32-bit");
    in = ok(M32, "67 0f 01 57 ff", INSN_LGDT);               /* 16-bit [bx-1] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g32, 0, seg), 0x400000 + 0xffff, "[bx-1] wraps at 64K");

    /* 16-bit: every sum wraps at 64 KiB; real-mode bases are selector*16. */
    uint64_t g16[16] = { 0 };
    g16[INSN_RBX] = 0xabcdfff0;
    g16[INSN_RSI] = 0x20;
    g16[INSN_RDI] = 0x8000;
    g16[INSN_RBP] = 0x1000;
    uint64_t rseg[INSN_SEGS] = { 0xb8000, 0xf0000, 0x20000, 0x12340, 0, 0xffff0 };
    in = ok(M16, "0f 01 10", INSN_LGDT);                     /* [bx+si] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0x12340 + 0x10, "[bx+si] wraps");
    in = ok(M16, "0f 01 93 00 80", INSN_LGDT);               /* SS:[bp+di-0x8000] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0x20000 + 0x1000, "[bp+di-0x8000]");
    in = ok(M16, "0f 01 16 fe ff", INSN_LGDT);               /* [0xfffe] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0x12340 + 0xfffe, "disp16 alone");
    in = ok(M16, "65 0f 01 56 00", INSN_LGDT);               /* GS:[bp] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0xffff0 + 0x1000, "above 1M, no A20 wrap");
    in = ok(M16, "26 0f 01 54 d0", INSN_LGDT);               /* ES:[si-0x30] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0xb8000 + 0xfff0, "[si-0x30] wraps");
    in = ok(M16, "67 0f 01 14 76", INSN_LGDT);               /* 32-bit [esi + esi*2] */
    CHECK_EQ_U64(insn_mem_linear(&in.mem, g16, 0, rseg), 0x12340 + 0x60, "67 in 16-bit mode");

    /* Implicit operands. */
    uint64_t gio[16] = { 0 };
    gio[INSN_RSI] = 0xffffffff00001234ull;
    gio[INSN_RDI] = 0x5678;
    gio[INSN_RAX] = 0x9abc;
    in = ok(M32, "f3 6e", INSN_OUTS);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, seg), 0x400000 + 0x1234, "OUTS DS:esi");
    in = ok(M32, "64 6c", INSN_INS);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, seg), 0x100000 + 0x5678, "INS ES:edi");
    in = ok(M64, "64 6f", INSN_OUTS);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, seg), 0xffff888000000000ull + 0xffffffff00001234ull,
                 "OUTS FS:rsi");
    in = ok(M64, "67 6f", INSN_OUTS);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, seg), 0x1234, "OUTS [esi] in 64-bit mode");
    in = ok(M64, "65 0f 01 c8", INSN_MONITOR);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, seg), 0x7f0000000000ull + 0x9abc, "MONITOR GS:rax");
    in = ok(M16, "0f 01 c8", INSN_MONITOR);
    CHECK_EQ_U64(insn_mem_linear(&in.mem, gio, 0, rseg), 0x12340 + 0x9abc, "MONITOR DS:ax");

    /* Hand-built operands outside what the decoder makes: no registers read. */
    struct insn_mem m = { .base = INSN_REG_NONE, .index = INSN_REG_NONE, .scale = 1,
                          .disp = -1, .seg = 7, .addr_size = 4, .long_mode = false };
    CHECK_EQ_U64(insn_mem_linear(&m, gpr, 0, seg), 0xffffffff, "bad seg: base 0");
}

/* A load: destination register, its size, the bytes read, then the memory operand. */
static void load(int mode, const char *h, enum insn_op op, int gpr, bool high8, unsigned opsize,
                 unsigned mem_size, int base, int index, unsigned scale, int64_t disp, int seg,
                 unsigned asz)
{
    struct insn in = ok(mode, h, op);
    CHECK(in.gpr == gpr && in.gpr_high8 == high8 && in.opsize == opsize &&
          in.mem_size == mem_size, "mode %d '%s': gpr %d high8 %d opsize %u mem %u", mode, h,
          in.gpr, in.gpr_high8, in.opsize, in.mem_size);
    in.gpr = NONE;
    check_mem(&in, mode, h, base, index, scale, disp, seg, asz);
}

static void test_loads(void)
{
    /* MOV r8, m8: AH without REX, SPL with any REX, R8B with REX.R. */
    load(M64, "8a 00", INSN_MOV_LOAD, INSN_RAX, false, 1, 1, INSN_RAX, NONE, 1, 0, DS, 8);
    load(M64, "8a 20", INSN_MOV_LOAD, INSN_RSP, true, 1, 1, INSN_RAX, NONE, 1, 0, DS, 8);
    load(M64, "40 8a 20", INSN_MOV_LOAD, INSN_RSP, false, 1, 1, INSN_RAX, NONE, 1, 0, DS, 8);
    load(M64, "44 8a 00", INSN_MOV_LOAD, INSN_R8, false, 1, 1, INSN_RAX, NONE, 1, 0, DS, 8);
    load(M32, "8a 3b", INSN_MOV_LOAD, INSN_RDI, true, 1, 1, INSN_RBX, NONE, 1, 0, DS, 4);
    /* MOV r, m: 16/32/64. */
    load(M64, "66 8b 07", INSN_MOV_LOAD, INSN_RAX, false, 2, 2, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "8b 47 10", INSN_MOV_LOAD, INSN_RAX, false, 4, 4, INSN_RDI, NONE, 1, 0x10, DS, 8);
    load(M64, "4c 8b 4c 24 f8", INSN_MOV_LOAD, INSN_R9, false, 8, 8, INSN_RSP, NONE, 1, -8, SS, 8);
    load(M64, "8b 05 00 10 00 00", INSN_MOV_LOAD, INSN_RAX, false, 4, 4, RIP, NONE, 1, 0x1000, DS, 8);
    load(M64, "65 48 8b 04 25 28 00 00 00", INSN_MOV_LOAD, INSN_RAX, false, 8, 8, NONE, NONE, 1,
         0x28, GS, 8);
    load(M16, "8b 07", INSN_MOV_LOAD, INSN_RAX, false, 2, 2, INSN_RBX, NONE, 1, 0, DS, 2);
    /* MOVZX/MOVSX: destination by operand size, memory by opcode. */
    load(M64, "0f b6 07", INSN_MOVZX, INSN_RAX, false, 4, 1, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "48 0f b7 0e", INSN_MOVZX, INSN_RCX, false, 8, 2, INSN_RSI, NONE, 1, 0, DS, 8);
    load(M64, "48 0f be 07", INSN_MOVSX, INSN_RAX, false, 8, 1, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M32, "0f bf 04 8b", INSN_MOVSX, INSN_RAX, false, 4, 2, INSN_RBX, INSN_RCX, 4, 0, DS, 4);
    /* MOVSXD (64-bit mode only; ARPL elsewhere). */
    load(M64, "48 63 07", INSN_MOVSX, INSN_RAX, false, 8, 4, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "63 07", INSN_MOVSX, INSN_RAX, false, 4, 4, INSN_RDI, NONE, 1, 0, DS, 8);
    bad(M32, "63 07");
    /* MOV AL/rAX, moffs: address-size offset. */
    load(M64, "a1 00 00 d0 fe 00 00 00 00", INSN_MOV_LOAD, INSN_RAX, false, 4, 4, NONE, NONE, 1,
         0xfed00000ll, DS, 8);
    load(M64, "67 a0 00 00 00 f0", INSN_MOV_LOAD, INSN_RAX, false, 1, 1, NONE, NONE, 1,
         0xf0000000ll, DS, 4);
    load(M32, "64 a1 00 00 d0 fe", INSN_MOV_LOAD, INSN_RAX, false, 4, 4, NONE, NONE, 1,
         0xfed00000ll, FS, 4);
    load(M16, "a1 34 12", INSN_MOV_LOAD, INSN_RAX, false, 2, 2, NONE, NONE, 1, 0x1234, DS, 2);
    /* Register forms touch no memory; LOCK is #UD. */
    bad(M64, "8b c0");
    bad(M64, "0f b6 c0");
    bad(M64, "f0 8b 07");
    uint64_t gpr[16] = { 0 }, seg[INSN_SEGS] = { 0 };
    struct insn in;
    uint8_t moffs[] = { 0xa1, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x80 };
    CHECK(insn_decode(moffs, sizeof(moffs), INSN_MODE64, &in) == 0 &&
          insn_mem_linear(&in.mem, gpr, 0, seg) == 0x80000000fed00000ull,
          "a 64-bit offset is taken whole");
}

static void store_imm(int mode, const char *h, unsigned size, uint64_t imm, int base,
                      int64_t disp, unsigned len)
{
    struct insn in = ok(mode, h, INSN_MOV_STORE_IMM);
    CHECK(in.opsize == size && in.mem_size == size && in.imm == imm && in.len == len &&
          in.gpr == NONE, "mode %d '%s': size %u imm %#llx len %u", mode, h, in.mem_size,
          (unsigned long long)in.imm, in.len);
    check_mem(&in, mode, h, base, NONE, 1, disp, DS, mode == M16 ? 2 : mode == M32 ? 4 : 8);
}

static void test_stores(void)
{
    /* MOV m, r: the source in gpr, AH..BH without REX. */
    load(M64, "88 07", INSN_MOV_STORE, INSN_RAX, false, 1, 1, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "88 27", INSN_MOV_STORE, INSN_RSP, true, 1, 1, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "40 88 27", INSN_MOV_STORE, INSN_RSP, false, 1, 1, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "66 89 47 02", INSN_MOV_STORE, INSN_RAX, false, 2, 2, INSN_RDI, NONE, 1, 2, DS, 8);
    load(M64, "89 37", INSN_MOV_STORE, INSN_RSI, false, 4, 4, INSN_RDI, NONE, 1, 0, DS, 8);
    load(M64, "4c 89 47 08", INSN_MOV_STORE, INSN_R8, false, 8, 8, INSN_RDI, NONE, 1, 8, DS, 8);
    load(M64, "41 89 04 24", INSN_MOV_STORE, INSN_RAX, false, 4, 4, INSN_R12, NONE, 1, 0, DS, 8);
    load(M32, "89 44 8b 10", INSN_MOV_STORE, INSN_RAX, false, 4, 4, INSN_RBX, INSN_RCX, 4, 0x10,
         DS, 4);
    load(M16, "89 07", INSN_MOV_STORE, INSN_RAX, false, 2, 2, INSN_RBX, NONE, 1, 0, DS, 2);
    /* MOV moffs, AL/rAX. */
    load(M64, "a3 00 30 00 c0 00 00 00 00", INSN_MOV_STORE, INSN_RAX, false, 4, 4, NONE, NONE, 1,
         0xc0003000ll, DS, 8);
    load(M32, "a2 00 30 00 c0", INSN_MOV_STORE, INSN_RAX, false, 1, 1, NONE, NONE, 1,
         0xc0003000ll, DS, 4);
    /* MOV m, imm: imm32 sign-extended for a 64-bit store; the immediate follows the disp. */
    store_imm(M64, "c6 47 14 0f", 1, 0x0f, INSN_RDI, 0x14, 4);
    store_imm(M64, "66 c7 07 34 12", 2, 0x1234, INSN_RDI, 0, 5);
    store_imm(M64, "c7 47 10 78 56 34 12", 4, 0x12345678, INSN_RDI, 0x10, 7);
    store_imm(M64, "48 c7 07 ff ff ff ff", 8, ~0ull, INSN_RDI, 0, 7);
    store_imm(M64, "48 c7 47 08 00 00 00 80", 8, 0xffffffff80000000ull, INSN_RDI, 8, 8);
    store_imm(M16, "c7 07 34 12", 2, 0x1234, INSN_RBX, 0, 4);
    /* RIP-relative with an immediate: the displacement is from the instruction's end. */
    struct insn in = ok(M64, "c7 05 00 01 00 00 01 00 00 00", INSN_MOV_STORE_IMM);
    uint64_t gpr[16] = { 0 }, seg[INSN_SEGS] = { 0 };
    CHECK(in.len == 10 && insn_mem_linear(&in.mem, gpr, 0x1000 + in.len, seg) == 0x110a,
          "rip-relative store: len %u", in.len);
    /* Register forms, other group-11 members, truncated immediates, LOCK: not decoded. */
    bad(M64, "89 c0");
    bad(M64, "c7 c0 00 00 00 00");
    bad(M64, "c6 08 00");
    bad(M64, "c7 07 00 00 00");
    bad(M64, "f0 89 07");
}

int main(void)
{
    test_no_operand();
    test_monitor();
    test_mov_cr();
    test_addr64();
    test_addr32();
    test_addr16();
    test_groups();
    test_io();
    test_lock();
    test_length_limit();
    test_unknown();
    test_sweeps();
    test_linear();
    test_loads();
    test_stores();
    return check_summary("insn_decode");
}
