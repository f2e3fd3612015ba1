/* Test build: dispatches the device checks named on the command line. */
#include "kernel/cmdline.h"
#include "selftest/devtest.h"

static bool (*const checks[DEVTEST_NWORDS])(const struct mf_manifest *m) = {
    [DEVTEST_VTD] = devtest_vtd,
    [DEVTEST_IGB] = devtest_igb,
    [DEVTEST_IGB_VEPA] = devtest_igb_vepa,
};

enum devtest_outcome devtest_run(const struct mf_manifest *m, const char *cmdline)
{
    bool any = false, ok = true;
    for (unsigned i = 0; i < DEVTEST_NWORDS; i++) {
        if (cmdline_has(cmdline, devtest_words[i])) {
            any = true;
            ok &= checks[i](m);
        }
    }
    if (!any)
        return DEVTEST_NONE;
    return ok ? DEVTEST_PASS : DEVTEST_FAIL;
}
