/* PIT channel 2 and port B for a guest: the port side of vmm/platform/pit_counter.c. */
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/tsc.h"
#include "vmm/guest.h"
#include "vmm/platform/pit.h"

#define CH2 2u

void pit_reset(struct guest_pit *p, uint64_t tsc_now)
{
    pit_counter_reset(&p->ch2);
    p->tsc_base = tsc_now;
    p->port_b = 0;
    p->refused = 0;
}

static uint64_t now_clocks(const struct guest_pit *p)
{
    uint64_t t = rdtsc();
    return pit_clocks(t > p->tsc_base ? t - p->tsc_base : 0, tsc_hz());
}

/* Under p->lock; returns the refusal to log (0: none, or logged before). */
static int control(struct guest_pit *p, uint8_t cw, uint64_t now, bool *claimed)
{
    unsigned sc = pit_cw_counter(cw);
    *claimed = true;
    if (sc == PIT_CW_SC_READBACK) {
        if (cw & PIT_RB_COUNTER(CH2))
            pit_counter_readback(&p->ch2, !(cw & PIT_RB_NO_COUNT), !(cw & PIT_RB_NO_STATUS), now);
        return 0;
    }
    if (sc != CH2) {
        *claimed = false;       /* channels 0 and 1: not provided */
        return 0;
    }
    int rc = pit_counter_control(&p->ch2, cw, now);
    if (rc == 0 || (p->refused & (1u << -rc)))
        return 0;
    p->refused |= 1u << -rc;
    return rc;
}

bool pit_port(struct guest *g, uint16_t port, bool write, uint8_t *v)
{
    struct guest_pit *p = &g->pit;
    bool claimed = true;
    int refused = 0;
    if (port != PIT_CH2_PORT && port != PIT_CONTROL_PORT && port != PORT_B)
        return false;
    if (port == PIT_CONTROL_PORT && !write)
        return false;           /* the control word register cannot be read */
    uint64_t flags = spin_lock_irqsave(&p->lock);
    uint64_t now = now_clocks(p);
    if (port == PIT_CH2_PORT) {
        if (write)
            pit_counter_write(&p->ch2, *v, now);
        else
            *v = pit_counter_read(&p->ch2, now);
    } else if (port == PIT_CONTROL_PORT) {
        refused = control(p, *v, now, &claimed);
    } else if (write) {
        p->port_b = *v & PORT_B_WRITABLE;
        pit_counter_set_gate(&p->ch2, *v & PORT_B_GATE2, now);
    } else {
        *v = (uint8_t)(p->port_b | ((now / PORT_B_REFRESH_CLOCKS) & 1 ? PORT_B_REFRESH : 0) |
                       (pit_counter_out(&p->ch2, now) ? PORT_B_OUT2 : 0));
    }
    spin_unlock_irqrestore(&p->lock, flags);
    if (refused)
        log_warn("pit", "%s: PIT control word %#x refused: %s are not emulated (channel 2 "
                 "counts in binary, modes 0, 2 and 3); the write is ignored (logged once)",
                 g->name, *v, refused == -PIT_E_BCD ? "BCD counts" : "modes 1, 4 and 5");
    return claimed;
}
