/* Which CPUID leaves and which trapped MSRs one guest used, each kept once with a count, so
 * the stop report can list what a guest's kernel touched and what each access got (pure,
 * host unit-tested). A key is a leaf and sub-leaf, or an MSR with its direction and outcome. */
#ifndef EXITLESS_VMM_ACCESS_CENSUS_H
#define EXITLESS_VMM_ACCESS_CENSUS_H

#include <stddef.h>
#include <stdint.h>

#define ACCESS_CENSUS_MAX 96        /* distinct keys kept; further ones are only counted */

struct access_census_entry {
    uint64_t key;
    uint64_t count;
};

struct access_census {
    uint32_t n;
    struct access_census_entry e[ACCESS_CENSUS_MAX];
    uint64_t untracked;             /* accesses with keys beyond the table */
};

/* Counts one access with this key; keys are kept in the order first seen. */
void access_census_note(struct access_census *t, uint64_t key);

/* CPUID keys: the sub-leaf is part of the key only for the leaves whose output depends on
 * ECX (SDM vol. 2A, CPUID), so that a leaf read with junk in ECX is one entry. */
#define ACCESS_CENSUS_HV_LAST 0x400000ffu   /* leaves above, to 0x7fffffff: one key */
uint64_t access_census_cpuid_key(uint32_t leaf, uint32_t sub);
int access_census_cpuid_has_sub(uint32_t leaf);

/* MSR keys: the MSR, write or read, and what the guest got. */
enum access_msr_outcome { ACCESS_MSR_EMULATED, ACCESS_MSR_PASSED, ACCESS_MSR_REFUSED };
uint64_t access_census_msr_key(uint32_t msr, int write, enum access_msr_outcome how);

/* Formats entries from `*next` on as "what: count" items separated by ", " into buf, as many
 * as fit in `size` (at least one, truncated if it alone does not fit); advances *next. The
 * key is written by `key_text`. Returns the characters written. */
size_t access_census_format(const struct access_census *t, uint32_t *next, char *buf,
                            size_t size, size_t (*key_text)(uint64_t key, char *b, size_t n));
size_t access_census_cpuid_text(uint64_t key, char *b, size_t n);
size_t access_census_msr_text(uint64_t key, char *b, size_t n);

#endif
