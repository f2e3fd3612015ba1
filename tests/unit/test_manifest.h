/* Shared helpers of the manifest unit tests (two files, one binary). */
#ifndef EXITLESS_TEST_MANIFEST_H
#define EXITLESS_TEST_MANIFEST_H

#include <stdio.h>
#include <string.h>

#include <exitless/manifest.h>

/* A valid NIC (lines 1-4) for cases that need one. */
#define NIC0 "[[nic]]\nname = \"n\"\npci = \"0000:01:00.0\"\nvfs = 2\n"

extern struct mf_workspace test_ws;

/* Parses text as "t.toml" (then checks pf if given); joins every error line into buf. */
int parse_errors_n(const char *text, size_t len, char *buf, size_t size);
int parse_errors_pf(const char *text, const struct mf_platform *pf, char *buf, size_t size);
static inline int parse_errors(const char *text, const struct mf_platform *pf, char *buf, size_t size)
{
    return parse_errors_pf(text, pf, buf, size);
}

/* test_manifest_good.c: its own check counters, added to main's at the end. */
void run_platform_cases(void);
void run_good_cases(void);
void run_unit_cases(void);
void good_counts(int *passed, int *failed);

#endif
