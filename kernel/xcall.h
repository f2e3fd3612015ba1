/* Cross-CPU calls and ping-pong IPIs on the hypervisor's IPI vectors (kernel/vectors.h). */
#ifndef EXITLESS_KERNEL_XCALL_H
#define EXITLESS_KERNEL_XCALL_H

#include <stdbool.h>
#include <stdint.h>

#define XCALL_TIMEOUT_US 1000000

/* Boot CPU: registers the IPI handlers (cross-call, ping, pong). */
void xcall_setup(void);
/* Runs fn(arg) on CPU `cpu` and waits until it returned. On the target, fn runs in interrupt
 * context with the IPI already acknowledged and interrupts enabled (so it may itself wait for
 * IPIs), or, on a CPU that runs a guest owning the fixed vectors, in that CPU's vCPU loop
 * after the NMI made it leave guest mode (the NMI is sent again while the call waits). Returns 0, -1 when the CPU is not online, -2 on timeout (reported). Calling it for
 * the current CPU runs fn directly. */
int xcall_run(uint32_t cpu, void (*fn)(void *arg), void *arg);
/* The calling CPU from now on runs a guest that owns every fixed vector (on) or no longer
 * does (off): cross-calls to it are then posted and signalled by NMI, which always leaves
 * guest mode, and its loops run them through xcall_serve_posted. */
void xcall_set_nmi_delivery(bool on);
/* A cross-call is posted for this CPU; xcall_serve_posted runs it (interrupts enabled while
 * fn runs, restored after): true when it ran one. */
bool xcall_posted(void);
bool xcall_serve_posted(void);
/* Pings CPU `cpu` with VEC_IPI_PING and waits for its VEC_IPI_PONG: 0, -1 offline, -2 timeout. */
int ipi_ping(uint32_t cpu, uint64_t timeout_us);

#endif
