/* Port I/O exits (SDM 28.1.3 table 28-5). */
#include <string.h>

#include "kernel/log.h"
#include "vmm/exit.h"
#include "vmm/io.h"
#include "vmm/platform/platform.h"
#include "vmm/vpci/vpci.h"
#include "vmm/vcpu.h"

void port_access(struct guest *g, uint16_t port, unsigned size, bool write, uint32_t *value)
{
    if (vpci_port(g, port, size, write, value))
        return;
    if (vuart_claims(port)) {
        if (write && vuart_is_scratch(port))
            guest_stats_mark(g, (uint8_t)*value); /* an exit-count mark (vmm/stats_mark.c) */
        if (write) {
            if (vuart_write(&g->uart, port, *value))
                vpci_uart_raise(g);
        } else
            *value = vuart_read(&g->uart, port);
        return;
    }
    if (platform_port(g, port, size, write, value))
        return;
    /* Unclaimed: reads float high, writes vanish, both are counted. */
    __atomic_fetch_add(&g->unclaimed_ports, 1, __ATOMIC_RELAXED);
    if (!write)
        *value = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

enum exit_action handle_io(struct vcpu *v)
{
    uint16_t port = v->exit.io.port;
    unsigned size = v->exit.io.size;
    bool in = v->exit.io.in;

    if (v->exit.io.string) {
        guest_fault(v->guest, "string I/O (%s) to port %#x is not emulated, at rip %#lx",
                    in ? "INS" : "OUTS", port, v->exit.rip);
        return EXIT_STOP;
    }
    uint32_t val = (uint32_t)v->regs.rax;
    port_access(v->guest, port, size, !in, &val);
    if (in) {
        /* IN writes AL/AX/EAX; a 32-bit IN zero-extends into RAX. */
        uint64_t mask = size == 4 ? 0xffffffffffffffffull : (1ull << (8 * size)) - 1;
        v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
