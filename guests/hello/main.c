/* hello: the smallest guest: boots, talks through both console paths, reads its own
 * exit statistics, and stops cleanly. With "console-flood" on its command line it also
 * prints more than its console budget allows. */
#include "guest.h"

int guest_main(const struct exitless_boot_info *bi)
{
    uart_puts("hello from the virtual UART\n");
    gprintf("hello from %s: %lu MiB, %u vCPU(s), cmdline '%s'\n", bi->name, bi->mem_size >> 20,
            bi->nvcpus, bi->cmdline);
    check("boot-info", bi->magic == EXITLESS_BOOT_MAGIC && bi->mem_size >= (2u << 20),
          "magic %#lx mem %#lx", bi->magic, bi->mem_size);

    struct hc_exit_stats st;
    long rc = hypercall(HC_GET_EXIT_STATS, (unsigned long)&st, sizeof(st), 0);
    /* uart_puts made one I/O exit per character plus its LSR polls. */
    check("exit-stats", rc == 0 && st.exits[HC_EXIT_IO] >= 28 && st.exits[HC_EXIT_HYPERCALL] >= 2,
          "rc %ld, io exits %lu, vmcall exits %lu", rc, st.exits[HC_EXIT_IO], st.exits[HC_EXIT_HYPERCALL]);

    if (guest_has_word(bi->cmdline, "console-flood")) {
        /* About 25 KB at once, more than the console budget's burst: the hypervisor drops
         * the excess and says so; the test result after it must still print. */
        for (int i = 0; i < 256; i++)
            gprintf("flood %03d: this line is padded to about one hundred bytes of console "
                    "output, on purpose\n", i);
        check("console-flood-result-printed", true, "%s", "never printed when it passes");
    }
    return 0;
}
