/* Host tests of the 8254 counter model (vmm/platform/pit_counter.c): the sequences Linux's
 * TSC calibration writes (arch/x86/kernel/tsc.c), modes 2 and 3, the gate, latches,
 * read-back, refused modes, and the TSC-to-PIT clock conversion. */
#include "check.h"
#include "vmm/platform/pit_counter.h"

static uint16_t read_word(struct pit_counter *c, uint64_t now)
{
    uint8_t lo = pit_counter_read(c, now);
    return (uint16_t)(lo | pit_counter_read(c, now) << 8);
}

/* Linux's quick_pit_calibrate / pit_calibrate_tsc: gate high, 0xb0 (counter 2, LSB then MSB,
 * mode 0, binary), then the count. */
static void test_mode0_calibration(void)
{
    struct pit_counter c;
    pit_counter_reset(&c);
    pit_counter_set_gate(&c, true, 100);
    CHECK(pit_counter_control(&c, 0xb0, 100) == 0, "0xb0 accepted");
    CHECK(!pit_counter_out(&c, 100), "mode 0: OUT low after the control word");
    pit_counter_write(&c, 0xff, 110);
    CHECK(!pit_counter_out(&c, 5000), "no count yet: OUT stays low");
    pit_counter_write(&c, 0xff, 120);
    CHECK_EQ_U64(pit_counter_value(&c, 120), 0xffff, "starts at 0xffff");
    CHECK_EQ_U64(read_word(&c, 120 + 256), 0xffff - 256, "LSB then MSB, 256 clocks later");
    CHECK_EQ_U64(read_word(&c, 120 + 0x1234), 0xffff - 0x1234, "later still");
    CHECK(!pit_counter_out(&c, 120 + 0xfffe), "one clock before terminal count: low");
    CHECK(pit_counter_out(&c, 120 + 0xffff), "terminal count: OUT high");
    CHECK(pit_counter_out(&c, 120 + 0x20000), "and stays high");
    CHECK_EQ_U64(pit_counter_value(&c, 120 + 0xffff + 5), 0xfffb, "the count wraps on");

    /* pit_calibrate_tsc's 50 ms latch: OUT (port 0x61 bit 5) goes high after 59659 clocks. */
    uint32_t latch = (PIT_HZ + 10) / 20;
    pit_counter_control(&c, 0xb0, 1000000);
    pit_counter_write(&c, (uint8_t)latch, 1000000);
    pit_counter_write(&c, (uint8_t)(latch >> 8), 1000000);
    CHECK(!pit_counter_out(&c, 1000000 + latch - 1) && pit_counter_out(&c, 1000000 + latch),
          "OUT rises exactly %u clocks after the count", latch);
}

static void test_gate(void)
{
    struct pit_counter c;
    pit_counter_reset(&c);
    pit_counter_control(&c, 0xb0, 0);
    pit_counter_write(&c, 0x00, 0);
    pit_counter_write(&c, 0x10, 0);     /* 0x1000, gate low */
    CHECK_EQ_U64(pit_counter_value(&c, 500), 0x1000, "gate low: not counting");
    pit_counter_set_gate(&c, true, 500);
    CHECK_EQ_U64(pit_counter_value(&c, 600), 0x1000 - 100, "gate high: counting");
    pit_counter_set_gate(&c, false, 700);
    CHECK_EQ_U64(pit_counter_value(&c, 5000), 0x1000 - 200, "gate low again: held");
    pit_counter_set_gate(&c, true, 6000);
    CHECK_EQ_U64(pit_counter_value(&c, 6050), 0x1000 - 250, "mode 0 resumes, no reload");
    CHECK(!pit_counter_out(&c, 6000 + 0x1000 - 201) && pit_counter_out(&c, 6000 + 0x1000 - 200),
          "terminal count after 0x1000 clocks of gate-high time");

    /* Mode 2: a rising gate reloads. */
    pit_counter_set_gate(&c, false, 6900);
    pit_counter_control(&c, 0x34 | 0x80, 6900); /* counter 2, word, mode 2 */
    CHECK(!c.gate, "a control word keeps the gate");
    pit_counter_write(&c, 100, 6900);
    pit_counter_write(&c, 0, 6900);
    CHECK_EQ_U64(pit_counter_value(&c, 6977), 100, "held at the reload with the gate low");
    pit_counter_set_gate(&c, false, 7000);  /* already low: nothing */
    CHECK_EQ_U64(pit_counter_value(&c, 7000), 100, "still held");
    pit_counter_set_gate(&c, true, 7000);
    CHECK_EQ_U64(pit_counter_value(&c, 7030), 70, "counts after the rising gate");
    pit_counter_set_gate(&c, false, 7040);
    CHECK(pit_counter_out(&c, 7099), "mode 2, gate low: OUT high");
    pit_counter_set_gate(&c, true, 8000);
    CHECK_EQ_U64(pit_counter_value(&c, 8000), 100, "reloaded at the rising gate");
}

static void test_mode2_mode3(void)
{
    struct pit_counter c;
    pit_counter_reset(&c);
    pit_counter_set_gate(&c, true, 0);
    CHECK(pit_counter_control(&c, 0xb4, 0) == 0, "mode 2");
    CHECK(pit_counter_out(&c, 0), "mode 2: OUT high after the control word");
    pit_counter_write(&c, 10, 0);
    pit_counter_write(&c, 0, 0);
    unsigned lows = 0;
    for (uint64_t t = 0; t < 100; t++)
        lows += !pit_counter_out(&c, t);
    CHECK_EQ_U64(lows, 10, "one low clock per period of 10");
    CHECK(!pit_counter_out(&c, 9) && pit_counter_value(&c, 9) == 1 && pit_counter_value(&c, 10) == 10,
          "low at count 1, then reload");

    /* Mode 3 (the speaker: 0xb6), period 10: 5 high, 5 low; odd 11: 6 high, 5 low. */
    CHECK(pit_counter_control(&c, 0xb6, 0) == 0, "mode 3");
    pit_counter_write(&c, 10, 0);
    pit_counter_write(&c, 0, 0);
    unsigned high = 0;
    for (uint64_t t = 0; t < 10; t++)
        high += pit_counter_out(&c, t);
    CHECK(high == 5 && pit_counter_out(&c, 4) && !pit_counter_out(&c, 5), "square wave 5/5");
    CHECK(pit_counter_value(&c, 0) == 10 && pit_counter_value(&c, 1) == 8, "counts by twos");
    pit_counter_control(&c, 0xb6, 0);
    pit_counter_write(&c, 11, 0);
    pit_counter_write(&c, 0, 0);
    high = 0;
    for (uint64_t t = 0; t < 11; t++)
        high += pit_counter_out(&c, t);
    CHECK_EQ_U64(high, 6, "odd period: one more clock high");
    CHECK(pit_counter_control(&c, 0xbe, 0) == 0 && c.mode == 3, "mode 7 is mode 3");
}

static void test_access_and_latch(void)
{
    struct pit_counter c;
    pit_counter_reset(&c);
    pit_counter_set_gate(&c, true, 0);
    /* LSB only (0x90): count 0x80. */
    pit_counter_control(&c, 0x90, 0);
    pit_counter_write(&c, 0x80, 0);
    CHECK_EQ_U64(pit_counter_read(&c, 0x10), 0x70, "LSB access reads the low byte");
    CHECK_EQ_U64(pit_counter_read(&c, 0x10), 0x70, "and only it");
    /* MSB only (0xa0): count 0x0200. */
    pit_counter_control(&c, 0xa0, 0);
    pit_counter_write(&c, 0x02, 0);
    CHECK_EQ_U64(pit_counter_value(&c, 0), 0x200, "MSB access loads count << 8");
    CHECK_EQ_U64(pit_counter_read(&c, 0x101), 0x00, "MSB read of 0xff");
    /* A written 0 is 65536. */
    pit_counter_control(&c, 0xb0, 0);
    pit_counter_write(&c, 0, 0);
    pit_counter_write(&c, 0, 0);
    CHECK(pit_counter_value(&c, 1) == 0xffff && !pit_counter_out(&c, 65535) &&
              pit_counter_out(&c, 65536), "count 0 = 65536");
    /* Latch: the value at the latch, however late it is read; a second latch is ignored. */
    pit_counter_control(&c, 0x80, 1000);            /* counter 2 latch */
    pit_counter_control(&c, 0x80, 2000);
    CHECK_EQ_U64(read_word(&c, 9000), (uint16_t)(65536 - 1000), "latched value");
    CHECK_EQ_U64(read_word(&c, 9000), (uint16_t)(65536 - 9000), "then the live count again");
    /* Read-back: status then count. */
    pit_counter_readback(&c, true, true, 3000);
    uint8_t st = pit_counter_read(&c, 4000);
    CHECK_EQ_U64(st, 0x30, "status: OUT low, counting, word access, mode 0");
    CHECK_EQ_U64(read_word(&c, 4000), (uint16_t)(65536 - 3000), "read-back count");
    pit_counter_readback(&c, false, true, 70000);
    CHECK_EQ_U64(pit_counter_read(&c, 70000), 0xb0, "status: OUT high after terminal count");
    pit_counter_control(&c, 0xb0, 0);
    pit_counter_readback(&c, false, true, 0);
    CHECK_EQ_U64(pit_counter_read(&c, 0), 0x70, "status: null count after a control word");
}

static void test_refused(void)
{
    struct pit_counter c;
    pit_counter_reset(&c);
    pit_counter_control(&c, 0xb0, 0);
    pit_counter_write(&c, 0x34, 0);
    pit_counter_write(&c, 0x12, 0);
    CHECK(pit_counter_control(&c, 0xb2, 10) == -PIT_E_MODE, "mode 1 refused");
    CHECK(pit_counter_control(&c, 0xb8, 10) == -PIT_E_MODE, "mode 4 refused");
    CHECK(pit_counter_control(&c, 0xba, 10) == -PIT_E_MODE, "mode 5 refused");
    CHECK(pit_counter_control(&c, 0xb1, 10) == -PIT_E_BCD, "BCD refused");
    CHECK(c.mode == 0 && c.counting && c.reload == 0x1234, "a refused word changes nothing");
}

static void test_clocks(void)
{
    CHECK_EQ_U64(pit_clocks(1000000000ull, 1000000000ull), PIT_HZ, "one second at 1 GHz");
    CHECK_EQ_U64(pit_clocks(500000, 1000000000ull), 596, "0.5 ms");
    CHECK_EQ_U64(pit_clocks(3600ull * 3500000000ull, 3500000000ull), 3600ull * PIT_HZ,
                 "an hour at 3.5 GHz, no overflow");
    CHECK_EQ_U64(pit_clocks(~0ull, 4000000000ull), (~0ull / 4000000000ull) * PIT_HZ +
                     (~0ull % 4000000000ull) * PIT_HZ / 4000000000ull, "the whole TSC range");
    CHECK_EQ_U64(pit_clocks(123, 0), 0, "no TSC frequency: no time");
}

int main(void)
{
    test_mode0_calibration();
    test_gate();
    test_mode2_mode3();
    test_access_and_latch();
    test_refused();
    test_clocks();
    return check_summary("pit");
}
