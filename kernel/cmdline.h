/* The hypervisor's command line: space-separated `flag` and `key=value` words. */
#ifndef EXITLESS_KERNEL_CMDLINE_H
#define EXITLESS_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* True when `key` appears as a word on its own or as `key=...`. */
bool cmdline_has(const char *cmdline, const char *key);
/* Copies the value of `key=value` into out (NUL-terminated, truncated to len-1); false when
 * absent. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t len);

#endif
