/* Reads where a guest has neither RAM nor a device: answered with all ones, as a PC's bus
 * answers a read nobody claims, so that an OS probing ROM areas, legacy devices or blocks an
 * ACPI table names finds nothing there and goes on. Writes and instruction fetches there stay
 * faults (vmm/exit.c, per on_fault). */
#ifndef EXITLESS_VMM_UNBACKED_H
#define EXITLESS_VMM_UNBACKED_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/insn/decode.h"

#define UNBACKED_PAGES_LOGGED 16    /* pages named in the log; reads on others only counted */

/* Per guest (its lock: guest->unbacked_lock). */
struct unbacked_log {
    uint64_t reads;             /* reads answered with all ones */
    uint32_t npages;
    uint64_t page[UNBACKED_PAGES_LOGGED];  /* 4 KiB pages logged, in order of first read */
    uint64_t unlogged_reads;    /* reads on pages the table had no room for */
};

/* Counts a read at `gpa`. True when it is the first on its 4 KiB page and the table took
 * it: the caller logs it. Pure. */
bool unbacked_note(struct unbacked_log *l, uint64_t gpa);

/* Sets the bytes [0, size) of an access that reads `size` bytes from memory into the value
 * the load instruction `op` (enum insn_op: MOV, MOVZX, MOVSX) leaves in a register of
 * `dest_size` bytes, merged into `old` as x86 merges 8- and 16-bit results and zero-extends
 * 32-bit ones (SDM vol. 1, 3.4.1.1). `high8`: the destination is AH/CH/DH/BH. Pure. */
uint64_t unbacked_load_result(enum insn_op op, uint64_t mem, unsigned mem_size, unsigned dest_size,
                              bool high8, uint64_t old);

struct vcpu;
struct guest;
enum unbacked_outcome {
    UNBACKED_NO,            /* not a read of an unbacked address: the caller decides */
    UNBACKED_EMULATED,      /* answered; the guest resumes past the instruction */
    UNBACKED_STOPPED,       /* a read of nothing that cannot be emulated: guest stopped */
};
/* The guest-physical access fault of v's exit (v->exit.gpa). */
enum unbacked_outcome unbacked_read(struct vcpu *v);
/* The stop report's line. */
void unbacked_report(struct guest *g);

#endif
