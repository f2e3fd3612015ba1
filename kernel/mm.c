/* Hypervisor memory setup: frame allocator from the memory map, page tables, heap. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

#define FOUR_GIB (4ull << 30)
#define HEAP_BASE 0xffffa00000000000ull
#define HEAP_LIMIT (256ull << 20)
#define MAX_RESERVED (MB2_MAX_MODULES + 8)
#define CPUID_EXT_PDPE1GB (1u << 26)

extern char __image_start_phys[], __image_end_phys[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __image_end[];

struct range {
    uint64_t base, end;
};

static struct spinlock mm_lock = SPINLOCK_INIT; /* protects: frames, kernel_pt, heap_top, mmio_next,
                                                   * stack_next */
static struct frame_alloc frames;
static struct mm_stats stats;
static bool switched;           /* page tables are ours: tables are reached through physmap */
static uint64_t heap_top;       /* bytes of heap in use */
static uint64_t heap_mapped;    /* bytes of heap backed by frames */
static uint64_t mmio_next = MMIO_BASE;
static uint64_t stack_next = STACK_WINDOW_BASE;
static struct range physmap_ranges[MB2_MAX_MMAP];
static int nphysmap;

static uint64_t *table_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    /* Before the switch the boot tables identity-map the first 4 GiB. */
    return (uint64_t *)(uintptr_t)(switched ? PHYSMAP_BASE + phys : phys);
}

static uint64_t alloc_table(void *ctx)
{
    (void)ctx;
    uint64_t phys = frame_alloc_range(&frames, 1, FRAME_SIZE, MM_LOW_LIMIT,
                                      switched ? UINT64_MAX : FOUR_GIB);
    if (phys != FRAME_NONE)
        memset(table_ptr(NULL, phys), 0, FRAME_SIZE);
    return phys == FRAME_NONE ? UINT64_MAX : phys;
}

static struct pt kernel_pt = {
    .fmt = &pt_format_x86,
    .alloc_table = alloc_table,
    .table_ptr = table_ptr,
};

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs, unsigned allow,
                         const char *what)
{
    int rc = pt_map(&kernel_pt, va, pa, size, attrs, allow);
    if (rc)
        panic("mm: cannot map %s (va %#lx pa %#lx size %#lx): error %d", what, va, pa, size, rc);
}

static bool overlaps(uint64_t a, uint64_t aend, const struct range *r)
{
    return a < r->end && r->base < aend;
}

/* First page-aligned spot of `size` bytes in usable memory between 1 MiB and 4 GiB that
 * overlaps none of the reserved ranges. */
static uint64_t find_spot(const struct boot_info *bi, uint64_t size, const struct range *res,
                          int nres)
{
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mb2_mmap_entry *m = &bi->mmap[i];
        if (m->type != MB2_MEM_AVAILABLE)
            continue;
        uint64_t end = m->base + m->len < FOUR_GIB ? m->base + m->len : FOUR_GIB;
        uint64_t cand = (m->base < MM_LOW_LIMIT ? MM_LOW_LIMIT : m->base + FRAME_SIZE - 1) &
                        ~(FRAME_SIZE - 1);
        for (int moved = 1; moved && cand + size <= end;) {
            moved = 0;
            for (int r = 0; r < nres; r++) {
                if (overlaps(cand, cand + size, &res[r])) {
                    cand = (res[r].end + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
                    moved = 1;
                }
            }
        }
        if (cand + size <= end)
            return cand;
    }
    return FRAME_NONE;
}

static void setup_frames(const struct boot_info *bi, uint64_t mbi_phys)
{
    struct range res[MAX_RESERVED];
    int nres = 0;

    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct mb2_mmap_entry *m = &bi->mmap[i];
        if (m->type != MB2_MEM_AVAILABLE)
            continue;
        stats.usable_bytes += m->len;
        if (m->base + m->len > stats.max_phys)
            stats.max_phys = m->base + m->len;
    }
    res[nres++] = (struct range){ 0, FRAME_SIZE }; /* never hand out physical page 0 */
    res[nres++] = (struct range){ (uint64_t)(uintptr_t)__image_start_phys,
                                  (uint64_t)(uintptr_t)__image_end_phys };
    res[nres++] = (struct range){ mbi_phys, mbi_phys + bi->total_size };
    for (uint32_t i = 0; i < bi->module_count; i++)
        res[nres++] = (struct range){ bi->modules[i].start, bi->modules[i].end };

    size_t words = frame_bitmap_words(stats.max_phys);
    uint64_t bytes = ((uint64_t)words * 8 + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    uint64_t bitmap_phys = find_spot(bi, bytes, res, nres);
    if (bitmap_phys == FRAME_NONE)
        panic("mm: no room below 4 GiB for the %lu KiB frame bitmap", bytes >> 10);
    res[nres++] = (struct range){ bitmap_phys, bitmap_phys + bytes };

    frame_init(&frames, (uint64_t *)(uintptr_t)bitmap_phys, stats.max_phys / FRAME_SIZE);
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        if (bi->mmap[i].type == MB2_MEM_AVAILABLE)
            frame_add_free(&frames, bi->mmap[i].base, bi->mmap[i].len);
    for (int r = 0; r < nres; r++)
        frame_reserve(&frames, res[r].base, res[r].end - res[r].base);
    stats.free_bytes_at_boot = frames.free_frames * FRAME_SIZE;
    /* From now on the bitmap is reached through whichever mapping is live. */
    frames.bitmap = (uint64_t *)(uintptr_t)bitmap_phys;
}

static void map_image(void)
{
    struct {
        const char *start, *end;
        uint64_t attrs;
        const char *what;
    } parts[] = {
        { __text_start, __text_end, 0, "text (read, execute)" },
        { __rodata_start, __rodata_end, PTE_NX, "rodata (read)" },
        { __data_start, __image_end, PTE_W | PTE_NX, "data (read, write)" },
    };
    for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        uint64_t va = (uint64_t)(uintptr_t)parts[i].start;
        uint64_t size = ((uint64_t)(uintptr_t)parts[i].end - va + FRAME_SIZE - 1) &
                        ~(FRAME_SIZE - 1);
        map_or_panic(va, va - KERNEL_VMA, size, parts[i].attrs, 0, parts[i].what);
    }
}

/* RAM-like ranges (usable, ACPI, ACPI NVS) go into the physmap; device and firmware
 * ranges are mapped uncached on request (mmio_map). */
static bool physmap_type(uint32_t type)
{
    return type == MB2_MEM_AVAILABLE || type == MB2_MEM_ACPI_RECLAIMABLE || type == MB2_MEM_NVS;
}

/* Maps every RAM-like range of the memory map (rounded to 2 MiB, merged) at PHYSMAP_BASE. */
static void map_physmap(const struct boot_info *bi)
{
    struct range r[MB2_MAX_MMAP];
    int n = 0;
    unsigned allow = PT_ALLOW_2M;

    if (cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & CPUID_EXT_PDPE1GB))
        allow |= PT_ALLOW_1G;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        if (!bi->mmap[i].len || !physmap_type(bi->mmap[i].type))
            continue;
        struct range x = { bi->mmap[i].base & ~(PAGE_2M - 1),
                           (bi->mmap[i].base + bi->mmap[i].len + PAGE_2M - 1) & ~(PAGE_2M - 1) };
        int j = n++;
        while (j > 0 && r[j - 1].base > x.base) { /* insertion sort by base */
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
    for (int i = 0; i < n;) {
        struct range m = r[i++];
        while (i < n && r[i].base <= m.end) {
            if (r[i].end > m.end)
                m.end = r[i].end;
            i++;
        }
        map_or_panic(PHYSMAP_BASE + m.base, m.base, m.end - m.base, PTE_W | PTE_NX, allow,
                     "physical memory map");
        stats.physmap_bytes += m.end - m.base;
        if (nphysmap < MB2_MAX_MMAP)
            physmap_ranges[nphysmap++] = m;
    }
    stats.physmap_page_size_kb = (allow & PT_ALLOW_1G) ? 1 << 20 : 2 << 10;
}

void mm_init(const struct boot_info *bi, uint64_t mbi_phys)
{
    setup_frames(bi, mbi_phys);
    kernel_pt.root_phys = alloc_table(NULL);
    if (kernel_pt.root_phys == UINT64_MAX)
        panic("mm: no frame for the page-table root");
    map_image();
    map_physmap(bi);
    write_cr3(kernel_pt.root_phys);
    switched = true;
    frames.bitmap = (uint64_t *)phys_to_virt((uint64_t)(uintptr_t)frames.bitmap);
}

const struct mm_stats *mm_get_stats(void) { return &stats; }
const struct frame_alloc *mm_frame_allocator(void) { return &frames; }

uint64_t frames_alloc_below(uint64_t count, uint64_t align, uint64_t max)
{
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    uint64_t min = max <= MM_LOW_LIMIT ? FRAME_SIZE : MM_LOW_LIMIT;
    uint64_t phys = frame_alloc_range(&frames, count, align, min, max);
    spin_unlock_irqrestore(&mm_lock, flags);
    if (phys != FRAME_NONE)
        memset(phys_to_virt(phys), 0, count * FRAME_SIZE);
    return phys;
}

uint64_t frames_alloc(uint64_t count, uint64_t align)
{
    return frames_alloc_below(count, align, UINT64_MAX);
}

void frames_free(uint64_t phys, uint64_t count)
{
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    int rc = frame_free(&frames, phys, count);
    spin_unlock_irqrestore(&mm_lock, flags);
    if (rc)
        panic("mm: freeing frames %#lx (+%lu) that are free or out of range", phys, count);
}

uint64_t frames_free_count(void)
{
    return frames.free_frames;
}

void mm_usage(struct mm_usage *out)
{
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    *out = (struct mm_usage){
        .free_frames = frames.free_frames,
        .heap_bytes = heap_top,
        .heap_mapped_bytes = heap_mapped,
        .mmio_bytes = mmio_next - MMIO_BASE,
        .stack_bytes = stack_next - STACK_WINDOW_BASE,
    };
    spin_unlock_irqrestore(&mm_lock, flags);
}

volatile void *mmio_map(uint64_t phys, uint64_t size)
{
    uint64_t offset = phys & (FRAME_SIZE - 1);
    uint64_t base = phys - offset;
    size = (size + offset + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    /* Keep 2 MiB alignment available to large windows (ECAM). */
    if (size >= PAGE_2M)
        mmio_next = (mmio_next + PAGE_2M - 1) & ~(PAGE_2M - 1);
    uint64_t va = mmio_next;
    if (va + size > MMIO_BASE + MMIO_SIZE)
        panic("mm: MMIO window exhausted mapping %#lx", phys);
    mmio_next += size;
    int rc = pt_map(&kernel_pt, va, base, size, PTE_W | PTE_NX | PTE_PCD | PTE_PWT,
                    (base & (PAGE_2M - 1)) ? 0 : PT_ALLOW_2M);
    spin_unlock_irqrestore(&mm_lock, flags);
    if (rc)
        panic("mm: cannot map MMIO %#lx size %#lx: error %d", phys, size, rc);
    return (volatile void *)(uintptr_t)(va + offset);
}

uint64_t mm_alloc_stack(uint64_t size)
{
    size = (size + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    uint64_t base = stack_next + FRAME_SIZE; /* the page at stack_next stays unmapped */
    if (base + size > STACK_WINDOW_BASE + STACK_WINDOW_SIZE)
        panic("mm: stack window exhausted");
    stack_next = base + size;
    for (uint64_t off = 0; off < size; off += FRAME_SIZE) {
        uint64_t phys = frame_alloc_range(&frames, 1, FRAME_SIZE, MM_LOW_LIMIT, UINT64_MAX);
        if (phys == FRAME_NONE || pt_map(&kernel_pt, base + off, phys, FRAME_SIZE,
                                         PTE_W | PTE_NX, 0))
            panic("mm: out of memory for a %lu KiB stack", size >> 10);
        memset(phys_to_virt(phys), 0, FRAME_SIZE);
    }
    spin_unlock_irqrestore(&mm_lock, flags);
    return base + size;
}

void *heap_sbrk(intptr_t increment)
{
    uint64_t flags = spin_lock_irqsave(&mm_lock);
    void *old = (void *)(uintptr_t)(HEAP_BASE + heap_top);
    if (increment < 0 || heap_top + (uint64_t)increment > HEAP_LIMIT) {
        spin_unlock_irqrestore(&mm_lock, flags);
        return (void *)-1;
    }
    uint64_t want = heap_top + (uint64_t)increment;
    while (heap_mapped < want) {
        uint64_t phys = frame_alloc_range(&frames, 1, FRAME_SIZE, MM_LOW_LIMIT, UINT64_MAX);
        if (phys == FRAME_NONE ||
            pt_map(&kernel_pt, HEAP_BASE + heap_mapped, phys, FRAME_SIZE, PTE_W | PTE_NX, 0)) {
            spin_unlock_irqrestore(&mm_lock, flags);
            return (void *)-1;
        }
        memset(phys_to_virt(phys), 0, FRAME_SIZE);
        heap_mapped += FRAME_SIZE;
    }
    heap_top = want;
    spin_unlock_irqrestore(&mm_lock, flags);
    return old;
}

int mm_lookup(const void *va, uint64_t *pte)
{
    return pt_lookup(&kernel_pt, (uint64_t)(uintptr_t)va, NULL, pte, NULL);
}

bool mm_in_physmap(uint64_t phys, uint64_t len)
{
    for (int i = 0; i < nphysmap; i++)
        if (phys >= physmap_ranges[i].base && phys + len <= physmap_ranges[i].end &&
            phys + len >= phys)
            return true;
    return false;
}

const volatile void *phys_map_range(uint64_t phys, uint64_t len)
{
    return mm_in_physmap(phys, len) ? phys_to_virt(phys) : mmio_map(phys, len);
}
