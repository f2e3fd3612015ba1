/* 8259A initialization sequence (Intel 8259A datasheet, ICW1-ICW4 and OCW1). */
#include "drivers/irq/pic8259.h"
#include "kernel/arch.h"

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1
#define ICW1_INIT       0x10 /* start initialization */
#define ICW1_ICW4       0x01 /* ICW4 follows */
#define ICW3_MASTER_SLAVE_ON_IRQ2 0x04
#define ICW3_SLAVE_ID_2 0x02
#define ICW4_8086       0x01
#define OCW1_MASK_ALL   0xff
#define POST_CODE_PORT  0x80 /* a write here is the traditional ~1 us I/O delay */

static void io_delay(void) { outb(POST_CODE_PORT, 0); }

void pic_remap_and_mask(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC_MASTER_DATA, OCW1_MASK_ALL);
    outb(PIC_SLAVE_DATA, OCW1_MASK_ALL);
    outb(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
    io_delay();
    outb(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
    io_delay();
    outb(PIC_MASTER_DATA, master_base);
    io_delay();
    outb(PIC_SLAVE_DATA, slave_base);
    io_delay();
    outb(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_ON_IRQ2);
    io_delay();
    outb(PIC_SLAVE_DATA, ICW3_SLAVE_ID_2);
    io_delay();
    outb(PIC_MASTER_DATA, ICW4_8086);
    io_delay();
    outb(PIC_SLAVE_DATA, ICW4_8086);
    io_delay();
    outb(PIC_MASTER_DATA, OCW1_MASK_ALL);
    outb(PIC_SLAVE_DATA, OCW1_MASK_ALL);
}
