/* Per-CPU structures and the GS self pointer. */
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/percpu.h"

extern char bsp_stack_top[];

static struct percpu cpus[MAX_CPUS];
static bool bsp_ready;

struct percpu *percpu_of(uint32_t cpu)
{
    return cpu < MAX_CPUS ? &cpus[cpu] : NULL;
}

void percpu_init_bsp(void)
{
    struct percpu *p = &cpus[0];
    p->self = p;
    p->cpu_id = 0;
    p->stack_top = (uint64_t)(uintptr_t)bsp_stack_top;
    p->stack_size = BOOT_STACK_SIZE;
    p->fault_expect_vector = -1;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
    bsp_ready = true;
}

bool percpu_ready(void)
{
    return bsp_ready;
}

uint32_t current_cpu_id(void)
{
    return bsp_ready ? this_cpu()->cpu_id : 0;
}
