/* Loading the manifest module: the same parser and checks as the host tool, then the
 * checks only this machine can answer. */
#include <stdio.h>
#include <string.h>

#include "drivers/acpi/acpi.h"
#include "kernel/acpi_glue.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/manifest_boot.h"

static struct mf_workspace ws; /* the parser's only memory (bounded, in .bss) */

static void emit_error(void *ctx, const char *line)
{
    (void)ctx;
    char buf[MF_MSG_MAX + 96];
    int n = snprintf(buf, sizeof(buf), "%s\n", line);
    console_write(buf, (unsigned long)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
}

static void emit_summary(void *ctx, const char *line)
{
    (void)ctx;
    log_info("manifest", "%s", line);
}

const struct mf_manifest *manifest_boot_load(const struct boot_info *bi, uint32_t cpu_count,
                                             uint64_t guest_ram)
{
    const struct mb2_module *m = mb2_find_module(bi, MANIFEST_MODULE);
    if (!m) {
        log_err("manifest", "no module named '%s': add `module2 FILE %s` to the GRUB entry",
                MANIFEST_MODULE, MANIFEST_MODULE);
        return NULL;
    }
    int rc = mf_parse(&ws, MANIFEST_MODULE, phys_to_virt(m->start), m->end - m->start);
    if (rc == 0) {
        static struct mf_platform pf;
        memset(&pf, 0, sizeof(pf));
        pf.cpu_count = cpu_count;
        pf.guest_ram = guest_ram;
        pf.modules_known = true;
        /* The IOMMU this hypervisor drives: VT-d units from the DMAR table (AMD-Vi is not
         * supported). Without one, assigned devices are refused (vfs) or need
         * unsafe_no_iommu (pci). */
        const struct acpi_info *acpi = acpi_get();
        pf.iommu_known = true;
        pf.iommu_present = acpi && acpi->dmar.present && acpi->dmar.ndrhd > 0;
        for (uint32_t i = 0; i < bi->module_count && pf.nmodules < MF_MAX_MODULES; i++)
            pf.module_names[pf.nmodules++] = bi->modules[i].name;
        rc = mf_check_platform(&ws, &pf);
    }
    if (rc) {
        log_err("manifest", "the manifest has %u error(s); nothing has been configured",
                ws.diag.count + ws.diag.dropped);
        mf_print_errors(&ws.diag, emit_error, NULL);
        return NULL;
    }
    mf_print_summary(&ws.model, emit_summary, NULL);
    return &ws.model;
}
