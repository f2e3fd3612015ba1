/* Linux guests, both boot protocols: memory map, command line, initrd, ACPI tables, GDT. */
#include <stdio.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/tsc.h"
#include "vmm/cpuid_policy.h"

#include "vmm/loader/linux_layout.h"
#include "vmm/loader/loader_linux.h"
#include "vmm/platform/acpi_tables.h"

int linux_setup_begin(struct guest *g, struct linux_setup *s, char *err, size_t len)
{
    memset(s, 0, sizeof(*s));
    /* In injected mode the hypervisor keeps 0xe0-0xff, where Linux puts its local timer and
     * its IPIs (vmm/intr/vector_policy.h): such a guest would wait forever for its timer. */
    if (g->intr_mode != INTR_EXITLESS)
        return loader_fail(err, len, "a Linux guest needs interrupts = \"exitless\": in "
                                     "injected mode its timer and IPI vectors (0xec-0xff) are "
                                     "the hypervisor's");
    int n = linux_memmap(g->mem_size, s->map, err, len);
    if (n < 0)
        return -1;
    s->args.map = s->map;
    s->args.nmap = (unsigned)n;
    return 0;
}

/* What the hypervisor adds to a Linux guest's command line, each only when the user did not
 * give it, and says so in the log:
 * - `noapic`: the guest has no IOAPIC (its MADT lists none), and only with IOAPIC setup
 *   skipped does Linux 6.1 keep the x2APIC mode it was started in when it finds no interrupt
 *   remapping; otherwise it switches to the xAPIC page, which the hypervisor does not offer.
 * - `tsc_early_khz=`: Linux takes the TSC frequency from CPUID 0x15 on Intel CPUs only; on AMD
 *   it would calibrate against a PIT, which under the hypervisor answers at exit speed (too
 *   slow for its quick calibration), so it is told the frequency the hypervisor measured. */
static void append(char *buf, size_t size, const char *what)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? " " : "", what);
}

static const char *with_extras(struct guest *g, const char *cl, char *buf, size_t size)
{
    char extra[64] = "";
    if (!strstr(cl, "noapic"))
        append(extra, sizeof(extra), "noapic");
    struct cpuid_regs leaf0 = cpuid(0, 0);
    if (cpuid_vendor_amd(&leaf0) && !strstr(cl, "tsc_early_khz=")) {
        char khz[32];
        snprintf(khz, sizeof(khz), "tsc_early_khz=%lu", tsc_hz() / 1000);
        append(extra, sizeof(extra), khz);
    }
    if (!extra[0])
        return cl;
    int n = snprintf(buf, size, "%s%s%s", cl, cl[0] ? " " : "", extra);
    if (n < 0 || (size_t)n >= size)
        return NULL;
    log_info("loader", "%s: appended to the command line: %s", g->name, extra);
    return buf;
}

static int place_cmdline(struct guest *g, struct linux_setup *s, uint32_t cmdline_max,
                         char *err, size_t len)
{
    /* Guests are built at boot by the management CPU and restarted on their own cores, so
     * several may build at once: buf_lock protects buf. */
    static char buf[LINUX_CMDLINE_MAX];
    static struct spinlock buf_lock = SPINLOCK_INIT;
    spin_lock(&buf_lock);
    const char *cl = with_extras(g, g->cmdline ? g->cmdline : "", buf, sizeof(buf));
    if (!cl) {
        spin_unlock(&buf_lock);
        return loader_fail(err, len, "the command line does not fit in %u bytes with what the "
                                     "hypervisor appends (noapic, tsc_early_khz=)",
                           (unsigned)sizeof(buf));
    }
    int rc = linux_cmdline_check(cl, cmdline_max, err, len) ||
             loader_copy(g, LINUX_GPA_CMDLINE, cl, strlen(cl) + 1, 0);
    spin_unlock(&buf_lock);
    if (rc)
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
        .uart_on_pci = true,     /* the UART as a PCI function with MSI (vmm/vpci/vpci_uart.h) */
    };
    g->uart.on_pci = true;
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
