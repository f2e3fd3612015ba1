/* Exitless hypercall ABI, shared by the hypervisor, guests and tools.
 *
 * A guest calls VMCALL with the hypercall number in RAX and arguments in RDI, RSI, RDX,
 * RCX (in that order). The result comes back in RAX: >= 0 on success, a negative HC_E*
 * code on failure. Every other register is preserved. Pointers are guest-physical
 * addresses; the hypervisor translates them through the guest's own EPT and refuses any
 * range that is not entirely the guest's memory with the needed permission. */
#ifndef EXITLESS_HYPERCALL_H
#define EXITLESS_HYPERCALL_H

#include <stdint.h>

#define HC_SIGNATURE "ExitlessHV\0\0"   /* CPUID 0x40000000 EBX:ECX:EDX */
#define HC_CPUID_LEAF_BASE 0x40000000u
#define HC_ABI_VERSION 1u               /* CPUID 0x40000001 EAX */

enum hypercall_nr {
    HC_CONSOLE_WRITE = 1,   /* (gpa buf, len): print to the guest's console; returns len */
    HC_TEST_RESULT = 2,     /* (gpa name, passed, gpa detail or 0): one PASS/FAIL line */
    HC_GET_EXIT_STATS = 3,  /* (gpa struct hc_exit_stats*, size): this guest's statistics */
    HC_PORT_IO_BATCH = 4,   /* (gpa struct hc_port_io[], count): run them in one exit */
    HC_STOP = 5,            /* (status): stop this guest; 0 = success, else failure */
    HC_PING = 6,            /* (): does nothing, returns 0: the bare VMCALL round trip */
    HC_NR_MAX,
};

/* Errors (returned negated in RAX). */
#define HC_EINVAL 1     /* bad argument value */
#define HC_EFAULT 2     /* a pointer is outside the guest's memory */
#define HC_ENOSYS 3     /* unknown hypercall */
#define HC_EPERM  4     /* the guest may not do this (e.g. a port it does not own) */
#define HC_E2BIG  5     /* too many entries or bytes */

#define HC_CONSOLE_MAX 4096u
#define HC_NAME_MAX 64u
#define HC_PORT_IO_MAX 64u

/* One port access of a batch. For reads, `value` receives the data. */
struct hc_port_io {
    uint16_t port;
    uint8_t size;           /* 1, 2 or 4 */
    uint8_t write;          /* 1 = OUT, 0 = IN */
    uint32_t value;
};
_Static_assert(sizeof(struct hc_port_io) == 8, "hc_port_io layout is ABI");

#define HC_STATS_REASONS 66u
#define HC_STATS_HOT_RIPS 8u

/* Exit statistics of the calling guest (all its vCPUs). */
struct hc_exit_stats {
    uint64_t total_exits;
    uint64_t exits[HC_STATS_REASONS];       /* by basic exit reason */
    uint64_t cycles[HC_STATS_REASONS];      /* handler cycles (TSC) by reason */
    uint64_t hot_rip[HC_STATS_HOT_RIPS];    /* guest RIPs causing the most exits */
    uint64_t hot_count[HC_STATS_HOT_RIPS];
    uint64_t unclaimed_port_accesses;
};

#endif
