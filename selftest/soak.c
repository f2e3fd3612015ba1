/* Restart soak (soak.h): a census after each restart cycle, compared with the first one.
 *
 * The hook runs on the restarting guest's first vCPU, once the restart is set up (its VF
 * reset, its memory zeroed and reloaded, its virtual PCI started) and before the new run
 * begins, while its neighbours keep running. One guest restarts in a soak: a second one
 * restarting at the same time would be counted halfway through its own setup. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cmdline.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "selftest/soak.h"
#include "vmm/census.h"
#include "vmm/guest.h"
#include "vmm/guest_mgr.h"

/* The soak's own state: written only by the hook, which runs on the soaking guest's first
 * vCPU (the one guest that restarts; a second one is refused under soak_lock). */
static struct spinlock soak_lock = SPINLOCK_INIT; /* protects: soaker */
static struct guest *soaker;
static bool plant_leak;
static struct census first;
static uint32_t first_cycle;
static bool differed, reported;

static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void line(const char *fmt, ...)
{
    char buf[900];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof(buf) - 2)
        n = (int)sizeof(buf) - 2;
    buf[n++] = '\n';
    console_write(buf, (unsigned long)n);
}

static void after_restart(struct guest *g)
{
    uint64_t f = spin_lock_irqsave(&soak_lock);
    bool mine = !soaker || soaker == g;
    if (!soaker)
        soaker = g;
    spin_unlock_irqrestore(&soak_lock, f);
    if (!mine) {
        line("FAIL: soak-one-guest: %s restarts too, beside %s: the census of one would count "
             "the other's setup halfway", g->name, soaker->name);
        return;
    }
    /* The control: a frame taken and never given back, once per cycle. */
    if (plant_leak && frames_alloc(1, PAGE_SIZE) == FRAME_NONE)
        line("FAIL: soak-leak-planted: no frame to leak at cycle %u", g->restarts);
    struct census now;
    char text[700];
    census_take(&now);
    uint32_t cycle = g->restarts;
    if (!first_cycle) {
        first = now;
        first_cycle = cycle;
        census_format(&now, text, sizeof(text));
        log_info("soak", "%s: cycle %u census: %s", g->name, cycle, text);
    } else if (!differed && census_diff(&first, &now, text, sizeof(text))) {
        differed = true;
        /* The control passes when the one leak it planted is what the census shows: free
         * frames, one fewer per cycle since the first, and nothing else. */
        struct census want = first;
        want.n[CENSUS_FREE_FRAMES] -= cycle - first_cycle;
        char rest[700];
        if (plant_leak && census_diff(&want, &now, rest, sizeof(rest)))
            line("FAIL: soak-leak-found: cycle %u differs otherwise than by the planted leak: %s",
                 cycle, rest);
        else if (plant_leak)
            line("PASS: soak-leak-found (cycle %u: %s against cycle %u)", cycle, text, first_cycle);
        else
            line("FAIL: soak-census-stable: cycle %u differs from cycle %u: %s", cycle, first_cycle,
                 text);
    } else if (cycle % 50 == 0) {
        log_info("soak", "%s: cycle %u census equals cycle %u's", g->name, cycle, first_cycle);
    }
    if (cycle < g->max_restarts || reported)
        return;
    reported = true;
    census_format(&now, text, sizeof(text));
    if (plant_leak && !differed)
        line("FAIL: soak-leak-found: %u cycles with a frame leaked in each, and every census "
             "equal: %s", cycle, text);
    else if (!plant_leak && !differed)
        line("PASS: soak-census-stable (%u cycles, each census equal to cycle %u's: %s)", cycle,
             first_cycle, text);
}

void soak_arm(const char *cmdline)
{
    plant_leak = cmdline_has(cmdline, "soak-leak");
    guest_mgr_restart_hook = after_restart;
    log_info("soak", "armed: a resource census after each guest restart%s",
             plant_leak ? "; control: one frame leaked per restart (soak-leak)" : "");
}
