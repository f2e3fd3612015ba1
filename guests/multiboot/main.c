/* multiboot: a 32-bit kernel started as the multiboot 1 or 2 spec says (EAX magic, EBX
 * information, protected mode without paging) checks what the loader handed it. */
#include <stdbool.h>
#include <stdint.h>

#include "exitless/hypercall.h"

#define CMDLINE_WANT "mbtest"
#define MODULE_NAME "mbdata"
#define MODULE_TEXT "exitless module payload\n"

static bool module_ok(uint32_t start, uint32_t end, const char *name);

int mb_main(uint32_t magic, uint32_t info);

static long hc(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    long r;
    __asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "memory");
    return r;
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void check(const char *name, bool ok)
{
    hc(HC_TEST_RESULT, (uint32_t)name, ok, ok ? 0 : (uint32_t)"value not as the spec says");
}

static void say(const char *s)
{
    hc(HC_CONSOLE_WRITE, (uint32_t)s, (uint32_t)__builtin_strlen(s), 0);
}

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }

static bool module_ok(uint32_t start, uint32_t end, const char *name)
{
    const char *want = MODULE_TEXT;
    uint32_t n = (uint32_t)__builtin_strlen(want);
    if (end - start != n || start % 4096 || !streq(name, MODULE_NAME))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (((const char *)start)[i] != want[i])
            return false;
    return true;
}

#if MB_VERSION == 1
int mb_main(uint32_t magic, uint32_t info)
{
    say("multiboot 1 kernel in 32-bit protected mode\n");
    check("mb1-magic", magic == 0x2badb002u);
    uint32_t flags = rd32(info);
    check("mb1-flags", (flags & 0x245) == 0x245); /* memory, cmdline, mmap, loader name */
    check("mb1-cmdline", (flags & 4) && streq((const char *)rd32(info + 16), CMDLINE_WANT));
    check("mb1-loader-name", (flags & 0x200) && streq((const char *)rd32(info + 64), "Exitless"));
    uint64_t usable = 0;
    for (uint32_t p = rd32(info + 48), end = p + rd32(info + 44); p < end; p += rd32(p) + 4)
        if (rd32(p + 20) == 1)
            usable += *(volatile uint64_t *)(p + 12);
    uint64_t upper = (uint64_t)rd32(info + 8) << 10;
    check("mb1-memory-map", usable > upper && usable <= upper + 0x100000);
    uint32_t mods = rd32(info + 24);
    check("mb1-module", (flags & 8) && rd32(info + 20) == 1 &&
                            module_ok(rd32(mods), rd32(mods + 4), (const char *)rd32(mods + 8)));
    return 0;
}
#else
int mb_main(uint32_t magic, uint32_t info)
{
    say("multiboot 2 kernel in 32-bit protected mode\n");
    check("mb2-magic", magic == 0x36d76289u);
    bool cmd = false, loader = false, mmap = false, module = false;
    uint32_t total = rd32(info);
    for (uint32_t t = info + 8; t < info + total;) {
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (type == 0 || size < 8)
            break;
        if (type == 1)
            cmd = streq((const char *)(t + 8), CMDLINE_WANT);
        if (type == 2)
            loader = streq((const char *)(t + 8), "Exitless");
        if (type == 3)
            module = module_ok(rd32(t + 8), rd32(t + 12), (const char *)(t + 16));
        if (type == 6)
            mmap = rd32(t + 8) == 24 && size >= 16 + 3 * 24 && rd32(t + 16 + 24 + 16) == 2;
        t += (size + 7) & ~7u;
    }
    check("mb2-cmdline", cmd);
    check("mb2-loader-name", loader);
    check("mb2-memory-map", mmap);
    check("mb2-module", module);
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    check("mb2-protected-no-paging", (cr0 & 1) && !(cr0 & 0x80000000u));
    return 0;
}
#endif
