/* Exit statistics (paper 004's per-reason and hot-spot tables). Pure logic. */
#include <string.h>

#include "vmm/stats.h"

void stats_record(struct exit_stats *s, uint32_t reason, uint64_t rip, uint64_t cycles)
{
    if (reason >= STATS_REASONS)
        reason = STATS_REASONS - 1;
    s->total++;
    s->count[reason]++;
    s->cycles[reason] += cycles;
    /* Linear probing from a multiplicative hash of the RIP. */
    uint32_t h = (uint32_t)((rip * 0x9e3779b97f4a7c15ull) >> 58) % STATS_RIP_SLOTS;
    for (uint32_t i = 0; i < STATS_RIP_SLOTS; i++) {
        uint32_t k = (h + i) % STATS_RIP_SLOTS;
        if (s->rip_count[k] && s->rip[k] == rip) {
            s->rip_count[k]++;
            return;
        }
        if (!s->rip_count[k]) {
            s->rip[k] = rip;
            s->rip_count[k] = 1;
            return;
        }
    }
    s->rip_dropped++;
}

static void hot_insert(struct hc_exit_stats *out, uint64_t rip, uint64_t count)
{
    for (uint32_t i = 0; i < HC_STATS_HOT_RIPS; i++) {
        if (out->hot_count[i] && out->hot_rip[i] == rip) {
            out->hot_count[i] += count;
            count = out->hot_count[i];
            /* bubble up */
            for (uint32_t j = i; j > 0 && out->hot_count[j] > out->hot_count[j - 1]; j--) {
                uint64_t r = out->hot_rip[j], c = out->hot_count[j];
                out->hot_rip[j] = out->hot_rip[j - 1];
                out->hot_count[j] = out->hot_count[j - 1];
                out->hot_rip[j - 1] = r;
                out->hot_count[j - 1] = c;
            }
            return;
        }
    }
    for (uint32_t i = 0; i < HC_STATS_HOT_RIPS; i++) {
        if (count > out->hot_count[i]) {
            memmove(&out->hot_rip[i + 1], &out->hot_rip[i],
                    (HC_STATS_HOT_RIPS - 1 - i) * sizeof(uint64_t));
            memmove(&out->hot_count[i + 1], &out->hot_count[i],
                    (HC_STATS_HOT_RIPS - 1 - i) * sizeof(uint64_t));
            out->hot_rip[i] = rip;
            out->hot_count[i] = count;
            return;
        }
    }
}

void stats_summarize(const struct exit_stats *const *src, int n, struct hc_exit_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (int v = 0; v < n; v++) {
        const struct exit_stats *s = src[v];
        out->total_exits += s->total;
        for (uint32_t r = 0; r < STATS_REASONS; r++) {
            out->exits[r] += s->count[r];
            out->cycles[r] += s->cycles[r];
        }
        for (uint32_t k = 0; k < STATS_RIP_SLOTS; k++)
            if (s->rip_count[k])
                hot_insert(out, s->rip[k], s->rip_count[k]);
    }
}

const char *exit_kind_name(uint32_t kind)
{
    static const char *const names[HC_EXIT_KINDS] = {
        [HC_EXIT_OTHER] = "other", [HC_EXIT_EXCEPTION] = "exception", [HC_EXIT_NMI] = "NMI",
        [HC_EXIT_EXTINT] = "external interrupt", [HC_EXIT_INTR_WINDOW] = "interrupt window",
        [HC_EXIT_SHUTDOWN] = "triple fault", [HC_EXIT_CPUID] = "CPUID", [HC_EXIT_HLT] = "HLT",
        [HC_EXIT_HYPERCALL] = "hypercall", [HC_EXIT_IO] = "I/O instruction",
        [HC_EXIT_MSR_READ] = "RDMSR", [HC_EXIT_MSR_WRITE] = "WRMSR", [HC_EXIT_CR] = "CR access",
        [HC_EXIT_DESC_TABLE] = "GDTR/IDTR access", [HC_EXIT_SEG_TABLE] = "LDTR/TR access",
        [HC_EXIT_GPA] = "guest-physical fault", [HC_EXIT_GPA_MISCONFIG] = "map misconfiguration",
        [HC_EXIT_XSETBV] = "XSETBV", [HC_EXIT_CACHE] = "WBINVD/INVD",
        [HC_EXIT_UD] = "unavailable instruction", [HC_EXIT_GP] = "refused instruction",
        [HC_EXIT_WATCHDOG] = "watchdog", [HC_EXIT_STEP] = "single step",
        [HC_EXIT_ENTRY_FAILED] = "entry failed",
    };
    if (kind < HC_EXIT_KINDS && names[kind])
        return names[kind];
    return "other";
}
