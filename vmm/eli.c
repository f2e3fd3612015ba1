/* The shadow IDT. Where it lives and why that is safe:
 *  - The guest's IDTR keeps the value the guest loaded (SIDT shows it unchanged). The guest
 *    pages that hold its IDT are replaced in the guest's EPT by hypervisor pages mapped
 *    read+execute only: a copy of the guest's pages in which every gate of a vector the guest
 *    does not own has its present bit cleared. The CPU delivers through that copy.
 *  - The shadow pages are never writable by the guest and hold nothing but the guest's own
 *    bytes (minus present bits), so reading them tells it nothing about anyone else.
 *  - A guest write to its IDT page exits (EPT write violation); the real page is mapped for
 *    one instruction under the monitor trap flag with external-interrupt exiting on (so no
 *    interrupt sees the real gates), then the shadow is rebuilt and mapped back.
 *  - LIDT exits (descriptor-table exiting): the new table is shadowed before it is used;
 *    until a guest has loaded an IDT, external-interrupt exiting stays on.
 *  - If a guest repoints its page tables so its IDTR maps an unshadowed page, it can only
 *    receive interrupts it would otherwise exit on; NMIs (always exiting) keep the core the
 *    hypervisor's.
 * Limits: all vCPUs of a guest share one shadowed IDT (EPT is per guest); the IDT may span
 * at most two pages; guests reading their IDT memory see the cleared present bits. */
#include <string.h>

#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "vmm/eli.h"
#include "vmm/gwalk.h"
#include "vmm/step.h"
#include "vmm/vmx_bits.h"
#include "vmm/vmx_ops.h"

#define GATE_P (1u << 7)            /* type/attribute byte of a gate (offset 5) */
#define GATE_ATTR_OFFSET 5
#define NP_ERR_EXT (1u << 0)        /* #NP error code (SDM 6.13) */
#define NP_ERR_IDT (1u << 1)
#define NP_ERR_INDEX_SHIFT 3
#define EFER_LMA_BIT (1ull << 10)
/* VM-exit instruction information for LGDT/LIDT/SGDT/SIDT (SDM table 28-10). */
#define DT_SCALE(i)      ((i) & 3u)
#define DT_ADDR_SIZE(i)  (((i) >> 7) & 7u)    /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
#define DT_OPSIZE32      (1u << 11)
#define DT_SEG(i)        (((i) >> 15) & 7u)
#define DT_INDEX(i)      (((i) >> 18) & 15u)
#define DT_INDEX_INVALID (1u << 22)
#define DT_BASE(i)       (((i) >> 23) & 15u)
#define DT_BASE_INVALID  (1u << 27)
#define DT_IDENTITY(i)   (((i) >> 28) & 3u)   /* 0 SGDT, 1 SIDT, 2 LGDT, 3 LIDT */

bool eli_owned(uint8_t vector)
{
    enum vector_owner o = vector_owner(vector);
    return o == VECTOR_EXCEPTION || o == VECTOR_GUEST;
}

void eli_set_intr_exiting(struct vcpu *v, bool on)
{
    uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL);
    pin = on ? pin | PIN_BASED_EXT_INTR_MASK : pin & ~PIN_BASED_EXT_INTR_MASK;
    vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
    (void)v;
}


/* Maps guest page i to its shadow (read + execute) or back to the guest's own RAM. */
static int map_page(struct guest *g, uint32_t i, bool shadow)
{
    uint64_t gpa = g->eli.gpa[i];
    uint64_t hpa = shadow ? g->eli.shadow_hpa[i] : g->mem_hpa + gpa;
    uint64_t attrs = (shadow ? (EPT_R | EPT_X) : EPT_RWX) | EPT_MT_WB;
    return pt_remap_4k(&g->ept.pt, gpa, hpa, attrs);
}

/* Copies the guest's pages into the shadow and clears the present bit of every gate the
 * guest does not own. */
static void rebuild(struct guest *g)
{
    struct eli_state *e = &g->eli;
    uint64_t gate = e->long_mode ? 16 : 8;
    for (uint32_t i = 0; i < e->npages; i++)
        memcpy(phys_to_virt(e->shadow_hpa[i]), phys_to_virt(g->mem_hpa + e->gpa[i]), PAGE_SIZE);
    uint64_t first_page_off = e->idt_base & (PAGE_SIZE - 1);
    for (uint32_t vec = 0; vec < 256; vec++) {
        uint64_t off = first_page_off + vec * gate + GATE_ATTR_OFFSET;
        if (vec * gate + gate - 1 > e->idt_limit || off / PAGE_SIZE >= e->npages)
            break;
        if (!eli_owned((uint8_t)vec)) {
            uint8_t *attr = (uint8_t *)phys_to_virt(e->shadow_hpa[off / PAGE_SIZE]) +
                            off % PAGE_SIZE;
            *attr &= (uint8_t)~GATE_P;
        }
    }
    e->rebuilds++;
}

/* The guest loaded IDTR (base, limit): shadow the pages it lives in. */
static int track_idt(struct vcpu *v, uint64_t base, uint32_t limit)
{
    struct guest *g = v->guest;
    struct eli_state *e = &g->eli;
    uint64_t gpa[ELI_MAX_PAGES];
    uint32_t n = (uint32_t)(((base & (PAGE_SIZE - 1)) + limit) / PAGE_SIZE) + 1;
    if (n > ELI_MAX_PAGES)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (gwalk_translate(v, (base & ~(PAGE_SIZE - 1)) + i * PAGE_SIZE, &gpa[i]) ||
            gpa[i] + PAGE_SIZE > g->mem_size)
            return -1;
        gpa[i] &= ~(PAGE_SIZE - 1);
    }
    /* Give back the old pages, then shadow the new ones. */
    for (uint32_t i = 0; i < e->npages; i++)
        if (map_page(g, i, false))
            return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (!e->shadow_hpa[i] && (e->shadow_hpa[i] = frames_alloc(1, PAGE_SIZE)) == FRAME_NONE) {
            e->shadow_hpa[i] = 0;
            return -1;
        }
        e->gpa[i] = gpa[i];
    }
    e->npages = n;
    e->idt_base = base;
    e->idt_limit = limit;
    e->long_mode = vmcs_read64(GUEST_IA32_EFER) & EFER_LMA_BIT;
    rebuild(g);
    for (uint32_t i = 0; i < n; i++)
        if (map_page(g, i, true))
            return -1;
    e->active = true;
    e->stepping_page = -1;
    vcpu_invept(v);
    eli_set_intr_exiting(v, false);
    return 0;
}

/* Linear address of the memory operand of a descriptor-table instruction. */
static uint64_t operand_address(struct vcpu *v, uint32_t info)
{
    static const uint32_t seg_base[] = { GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
                                         GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE };
    uint64_t addr = vmcs_readl(EXIT_QUALIFICATION); /* the displacement */
    if (!(info & DT_BASE_INVALID))
        addr += DT_BASE(info) == 4 ? vmcs_readl(GUEST_RSP) : *vcpu_gpr(v, DT_BASE(info));
    if (!(info & DT_INDEX_INVALID))
        addr += (DT_INDEX(info) == 4 ? vmcs_readl(GUEST_RSP) : *vcpu_gpr(v, DT_INDEX(info)))
                << DT_SCALE(info);
    if (DT_ADDR_SIZE(info) == 0)
        addr &= 0xffff;
    else if (DT_ADDR_SIZE(info) == 1)
        addr &= 0xffffffffull;
    if (DT_SEG(info) < 6)
        addr += vmcs_read_checked(seg_base[DT_SEG(info)], __func__);
    return addr;
}

enum exit_action handle_desc_table(struct vcpu *v)
{
    uint32_t info = vmcs_read32(VMX_INSTRUCTION_INFO);
    bool lma = vmcs_read64(GUEST_IA32_EFER) & EFER_LMA_BIT;
    uint64_t gla = operand_address(v, info);
    uint32_t id = DT_IDENTITY(info);
    bool idt = id == 1 || id == 3;
    uint32_t base_f = idt ? GUEST_IDTR_BASE : GUEST_GDTR_BASE;
    uint32_t limit_f = idt ? GUEST_IDTR_LIMIT : GUEST_GDTR_LIMIT;
    uint8_t desc[10] = { 0 };
    size_t len = lma ? 10 : 6;

    if (id <= 1) { /* SGDT/SIDT: store limit and base as the CPU would */
        uint16_t limit = (uint16_t)vmcs_read_checked(limit_f, __func__);
        uint64_t base = vmcs_read_checked(base_f, __func__);
        memcpy(desc, &limit, 2);
        memcpy(desc + 2, &base, lma ? 8 : 4);
        if (gwalk_write(v, gla, desc, len))
            goto bad_operand;
    } else {
        uint16_t limit;
        uint64_t base = 0;
        if (gwalk_read(v, gla, desc, len))
            goto bad_operand;
        memcpy(&limit, desc, 2);
        memcpy(&base, desc + 2, lma ? 8 : 4);
        if (!lma && !(info & DT_OPSIZE32))
            base &= 0xffffff;
        vmcs_write_checked(base_f, base, __func__);
        vmcs_write_checked(limit_f, limit, __func__);
        if (idt && v->guest->intr_mode == VMX_INTR_EXITLESS && track_idt(v, base, limit)) {
            guest_fault(v->guest, "cannot shadow the IDT at %#lx (limit %#x): it must lie in "
                                  "guest RAM in at most %d pages", base, limit, ELI_MAX_PAGES);
            return EXIT_STOP;
        }
    }
    vcpu_skip_instruction();
    return EXIT_RESUME;

bad_operand:
    vcpu_inject_exception(VEC_PF, true, 0);
    vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    return EXIT_RESUME;
}

bool eli_ept_write(struct vcpu *v, uint64_t gpa)
{
    struct eli_state *e = &v->guest->eli;
    if (!e->active)
        return false;
    for (uint32_t i = 0; i < e->npages; i++) {
        if ((gpa & ~(PAGE_SIZE - 1)) != e->gpa[i])
            continue;
        /* One instruction on the real page, with every interrupt exiting meanwhile. */
        if (map_page(v->guest, i, false))
            return false;
        vcpu_invept(v);
        e->stepping_page = (int)i;
        step_begin(v, STEP_IDT);
        return true;
    }
    return false;
}

void eli_step_done(struct vcpu *v)
{
    struct guest *g = v->guest;
    struct eli_state *e = &g->eli;
    if (e->stepping_page < 0) {
        guest_fault(g, "single-step exit with no shadow IDT step in progress");
        return;
    }
    rebuild(g);
    if (map_page(g, (uint32_t)e->stepping_page, true)) {
        guest_fault(g, "cannot map the shadow IDT back");
        return;
    }
    e->stepping_page = -1;
    vcpu_invept(v);
}

enum exit_action eli_handle_np(struct vcpu *v)
{
    uint32_t err = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
    uint8_t vec = (uint8_t)(err >> NP_ERR_INDEX_SHIFT);
    if ((err & (NP_ERR_EXT | NP_ERR_IDT)) == (NP_ERR_EXT | NP_ERR_IDT) && !eli_owned(vec)) {
        /* An interrupt of the hypervisor's: already accepted by the LAPIC (in service);
         * its handler runs here and sends the EOI. It is not re-injected. */
        v->hv_interrupts++;
        irq_dispatch_vector(vec);
        return EXIT_RESUME;
    }
    /* The guest's own #NP (a not-present gate of its own, a segment): as hardware would. */
    vcpu_inject_exception(VEC_NP, true, err);
    return EXIT_RESUME;
}
