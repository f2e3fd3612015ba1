/* One 8254 counter (Intel 82C54 datasheet, "Mode Definitions"), computed from the time
 * instead of ticked: what a counter reads and what its OUT pin shows follow from the count
 * written, when counting started and how long the gate has been high.
 *
 * Simplifications, none visible to the code that uses the counter: a count is loaded at the
 * write rather than at the next clock edge, and a new count in modes 2 and 3 takes effect at
 * once rather than at the end of the current period. */
#include "vmm/platform/pit_counter.h"

#define COUNT_MAX 65536u

void pit_counter_reset(struct pit_counter *c)
{
    *c = (struct pit_counter){ .mode = 0, .rw = PIT_RW_WORD, .reload = COUNT_MAX };
}

/* Clocks counted since the count was loaded (the gate low stops them). */
static uint64_t counted(const struct pit_counter *c, uint64_t now)
{
    if (!c->counting)
        return 0;
    return c->counted + (c->gate && now > c->start ? now - c->start : 0);
}

uint16_t pit_counter_value(const struct pit_counter *c, uint64_t now)
{
    uint64_t e = counted(c, now), n = c->reload;
    switch (c->mode) {
    case 2:                     /* N, N-1, ..., 1, N, ... */
        return (uint16_t)(n - e % n);
    case 3: {                   /* by twos from N (even) or N-1 (odd), once per half period */
        uint64_t phase = e % n, high = (n + 1) / 2;
        uint64_t p = phase < high ? phase : phase - high;
        return (uint16_t)((n & ~1ull) - 2 * p);
    }
    default:                    /* mode 0: down from N, wrapping through 0xffff */
        return (uint16_t)(n - e);
    }
}

bool pit_counter_out(const struct pit_counter *c, uint64_t now)
{
    uint64_t e = counted(c, now), n = c->reload;
    switch (c->mode) {
    case 2:                     /* high, low for the one clock at count 1 */
        return !c->counting || !c->gate || e % n != n - 1;
    case 3:                     /* high for the first ceil(N/2) clocks of each period */
        return !c->counting || !c->gate || e % n < (n + 1) / 2;
    default:                    /* mode 0: low from the control word until terminal count */
        return c->counting && e >= n;
    }
}

static uint8_t status_byte(const struct pit_counter *c, uint64_t now)
{
    return (uint8_t)((pit_counter_out(c, now) ? PIT_STATUS_OUT : 0) |
                     (c->counting ? 0 : PIT_STATUS_NULL) | c->rw << PIT_CW_RW_SHIFT |
                     c->mode << PIT_CW_MODE_SHIFT);
}

static void latch_count(struct pit_counter *c, uint64_t now)
{
    if (c->count_latched)       /* a second latch before the first was read: ignored */
        return;
    c->latch = pit_counter_value(c, now);
    c->count_latched = true;
}

int pit_counter_control(struct pit_counter *c, uint8_t cw, uint64_t now)
{
    unsigned rw = pit_cw_rw(cw), mode = pit_cw_mode(cw);
    if (rw == PIT_RW_LATCH) {
        latch_count(c, now);
        return 0;
    }
    if (mode >= 6)
        mode -= 4;              /* 6 and 7 are 2 and 3 (datasheet: "X10", "X11") */
    if (mode != 0 && mode != 2 && mode != 3)
        return -PIT_E_MODE;
    if (cw & PIT_CW_BCD)
        return -PIT_E_BCD;
    bool gate = c->gate;
    pit_counter_reset(c);
    c->gate = gate;
    c->mode = (uint8_t)mode;
    c->rw = (uint8_t)rw;
    return 0;
}

void pit_counter_readback(struct pit_counter *c, bool count, bool status, uint64_t now)
{
    if (status && !c->status_latched) {
        c->status = status_byte(c, now);
        c->status_latched = true;
    }
    if (count)
        latch_count(c, now);
}

static void load(struct pit_counter *c, uint32_t count, uint64_t now)
{
    c->reload = count ? count : COUNT_MAX;
    c->counting = true;
    c->counted = 0;
    c->start = now;
}

void pit_counter_write(struct pit_counter *c, uint8_t v, uint64_t now)
{
    switch (c->rw) {
    case PIT_RW_LSB:
        load(c, v, now);
        break;
    case PIT_RW_MSB:
        load(c, (uint32_t)v << 8, now);
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            if (c->mode == 0)   /* mode 0: writing the first byte stops the count, OUT low */
                c->counting = false;
            break;
        }
        c->write_msb_next = false;
        load(c, c->write_lsb | (uint32_t)v << 8, now);
        break;
    }
}

static uint8_t byte_of(struct pit_counter *c, uint16_t v, bool *word_done)
{
    switch (c->rw) {
    case PIT_RW_LSB:
        *word_done = true;
        return (uint8_t)v;
    case PIT_RW_MSB:
        *word_done = true;
        return (uint8_t)(v >> 8);
    default: {
        bool msb = c->read_msb_next;
        c->read_msb_next = !msb;
        *word_done = msb;
        return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
    }
    }
}

uint8_t pit_counter_read(struct pit_counter *c, uint64_t now)
{
    bool done;
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b = byte_of(c, c->latch, &done);
        if (done)
            c->count_latched = false;
        return b;
    }
    return byte_of(c, pit_counter_value(c, now), &done);
}

void pit_counter_set_gate(struct pit_counter *c, bool gate, uint64_t now)
{
    if (gate == c->gate)
        return;
    if (!gate) {
        c->counted = counted(c, now);
    } else if (c->mode != 0) {
        c->counted = 0;         /* modes 2 and 3: a rising gate reloads the count */
    }
    c->gate = gate;
    c->start = now;
}

uint64_t pit_clocks(uint64_t tsc_delta, uint64_t tsc_hz)
{
    if (!tsc_hz)
        return 0;
    return tsc_delta / tsc_hz * PIT_HZ + tsc_delta % tsc_hz * PIT_HZ / tsc_hz;
}
