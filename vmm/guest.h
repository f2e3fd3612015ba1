/* Guests and their vCPUs: the state the hypervisor keeps for each partition. */
#ifndef EXITLESS_VMM_GUEST_H
#define EXITLESS_VMM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "vmm/gpmap.h"
#include "vmm/msr.h"
#include "vmm/access_census.h"
#include "vmm/msr_refused.h"
#include "vmm/platform/pit.h"
#include "vmm/platform/pm.h"
#include "vmm/stats.h"
#include "vmm/unbacked.h"
#include "vmm/vendor.h"
#include "vmm/vpci/vpci.h"
#include "vmm/vuart.h"

#define GUEST_MAX 16
#define GUEST_MAX_VCPUS 8
#define GUEST_NAME_MAX 32

/* General registers the VMCS/VMCB does not hold (SVM keeps RAX in the VMCB; its entry code
 * moves it); layout used by the vendors' entry code through generated offsets
 * (tools/asm-offsets.c). */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t cr2;
};

enum guest_state { GUEST_EMPTY, GUEST_READY, GUEST_RUNNING, GUEST_STOPPED, GUEST_FAILED };
enum guest_on_fault { ON_FAULT_STOP, ON_FAULT_RESTART };
enum guest_boot_mode { BOOT_LONG64, BOOT_PROTECTED32 };

struct guest;

/* Pages one vCPU has unshadowed for the guest instruction it single-steps (vmm/step.c):
 * an instruction may touch several (an unaligned write across two IDT pages). */
#define STEP_MAX_PAGES 4
enum step_kind { STEP_NONE, STEP_IDT, STEP_MSIX, STEP_NOTIFY };
struct step_page {
    enum step_kind kind;
    uint64_t gpa;               /* page-aligned guest-physical address */
};

/* The IDT one vCPU loaded (ELI): where it lives, as of its last LIDT. */
#define ELI_IDT_PAGES 2
struct vcpu_idt {
    bool loaded;
    bool long_mode;             /* 16-byte gates; else 8-byte protected-mode gates */
    uint64_t base;              /* guest linear address and limit, as the guest loaded them */
    uint32_t limit;
    uint32_t npages;
    uint64_t gpa[ELI_IDT_PAGES];
};

/* How vcpu_setup starts a vCPU: at the loader's entry (g->entry, registers for vCPU 0), or
 * as a STARTUP IPI starts an application processor (SDM vol. 3, 9.4.4 and 11.6.1): real
 * mode at CS.selector = vector << 8, CS.base = vector << 12, IP = 0, CR0 = 0x60000010. */
enum vcpu_start_mode { VCPU_START_ENTRY, VCPU_START_SIPI };
struct vcpu_start {
    enum vcpu_start_mode mode;
    uint8_t sipi_vector;
};

/* vcpu.init_sipi: where a vCPU is in INIT-SIPI-SIPI (vmm/intr/apic_start.c). */
#define VCPU_RUNS 0u                /* runs (or runs at its next start) */
#define VCPU_INIT_PENDING 1u        /* a sibling sent INIT: leave the run loop, reset, wait */
#define VCPU_WAIT_SIPI 2u           /* waits for a STARTUP IPI, in the hypervisor */
#define VCPU_SIPI_RECEIVED 0x100u   /* | the vector: start there */

/* One vCPU. Owner: the CPU it runs on (`cpu`), which alone writes every field not marked
 * otherwise; other CPUs touch only the fields marked "any CPU". */
struct vcpu {
    struct guest *guest;
    uint32_t index;             /* within the guest */
    uint32_t cpu;               /* physical CPU it owns */
    uint32_t apic_id;
    void *hw;                   /* the vendor's per-vCPU state (VMCS or VMCB and its flags) */
    struct guest_regs regs;
    struct vexit exit;          /* the exit being handled, as the vendor decoded it */
    struct exit_stats stats;
    /* Any CPU sets it (then sends a kick NMI) to make this vCPU leave guest mode and look
     * at its guest's state. */
    volatile bool kick;
    /* Read by any CPU: the vCPU's loop is running (vmm/guest_mgr.c), and it is between the
     * last check before VM entry and the next exit (vmm/vcpu.c). */
    volatile bool active;
    volatile bool in_guest;
    /* The guest's map generation this CPU has flushed up to (guest_ept_sync). */
    volatile uint64_t ept_seen;
    uint64_t msrpm_phys;        /* MSR permission map, per vCPU: EOI pass-through changes
                                 * with the virtual ISR (vendor->msrpm_pages pages) */
    /* Virtual interrupts (vmm/virq.c): requested, and delivered but not yet EOIed. */
    uint64_t virr[4], visr[4];  /* bit v = vector v */
    volatile uint64_t virr_remote[4]; /* any CPU sets bits (atomic), merged before entry */
    bool eoi_trapped;           /* EOI MSR exits (a virtual interrupt is in service) */
    uint8_t tpr;                /* the guest's TPR as it wrote it (CR8 = tpr >> 4) */
    struct vcpu_msrs msrs;      /* MSRs the vCPU keeps as its own (vmm/msr.c) */
    /* The hypervisor's requests served on this vCPU's core: cross-calls posted by NMI
     * (kernel/xcall.c) and hypervisor interrupts seen through #NP/#GP, counted. */
    uint64_t hv_interrupts;
    uint64_t denied_apic_writes;
    uint64_t watchdog_exits;    /* watchdog exits: the guest ran a whole period */
    struct vcpu_idt idt;        /* ELI: what this vCPU loaded; under guest->ept_lock */
    struct vcpu_start start;    /* read by the vendors' vcpu_setup */
    /* Any CPU running a vCPU of the same guest moves it (atomic store / compare-exchange):
     * VCPU_RUNS, VCPU_INIT_PENDING, VCPU_WAIT_SIPI, VCPU_SIPI_RECEIVED | vector. Only the
     * owner takes a pending INIT or a received SIPI. */
    volatile uint32_t init_sipi;
    /* Any CPU reads it: halted with interrupts disabled, parked in the hypervisor (an OS's
     * stopped CPU; vmm/exit.c). The owner writes it. */
    volatile bool parked;
    uint32_t start_ipis;        /* INIT/SIPI this vCPU sent (the first few are logged) */
    uint64_t apic_kept_logged;  /* SVR/LVT writes logged once each (bit = MSR & 63) */
    bool apic_base_logged;      /* a refused APIC base write was logged */
    /* One guest instruction under single-step (vmm/step.c): writes to shadowed pages. */
    uint32_t nstep;             /* pages in step[]; 0 = no step */
    struct step_page step[STEP_MAX_PAGES];
    bool step_with_tf;          /* stepping with RFLAGS.TF + #DB (no monitor trap flag) */
    bool guest_tf;              /* the guest's own TF before the step */
    bool tf_residue;            /* a step cut short: our TF may sit in a saved RFLAGS image */
};

/* The shadow IDT of an exitless guest (vmm/eli.c). The pages holding the IDTs its vCPUs
 * loaded are replaced in its EPT by read-only hypervisor pages holding a copy in which only
 * the vectors the guest owns are present; writes to them are single-stepped into the real
 * page, then re-shadowed. All of it is under guest->ept_lock. */
#define ELI_MAX_PAGES (ELI_IDT_PAGES * GUEST_MAX_VCPUS)
struct eli_page {
    uint64_t gpa;               /* guest page holding (part of) an IDT */
    uint64_t shadow_hpa;        /* the hypervisor page mapped there instead */
    uint32_t steppers;          /* vCPUs stepping a write to it: mapped to RAM meanwhile */
    bool used;
};
struct eli_state {
    bool active;                /* some vCPU has loaded an IDT */
    struct eli_page page[ELI_MAX_PAGES];
    uint64_t rebuilds;
};

/* How the loader left the guest's first vCPU. */
struct guest_entry {
    enum guest_boot_mode mode;
    uint64_t rip, rsp, rax, rbx, rdi, rsi;
    uint64_t cr3;               /* long mode: loader-built identity tables */
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds;            /* selectors in that GDT: CS, and DS = ES = SS = FS = GS */
    uint64_t image_end;         /* first guest-physical byte after the loaded kernel */
    /* The guest's module (manifest `initrd`), placed page-aligned after the kernel and
     * handed over as its boot protocol says (multiboot module, boot-info fields). */
    const uint8_t *mod_src;
    uint64_t mod_size;
    const char *mod_name;
    uint64_t mod_start, mod_end;
    /* Linux guests: only vCPU 0 starts at the entry; the others wait for the INIT-SIPI-SIPI
     * its kernel sends them, as a PC's application processors do. */
    bool aps_wait_sipi;
};

struct guest {
    char name[GUEST_NAME_MAX];
    uint32_t id;
    volatile enum guest_state state;
    enum guest_on_fault on_fault;
    enum intr_mode intr_mode;
    uint32_t max_restarts;
    uint64_t time_limit_ms;     /* wall-clock limit of each run, 0 = none */
    uint32_t restarts;
    uint64_t run_started_tsc;   /* this run's start (time limit); management CPU */
    const char *image;          /* module names */
    const char *initrd;
    const char *cmdline;
    uint64_t mem_hpa;           /* guest RAM: one contiguous host block */
    uint64_t mem_size;
    struct gpmap gpmap;         /* guest-physical map (EPT or NPT) */
    uint64_t iopm_phys;         /* port permission map (vendor->iopm_pages pages) */
    struct guest_entry entry;
    struct vuart uart;
    uint32_t nvcpus;
    struct vcpu vcpus[GUEST_MAX_VCPUS];
    struct spinlock lock;       /* protects: state, fault text, restarts, reboot_requested */
    /* Serializes, between its vCPUs, changes to the EPT of a running guest (shadow IDT pages,
     * MSI-X shadows, steps) and the virtual PCI's configuration state; ept_gen counts the
     * changes for the other vCPUs' INVEPT (guest_ept_sync). */
    struct spinlock ept_lock;
    volatile uint64_t ept_gen;
    char fault[200];            /* why it stopped, when it failed */
    int exit_status;            /* from HC_STOP */
    /* The guest asked to be reset (vmm/platform/pm.c): stopped, to be restarted as its
     * on_fault/restart policy allows; cleared when the restart begins. */
    bool reboot_requested;
    bool expect_fault;          /* test manifests: being stopped is this guest's success */
    int manifest_index;         /* -1 when not from a manifest */
    uint64_t unclaimed_ports;
    uint32_t checks_passed, checks_failed;  /* HC_TEST_RESULT lines */
    uint32_t device_faults;     /* VT-d faults of its devices in this run */
    struct eli_state eli;       /* exitless mode only */
    struct vpci vpci;           /* assigned PCI functions */
    /* The MSRs it was refused (vmm/msr.c), each once, and the census of the CPUID leaves and
     * trapped MSRs it used (vmm/cpuid.c, vmm/msr.c); msr_lock protects msr_refused, msr_seen
     * and cpuid_seen: any of its vCPUs may exit for one at the same time. Kept across
     * restarts. */
    struct spinlock msr_lock;
    struct msr_refused msr_refused;
    struct access_census msr_seen;
    struct access_census cpuid_seen;
    /* Reads where it has neither RAM nor a device (vmm/unbacked.c); unbacked_lock protects
     * unbacked: any of its vCPUs may make one. Kept across restarts. */
    struct spinlock unbacked_lock;
    struct unbacked_log unbacked;
    /* Exit-count marks (vmm/stats_mark.c): the counts at the previous mark; mark_lock
     * protects them, as any of its vCPUs may set a mark. Cleared at each run's start. */
    struct spinlock mark_lock;
    uint32_t marks;
    uint64_t mark_total;
    uint64_t mark_exits[HC_STATS_REASONS];
    /* The virtual platform's devices (vmm/platform/): each says what protects it. */
    struct guest_pit pit;
    struct guest_pm pm;
};

/* Translate and bounds-check guest-physical ranges through the guest's EPT: 0 or -1.
 * Never touches memory outside the guest. */
int guest_read(struct guest *g, uint64_t gpa, void *buf, uint64_t len);
int guest_write(struct guest *g, uint64_t gpa, const void *buf, uint64_t len);
/* Host pointer to guest RAM [gpa, gpa+len) if it is all plain guest RAM, else NULL. */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len);

/* This guest's exit statistics, all vCPUs summed (hypercall and stop report). */
void guest_exit_stats(struct guest *g, struct hc_exit_stats *out);
/* An exit-count mark: logs the exits since the previous mark of this run, by reason. */
void guest_stats_mark(struct guest *g, uint8_t value);

/* After a change to the guest's EPT that takes a permission away: invalidates on this CPU
 * and makes every other running vCPU of the guest invalidate before it next runs guest code;
 * returns when none can still use the old translation (kick NMIs, bounded; a vCPU that does
 * not answer stops the guest). */
void guest_ept_sync(struct vcpu *self);
/* The same from a CPU that runs none of g's vCPUs (a sidecore): every vCPU invalidates. */
void guest_ept_sync_remote(struct guest *g);

/* Stops the guest because of its own fault; logs the reason with its name. */
void guest_fault(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks the guest stopped at its own request (HC_STOP, ACPI power-off, halting for good);
 * false when it was no longer running (another vCPU or the hypervisor stopped it first). */
bool guest_finish(struct guest *g, int status, const char *why);
/* The guest asked to be reset (`how`: which register): it stops as it would at
 * guest_finish with status 0, and the guest manager restarts it when its policy allows
 * (on_fault = "restart" with restarts left) or leaves it stopped, saying so. */
bool guest_request_reboot(struct guest *g, const char *how);

#endif
