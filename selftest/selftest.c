/* Self-checks of the allocator, page-table permissions, exceptions and heap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/paging.h"
#include "kernel/percpu.h"
#include "selftest/selftest.h"
#include "selftest/smptest.h"
#include "kernel/trap.h"

extern char __image_start_phys[], __image_end_phys[];
extern char __text_start[], __rodata_start[], __data_start[];

bool test_report(const char *name, bool ok, const char *fmt, ...)
{
    char why[200] = "";
    char line[300];
    if (!ok && fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
    }
    int n = ok ? snprintf(line, sizeof(line), "PASS: %s\n", name)
               : snprintf(line, sizeof(line), "FAIL: %s: %s\n", name, why);
    console_write(line, (unsigned long)n);
    return ok;
}

static bool in_range(uint64_t p, uint64_t base, uint64_t end) { return p >= base && p < end; }

/* Why `phys` must never have been handed out, or NULL. */
static const char *forbidden(const struct boot_info *bi, uint64_t phys)
{
    if (in_range(phys, (uint64_t)(uintptr_t)__image_start_phys,
                 (uint64_t)(uintptr_t)__image_end_phys))
        return "hypervisor image";
    for (uint32_t i = 0; i < bi->module_count; i++)
        if (in_range(phys, bi->modules[i].start & ~0xfffull, bi->modules[i].end))
            return "a module";
    bool usable = false;
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        if (bi->mmap[i].type == MB2_MEM_AVAILABLE &&
            in_range(phys, bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].len))
            usable = true;
    return usable ? NULL : "memory the firmware did not mark usable";
}

/* Takes every free frame (chained through their first word), checks none is forbidden,
 * then gives them all back. */
static bool check_alloc_all(const struct boot_info *bi)
{
    uint64_t before = frames_free_count(), n = 0, head = FRAME_NONE;
    const char *bad = NULL;
    uint64_t bad_phys = 0;

    for (;;) {
        uint64_t p = frames_alloc_below(1, FRAME_SIZE, UINT64_MAX);
        if (p == FRAME_NONE) {
            p = frames_alloc_below(1, FRAME_SIZE, MM_LOW_LIMIT);
            if (p == FRAME_NONE)
                break;
        }
        if (!bad && (bad = forbidden(bi, p)))
            bad_phys = p;
        *(uint64_t *)phys_to_virt(p) = head;
        head = p;
        n++;
    }
    uint64_t left = frames_free_count();
    while (head != FRAME_NONE) {
        uint64_t next = *(uint64_t *)phys_to_virt(head);
        frames_free(head, 1);
        head = next;
    }
    if (bad)
        return test_report("selftest-alloc-all", false, "frame %#lx is in %s", bad_phys, bad);
    return test_report("selftest-alloc-all", n == before && left == 0 &&
                                                 frames_free_count() == before,
                       "took %lu of %lu frames, %lu left, %lu after freeing", n, before, left,
                       frames_free_count());
}

static bool check_alloc_aligned(void)
{
    uint64_t big = frames_alloc(512, 2ull << 20);
    uint64_t low = frames_alloc_below(1, FRAME_SIZE, MM_LOW_LIMIT);
    bool ok = big != FRAME_NONE && big % (2ull << 20) == 0 && low != FRAME_NONE &&
              low < MM_LOW_LIMIT && low != 0;
    bool zeroed = big != FRAME_NONE && ((uint64_t *)phys_to_virt(big))[4095] == 0;
    if (big != FRAME_NONE)
        frames_free(big, 512);
    if (low != FRAME_NONE)
        frames_free(low, 1);
    return test_report("selftest-alloc-aligned", ok && zeroed,
                       "2 MiB block %#lx, low frame %#lx, zeroed %d", big, low, zeroed);
}

static bool check_permissions(void)
{
    uint64_t pte_text = 0, pte_ro = 0, pte_data = 0, pte_phys = 0;
    int rc = mm_lookup(__text_start, &pte_text) | mm_lookup(__rodata_start, &pte_ro) |
             mm_lookup(__data_start, &pte_data) | mm_lookup(phys_to_virt(0x100000), &pte_phys);
    bool bits = rc == 0 && !(pte_text & PTE_W) && !(pte_text & PTE_NX) && !(pte_ro & PTE_W) &&
                (pte_ro & PTE_NX) && (pte_data & PTE_W) && (pte_data & PTE_NX) &&
                (pte_phys & PTE_NX);
    bool ok = test_report("selftest-wx-bits", bits,
                          "text %#lx rodata %#lx data %#lx physmap %#lx", pte_text, pte_ro,
                          pte_data, pte_phys);

    int v = probe_write8((volatile void *)__text_start, 0x90);
    ok &= test_report("selftest-text-readonly", v == VEC_PF,
                      "write to text gave vector %d, want page fault", v);
    v = probe_write8((volatile void *)__rodata_start, 0);
    ok &= test_report("selftest-rodata-readonly", v == VEC_PF,
                      "write to rodata gave vector %d, want page fault", v);

    /* Execute from a data page: must fault on the fetch. */
    static uint8_t ret_insn[16] = { 0xc3 };
    struct percpu *c = this_cpu();
    c->fault_seen_vector = -1;
    c->fault_expect_vector = VEC_PF;
    int (*fn)(void) = (int (*)(void))(uintptr_t)ret_insn;
    v = fn();
    c->fault_expect_vector = -1;
    ok &= test_report("selftest-data-noexec", c->fault_seen_vector == VEC_PF &&
                                                  c->fault_seen_addr == (uint64_t)(uintptr_t)ret_insn,
                      "call into data gave vector %d at %#lx", c->fault_seen_vector,
                      c->fault_seen_addr);
    (void)v;

    uint8_t byte;
    v = probe_read8((const volatile void *)0x1000, &byte);
    ok &= test_report("selftest-no-identity-map", v == VEC_PF,
                      "read of low virtual address gave vector %d", v);
    return ok;
}

static bool check_exceptions(void)
{
    struct percpu *c = this_cpu();
    c->fault_seen_vector = -1;
    int v = probe_ud();
    bool ok = test_report("selftest-ud-caught", v == VEC_UD && c->fault_seen_vector == VEC_UD,
                          "ud2 gave vector %d", v);
    log_info("test", "deliberate #UD caught: vector %d at rip %#lx", c->fault_seen_vector,
             c->fault_seen_addr);

    const volatile void *hole = (const volatile void *)0xffff900000000000ull; /* unmapped */
    uint8_t byte;
    c->fault_seen_vector = -1;
    v = probe_read8(hole, &byte);
    ok &= test_report("selftest-pf-caught", v == VEC_PF &&
                                                c->fault_seen_addr == (uint64_t)(uintptr_t)hole,
                      "read of unmapped %#lx gave vector %d, cr2 %#lx", (unsigned long)(uintptr_t)hole, v,
                      c->fault_seen_addr);
    log_info("test", "deliberate #PF caught: vector %d, address %#lx", c->fault_seen_vector,
             c->fault_seen_addr);

    /* A non-canonical address raises #GP, not #PF, on every x86-64 CPU. */
    v = probe_read8((const volatile void *)0x0000800000000000ull, &byte);
    ok &= test_report("selftest-gp-caught", v == VEC_GP,
                      "non-canonical read gave vector %d", v);
    return ok;
}

static bool check_heap(void)
{
    enum { N = 200 };
    static unsigned char *blocks[N];
    bool ok = true;
    for (int i = 0; i < N; i++) {
        size_t size = 16 + (size_t)(i * 97 % 5000);
        blocks[i] = malloc(size);
        if (!blocks[i]) {
            ok = false;
            break;
        }
        memset(blocks[i], i & 0xff, size);
    }
    for (int i = 0; i < N && ok; i++) {
        size_t size = 16 + (size_t)(i * 97 % 5000);
        for (size_t j = 0; j < size; j++)
            if (blocks[i][j] != (unsigned char)(i & 0xff))
                ok = false;
    }
    for (int i = 0; i < N; i++)
        free(blocks[i]);
    char buf[64];
    snprintf(buf, sizeof(buf), "%d-%s-%#x", 42, "x", 255);
    ok &= strcmp(buf, "42-x-0xff") == 0;
    return test_report("selftest-heap", ok, "malloc/free of %d blocks or snprintf failed", N);
}

bool selftest_run(const struct boot_info *bi)
{
    bool ok = true;
    ok &= check_alloc_all(bi);
    ok &= check_alloc_aligned();
    ok &= check_permissions();
    ok &= check_exceptions();
    ok &= check_heap();
    ok &= smptest_run(bi);
    return ok;
}
