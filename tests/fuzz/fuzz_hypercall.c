/* libFuzzer harness: hypercall decoding and argument checks (vmm/hypercall_args.c, with
 * notify_check of vmm/intr/notify_slot.c) against a fake guest: 12 KiB of RAM from gpa 0, a
 * read-only page after it, nothing else. The input prepares guest memory and makes calls
 * with any number, privilege, mode and arguments. Each call must:
 *  - touch guest memory only within the ranges its ABI gives it (console [a, a+b), strings
 *    within their maximum, the port batch [a, a+8b), the notify request at an aligned a),
 *    with the arguments cut to 32 bits outside long mode;
 *  - answer what a model of the ABI written here predicts (the success value or the right
 *    error, in the right order of checks), and nothing at all from user mode;
 *  - hand the services only checked values: console bytes equal to guest memory, printable
 *    NUL-terminated strings, port accesses of size 1/2/4 and only when the whole batch is
 *    valid, owned vectors, notification requests that pass the request rules.
 * Input: steps, each a kind byte then its fields (POKE: gpa16, len8, bytes; CALL: flags,
 * a selector byte, nr8, then three 64-bit arguments, each reduced near guest RAM when the
 * selector's bit says so). */
#include <stdbool.h>

#include "fuzz_input.h"
#include "kernel/vectors.h"
#include "vmm/hypercall_args.h"

#define RAM_END    0x3000u          /* read-write guest RAM [0, RAM_END) */
#define ROM_END    0x4000u          /* then a read-only page */
#define MAX_ACCESS 160
#define MAX_STEPS  64

struct range { uint64_t gpa, len; bool write; };

static struct {
    uint8_t mem[ROM_END];
    struct range acc[MAX_ACCESS];   /* this call's guest-memory accesses */
    unsigned nacc;
    bool overflowed;
    /* What the services got. */
    uint8_t console[HC_CONSOLE_MAX];
    uint32_t console_len;
    unsigned results, ports, stats, injects, notifies;
    uint8_t inject_vec;
    struct notify_req notify_req;
    uint64_t notify_gpa;
    bool ports_after_write;
    bool written;
} w;

static bool readable(uint64_t gpa, uint64_t len) { return !len || (gpa < ROM_END && len <= ROM_END - gpa); }
static bool writable(uint64_t gpa, uint64_t len) { return !len || (gpa < RAM_END && len <= RAM_END - gpa); }

static void record(uint64_t gpa, uint64_t len, bool write)
{
    if (w.nacc < MAX_ACCESS)
        w.acc[w.nacc++] = (struct range){ gpa, len, write };
    else
        w.overflowed = true;
}

static int fake_read(void *ctx, uint64_t gpa, void *buf, uint64_t len)
{
    (void)ctx;
    record(gpa, len, false);
    if (!readable(gpa, len))
        return -1;
    if (len)
        memcpy(buf, w.mem + gpa, len);
    return 0;
}

static int fake_write(void *ctx, uint64_t gpa, const void *buf, uint64_t len)
{
    (void)ctx;
    record(gpa, len, true);
    w.written = true;
    if (!writable(gpa, len))
        return -1;
    if (len)
        memcpy(w.mem + gpa, buf, len);
    return 0;
}

static void fake_console(void *ctx, const char *buf, uint32_t len)
{
    (void)ctx;
    FUZZ_ASSERT(len <= HC_CONSOLE_MAX - w.console_len, "console gets %u bytes after %u", len,
                w.console_len);
    memcpy(w.console + w.console_len, buf, len);
    w.console_len += len;
}

static bool printable_string(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    return true;
}

static const char *result_name, *result_detail;
static char result_name_copy[HC_NAME_MAX], result_detail_copy[HC_DETAIL_MAX];

static void fake_result(void *ctx, const char *name, bool passed, const char *detail)
{
    (void)ctx;
    (void)passed;
    FUZZ_ASSERT(printable_string(name, HC_NAME_MAX), "test name not a printable string");
    FUZZ_ASSERT(printable_string(detail, HC_DETAIL_MAX), "detail not a printable string");
    memcpy(result_name_copy, name, strlen(name) + 1);
    memcpy(result_detail_copy, detail, strlen(detail) + 1);
    result_name = result_name_copy;
    result_detail = result_detail_copy;
    w.results++;
}

static int fake_stats(void *ctx, uint64_t gpa)
{
    (void)ctx;
    w.stats++;
    return writable(gpa, sizeof(struct hc_exit_stats)) ? 0 : -1;
}

static void fake_port(void *ctx, struct hc_port_io *op)
{
    (void)ctx;
    FUZZ_ASSERT((op->size == 1 || op->size == 2 || op->size == 4) && op->write <= 1,
                "port access of size %u, write %u", op->size, op->write);
    FUZZ_ASSERT(!w.written, "port access after the batch was written back");
    if (!op->write)
        op->value = 0x12345678u & (op->size == 4 ? ~0u : (1u << (8 * op->size)) - 1);
    w.ports++;
}

static void fake_inject(void *ctx, uint8_t vector)
{
    (void)ctx;
    w.injects++;
    w.inject_vec = vector;
}

static int64_t fake_notify(void *ctx, uint64_t gpa, const struct notify_req *req)
{
    (void)ctx;
    w.notifies++;
    w.notify_gpa = gpa;
    w.notify_req = *req;
    return 0;
}

/* The vectors a guest owns, from kernel/vectors.h and vmm/intr/vector_policy.h's rule. */
static bool owns(enum intr_mode mode, uint64_t v)
{
    return v <= 0xff && (mode == INTR_EXITLESS ? v >= 0x20 : v >= VEC_GUEST_FIRST && v <= VEC_GUEST_LAST);
}

#define E(x) ((uint64_t)-(int64_t)(x))

/* The ABI's answer for a string argument at gpa of at most max bytes with its NUL. */
static uint64_t model_string(uint64_t gpa, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (!readable(gpa + i, 1))
            return E(HC_EFAULT);
        uint8_t c = w.mem[gpa + i];
        if (!c)
            return 0;
        if (c < 0x20 || c > 0x7e) {
            /* Not printable: reported once the whole string is read. */
            for (size_t k = i + 1; k < max; k++) {
                if (!readable(gpa + k, 1))
                    return E(HC_EFAULT);
                if (!w.mem[gpa + k])
                    return E(HC_EINVAL);
            }
            return E(HC_E2BIG);
        }
    }
    return E(HC_E2BIG);
}

/* The string at gpa as guest memory held it (addresses wrap as the calls' do). */
static void guest_string(const uint8_t *mem, uint64_t gpa, char *out, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        uint64_t at = gpa + i;
        out[i] = at < ROM_END ? (char)mem[at] : 0;
        if (!out[i])
            return;
    }
    out[max - 1] = 0;
}

/* Access r lies in [gpa, gpa + len), offsets taken modulo 2^64 as the calls' own sums. */
static bool inside(const struct range *r, uint64_t gpa, uint64_t len)
{
    return r->len <= len && r->gpa - gpa <= len - r->len;
}

static void check_call(const struct hc_env *env, struct hc_call c, struct hc_result res,
                       const uint8_t *before)
{
    if (env->cpl) {
        FUZZ_ASSERT(!res.stop && res.rax == E(HC_EPERM) && !w.nacc && !w.console_len &&
                        !w.results && !w.ports && !w.stats && !w.injects && !w.notifies,
                    "user-mode call had an effect");
        return;
    }
    if (!env->long_mode) {
        c.nr = (uint32_t)c.nr;
        c.a = (uint32_t)c.a;
        c.b = (uint32_t)c.b;
        c.c = (uint32_t)c.c;
    }
    FUZZ_ASSERT(!w.overflowed, "more than %d memory accesses", MAX_ACCESS);
    uint64_t want = 0;
    switch (c.nr) {
    case HC_CONSOLE_WRITE:
        want = c.b > HC_CONSOLE_MAX ? E(HC_E2BIG) : readable(c.a, c.b) ? c.b : E(HC_EFAULT);
        for (unsigned i = 0; i < w.nacc; i++)
            FUZZ_ASSERT(!w.acc[i].write && inside(&w.acc[i], c.a, c.b), "console access %#lx+%lu",
                        w.acc[i].gpa, w.acc[i].len);
        if (c.b <= HC_CONSOLE_MAX && readable(c.a, c.b))
            FUZZ_ASSERT(w.console_len == c.b && (!c.b || !memcmp(w.console, before + c.a, c.b)),
                        "console got %u bytes, not the guest's %lu", w.console_len, c.b);
        break;
    case HC_TEST_RESULT:
        want = model_string(c.a, HC_NAME_MAX);
        if (!want && c.c)
            want = model_string(c.c, HC_DETAIL_MAX);
        for (unsigned i = 0; i < w.nacc; i++)
            FUZZ_ASSERT(!w.acc[i].write && (inside(&w.acc[i], c.a, HC_NAME_MAX) ||
                                            (c.c && inside(&w.acc[i], c.c, HC_DETAIL_MAX))),
                        "test result access %#lx+%lu", w.acc[i].gpa, w.acc[i].len);
        FUZZ_ASSERT(w.results == (want == 0), "%u results for answer %#lx", w.results, want);
        if (w.results) {
            char name[HC_NAME_MAX], detail[HC_DETAIL_MAX] = "";
            guest_string(before, c.a, name, sizeof(name));
            if (c.c)
                guest_string(before, c.c, detail, sizeof(detail));
            FUZZ_ASSERT(!strcmp(result_name, name) && !strcmp(result_detail, detail),
                        "result strings differ from guest memory");
        }
        break;
    case HC_GET_EXIT_STATS:
        want = c.b < sizeof(struct hc_exit_stats) ? E(HC_EINVAL)
               : writable(c.a, sizeof(struct hc_exit_stats)) ? 0 : E(HC_EFAULT);
        FUZZ_ASSERT(w.stats == (c.b >= sizeof(struct hc_exit_stats)) && !w.nacc, "stats calls");
        break;
    case HC_PORT_IO_BATCH: {
        uint64_t bytes = c.b * sizeof(struct hc_port_io);
        bool valid = c.b <= HC_PORT_IO_MAX && readable(c.a, bytes);
        for (uint64_t i = 0; valid && i < c.b; i++) {
            struct hc_port_io op;
            memcpy(&op, before + c.a + 8 * i, sizeof(op));
            if ((op.size != 1 && op.size != 2 && op.size != 4) || op.write > 1)
                valid = false;
        }
        want = c.b > HC_PORT_IO_MAX ? E(HC_E2BIG) : !readable(c.a, bytes) ? E(HC_EFAULT)
               : !valid ? E(HC_EINVAL) : writable(c.a, bytes) ? c.b : E(HC_EFAULT);
        FUZZ_ASSERT(w.ports == (valid ? c.b : 0), "%u port accesses of %lu", w.ports, c.b);
        for (unsigned i = 0; i < w.nacc; i++)
            FUZZ_ASSERT(w.acc[i].gpa == c.a && w.acc[i].len == bytes, "batch access %#lx+%lu",
                        w.acc[i].gpa, w.acc[i].len);
        break;
    }
    case HC_STOP:
        FUZZ_ASSERT(res.stop && res.status == (int)c.a && !w.nacc, "stop");
        return;
    case HC_PING:
        FUZZ_ASSERT(!w.nacc, "ping touched memory");
        break;
    case HC_INJECT_SELF:
        want = owns(env->mode, c.a) ? 0 : E(HC_EINVAL);
        FUZZ_ASSERT(w.injects == !want && (!w.injects || w.inject_vec == c.a) && !w.nacc,
                    "inject of %#lx", c.a);
        break;
    case HC_NOTIFY: {
        struct hc_notify_req q;
        bool got = !(c.a % 8) && readable(c.a, sizeof(q));
        if (got)
            memcpy(&q, before + c.a, sizeof(q));
        bool ok = got && ((q.op == HC_NOTIFY_IPIS && owns(env->mode, q.vector) && q.count &&
                           q.count <= NOTIFY_MAX_IPIS) || q.op == HC_NOTIFY_HV_IPI);
        want = !got ? E(HC_EFAULT) : ok ? 0 : E(HC_EINVAL);
        FUZZ_ASSERT(w.notifies == ok, "notify posted %u times for a %s request", w.notifies,
                    ok ? "good" : "bad");
        if (ok)
            FUZZ_ASSERT(w.notify_gpa == c.a && w.notify_req.op == q.op &&
                            (q.op == HC_NOTIFY_IPIS ? w.notify_req.vector == q.vector &&
                                                          w.notify_req.count == q.count
                                                    : !w.notify_req.vector && !w.notify_req.count),
                        "notify posted other values than the guest's");
        for (unsigned i = 0; i < w.nacc; i++)
            FUZZ_ASSERT(!w.acc[i].write && inside(&w.acc[i], c.a, sizeof(q)), "notify access");
        break;
    }
    default:
        want = E(HC_ENOSYS);
        FUZZ_ASSERT(!w.nacc, "unknown call touched memory");
        break;
    }
    FUZZ_ASSERT(!res.stop && res.rax == want, "call %lu (%#lx, %#lx, %#lx) returned %#lx, want %#lx",
                c.nr, c.a, c.b, c.c, res.rax, want);
}

static uint64_t arg(struct fuzz_in *in, bool near)
{
    uint64_t v = fuzz_u64(in);
    /* Near guest RAM: an address or length the fuzzer reaches without guessing 64 bits. */
    return near ? v % (ROM_END + 0x100) : v;
}

static void call(struct fuzz_in *in)
{
    uint8_t flags = fuzz_u8(in), sel = fuzz_u8(in);
    struct hc_env env = {
        .ctx = NULL, .cpl = (flags & 1) ? 3 : 0, .long_mode = !(flags & 2),
        .mode = (flags & 4) ? INTR_INJECTED : INTR_EXITLESS,
        .read = fake_read, .write = fake_write, .console = fake_console, .test_result = fake_result,
        .exit_stats = fake_stats, .port = fake_port, .inject = fake_inject, .notify = fake_notify,
    };
    struct hc_call c;
    c.nr = (sel & 8) ? fuzz_u64(in) : (uint64_t)(fuzz_u8(in) % (HC_NR_MAX + 1));
    if (flags & 8)
        c.nr |= 0xabcd000000000000ull;  /* high bits that count only in long mode */
    c.a = arg(in, sel & 1);
    c.b = arg(in, sel & 2);
    c.c = arg(in, sel & 4);
    static uint8_t before[ROM_END];
    memcpy(before, w.mem, sizeof(before));
    w.nacc = 0;
    w.overflowed = w.written = false;
    w.console_len = 0;
    w.results = w.ports = w.stats = w.injects = w.notifies = 0;
    struct hc_result res = hc_dispatch(&env, c);
    check_call(&env, c, res, before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = fuzz_in(data, size);
    memset(w.mem, 0, sizeof(w.mem));
    for (unsigned n = 0; n < MAX_STEPS && fuzz_left(&in); n++) {
        if (fuzz_u8(&in) & 1) {
            uint16_t gpa = fuzz_u16(&in) % ROM_END;
            uint8_t len = fuzz_u8(&in);
            if (len > ROM_END - gpa)
                len = (uint8_t)(ROM_END - gpa);
            fuzz_bytes(&in, w.mem + gpa, len);
        } else {
            call(&in);
        }
    }
    return 0;
}
