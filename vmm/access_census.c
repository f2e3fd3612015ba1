/* The per-guest tables of CPUID leaves and trapped MSRs used (pure). */
#include "vmm/access_census.h"

#include <stdio.h>
#include <string.h>

void access_census_note(struct access_census *t, uint64_t key)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->e[i].key == key) {
            t->e[i].count++;
            return;
        }
    }
    if (t->n == ACCESS_CENSUS_MAX) {
        t->untracked++;
        return;
    }
    t->e[t->n++] = (struct access_census_entry){ .key = key, .count = 1 };
}

int access_census_cpuid_has_sub(uint32_t leaf)
{
    switch (leaf) {
    case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12: case 0x14:
    case 0x17: case 0x18: case 0x1d: case 0x1f: case 0x20: case 0x23: case 0x24:
    case 0x8000001d: case 0x80000020: case 0x80000026:
        return 1;
    default:
        return 0;
    }
}

/* Bit 63 marks a key with a sub-leaf, bit 62 the one key of the hypervisor range's undefined
 * leaves (an OS probing for hypervisor signatures at every 0x100 reads dozens of them). */
uint64_t access_census_cpuid_key(uint32_t leaf, uint32_t sub)
{
    if (leaf > ACCESS_CENSUS_HV_LAST && leaf <= 0x7fffffffu)
        return 1ull << 62 | (ACCESS_CENSUS_HV_LAST + 1);
    if (!access_census_cpuid_has_sub(leaf))
        return leaf;
    return 1ull << 63 | (uint64_t)sub << 32 | leaf;
}

uint64_t access_census_msr_key(uint32_t msr, int write, enum access_msr_outcome how)
{
    return (uint64_t)how << 33 | (uint64_t)(write != 0) << 32 | msr;
}

size_t access_census_cpuid_text(uint64_t key, char *b, size_t n)
{
    if (key >> 62 == 1)
        return (size_t)snprintf(b, n, "%#x-0x7fffffff", (uint32_t)key);
    int len = key >> 63 ? snprintf(b, n, "%#x.%u", (uint32_t)key, (uint32_t)(key >> 32) & 0x7fffffffu)
                        : snprintf(b, n, "%#x", (uint32_t)key);
    return len < 0 ? 0 : (size_t)len;
}

size_t access_census_msr_text(uint64_t key, char *b, size_t n)
{
    static const char *const how[] = { "emulated", "passed", "refused" };
    unsigned h = (unsigned)(key >> 33) & 3;
    int len = snprintf(b, n, "%#x %s %s", (uint32_t)key, key >> 32 & 1 ? "write" : "read",
                       h < 3 ? how[h] : "?");
    return len < 0 ? 0 : (size_t)len;
}

size_t access_census_format(const struct access_census *t, uint32_t *next, char *buf,
                            size_t size, size_t (*key_text)(uint64_t key, char *b, size_t n))
{
    size_t used = 0;
    if (!size)
        return 0;
    buf[0] = 0;
    while (*next < t->n) {
        char item[64];
        size_t k = key_text(t->e[*next].key, item, sizeof(item));
        if (k >= sizeof(item))
            k = sizeof(item) - 1;
        int len = snprintf(item + k, sizeof(item) - k, ": %llu",
                           (unsigned long long)t->e[*next].count);
        size_t want = k + (len < 0 ? 0 : (size_t)len);
        if (want >= sizeof(item))
            want = sizeof(item) - 1;
        size_t sep = used ? 2 : 0;
        if (used && used + sep + want >= size)
            break;                  /* the next line takes it */
        if (sep) {
            memcpy(buf + used, ", ", 2);
            used += 2;
        }
        size_t room = size - 1 - used;
        size_t copy = want < room ? want : room;
        memcpy(buf + used, item, copy);
        used += copy;
        buf[used] = 0;
        (*next)++;
        if (copy < want)
            break;
    }
    return used;
}
