/* HC_TEST_HV_FRAMES, in the test build only (build/exitless-test.elf): hands a guest the
 * host-physical addresses of frames that are not its own, so that a test guest can aim its
 * assigned VF's DMA at them (VT-d must block every access), and checks afterwards that they
 * are unchanged. The frames: the first page of the hypervisor's text, a canary page filled
 * with a pattern, and the host frame right past the caller's RAM (another guest's or the
 * hypervisor's). Production builds leave the hook NULL: the hypercall is HC_ENOSYS there. */
#ifndef EXITLESS_SELFTEST_HVFRAMES_H
#define EXITLESS_SELFTEST_HVFRAMES_H

#include <stdint.h>

/* ctx: the calling vCPU. op 0 records and writes the addresses (u64 each, at most n) at gpa;
 * op 1 returns the frames recorded << 16 | those whose bytes are unchanged. -HC_E* on a bad argument. Weak:
 * NULL in production builds. */
int64_t hv_frames_test(void *ctx, uint64_t op, uint64_t gpa, uint64_t n) __attribute__((weak));

#endif
