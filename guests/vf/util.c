/* vf: time, memory and command-line helpers (the test guests have no libc). */
#include "vf.h"

uint64_t us_to_cycles(uint64_t us)
{
    static uint64_t khz;
    if (!khz)
        khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a;
    return us * (khz ? khz : 1000000) / 1000;
}

void delay_us(uint64_t us)
{
    uint64_t end = deadline_us(us);
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

/* The compiler may emit calls to these for struct copies and zeroing; they must not be
 * turned back into calls to themselves. */
#define NO_LOOP_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

NO_LOOP_CALLS void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *a = d;
    const uint8_t *b = s;
    while (n--)
        *a++ = *b++;
    return d;
}

NO_LOOP_CALLS void *memset(void *d, int c, size_t n)
{
    uint8_t *a = d;
    while (n--)
        *a++ = (uint8_t)c;
    return d;
}

void mem_copy(void *d, const void *s, unsigned n) { memcpy(d, s, n); }

bool mem_same(const void *a, const void *b, unsigned n)
{
    const uint8_t *x = a, *y = b;
    for (unsigned i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

bool str_same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Where `key=` starts a word of the command line, the text after '='. */
static const char *arg(const char *s, const char *key)
{
    for (const char *w = s; *w; w++) {
        if (w != s && w[-1] != ' ')
            continue;
        const char *a = w, *k = key;
        while (*k && *a == *k)
            a++, k++;
        if (!*k && *a == '=')
            return a + 1;
    }
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool arg_mac(const char *cmdline, const char *key, uint8_t mac[6])
{
    const char *p = arg(cmdline, key);
    if (!p)
        return false;
    for (int i = 0; i < 6; i++, p += 3) {
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool arg_word(const char *cmdline, const char *key, char *buf, unsigned size)
{
    const char *p = arg(cmdline, key);
    if (!p || !size)
        return false;
    unsigned n = 0;
    while (p[n] && p[n] != ' ' && n + 1 < size) {
        buf[n] = p[n];
        n++;
    }
    buf[n] = 0;
    return true;
}

void mac_str(const uint8_t mac[6], char *buf)
{
    for (int i = 0; i < 6; i++) {
        buf[3 * i] = "0123456789abcdef"[mac[i] >> 4];
        buf[3 * i + 1] = "0123456789abcdef"[mac[i] & 15];
        buf[3 * i + 2] = i < 5 ? ':' : 0;
    }
}

const char *check_prefix;
bool vcheck_quiet;

bool vcheck(const char *name, bool ok, const char *fmt, ...)
{
    char full[64], detail[160] = "";
    if (check_prefix)
        gsnprintf(full, sizeof(full), "%s-%s", check_prefix, name);
    else
        gsnprintf(full, sizeof(full), "%s", name);
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        gvsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    if (ok && vcheck_quiet)
        return true;
    return check(full, ok, "%s", detail);
}
