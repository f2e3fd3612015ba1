/* Unit tests for command-line word lookup. */
#include "check.h"
#include "kernel/cmdline.h"

int main(void)
{
    char v[16];
    const char *cl = "  selftest loglevel=debug  x=1 selftester tiny=abcdefghijklmnopqrstuvwxyz";
    CHECK(cmdline_has(cl, "selftest"), "flag");
    CHECK(cmdline_has(cl, "loglevel"), "key with value counts as present");
    CHECK(!cmdline_has(cl, "self"), "prefix of a word does not match");
    CHECK(!cmdline_has(cl, "debug"), "value is not a key");
    CHECK(!cmdline_has(NULL, "x"), "null cmdline");
    CHECK(!cmdline_has(cl, ""), "empty key");
    CHECK(cmdline_get(cl, "loglevel", v, sizeof(v)) && strcmp(v, "debug") == 0, "value");
    CHECK(cmdline_get(cl, "x", v, sizeof(v)) && strcmp(v, "1") == 0, "short value");
    CHECK(!cmdline_get(cl, "selftest", v, sizeof(v)), "flag has no value");
    CHECK(cmdline_get(cl, "tiny", v, sizeof(v)) && strlen(v) == 15, "truncated to fit");
    CHECK(!cmdline_get(cl, "missing", v, sizeof(v)), "absent");
    CHECK(!cmdline_get(cl, "x", v, 0), "zero-length buffer");
    return check_summary("cmdline");
}
