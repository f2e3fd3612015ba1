/* Virtual 16550: transmit goes to the hypervisor console one whole line at a time,
 * prefixed with the guest's name; receive is always empty. */
#include <stdio.h>

#include "kernel/log.h"
#include "vmm/vuart.h"

enum { THR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INT 0x01
#define IIR_FIFO_ENABLED 0xc0
#define MSR_DCD_DSR_CTS 0xb0

void vuart_init(struct vuart *u, const char *owner)
{
    *u = (struct vuart){ .owner = owner, .dll = 1 };
}

bool vuart_claims(uint16_t port)
{
    return port >= VUART_BASE && port < VUART_BASE + VUART_PORTS;
}

void vuart_flush(struct vuart *u)
{
    if (!u->len)
        return;
    char out[VUART_LINE_MAX + 48];
    int n = snprintf(out, sizeof(out), "[%s] %.*s\n", u->owner, (int)u->len, u->line);
    console_write(out, (unsigned long)(n < (int)sizeof(out) ? n : (int)sizeof(out) - 1));
    u->len = 0;
}

static void tx(struct vuart *u, char c)
{
    if (c == '\n') {
        if (!u->len) {
            u->line[u->len++] = ' ';
        }
        vuart_flush(u);
        return;
    }
    if (c == '\r')
        return;
    if ((unsigned char)c < 0x20 && c != '\t')
        c = '.';
    u->line[u->len++] = c;
    if (u->len == VUART_LINE_MAX)
        vuart_flush(u);
}

void vuart_puts(struct vuart *u, const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        tx(u, s[i]);
}

uint32_t vuart_read(struct vuart *u, uint16_t port)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (port - VUART_BASE) {
    case THR: return dlab ? u->dll : 0;       /* nothing ever received */
    case IER: return dlab ? u->dlm : u->ier;
    case IIR: return IIR_NO_INT | IIR_FIFO_ENABLED;
    case LCR: return u->lcr;
    case MCR: return u->mcr;
    case LSR: return LSR_THRE | LSR_TEMT;     /* transmitter always ready */
    case MSR: return MSR_DCD_DSR_CTS;
    case SCR: return u->scr;
    }
    return 0xff;
}

void vuart_write(struct vuart *u, uint16_t port, uint32_t value)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = (uint8_t)value;
    switch (port - VUART_BASE) {
    case THR: if (dlab) u->dll = v; else tx(u, (char)v); break;
    case IER: if (dlab) u->dlm = v; else u->ier = v & 0x0f; break;
    case LCR: u->lcr = v; break;
    case MCR: u->mcr = v; break;
    case SCR: u->scr = v; break;
    default: break; /* FCR, LSR, MSR writes have no effect here */
    }
}
