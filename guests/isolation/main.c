/* isolation: may use all of its own memory; reads where it has neither RAM nor a device
 * answer all ones (as a PC's bus does) and leave it running; the moment it writes a byte
 * beyond its memory the hypervisor stops it. The manifest marks it as expected to be
 * stopped. */
#include "guest.h"

#define PATTERN 0x1122334455667788ull

/* One load of each form the hypervisor emulates, from `a`, into a register that held
 * PATTERN before: what the register holds after. */
static uint64_t load8(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movb (%1), %b0" : "+a"(r) : "r"(a) : "memory"); return r; }
static uint64_t load8_ah(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movb (%1), %h0" : "+a"(r) : "r"(a) : "memory"); return r; }
static uint64_t load16(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movw (%1), %w0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t load32(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movl (%1), %k0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t load64(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movq (%1), %0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t movzx8(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movzbl (%1), %k0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t movzx16(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movzwq (%1), %0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t movsx8(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movsbq (%1), %0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t movsx16(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movswl (%1), %k0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t movsxd(uint64_t a) { uint64_t r = PATTERN; __asm__ volatile("movslq (%1), %0" : "+r"(r) : "r"(a) : "memory"); return r; }
static uint64_t moffs_hpet(void) { uint64_t r = PATTERN; __asm__ volatile("movabs 0xfed00000, %%eax" : "+a"(r) :: "memory"); return r; }

struct form {
    const char *name;
    uint64_t (*load)(uint64_t);
    uint64_t want;
};
static const struct form forms[] = {
    { "mov8", load8, 0x11223344556677ffull },
    { "mov8-ah", load8_ah, 0x112233445566ff88ull },
    { "mov16", load16, 0x112233445566ffffull },
    { "mov32", load32, 0xffffffffull },
    { "mov64", load64, ~0ull },
    { "movzx8", movzx8, 0xffull },
    { "movzx16", movzx16, 0xffffull },
    { "movsx8", movsx8, ~0ull },
    { "movsx16", movsx16, 0xffffffffull },
    { "movsxd", movsxd, ~0ull },
};

static void check_unbacked(const char *where, uint64_t addr)
{
    for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char name[64];
        gsnprintf(name, sizeof(name), "unbacked-%s-%s", where, forms[i].name);
        uint64_t got = forms[i].load(addr + 8 * i);
        check(name, got == forms[i].want, "read at %#lx gave %#lx, want %#lx",
              (unsigned long)(addr + 8 * i), (unsigned long)got, (unsigned long)forms[i].want);
    }
}

int guest_main(const struct exitless_boot_info *bi)
{
    uint8_t v = 0;
    uint64_t last = bi->mem_size - 1;
    int e = probe_write8(last, 0x77) | probe_read8(last, &v);
    check("own-memory", e == 0 && v == 0x77, "last byte of RAM: vector %d value %#x", e, v);

    check_unbacked("above-ram", bi->mem_size + 0x3000);
    check_unbacked("pci-hole", 0xf0000000ull);
    check_unbacked("hpet", 0xfed00000ull);
    uint64_t got = moffs_hpet();
    check("unbacked-hpet-moffs", got == 0xffffffffull, "movabs from 0xfed00000 gave %#lx",
          (unsigned long)got);
    /* Half in its RAM, half beyond: the RAM half as it is, the rest all ones. */
    volatile uint32_t *tail = (volatile uint32_t *)(uintptr_t)(bi->mem_size - 4);
    *tail = 0x5a5a5a5a;
    got = load64(bi->mem_size - 4);
    check("unbacked-straddle-ram", got == 0xffffffff5a5a5a5aull, "8 bytes at the end of RAM "
          "gave %#lx", (unsigned long)got);

    gprintf("writing outside my memory at %#lx: the hypervisor must stop me\n",
            (unsigned long)(bi->mem_size + 0x2000));
    probe_write8(bi->mem_size + 0x2000, 1);
    check("outside-write-stopped", false, "the write outside guest memory completed");
    return 1;
}
