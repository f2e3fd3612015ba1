/* The soak's command-line words, in every build so that a production build refuses them. */
#include "kernel/cmdline.h"
#include "selftest/soak.h"

bool soak_requested(const char *cmdline)
{
    return cmdline_has(cmdline, "soak") || cmdline_has(cmdline, "soak-leak");
}
