/* Hypercall decoding and argument checks (vmm/hypercall_args.h): the ABI of
 * include/exitless/hypercall.h, with the guest and the hypervisor only through the env. */
#include <stddef.h>

#include "vmm/hypercall_args.h"
#include "vmm/intr/vector_policy.h"

#define ERR(e) ((uint64_t)-(int64_t)(e))
#define CHUNK 256u

static bool printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

/* Copies a NUL-terminated string of at most max-1 characters from the guest. */
static int read_string(const struct hc_env *env, uint64_t gpa, char *buf, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (env->read(env->ctx, gpa + i, &buf[i], 1))
            return -HC_EFAULT;
        if (!buf[i])
            return printable(buf) ? 0 : -HC_EINVAL;
    }
    return -HC_E2BIG;
}

static uint64_t console_write(const struct hc_env *env, uint64_t gpa, uint64_t len)
{
    char buf[CHUNK];
    if (len > HC_CONSOLE_MAX)
        return ERR(HC_E2BIG);
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        if (env->read(env->ctx, gpa + done, buf, n))
            return ERR(HC_EFAULT);
        env->console(env->ctx, buf, (uint32_t)n);
        done += n;
    }
    return len;
}

static uint64_t test_result(const struct hc_env *env, uint64_t name_gpa, uint64_t passed,
                            uint64_t detail_gpa)
{
    char name[HC_NAME_MAX], detail[HC_DETAIL_MAX] = "";
    int rc = read_string(env, name_gpa, name, sizeof(name));
    if (rc)
        return ERR(-rc);
    if (detail_gpa && (rc = read_string(env, detail_gpa, detail, sizeof(detail))))
        return ERR(-rc);
    env->test_result(env->ctx, name, passed != 0, detail);
    return 0;
}

static uint64_t port_io_batch(const struct hc_env *env, uint64_t gpa, uint64_t count)
{
    struct hc_port_io ops[HC_PORT_IO_MAX];
    if (count > HC_PORT_IO_MAX)
        return ERR(HC_E2BIG);
    if (env->read(env->ctx, gpa, ops, count * sizeof(ops[0])))
        return ERR(HC_EFAULT);
    /* All checked before any runs: a bad entry has no effect at all. */
    for (uint64_t i = 0; i < count; i++)
        if ((ops[i].size != 1 && ops[i].size != 2 && ops[i].size != 4) || ops[i].write > 1)
            return ERR(HC_EINVAL);
    for (uint64_t i = 0; i < count; i++)
        env->port(env->ctx, &ops[i]);
    if (env->write(env->ctx, gpa, ops, count * sizeof(ops[0])))
        return ERR(HC_EFAULT);
    return count;
}

/* HC_NOTIFY: the request copied once and checked; only the checked copy is posted. */
static uint64_t notify(const struct hc_env *env, uint64_t gpa)
{
    struct hc_notify_req copy;
    struct notify_req req;
    if (gpa % 8 || env->read(env->ctx, gpa, &copy, sizeof(copy)))
        return ERR(HC_EFAULT);
    if (notify_check(&copy, env->mode, &req))
        return ERR(HC_EINVAL);
    return (uint64_t)env->notify(env->ctx, gpa, &req);
}

struct hc_result hc_dispatch(const struct hc_env *env, struct hc_call call)
{
    struct hc_result r = { 0 };
    /* Hypercalls are the guest kernel's: user mode gets EPERM (SS.DPL is the CPL). */
    if (env->cpl) {
        r.rax = ERR(HC_EPERM);
        return r;
    }
    /* Outside long mode only the low 32 bits of each register are defined. */
    if (!env->long_mode) {
        call.nr = (uint32_t)call.nr;
        call.a = (uint32_t)call.a;
        call.b = (uint32_t)call.b;
        call.c = (uint32_t)call.c;
    }
    switch (call.nr) {
    case HC_CONSOLE_WRITE: r.rax = console_write(env, call.a, call.b); break;
    case HC_TEST_RESULT: r.rax = test_result(env, call.a, call.b, call.c); break;
    case HC_GET_EXIT_STATS:
        if (call.b < sizeof(struct hc_exit_stats))
            r.rax = ERR(HC_EINVAL);
        else
            r.rax = env->exit_stats(env->ctx, call.a) ? ERR(HC_EFAULT) : 0;
        break;
    case HC_PORT_IO_BATCH: r.rax = port_io_batch(env, call.a, call.b); break;
    case HC_STOP:
        r.stop = true;
        r.status = (int)call.a;
        break;
    case HC_PING: r.rax = 0; break;
    case HC_INJECT_SELF:
        if (call.a > 0xff || !intr_mode_owns_vector(env->mode, (uint8_t)call.a)) {
            r.rax = ERR(HC_EINVAL);
        } else {
            env->inject(env->ctx, (uint8_t)call.a);
            r.rax = 0;
        }
        break;
    case HC_NOTIFY: r.rax = notify(env, call.a); break;
    case HC_TEST_HV_FRAMES:
        r.rax = env->test_frames ? (uint64_t)env->test_frames(env->ctx, call.a, call.b, call.c)
                                 : ERR(HC_ENOSYS);
        break;
    default: r.rax = ERR(HC_ENOSYS); break;
    }
    return r;
}
