/* Hypercall decoding and argument checks (include/exitless/hypercall.h), apart from the
 * hypervisor: the calling guest's memory and the services a call ends in are reached through
 * struct hc_env, so the host fuzzer runs every number with any arguments against a fake
 * guest. vmm/hypercall.c is the glue that fills the env from a vCPU. */
#ifndef EXITLESS_VMM_HYPERCALL_ARGS_H
#define EXITLESS_VMM_HYPERCALL_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "exitless/hypercall.h"
#include "vmm/intr/notify_slot.h"
#include "vmm/vendor.h"

#define HC_DETAIL_MAX 160u      /* a test result's detail string, with its NUL */

struct hc_env {
    void *ctx;
    unsigned cpl;               /* the caller's privilege level: only 0 may call */
    bool long_mode;             /* EFER.LMA: else only the low 32 bits of each register count */
    enum intr_mode mode;        /* which vectors the guest owns (vmm/intr/vector_policy.h) */
    /* The guest's memory, only its own: 0, or -1 when any byte of the range is not readable
     * (writable) guest memory. */
    int (*read)(void *ctx, uint64_t gpa, void *buf, uint64_t len);
    int (*write)(void *ctx, uint64_t gpa, const void *buf, uint64_t len);
    /* The services: text for the guest's console; one PASS/FAIL line (strings checked:
     * printable, NUL-terminated; detail "" when none); the exit statistics written at gpa
     * (0, or -1 when they cannot be); one checked port access; a virtual interrupt on a
     * vector the guest owns; a checked notification request posted (0 or -HC_E*). */
    void (*console)(void *ctx, const char *buf, uint32_t len);
    void (*test_result)(void *ctx, const char *name, bool passed, const char *detail);
    int (*exit_stats)(void *ctx, uint64_t gpa);
    void (*port)(void *ctx, struct hc_port_io *op);
    void (*inject)(void *ctx, uint8_t vector);
    int64_t (*notify)(void *ctx, uint64_t gpa, const struct notify_req *req);
    /* HC_TEST_HV_FRAMES (selftest/hvframes.h): NULL outside the test image. */
    int64_t (*test_frames)(void *ctx, uint64_t op, uint64_t gpa, uint64_t n);
};

/* The registers of a call: the number in RAX, arguments in RDI, RSI, RDX. */
struct hc_call {
    uint64_t nr, a, b, c;
};

struct hc_result {
    bool stop;                  /* HC_STOP: the guest ends with `status`; rax is not set */
    int status;
    uint64_t rax;               /* else the result: >= 0, or a negated HC_E* code */
};

/* Decodes and runs one hypercall. Every pointer reaches only env->read/write, within the
 * lengths the ABI gives the call. */
struct hc_result hc_dispatch(const struct hc_env *env, struct hc_call call);

#endif
