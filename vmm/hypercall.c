/* VMCALL: the glue between a vCPU and the hypercall ABI of include/exitless/hypercall.h,
 * whose decoding and argument checks are vmm/hypercall_args.c. Every pointer goes through
 * guest_read/guest_write, which only reach the calling guest's memory. */
#include <stdio.h>
#include <string.h>

#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/tsc.h"
#include "vmm/exit.h"
#include "selftest/hvframes.h"
#include "vmm/hypercall_args.h"
#include "vmm/io.h"
#include "vmm/intr/notify.h"
#include "vmm/intr/virq.h"
#include "vmm/stats.h"
#include "vmm/vcpu.h"

/* A test result line is never dropped, but it is charged to the guest's console budget
 * (vmm/console_budget.h). While that budget is in debt, the guest's own core pays: it waits
 * here, interrupts enabled, until the debt is repaid, the guest stops, or at most
 * CONSOLE_FORCED_WAIT_US have passed. Other guests' consoles are not touched. */
#define CONSOLE_FORCED_WAIT_US 1000000u

static void wait_console_debt(struct guest *g)
{
    uint64_t end = rdtsc() + tsc_us_to_cycles(CONSOLE_FORCED_WAIT_US);
    uint64_t flags = read_rflags();
    irq_enable();
    for (;;) {
        uint64_t now = rdtsc(), debt = vuart_debt_cycles(&g->uart);
        if (!debt || now >= end || g->state != GUEST_RUNNING)
            break;
        uint64_t until = end - now > debt ? now + debt : end;
        while (rdtsc() < until && g->state == GUEST_RUNNING)
            cpu_relax();
    }
    if (!(flags & RFLAGS_IF))
        irq_disable();
}

static void test_line(void *ctx, const char *name, bool passed, const char *detail)
{
    struct vcpu *v = ctx;
    char line[320];
    wait_console_debt(v->guest);
    int n = passed ? snprintf(line, sizeof(line), "PASS: %s/%s\n", v->guest->name, name)
                   : snprintf(line, sizeof(line), "FAIL: %s/%s: %s\n", v->guest->name, name,
                              detail[0] ? detail : "no detail");
    vuart_print_forced(&v->guest->uart, line, (uint32_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
    __atomic_fetch_add(passed ? &v->guest->checks_passed : &v->guest->checks_failed, 1,
                       __ATOMIC_RELAXED);
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, uint64_t len)
{
    struct vcpu *v = ctx;
    return guest_read(v->guest, gpa, buf, len);
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, uint64_t len)
{
    struct vcpu *v = ctx;
    return guest_write(v->guest, gpa, buf, len);
}

static void console(void *ctx, const char *buf, uint32_t len)
{
    struct vcpu *v = ctx;
    vuart_puts(&v->guest->uart, buf, len);
}

static int exit_stats(void *ctx, uint64_t gpa)
{
    struct vcpu *v = ctx;
    struct hc_exit_stats out; /* on this core's stack: guests call this in parallel */
    struct guest *g = v->guest;
    uint64_t flags = spin_lock_irqsave(&g->lock);
    guest_exit_stats(g, &out);
    int rc = guest_write(g, gpa, &out, sizeof(out));
    spin_unlock_irqrestore(&g->lock, flags);
    return rc;
}

static void port(void *ctx, struct hc_port_io *op)
{
    struct vcpu *v = ctx;
    port_access(v->guest, op->port, op->size, op->write, &op->value);
}

static void inject(void *ctx, uint8_t vector)
{
    virq_raise(ctx, vector);
}

static int64_t notify(void *ctx, uint64_t gpa, const struct notify_req *req)
{
    return notify_post(ctx, gpa, req);
}

enum exit_action handle_vmcall(struct vcpu *v)
{
    struct guest_regs *r = &v->regs;
    const struct hc_env env = {
        .ctx = v,
        .cpl = vcpu_guest_cpl(v),
        .long_mode = vcpu_get(v, VREG_EFER) & (1ull << 10),
        .mode = v->guest->intr_mode,
        .read = mem_read, .write = mem_write, .console = console, .test_result = test_line,
        .exit_stats = exit_stats, .port = port, .inject = inject, .notify = notify,
        .test_frames = hv_frames_test,
    };
    struct hc_result res = hc_dispatch(&env, (struct hc_call){ r->rax, r->rdi, r->rsi, r->rdx });
    vcpu_skip_instruction(v);
    if (res.stop) {
        guest_finish(v->guest, res.status, "stopped itself (hypercall)");
        return EXIT_STOP;
    }
    r->rax = res.rax;
    return EXIT_RESUME;
}
