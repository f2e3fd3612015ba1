/* A small x86 instruction decoder for the few instructions the hypervisor skips or emulates
 * itself when the CPU gives no decode assist or next RIP (SVM without those features): pure,
 * freestanding, host unit-tested. SDM vol. 2 ch. 2 and AMD APM vol. 3 ch. 1 are the rules. */
#ifndef EXITLESS_VMM_INSN_DECODE_H
#define EXITLESS_VMM_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the CPU is, as its default sizes: INSN_MODE16 and INSN_MODE32 are real, virtual-8086,
 * 16/32-bit protected and compatibility mode (CS.D); INSN_MODE64 is 64-bit mode (CS.L), whose
 * default operand size is 4 and address size 8. */
enum insn_mode { INSN_MODE16 = 2, INSN_MODE32 = 4, INSN_MODE64 = 8 };

enum insn_op {
    INSN_UNKNOWN = 0,
    INSN_MOV_TO_CR, INSN_MOV_FROM_CR, INSN_CLTS, INSN_LMSW, INSN_SMSW,
    INSN_LGDT, INSN_LIDT, INSN_SGDT, INSN_SIDT, INSN_LLDT, INSN_LTR, INSN_SLDT, INSN_STR,
    INSN_CPUID, INSN_RDMSR, INSN_WRMSR, INSN_RDTSC, INSN_RDTSCP, INSN_RDPMC, INSN_HLT,
    INSN_VMMCALL, INSN_VMCALL, INSN_XSETBV, INSN_WBINVD, INSN_INVD, INSN_IN, INSN_OUT,
    INSN_INS, INSN_OUTS, INSN_PAUSE, INSN_MONITOR, INSN_MWAIT, INSN_INVLPG, INSN_INVLPGA,
    INSN_VMRUN, INSN_VMLOAD, INSN_VMSAVE, INSN_STGI, INSN_CLGI, INSN_SKINIT,
    /* Loads from memory into a register (the memory forms only): MOV r, m (8A, 8B) and
     * MOV AL/rAX, moffs (A0, A1); MOVZX (0F B6, 0F B7); MOVSX (0F BE, 0F BF) and MOVSXD
     * (63, 64-bit mode). */
    INSN_MOV_LOAD, INSN_MOVZX, INSN_MOVSX,
    /* Stores of a register or an immediate to memory (the memory forms only): MOV m, r
     * (88, 89) and MOV moffs, AL/rAX (A2, A3); MOV m, imm (C6 /0, C7 /0). */
    INSN_MOV_STORE, INSN_MOV_STORE_IMM,
};

/* General-purpose registers by their encoding number (SDM table 2-2 order). */
enum insn_gpr {
    INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX, INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI,
    INSN_R8, INSN_R9, INSN_R10, INSN_R11, INSN_R12, INSN_R13, INSN_R14, INSN_R15,
};
#define INSN_REG_NONE (-1)
#define INSN_REG_RIP 16

/* Segment registers by their encoding number (SDM 3.4.2 order). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };
#define INSN_SEGS 6

/* A memory operand: seg:[base + index*scale + disp].
 * 16-bit addressing (SDM table 2-1) maps onto the same fields: [bx+si] is base INSN_RBX, index
 * INSN_RSI; [bx+di] RBX/RDI; [bp+si] RBP/RSI; [bp+di] RBP/RDI; [si], [di], [bp], [bx] are a
 * base alone; mod=00 rm=110 is disp16 with no base. Its scale is always 1. */
struct insn_mem {
    int base, index;    /* enum insn_gpr, INSN_REG_RIP (base only) or INSN_REG_NONE */
    unsigned scale;     /* 1, 2, 4, 8; 1 when there is no index */
    int64_t disp;       /* sign-extended disp8/disp16/disp32, 0 if none */
    int seg;            /* enum insn_seg: an override, else DS, or SS for an rSP/rBP base.
                         * In 64-bit mode only FS and GS overrides count (SDM 3.7.4.1). */
    unsigned addr_size; /* 2, 4 or 8 bytes: the effective address wraps at this size */
    bool long_mode;     /* decoded in 64-bit mode: the linear address is 64 bits and only
                         * the FS and GS bases apply; else it wraps at 4 GiB */
};

/* One decoded instruction. Fields an instruction does not use hold their defaults: cr and gpr
 * INSN_REG_NONE, has_mem false, the I/O fields 0. */
struct insn {
    enum insn_op op;
    uint8_t len;        /* total length in bytes including prefixes, 1..15 */
    /* The operand size in bytes (2, 4 or 8): the attribute from mode, 66 and REX.W, except
     * where the instruction fixes it: MOV CR 8 in 64-bit mode else 4 (66 is ignored);
     * LGDT/LIDT/SGDT/SIDT 8 in 64-bit mode (else 2 or 4: a 2 means a 24-bit base);
     * LLDT/LTR/LMSW 2; SLDT/STR/SMSW to memory 2 (a register destination takes the
     * attribute). I/O instructions: see io_size. */
    unsigned opsize;
    /* The address-size attribute (2, 4 or 8) from mode and 67: the width of rSI/rDI/rCX for
     * INS/OUTS and of rAX for MONITOR, INVLPGA, VMRUN, VMLOAD and VMSAVE. */
    unsigned addr_size;
    /* MOV CR: the control register, ModRM.reg plus 8 for REX.R and plus 8 for LOCK (AMD's
     * alternate CR8 encoding; LOCK with REX.R stays CR8). Any number 0..15 is decoded: the
     * CPU raises #UD for the ones that do not exist before any intercept, the caller checks.
     * CLTS, LMSW and SMSW: 0 (they reach CR0). Else INSN_REG_NONE. */
    int cr;
    /* The register operand: MOV CR's GPR (ModRM.rm, whatever mod says), the register form
     * of LLDT/LTR/SLDT/STR/LMSW/SMSW, the destination of the loads (ModRM.reg plus REX.R;
     * RAX for A0/A1); else INSN_REG_NONE. */
    int gpr;
    /* Loads and MOV_STORE: the register is 8 bits wide (opsize 1) and gpr 4..7 names AH, CH,
     * DH, BH (a byte register without any REX prefix; with one, 4..7 are SPL, BPL, SIL, DIL).
     * MOV_STORE's gpr is the source (ModRM.reg plus REX.R; RAX for A2/A3). */
    bool gpr_high8;
    /* Loads: bytes read from memory (1, 2, 4, 8); the destination's size is opsize (1 for
     * the byte forms of MOV). Stores: bytes written, equal to opsize. Else 0. */
    unsigned mem_size;
    /* MOV_STORE_IMM: the immediate as stored, mem_size bytes of it (C7 with REX.W: imm32
     * sign-extended to 64 bits). Else 0. */
    uint64_t imm;
    /* The operand is memory, described by mem: the ModRM memory forms, and the implicit
     * operands of OUTS (DS or override:rSI), INS (ES:rDI, no override) and MONITOR (DS or
     * override:rAX). */
    bool has_mem;
    struct insn_mem mem;
    bool rep;           /* an F3 or F2 prefix was present (INS/OUTS repeat with either) */
    /* IN/OUT/INS/OUTS: the port is imm8 (port_imm, port) or DX; io_size 1 for the byte
     * forms, else 2 or 4 (66; REX.W does not make it 8). */
    bool port_imm;
    uint8_t port;
    unsigned io_size;
};

/* The decoding mode of a CPU state (SDM vol. 3 2.2, 5.2.1): real and virtual-8086 mode (CR0.PE
 * clear, RFLAGS.VM set) are 16-bit; 64-bit mode is IA-32e (EFER.LMA) with CS.L; else CS.D
 * decides. Pure. */
enum insn_mode insn_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, bool cs_l, bool cs_d);
/* Bytes of an instruction at linear address `lin` that lie in its page: at most 15. A fetch
 * whose next page is not mapped decodes these. */
size_t insn_bytes_in_page(uint64_t lin);

/* Decodes the instruction at bytes[0..n) in `mode`. 0 on success; -1 when the bytes are not
 * one of the instructions in enum insn_op, carry a LOCK prefix (#UD for all but MOV CR), are
 * truncated (n too short) or would exceed 15 bytes; *out then holds op INSN_UNKNOWN, len 0.
 * Never reads past n. Legacy prefixes may repeat in any order; of several segment overrides,
 * and of F2/F3 for PAUSE, the last counts. A REX prefix counts only in 64-bit mode right
 * before the opcode (of two, the last). 66/F2/F3 that an opcode gives no meaning are
 * accepted: the caller decodes after an intercept, so the CPU did run the instruction; it
 * checks op against that intercept, since the guest may have rewritten the bytes since. */
int insn_decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out)
    __attribute__((warn_unused_result));

/* The linear address of a memory operand: registers by GPR number, rip_next the address of
 * the next instruction (for RIP-relative), seg_base[INSN_SEGS] the segment bases. The
 * effective address wraps at addr_size; outside long mode the linear address wraps at 4 GiB;
 * in long mode the ES/CS/SS/DS bases are ignored (the CPU treats them as 0). Pure. */
uint64_t insn_mem_linear(const struct insn_mem *m, const uint64_t gpr[16], uint64_t rip_next,
                         const uint64_t seg_base[INSN_SEGS]);

#endif
