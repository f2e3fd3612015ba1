/* Unit tests: valid manifests field by field, platform-fact checks, and the value syntaxes. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernel/manifest/mf_internal.h"
#include "test_manifest.h"

void good_counts(int *passed, int *failed)
{
    *passed = check_passed;
    *failed = check_failed;
}

static const char full_manifest[] =
    "# everything set\n"
    "[hypervisor]\n"
    "console = \"com2\"\n"
    "baud = 9600\n"
    "log_level = \"debug\"\n"
    "management_cpu = 0\n"
    "sidecores = [7]\n"
    "on_all_stopped = \"poweroff\"\n"
    "qos_policy = \"required\"\n"
    "\n"
    "[modules]\n"
    "linux = \"vmlinux\"\n"
    "rootfs = \"initrd.cpio\"\n"
    "disk = 'disk.img'\n"
    "\n"
    "[[nic]]\n"
    "name = \"uplink\"\n"
    "pci = \"0000:3b:00.1\"\n"
    "vfs = 8\n"
    "switching = \"vepa\"\n"
    "link_speed = \"10Gbit\"\n"
    "[nic.mirror]\n"
    "sources = [\"web\", \"vf3\"]\n"
    "vlans = [20]\n"
    "target = \"mon\"\n"
    "\n"
    "[[guest]]\n"
    "name = \"web\"\n"
    "cpus = [\"1-2\", 4]\n"
    "memory = \"2G\"\n"
    "image = \"linux\"\n"
    "initrd = \"rootfs\"\n"
    "cmdline = \"console=ttyS0 quiet\"\n"
    "on_fault = \"restart\"\n"
    "max_restarts = 10000\n"
    "interrupts = \"injected\"\n"
    "time_limit = \"2min\"\n"
    "[[guest.vf]]\n"
    "nic = \"uplink\"\n"
    "index = 5\n"
    "mac = \"02:aa:bb:cc:dd:01\"\n"
    "allowed_vlans = [10, 20]\n"
    "tx_rate = \"500Mbit\"\n"
    "ingress_limit = \"1Gbit\"\n"
    "spoof_check = false\n"
    "trust = true\n"
    "priority = 5\n"
    "[[guest.virtio_net]]\n"
    "mac = \"02:aa:bb:cc:dd:02\"\n"
    "port = 9\n"
    "vlan = 30\n"
    "uplink = \"uplink\"\n"
    "ingress_limit = \"50Mbit\"\n"
    "egress_limit = \"20Mbit\"\n"
    "[[guest.virtio_blk]]\n"
    "module = \"disk\"\n"
    "read_only = true\n"
    "[[guest.pci]]\n"
    "address = \"00:1f.3\"\n"
    "unsafe_no_iommu = true\n"
    "\n"
    "[[guest]]\n"
    "name = \"mon\"\n"
    "cpus = \"3\"\n"
    "memory = 0x100000\n"
    "image = \"linux\"\n"
    "vf = { vlan = 20 }\n"
    "virtio_net = [{}, { port = 0 }]\n";

static void check_full_hypervisor(const struct mf_manifest *m)
{
    CHECK_EQ_U64(m->hv.console, MF_CONSOLE_COM2, "console");
    CHECK_EQ_U64(m->hv.baud, 9600, "baud");
    CHECK_EQ_U64(m->hv.log_level, MF_LOG_DEBUG, "log_level");
    CHECK_EQ_U64(m->hv.management_cpu, 0, "management_cpu");
    CHECK(mf_cpuset_has(&m->hv.sidecores, 7) && mf_cpuset_count(&m->hv.sidecores) == 1, "sidecores");
    CHECK_EQ_U64(m->hv.on_all_stopped, MF_STOPPED_POWEROFF, "on_all_stopped");
    CHECK_EQ_U64(m->hv.qos_policy, MF_QOS_REQUIRED, "qos_policy");
    CHECK_EQ_U64(m->nmodules, 3, "nmodules");
    CHECK_STREQ(m->modules[2].name, "disk", "module name");
    CHECK_STREQ(m->modules[2].path, "disk.img", "module path");
    CHECK(m->has_modules_table, "has_modules_table");
    const struct mf_nic *n = &m->nics[0];
    CHECK_EQ_U64(m->nnics, 1, "nnics");
    CHECK_STREQ(n->name, "uplink", "nic name");
    CHECK(n->pci.segment == 0 && n->pci.bus == 0x3b && n->pci.dev == 0 && n->pci.fn == 1, "nic pci");
    CHECK_EQ_U64(n->vfs, 8, "vfs");
    CHECK_EQ_U64(n->switching, MF_SWITCH_VEPA, "switching");
    CHECK_EQ_U64(n->link_bps, 10000000000ull, "link_speed");
    CHECK(n->mirror.present, "mirror present");
    CHECK_EQ_U64(n->mirror.nsrc_vfs, 2, "mirror sources");
    CHECK_EQ_U64(n->mirror.src_vfs[0], 5, "mirror source web = its VF 5");
    CHECK_EQ_U64(n->mirror.src_vfs[1], 3, "mirror source vf3");
    CHECK_EQ_U64(n->mirror.nvlans, 1, "mirror vlans");
    CHECK_EQ_U64(n->mirror.vlans[0], 20, "mirror vlan");
    CHECK_EQ_U64(n->mirror.target_vf, 0, "mirror target = mon's VF, auto-assigned 0");
}

static void check_full_guests(const struct mf_manifest *m)
{
    const struct mf_guest *g = &m->guests[0];
    char mac[24];
    CHECK_EQ_U64(m->nguests, 2, "nguests");
    CHECK_STREQ(g->name, "web", "guest name");
    CHECK(mf_cpuset_has(&g->cpus, 1) && mf_cpuset_has(&g->cpus, 2) && mf_cpuset_has(&g->cpus, 4) &&
          g->ncpus == 3, "guest cpus");
    CHECK_EQ_U64(g->memory, 2ull << 30, "memory");
    CHECK(strcmp(g->image.name, "linux") == 0 && g->image.module == 0, "image");
    CHECK(strcmp(g->initrd.name, "rootfs") == 0 && g->initrd.module == 1, "initrd");
    CHECK_STREQ(g->cmdline, "console=ttyS0 quiet", "cmdline");
    CHECK_EQ_U64(g->on_fault, MF_FAULT_RESTART, "on_fault");
    CHECK_EQ_U64(g->max_restarts, 10000, "max_restarts at its bound");
    CHECK_EQ_U64(g->interrupts, MF_IRQ_INJECTED, "interrupts");
    CHECK_EQ_U64(g->time_limit_ms, 120000, "time_limit");
    const struct mf_vf *vf = &g->vf[0];
    CHECK_EQ_U64(g->nvfs, 1, "nvfs");
    CHECK(vf->nic == 0 && vf->index == 5 && vf->index_set, "vf nic/index");
    mf_format_mac(&vf->mac, mac, sizeof(mac));
    CHECK_STREQ(mac, "02:aa:bb:cc:dd:01", "vf mac");
    CHECK(vf->nallowed_vlans == 2 && vf->allowed_vlans[0] == 10 && vf->allowed_vlans[1] == 20, "vlans");
    CHECK_EQ_U64(vf->tx_rate_bps, 500000000, "tx_rate");
    CHECK_EQ_U64(vf->ingress_limit_bps, 1000000000, "ingress_limit");
    CHECK(!vf->spoof_check && vf->trust && vf->priority == 5, "spoof_check/trust/priority");
    const struct mf_virtio_net *v = &g->virtio_net[0];
    CHECK(g->nvnets == 1 && v->port == 9 && v->vlan == 30 && v->uplink == 0, "virtio_net");
    CHECK(v->ingress_limit_bps == 50000000 && v->egress_limit_bps == 20000000, "virtio_net limits");
    CHECK(g->nvblks == 1 && g->virtio_blk[0].module.module == 2 && g->virtio_blk[0].read_only, "blk");
    CHECK(g->npci == 1 && g->pci[0].address.bus == 0 && g->pci[0].address.dev == 0x1f &&
          g->pci[0].address.fn == 3 && g->pci[0].unsafe_no_iommu, "pci");

    const struct mf_guest *mon = &m->guests[1];
    CHECK_EQ_U64(mon->memory, 1 << 20, "hex memory");
    CHECK(mon->nvfs == 1 && mon->vf[0].index == 0 && !mon->vf[0].index_set, "auto VF index");
    CHECK(mon->vf[0].spoof_check && !mon->vf[0].trust, "vf defaults");
    mf_format_mac(&mon->vf[0].mac, mac, sizeof(mac));
    CHECK_STREQ(mac, "02:45:58:00:00:00", "derived VF mac");
    CHECK(mon->nvnets == 2 && mon->virtio_net[1].port == 0 && mon->virtio_net[0].port == 1,
          "auto port skips the explicit one");
    mf_format_mac(&mon->virtio_net[0].mac, mac, sizeof(mac));
    CHECK_STREQ(mac, "02:45:56:00:00:01", "derived virtio mac");
    CHECK_EQ_U64(mon->on_fault, MF_FAULT_STOP, "on_fault default");
    CHECK_EQ_U64(mon->interrupts, MF_IRQ_EXITLESS, "interrupts default");
    CHECK_EQ_U64(mon->time_limit_ms, 0, "time_limit default: none");
}

static void summary_line(void *ctx, const char *line)
{
    int *lines = ctx;
    (*lines)++;
    CHECK(strlen(line) > 0, "summary line");
}

/* Counts the summary lines that contain `want`. */
struct summary_grep {
    const char *want;
    int found;
};

static void summary_find(void *ctx, const char *line)
{
    struct summary_grep *g = ctx;
    g->found += strstr(line, g->want) != NULL;
}

void run_good_cases(void)
{
    char got[4096], want[4096];
    /* Refused while sidecores and virtio are not built; the model is read in full either way. */
    want_errors(NB_SIDECORES(7, 13) NB_VNET(48, 1, "web") NB_UPLINK(52, 10, "web") NB_VBLK(55, 1, "web") NB_VNET(68, 15, "mon")
                NB_VNET(68, 19, "mon"), want, sizeof(want));
    int rc = parse_errors(full_manifest, NULL, got, sizeof(got));
    CHECK((rc != 0) == (want[0] != 0), "full manifest: %s", got);
    CHECK_STREQ(got, want, "full manifest: the refusals of what is not built");
    check_full_hypervisor(&test_ws.model);
    check_full_guests(&test_ws.model);
    int lines = 0;
    mf_print_summary(&test_ws.model, summary_line, &lines);
    CHECK_EQ_U64(lines, 11, "summary lines");
    struct summary_grep limit = { ", time limit 2min", 0 };
    mf_print_summary(&test_ws.model, summary_find, &limit);
    CHECK_EQ_U64(limit.found, 1, "summary names the time limit of one guest");

    /* Time limits: integer milliseconds, or a whole number with ms, s or min. */
    static const struct { const char *value; uint64_t ms; } limits[] = {
        { "500", 500 }, { "\"500ms\"", 500 }, { "\"3s\"", 3000 }, { "\"2min\"", 120000 },
        { "\"1 s\"", 1000 }, { "\"1_500ms\"", 1500 }, { "\"10MS\"", 10 }, { "1", 1 },
        { "\"1440min\"", 86400000 }, { "86400000", 86400000 },
    };
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        char text[160];
        snprintf(text, sizeof(text), "[[guest]]\nname = \"a\"\ncpus = 1\nmemory = \"4K\"\n"
                                     "image = \"x\"\ntime_limit = %s\n", limits[i].value);
        rc = parse_errors(text, NULL, got, sizeof(got));
        CHECK(rc == 0, "time_limit = %s: %s", limits[i].value, got);
        CHECK_EQ_U64(test_ws.model.guests[0].time_limit_ms, limits[i].ms, limits[i].value);
    }

    /* Defaults of a minimal manifest. */
    rc = parse_errors("[[guest]]\nname = \"a\"\ncpus = 1\nmemory = \"4K\"\nimage = \"x\"\n", NULL, got,
                      sizeof(got));
    const struct mf_manifest *m = &test_ws.model;
    CHECK(rc == 0, "minimal: %s", got);
    CHECK(m->hv.console == MF_CONSOLE_COM1 && m->hv.baud == 115200 && m->hv.log_level == MF_LOG_INFO &&
          m->hv.management_cpu == 0 && m->hv.on_all_stopped == MF_STOPPED_HALT &&
          m->hv.qos_policy == MF_QOS_BEST_EFFORT && !mf_cpuset_count(&m->hv.sidecores), "hv defaults");
    CHECK(m->guests[0].image.module == MF_NONE && !m->has_modules_table, "no [modules]");

    /* CRLF line endings, BOM, comments everywhere, dotted keys, inline device tables. */
    rc = parse_errors("\xef\xbb\xbf# c\r\n[[guest]] # c\r\nname = \"a\" # c\r\ncpus = [ # c\r\n  1, # c\r\n]\r\n"
                      "memory = \"4K\"\r\nimage = \"x\"\r\nvirtio_blk.module = \"d\"\r\n"
                      "[hypervisor]\r\nsidecores = \"2-3\"\r\n", NULL, got, sizeof(got));
    want_errors(NB_VBLK(9, 1, "a") NB_SIDECORES(11, 13), want, sizeof(want));
    CHECK((rc != 0) == (want[0] != 0), "crlf/bom/dotted: %s", got);
    CHECK_STREQ(got, want, "crlf/bom/dotted: the refusals of what is not built");
    CHECK(m->guests[0].nvblks == 1 && strcmp(m->guests[0].virtio_blk[0].module.name, "d") == 0,
          "dotted key sub-table");
}

static const char platform_manifest[] =
    "[[nic]]\nname = \"n\"\npci = \"0000:01:00.0\"\nvfs = 8\n"
    "[[guest]]\nname = \"a\"\ncpus = [1, 5]\nmemory = \"3G\"\nimage = \"hello\"\n"
    "[[guest.vf]]\ntx_rate = \"2Gbit\"\n"
    "[[guest]]\nname = \"b\"\ncpus = [2]\nmemory = \"2G\"\nimage = \"cpuid\"\n"
    "[[guest.pci]]\naddress = \"00:03.0\"\n";

void run_platform_cases(void)
{
    struct mf_platform pf;
    char got[4096];
    memset(&pf, 0, sizeof(pf));
    CHECK(parse_errors(platform_manifest, &pf, got, sizeof(got)) == 0, "nothing known: %s", got);

    pf.cpu_count = 4;
    pf.guest_ram = 4ull << 30;
    pf.modules_known = true;
    pf.module_names[pf.nmodules++] = "hello";
    pf.module_names[pf.nmodules++] = "cpuid2";
    pf.nics_known = true;
    pf.nics[pf.nnics++] = (struct mf_platform_nic){ { 0, 1, 0, 0 }, 7, 1000000000 };
    pf.iommu_known = true;
    CHECK(parse_errors(platform_manifest, &pf, got, sizeof(got)) != 0, "platform should fail");
    CHECK_STREQ(got,
                "t.toml:4:7: error: 'vfs': nic 'n' supports at most 7 VFs, found 8\n"
                "t.toml:7:8: error: guest 'a': CPU 5 does not exist, this machine has 4 CPUs (0..3)\n"
                "t.toml:10:1: error: guest 'a': assigning a VF needs an IOMMU the hypervisor drives (VT-d; AMD-Vi is not supported), and this machine has none\n"
                "t.toml:11:11: error: 'tx_rate': 2Gbit exceeds the 1Gbit link speed of nic 'n'\n"
                "t.toml:15:10: error: guest 'b' does not fit in RAM: the guests need 5G in total, 4G is available\n"
                "t.toml:16:9: error: module 'cpuid' is not available: it was not loaded with the manifest; did you mean 'cpuid2'?\n"
                "t.toml:17:1: error: guest 'b': this machine has no IOMMU the hypervisor drives (VT-d): assigning a PCI device needs unsafe_no_iommu = true (the guest could DMA anywhere)",
                "platform errors");

    memset(&pf, 0, sizeof(pf));
    pf.nics_known = true;
    CHECK(parse_errors(platform_manifest, &pf, got, sizeof(got)) != 0, "missing nic");
    CHECK_STREQ(got, "t.toml:3:7: error: nic 'n': no SR-IOV capable device at 0000:01:00.0", "nic absent");
}

void run_unit_cases(void)
{
    uint64_t v = 0;
    CHECK(mf_parse_size("4K", &v) && v == 4096, "4K");
    CHECK(mf_parse_size("512M", &v) && v == 512ull << 20, "512M");
    CHECK(mf_parse_size("2G", &v) && v == 2ull << 30, "2G");
    CHECK(mf_parse_size("1GiB", &v) && v == 1ull << 30, "1GiB");
    CHECK(mf_parse_size("1_024", &v) && v == 1024, "1_024");
    CHECK(!mf_parse_size("16777216T", &v), "size overflow");
    CHECK(!mf_parse_size("2GB", &v) && !mf_parse_size("", &v) && !mf_parse_size("M", &v), "bad sizes");
    CHECK(mf_parse_rate("100Mbit", &v) && v == 100000000, "100Mbit");
    CHECK(mf_parse_rate("10Mbit", &v) && v == 10000000, "10Mbit");
    CHECK(mf_parse_rate("1Gbit", &v) && v == 1000000000, "1Gbit");
    CHECK(mf_parse_rate("1 Gbps", &v) && v == 1000000000, "1 Gbps");
    CHECK(mf_parse_rate("64000bit", &v) && v == 64000, "bit");
    CHECK(!mf_parse_rate("100M", &v) && !mf_parse_rate("1GB", &v), "bad rates");
    CHECK(mf_parse_duration("250ms", &v) && v == 250, "250ms");
    CHECK(mf_parse_duration("3s", &v) && v == 3000, "3s");
    CHECK(mf_parse_duration("2 min", &v) && v == 120000, "2 min");
    CHECK(!mf_parse_duration("3", &v) && !mf_parse_duration("s", &v) && !mf_parse_duration("", &v) &&
          !mf_parse_duration("3m", &v) && !mf_parse_duration("3  s", &v), "bad durations");
    CHECK(!mf_parse_duration("18446744073709552s", &v), "duration overflow");
    char buf[32];
    mf_format_size(3ull << 30, buf, sizeof(buf));
    CHECK_STREQ(buf, "3G", "format size");
    mf_format_rate(2500000, buf, sizeof(buf));
    CHECK_STREQ(buf, "2500Kbit", "format rate");
    mf_format_duration(180000, buf, sizeof(buf));
    CHECK_STREQ(buf, "3min", "format duration min");
    mf_format_duration(1500, buf, sizeof(buf));
    CHECK_STREQ(buf, "1500ms", "format duration ms");
    mf_format_duration(90000, buf, sizeof(buf));
    CHECK_STREQ(buf, "90s", "format duration s");
    struct mf_mac mac;
    CHECK(mf_parse_mac("02-00-0A-0b-0c-0d", &mac) && mac.b[3] == 0x0b, "mac with dashes");
    CHECK(!mf_parse_mac("02:00-0a:0b:0c:0d", &mac) && !mf_parse_mac("02:00:0a:0b:0c:0d:0e", &mac) &&
          !mf_parse_mac("2:00:0a:0b:0c:0d", &mac), "bad macs");
    struct mf_pci_addr a;
    CHECK(mf_parse_pci("0001:ff:1f.7", &a) && a.segment == 1 && a.bus == 0xff && a.dev == 31 && a.fn == 7,
          "pci");
    CHECK(!mf_parse_pci("00:20.0", &a) && !mf_parse_pci("00:1f.8", &a) && !mf_parse_pci("100:00.0", &a),
          "bad pci");
    struct mf_cpuset s;
    uint32_t bad;
    memset(&s, 0, sizeof(s));
    CHECK(mf_parse_cpu_range("1,3, 8-11", &s, &bad) && mf_cpuset_count(&s) == 6, "cpu list");
    mf_format_cpuset(&s, buf, sizeof(buf));
    CHECK_STREQ(buf, "1,3,8-11", "format cpuset");
    CHECK(!mf_parse_cpu_range("3-1", &s, &bad) && bad == UINT32_MAX, "reversed range");
    CHECK(!mf_parse_cpu_range("1,", &s, &bad), "trailing comma");
    CHECK_EQ_U64(mf_edit_distance("memroy", "memory"), 1, "edit distance counts a transposition once");
    CHECK_EQ_U64(mf_edit_distance("kitten", "sitting"), 3, "edit distance");
    CHECK_EQ_U64(mf_edit_distance("", "abc"), 3, "edit distance empty");
    static const char *const cands[] = { "cpus", "memory", "image" };
    CHECK_STREQ(mf_suggest("imgae", cands, 3), "image", "suggest");
    CHECK(mf_suggest("colour", cands, 3) == NULL, "no suggestion");
}
