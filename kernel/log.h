/* Console logging: levels, categories and a CPU-id prefix on every line. */
#ifndef EXITLESS_KERNEL_LOG_H
#define EXITLESS_KERNEL_LOG_H

#include <stdarg.h>

enum log_level {
    LOG_ERR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
};

/* Lines above this level are dropped (set from the command line / manifest). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* One line "[cpuN] category: message" (errors and warnings say so after the category).
 * Lines from different CPUs never interleave. */
void log_printf(enum log_level level, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vprintf(enum log_level level, const char *category, const char *fmt, va_list ap);

/* Raw text to the console with no prefix (test result lines, guest output relays). */
void console_write(const char *buf, unsigned long len);
/* Drops the console lock without waiting (panic path only). */
void console_force_unlock(void);

#define log_err(cat, ...)   log_printf(LOG_ERR, cat, __VA_ARGS__)
#define log_warn(cat, ...)  log_printf(LOG_WARN, cat, __VA_ARGS__)
#define log_info(cat, ...)  log_printf(LOG_INFO, cat, __VA_ARGS__)
#define log_debug(cat, ...) log_printf(LOG_DEBUG, cat, __VA_ARGS__)

#endif
