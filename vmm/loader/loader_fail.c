/* The loaders' error text: one formatted reason per failure. */
#include <stdarg.h>
#include <stdio.h>

#include "vmm/loader/loader_check.h"

int loader_fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}
