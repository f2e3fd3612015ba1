/* Command-line word lookup (pure logic, unit-tested on the host). */
#include <string.h>

#include "kernel/cmdline.h"

/* Finds the word starting with `key` followed by '=', a space or the end. */
static const char *find_word(const char *s, const char *key)
{
    size_t klen = strlen(key);
    if (!s || !klen)
        return NULL;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if ((size_t)(s - w) >= klen && memcmp(w, key, klen) == 0 &&
            (w + klen == s || w[klen] == '='))
            return w;
    }
    return NULL;
}

bool cmdline_has(const char *cmdline, const char *key)
{
    return find_word(cmdline, key) != NULL;
}

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t len)
{
    const char *w = find_word(cmdline, key);
    if (!w || w[strlen(key)] != '=' || len == 0)
        return false;
    w += strlen(key) + 1;
    size_t n = 0;
    while (w[n] && w[n] != ' ' && w[n] != '\t')
        n++;
    if (n >= len)
        n = len - 1;
    memcpy(out, w, n);
    out[n] = 0;
    return true;
}
