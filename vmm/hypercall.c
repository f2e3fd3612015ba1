/* VMCALL: the hypercall ABI of include/exitless/hypercall.h. Every pointer goes through
 * guest_read/guest_write, which only reach the calling guest's memory. */
#include <stdio.h>
#include <string.h>

#include "exitless/hypercall.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/tsc.h"
#include "vmm/exit.h"
#include "kernel/vectors.h"
#include "vmm/io.h"
#include "vmm/intr/notify.h"
#include "vmm/intr/vector_policy.h"
#include "vmm/intr/virq.h"
#include "vmm/stats.h"
#include "vmm/vcpu.h"

#define ERR(e) ((uint64_t)-(int64_t)(e))

static bool printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

/* Copies a NUL-terminated string of at most max-1 characters from the guest. */
static int read_string(struct guest *g, uint64_t gpa, char *buf, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (guest_read(g, gpa + i, &buf[i], 1))
            return -HC_EFAULT;
        if (!buf[i])
            return printable(buf) ? 0 : -HC_EINVAL;
    }
    return -HC_E2BIG;
}

static uint64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
    char buf[256];
    if (len > HC_CONSOLE_MAX)
        return ERR(HC_E2BIG);
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        if (guest_read(v->guest, gpa + done, buf, n))
            return ERR(HC_EFAULT);
        vuart_puts(&v->guest->uart, buf, (uint32_t)n);
        done += n;
    }
    return len;
}

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

static uint64_t hc_test_result(struct vcpu *v, uint64_t name_gpa, uint64_t passed,
                               uint64_t detail_gpa)
{
    char name[HC_NAME_MAX], detail[160] = "", line[320];
    int rc = read_string(v->guest, name_gpa, name, sizeof(name));
    if (rc)
        return ERR(-rc);
    if (detail_gpa && (rc = read_string(v->guest, detail_gpa, detail, sizeof(detail))))
        return ERR(-rc);
    wait_console_debt(v->guest);
    int n = passed ? snprintf(line, sizeof(line), "PASS: %s/%s\n", v->guest->name, name)
                   : snprintf(line, sizeof(line), "FAIL: %s/%s: %s\n", v->guest->name, name,
                              detail[0] ? detail : "no detail");
    vuart_print_forced(&v->guest->uart, line, (uint32_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1));
    __atomic_fetch_add(passed ? &v->guest->checks_passed : &v->guest->checks_failed, 1,
                       __ATOMIC_RELAXED);
    return 0;
}

static uint64_t hc_get_exit_stats(struct vcpu *v, uint64_t gpa, uint64_t size)
{
    struct hc_exit_stats out; /* on this core's stack: guests call this in parallel */
    struct guest *g = v->guest;
    if (size < sizeof(out))
        return ERR(HC_EINVAL);
    uint64_t flags = spin_lock_irqsave(&g->lock);
    guest_exit_stats(g, &out);
    int rc = guest_write(g, gpa, &out, sizeof(out));
    spin_unlock_irqrestore(&g->lock, flags);
    return rc ? ERR(HC_EFAULT) : 0;
}

static uint64_t hc_port_io_batch(struct vcpu *v, uint64_t gpa, uint64_t count)
{
    struct hc_port_io ops[HC_PORT_IO_MAX];
    if (count > HC_PORT_IO_MAX)
        return ERR(HC_E2BIG);
    if (guest_read(v->guest, gpa, ops, count * sizeof(ops[0])))
        return ERR(HC_EFAULT);
    for (uint64_t i = 0; i < count; i++)
        if ((ops[i].size != 1 && ops[i].size != 2 && ops[i].size != 4) || ops[i].write > 1)
            return ERR(HC_EINVAL);
    for (uint64_t i = 0; i < count; i++)
        port_access(v->guest, ops[i].port, ops[i].size, ops[i].write, &ops[i].value);
    if (guest_write(v->guest, gpa, ops, count * sizeof(ops[0])))
        return ERR(HC_EFAULT);
    return count;
}

enum exit_action handle_vmcall(struct vcpu *v)
{
    struct guest_regs *r = &v->regs;
    uint64_t ret;
    /* Hypercalls are the guest kernel's: user mode gets EPERM (SS.DPL is the CPL). */
    if (vcpu_guest_cpl(v)) {
        r->rax = ERR(HC_EPERM);
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    }
    uint64_t nr = r->rax, a = r->rdi, b = r->rsi, c = r->rdx;
    /* Outside long mode only the low 32 bits of each register are defined. */
    if (!(vcpu_get(v, VREG_EFER) & (1ull << 10))) {
        nr = (uint32_t)nr;
        a = (uint32_t)a;
        b = (uint32_t)b;
        c = (uint32_t)c;
    }
    switch (nr) {
    case HC_CONSOLE_WRITE: ret = hc_console_write(v, a, b); break;
    case HC_TEST_RESULT: ret = hc_test_result(v, a, b, c); break;
    case HC_GET_EXIT_STATS: ret = hc_get_exit_stats(v, a, b); break;
    case HC_PORT_IO_BATCH: ret = hc_port_io_batch(v, a, b); break;
    case HC_STOP:
        vcpu_skip_instruction(v);
        guest_finish(v->guest, (int)a, "stopped itself (hypercall)");
        return EXIT_STOP;
    case HC_PING: ret = 0; break;
    case HC_INJECT_SELF:
        if (a > 0xff || !guest_owns_vector(v->guest, (uint8_t)a)) {
            ret = ERR(HC_EINVAL);
        } else {
            virq_raise(v, (uint8_t)a);
            ret = 0;
        }
        break;
    case HC_NOTIFY: ret = (uint64_t)notify_post(v, a); break;
    default: ret = ERR(HC_ENOSYS); break;
    }
    r->rax = ret;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
