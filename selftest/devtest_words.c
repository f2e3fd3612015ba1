/* The command-line words that name device checks: in every build, so a production build
 * can refuse them by name instead of booting guests the tester did not mean to run. */
#include "kernel/cmdline.h"
#include "selftest/devtest.h"

const char *const devtest_words[DEVTEST_NWORDS] = {
    [DEVTEST_VTD] = "vtdtest",
    [DEVTEST_IGB] = "igbtest",
    [DEVTEST_IGB_VEPA] = "igbtest-vepa",
};

bool devtest_requested(const char *cmdline)
{
    for (unsigned i = 0; i < DEVTEST_NWORDS; i++)
        if (cmdline_has(cmdline, devtest_words[i]))
            return true;
    return false;
}
