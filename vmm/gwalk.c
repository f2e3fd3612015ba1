/* Guest page walks (SDM vol. 3, 4.3 and 4.5) for the instructions the hypervisor emulates
 * with memory operands (LIDT/SIDT/LGDT/SGDT, all-ones reads) and fetches it decodes. */
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"

#define PG_P    (1ull << 0)
#define PG_PS   (1ull << 7)
#define PG_ADDR 0x000ffffffffff000ull
#define CR0_PG_BIT (1ull << 31)
#define CR4_PAE_BIT (1ull << 5)
#define CR4_PSE_BIT (1ull << 4)
#define CR4_LA57_BIT (1ull << 12)
#define EFER_LMA_BIT (1ull << 10)

/* 4-level paging, or 5-level with CR4.LA57 (SDM vol. 3, 4.5): Linux's decompressor turns
 * 5-level paging on where the CPU has it. */
static int walk_long(struct vcpu *v, uint64_t cr3, int levels, uint64_t gla, uint64_t *gpa)
{
    uint64_t table = cr3 & PG_ADDR;
    for (int level = levels; level >= 1; level--) {
        int shift = 12 + 9 * (level - 1);
        uint64_t e;
        if (guest_read(v->guest, table + ((gla >> shift) & 511) * 8, &e, 8) || !(e & PG_P))
            return -1;
        if (level == 1 || (level <= 3 && (e & PG_PS))) {
            uint64_t size = 1ull << shift;
            *gpa = (e & PG_ADDR & ~(size - 1)) | (gla & (size - 1));
            return 0;
        }
        table = e & PG_ADDR;
    }
    return -1;
}

static int walk_32(struct vcpu *v, uint64_t cr3, uint64_t cr4, uint64_t gla, uint64_t *gpa)
{
    uint32_t pde, pte;
    if (guest_read(v->guest, (cr3 & 0xfffff000u) + ((gla >> 22) & 1023) * 4, &pde, 4) ||
        !(pde & PG_P))
        return -1;
    if ((cr4 & CR4_PSE_BIT) && (pde & PG_PS)) {
        *gpa = (pde & 0xffc00000u) | (gla & 0x3fffff);
        return 0;
    }
    if (guest_read(v->guest, (pde & 0xfffff000u) + ((gla >> 12) & 1023) * 4, &pte, 4) ||
        !(pte & PG_P))
        return -1;
    *gpa = (pte & 0xfffff000u) | (gla & 0xfff);
    return 0;
}

int gwalk_translate(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
    uint64_t cr0 = vcpu_get(v, VREG_CR0), cr4 = vcpu_get(v, VREG_CR4);
    uint64_t cr3 = vcpu_get(v, VREG_CR3);
    if (!(cr0 & CR0_PG_BIT)) {
        *gpa = gla & 0xffffffffull;
        return 0;
    }
    if (vcpu_get(v, VREG_EFER) & EFER_LMA_BIT)
        return walk_long(v, cr3, (cr4 & CR4_LA57_BIT) ? 5 : 4, gla, gpa);
    if (cr4 & CR4_PAE_BIT)
        return -1; /* PAE without long mode: not supported for emulated operands */
    return walk_32(v, cr3, cr4, gla, gpa);
}

static int gwalk_copy(struct vcpu *v, uint64_t gla, void *buf, size_t len, int write)
{
    uint8_t *b = buf;
    while (len) {
        uint64_t gpa, chunk = 4096 - (gla & 4095);
        if (chunk > len)
            chunk = len;
        if (gwalk_translate(v, gla, &gpa))
            return -1;
        int rc = write ? guest_write(v->guest, gpa, b, chunk) : guest_read(v->guest, gpa, b, chunk);
        if (rc)
            return -1;
        gla += chunk;
        b += chunk;
        len -= chunk;
    }
    return 0;
}

int gwalk_read(struct vcpu *v, uint64_t gla, void *buf, size_t len)
{
    return gwalk_copy(v, gla, buf, len, 0);
}

int gwalk_write(struct vcpu *v, uint64_t gla, const void *buf, size_t len)
{
    return gwalk_copy(v, gla, (void *)(uintptr_t)buf, len, 1);
}
