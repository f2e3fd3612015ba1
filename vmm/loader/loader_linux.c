/* Linux guests, both boot protocols: memory map, command line, initrd, ACPI tables, GDT. */
#include <string.h>

#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_linux.h"
#include "vmm/platform/acpi_tables.h"

int linux_setup_begin(struct guest *g, struct linux_setup *s, char *err, size_t len)
{
    memset(s, 0, sizeof(*s));
    int n = linux_memmap(g->mem_size, s->map, err, len);
    if (n < 0)
        return -1;
    s->args.map = s->map;
    s->args.nmap = (unsigned)n;
    return 0;
}

static int place_cmdline(struct guest *g, struct linux_setup *s, uint32_t cmdline_max,
                         char *err, size_t len)
{
    const char *cl = g->cmdline ? g->cmdline : "";
    if (linux_cmdline_check(cl, cmdline_max, err, len) ||
        loader_copy(g, LINUX_GPA_CMDLINE, cl, strlen(cl) + 1, 0))
        return -1;
    s->args.cmdline_gpa = LINUX_GPA_CMDLINE;
    return 0;
}

static int place_initrd(struct guest *g, struct linux_setup *s, uint64_t kernel_end,
                        uint64_t initrd_max, char *err, size_t len)
{
    struct guest_entry *e = &g->entry;
    uint64_t start;
    if (!e->mod_src)
        return 0;
    if (linux_initrd_place(g->mem_size, kernel_end, initrd_max, e->mod_size, &start, err, len))
        return -1;
    if (loader_copy(g, start, e->mod_src, e->mod_size, 0))
        return loader_fail(err, len, "initrd '%s' could not be copied", e->mod_name);
    e->mod_start = start;
    e->mod_end = start + e->mod_size;
    s->args.initrd_start = start;
    s->args.initrd_size = e->mod_size;
    return 0;
}

/* The tables describe the guest's cores and its PCI root. The host bridge at 00:00.0
 * answers on 0xCF8/0xCFC for every guest (vmm/vpci/vpci.c), assigned functions or not,
 * so the root bridge is always there and nothing here waits for vpci_setup. */
static int place_acpi(struct guest *g, struct linux_setup *s, char *err, size_t len)
{
    struct guest_acpi_cfg cfg = {
        .ncpus = g->nvcpus,
        .pci = true,
        .pci_mmio_base = VPCI_MMIO_BASE,
        .pci_mmio_end = VPCI_MMIO_END,
        .com1 = true,
    };
    if (g->nvcpus > ACPI_GUEST_MAX_CPUS)
        return loader_fail(err, len, "%u vCPUs, the guest's ACPI tables list at most %u",
                           g->nvcpus, ACPI_GUEST_MAX_CPUS);
    for (uint32_t i = 0; i < g->nvcpus; i++)
        cfg.apic_ids[i] = g->vcpus[i].apic_id;
    void *buf = guest_ram_ptr(g, LINUX_GPA_ACPI, LINUX_ACPI_SIZE);
    uint64_t rsdp = 0;
    if (!buf || !guest_acpi_build(&cfg, buf, LINUX_ACPI_SIZE, LINUX_GPA_ACPI, &rsdp))
        return loader_fail(err, len, "the guest's ACPI tables do not fit in %llu KiB at %#llx",
                           LINUX_ACPI_SIZE >> 10, LINUX_GPA_ACPI);
    s->args.rsdp_gpa = rsdp;
    return 0;
}

static void build_gdt(struct guest *g)
{
    static const uint64_t gdt[4] = {
        0,
        0x00cf9b000000ffffull,  /* 0x08: flat 32-bit code, execute/read */
        0x00af9b000000ffffull,  /* 0x10: 64-bit code, execute/read */
        0x00cf93000000ffffull,  /* 0x18: flat data, read/write */
    };
    memcpy(guest_ram_ptr(g, LINUX_GPA_GDT, sizeof(gdt)), gdt, sizeof(gdt));
    g->entry.gdt_base = LINUX_GPA_GDT;
    g->entry.gdt_limit = sizeof(gdt) - 1;
}

int linux_setup_finish(struct guest *g, struct linux_setup *s, uint32_t cmdline_max,
                       uint64_t kernel_end, uint64_t initrd_max, char *err, size_t len)
{
    if (place_cmdline(g, s, cmdline_max, err, len) ||
        place_initrd(g, s, kernel_end, initrd_max, err, len) || place_acpi(g, s, err, len))
        return -1;
    build_gdt(g);
    g->entry.ds = LINUX_SEL_DATA;
    g->entry.rsp = LINUX_GPA_STACK_TOP;
    g->entry.aps_wait_sipi = true;
    return 0;
}
