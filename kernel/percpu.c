/* Per-CPU structures, the GS self pointer and the CPU id <-> APIC id map. */
#include "kernel/arch.h"
#include "kernel/layout.h"
#include "kernel/percpu.h"

extern char bsp_stack_top[];

static struct percpu cpus[MAX_CPUS];
static uint32_t ncpus = 1;
static bool bsp_ready;

struct percpu *percpu_of(uint32_t cpu)
{
    return cpu < ncpus ? &cpus[cpu] : NULL;
}

static void percpu_defaults(struct percpu *p, uint32_t cpu)
{
    p->self = p;
    p->cpu_id = cpu;
    p->fault_expect_vector = -1;
    p->remote.ping_from = CPU_NONE;
}

void percpu_load(struct percpu *p)
{
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

void percpu_init_bsp(void)
{
    struct percpu *p = &cpus[0];
    percpu_defaults(p, 0);
    p->stack_top = (uint64_t)(uintptr_t)bsp_stack_top;
    p->stack_size = BOOT_STACK_SIZE;
    percpu_load(p);
    bsp_ready = true;
}

struct percpu *percpu_prepare(uint32_t cpu, uint32_t apic_id, uint32_t acpi_uid)
{
    if (cpu >= MAX_CPUS)
        return NULL;
    struct percpu *p = &cpus[cpu];
    if (cpu)
        percpu_defaults(p, cpu);
    p->apic_id = apic_id;
    p->acpi_uid = acpi_uid;
    if (cpu >= ncpus)
        ncpus = cpu + 1;
    return p;
}

bool percpu_ready(void)
{
    return bsp_ready;
}

uint32_t current_cpu_id(void)
{
    return bsp_ready ? this_cpu()->cpu_id : 0;
}

uint32_t cpu_count(void) { return ncpus; }

uint32_t cpus_online(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ncpus; i++)
        n += cpus[i].remote.online ? 1 : 0;
    return n;
}

uint32_t cpu_of_apic_id(uint32_t apic_id)
{
    for (uint32_t i = 0; i < ncpus; i++)
        if (cpus[i].apic_id == apic_id)
            return i;
    return CPU_NONE;
}
