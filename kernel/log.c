/* Console logging: formats one whole line, then writes it under the console lock. */
#include <stdio.h>
#include <string.h>

#include "drivers/uart/uart16550.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"

#define LOG_LINE_MAX 512

static struct spinlock console_lock = SPINLOCK_INIT; /* protects: the UART transmit stream */
static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level level) { log_level = level; }
enum log_level log_get_level(void) { return log_level; }

static void console_put_locked(const char *buf, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++) {
        if (buf[i] == '\n')
            uart_putc('\r');
        uart_putc(buf[i]);
    }
}

void console_write(const char *buf, unsigned long len)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    console_put_locked(buf, len);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_force_unlock(void)
{
    console_lock.owner = console_lock.next;
}

void log_vprintf(enum log_level level, const char *category, const char *fmt, va_list ap)
{
    static const char *const level_tag[] = {
        [LOG_ERR] = "error: ", [LOG_WARN] = "warning: ", [LOG_INFO] = "", [LOG_DEBUG] = "",
    };
    char line[LOG_LINE_MAX];
    int n;

    if (level > log_level)
        return;
    n = snprintf(line, sizeof(line), "[cpu%u] %s: %s", current_cpu_id(), category,
                 level_tag[level]);
    if (n < 0)
        return;
    n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    console_write(line, (unsigned long)n);
}

void log_printf(enum log_level level, const char *category, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, category, fmt, ap);
    va_end(ap);
}
