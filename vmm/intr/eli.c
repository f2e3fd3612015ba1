/* The shadow IDT. Where it lives and why that is safe:
 *  - The guest's IDTR keeps the value the guest loaded (SIDT shows it unchanged). The guest
 *    pages that hold its IDT are replaced in the guest's EPT by hypervisor pages mapped
 *    read+execute only: a copy of the guest's pages in which every gate of a vector the guest
 *    does not own has its present bit cleared. The CPU delivers through that copy.
 *  - The shadow pages are never writable by the guest and hold nothing but the guest's own
 *    bytes (minus present bits), so reading them tells it nothing about anyone else.
 *  - A guest write to its IDT page exits (EPT write violation); the real page is mapped for
 *    one instruction under single-step with external-interrupt exiting on (so no interrupt
 *    of that vCPU sees the real gates), then the shadow is rebuilt and mapped back, and every
 *    vCPU of the guest drops the writable translation (vmm/step.c).
 *  - LIDT exits (descriptor-table exiting): the new table is shadowed before it is used;
 *    until a vCPU has loaded an IDT, external-interrupt exiting stays on for it. Each vCPU's
 *    IDT is tracked: the shadowed pages are the union of them all, so one vCPU moving its
 *    IDT never unshadows another's.
 *  - A vector past the guest's IDT limit raises #GP instead of #NP: #GP exits too, and one
 *    caused by an external event on a hypervisor vector is the hypervisor's interrupt.
 *  - If a guest repoints its page tables so its IDTR maps an unshadowed page, it can only
 *    receive interrupts it would otherwise exit on; NMIs (always exiting) keep the core the
 *    hypervisor's.
 * Limits: an IDT may span at most two pages; guests reading their IDT memory see the cleared
 * present bits; while one vCPU steps a write, another vCPU of the guest with its interrupts
 * exitless could take a hypervisor interrupt through the real page (it only loses that
 * interrupt: the stop and the EPT invalidation use NMIs); the guest's own #GPs exit. All
 * shadow state is under guest->ept_lock. */
#include <string.h>

#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trap.h"
#include "kernel/vectors.h"
#include "vmm/intr/eli.h"
#include "vmm/gwalk.h"
#include "vmm/intr/step.h"
#include "vmm/intr/vector_policy.h"
#include "vmm/vcpu.h"

#define GATE_P (1u << 7)            /* type/attribute byte of a gate (offset 5) */
#define GATE_ATTR_OFFSET 5
#define NP_ERR_IDT (1u << 1)        /* #NP error code (SDM 6.13) */
#define NP_ERR_INDEX_SHIFT 3
#define EFER_LMA_BIT (1ull << 10)

bool eli_owned(const struct guest *g, uint8_t vector)
{
    return vector_owner(vector) == VECTOR_EXCEPTION || guest_owns_vector(g, vector);
}

void eli_set_intr_exiting(struct vcpu *v, bool on)
{
    vendor->intr_exiting(v, on);
}


static struct eli_page *find_page(struct eli_state *e, uint64_t gpa)
{
    for (uint32_t i = 0; i < ELI_MAX_PAGES; i++)
        if (e->page[i].used && e->page[i].gpa == gpa)
            return &e->page[i];
    return NULL;
}

/* Maps a page to its shadow (read + execute) or back to the guest's own RAM. */
static int map_page(struct guest *g, const struct eli_page *p, bool shadow)
{
    uint64_t hpa = shadow ? p->shadow_hpa : g->mem_hpa + p->gpa;
    uint64_t attrs = shadow ? (GPM_R | GPM_X) : GPM_RWX;
    return gpmap_remap_4k(&g->gpmap, p->gpa, hpa, attrs);
}

/* Copies the guest's page into its shadow and clears the present bit of every gate, of
 * every vCPU's IDT that lies in this page, that the guest does not own. */
static void rebuild(struct guest *g, struct eli_page *p)
{
    memcpy(phys_to_virt(p->shadow_hpa), phys_to_virt(g->mem_hpa + p->gpa), PAGE_SIZE);
    uint8_t *shadow = phys_to_virt(p->shadow_hpa);
    for (uint32_t c = 0; c < g->nvcpus; c++) {
        const struct vcpu_idt *t = &g->vcpus[c].idt;
        if (!t->loaded)
            continue;
        uint64_t gate = t->long_mode ? 16 : 8, first_off = t->base & (PAGE_SIZE - 1);
        for (uint32_t vec = 0; vec < 256; vec++) {
            uint64_t off = first_off + vec * gate + GATE_ATTR_OFFSET;
            if (vec * gate + gate - 1 > t->limit || off / PAGE_SIZE >= t->npages)
                break;
            if (t->gpa[off / PAGE_SIZE] == p->gpa && !eli_owned(g, (uint8_t)vec))
                shadow[off % PAGE_SIZE] &= (uint8_t)~GATE_P;
        }
    }
    g->eli.rebuilds++;
}

static bool page_needed(const struct guest *g, uint64_t gpa)
{
    for (uint32_t c = 0; c < g->nvcpus; c++)
        for (uint32_t i = 0; g->vcpus[c].idt.loaded && i < g->vcpus[c].idt.npages; i++)
            if (g->vcpus[c].idt.gpa[i] == gpa)
                return true;
    return false;
}

/* Shadows exactly the pages of the IDTs the vCPUs have loaded (ept_lock held). Pages under
 * a step stay writable; their step's end maps them back. */
static int reshadow_all(struct guest *g)
{
    struct eli_state *e = &g->eli;
    for (uint32_t i = 0; i < ELI_MAX_PAGES; i++) {
        struct eli_page *p = &e->page[i];
        if (p->used && !page_needed(g, p->gpa)) {
            if (!p->steppers && map_page(g, p, false))
                return -1;
            p->used = false; /* keeps shadow_hpa for reuse; a stepper's end finds no page */
        }
    }
    for (uint32_t c = 0; c < g->nvcpus; c++) {
        const struct vcpu_idt *t = &g->vcpus[c].idt;
        for (uint32_t k = 0; t->loaded && k < t->npages; k++) {
            if (find_page(e, t->gpa[k]))
                continue;
            struct eli_page *p = NULL;
            for (uint32_t i = 0; i < ELI_MAX_PAGES && !p; i++)
                if (!e->page[i].used)
                    p = &e->page[i];
            if (!p)
                return -1;
            if (!p->shadow_hpa && (p->shadow_hpa = frames_alloc(1, PAGE_SIZE)) == FRAME_NONE) {
                p->shadow_hpa = 0;
                return -1;
            }
            p->gpa = t->gpa[k];
            p->steppers = 0;
            p->used = true;
        }
    }
    for (uint32_t i = 0; i < ELI_MAX_PAGES; i++) {
        struct eli_page *p = &e->page[i];
        if (!p->used)
            continue;
        rebuild(g, p);
        if (!p->steppers && map_page(g, p, true))
            return -1;
    }
    e->active = true;
    return 0;
}

int eli_unshadow(struct guest *g, uint64_t gpa)
{
    struct eli_page *p = g->eli.active ? find_page(&g->eli, gpa) : NULL;
    if (!p)
        return -1;
    if (p->steppers++ == 0 && map_page(g, p, false))
        return -1;
    return 0;
}

int eli_reshadow(struct guest *g, uint64_t gpa)
{
    struct eli_page *p = find_page(&g->eli, gpa);
    if (!p) {
        /* No longer an IDT page (a LIDT moved every IDT away meanwhile): plain RAM again. */
        return gpmap_remap_4k(&g->gpmap, gpa, g->mem_hpa + gpa, GPM_RWX);
    }
    if (p->steppers && --p->steppers)
        return 0; /* another vCPU's step still writes it */
    rebuild(g, p);
    return map_page(g, p, true);
}

void eli_reset(struct guest *g)
{
    for (uint32_t i = 0; i < ELI_MAX_PAGES; i++) {
        struct eli_page *p = &g->eli.page[i];
        if (p->used && gpmap_remap_4k(&g->gpmap, p->gpa, g->mem_hpa + p->gpa, GPM_RWX))
            log_err("eli", "%s: cannot unshadow the IDT page at %#lx", g->name, p->gpa);
        p->used = false;
        p->steppers = 0;
    }
    for (uint32_t c = 0; c < g->nvcpus; c++)
        g->vcpus[c].idt.loaded = false;
    g->eli.active = false;
}

void eli_vcpu_reset(struct vcpu *v)
{
    struct guest *g = v->guest;
    if (!v->idt.loaded)
        return;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    v->idt.loaded = false;
    int rc = reshadow_all(g);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (rc)
        guest_fault(g, "cannot reshadow its IDTs after an INIT of vCPU %u", v->index);
    guest_ept_sync(v);
}

/* The vCPU loaded IDTR (base, limit): shadow the pages it lives in. */
static int track_idt(struct vcpu *v, uint64_t base, uint32_t limit)
{
    struct guest *g = v->guest;
    struct vcpu_idt t = { .loaded = true, .base = base, .limit = limit };
    t.npages = (uint32_t)(((base & (PAGE_SIZE - 1)) + limit) / PAGE_SIZE) + 1;
    if (t.npages > ELI_IDT_PAGES)
        return -1;
    for (uint32_t i = 0; i < t.npages; i++) {
        if (gwalk_translate(v, (base & ~(PAGE_SIZE - 1)) + i * PAGE_SIZE, &t.gpa[i]) ||
            t.gpa[i] + PAGE_SIZE > g->mem_size)
            return -1;
        t.gpa[i] &= ~(PAGE_SIZE - 1);
    }
    t.long_mode = vcpu_get(v, VREG_EFER) & EFER_LMA_BIT;
    uint64_t flags = spin_lock_irqsave(&g->ept_lock);
    v->idt = t;
    int rc = reshadow_all(g);
    spin_unlock_irqrestore(&g->ept_lock, flags);
    if (rc)
        return -1;
    guest_ept_sync(v);
    eli_set_intr_exiting(v, v->nstep != 0);
    return 0;
}

int eli_idt_loaded(struct vcpu *v, uint64_t base, uint32_t limit)
{
    if (track_idt(v, base, limit)) {
        guest_fault(v->guest, "cannot shadow the IDT at %#lx (limit %#x): it must lie in "
                              "guest RAM in at most %d pages", base, limit, ELI_IDT_PAGES);
        return -1;
    }
    return 0;
}

bool eli_ept_write(struct vcpu *v, uint64_t gpa)
{
    return v->guest->eli.active && step_page_write(v, STEP_IDT, gpa);
}

enum exit_action eli_handle_delivery_fault(struct vcpu *v, uint8_t exception)
{
    uint32_t err = v->exit.exc.error;
    uint8_t vec = (uint8_t)(err >> NP_ERR_INDEX_SHIFT);
    /* The vendor says whether the fault arose delivering an external interrupt (VMX: the
     * error code's EXT bit; SVM: the event being delivered and the LAPIC's ISR). */
    if (v->exit.exc.hw_interrupt_delivery && (err & NP_ERR_IDT) && !eli_owned(v->guest, vec)) {
        /* An interrupt of the hypervisor's, stopped by the shadow's not-present gate (#NP) or
         * by the guest's IDT limit (#GP): already accepted by the LAPIC (in service); its
         * handler runs here and sends the EOI. It is not re-injected. */
        v->hv_interrupts++;
        irq_dispatch_vector(vec);
        return EXIT_RESUME;
    }
    /* The guest's own fault (a gate of its own, a segment, its own #GP): as hardware would. */
    return vcpu_reflect_exception(v, exception, true, err);
}
