/* Virtual 16550: transmit goes to the hypervisor console one whole line at a time,
 * prefixed with the guest's name, within the guest's console budget; receive is always
 * empty. Its interrupt (THRE, per IER) reaches a guest only through its PCI view
 * (vmm/vpci/vpci_uart.h); elsewhere drivers poll IIR and LSR. */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/tsc.h"
#include "vmm/vuart.h"

enum { THR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INT 0x01
#define IIR_THRE 0x02
#define IER_ETBEI 0x02
#define IIR_FIFO_ENABLED 0xc0
#define MSR_DCD_DSR_CTS 0xb0

/* Text made under the lock, printed after it: a drop notice, a guest line, a forced line. */
#define VUART_OUT_MAX 768
struct vuart_out {
    char text[VUART_OUT_MAX];
    uint32_t len;
};

static void out_append(struct vuart_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_append(struct vuart_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->text + o->len, sizeof(o->text) - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (uint32_t)n < sizeof(o->text) - o->len ? (uint32_t)n
                                                          : (uint32_t)(sizeof(o->text) - 1 - o->len);
}

static void out_print(const struct vuart_out *o)
{
    if (o->len)
        console_write(o->text, o->len);
}

void vuart_init(struct vuart *u, const char *owner)
{
    *u = (struct vuart){ .owner = owner, .lock = SPINLOCK_INIT, .dll = 1 };
    console_budget_init(&u->budget);
}

bool vuart_claims(uint16_t port)
{
    return port >= VUART_BASE && port < VUART_BASE + VUART_PORTS;
}

bool vuart_is_scratch(uint16_t port)
{
    return port == VUART_BASE + SCR;
}

/* Lock held. Reports what the rate limit dropped since the last report, if anything. */
static void notice_locked(struct vuart *u, struct vuart_out *o)
{
    struct console_budget *b = &u->budget;
    if (!b->dropped_lines)
        return;
    out_append(o, "[%s] console: %lu bytes in %lu lines dropped (rate limit %u bytes/s)\n",
               u->owner, b->dropped_bytes, b->dropped_lines, CONSOLE_RATE);
    b->dropped_bytes = b->dropped_lines = 0;
}

/* Lock held. Moves the pending line into `o` if the budget allows, else counts it dropped. */
static void take_line_locked(struct vuart *u, struct vuart_out *o)
{
    if (!u->len)
        return;
    struct vuart_out line = { .len = 0 };
    out_append(&line, "[%s] %.*s\n", u->owner, (int)u->len, u->line);
    u->len = 0;
    if (!console_budget_take(&u->budget, rdtsc(), tsc_hz(), line.len, false))
        return;
    notice_locked(u, o);
    out_append(o, "%.*s", (int)line.len, line.text);
}

/* Lock held. Returns true when a line was completed (and taken into `o` or dropped). */
static bool tx_locked(struct vuart *u, char c, struct vuart_out *o)
{
    if (c == '\n') {
        if (!u->len)
            u->line[u->len++] = ' ';
        take_line_locked(u, o);
        return true;
    }
    if (c == '\r')
        return false;
    if ((unsigned char)c < 0x20 && c != '\t')
        c = '.';
    u->line[u->len++] = c;
    if (u->len >= VUART_LINE_MAX) {
        take_line_locked(u, o);
        return true;
    }
    return false;
}

void vuart_flush(struct vuart *u)
{
    struct vuart_out o = { .len = 0 };
    uint64_t flags = spin_lock_irqsave(&u->lock);
    take_line_locked(u, &o);
    notice_locked(u, &o);
    spin_unlock_irqrestore(&u->lock, flags);
    out_print(&o);
}

void vuart_puts(struct vuart *u, const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len;) {
        struct vuart_out o = { .len = 0 };
        uint64_t flags = spin_lock_irqsave(&u->lock);
        while (i < len && !tx_locked(u, s[i++], &o))
            ;
        spin_unlock_irqrestore(&u->lock, flags);
        out_print(&o);
    }
}

uint64_t vuart_debt_cycles(struct vuart *u)
{
    uint64_t flags = spin_lock_irqsave(&u->lock);
    uint64_t cycles = console_budget_debt_cycles(&u->budget, rdtsc(), tsc_hz());
    spin_unlock_irqrestore(&u->lock, flags);
    return cycles;
}

void vuart_print_forced(struct vuart *u, const char *text, uint32_t len)
{
    struct vuart_out o = { .len = 0 };
    uint64_t flags = spin_lock_irqsave(&u->lock);
    take_line_locked(u, &o);
    console_budget_take(&u->budget, rdtsc(), tsc_hz(), len, true);
    notice_locked(u, &o);
    out_append(&o, "%.*s", (int)len, text);
    spin_unlock_irqrestore(&u->lock, flags);
    out_print(&o);
}

uint32_t vuart_read(struct vuart *u, uint16_t port)
{
    uint64_t flags = spin_lock_irqsave(&u->lock);
    bool dlab = u->lcr & LCR_DLAB;
    uint32_t value = 0xff;
    switch (port - VUART_BASE) {
    case THR: value = dlab ? u->dll : 0; break;       /* nothing ever received */
    case IER: value = dlab ? u->dlm : u->ier; break;
    case IIR:
        if (!dlab && (u->ier & IER_ETBEI) && u->thre_pending) {
            value = IIR_THRE | IIR_FIFO_ENABLED;
            u->thre_pending = false;
        } else {
            value = IIR_NO_INT | IIR_FIFO_ENABLED;
        }
        break;
    case LCR: value = u->lcr; break;
    case MCR: value = u->mcr; break;
    case LSR: value = LSR_THRE | LSR_TEMT; break;     /* transmitter always ready */
    case MSR: value = MSR_DCD_DSR_CTS; break;
    case SCR: value = u->scr; break;
    }
    spin_unlock_irqrestore(&u->lock, flags);
    return value;
}

/* Lock held. The interrupt output: a THRE interrupt pending and enabled (nothing is ever
 * received, so no other source is ever active). */
static bool irq_locked(const struct vuart *u)
{
    return (u->ier & IER_ETBEI) && u->thre_pending;
}

bool vuart_write(struct vuart *u, uint16_t port, uint32_t value)
{
    struct vuart_out o = { .len = 0 };
    uint8_t v = (uint8_t)value;
    uint64_t flags = spin_lock_irqsave(&u->lock);
    bool dlab = u->lcr & LCR_DLAB;
    bool was = irq_locked(u);
    switch (port - VUART_BASE) {
    case THR:
        if (dlab) {
            u->dll = v;
        } else {
            tx_locked(u, (char)v, &o);
            u->thre_pending = true;   /* the character left at once */
        }
        break;
    case IER:
        if (dlab) {
            u->dlm = v;
        } else {
            if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
                u->thre_pending = true; /* enabled while the THR is empty */
            u->ier = v & 0x0f;
        }
        break;
    case LCR: u->lcr = v; break;
    case MCR: u->mcr = v; break;
    case SCR: u->scr = v; break;
    default: break; /* FCR, LSR, MSR writes have no effect here */
    }
    bool raised = !was && irq_locked(u);
    spin_unlock_irqrestore(&u->lock, flags);
    out_print(&o);
    return raised;
}
