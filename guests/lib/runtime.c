/* Test-guest runtime: formatting, console, checks, stop. */
#include "guest.h"

static void put(char *buf, size_t len, size_t *n, char c)
{
    if (*n + 1 < len)
        buf[*n] = c;
    (*n)++;
}

static void put_num(char *buf, size_t len, size_t *n, unsigned long v, unsigned base, bool neg)
{
    char tmp[24];
    int i = 0;
    if (neg)
        put(buf, len, n, '-');
    do {
        tmp[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (i)
        put(buf, len, n, tmp[--i]);
}

int gvsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
    size_t n = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(buf, len, &n, *fmt);
            continue;
        }
        bool lng = false;
        if (*++fmt == 'l') {
            lng = true;
            fmt++;
        }
        switch (*fmt) {
        case 's': for (const char *s = va_arg(ap, const char *); s && *s; s++) put(buf, len, &n, *s); break;
        case 'c': put(buf, len, &n, (char)va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(buf, len, &n, v < 0 ? (unsigned long)-v : (unsigned long)v, 10, v < 0);
            break;
        }
        case 'u': put_num(buf, len, &n, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false); break;
        case 'x': put_num(buf, len, &n, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, false); break;
        case 'p': put(buf, len, &n, '0'); put(buf, len, &n, 'x');
                  put_num(buf, len, &n, (unsigned long)va_arg(ap, void *), 16, false); break;
        case '%': put(buf, len, &n, '%'); break;
        default: put(buf, len, &n, '?'); break;
        }
    }
    if (len)
        buf[n < len ? n : len - 1] = 0;
    return (int)n;
}

int gsnprintf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = gvsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

void gprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = gvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    hypercall(HC_CONSOLE_WRITE, (unsigned long)buf, (unsigned long)(n < 255 ? n : 255), 0);
}

void uart_puts(const char *s)
{
    for (; *s; s++) {
        while (!(inb(0x3f8 + 5) & 0x20))
            ;
        outb(0x3f8, (uint8_t)*s);
    }
}

bool check(const char *name, bool ok, const char *fmt, ...)
{
    char detail[160] = "";
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        gvsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    hypercall(HC_TEST_RESULT, (unsigned long)name, ok, ok ? 0 : (unsigned long)detail);
    return ok;
}

void guest_stop(int status)
{
    hypercall(HC_STOP, (unsigned long)status, 0, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}

bool guest_has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        const char *a = s, *b = w;
        while (*b && *a == *b)
            a++, b++;
        if (!*b)
            return true;
    }
    return false;
}

uint64_t guest_word_number(const char *s, const char *w, uint64_t dflt)
{
    for (; *s; s++) {
        const char *a = s, *b = w;
        while (*b && *a == *b)
            a++, b++;
        if (*b)
            continue;
        uint64_t n = 0;
        unsigned base = 10;
        if (a[0] == '0' && a[1] == 'x')
            a += 2, base = 16;
        for (;; a++) {
            unsigned d = *a >= '0' && *a <= '9' ? (unsigned)(*a - '0')
                       : base == 16 && *a >= 'a' && *a <= 'f' ? (unsigned)(*a - 'a' + 10) : 99;
            if (d >= base)
                return n;
            n = n * base + d;
        }
    }
    return dflt;
}

bool guest_wait_count(volatile uint64_t *count, uint64_t want, uint64_t max_spins)
{
    for (uint64_t spins = 0; *count < want; spins++) {
        if (spins > max_spins)
            return false;
        __asm__ volatile("sti; pause");
    }
    return true;
}

void guest_wait_quiet(const volatile uint64_t *count)
{
    uint64_t khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    for (unsigned n = 0; khz && n < 50; n++) {
        uint64_t seen = atomic_load(count), t0 = rdtsc();
        while (rdtsc() - t0 < khz)
            __asm__ volatile("pause");
        if (atomic_load(count) == seen)
            return;
    }
}

void guest_exit_stats(struct hc_exit_stats *s)
{
    hypercall(HC_GET_EXIT_STATS, (unsigned long)s, sizeof(*s), 0);
}

void guest_print_exit_kinds(const char *what, const struct hc_exit_stats *a,
                            const struct hc_exit_stats *b)
{
    gprintf("%s: exits by kind:", what);
    for (unsigned k = 0; k < HC_EXIT_KINDS; k++)
        if (b->exits[k] != a->exits[k])
            gprintf(" %u:%lu", k, b->exits[k] - a->exits[k]);
    gprintf(" (hypervisor requests served %lu)\n", b->hv_interrupts - a->hv_interrupts);
}

bool guest_flag_wait(const volatile uint64_t *f, uint64_t max_spins)
{
    for (uint64_t spins = 0; !atomic_load(f); spins++) {
        if (spins > max_spins)
            return false;
        __asm__ volatile("pause");
    }
    return true;
}

bool guest_barrier_wait(struct guest_barrier *b, unsigned n, uint64_t max_spins)
{
    uint64_t gen = atomic_load(&b->generation);
    if (atomic_inc(&b->arrived) == n) {
        atomic_store(&b->arrived, 0);
        atomic_inc(&b->generation);
        return true;
    }
    for (uint64_t spins = 0; atomic_load(&b->generation) == gen; spins++) {
        if (spins > max_spins)
            return false;
        __asm__ volatile("pause");
    }
    return true;
}
