/* portio: the virtual UART, unclaimed ports, batched port I/O, and hypercall argument
 * validation (pointers outside the guest are refused). */
#include "guest.h"

#define UART 0x3f8
#define EXIT_IO HC_EXIT_IO
#define EXIT_VMCALL HC_EXIT_HYPERCALL

static long stats(struct hc_exit_stats *s)
{
    return hypercall(HC_GET_EXIT_STATS, (unsigned long)s, sizeof(*s), 0);
}

static void check_uart(void)
{
    outb(UART + 7, 0x5a);
    uint8_t scr = inb(UART + 7);
    uint8_t lsr = inb(UART + 5);
    check("uart-scratch", scr == 0x5a, "scratch read %#x", scr);
    check("uart-transmitter-ready", (lsr & 0x60) == 0x60, "LSR %#x", lsr);
}

static void check_unclaimed(void)
{
    static struct hc_exit_stats a, b;
    stats(&a);
    uint8_t b8 = inb(0x2f0);
    uint16_t b16 = inw(0x2f0);
    uint32_t b32 = inl(0x2f4);
    outb(0x2f0, 1);
    stats(&b);
    check("unclaimed-reads-ones", b8 == 0xff && b16 == 0xffff && b32 == 0xffffffffu,
          "read %#x %#x %#x", b8, b16, b32);
    check("unclaimed-counted", b.unclaimed_port_accesses == a.unclaimed_port_accesses + 4,
          "counter went from %lu to %lu, want +4", a.unclaimed_port_accesses,
          b.unclaimed_port_accesses);
}

static void check_batch(void)
{
    static struct hc_exit_stats a, b;
    struct hc_port_io ops[3] = {
        { UART + 7, 1, 1, 0xa5 },   /* write scratch */
        { UART + 7, 1, 0, 0 },      /* read it back */
        { 0x2f0, 2, 0, 0 },         /* unclaimed */
    };
    stats(&a);
    long n = hypercall(HC_PORT_IO_BATCH, (unsigned long)ops, 3, 0);
    stats(&b);
    check("batch-results", n == 3 && ops[1].value == 0xa5 && ops[2].value == 0xffff,
          "returned %ld, scratch %#x, unclaimed %#x", n, ops[1].value, ops[2].value);
    /* Three port accesses, zero I/O exits: the stats call and the batch are two VMCALLs. */
    check("batch-one-exit", b.exits[EXIT_IO] == a.exits[EXIT_IO] &&
                                b.exits[EXIT_VMCALL] == a.exits[EXIT_VMCALL] + 2,
          "I/O exits %lu -> %lu, VMCALL exits %lu -> %lu", a.exits[EXIT_IO], b.exits[EXIT_IO],
          a.exits[EXIT_VMCALL], b.exits[EXIT_VMCALL]);
    struct hc_port_io bad = { UART, 3, 0, 0 };
    check("batch-bad-size", hypercall(HC_PORT_IO_BATCH, (unsigned long)&bad, 1, 0) == -HC_EINVAL,
          "size 3 accepted");
    check("batch-too-many", hypercall(HC_PORT_IO_BATCH, (unsigned long)ops, 1000, 0) == -HC_E2BIG,
          "1000 entries accepted");
}

static void check_pointers(const struct exitless_boot_info *bi)
{
    unsigned long end = bi->mem_size;
    check("hc-outside-memory", hypercall(HC_CONSOLE_WRITE, end + 0x1000, 16, 0) == -HC_EFAULT,
          "console write from outside guest memory was not refused");
    check("hc-crossing-end", hypercall(HC_CONSOLE_WRITE, end - 8, 16, 0) == -HC_EFAULT,
          "console write crossing the end of guest memory was not refused");
    check("hc-hypervisor-address",
          hypercall(HC_CONSOLE_WRITE, 0xffffffff80200000ul, 16, 0) == -HC_EFAULT,
          "a hypervisor virtual address was accepted");
    check("hc-stats-outside", hypercall(HC_GET_EXIT_STATS, end - 16, sizeof(struct hc_exit_stats),
                                        0) == -HC_EFAULT, "stats written past the end");
    check("hc-name-outside", hypercall(HC_TEST_RESULT, end + 64, 1, 0) == -HC_EFAULT,
          "test name from outside guest memory was not refused");
    check("hc-too-long", hypercall(HC_CONSOLE_WRITE, 0x100000, 1u << 20, 0) == -HC_E2BIG,
          "1 MiB console write accepted");
    check("hc-unknown", hypercall(999, 0, 0, 0) == -HC_ENOSYS, "unknown hypercall accepted");
}

int guest_main(const struct exitless_boot_info *bi)
{
    check_uart();
    check_unclaimed();
    check_batch();
    check_pointers(bi);
    return 0;
}
