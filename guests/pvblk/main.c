/* pvblk: virtio-blk through the virtual PCI, served by a polling sidecore. Disk 0 (writable):
 * a pattern written, flushed, read back and checksummed, get-id, with the hypervisor's exit
 * counts over the data path (goal: none after setup; with "mode=injected" on the command line
 * the count is reported, as each interrupt then exits). Disk 1 (read_only): the RO feature and
 * a write refused with VIRTIO_BLK_S_IOERR. Completions are awaited on the used ring and their
 * MSI-X interrupts counted. "rounds-ms=N" adds N ms of write and read-back rounds on disk 0. */
#include "guest.h"
#include "virtio_blk.h"

#define VEC_VIRTIO 0x44
#define MSR_EOI 0x80b
#define SECTORS 8                       /* 4 KiB per request */
#define SPINS 200000000ull
#define WINDOW_TRIES 4                  /* measured windows, see guest_main */
#define CC_OFF(f) ((uint32_t)__builtin_offsetof(struct virtio_pci_common_cfg, f))
#define WANT ((1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_BLK_SIZE))

static struct vio_ring rings[2];
static struct vdisk disks[2];
static uint8_t wbuf[SECTORS * 512] __attribute__((aligned(4096)));
static uint8_t rbuf[SECTORS * 512] __attribute__((aligned(4096)));
static struct hc_exit_stats s0, s1;
static bool injected;          /* command line "mode=injected": the guest's interrupts are injected */
static bool baseline;          /* "mode=baseline": its devices are served the classic way */

static void on_virtio(uint8_t v, uint64_t e)
{
    (void)v; (void)e;
    disks[0].irqs++;   /* both disks interrupt on this vector; counted once per interrupt */
    wrmsr(MSR_EOI, 0);
}


static int request(struct vdisk *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
                   bool data_in, uint32_t *used_len)
{
    return vblk_request(d, type, sector, data, len, data_in, used_len, SPINS);
}

/* "rounds-ms=N": rounds of write, read back and compare on disk 0 for N ms of its TSC (a
 * neighbour's I/O kept going while another guest on the same sidecore attacks its own device),
 * each with its own pattern and sector. A progress line at every 32nd of the time (so the log
 * shows rounds between the neighbour's attacks, whatever the emulator's speed); one PASS line
 * for all. */
static void io_rounds(struct vdisk *d, uint64_t ms)
{
    uint64_t ok = 0, first_bad = 0, n = 0, hz = guest_tsc_hz();
    uint64_t t0 = rdtsc(), span = hz / 1000 * ms, next = span / 32;
    for (; hz && rdtsc() - t0 < span; n++) {
        uint64_t sector = 16 + (n % 8) * SECTORS;
        for (unsigned i = 0; i < sizeof(wbuf); i++)
            wbuf[i] = (uint8_t)(i * 13 + n * 29 + 1);
        int st_w = request(d, VIRTIO_BLK_T_OUT, sector, wbuf, sizeof(wbuf), false, NULL);
        int st_r = request(d, VIRTIO_BLK_T_IN, sector, rbuf, sizeof(rbuf), true, NULL);
        if (st_w == VIRTIO_BLK_S_OK && st_r == VIRTIO_BLK_S_OK &&
            vblk_checksum(wbuf, sizeof(wbuf)) == vblk_checksum(rbuf, sizeof(rbuf)))
            ok++;
        else if (!first_bad)
            first_bad = n + 1;
        if (rdtsc() - t0 >= next) {
            gprintf("pvblk: round %lu at %lu of %lu ms: %lu matched\n", n + 1,
                    (rdtsc() - t0) / (hz / 1000), ms, ok);
            next += span / 32;
        }
    }
    check("io-rounds", n && ok == n, "%lu of %lu rounds of write + read-back matched in %lu ms (first bad: %lu)",
          ok, n, ms, first_bad);
}

static bool setup(unsigned k)
{
    unsigned slot = vio_find(VIRTIO_ID_BLOCK, k);
    if (!check(k ? "ro-disk-found" : "disk-found", slot != 0, "virtio-blk %u at 00:%02x.0", k, slot))
        return false;
    const char *why = vio_init(&disks[k], slot, VEC_VIRTIO, WANT, &rings[k]);
    return check(k ? "ro-disk-init" : "disk-init", !why, "%s (features %lx)", why ? why : "VERSION_1 negotiated, queue 0 and MSI-X set up",
                 disks[k].features);
}

static uint64_t delta(unsigned kind) { return s1.exits[kind] - s0.exits[kind]; }

#define MMIO_CC(d, f) ((uintptr_t)(d)->bar0 + __builtin_offsetof(struct virtio_pci_common_cfg, f))

/* BAR0's registers by memory access, as a stock driver makes them: 1-, 2-, 4- and 8-byte loads
 * and stores (register and immediate) of the common configuration and the MSI-X table agree
 * with the access window, and each took exactly one guest-physical fault exit (other exits in
 * the window, a watchdog's where time follows the host, are shown, not judged). */
static void bar0_by_memory(struct vdisk *d)
{
    volatile uint8_t *status = (volatile uint8_t *)MMIO_CC(d, device_status);
    volatile uint16_t *nq = (volatile uint16_t *)MMIO_CC(d, num_queues);
    volatile uint16_t *qsel = (volatile uint16_t *)MMIO_CC(d, queue_select);
    volatile uint32_t *fsel = (volatile uint32_t *)MMIO_CC(d, device_feature_select);
    volatile uint32_t *feat = (volatile uint32_t *)MMIO_CC(d, device_feature);
    volatile uint64_t *qdesc = (volatile uint64_t *)MMIO_CC(d, queue_desc);
    volatile uint32_t *msix_data = (volatile uint32_t *)((uintptr_t)d->bar0 + 0x4000 + 8);
    guest_exit_stats(&s0);
    uint8_t st = *status;                   /* 1 */
    uint16_t queues = *nq;                  /* 2 */
    *fsel = 1;                              /* 3: an immediate store */
    uint32_t hi = *feat;                    /* 4 */
    uint32_t sel = 0;
    *fsel = sel;                            /* 5: a register store */
    uint32_t lo = *feat;                    /* 6 */
    *qsel = 0;                              /* 7 */
    uint64_t desc = *qdesc;                 /* 8: one 8-byte load */
    uint32_t data = *msix_data;             /* 9 */
    guest_exit_stats(&s1);
    const unsigned accesses = 9;
    uint64_t gpa = delta(HC_EXIT_GPA), all = s1.total_exits - s0.total_exits - 1;
    bool same = st == vio_read(d, CC_OFF(device_status), 1) &&
                queues == vio_read(d, CC_OFF(num_queues), 2) &&
                ((uint64_t)hi << 32 | lo) == d->features &&
                desc == ((uint64_t)vio_read(d, CC_OFF(queue_desc) + 4, 4) << 32 |
                         vio_read(d, CC_OFF(queue_desc), 4)) &&
                desc == (uintptr_t)&rings[0].desc && data == vio_read(d, 0x4000 + 8, 4);
    check("bar0-by-memory", same && gpa == accesses,
          "status %x, %u queues, features %x:%x, queue 0 at %lx, MSI-X data %x: as the access "
          "window reads them; %lu guest-physical fault exits (of %lu exits) for %u accesses", st, queues,
          hi, lo, desc, data, gpa, all, accesses);
}

/* The window after idle: its one kick exited once (the write fault and its single step: #DB
 * under SVM, MTF under VMX) and nothing else exited, but for the EOI of the first request's
 * completion interrupt when that came while this core was still in that exit (the sidecore
 * woke and answered within it): it was then injected, and an injected interrupt's EOI exits. */
static bool idle_window_ok(uint64_t exits, uint64_t kicks)
{
    uint64_t step = delta(HC_EXIT_EXCEPTION) + delta(HC_EXIT_STEP), eoi = delta(HC_EXIT_MSR_WRITE);
    return kicks == 1 && delta(HC_EXIT_GPA) == 1 && step == 1 && eoi <= 1 && exits == 2 + eoi;
}

/* The sidecore's adaptive halt: once disk 0 has been idle long enough the sidecore asks for
 * notifications again and halts; the next request's kick exits once (the write violation and
 * its single step) and wakes it; the request after it needs no kick. Where time follows the
 * host, other exits can land in the window (see guest_main): measured again then. */
static void idle_check(struct vdisk *d, uint64_t idle_ms)
{
    bool on = true;
    uint64_t exits = 0, kicks = 0;
    int st_w = -1, st_r = -1;
    unsigned tries = 0;
    for (;;) {
        bool now_on = false;
        for (uint64_t n = 0; !now_on && n < 20 * SPINS; n++)
            now_on = !(__atomic_load_n(&d->q[0].used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY);
        on &= now_on;
        uint64_t hz = guest_tsc_hz(), t0 = rdtsc();
        while (hz && rdtsc() - t0 < hz / 1000 * idle_ms)
            __asm__ volatile("pause");
        guest_wait_quiet(&disks[0].irqs);
        kicks = d->notifies;
        guest_exit_stats(&s0);
        st_w = request(d, VIRTIO_BLK_T_OUT, 16, wbuf, sizeof(wbuf), false, NULL);
        st_r = request(d, VIRTIO_BLK_T_IN, 16, rbuf, sizeof(rbuf), true, NULL);
        guest_exit_stats(&s1);
        exits = s1.total_exits - s0.total_exits - 1;
        kicks = d->notifies - kicks;
        tries++;
        if (!on || idle_window_ok(exits, kicks))
            break;
        guest_print_exit_kinds("pvblk: after idle", &s0, &s1);
        if (tries == WINDOW_TRIES)
            break;
        gprintf("pvblk: after idle, window %u had %lu exits and %lu kicks: measuring again\n",
                tries, exits, kicks);
    }
    check("idle-notifications-on", on, "the sidecore asked for notifications again while disk 0 was idle");
    check("idle-wake-io", st_w == VIRTIO_BLK_S_OK && st_r == VIRTIO_BLK_S_OK &&
          vblk_checksum(wbuf, sizeof(wbuf)) == vblk_checksum(rbuf, sizeof(rbuf)), "statuses %d %d, checksums equal",
          st_w, st_r);
    check("idle-one-kick-exits", idle_window_ok(exits, kicks),
          "%lu exits and %lu kicks for 2 requests after %lu ms idle, %lu of them an EOI (try %u of "
          "at most %u)", exits, kicks, idle_ms, delta(HC_EXIT_MSR_WRITE), tries, WINDOW_TRIES);
    gprintf("BENCH sidecore-blk-exits-per-1000-requests-after-idle %lu exits\n", exits * 1000 / 2);
}

int guest_main(const struct exitless_boot_info *bi)
{
    baseline = guest_has_word(bi->cmdline, "mode=baseline");
    injected = baseline || guest_has_word(bi->cmdline, "mode=injected");
    guest_set_handler(VEC_VIRTIO, on_virtio);
    __asm__ volatile("sti");
    if (!setup(0))
        guest_stop(1);
    struct vdisk *d = &disks[0];
    uint64_t cap = vio_read(d, 0x2000, 4) | (uint64_t)vio_read(d, 0x2004, 4) << 32;
    check("capacity", cap >= SECTORS * 4, "%lu sectors", cap);
    bar0_by_memory(d);
    for (unsigned i = 0; i < sizeof(wbuf); i++)
        wbuf[i] = (uint8_t)(i * 7 + (i >> 9) + 0x5a);
    char id[VIRTIO_BLK_ID_BYTES + 1] = { 0 };
    int st_w, st_f, st_r, st_id;
    uint32_t rlen = 0, idlen = 0;
    /* The data path: no output and no hypercall between the two counts. Where time follows
     * the host (QEMU without -icount), the window can catch an exit that is not the data
     * path's: the sidecore halted because this guest's thread was descheduled past the idle
     * bound (the kick then exits, by design), or a completion interrupt landed while this core
     * was in the hypervisor for the first count (it is then injected, and its EOI exits). A
     * window with exits is reported by kind and measured again, up to WINDOW_TRIES times; the
     * check passes only on a window with none, so an exit the data path itself makes fails
     * it every time. */
    uint64_t exits = 0, kicks = 0;
    unsigned tries = 0;
    for (;;) {
        /* The sidecore may have halted while this guest booted: requests until it polls
         * again (their first kick exits once, by design: see idle_check). */
        for (unsigned i = 0; !baseline && i < 10 &&
             !(__atomic_load_n(&d->q[0].used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY); i++)
            request(d, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, true, NULL);
        guest_wait_quiet(&disks[0].irqs);
        kicks = d->notifies;
        guest_exit_stats(&s0);
        st_w = request(d, VIRTIO_BLK_T_OUT, 8, wbuf, sizeof(wbuf), false, NULL);
        st_f = request(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, NULL);
        st_r = request(d, VIRTIO_BLK_T_IN, 8, rbuf, sizeof(rbuf), true, &rlen);
        st_id = request(d, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, true, &idlen);
        guest_exit_stats(&s1);
        exits = s1.total_exits - s0.total_exits - 1;  /* the second stats hypercall */
        kicks = d->notifies - kicks;
        tries++;
        if (baseline || injected || !exits)
            break;
        guest_print_exit_kinds("pvblk: data path", &s0, &s1);
        if (tries == WINDOW_TRIES)
            break;
        gprintf("pvblk: measured window %u had %lu exits (%lu kicks): measuring again\n", tries,
                exits, kicks);
    }
    check("write", st_w == VIRTIO_BLK_S_OK, "status %d", st_w);
    check("flush", st_f == VIRTIO_BLK_S_OK, "status %d", st_f);
    check("read", st_r == VIRTIO_BLK_S_OK && rlen == sizeof(rbuf) + 1, "status %d, used length %u", st_r, rlen);
    uint32_t cw = vblk_checksum(wbuf, sizeof(wbuf)), cr = vblk_checksum(rbuf, sizeof(rbuf));
    check("read-back-checksum", cw == cr, "written %x, read %x", cw, cr);
    check("get-id", st_id == VIRTIO_BLK_S_OK && id[0] != 0, "status %d, id '%s'", st_id, id);
    if (baseline) {   /* each kick exits twice (the write and its step), each interrupt too */
        check("baseline-kicks-exit", exits >= 2 * 4 && d->notifies == 4,
              "%lu exits for 4 requests, %lu kicks made", exits, d->notifies);
        gprintf("BENCH baseline-blk-exits-per-1000-requests %lu exits\n", exits * 1000 / 4);
    } else if (injected)   /* each completion interrupt exits to be injected, and its EOI is trapped */
        gprintf("BENCH sidecore-injected-blk-exits-per-1000-requests %lu exits\n", exits * 1000 / 4);
    else {
        check("data-path-no-exits", exits == 0, "%lu exits for 4 requests (%lu notify stores made; "
              "window %u of at most %u)", exits, kicks, tries, WINDOW_TRIES);
        gprintf("BENCH sidecore-blk-exits-per-1000-requests %lu exits\n", exits * 1000 / 4);
    }
    check("completion-interrupts", guest_wait_count(&disks[0].irqs, 1, SPINS),
          "%lu MSI-X interrupts taken", disks[0].irqs);

    uint64_t idle_ms = guest_word_number(bi->cmdline, "idle_ms=", 0);
    if (idle_ms)
        idle_check(d, idle_ms);
    uint64_t rounds_ms = guest_word_number(bi->cmdline, "rounds-ms=", 0);
    if (rounds_ms)
        io_rounds(d, rounds_ms);

    if (!setup(1))
        guest_stop(1);
    struct vdisk *r = &disks[1];
    check("ro-feature-offered", (r->features >> VIRTIO_BLK_F_RO) & 1, "features %lx", r->features);
    int st = request(r, VIRTIO_BLK_T_OUT, 0, wbuf, 512, false, NULL);
    check("ro-write-ioerr", st == VIRTIO_BLK_S_IOERR, "status %d", st);
    st = request(r, VIRTIO_BLK_T_IN, 0, rbuf, 512, true, NULL);
    check("ro-read-ok", st == VIRTIO_BLK_S_OK, "status %d", st);
    guest_stop(0);
}
