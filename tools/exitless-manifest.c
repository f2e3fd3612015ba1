/* exitless-manifest: validate a manifest on the host, print its summary, list its modules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exitless/manifest.h>

#include "tools/manifest_image.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: exitless-manifest [options] FILE\n"
            "Validate an Exitless manifest; print \"FILE: OK\" and a summary, or every error.\n"
            "  --list-modules    print \"name path\" per [modules] entry (paths as seen from here)\n"
            "  --check-files     also require every module file to exist, and check each guest's\n"
            "                    image (kind detected from the file) against its memory,\n"
            "                    command line and initrd\n"
            "  --cpus N          check against a machine with N logical CPUs\n"
            "  --ram SIZE        check against SIZE of RAM available for guests (e.g. 8G)\n"
            "  --nic PCI=VFS     check against an SR-IOV NIC at PCI with VFS TotalVFs (repeatable)\n"
            "  --no-iommu        check against a machine without VT-d\n"
            "  -q, --quiet       print nothing on success\n"
            "  -h, --help        this text\n");
}

static void emit_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

static void emit_stdout(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    /* One byte more than the parser accepts, so it can report the size itself. */
    size_t cap = MF_MAX_INPUT + 1;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, cap, f);
    if (ferror(f)) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

struct options {
    const char *file;
    bool list_modules, check_files, quiet;
    struct mf_platform pf;
    bool have_platform;
};

/* Parses "--nic 0000:01:00.0=8" into a platform NIC fact. */
static int add_nic(struct mf_platform *pf, const char *arg)
{
    unsigned seg = 0, bus, dev, fn, vfs;
    if (pf->nnics == MF_MAX_NICS ||
        (sscanf(arg, "%x:%x:%x.%x=%u", &seg, &bus, &dev, &fn, &vfs) != 5 &&
         sscanf(arg, "%x:%x.%x=%u", &bus, &dev, &fn, &vfs) != 4))
        return -1;
    struct mf_platform_nic *n = &pf->nics[pf->nnics++];
    n->pci = (struct mf_pci_addr){ (uint16_t)seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn };
    n->total_vfs = vfs;
    pf->nics_known = true;
    return 0;
}

static int parse_size_arg(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'T': shift += 10; /* fall through */
    case 'G': shift += 10; /* fall through */
    case 'M': shift += 10; /* fall through */
    case 'K': shift += 10; end++; break;
    default: break;
    }
    if (end == s || *end || v == 0)
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--list-modules")) {
            o->list_modules = true;
        } else if (!strcmp(a, "--check-files")) {
            o->check_files = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--no-iommu")) {
            o->pf.iommu_known = true;
            o->have_platform = true;
        } else if (!strcmp(a, "--cpus") && val) {
            o->pf.cpu_count = (uint32_t)strtoul(val, NULL, 10);
            o->have_platform = true;
            i++;
        } else if (!strcmp(a, "--ram") && val) {
            if (parse_size_arg(val, &o->pf.guest_ram) < 0)
                return -1;
            o->have_platform = true;
            i++;
        } else if (!strcmp(a, "--nic") && val) {
            if (add_nic(&o->pf, val) < 0)
                return -1;
            o->have_platform = true;
            i++;
        } else if (a[0] == '-' || o->file) {
            return -1;
        } else {
            o->file = a;
        }
    }
    return o->file ? 0 : -1;
}

/*
 * --check-files: every [modules] file must be readable (reported here, returns the count), and
 * the platform check then requires every module a guest names to be one of them.
 */
static unsigned check_module_files(const struct options *o, const struct mf_manifest *m,
                                   struct mf_platform *pf)
{
    char path[2 * MF_PATH_MAX];
    unsigned missing = 0;
    pf->modules_known = true;
    for (uint32_t i = 0; i < m->nmodules; i++) {
        pf->module_names[pf->nmodules++] = m->modules[i].name;
        module_path(o->file, m->modules[i].path, path, sizeof(path));
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "%s:%u:%u: error: module '%s': cannot read %s: %s\n", o->file,
                    (unsigned)m->modules[i].pos.line, (unsigned)m->modules[i].pos.col,
                    m->modules[i].name, path, strerror(errno));
            missing++;
        }
    }
    return missing;
}

int main(int argc, char **argv)
{
    struct options o;
    memset(&o, 0, sizeof(o));
    if (parse_args(argc, argv, &o) < 0) {
        usage(stderr);
        return 2;
    }
    size_t len;
    char *text = read_file(o.file, &len);
    if (!text)
        return 1;
    struct mf_workspace *ws = malloc(sizeof(*ws));
    if (!ws) {
        free(text);
        return 1;
    }
    unsigned file_errors = 0;
    int rc = mf_parse(ws, o.file, text, len);
    if (rc == 0 && o.check_files) {
        file_errors = check_module_files(&o, &ws->model, &o.pf);
        o.have_platform = true;
    }
    if (rc == 0 && o.have_platform)
        rc = mf_check_platform(ws, &o.pf);
    if (rc == 0 && o.check_files)
        file_errors += check_guest_images(o.file, &ws->model, o.quiet || o.list_modules);
    if (rc || file_errors) {
        unsigned total = file_errors + (unsigned)(ws->diag.count + ws->diag.dropped);
        mf_print_errors(&ws->diag, emit_stderr, NULL);
        fprintf(stderr, "%s: %u error%s\n", o.file, total, total == 1 ? "" : "s");
        rc = 1;
    } else if (o.list_modules) {
        char path[2 * MF_PATH_MAX];
        for (uint32_t i = 0; i < ws->model.nmodules; i++) {
            module_path(o.file, ws->model.modules[i].path, path, sizeof(path));
            printf("%s %s\n", ws->model.modules[i].name, path);
        }
    } else if (!o.quiet) {
        printf("%s: OK (%u guest%s, %u nic%s, %u module%s)\n", o.file, (unsigned)ws->model.nguests,
               ws->model.nguests == 1 ? "" : "s", (unsigned)ws->model.nnics,
               ws->model.nnics == 1 ? "" : "s", (unsigned)ws->model.nmodules,
               ws->model.nmodules == 1 ? "" : "s");
        mf_print_summary(&ws->model, emit_stdout, NULL);
    }
    free(ws);
    free(text);
    return rc ? 1 : 0;
}
