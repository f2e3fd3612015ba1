/* Minimal host unit-test harness: CHECK macros and one summary line per test binary. */
#ifndef EXITLESS_TESTS_CHECK_H
#define EXITLESS_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed;
static int check_failed;

/* CHECK(cond, "what"): one counted assertion; a failure prints file:line and the condition. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            check_passed++;                                                     \
        } else {                                                                \
            check_failed++;                                                     \
            fprintf(stderr, "FAIL: %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#define CHECK_EQ_U64(a, b, what)                                                \
    do {                                                                        \
        unsigned long long check_a_ = (unsigned long long)(a);                  \
        unsigned long long check_b_ = (unsigned long long)(b);                  \
        CHECK(check_a_ == check_b_, "%s: got 0x%llx, want 0x%llx", (what),       \
              check_a_, check_b_);                                              \
    } while (0)

#define CHECK_STREQ(a, b, what)                                                 \
    do {                                                                        \
        const char *check_a_ = (a), *check_b_ = (b);                            \
        CHECK(check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0,          \
              "%s:\n   got: %s\n  want: %s", (what),                             \
              check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");  \
    } while (0)

/* Prints the line tests/run-unit.sh adds up; returns the process exit code. */
static inline int check_summary(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
