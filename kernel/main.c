/* Boot CPU entry: brings the hypervisor up in a fixed order and reports what it found.
 *
 * Init order (each step depends only on the ones above it):
 *   1. console (COM1)             - so every later step can say what it did
 *   2. per-CPU struct, GDT/TSS, IDT - so faults are reported, not silent resets
 *   3. multiboot2 information     - the memory map and modules
 *   4. memory: frames, page tables, heap
 *   5. platform and CPU identification, boot summary
 *   6. ACPI tables                 - CPUs, interrupt controllers, PM timer, ECAM, DMAR
 *   7. interrupt controllers       - 8259 masked, IOAPICs masked, this CPU's LAPIC on
 *   8. time: TSC frequency, then the per-CPU timer (needs the TSC and the LAPIC)
 *   9. devices (manifest mode): PCIe enumeration -> SR-IOV VFs of each [[nic]] -> VT-d
 *      (domains per guest, hypervisor DMA domain, faults to CPU 0, interrupt remapping)
 *      -> NIC PF drivers (switching, QoS, mailbox from the manifest)
 *  10. SMP: cross-call IPIs, then every AP started and idling
 *  11. the run: self-checks (test mode; the test build's device checks) or the guests
 */
#include <stdio.h>
#include <string.h>

#include "drivers/uart/uart16550.h"
#include "kernel/acpi_glue.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/cpuinfo.h"
#include "kernel/devices.h"
#include "selftest/devtest.h"
#include "selftest/soak.h"
#include "kernel/gdt.h"
#include "kernel/intc.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mb2.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "selftest/selftest.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "kernel/tsc.h"
#include "kernel/version.h"
#include "drivers/acpi/acpi.h"
#include "kernel/xcall.h"
#include "kernel/manifest_boot.h"
#include "kernel/smp.h"
#include "vmm/guest_mgr.h"
#include "vmm/machine.h"

void kmain(uint32_t magic, uint64_t mbi_phys);

static struct cpu_gdt bsp_gdt;
static uint8_t bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct boot_info boot_info;

static void cpu_tables_init_bsp(void)
{
    uint64_t tops[IST_COUNT];
    for (int i = 0; i < IST_COUNT; i++)
        tops[i] = (uint64_t)(uintptr_t)(bsp_ist_stacks[i] + IST_STACK_SIZE);
    percpu_init_bsp();
    gdt_load(&bsp_gdt, tops);
    idt_init();
}

static void apply_cmdline(const char *cmdline)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    char level[16];
    if (!cmdline_get(cmdline, "loglevel", level, sizeof(level)))
        return;
    for (int i = 0; i < 4; i++) {
        if (strcmp(level, names[i]) == 0) {
            log_set_level((enum log_level)i);
            return;
        }
    }
    log_warn("boot", "unknown loglevel '%s' (want error, warn, info or debug), keeping info",
             level);
}

static void boot_summary(const struct boot_info *bi)
{
    const struct mm_stats *ms = mm_get_stats();
    const struct cpu_features *cf = cpu_features();

    log_info("boot", "firmware: %s (%s), boot loader: %s, platform: %s",
             bi->firmware == FIRMWARE_UEFI ? "UEFI" : "BIOS",
             bi->efi64 ? "EFI64 system table tag" : bi->efi_mmap ? "EFI memory map tag"
                                                                 : "no EFI tags",
             bi->loader[0] ? bi->loader : "unknown", platform_name());
    log_info("boot", "command line: '%s'", bi->cmdline);
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        log_debug("mem", "  %#014lx-%#014lx %s", bi->mmap[i].base,
                  bi->mmap[i].base + bi->mmap[i].len, mb2_mem_type_name(bi->mmap[i].type));
    log_info("mem", "memory: %lu MiB usable in %u map entries, highest usable address %#lx, "
                    "%lu MiB free after the image and modules",
             ms->usable_bytes >> 20, bi->mmap_count, ms->max_phys, ms->free_bytes_at_boot >> 20);
    log_info("mem", "page tables: image W^X, physmap %lu MiB of RAM in %s pages (NX), "
                    "no identity map",
             ms->physmap_bytes >> 20, ms->physmap_page_size_kb >= (1 << 20) ? "1 GiB" : "2 MiB");
    log_info("boot", "modules: %u", bi->module_count);
    for (uint32_t i = 0; i < bi->module_count; i++)
        log_info("boot", "  module '%s' at %#lx, %lu bytes", bi->modules[i].name,
                 bi->modules[i].start, bi->modules[i].end - bi->modules[i].start);
    log_info("boot", "ACPI RSDP: %s", bi->rsdp_tag == 15 ? "ACPI 2.0+ copy (tag 15)"
                                      : bi->rsdp_tag == 14 ? "ACPI 1.0 copy (tag 14)"
                                                           : "none given by the boot loader");
    log_info("cpu", "CPU: %s family %u model %u stepping %u, \"%s\"", cf->vendor, cf->family,
             cf->model, cf->stepping, cf->brand[0] ? cf->brand : "no brand string");
    log_info("cpu", "features: VMX %s, EPT %s, VPID %s, unrestricted guest %s, x2APIC %s, "
                    "TSC-deadline %s, 1G pages %s, invariant TSC %s%s",
             cf->vmx ? (cf->vmx_disabled ? "disabled by firmware" : "yes") : "no",
             cf->ept ? "yes" : "no", cf->vpid ? "yes" : "no",
             cf->unrestricted_guest ? "yes" : "no", cf->x2apic ? "yes" : "no",
             cf->tsc_deadline ? "yes" : "no", cf->pdpe1gb ? "yes" : "no",
             cf->invariant_tsc ? "yes" : "no", cf->hypervisor ? ", running under a hypervisor" : "");
}

/* Hex dump of the raw multiboot2 block (fixture capture for the parser's unit tests). */
static void dump_bootinfo(uint64_t phys, uint32_t size)
{
    const uint8_t *p = phys_to_virt(phys);
    char line[80];
    for (uint32_t off = 0; off < size; off += 32) {
        int n = snprintf(line, sizeof(line), "MBI-HEX: ");
        for (uint32_t i = off; i < off + 32 && i < size; i++)
            n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", p[i]);
        line[n++] = '\n';
        console_write(line, (unsigned long)n);
    }
}

/* Ends the run with its result line. The command-line word `end=poweroff|reboot|halt`
 * overrides `action` (the manifest's on_all_stopped; halt in test modes). Under an emulator
 * the exit device carries the result first. */
static __attribute__((noreturn)) void finish(bool ok, enum end_action action)
{
    char end[16] = "";
    console_write(ok ? "RESULT: PASS\n" : "RESULT: FAIL\n", 13);
    if (cmdline_get(boot_info.cmdline, "end", end, sizeof(end)))
        action = strcmp(end, "poweroff") == 0 ? END_POWEROFF
                 : strcmp(end, "reboot") == 0 ? END_REBOOT : END_HALT;
    platform_end(action, ok);
}

/* Enabled processors in the MADT (what the manifest's CPU numbers may name). */
static uint32_t madt_enabled_cpus(void)
{
    const struct acpi_info *ai = acpi_get();
    uint32_t n = 0;
    if (!ai || !ai->madt.present)
        return 1;
    for (unsigned i = 0; i < ai->madt.ncpus; i++)
        n += (ai->madt.cpus[i].flags & ACPI_CPU_ENABLED) != 0;
    return n ? n : 1;
}

static enum end_action end_action_of(const struct mf_manifest *m)
{
    switch (m->hv.on_all_stopped) {
    case MF_STOPPED_REBOOT: return END_REBOOT;
    case MF_STOPPED_POWEROFF: return END_POWEROFF;
    default: return END_HALT;
    }
}

void kmain(uint32_t magic, uint64_t mbi_phys)
{
    char err[160];

    uart_init(COM1_PORT);
    cpu_tables_init_bsp();
    log_info("boot", "Exitless %s (git %s), an exitless-I/O microhypervisor", EXITLESS_VERSION,
             EXITLESS_GIT_REV);
    platform_detect();

    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("not started by a multiboot2 loader (magic %#x, want %#x)", magic,
              MB2_BOOTLOADER_MAGIC);
    /* The boot page tables identity-map the first 4 GiB, where GRUB puts the information. */
    if (mbi_phys >= (4ull << 30) ||
        mb2_parse((const void *)(uintptr_t)mbi_phys, MB2_MAX_INFO_SIZE, &boot_info, err,
                  sizeof(err)))
        panic("bad boot information at %#lx: %s", mbi_phys, err);
    mm_init(&boot_info, mbi_phys);
    /* Re-read through the physmap so every pointer stays valid without the identity map. */
    if (mb2_parse(phys_to_virt(mbi_phys), boot_info.total_size, &boot_info, err, sizeof(err)))
        panic("boot information changed under us: %s", err);

    apply_cmdline(boot_info.cmdline);
    if (cmdline_has(boot_info.cmdline, "dump-bootinfo"))
        dump_bootinfo(mbi_phys, boot_info.total_size);
    cpuinfo_init();
    boot_summary(&boot_info);

    acpi_init(&boot_info);

    /* Outside the self-test mode the manifest decides everything: it is checked before any
     * interrupt controller, core or device is touched, and a bad one stops the boot here. */
    bool selftest = cmdline_has(boot_info.cmdline, "selftest");
    const struct mf_manifest *manifest = NULL;
    if (!selftest) {
        manifest = manifest_boot_load(&boot_info, madt_enabled_cpus(),
                                      frames_free_count() * FRAME_SIZE);
        if (!manifest) {
            log_err("boot", "boot stopped: fix the manifest; no device was configured");
            finish(false, END_HALT);
        }
        if (!cmdline_has(boot_info.cmdline, "loglevel"))
            log_set_level(manifest->hv.log_level > MF_LOG_DEBUG ? LOG_DEBUG
                                                                 : (enum log_level)manifest->hv.log_level);
    }

    intc_init(!cmdline_has(boot_info.cmdline, "xapic"));
    tsc_init();
    timer_setup();
    if (manifest && !devices_init(manifest)) {
        log_err("boot", "boot stopped: the manifest's devices cannot be set up as written");
        finish(false, END_HALT);
    }
    xcall_setup();
    smp_checkin_bsp();
    irq_enable(); /* only LAPIC sources remain: IPIs, timer, error */
    smp_boot_aps();

    if (selftest)
        finish(selftest_run(&boot_info), END_HALT);

    if (devtest_requested(boot_info.cmdline)) {
        if (!devtest_run) {
            log_err("boot", "device checks were asked for, but this is a production build: "
                    "they are only in exitless-test.elf");
            finish(false, END_HALT);
        }
        finish(devtest_run(manifest, boot_info.cmdline) == DEVTEST_PASS, END_HALT);
    }

    if (soak_requested(boot_info.cmdline)) {
        if (!soak_arm) {
            log_err("boot", "a restart soak was asked for, but this is a production build: "
                    "it is only in exitless-test.elf");
            finish(false, END_HALT);
        }
        soak_arm(boot_info.cmdline);
    }
    guest_mgr_init();
    bool ok = machine_run_guests(manifest, &boot_info, smp_assign_role);
    log_info("boot", "all guests have stopped: %s; %s", ok ? "each as expected" : "not as expected",
             mf_all_stopped_name(manifest->hv.on_all_stopped));
    finish(ok, end_action_of(manifest));
}
