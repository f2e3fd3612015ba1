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

const char *exit_reason_name(uint32_t reason)
{
    static const char *const names[] = {
        [0] = "exception/NMI", [1] = "external interrupt", [2] = "triple fault",
        [3] = "INIT", [4] = "SIPI", [7] = "interrupt window", [8] = "NMI window",
        [9] = "task switch", [10] = "CPUID", [11] = "GETSEC", [12] = "HLT", [13] = "INVD",
        [14] = "INVLPG", [15] = "RDPMC", [16] = "RDTSC", [18] = "VMCALL",
        [19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST",
        [23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF",
        [27] = "VMXON", [28] = "CR access", [29] = "DR access", [30] = "I/O instruction",
        [31] = "RDMSR", [32] = "WRMSR", [33] = "invalid guest state", [34] = "MSR loading",
        [36] = "MWAIT", [37] = "monitor trap flag", [39] = "MONITOR", [40] = "PAUSE",
        [41] = "machine check at entry", [43] = "TPR below threshold", [44] = "APIC access",
        [45] = "EOI induced", [46] = "GDTR/IDTR access", [47] = "LDTR/TR access",
        [48] = "EPT violation", [49] = "EPT misconfiguration", [50] = "INVEPT",
        [51] = "RDTSCP", [52] = "preemption timer", [53] = "INVVPID", [54] = "WBINVD",
        [55] = "XSETBV", [56] = "APIC write", [57] = "RDRAND", [58] = "INVPCID",
        [59] = "VMFUNC", [61] = "RDSEED", [63] = "XSAVES", [64] = "XRSTORS",
    };
    if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
        return names[reason];
    return "other";
}
