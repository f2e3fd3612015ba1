/* Unit tests of the manifest keys of the software switch: virtio_net spoof_check and
 * [virtio_switch] mirror, and the guest's virtio_mode; good and bad, each bad one against the
 * exact error text. */
#include <stdlib.h>
#include <string.h>

#include <exitless/manifest.h>

#include "check.h"

static struct mf_workspace ws;

#define SIDE "[hypervisor]\nsidecores = [3]\n"                                          /* lines 1-2 */
#define GUEST(n, cpu) "[[guest]]\nname = \"" n "\"\ncpus = [" cpu "]\nmemory = \"64M\"\nimage = \"i\"\n"
/* Lines 3-8: guest a with one port; 9-14: b with one port; 15-20: m with two ports. */
#define THREE SIDE GUEST("a", "1") "virtio_net = [{ vlan = 10 }]\n" GUEST("b", "2") \
              "virtio_net = [{ port = 7 }]\n" GUEST("m", "4") "virtio_net = [{}, {}]\n"

/* Parses text; joins every error as "line:col: message" lines into buf. */
static int parse(const char *text, char *buf, size_t size)
{
    int rc = mf_parse(&ws, "t.toml", text, strlen(text));
    size_t used = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < ws.diag.count && used < size; i++) {
        char line[300];
        mf_format_error(&ws.diag, i, line, sizeof(line));
        int w = snprintf(buf + used, size - used, "%s%s", i ? "\n" : "", line);
        if (w > 0)
            used += (size_t)w;
    }
    return rc;
}

struct bad {
    const char *name, *text, *errors;
};

static const struct bad bad_cases[] = {
    { "spoof_check type", SIDE GUEST("a", "1") "virtio_net = [{ spoof_check = 1 }]\n",
      "t.toml:8:31: error: 'spoof_check': expected true or false, found integer 1" },
    { "switch without ports", SIDE GUEST("a", "1") "[virtio_switch]\n",
      "t.toml:8:1: error: [virtio_switch] is given, but no guest has a [[guest.virtio_net]] port on the switch" },
    { "unknown switch key", THREE "[virtio_switch]\nflood = true\n",
      "t.toml:22:1: error: unknown key 'flood' in [virtio_switch]" },
    { "mirror not a table", THREE "[virtio_switch]\nmirror = 3\n",
      "t.toml:22:10: error: 'mirror': expected a table such as { sources = [\"a\"], target = \"b\" }, found integer 3" },
    { "mirror without target", THREE "[virtio_switch]\nmirror = { sources = [\"a\"] }\n",
      "t.toml:22:1: error: the mirror of [virtio_switch]: missing key 'target'" },
    { "nothing to mirror", THREE "[virtio_switch]\nmirror = { target = \"b\" }\n",
      "t.toml:22:1: error: the mirror of [virtio_switch] has nothing to mirror: expected 'sources' or 'vlans'" },
    { "empty lists are nothing to mirror", THREE "[virtio_switch]\nmirror = { sources = [], vlans = [], target = \"b\" }\n",
      "t.toml:22:1: error: the mirror of [virtio_switch] has nothing to mirror: expected 'sources' or 'vlans'" },
    { "unknown guest", THREE "[virtio_switch]\nmirror = { sources = [\"x\"], target = \"b\" }\n",
      "t.toml:22:23: error: mirror source 'x': expected a guest name or \"portN\", found no such guest" },
    { "guest with two ports", THREE "[virtio_switch]\nmirror = { sources = [\"a\"], target = \"m\" }\n",
      "t.toml:22:38: error: mirror target 'm': guest 'm' has 2 virtio-net ports: expected one, or \"portN\" to name a port" },
    { "no such port", THREE "[virtio_switch]\nmirror = { sources = [\"port9\", \"port300\"], target = \"b\" }\n",
      "t.toml:22:23: error: mirror source 'port9': no [[guest.virtio_net]] has port 9\n"
      "t.toml:22:32: error: mirror source 'port300': no [[guest.virtio_net]] has port 300" },
    { "target is a source", THREE "[virtio_switch]\nmirror = { sources = [\"a\", \"port7\"], target = \"b\" }\n",
      "t.toml:22:28: error: mirror source 'port7' is also the mirror target (port 7)" },
    { "bad vlan", THREE "[virtio_switch]\nmirror = { vlans = [4095], target = \"b\" }\n",
      "t.toml:22:21: error: 'vlans': expected VLAN ids in 1..4094, found integer 4095" },
    { "bad source type", THREE "[virtio_switch]\nmirror = { sources = [1], target = \"b\" }\n",
      "t.toml:22:23: error: 'sources': expected a guest name or \"portN\", found integer 1" },
    { "virtio_mode value", SIDE GUEST("a", "1") "virtio_mode = \"polled\"\n",
      "t.toml:8:15: error: 'virtio_mode': expected one of \"sidecore\", \"baseline\", found string \"polled\"" },
    { "baseline virtio-net without a sidecore", GUEST("a", "1") "virtio_mode = \"baseline\"\nvirtio_net = [{}]\n",
      "t.toml:7:15: error: guest 'a' has virtio devices, which need a sidecore: expected 'sidecores' in [hypervisor]" },
    { "rate beyond the switch", SIDE GUEST("a", "1") "virtio_net = [{ egress_limit = \"10001Gbit\" }]\n",
      "t.toml:8:32: error: 'egress_limit': expected at most 10Tbit (the software switch's limit), found 10001000000000 bit/s" },
};

static void run_bad(void)
{
    char buf[2048];
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad *c = &bad_cases[i];
        int rc = parse(c->text, buf, sizeof(buf));
        CHECK(rc == -MF_EINVAL, "%s: refused", c->name);
        CHECK_STREQ(buf, c->errors, c->name);
    }
}

static void run_good(void)
{
    char buf[2048];
    const struct mf_manifest *m = &ws.model;
    int rc = parse(THREE, buf, sizeof(buf));
    CHECK(rc == 0, "three guests: %s", buf);
    CHECK(!m->vswitch.present && !m->vswitch.mirror.present, "no [virtio_switch]");
    CHECK(m->guests[0].virtio_net[0].spoof_check, "spoof_check defaults to true");

    /* A baseline guest's virtio-blk needs no sidecore. */
    rc = parse(GUEST("a", "1") "virtio_mode = \"baseline\"\nvirtio_blk = [{ module = \"d\" }]\n", buf,
               sizeof(buf));
    CHECK(rc == 0 && m->guests[0].virtio_mode == MF_VIRTIO_BASELINE, "baseline virtio-blk without a sidecore: %s",
          buf);
    rc = parse(GUEST("a", "1") "virtio_blk = [{ module = \"d\" }]\n", buf, sizeof(buf));
    CHECK(rc != 0 && strstr(buf, "which need a sidecore"), "sidecore-mode virtio-blk needs a sidecore: %s", buf);
    /* Baseline virtio-net: kicks exit, but the switch is still the sidecore's. */
    rc = parse(SIDE GUEST("a", "1") "virtio_mode = \"baseline\"\nvirtio_net = [{}]\n", buf, sizeof(buf));
    CHECK(rc == 0 && m->guests[0].virtio_mode == MF_VIRTIO_BASELINE && m->guests[0].nvnets == 1,
          "baseline virtio-net with a sidecore: %s", buf);

    rc = parse(SIDE GUEST("a", "1") "virtio_net = [{ spoof_check = false }, {}]\n", buf, sizeof(buf));
    CHECK(rc == 0 && !m->guests[0].virtio_net[0].spoof_check && m->guests[0].virtio_net[1].spoof_check,
          "spoof_check = false on the first port only: %s", buf);

    rc = parse(THREE "[virtio_switch]\nmirror = { sources = [\"a\", \"port1\"], vlans = [10, 20], target = \"b\" }\n",
               buf, sizeof(buf));
    CHECK(rc == 0, "mirror by guest and port: %s", buf);
    const struct mf_port_mirror *mi = &m->vswitch.mirror;
    CHECK(m->vswitch.present && mi->present, "present");
    CHECK(mi->nsrcs == 2 && mi->src_ports[0] == m->guests[0].virtio_net[0].port && mi->src_ports[1] == 1,
          "sources resolved to ports %u and %u", mi->src_ports[0], mi->src_ports[1]);
    CHECK(mi->nvlans == 2 && mi->vlans[0] == 10 && mi->vlans[1] == 20, "VLANs");
    CHECK_EQ_U64(mi->target_port, 7, "target b is port 7");

    rc = parse(THREE "[virtio_switch.mirror]\nvlans = [10]\ntarget = \"port2\"\n", buf, sizeof(buf));
    CHECK(rc == 0 && mi->present && mi->nsrcs == 0 && mi->target_port == 2,
          "dotted header, VLAN rule only, target by port: %s", buf);
    rc = parse(THREE "[virtio_switch]\n", buf, sizeof(buf));
    CHECK(rc == 0 && m->vswitch.present && !mi->present, "an empty [virtio_switch]: %s", buf);
    rc = parse(SIDE GUEST("a", "1") "virtio_net = [{ ingress_limit = \"10Tbit\" }]\n", buf, sizeof(buf));
    CHECK(rc == 0 && m->guests[0].virtio_net[0].ingress_limit_bps == MF_VNET_RATE_MAX, "10 Tbit/s is allowed: %s",
          buf);
}

static void collect(void *ctx, const char *line)
{
    char *buf = ctx;
    size_t used = strlen(buf);
    snprintf(buf + used, 2048 - used, "%s\n", line);
}

static void run_summary(void)
{
    char buf[2048], sum[2048] = "";
    int rc = parse(THREE "[virtio_switch]\nmirror = { sources = [\"a\"], vlans = [10], target = \"b\" }\n",
                   buf, sizeof(buf));
    CHECK(rc == 0, "parses: %s", buf);
    ws.model.guests[0].virtio_net[0].egress_limit_bps = 10000000;
    ws.model.guests[1].virtio_net[0].spoof_check = false;
    mf_print_summary(&ws.model, collect, sum);
    CHECK(strstr(sum, "  virtio switch: mirror port0 vlan10 -> port7\n") != NULL, "mirror line in:\n%s", sum);
    CHECK(strstr(sum, "    virtio-net port 0 mac 02:45:56:00:00:00 vlan 10 egress 10Mbit spoof-check\n") != NULL,
          "port line with VLAN, limit and spoof check in:\n%s", sum);
    CHECK(strstr(sum, "    virtio-net port 7 mac 02:45:56:00:00:07\n") != NULL, "spoof check off in:\n%s", sum);
}

int main(void)
{
    run_summary();
    run_bad();
    run_good();
    return check_summary("manifest_switch");
}
