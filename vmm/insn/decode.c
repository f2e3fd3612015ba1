/* x86 decoder for the instructions the hypervisor skips or emulates (pure): prefixes, ModRM,
 * SIB and displacement after SDM vol. 2 ch. 2, then a table of the opcodes we know. */
#include "vmm/insn/decode.h"

#define INSN_MAX_LEN 15         /* SDM 2.3.11: a longer instruction raises #GP */

/* Legacy prefixes (SDM 2.1.1). */
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_ES 0x26
#define PFX_CS 0x2e
#define PFX_SS 0x36
#define PFX_DS 0x3e
#define PFX_FS 0x64
#define PFX_GS 0x65

/* REX, 0100WRXB (SDM 2.2.1). */
#define REX_HIGH_MASK 0xf0
#define REX_HIGH 0x40
#define REX_W 0x08
#define REX_R 0x04
#define REX_X 0x02
#define REX_B 0x01
#define REX_REG_HIGH 8          /* what REX.R/X/B add to a register number */

/* ModRM and SIB fields (SDM 2.1.5). */
#define MODRM_MOD(b) ((unsigned)(b) >> 6)
#define MODRM_REG(b) (((unsigned)(b) >> 3) & 7u)
#define MODRM_RM(b) ((unsigned)(b) & 7u)
#define SIB_SS(b) MODRM_MOD(b)
#define SIB_INDEX(b) MODRM_REG(b)
#define SIB_BASE(b) MODRM_RM(b)
#define MOD_NODISP 0u
#define MOD_DISP8 1u
#define MOD_DISP32 2u           /* disp16 with 16-bit addressing */
#define MOD_REG 3u
#define RM_SIB 4u               /* 32/64-bit: a SIB byte follows (also with REX.B: r12) */
#define RM_DISP32 5u            /* 32/64-bit mod=00: disp32, RIP-relative in 64-bit mode */
#define RM16_DISP16 6u          /* 16-bit mod=00: disp16 alone */
#define SIB_INDEX_NONE 4u       /* without REX.X (with it, r12 is an index) */
#define SIB_BASE_NONE 5u        /* with mod=00: disp32 and no base (also with REX.B: r13) */

/* Opcodes (SDM vol. 2 appendix A; AMD APM vol. 3 appendix A). */
#define OP_TWO_BYTE 0x0f
#define OP_NOP 0x90             /* F3 90 is PAUSE */
#define OP_HLT 0xf4
#define OP_INSB 0x6c
#define OP_INSD 0x6d
#define OP_OUTSB 0x6e
#define OP_OUTSD 0x6f
#define OP_IN_IMM_B 0xe4
#define OP_IN_IMM 0xe5
#define OP_OUT_IMM_B 0xe6
#define OP_OUT_IMM 0xe7
#define OP_IN_DX_B 0xec
#define OP_IN_DX 0xed
#define OP_OUT_DX_B 0xee
#define OP_OUT_DX 0xef
#define OP2_GROUP6 0x00
#define OP2_GROUP7 0x01
#define OP2_CLTS 0x06
#define OP2_INVD 0x08
#define OP2_WBINVD 0x09
#define OP2_MOV_FROM_CR 0x20
#define OP2_MOV_TO_CR 0x22
#define OP2_WRMSR 0x30
#define OP2_RDTSC 0x31
#define OP2_RDMSR 0x32
#define OP2_RDPMC 0x33
#define OP2_CPUID 0xa2
#define OP2_MOVZX_B 0xb6
#define OP2_MOVZX_W 0xb7
#define OP2_MOVSX_B 0xbe
#define OP2_MOVSX_W 0xbf
#define OP_MOVSXD 0x63          /* ARPL outside 64-bit mode */
#define OP_MOV_LOAD_B 0x8a
#define OP_MOV_LOAD 0x8b
#define OP_MOV_MOFFS_B 0xa0
#define OP_MOV_MOFFS 0xa1
#define OP_MOV_STORE_B 0x88
#define OP_MOV_STORE 0x89
#define OP_MOV_MOFFS_STORE_B 0xa2
#define OP_MOV_MOFFS_STORE 0xa3
#define OP_MOV_IMM_B 0xc6       /* group 11: /0 is MOV r/m8, imm8 */
#define OP_MOV_IMM 0xc7

struct dec {
    const uint8_t *bytes;
    size_t n;                   /* bytes we may read: min(n, INSN_MAX_LEN) */
    size_t i;                   /* the next one */
    enum insn_mode mode;
    uint8_t rex;                /* the REX that counts, 0 if none */
    uint8_t last_rep;           /* 0, PFX_REPNE or PFX_REP: the last of them */
    bool opsize_pfx, addrsize_pfx, lock;
    int seg_override;           /* enum insn_seg, or -1 */
};

static bool next_byte(struct dec *d, uint8_t *b)
{
    if (d->i >= d->n)
        return false;
    *b = d->bytes[d->i++];
    return true;
}

/* A little-endian displacement of `size` bytes, sign-extended. */
static bool next_disp(struct dec *d, unsigned size, int64_t *disp)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        uint8_t b;
        if (!next_byte(d, &b))
            return false;
        v |= (uint64_t)b << (8 * k);
    }
    switch (size) {
    case 1: *disp = (int8_t)v; break;
    case 2: *disp = (int16_t)v; break;
    case 4: *disp = (int32_t)v; break;
    default: *disp = 0; break;
    }
    return true;
}

static bool mode64(const struct dec *d) { return d->mode == INSN_MODE64; }
static bool rex_has(const struct dec *d, uint8_t bit) { return (d->rex & bit) != 0; }
static int rex_extend(const struct dec *d, uint8_t bit, unsigned reg)
{
    return (int)(reg + (rex_has(d, bit) ? REX_REG_HIGH : 0));
}

/* Operand-size attribute (SDM table 3-4): REX.W wins over 66 in 64-bit mode. */
static unsigned opsize_attr(const struct dec *d)
{
    switch (d->mode) {
    case INSN_MODE64: return rex_has(d, REX_W) ? 8 : d->opsize_pfx ? 2 : 4;
    case INSN_MODE16: return d->opsize_pfx ? 4 : 2;
    default: return d->opsize_pfx ? 2 : 4;
    }
}

/* Address-size attribute (SDM table 2-4 and 3-4). */
static unsigned addrsize_attr(const struct dec *d)
{
    switch (d->mode) {
    case INSN_MODE64: return d->addrsize_pfx ? 4 : 8;
    case INSN_MODE16: return d->addrsize_pfx ? 4 : 2;
    default: return d->addrsize_pfx ? 2 : 4;
    }
}

/* The segment an override names for this mode: in 64-bit mode only FS and GS have a base. */
static int seg_for(const struct dec *d, int default_seg)
{
    int s = d->seg_override;
    if (s < 0 || (mode64(d) && s != INSN_SEG_FS && s != INSN_SEG_GS))
        return default_seg;
    return s;
}

static void mem_defaults(const struct dec *d, struct insn_mem *m)
{
    m->base = INSN_REG_NONE;
    m->index = INSN_REG_NONE;
    m->scale = 1;
    m->disp = 0;
    m->seg = INSN_SEG_DS;
    m->addr_size = addrsize_attr(d);
    m->long_mode = mode64(d);
}

/* 16-bit addressing (SDM table 2-1), by rm. */
static const int8_t base16[8] = { INSN_RBX, INSN_RBX, INSN_RBP, INSN_RBP,
                                  INSN_RSI, INSN_RDI, INSN_RBP, INSN_RBX };
static const int8_t index16[8] = { INSN_RSI, INSN_RDI, INSN_RSI, INSN_RDI,
                                   INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE };

static bool decode_mem16(struct dec *d, uint8_t modrm, struct insn_mem *m)
{
    unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
    unsigned disp_size = mod == MOD_DISP8 ? 1 : mod == MOD_DISP32 ? 2 : 0;
    if (mod == MOD_NODISP && rm == RM16_DISP16) {
        disp_size = 2;
    } else {
        m->base = base16[rm];
        m->index = index16[rm];
    }
    return next_disp(d, disp_size, &m->disp);
}

/* 32/64-bit addressing (SDM tables 2-2, 2-3, 2-7). */
static bool decode_mem32(struct dec *d, uint8_t modrm, struct insn_mem *m)
{
    unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
    unsigned disp_size = mod == MOD_DISP8 ? 1 : mod == MOD_DISP32 ? 4 : 0;
    if (rm == RM_SIB) {
        uint8_t sib;
        if (!next_byte(d, &sib))
            return false;
        if (SIB_INDEX(sib) != SIB_INDEX_NONE || rex_has(d, REX_X)) {
            m->index = rex_extend(d, REX_X, SIB_INDEX(sib));
            m->scale = 1u << SIB_SS(sib);
        }
        if (mod == MOD_NODISP && SIB_BASE(sib) == SIB_BASE_NONE)
            disp_size = 4;
        else
            m->base = rex_extend(d, REX_B, SIB_BASE(sib));
    } else if (mod == MOD_NODISP && rm == RM_DISP32) {
        /* SDM 2.2.1.6: RIP-relative in 64-bit mode, whatever the address size. */
        m->base = mode64(d) ? INSN_REG_RIP : INSN_REG_NONE;
        disp_size = 4;
    } else {
        m->base = rex_extend(d, REX_B, rm);
    }
    return next_disp(d, disp_size, &m->disp);
}

/* The memory operand of a ModRM with mod != 11b. */
static bool decode_mem(struct dec *d, uint8_t modrm, struct insn_mem *m)
{
    mem_defaults(d, m);
    bool ok = m->addr_size == 2 ? decode_mem16(d, modrm, m) : decode_mem32(d, modrm, m);
    /* SDM 3.4.2.1 / 3.7.4: rSP and rBP (not r12/r13) as base default to SS. */
    m->seg = seg_for(d, m->base == INSN_RSP || m->base == INSN_RBP ? INSN_SEG_SS : INSN_SEG_DS);
    return ok;
}

/* An implicit memory operand [reg] of the address size, in `seg` (already resolved). */
static void implicit_mem(struct dec *d, struct insn *out, int reg, int seg)
{
    mem_defaults(d, &out->mem);
    out->mem.base = reg;
    out->mem.seg = seg;
    out->has_mem = true;
}

/* The r/m operand: memory, or the register ModRM.rm (plus REX.B). */
static bool decode_rm(struct dec *d, uint8_t modrm, struct insn *out)
{
    if (MODRM_MOD(modrm) == MOD_REG) {
        out->gpr = rex_extend(d, REX_B, MODRM_RM(modrm));
        return true;
    }
    out->has_mem = true;
    return decode_mem(d, modrm, &out->mem);
}

/* 0F 00: SLDT, STR, LLDT, LTR by ModRM.reg, register or memory. */
static bool decode_group6(struct dec *d, struct insn *out)
{
    static const enum insn_op ops[8] = { INSN_SLDT, INSN_STR, INSN_LLDT, INSN_LTR };
    uint8_t modrm;
    if (!next_byte(d, &modrm))
        return false;
    out->op = ops[MODRM_REG(modrm)];
    if (out->op == INSN_UNKNOWN)
        return false;
    bool store = out->op == INSN_SLDT || out->op == INSN_STR;
    if (!store || MODRM_MOD(modrm) != MOD_REG)
        out->opsize = 2;        /* a 16-bit selector, but a register destination */
    return decode_rm(d, modrm, out);
}

/* 0F 01 with mod=11b: one instruction per ModRM byte, SMSW and LMSW per register. */
static enum insn_op group7_reg(uint8_t modrm)
{
    switch (modrm) {
    case 0xc1: return INSN_VMCALL;
    case 0xc8: return INSN_MONITOR;
    case 0xc9: return INSN_MWAIT;
    case 0xd1: return INSN_XSETBV;
    case 0xd8: return INSN_VMRUN;
    case 0xd9: return INSN_VMMCALL;     /* also F2/F3 0F 01 D9 (VMGEXIT outside SEV-ES) */
    case 0xda: return INSN_VMLOAD;
    case 0xdb: return INSN_VMSAVE;
    case 0xdc: return INSN_STGI;
    case 0xdd: return INSN_CLGI;
    case 0xde: return INSN_SKINIT;
    case 0xdf: return INSN_INVLPGA;
    case 0xf9: return INSN_RDTSCP;
    }
    switch (MODRM_REG(modrm)) {
    case 4: return INSN_SMSW;
    case 6: return INSN_LMSW;
    }
    return INSN_UNKNOWN;
}

/* 0F 01: descriptor tables, MSW and INVLPG by ModRM.reg on memory; the rest by ModRM. */
static bool decode_group7(struct dec *d, struct insn *out)
{
    static const enum insn_op mem_ops[8] = { INSN_SGDT, INSN_SIDT, INSN_LGDT, INSN_LIDT,
                                             INSN_SMSW, INSN_UNKNOWN, INSN_LMSW, INSN_INVLPG };
    uint8_t modrm;
    if (!next_byte(d, &modrm))
        return false;
    if (MODRM_MOD(modrm) != MOD_REG) {
        out->op = mem_ops[MODRM_REG(modrm)];
        switch (out->op) {
        case INSN_UNKNOWN: return false;
        case INSN_SGDT: case INSN_SIDT: case INSN_LGDT: case INSN_LIDT:
            if (mode64(d))
                out->opsize = 8;        /* SDM LGDT: 8-byte base, 66 ignored */
            break;
        case INSN_SMSW: case INSN_LMSW:
            out->opsize = 2;
            out->cr = 0;
            break;
        default: break;
        }
        out->has_mem = true;
        return decode_mem(d, modrm, &out->mem);
    }
    out->op = group7_reg(modrm);
    switch (out->op) {
    case INSN_UNKNOWN: return false;
    case INSN_SMSW:
        out->cr = 0;
        out->gpr = rex_extend(d, REX_B, MODRM_RM(modrm));
        break;
    case INSN_LMSW:
        out->cr = 0;
        out->opsize = 2;
        out->gpr = rex_extend(d, REX_B, MODRM_RM(modrm));
        break;
    case INSN_MONITOR:
        implicit_mem(d, out, INSN_RAX, seg_for(d, INSN_SEG_DS));
        break;
    default: break;
    }
    return true;
}

/* 0F 20 / 0F 22 (SDM MOV CR): always a register operand, no SIB or displacement. */
static bool decode_mov_cr(struct dec *d, struct insn *out, enum insn_op op)
{
    uint8_t modrm;
    if (!next_byte(d, &modrm))
        return false;
    out->op = op;
    out->opsize = mode64(d) ? 8 : 4;
    out->cr = rex_extend(d, REX_R, MODRM_REG(modrm)) | (d->lock ? REX_REG_HIGH : 0);
    out->gpr = rex_extend(d, REX_B, MODRM_RM(modrm));
    return true;
}

/* A load from the ModRM memory operand into ModRM.reg: `mem_size` bytes read, the destination
 * `dest_size` bytes (SDM MOV, MOVZX, MOVSX/MOVSXD); or MOV_STORE (88/89), ModRM.reg stored,
 * both sizes the same. The register forms do not touch memory. */
static bool decode_load(struct dec *d, struct insn *out, enum insn_op op, unsigned mem_size,
                        unsigned dest_size)
{
    uint8_t modrm;
    if (!next_byte(d, &modrm) || MODRM_MOD(modrm) == MOD_REG)
        return false;
    out->op = op;
    out->opsize = dest_size;
    out->mem_size = mem_size;
    out->gpr = rex_extend(d, REX_R, MODRM_REG(modrm));
    out->gpr_high8 = dest_size == 1 && !d->rex && out->gpr >= INSN_RSP && out->gpr <= INSN_RDI;
    out->has_mem = true;
    return decode_mem(d, modrm, &out->mem);
}

/* MOV r/m, imm (SDM MOV, C6 /0 and C7 /0): the immediate follows the memory operand's
 * displacement; with a 64-bit operand it is imm32 sign-extended. Other ModRM.reg values are
 * not MOV (C6 F8 / C7 F8 are XABORT/XBEGIN, register forms). */
static bool decode_store_imm(struct dec *d, struct insn *out, unsigned size)
{
    uint8_t modrm;
    if (!next_byte(d, &modrm) || MODRM_MOD(modrm) == MOD_REG || MODRM_REG(modrm) != 0)
        return false;
    out->op = INSN_MOV_STORE_IMM;
    out->opsize = size;
    out->mem_size = size;
    out->has_mem = true;
    if (!decode_mem(d, modrm, &out->mem))
        return false;
    unsigned imm_size = size == 8 ? 4 : size;
    uint64_t v = 0;
    for (unsigned k = 0; k < imm_size; k++) {
        uint8_t b;
        if (!next_byte(d, &b))
            return false;
        v |= (uint64_t)b << (8 * k);
    }
    out->imm = size == 8 ? (uint64_t)(int64_t)(int32_t)v : v;
    return true;
}

/* MOV AL/rAX, moffs and MOV moffs, AL/rAX (SDM MOV, A0-A3): an address-size offset, no
 * ModRM; DS or override. */
static bool decode_moffs(struct dec *d, struct insn *out, unsigned size, enum insn_op op)
{
    mem_defaults(d, &out->mem);
    uint64_t off = 0;
    for (unsigned k = 0; k < out->mem.addr_size; k++) {
        uint8_t b;
        if (!next_byte(d, &b))
            return false;
        off |= (uint64_t)b << (8 * k);
    }
    out->op = op;
    out->opsize = size;
    out->mem_size = size;
    out->gpr = INSN_RAX;
    out->mem.disp = (int64_t)off;   /* the address wraps at addr_size: no sign to extend */
    out->mem.seg = seg_for(d, INSN_SEG_DS);
    out->has_mem = true;
    return true;
}

static bool decode_two_byte(struct dec *d, struct insn *out)
{
    uint8_t op;
    if (!next_byte(d, &op))
        return false;
    switch (op) {
    case OP2_GROUP6: return decode_group6(d, out);
    case OP2_GROUP7: return decode_group7(d, out);
    case OP2_MOV_FROM_CR: return decode_mov_cr(d, out, INSN_MOV_FROM_CR);
    case OP2_MOV_TO_CR: return decode_mov_cr(d, out, INSN_MOV_TO_CR);
    case OP2_CLTS: out->op = INSN_CLTS; out->cr = 0; return true;
    case OP2_INVD: out->op = INSN_INVD; return true;
    case OP2_WBINVD: out->op = INSN_WBINVD; return true;   /* F3: WBNOINVD, same intercept */
    case OP2_WRMSR: out->op = INSN_WRMSR; return true;
    case OP2_RDTSC: out->op = INSN_RDTSC; return true;
    case OP2_RDMSR: out->op = INSN_RDMSR; return true;
    case OP2_RDPMC: out->op = INSN_RDPMC; return true;
    case OP2_CPUID: out->op = INSN_CPUID; return true;
    case OP2_MOVZX_B: return decode_load(d, out, INSN_MOVZX, 1, opsize_attr(d));
    case OP2_MOVZX_W: return decode_load(d, out, INSN_MOVZX, 2, opsize_attr(d));
    case OP2_MOVSX_B: return decode_load(d, out, INSN_MOVSX, 1, opsize_attr(d));
    case OP2_MOVSX_W: return decode_load(d, out, INSN_MOVSX, 2, opsize_attr(d));
    default: return false;
    }
}

/* IN/OUT (imm8 or DX) and INS/OUTS: the size is 1 for the byte forms, else 2 or 4. */
static bool decode_io(struct dec *d, struct insn *out, enum insn_op op, bool byte, bool imm)
{
    out->op = op;
    out->io_size = byte ? 1 : opsize_attr(d) == 2 ? 2 : 4;
    out->port_imm = imm;
    if (imm && !next_byte(d, &out->port))
        return false;
    /* SDM INS/OUTS: INS writes ES:rDI (no override), OUTS reads DS:rSI (override). */
    if (op == INSN_INS)
        implicit_mem(d, out, INSN_RDI, INSN_SEG_ES);
    else if (op == INSN_OUTS)
        implicit_mem(d, out, INSN_RSI, seg_for(d, INSN_SEG_DS));
    return true;
}

static bool decode_opcode(struct dec *d, uint8_t op, struct insn *out)
{
    switch (op) {
    case OP_TWO_BYTE: return decode_two_byte(d, out);
    case OP_HLT: out->op = INSN_HLT; return true;
    case OP_NOP:
        /* PAUSE is F3 90; with REX.B, 90 is XCHG r8, rAX. */
        if (d->last_rep != PFX_REP || rex_has(d, REX_B))
            return false;
        out->op = INSN_PAUSE;
        return true;
    case OP_IN_IMM_B: return decode_io(d, out, INSN_IN, true, true);
    case OP_IN_IMM: return decode_io(d, out, INSN_IN, false, true);
    case OP_OUT_IMM_B: return decode_io(d, out, INSN_OUT, true, true);
    case OP_OUT_IMM: return decode_io(d, out, INSN_OUT, false, true);
    case OP_IN_DX_B: return decode_io(d, out, INSN_IN, true, false);
    case OP_IN_DX: return decode_io(d, out, INSN_IN, false, false);
    case OP_OUT_DX_B: return decode_io(d, out, INSN_OUT, true, false);
    case OP_OUT_DX: return decode_io(d, out, INSN_OUT, false, false);
    case OP_INSB: return decode_io(d, out, INSN_INS, true, false);
    case OP_INSD: return decode_io(d, out, INSN_INS, false, false);
    case OP_OUTSB: return decode_io(d, out, INSN_OUTS, true, false);
    case OP_OUTSD: return decode_io(d, out, INSN_OUTS, false, false);
    case OP_MOV_LOAD_B: return decode_load(d, out, INSN_MOV_LOAD, 1, 1);
    case OP_MOV_LOAD: return decode_load(d, out, INSN_MOV_LOAD, opsize_attr(d), opsize_attr(d));
    case OP_MOV_MOFFS_B: return decode_moffs(d, out, 1, INSN_MOV_LOAD);
    case OP_MOV_MOFFS: return decode_moffs(d, out, opsize_attr(d), INSN_MOV_LOAD);
    case OP_MOV_MOFFS_STORE_B: return decode_moffs(d, out, 1, INSN_MOV_STORE);
    case OP_MOV_MOFFS_STORE: return decode_moffs(d, out, opsize_attr(d), INSN_MOV_STORE);
    case OP_MOV_STORE_B: return decode_load(d, out, INSN_MOV_STORE, 1, 1);
    case OP_MOV_STORE: return decode_load(d, out, INSN_MOV_STORE, opsize_attr(d), opsize_attr(d));
    case OP_MOV_IMM_B: return decode_store_imm(d, out, 1);
    case OP_MOV_IMM: return decode_store_imm(d, out, opsize_attr(d));
    case OP_MOVSXD:
        if (!mode64(d))
            return false;
        return decode_load(d, out, INSN_MOVSX, opsize_attr(d) == 2 ? 2 : 4, opsize_attr(d));
    default: return false;
    }
}

static int seg_prefix(uint8_t b)
{
    switch (b) {
    case PFX_ES: return INSN_SEG_ES;
    case PFX_CS: return INSN_SEG_CS;
    case PFX_SS: return INSN_SEG_SS;
    case PFX_DS: return INSN_SEG_DS;
    case PFX_FS: return INSN_SEG_FS;
    case PFX_GS: return INSN_SEG_GS;
    default: return -1;
    }
}

/* Legacy prefixes in any order, then REX in 64-bit mode (SDM 2.1.1, 2.2.1): a REX that a
 * legacy prefix follows is ignored. Returns false when the bytes run out first. */
static bool decode_prefixes(struct dec *d, uint8_t *opcode)
{
    for (;;) {
        uint8_t b;
        if (!next_byte(d, &b))
            return false;
        int seg = seg_prefix(b);
        if (seg >= 0)
            d->seg_override = seg;
        else if (b == PFX_OPSIZE)
            d->opsize_pfx = true;
        else if (b == PFX_ADDRSIZE)
            d->addrsize_pfx = true;
        else if (b == PFX_LOCK)
            d->lock = true;
        else if (b == PFX_REP || b == PFX_REPNE)
            d->last_rep = b;
        else if (mode64(d) && (b & REX_HIGH_MASK) == REX_HIGH) {
            d->rex = b;
            continue;
        } else {
            *opcode = b;
            return true;
        }
        d->rex = 0;
    }
}

static void insn_defaults(struct insn *out)
{
    *out = (struct insn){
        .op = INSN_UNKNOWN,
        .cr = INSN_REG_NONE,
        .gpr = INSN_REG_NONE,
        .mem = { .base = INSN_REG_NONE, .index = INSN_REG_NONE, .scale = 1,
                 .seg = INSN_SEG_DS },
    };
}

int insn_decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out)
{
    insn_defaults(out);
    if (mode != INSN_MODE16 && mode != INSN_MODE32 && mode != INSN_MODE64)
        return -1;
    struct dec d = {
        .bytes = bytes,
        .n = n < INSN_MAX_LEN ? n : INSN_MAX_LEN,
        .mode = mode,
        .seg_override = -1,
    };
    struct insn in;
    insn_defaults(&in);
    uint8_t opcode;
    if (!decode_prefixes(&d, &opcode))
        return -1;
    in.opsize = opsize_attr(&d);
    in.addr_size = addrsize_attr(&d);
    in.rep = d.last_rep != 0;
    if (!decode_opcode(&d, opcode, &in))
        return -1;
    /* LOCK on anything but MOV CR (AMD's CR8 alias) is #UD (SDM LOCK). */
    if (d.lock && in.op != INSN_MOV_TO_CR && in.op != INSN_MOV_FROM_CR)
        return -1;
    in.len = (uint8_t)d.i;
    *out = in;
    return 0;
}

#define CR0_PE (1ull << 0)
#define RFLAGS_VM (1ull << 17)
#define EFER_LMA (1ull << 10)
#define PAGE_SIZE_4K 4096u

enum insn_mode insn_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, bool cs_l, bool cs_d)
{
    if (!(cr0 & CR0_PE) || (rflags & RFLAGS_VM))
        return INSN_MODE16;
    if ((efer & EFER_LMA) && cs_l)
        return INSN_MODE64;
    return cs_d ? INSN_MODE32 : INSN_MODE16;
}

size_t insn_bytes_in_page(uint64_t lin)
{
    size_t left = PAGE_SIZE_4K - (size_t)(lin & (PAGE_SIZE_4K - 1));
    return left < INSN_MAX_LEN ? left : INSN_MAX_LEN;
}

static uint64_t reg_value(int reg, const uint64_t gpr[16], uint64_t rip_next)
{
    if (reg == INSN_REG_RIP)
        return rip_next;
    if (reg < 0 || reg >= 16)
        return 0;
    return gpr[reg];
}

static uint64_t size_mask(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

uint64_t insn_mem_linear(const struct insn_mem *m, const uint64_t gpr[16], uint64_t rip_next,
                         const uint64_t seg_base[INSN_SEGS])
{
    uint64_t ea = reg_value(m->base, gpr, rip_next) +
                  reg_value(m->index, gpr, rip_next) * m->scale + (uint64_t)m->disp;
    ea &= size_mask(m->addr_size);
    bool has_base = m->seg >= 0 && m->seg < INSN_SEGS &&
                    (!m->long_mode || m->seg == INSN_SEG_FS || m->seg == INSN_SEG_GS);
    uint64_t linear = ea + (has_base ? seg_base[m->seg] : 0);
    return m->long_mode ? linear : linear & size_mask(4);
}
