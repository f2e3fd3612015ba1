/* The manifest model: one typed description of the machine, shared by the hypervisor and host tools. */
#ifndef EXITLESS_MANIFEST_H
#define EXITLESS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Limits. Everything is fixed-size so the parser needs no allocator; exceeding a limit is an
 * ordinary manifest error naming the limit. docs/manifest.md lists them for users.
 */
#define MF_MAX_CPUS         256   /* logical CPU numbers 0..255 */
#define MF_MAX_GUESTS       32
#define MF_MAX_NICS         8
#define MF_MAX_MODULES      64
#define MF_MAX_GUEST_VFS    4     /* [[guest.vf]] per guest */
#define MF_MAX_GUEST_VNETS  4     /* [[guest.virtio_net]] per guest */
#define MF_MAX_GUEST_VBLKS  4     /* [[guest.virtio_blk]] per guest */
#define MF_MAX_GUEST_PCI    4     /* [[guest.pci]] per guest */
#define MF_MAX_VLAN_LIST    8     /* allowed_vlans, mirror vlans */
#define MF_MAX_MIRROR_SRCS  8
#define MF_MAX_VFS_PER_NIC  64
#define MF_NAME_MAX         32    /* names incl. NUL: 31 characters */
#define MF_CMDLINE_MAX      512
#define MF_PATH_MAX         160
#define MF_VNET_RATE_MAX    10000000000000ull  /* virtio-net limits: 10 Tbit/s (switch buckets) */
#define MF_TIME_LIMIT_MAX_MS (24ull * 60 * 60 * 1000)  /* [[guest]] time_limit: 1 day */

/* Parser workspace limits (see struct mf_workspace). */
#define MF_MAX_INPUT        (256u * 1024u)  /* bytes of manifest text */
#define MF_MAX_NODES        4096            /* keys + values + tables in the document */
#define MF_STRINGS_MAX      (48u * 1024u)   /* bytes of key and string storage */
#define MF_MAX_DEPTH        8               /* nesting of arrays / inline tables */
#define MF_MAX_ERRORS       64              /* errors kept; more are counted, not stored */
#define MF_MSG_MAX          200             /* one error message, without file:line:col */

#define MF_PAGE_SIZE        4096u
#define MF_NONE             0xffu           /* "no index" in uint8_t references */

/* A source position, 1-based; line 0 means "no position" (e.g. a default value). */
struct mf_pos {
    uint32_t line;
    uint32_t col;
};

/* A set of logical CPU numbers (MADT order of enabled CPUs, CPU 0 = the boot CPU). */
struct mf_cpuset {
    uint64_t bits[MF_MAX_CPUS / 64];
};

static inline bool mf_cpuset_has(const struct mf_cpuset *s, unsigned cpu)
{
    return cpu < MF_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline void mf_cpuset_add(struct mf_cpuset *s, unsigned cpu)
{
    if (cpu < MF_MAX_CPUS)
        s->bits[cpu / 64] |= 1ull << (cpu % 64);
}

/* PCI function address "SSSS:BB:DD.F". */
struct mf_pci_addr {
    uint16_t segment;
    uint8_t bus;
    uint8_t dev;
    uint8_t fn;
};

struct mf_mac {
    uint8_t b[6];
};

enum mf_console { MF_CONSOLE_COM1, MF_CONSOLE_COM2, MF_CONSOLE_VGA, MF_CONSOLE_NONE };
enum mf_log_level { MF_LOG_ERROR, MF_LOG_WARN, MF_LOG_INFO, MF_LOG_DEBUG, MF_LOG_TRACE };
enum mf_all_stopped { MF_STOPPED_HALT, MF_STOPPED_REBOOT, MF_STOPPED_POWEROFF };
enum mf_qos_policy { MF_QOS_BEST_EFFORT, MF_QOS_REQUIRED };
enum mf_switching { MF_SWITCH_VEB, MF_SWITCH_VEPA };
enum mf_on_fault { MF_FAULT_STOP, MF_FAULT_RESTART };
enum mf_interrupts { MF_IRQ_EXITLESS, MF_IRQ_INJECTED };
/* How the guest's virtio devices are served: a polling sidecore, or on its own vCPUs with
 * exiting kicks and injected interrupts (the classic way, for comparison). */
enum mf_virtio_mode { MF_VIRTIO_SIDECORE, MF_VIRTIO_BASELINE };
enum mf_expect { MF_EXPECT_SUCCESS, MF_EXPECT_FAULT };

/* [hypervisor] */
struct mf_hypervisor {
    int console;                 /* enum mf_console, default com1 */
    uint32_t baud;               /* default 115200 */
    int log_level;               /* enum mf_log_level, default info */
    uint32_t management_cpu;     /* default 0 */
    struct mf_cpuset sidecores;  /* default empty */
    int on_all_stopped;          /* enum mf_all_stopped, default halt */
    int qos_policy;              /* enum mf_qos_policy, default best-effort */
    struct mf_pos pos, management_cpu_pos, sidecores_pos;
};

/* [modules]: name = "path relative to the manifest" (for the ISO builder). */
struct mf_module {
    char name[MF_NAME_MAX];
    char path[MF_PATH_MAX];
    struct mf_pos pos;
};

/* A module reference: the name, and its index in mf_manifest.modules or MF_NONE. */
struct mf_modref {
    char name[MF_NAME_MAX];      /* "" = not set */
    uint8_t module;
    struct mf_pos pos;
};

/* nic.mirror: copy chosen VFs' (or VLANs') traffic to a monitor VF. */
struct mf_mirror {
    bool present;
    uint8_t nsrc_vfs;
    uint8_t src_vfs[MF_MAX_MIRROR_SRCS];  /* VF indexes on this NIC */
    uint8_t nvlans;
    uint16_t vlans[MF_MAX_VLAN_LIST];
    uint8_t target_vf;                     /* VF index on this NIC */
    /* As written, for diagnostics: a guest name or "vfN". */
    char src_refs[MF_MAX_MIRROR_SRCS][MF_NAME_MAX];
    struct mf_pos src_pos[MF_MAX_MIRROR_SRCS];
    char target_ref[MF_NAME_MAX];
    struct mf_pos pos, target_pos;
};

/* [[nic]]: a physical function the hypervisor drives. */
struct mf_nic {
    char name[MF_NAME_MAX];
    struct mf_pci_addr pci;
    uint32_t vfs;                /* VFs to enable, default 0 */
    int switching;               /* enum mf_switching, default veb */
    uint64_t link_bps;           /* link_speed, 0 = unknown (ask the device) */
    struct mf_mirror mirror;
    struct mf_pos pos, name_pos, pci_pos, vfs_pos, link_pos;
};

/* [[guest.vf]]: an SR-IOV virtual function assigned to the guest. */
struct mf_vf {
    uint8_t nic;                 /* index into mf_manifest.nics */
    uint32_t index;              /* VF number on that NIC */
    bool index_set;              /* false: the checker assigned the lowest free index */
    struct mf_mac mac;
    bool mac_set;                /* false: derived locally administered MAC */
    uint16_t vlan;               /* port VLAN (inserted/stripped by the NIC), 0 = none */
    uint8_t nallowed_vlans;
    uint16_t allowed_vlans[MF_MAX_VLAN_LIST];  /* VLANs the guest may tag itself */
    uint64_t tx_rate_bps;        /* 0 = unlimited */
    uint64_t ingress_limit_bps;  /* 0 = unlimited */
    bool spoof_check;            /* default true */
    bool trust;                  /* default false: guest may not change its MAC */
    uint8_t priority;            /* 802.1p 0..7, default 0 */
    char nic_ref[MF_NAME_MAX];
    struct mf_pos pos, nic_pos, index_pos, mac_pos, vlan_pos, tx_rate_pos, ingress_pos;
};

/* [[guest.virtio_net]]: a paravirtual NIC served by a sidecore's software switch. */
struct mf_virtio_net {
    struct mf_mac mac;
    bool mac_set;
    uint32_t port;               /* switch port number, unique; default assigned */
    bool port_set;
    uint16_t vlan;               /* 0 = untagged */
    uint8_t uplink;              /* NIC index or MF_NONE: frames for unknown MACs go there */
    char uplink_ref[MF_NAME_MAX];
    uint64_t ingress_limit_bps;  /* 0 = unlimited; policed by the sidecore */
    uint64_t egress_limit_bps;
    bool spoof_check;            /* default true: drop frames whose source MAC is not mac */
    struct mf_pos pos, mac_pos, port_pos, uplink_pos, ingress_pos, egress_pos;
};

/* [virtio_switch] mirror: copy chosen virtio-net ports' (or VLANs') frames to a monitor port. */
struct mf_port_mirror {
    bool present;
    uint8_t nsrcs;
    uint16_t src_ports[MF_MAX_MIRROR_SRCS];  /* switch port numbers */
    uint8_t nvlans;
    uint16_t vlans[MF_MAX_VLAN_LIST];
    uint16_t target_port;                    /* switch port number */
    /* As written, for diagnostics: a guest name or "portN". */
    char src_refs[MF_MAX_MIRROR_SRCS][MF_NAME_MAX];
    struct mf_pos src_pos[MF_MAX_MIRROR_SRCS];
    char target_ref[MF_NAME_MAX];
    struct mf_pos pos, target_pos;
};

/* [virtio_switch]: settings of the sidecore's software switch as a whole. */
struct mf_virtio_switch {
    bool present;
    struct mf_port_mirror mirror;
    struct mf_pos pos;
};

/* [[guest.virtio_blk]]: a paravirtual disk backed by a module in RAM. */
struct mf_virtio_blk {
    struct mf_modref module;
    bool read_only;              /* default false */
    struct mf_pos pos;
};

/* [[guest.pci]]: a plain PCI function assigned as is. */
struct mf_pci_dev {
    struct mf_pci_addr address;
    bool unsafe_no_iommu;        /* default false: refuse without VT-d */
    struct mf_pos pos, address_pos;
};

/* [[guest]] */
struct mf_guest {
    char name[MF_NAME_MAX];
    struct mf_cpuset cpus;
    uint32_t ncpus;
    uint64_t memory;             /* bytes, page aligned */
    struct mf_modref image;
    struct mf_modref initrd;     /* name "" = none */
    char cmdline[MF_CMDLINE_MAX];
    int on_fault;                /* enum mf_on_fault, default stop */
    int interrupts;              /* enum mf_interrupts, default exitless */
    int virtio_mode;             /* enum mf_virtio_mode, default sidecore */
    struct mf_pos virtio_mode_pos;
    uint32_t max_restarts;       /* with on_fault = restart; default 3 */
    uint64_t time_limit_ms;      /* 0 = none; wall-clock limit of each run */
    int expect;                  /* enum mf_expect, default success (test manifests) */
    uint8_t nvfs, nvnets, nvblks, npci;
    struct mf_vf vf[MF_MAX_GUEST_VFS];
    struct mf_virtio_net virtio_net[MF_MAX_GUEST_VNETS];
    struct mf_virtio_blk virtio_blk[MF_MAX_GUEST_VBLKS];
    struct mf_pci_dev pci[MF_MAX_GUEST_PCI];
    bool incomplete;             /* a syntax error inside: skip checks that need every key */
    struct mf_pos pos, name_pos, cpus_pos, memory_pos;
};

/* The whole machine. Self-contained (no pointers): it may be copied out of the workspace. */
struct mf_manifest {
    struct mf_hypervisor hv;
    uint8_t nnics, nguests, nmodules;
    bool has_modules_table;      /* [modules] present: every module used must be listed */
    struct mf_nic nics[MF_MAX_NICS];
    struct mf_guest guests[MF_MAX_GUESTS];
    struct mf_module modules[MF_MAX_MODULES];
    struct mf_virtio_switch vswitch;
};

/* Collected errors. Messages carry no file name; mf_format_error() adds "file:line:col: error: ". */
struct mf_error {
    struct mf_pos pos;
    char msg[MF_MSG_MAX];
};

struct mf_diag {
    const char *file;            /* as given to mf_parse(); not copied */
    uint32_t count;              /* errors stored */
    uint32_t dropped;            /* errors beyond MF_MAX_ERRORS */
    struct mf_error err[MF_MAX_ERRORS];
};

/* Document tree node (private to the parser; here only so the workspace has a size). */
struct mf_node {
    uint8_t kind;
    uint8_t flags;
    uint32_t key;                /* offset into strings, 0 = none (array element) */
    uint32_t child, last, next;  /* node indexes, 0 = none (node 0 is the root) */
    struct mf_pos kpos, vpos;
    int64_t ival;
    uint32_t sval;               /* offset into strings */
};

/*
 * Everything the parser needs, caller-provided (the hypervisor keeps one in .bss; host tools
 * may put it on the heap). Reused by every mf_parse() call; no other memory is touched.
 */
struct mf_workspace {
    struct mf_manifest model;
    struct mf_diag diag;
    uint32_t nnodes, nstrings;
    struct mf_node nodes[MF_MAX_NODES];
    char strings[MF_STRINGS_MAX];
};

/*
 * What the running machine has, for checks only the real platform can answer. Zero means
 * "unknown, skip the check": the host tool leaves most of it zero; the hypervisor fills it
 * from ACPI (MADT), the multiboot2 memory map and module tags, and PCIe/SR-IOV probing.
 */
struct mf_platform_nic {
    struct mf_pci_addr pci;
    uint32_t total_vfs;          /* SR-IOV TotalVFs */
    uint64_t link_bps;           /* 0 = unknown */
};

struct mf_platform {
    uint32_t cpu_count;          /* logical CPUs present, 0 = unknown */
    uint64_t guest_ram;          /* bytes available for guests, 0 = unknown */
    bool modules_known;          /* module_names below is the complete list */
    uint32_t nmodules;
    const char *module_names[MF_MAX_MODULES];
    bool nics_known;             /* nics below lists every SR-IOV NIC present */
    uint32_t nnics;
    struct mf_platform_nic nics[MF_MAX_NICS];
    bool iommu_known;
    bool iommu_present;
};

/* Error codes (returned negated). */
#define MF_EINVAL 22

/*
 * Parse and validate `text` (len bytes, need not be NUL-terminated) into ws->model.
 * `file` names the manifest in messages. Runs every check that needs no platform facts.
 * Returns 0, or -MF_EINVAL with every error in ws->diag.
 */
__attribute__((warn_unused_result))
int mf_parse(struct mf_workspace *ws, const char *file, const char *text, size_t len);

/* Check ws->model (after a successful mf_parse) against the real machine. 0 or -MF_EINVAL. */
__attribute__((warn_unused_result))
int mf_check_platform(struct mf_workspace *ws, const struct mf_platform *pf);

/* Format error i as "file:line:col: error: message" into buf; returns buf. */
const char *mf_format_error(const struct mf_diag *d, uint32_t i, char *buf, size_t size);

/* Emit every error, then a count line if any were dropped, one line per call (no newline). */
void mf_print_errors(const struct mf_diag *d, void (*emit)(void *ctx, const char *line), void *ctx);

/* Emit a short human summary of the machine, one line per call (no newline). */
void mf_print_summary(const struct mf_manifest *m, void (*emit)(void *ctx, const char *line),
                      void *ctx);

/* Names for enum values, as written in the manifest. */
const char *mf_console_name(int v);
const char *mf_log_level_name(int v);
const char *mf_all_stopped_name(int v);
const char *mf_qos_policy_name(int v);
const char *mf_switching_name(int v);
const char *mf_on_fault_name(int v);
const char *mf_interrupts_name(int v);
const char *mf_virtio_mode_name(int v);
const char *mf_expect_name(int v);

/* Small helpers shared with drivers and tools. */
uint32_t mf_cpuset_count(const struct mf_cpuset *s);
int mf_find_guest(const struct mf_manifest *m, const char *name);   /* index or -1 */
int mf_find_nic(const struct mf_manifest *m, const char *name);     /* index or -1 */
int mf_find_module(const struct mf_manifest *m, const char *name);  /* index or -1 */

#endif
