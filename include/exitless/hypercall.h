/* Exitless hypercall ABI, shared by the hypervisor, guests and tools.
 *
 * A guest calls VMCALL with the hypercall number in RAX and arguments in RDI, RSI, RDX,
 * RCX (in that order); on AMD CPUs, where VMCALL raises #UD, the hypervisor takes that #UD
 * as the hypercall, and VMMCALL works too. The result comes back in RAX: >= 0 on success, a negative HC_E*
 * code on failure. Every other register is preserved. Pointers are guest-physical
 * addresses; the hypervisor translates them through the guest's own EPT and refuses any
 * range that is not entirely the guest's memory with the needed permission. */
#ifndef EXITLESS_HYPERCALL_H
#define EXITLESS_HYPERCALL_H

#include <stdint.h>

#define HC_SIGNATURE "ExitlessHV\0\0"   /* CPUID 0x40000000 EBX:ECX:EDX */
#define HC_CPUID_LEAF_BASE 0x40000000u
#define HC_ABI_VERSION 1u               /* CPUID 0x40000001 EAX */
/* CPUID 0x40000001: EBX = guest id, ECX = this vCPU's index, EDX = how many times the guest
 * was restarted (on_fault = "restart"); guest RAM is zeroed at a restart, so this is how a
 * guest tells its first run from a later one. */
/* CPUID 0x40000010: EAX = TSC frequency in kHz as the hypervisor measured it (CPUID 0x15/0x16
 * may be wrong: Bochs claims 3.5 GHz while its TSC runs at the emulated instruction rate). */
#define HC_CPUID_LEAF_TIMING 0x40000010u

enum hypercall_nr {
    HC_CONSOLE_WRITE = 1,   /* (gpa buf, len): print to the guest's console; returns len */
    HC_TEST_RESULT = 2,     /* (gpa name, passed, gpa detail or 0): one PASS/FAIL line */
    HC_GET_EXIT_STATS = 3,  /* (gpa struct hc_exit_stats*, size): this guest's statistics */
    HC_PORT_IO_BATCH = 4,   /* (gpa struct hc_port_io[], count): run them in one exit */
    HC_STOP = 5,            /* (status): stop this guest; 0 = success, else failure */
    HC_PING = 6,            /* (): does nothing, returns 0: the bare VMCALL round trip */
    HC_INJECT_SELF = 7,     /* (vector): a virtual interrupt for the caller (injection path) */
    HC_NOTIFY = 8,          /* (gpa struct hc_notify_req*): ask the management CPU to notify
                             * this guest's core (the sidecore's stand-in); returns at once */
    HC_TEST_HV_FRAMES = 9,  /* test image only (HC_ENOSYS in production): (op, gpa u64[n], n)
                             * op 0: the host-physical addresses of up to n hypervisor-owned
                             * frames written at gpa and their checksums recorded (the count
                             * returned); op 1: recorded << 16 | unchanged since (docs/security.md) */
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

/* HC_NOTIFY requests. The management CPU works on one request per guest at a time and
 * writes `done` (1 = finished, -1 = gave up) into the request when it has finished. It
 * copies op, vector and count once, when the request is posted: rewriting them later has
 * no effect. A request gives up when an IPI is not acknowledged within 50 ms or the whole
 * request is not done 1 s after its post (vmm/notify_slot.h). */
enum hc_notify_op {
    HC_NOTIFY_IPIS = 1,     /* send `count` (1..10000) IPIs on `vector` (a guest vector) to
                             * vCPU 0's core, one at a time: write the TSC to `stamp`, send,
                             * wait until the guest's `counter` reaches the IPI's number */
    HC_NOTIFY_HV_IPI = 2,   /* run a hypervisor cross-call on vCPU 0's core (exits under ELI) */
};

struct hc_notify_req {
    uint32_t op;
    uint32_t vector;
    uint32_t count;
    int32_t done;
    uint64_t stamp;         /* written by the management CPU just before each IPI */
    volatile uint64_t counter; /* advanced by the guest's handler */
};

/* Exit kinds, the same on every CPU vendor (statistics index; the hypervisor's log also
 * names the vendor's own exit reason). */
enum hc_exit_kind {
    HC_EXIT_OTHER = 0, HC_EXIT_EXCEPTION, HC_EXIT_NMI, HC_EXIT_EXTINT, HC_EXIT_INTR_WINDOW,
    HC_EXIT_SHUTDOWN, HC_EXIT_CPUID, HC_EXIT_HLT, HC_EXIT_HYPERCALL, HC_EXIT_IO,
    HC_EXIT_MSR_READ, HC_EXIT_MSR_WRITE, HC_EXIT_CR, HC_EXIT_DESC_TABLE, HC_EXIT_SEG_TABLE,
    HC_EXIT_GPA, HC_EXIT_GPA_MISCONFIG, HC_EXIT_XSETBV, HC_EXIT_CACHE, HC_EXIT_UD, HC_EXIT_GP,
    HC_EXIT_WATCHDOG, HC_EXIT_STEP, HC_EXIT_ENTRY_FAILED,
    HC_EXIT_KINDS
};

#define HC_STATS_REASONS 32u        /* room for HC_EXIT_KINDS */
#define HC_STATS_HOT_RIPS 8u

/* Exit statistics of the calling guest (all its vCPUs). */
struct hc_exit_stats {
    uint64_t total_exits;
    uint64_t exits[HC_STATS_REASONS];       /* by exit kind (enum hc_exit_kind) */
    uint64_t cycles[HC_STATS_REASONS];      /* handler cycles (TSC) by kind */
    uint64_t hot_rip[HC_STATS_HOT_RIPS];    /* guest RIPs causing the most exits */
    uint64_t hot_count[HC_STATS_HOT_RIPS];
    uint64_t unclaimed_port_accesses;
    uint64_t hv_interrupts;         /* hypervisor requests served on its cores (NMI-posted
                                     * cross-calls, interrupts through #NP/#GP) */
    uint64_t denied_apic_writes;    /* IPIs, LVT or self-IPI writes refused */
};

#endif
