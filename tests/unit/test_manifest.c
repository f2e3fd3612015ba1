/* Unit tests: malformed manifests, each against the exact error text with line and column. */
#include <stdlib.h>
#include <string.h>

#include <exitless/manifest.h>

#include "check.h"
#include "test_manifest.h"

/* A valid guest the cases below build on (lines 1-5). */
#define GUEST_A "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = \"64M\"\nimage = \"hello\"\n"

struct bad_case {
    const char *name;
    const char *text;
    const char *errors;          /* every error, in order, joined by '\n' */
};

static const struct bad_case bad_cases[] = {
    /* Syntax. */
    { "missing equals", "[[guest]]\nname \"a\"\n", "t.toml:2:6: error: expected '=', found '\"'" },
    { "unterminated string", GUEST_A "cmdline = \"quiet\n",
      "t.toml:6:11: error: unterminated string: expected a closing \" on the same line" },
    { "unterminated array resyncs", "[[guest]]\nname = \"a\"\ncpus = [1, 2\nmemory = \"64M\"\nimage = \"x\"\n",
      "t.toml:4:1: error: expected ',' or ']' in array, found 'memory'" },
    { "trailing garbage", GUEST_A "on_fault = \"stop\" \"restart\"\n",
      "t.toml:6:19: error: expected end of line after the value (one key = value per line), found '\"'" },
    { "float", GUEST_A "x = 1.5\n",
      "t.toml:6:5: error: floating-point numbers are not supported: expected an integer" },
    { "bad escape", GUEST_A "cmdline = \"a\\qb\"\n",
      "t.toml:6:14: error: expected an escape (\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX), found 'qb'" },
    { "multi-line string", GUEST_A "cmdline = \"\"\"x\"\"\"\n",
      "t.toml:6:11: error: multi-line strings are not supported" },
    { "duplicate key", GUEST_A "memory = \"128M\"\n",
      "t.toml:6:1: error: duplicate key 'memory', first set at line 4, column 1" },
    { "duplicate table", "[hypervisor]\n[hypervisor]\n" GUEST_A,
      "t.toml:2:1: error: duplicate table [hypervisor], first defined at line 1, column 1" },
    { "table vs array of tables", "[guest]\nname = \"a\"\n[[guest]]\n",
      "t.toml:1:1: error: [[guest]] 'a': missing key 'cpus'\n"
      "t.toml:1:1: error: [[guest]] 'a': missing key 'memory'\n"
      "t.toml:1:1: error: [[guest]] 'a': missing key 'image'\n"
      "t.toml:3:1: error: [[guest]] redefines 'guest' (set at line 1, column 1 as a table), expected a new name" },
    { "unclosed header", "[[guest]\n",
      "t.toml:1:9: error: expected ']]' to close the table header, found end of line" },
    { "leading zero", GUEST_A "[hypervisor]\nbaud = 0115200\n",
      "t.toml:7:8: error: expected an integer without leading zeros (0x, 0o, 0b prefixes are allowed)" },
    { "unit without quotes", "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = 64M\nimage = \"x\"\n",
      "t.toml:4:12: error: expected a digit or the end of the number, found 'M' (quote values with units: \"512M\")" },
    { "integer overflow", GUEST_A "[hypervisor]\nbaud = 9223372036854775808\n",
      "t.toml:7:8: error: integer out of range: expected a 64-bit signed value" },
    { "errors on several lines all reported", "[[guest]]\nname = \nname2 = 'x\ncpus = [1,,]\n",
      "t.toml:2:8: error: expected a value (string, integer, boolean, array or inline table), found end of line\n"
      "t.toml:3:9: error: unterminated string: expected a closing ' on the same line\n"
      "t.toml:4:11: error: expected a value (string, integer, boolean, array or inline table), found ','" },

    /* Types and unknown keys. */
    { "unknown key with suggestion", GUEST_A "memroy = \"1G\"\n",
      "t.toml:6:1: error: unknown key 'memroy' in [[guest]] 'a'; did you mean 'memory'?" },
    { "unknown key without suggestion", GUEST_A "colour = \"red\"\n",
      "t.toml:6:1: error: unknown key 'colour' in [[guest]] 'a'" },
    { "unknown table", "[[guset]]\nname = \"a\"\n" GUEST_A,
      "t.toml:1:1: error: unknown key 'guset' in the top level; did you mean 'guest'?" },
    { "unknown vf key", GUEST_A "[[guest.vf]]\nspoofcheck = false\n[[nic]]\nname = \"n\"\npci = \"01:00.0\"\nvfs = 1\n",
      "t.toml:7:1: error: unknown key 'spoofcheck' in [[guest.vf]] of guest 'a'; did you mean 'spoof_check'?" },
    { "wrong type string", GUEST_A "[hypervisor]\nmanagement_cpu = \"0\"\n",
      "t.toml:7:18: error: 'management_cpu': expected an integer in 0..255, found string \"0\"" },
    { "wrong type bool", "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = true\nimage = \"hello\"\n",
      "t.toml:4:10: error: 'memory': expected a size such as \"512M\" or \"2G\", found boolean true" },
    { "enum with suggestion", GUEST_A "on_fault = \"restrat\"\n",
      "t.toml:6:12: error: 'on_fault': expected one of \"stop\", \"restart\", found string \"restrat\"; did you mean \"restart\"?" },
    { "missing keys", "[[guest]]\nname = \"a\"\n",
      "t.toml:1:1: error: [[guest]] 'a': missing key 'cpus'\n"
      "t.toml:1:1: error: [[guest]] 'a': missing key 'memory'\n"
      "t.toml:1:1: error: [[guest]] 'a': missing key 'image'" },
    { "no guests", "[hypervisor]\n", "t.toml: error: no [[guest]] is defined: expected at least one" },
    { "bad name", "[[guest]]\nname = \"a b\"\ncpus = [1]\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:2:8: error: 'name': expected a name of letters, digits, '-' and '_' (at most 31), found string \"a b\"" },
    { "string too long", GUEST_A "cmdline = \"" "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789\"\n",
      "t.toml:6:11: error: 'cmdline': expected at most 511 characters, found 560" },

    /* Values with units and address syntaxes. */
    { "bad size", "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = \"64Q\"\nimage = \"hello\"\n",
      "t.toml:4:10: error: 'memory': expected a size such as \"512M\" or \"2G\", found string \"64Q\"" },
    { "fractional size", "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = \"1.5G\"\nimage = \"hello\"\n",
      "t.toml:4:10: error: 'memory': expected a whole number with a unit such as \"1536M\" (no fractions), found string \"1.5G\"" },
    { "unaligned memory", "[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = 5000\nimage = \"hello\"\n",
      "t.toml:4:10: error: 'memory': expected a multiple of the 4K page size, found 5000" },
    { "bad rate", NIC0 GUEST_A "[[guest.vf]]\ntx_rate = \"100MB\"\n",
      "t.toml:11:11: error: 'tx_rate': expected a rate such as \"100Mbit\" or \"1Gbit\", found string \"100MB\"" },
    { "zero rate", NIC0 GUEST_A "[[guest.vf]]\ningress_limit = \"0Mbit\"\n",
      "t.toml:11:17: error: 'ingress_limit': expected a rate above zero (leave the key out for no limit), found string \"0Mbit\"" },
    { "too many restarts", GUEST_A "on_fault = \"restart\"\nmax_restarts = 10001\n",
      "t.toml:7:16: error: 'max_restarts': expected an integer in 0..10000, found integer 10001" },
    { "zero time limit", GUEST_A "time_limit = 0\n",
      "t.toml:6:14: error: 'time_limit': expected a duration above zero (leave the key out for no limit), found integer 0" },
    { "zero time limit with unit", GUEST_A "time_limit = \"0s\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration above zero (leave the key out for no limit), found string \"0s\"" },
    { "fractional time limit", GUEST_A "time_limit = \"1.5s\"\n",
      "t.toml:6:14: error: 'time_limit': expected a whole number with a unit such as \"1500ms\" (no fractions), found string \"1.5s\"" },
    { "time limit without unit", GUEST_A "time_limit = \"500\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found string \"500\"" },
    { "time limit in hours", GUEST_A "time_limit = \"2h\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found string \"2h\"" },
    { "time limit unit then garbage", GUEST_A "time_limit = \"3sec\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found string \"3sec\"" },
    { "negative time limit", GUEST_A "time_limit = -5\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found integer -5" },
    { "boolean time limit", GUEST_A "time_limit = true\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found boolean true" },
    { "time limit overflowing", GUEST_A "time_limit = \"307445734561825861min\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration such as \"500ms\", \"3s\" or \"2min\", or integer milliseconds, found string \"307445734561825861min\"" },
    { "time limit above a day", GUEST_A "time_limit = \"1441min\"\n",
      "t.toml:6:14: error: 'time_limit': expected a duration of at most 1 day (\"1440min\"), found string \"1441min\"" },
    { "time limit above a day in ms", GUEST_A "time_limit = 86400001\n",
      "t.toml:6:14: error: 'time_limit': expected a duration of at most 1 day (\"1440min\"), found integer 86400001" },
    { "rate above link", NIC0 "link_speed = \"1Gbit\"\n" GUEST_A "[[guest.vf]]\ntx_rate = \"2Gbit\"\n",
      "t.toml:12:11: error: 'tx_rate': 2Gbit exceeds the 1Gbit link speed of nic 'n'" },
    { "bad mac", NIC0 GUEST_A "[[guest.vf]]\nmac = \"02:00:00:00:00\"\n",
      "t.toml:11:7: error: 'mac': expected a MAC address such as \"02:00:00:00:00:01\", found string \"02:00:00:00:00\"" },
    { "multicast mac", NIC0 GUEST_A "[[guest.vf]]\nmac = \"01:00:5e:00:00:01\"\n",
      "t.toml:11:7: error: 'mac': expected a unicast MAC address (multicast bit clear), found string \"01:00:5e:00:00:01\"" },
    { "vlan range", NIC0 GUEST_A "[[guest.vf]]\nvlan = 4095\n",
      "t.toml:11:8: error: 'vlan': expected a VLAN id in 1..4094, found integer 4095" },
    { "vlan zero in list", NIC0 GUEST_A "[[guest.vf]]\nallowed_vlans = [10, 0]\n",
      "t.toml:11:22: error: 'allowed_vlans': expected VLAN ids in 1..4094, found integer 0" },
    { "port vlan with allowed vlans", NIC0 GUEST_A "[[guest.vf]]\nvlan = 5\nallowed_vlans = [6]\n",
      "t.toml:11:8: error: 'vlan' (a port VLAN the NIC inserts) cannot be combined with 'allowed_vlans' (VLANs the guest tags itself)" },
    { "bad pci", "[[nic]]\nname = \"n\"\npci = \"0000:01:20.0\"\n" GUEST_A,
      "t.toml:3:7: error: 'pci': expected a PCI address such as \"0000:01:00.0\", found string \"0000:01:20.0\"" },
    { "cpu out of range", "[[guest]]\nname = \"a\"\ncpus = \"1-300\"\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:3:8: error: 'cpus': expected CPU numbers in 0..255, found CPU 300" },
    { "empty cpus", "[[guest]]\nname = \"a\"\ncpus = []\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:3:8: error: 'cpus': expected at least one CPU, found an array" },

    /* Cross-references and conflicts. */
    { "duplicate guest name", GUEST_A "[[guest]]\nname = \"a\"\ncpus = [2]\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:7:8: error: guest name 'a' is already used by the guest at line 1" },
    { "cpu shared between guests", GUEST_A "[[guest]]\nname = \"b\"\ncpus = [1, 2]\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:8:8: error: guest 'b': CPU 1 is already used by guest 'a' (line 3)" },
    { "cpu is management", "[[guest]]\nname = \"a\"\ncpus = \"0-1\"\nmemory = \"64M\"\nimage = \"hello\"\n",
      "t.toml:3:8: error: guest 'a': CPU 0 is the management CPU (management_cpu), expected CPUs of its own" },
    { "cpus are sidecores", "[hypervisor]\nsidecores = [1, 2]\n" GUEST_A,
      NB_SIDECORES(2, 13) "t.toml:5:8: error: guest 'a': CPU 1 is a sidecore (hypervisor.sidecores)" },
    { "management cpu as sidecore", "[hypervisor]\nsidecores = [0, 3]\n" GUEST_A,
      "t.toml:2:13: error: CPU 0 is the management CPU and cannot also be a sidecore\n" NB_SIDECORES(2, 13) },
    { "module not listed", "[modules]\nhello = \"hello.elf\"\n[[guest]]\nname = \"a\"\ncpus = [1]\nmemory = \"64M\"\nimage = \"helo\"\n",
      "t.toml:7:9: error: module 'helo' is not listed in [modules]; did you mean 'hello'?" },
    { "unknown nic", NIC0 GUEST_A "[[guest.vf]]\nnic = \"nic0\"\n",
      "t.toml:11:7: error: 'nic': no [[nic]] is named 'nic0'" },
    { "vf index out of range", NIC0 GUEST_A "[[guest.vf]]\nindex = 4\n",
      "t.toml:11:9: error: 'index': VF 4 does not exist, nic 'n' enables 2 VFs (vfs = 2)" },
    { "vf shared", NIC0 GUEST_A "vf = { index = 1 }\n[[guest]]\nname = \"b\"\ncpus = [2]\nmemory = \"64M\"\nimage = \"hello\"\nvf = { index = 1 }\n",
      "t.toml:16:16: error: VF 1 of nic 'n' is already assigned to guest 'a'" },
    { "no free vf", NIC0 GUEST_A "[[guest.vf]]\n[[guest.vf]]\n[[guest.vf]]\n",
      "t.toml:12:1: error: guest 'a': no free VF left on nic 'n' (vfs = 2)" },
    { "duplicate mac", NIC0 GUEST_A "[[guest.vf]]\nmac = \"02:00:00:00:00:01\"\n[[guest.virtio_net]]\nmac = \"02:00:00:00:00:01\"\n[hypervisor]\nsidecores = [3]\n",
      NB_VNET(12, 1, "a") "t.toml:13:7: error: MAC 02:00:00:00:00:01 is already used by guest 'a' (line 11)\n"
      NB_SIDECORES(15, 13) },
    { "virtio without sidecore", GUEST_A "[[guest.virtio_blk]]\nmodule = \"disk\"\n",
      NB_VBLK(6, 1, "a")
      "t.toml:6:1: error: guest 'a' has virtio devices, which need a sidecore: expected 'sidecores' in [hypervisor]" },
    { "writable disk is an image", "[hypervisor]\nsidecores = [2]\n" GUEST_A "[[guest.virtio_blk]]\nmodule = \"hello\"\n",
      NB_SIDECORES(2, 13) NB_VBLK(8, 1, "a")
      "t.toml:9:10: error: 'module': 'hello' is a writable disk of guest 'a' and also used by guest 'a': "
      "expected a module of its own (or read_only = true)" },
    { "read-only disk may share a module", "[hypervisor]\nsidecores = [2]\n" GUEST_A
      "[[guest.virtio_blk]]\nmodule = \"hello\"\nread_only = true\n",
      NB_SIDECORES(2, 13) NB_VBLK(8, 1, "a") },
    { "virtio-net not built", "[hypervisor]\nsidecores = [2]\n" GUEST_A "virtio_net = [{}, {}]\n",
      NB_SIDECORES(2, 13) NB_VNET(8, 15, "a") NB_VNET(8, 19, "a") },
    { "mirror target missing", NIC0 "mirror = { sources = [\"a\"], target = \"mon\" }\n" GUEST_A "vf = {}\n",
      "t.toml:5:38: error: mirror target 'mon': expected a guest name or \"vfN\", found no such guest" },
    { "mirror source without vf", NIC0 "mirror = { sources = [\"a\"], target = \"vf1\" }\n" GUEST_A,
      "t.toml:5:23: error: mirror source 'a': guest 'a' has no VF on nic 'n'" },
    { "pci device is a nic", NIC0 GUEST_A "[[guest.pci]]\naddress = \"0000:01:00.0\"\n",
      "t.toml:11:11: error: PCI device 0000:01:00.0 is nic 'n', which the hypervisor drives itself" },

    /* Limits. */
    { "nesting limit", GUEST_A "x = [[[[[[[[[1]]]]]]]]]\n",
      "t.toml:6:13: error: nesting too deep: at most 8 levels of arrays and inline tables" },
    { "too many vfs", NIC0 GUEST_A "[[guest.vf]]\n[[guest.vf]]\n[[guest.vf]]\n[[guest.vf]]\n[[guest.vf]]\n",
      "t.toml:12:1: error: guest 'a': no free VF left on nic 'n' (vfs = 2)\n"
      "t.toml:13:1: error: guest 'a': no free VF left on nic 'n' (vfs = 2)\n"
      "t.toml:14:1: error: too many [[guest.vf]] entries in guest 'a': at most 4" },
};

static void run_bad_cases(void)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        char got[4096], want[4096];
        int rc = parse_errors(c->text, NULL, got, sizeof(got));
        want_errors(c->errors, want, sizeof(want));
        if (!want[0]) {
            CHECK(rc == 0, "%s: parse should pass once every service it asks for is built: %s",
                  c->name, got);
            continue;
        }
        CHECK(rc != 0, "%s: parse should fail", c->name);
        CHECK_STREQ(got, want, c->name);
    }
}

static void run_limit_cases(void)
{
    char *text = malloc(MF_MAX_INPUT + 2);
    static char got[16384];
    /* Input size limit. */
    memset(text, '#', MF_MAX_INPUT + 1);
    parse_errors_n(text, MF_MAX_INPUT + 1, got, sizeof(got));
    CHECK_STREQ(got, "t.toml:1:1: error: manifest too large: 262145 bytes, at most 262144", "input limit");
    /* Node pool limit: many small keys. */
    size_t n = 0;
    for (int i = 0; n < MF_MAX_INPUT - 32; i++)
        n += (size_t)snprintf(text + n, MF_MAX_INPUT - n, "k%d = %d\n", i, i);
    parse_errors_n(text, n, got, sizeof(got));
    CHECK_STREQ(got, "t.toml:4096:1: error: manifest too large: more than 4096 keys, values and tables",
                "node limit");
    /* Too many guests. */
    n = 0;
    for (int i = 0; i <= MF_MAX_GUESTS; i++)
        n += (size_t)snprintf(text + n, MF_MAX_INPUT - n,
                              "[[guest]]\nname = \"g%d\"\ncpus = [%d]\nmemory = \"4K\"\nimage = \"x\"\n",
                              i, i + 1);
    parse_errors_n(text, n, got, sizeof(got));
    CHECK_STREQ(got, "t.toml:161:1: error: too many [[guest]] entries: at most 32", "guest limit");
    /* More errors than kept. */
    n = 0;
    for (int i = 0; i < MF_MAX_ERRORS + 6; i++)
        n += (size_t)snprintf(text + n, MF_MAX_INPUT - n, "bad%d\n", i);
    parse_errors_n(text, n, got, sizeof(got));
    CHECK(strstr(got, "t.toml: 6 more errors not shown (at most 64 are kept)") != NULL, "dropped: %s",
          got + (strlen(got) > 200 ? strlen(got) - 200 : 0));
    free(text);
}

struct mf_workspace test_ws;

struct joiner {
    char *buf;
    size_t size, used;
};

static void join(void *ctx, const char *line)
{
    struct joiner *j = ctx;
    int n = snprintf(j->buf + j->used, j->size - j->used, "%s%s", j->used ? "\n" : "", line);
    if (n > 0 && (size_t)n < j->size - j->used)
        j->used += (size_t)n;
}

static int parse_common(const char *text, size_t len, const struct mf_platform *pf, char *buf,
                        size_t size)
{
    struct joiner j = { buf, size, 0 };
    int rc = mf_parse(&test_ws, "t.toml", text, len);
    if (rc == 0 && pf)
        rc = mf_check_platform(&test_ws, pf);
    buf[0] = '\0';
    mf_print_errors(&test_ws.diag, join, &j);
    return rc;
}

int parse_errors_n(const char *text, size_t len, char *buf, size_t size)
{
    return parse_common(text, len, NULL, buf, size);
}

int parse_errors_pf(const char *text, const struct mf_platform *pf, char *buf, size_t size)
{
    return parse_common(text, strlen(text), pf, buf, size);
}

int main(void)
{
    int p, f;
    run_bad_cases();
    run_limit_cases();
    run_platform_cases();
    run_good_cases();
    run_unit_cases();
    good_counts(&p, &f);
    check_passed += p;
    check_failed += f;
    return check_summary(SIDECORE_BUILT && VIRTIO_NET_BUILT && VIRTIO_NET_UPLINK_BUILT &&
                         VIRTIO_BLK_BUILT ? "manifest" : "manifest-unbuilt");
}
