/* Test build: dispatches the device checks named on the command line. */
#include "kernel/cmdline.h"
#include "kernel/devtest.h"

enum devtest_outcome devtest_run(const struct mf_manifest *m, const char *cmdline)
{
    bool any = false, ok = true;
    if (cmdline_has(cmdline, "vtdtest")) {
        any = true;
        ok &= devtest_vtd(m);
    }
    if (cmdline_has(cmdline, "igbtest")) {
        any = true;
        ok &= devtest_igb(m);
    }
    if (cmdline_has(cmdline, "igbtest-vepa")) {
        any = true;
        ok &= devtest_igb_vepa(m);
    }
    if (!any)
        return DEVTEST_NONE;
    return ok ? DEVTEST_PASS : DEVTEST_FAIL;
}
