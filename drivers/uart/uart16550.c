/* 16550 UART driver (polled transmit): register layout per the PC16550D datasheet. */
#include "drivers/uart/uart16550.h"
#include "kernel/arch.h"

#define UART_THR 0          /* transmit holding (DLAB=0) */
#define UART_DLL 0          /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1      0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE   0x07   /* enable and clear both FIFOs */
#define MCR_DTR_RTS  0x03
#define LSR_THRE     0x20   /* holding register empty */
#define LSR_TEMT     0x40   /* transmitter completely empty */
#define UART_CLOCK_DIVISOR_115200 1

static uint16_t uart_port;

bool uart_init(uint16_t port)
{
    /* A missing UART reads back 0xff: probe through the scratch register. */
    outb(port + UART_SCR, 0x5a);
    if (inb(port + UART_SCR) != 0x5a)
        return false;
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, UART_CLOCK_DIVISOR_115200);
    outb(port + UART_DLM, 0);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, FCR_ENABLE);
    outb(port + UART_MCR, MCR_DTR_RTS);
    uart_port = port;
    return true;
}

void uart_putc(char c)
{
    if (!uart_port)
        return;
    while (!(inb(uart_port + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(uart_port + UART_THR, (uint8_t)c);
}

void uart_flush(void)
{
    if (!uart_port)
        return;
    while (!(inb(uart_port + UART_LSR) & LSR_TEMT))
        cpu_relax();
}
