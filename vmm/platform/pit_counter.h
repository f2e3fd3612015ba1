/* One counter of an 8254 programmable interval timer (Intel 82C54 datasheet), pure: the
 * caller says what time it is, in PIT clocks. Modes 0 (interrupt on terminal count, what
 * Linux's TSC calibration uses), 2 (rate generator) and 3 (square wave, the PC speaker), in
 * binary; the others and BCD are refused. Host unit-tested. */
#ifndef EXITLESS_VMM_PLATFORM_PIT_COUNTER_H
#define EXITLESS_VMM_PLATFORM_PIT_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

/* Control word (datasheet "Control Word Format"): SC bits 7:6, RW bits 5:4, M bits 3:1, BCD bit 0. */
#define PIT_CW_SC_SHIFT    6
#define PIT_CW_SC_MASK     0xc0u
#define PIT_CW_SC_READBACK 3u
#define PIT_CW_RW_SHIFT    4
#define PIT_CW_RW_MASK     0x30u
#define PIT_CW_MODE_SHIFT  1
#define PIT_CW_MODE_MASK   0x0eu
#define PIT_CW_BCD         0x01u
#define pit_cw_counter(cw) (((cw) & PIT_CW_SC_MASK) >> PIT_CW_SC_SHIFT)
#define pit_cw_rw(cw)      (((cw) & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT)
#define pit_cw_mode(cw)    (((cw) & PIT_CW_MODE_MASK) >> PIT_CW_MODE_SHIFT)
/* Read-back command (SC = 3): bit 5 clear latches counts, bit 4 clear latches status, bits
 * 3:1 select counters 2, 1, 0. */
#define PIT_RB_NO_COUNT    0x20u
#define PIT_RB_NO_STATUS   0x10u
#define PIT_RB_COUNTER(n)  (0x02u << (n))
/* Status byte: OUT bit 7, null count bit 6, then RW, mode and BCD as programmed. */
#define PIT_STATUS_OUT     0x80u
#define PIT_STATUS_NULL    0x40u

enum pit_rw { PIT_RW_LATCH = 0, PIT_RW_LSB = 1, PIT_RW_MSB = 2, PIT_RW_WORD = 3 };

/* Why a control word was refused (returned negated; the counter is left as it was). */
enum { PIT_E_MODE = 1, PIT_E_BCD = 2 };

struct pit_counter {
    uint8_t mode;               /* 0, 2 or 3 */
    uint8_t rw;                 /* enum pit_rw other than LATCH */
    bool counting;              /* a whole count was written since the control word */
    bool gate;
    uint32_t reload;            /* the count written, 1..65536 (0 written means 65536) */
    uint64_t start;             /* clock when counting last (re)started with the gate high */
    uint64_t counted;           /* clocks counted before the gate last went low */
    bool write_msb_next;        /* RW = word: the LSB is in write_lsb */
    uint8_t write_lsb;
    bool read_msb_next;         /* RW = word: the next read returns the high byte */
    bool count_latched;
    uint16_t latch;
    bool status_latched;
    uint8_t status;
};

/* Power-on state: mode 0, word access, no count, gate low. */
void pit_counter_reset(struct pit_counter *c);
/* A control word for this counter (SC = its number): a latch command (RW = 0) or a new mode. */
int pit_counter_control(struct pit_counter *c, uint8_t cw, uint64_t now);
void pit_counter_readback(struct pit_counter *c, bool count, bool status, uint64_t now);
void pit_counter_write(struct pit_counter *c, uint8_t v, uint64_t now);
uint8_t pit_counter_read(struct pit_counter *c, uint64_t now);
void pit_counter_set_gate(struct pit_counter *c, bool gate, uint64_t now);
/* The counting element and the OUT pin at `now`. */
uint16_t pit_counter_value(const struct pit_counter *c, uint64_t now);
bool pit_counter_out(const struct pit_counter *c, uint64_t now);

/* PIT clocks in `tsc_delta` cycles of a TSC running at tsc_hz (below 2^43 Hz), without a
 * 128-bit multiply. */
uint64_t pit_clocks(uint64_t tsc_delta, uint64_t tsc_hz);

#endif
