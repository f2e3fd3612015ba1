/* pvhostile: a paravirtual guest that attacks its own virtio-blk device, served by the polling
 * sidecore, one attack per device reset. The device is set up correctly and one good request
 * checked; then, for each attack, the attack, the device's DEVICE_NEEDS_RESET status bit
 * awaited (PASS <attack>-needs-reset), a reset and a re-init, and one good request again
 * (PASS <attack>-recovered). The attacks: bad descriptor chains (index out of range, loops,
 * indirect loops and nesting, huge and overflowing lengths, addresses outside the guest's
 * memory), avail idx far past the queue size, rings outside the guest's memory at queue
 * enable, and a notify storm ("storm=N" notify stores, 1000000 by default) after which the
 * device must still serve without needing a reset. "only=N" runs the first N attacks;
 * "hold=M" leaves the device failed for M Mcycles of the TSC after each attack before the reset
 * (a window in which a neighbour's I/O on the same sidecore is seen to go on). */
#include "guest.h"
#include "virtio_blk.h"

#define VEC_VIRTIO 0x44
#define MSR_EOI 0x80b
#define SPINS 200000000ull
#define STATUS_TRIES 4000           /* status reads while waiting for needs-reset */
#define STATUS_GAP 20000            /* pause spins between two of them */
#define WANT ((1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_BLK_F_BLK_SIZE))
#define LAPIC_GPA 0xfee00000ull

static struct vio_ring ring;
static struct vdisk disk;
static uint8_t buf[4096] __attribute__((aligned(4096)));
static struct vring_desc itable[4] __attribute__((aligned(16)));
static struct vring_desc itable2[2] __attribute__((aligned(16)));
static struct virtio_blk_req_hdr ahdr __attribute__((aligned(16)));
static volatile uint8_t astatus;
static uint64_t mem;                 /* guest RAM is [0, mem) */
static uint64_t storm;
static uint64_t hold;                /* TSC cycles the failed device is left so */

static void on_virtio(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    disk.irqs++;
    wrmsr(MSR_EOI, 0);
}

#define A(p) ((uint64_t)(uintptr_t)(p))
#define RD VRING_DESC_F_NEXT                      /* device-readable, chained */
#define WR VRING_DESC_F_WRITE

/* A request header then anything: the chains below start with it. */
static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    ring.desc[i] = (struct vring_desc){ addr, len, flags, next };
}

/* Makes `head` available as the next entry and notifies. */
static void offer(uint16_t head)
{
    struct vio_queue *q = &disk.q[0];
    q->avail->ring[q->avail_idx % q->size] = head;
    vio_publish_q(&disk, 0, (uint16_t)(q->avail_idx + 1));
}

static void hdr_status_chain(uint64_t addr, uint32_t len)
{
    ahdr = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN };
    desc(0, A(&ahdr), sizeof(ahdr), RD, 1);
    desc(1, addr, len, RD | WR, 2);
    desc(2, A(&astatus), 1, WR, 0);
    offer(0);
}

static void a_head_range(void) { offer(0xffff); }
static void a_next_range(void) { desc(0, A(&ahdr), sizeof(ahdr), RD, 200); offer(0); }
static void a_desc_loop(void)
{
    desc(0, A(&ahdr), sizeof(ahdr), RD, 1);
    desc(1, A(buf), 512, RD, 0);
    offer(0);
}
static void a_self_loop(void) { desc(5, A(&ahdr), sizeof(ahdr), RD, 5); offer(5); }
static void a_indirect_loop(void)
{
    itable[0] = (struct vring_desc){ A(&ahdr), sizeof(ahdr), RD, 1 };
    itable[1] = (struct vring_desc){ A(buf), 512, RD, 0 };
    desc(0, A(itable), 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
    offer(0);
}
static void a_indirect_nested(void)
{
    itable2[0] = (struct vring_desc){ A(&ahdr), sizeof(ahdr), 0, 0 };
    itable[0] = (struct vring_desc){ A(itable2), sizeof(itable2), VRING_DESC_F_INDIRECT, 0 };
    desc(0, A(itable), sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
    offer(0);
}
static void a_huge_len(void) { hdr_status_chain(A(buf), 0xffffffffu); }
static void a_len_wrap(void)
{
    /* Two lengths whose 32-bit sum wraps to 1. */
    desc(0, A(&ahdr), sizeof(ahdr), RD, 1);
    desc(1, 0x100000, 0x80000000u, RD, 2);
    desc(2, 0x100000, 0x80000001u, RD, 3);
    desc(3, A(&astatus), 1, WR, 0);
    offer(0);
}
static void a_len_bound(void)
{
    /* Each segment inside RAM, their sum past the device's byte bound. */
    uint32_t part = (uint32_t)((mem - 0x100000) / 2);
    desc(0, A(&ahdr), sizeof(ahdr), RD, 1);
    for (unsigned i = 1; i <= 4; i++)
        desc(i, 0x100000, part, RD, (uint16_t)(i + 1));
    desc(5, A(&astatus), 1, WR, 0);
    offer(0);
}
static void a_past_ram(void) { hdr_status_chain(mem, 512); }
static void a_straddle(void) { hdr_status_chain(mem - 256, 512); }
static void a_own_bar(void) { hdr_status_chain(disk.bar0, 512); }
static void a_lapic(void) { hdr_status_chain(LAPIC_GPA, 512); }
static void a_2p52(void) { hdr_status_chain(1ull << 52, 512); }
static void a_wrap(void) { hdr_status_chain(0xfffffffffffff000ull, 0x2000); }
static void a_avail_jump(void)
{
    struct vio_queue *q = &disk.q[0];
    vio_publish_q(&disk, 0, (uint16_t)(q->avail_idx + 1000));
}

/* Queue-enable attacks: the whole init again with one area placed outside RAM. */
static const char *enable_at(uint64_t d, uint64_t a, uint64_t u)
{
    const char *why = vio_begin(&disk, disk.slot, VEC_VIRTIO, WANT);
    if (!why)
        why = vio_queue_at(&disk, 0, d, a, u);
    if (!why)
        (void)vio_ready(&disk);     /* refused once the device needs reset */
    return why;
}
static void a_used_outside(void) { (void)enable_at(A(ring.desc), A(ring.avail), mem); }
static void a_desc_outside(void) { (void)enable_at(1ull << 52, A(ring.avail), A(ring.used)); }
static void a_avail_straddle(void) { (void)enable_at(A(ring.desc), mem - 4, A(ring.used)); }
static void a_used_bar(void) { (void)enable_at(A(ring.desc), A(ring.avail), disk.bar0); }

struct attack {
    const char *name;
    void (*run)(void);
};

static const struct attack attacks[] = {
    { "head-out-of-range", a_head_range },
    { "next-out-of-range", a_next_range },
    { "desc-loop", a_desc_loop },
    { "desc-self-loop", a_self_loop },
    { "indirect-loop", a_indirect_loop },
    { "indirect-nested", a_indirect_nested },
    { "len-0xffffffff", a_huge_len },
    { "len-sum-wraps-32-bits", a_len_wrap },
    { "len-sum-past-bound", a_len_bound },
    { "addr-past-ram", a_past_ram },
    { "addr-straddles-ram-end", a_straddle },
    { "addr-own-bar", a_own_bar },
    { "addr-local-apic", a_lapic },
    { "addr-2p52", a_2p52 },
    { "addr-wraps-64-bits", a_wrap },
    { "avail-idx-jump", a_avail_jump },
    { "used-ring-past-ram", a_used_outside },
    { "desc-table-at-2p52", a_desc_outside },
    { "avail-ring-straddles-ram-end", a_avail_straddle },
    { "used-ring-on-own-bar", a_used_bar },
};

static bool good_request(void)
{
    static uint8_t data[512] __attribute__((aligned(512)));
    data[0] = 0xee;
    int st = vblk_request(&disk, VIRTIO_BLK_T_IN, 0, data, sizeof(data), true, NULL, SPINS);
    return st == VIRTIO_BLK_S_OK && !(vio_status(&disk) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static bool wait_needs_reset(void)
{
    for (unsigned i = 0; i < STATUS_TRIES; i++) {
        if (vio_status(&disk) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
            return true;
        for (unsigned s = 0; s < STATUS_GAP; s++)
            __asm__ volatile("pause");
    }
    return false;
}

static void name_of(char *out, size_t n, const char *attack, const char *what)
{
    gsnprintf(out, n, "%s-%s", attack, what);
}

int guest_main(const struct exitless_boot_info *bi)
{
    mem = bi->mem_size;
    storm = guest_word_number(bi->cmdline, "storm=", 1000000);
    hold = guest_word_number(bi->cmdline, "hold=", 0) << 20;
    uint64_t only = guest_word_number(bi->cmdline, "only=", sizeof(attacks) / sizeof(attacks[0]));
    guest_set_handler(VEC_VIRTIO, on_virtio);
    __asm__ volatile("sti");
    unsigned slot = vio_find(VIRTIO_ID_BLOCK, 0);
    if (!check("disk-found", slot != 0, "virtio-blk at 00:%02x.0", slot))
        guest_stop(1);
    const char *why = vio_init(&disk, slot, VEC_VIRTIO, WANT, &ring);
    if (!check("disk-init", !why && (disk.features >> VIRTIO_F_INDIRECT_DESC & 1), "%s (features %lx)",
               why ? why : "indirect descriptors negotiated", disk.features))
        guest_stop(1);
    if (!check("baseline-request", good_request(), "one read served before any attack"))
        guest_stop(1);

    char name[64];
    unsigned done = 0;
    uint64_t khz = cpuid(HC_CPUID_LEAF_TIMING, 0).a, start = rdtsc();
    for (unsigned k = 0; k < only && k < sizeof(attacks) / sizeof(attacks[0]); k++) {
        const struct attack *a = &attacks[k];
        a->run();
        name_of(name, sizeof(name), a->name, "needs-reset");
        check(name, wait_needs_reset(), "device status %x", vio_status(&disk));
        for (uint64_t t0 = rdtsc(); rdtsc() - t0 < hold;)
            __asm__ volatile("pause");
        why = vio_init(&disk, slot, VEC_VIRTIO, WANT, &ring);
        name_of(name, sizeof(name), a->name, "recovered");
        check(name, !why && good_request(), "%s; status %x after a reset, re-init and one read",
              why ? why : "re-initialised", vio_status(&disk));
        done++;
    }

    /* The notify storm: stores to queue 0's notification register, with no chain and with one
     * good chain in the middle; the device then serves and needs no reset. */
    if (storm) {
        uint64_t t0 = rdtsc();
        for (uint64_t i = 0; i < storm; i++)
            vio_notify(&disk, 0);
        uint64_t t1 = rdtsc();
        gprintf("pvhostile: notify storm: %lu stores in %lu Mcycles\n", storm, (t1 - t0) >> 20);
        check("notify-storm-served", good_request(), "%lu notify stores in %lu Mcycles, then a read served; status %x",
              storm, (t1 - t0) >> 20, vio_status(&disk));
    }
    gprintf("pvhostile: done: %u attacks, storm of %lu notify stores, in %lu ms\n", done, storm,
            khz ? (rdtsc() - start) / khz : 0);
    guest_stop(0);
}
