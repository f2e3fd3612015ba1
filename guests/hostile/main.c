/* hostile: a guest that attacks the hypervisor from two vCPUs at once and reports what the
 * hypervisor did; one image, the attacks chosen by command-line words:
 *   console  both vCPUs flood the hypercall console and the virtual UART without newlines
 *   notify   vCPU 1 rewrites an HC_NOTIFY request while the management CPU serves it
 *   x2apic   every x2APIC MSR a guest may write, with each bit 0..63 set in turn
 *   xsetbv   CPUID.OSXSAVE, XSETBV and XGETBV against CR4.OSXSAVE
 *   idt      (exitless) a two-page IDT: a write straddling its pages, LIDT back and forth
 *            under a vCPU taking interrupts, an interrupt whose stack is the IDT page
 *            (idt-straddle, idt-lidt, idt-step: only those)
 *   neighbour rounds=N   no attack: N rounds of HC_PING, then PASS heartbeat
 * Blockers (one line, then never give the core back; the manifest's time_limit must stop
 * them): block-cli, block-cr8, block-idt-limit=0x30|0xe0, block-step. */
#include "hostile.h"

const struct exitless_boot_info *bi;
bool exitless;
volatile uint64_t vec_count[256];    /* interrupts seen, by vector */
struct hc_notify_req req __attribute__((aligned(64)));
struct hc_exit_stats s0, s1;

void eoi(void) { wrmsr(X2APIC_EOI, 0); }
static void on_irq(uint8_t v, uint64_t e) { (void)e; vec_count[v]++; eoi(); }
uint64_t others_than(uint8_t a, uint8_t b)
{
    uint64_t n = 0;
    for (int v = 32; v < 256; v++)
        if (v != a && v != b)
            n += vec_count[v];
    return n;
}

/* ---------------------------------------------------------------- vCPU 1's mailbox */

volatile uint64_t job, job_seq, job_done_seq, job_stop, job_result;
volatile uint64_t vcpu1_index = ~0ull, vcpu1_id = ~0ull, vcpu1_rsp, vcpu1_up;
struct guest_barrier barrier;

void run_on_vcpu1(enum job j)
{
    job_stop = 0;
    job = j;
    atomic_inc(&job_seq);
}

bool vcpu1_finished(void)
{
    for (uint64_t i = 0; atomic_load(&job_done_seq) != atomic_load(&job_seq); i++) {
        if (i > SPINS)
            return false;
        __asm__ volatile("sti; pause");
    }
    return true;
}

/* ---------------------------------------------------------------- vCPU 1 */

void guest_vcpu_main(unsigned index)
{
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    vcpu1_index = index;
    vcpu1_id = guest_id();
    vcpu1_rsp = rsp;
    guest_flag_set(&vcpu1_up);
    if (index != 1)
        return;
    uint64_t seen = 0;
    for (;;) {
        while (atomic_load(&job_seq) == seen)
            __asm__ volatile("sti; pause");
        seen = atomic_load(&job_seq);
        switch (job) {
        case JOB_CONSOLE: console_flood(1); break;
        case JOB_NOTIFY_REWRITE: notify_rewrite(); break;
        case JOB_IDT_GATES: {
            uint8_t *idt = IDT_SPLIT;
            while (!atomic_load(&job_stop))
                for (int v = 0x90; v < 0xa0; v++)
                    guest_set_gate(idt, (uint8_t)v, guest_isr_stub((uint8_t)v), true);
            break;
        }
        case JOB_SELF_IPIS: {
            uint64_t sent = 0;
            __asm__ volatile("sti");
            while (!atomic_load(&job_stop)) {
                uint64_t want = vec_count[VEC_VCPU1] + 1;
                self_ipi(VEC_VCPU1);
                sent++;
                if (!guest_wait_count(&vec_count[VEC_VCPU1], want, SPINS))
                    break;
            }
            job_result = sent;
            break;
        }
        case JOB_LOAD_IDT: guest_load_idt_limit(IDT_SPLIT, IDT_SPLIT_LIMIT); break;
        default: break;
        }
        atomic_store(&job_done_seq, seen);
    }
}

int guest_main(const struct exitless_boot_info *boot)
{
    bi = boot;
    const char *c = bi->cmdline;
    exitless = guest_has_word(c, "exitless");
    if (guest_has_word(c, "neighbour"))
        return neighbour();
    if (guest_has_word(c, "block-"))
        block();
    /* The runtime's SMP start: vCPU 1 came up with its own index, stack and IDT. */
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    bool up = bi->nvcpus >= 2 && guest_flag_wait(&vcpu1_up, SPINS);
    uint64_t d = vcpu1_rsp > rsp ? vcpu1_rsp - rsp : rsp - vcpu1_rsp;
    check("smp-vcpu1-started", up && vcpu1_index == 1 && vcpu1_id == guest_id() && guest_vcpu_index() == 0 &&
              d >= 8192 && d < 2 * 16384,
          "nvcpus %u up %d index %lu id %lu/%u, stacks 0x%lx and 0x%lx", bi->nvcpus, up, vcpu1_index,
          vcpu1_id, guest_id(), rsp, vcpu1_rsp);
    if (!up)
        return 1;
    /* Every interrupt is counted by vector (a few phases put their own handlers on top). */
    for (int v = 0x20; v <= 0xff; v++)
        guest_set_handler((uint8_t)v, on_irq);
    if (guest_has_word(c, "console"))
        console_phase();
    if (guest_has_word(c, "notify"))
        notify_phase();
    if (guest_has_word(c, "x2apic"))
        x2apic_phase();
    if (guest_has_word(c, "xsetbv"))
        xsetbv_phase();
    if (guest_has_word(c, "idt"))
        idt_phase();
    /* Still in one piece: a last check and statistics that name this guest. */
    guest_exit_stats(&s1);
    check("hypervisor-still-answers", s1.total_exits > 0 && hypercall(HC_PING, 0, 0, 0) == 0,
          "total exits %lu", s1.total_exits);
    return 0;
}
