/* TOML subset lexer: whitespace, comments, keys, strings and integers, with positions and errors. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

struct mf_pos mf_lex_pos(const struct mf_lexer *lx)
{
    struct mf_pos p = { lx->line, lx->pos - lx->line_start + 1 };
    return p;
}

int mf_lex_peek(const struct mf_lexer *lx)
{
    return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : -1;
}

static int peek_at(const struct mf_lexer *lx, uint32_t ahead)
{
    return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

void mf_lex_advance(struct mf_lexer *lx)
{
    if (lx->pos < lx->len)
        lx->pos++;
}

void mf_lex_skip_blank(struct mf_lexer *lx)
{
    while (mf_lex_peek(lx) == ' ' || mf_lex_peek(lx) == '\t')
        lx->pos++;
}

void mf_lex_skip_comment(struct mf_lexer *lx)
{
    if (mf_lex_peek(lx) != '#')
        return;
    while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
        lx->pos++;
    /* Keep a "\r\n" line ending intact for mf_lex_newline(). */
    if (lx->pos > 0 && lx->pos < lx->len && lx->s[lx->pos - 1] == '\r')
        lx->pos--;
}

bool mf_lex_at_newline(const struct mf_lexer *lx)
{
    int c = mf_lex_peek(lx);
    return c == -1 || c == '\n' || (c == '\r' && peek_at(lx, 1) == '\n');
}

void mf_lex_newline(struct mf_lexer *lx)
{
    if (mf_lex_peek(lx) == '\r')
        lx->pos++;
    if (mf_lex_peek(lx) == '\n') {
        lx->pos++;
        lx->line++;
        lx->line_start = lx->pos;
    }
}

void mf_lex_skip_ws_nl(struct mf_lexer *lx)
{
    for (;;) {
        mf_lex_skip_blank(lx);
        mf_lex_skip_comment(lx);
        if (mf_lex_peek(lx) == -1 || !mf_lex_at_newline(lx))
            return;
        mf_lex_newline(lx);
    }
}

bool mf_lex_is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* What is at the cursor, for "found ..." in messages. */
const char *mf_lex_describe(const struct mf_lexer *lx, char *buf, size_t size)
{
    int c = mf_lex_peek(lx);
    if (c == -1)
        snprintf(buf, size, "end of file");
    else if (mf_lex_at_newline(lx))
        snprintf(buf, size, "end of line");
    else if (mf_lex_is_bare(c)) {
        uint32_t n = 0;
        while (lx->pos + n < lx->len && mf_lex_is_bare((unsigned char)lx->s[lx->pos + n]) && n < 24)
            n++;
        snprintf(buf, size, "'%.*s'", (int)n, &lx->s[lx->pos]);
    } else if (c > ' ' && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", (unsigned)c);
    return buf;
}

void mf_lex_error(struct mf_lexer *lx, const char *expected)
{
    char found[48];
    mf_error(&lx->ws->diag, mf_lex_pos(lx), "expected %s, found %s", expected,
             mf_lex_describe(lx, found, sizeof(found)));
}

uint32_t mf_str_alloc(struct mf_lexer *lx, const char *s, uint32_t n)
{
    struct mf_workspace *ws = lx->ws;
    if (lx->full)
        return 0;
    if (n + 1 > MF_STRINGS_MAX - ws->nstrings) {
        mf_error(&ws->diag, mf_lex_pos(lx),
                 "manifest too large: more than %u bytes of keys and strings", MF_STRINGS_MAX);
        lx->full = true;
        return 0;
    }
    uint32_t off = ws->nstrings;
    memcpy(&ws->strings[off], s, n);
    ws->strings[off + n] = '\0';
    ws->nstrings += n + 1;
    return off;
}

/* Appends one byte to the string under construction at ws->strings[start..]. */
static bool str_put(struct mf_lexer *lx, uint32_t start, uint32_t *n, char c)
{
    struct mf_workspace *ws = lx->ws;
    if (start + *n + 1 >= MF_STRINGS_MAX) {
        if (!lx->full)
            mf_error(&ws->diag, mf_lex_pos(lx),
                     "manifest too large: more than %u bytes of keys and strings", MF_STRINGS_MAX);
        lx->full = true;
        return false;
    }
    ws->strings[start + (*n)++] = c;
    return true;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX and \UXXXXXXXX: a Unicode scalar value, stored as UTF-8. */
static bool lex_unicode(struct mf_lexer *lx, uint32_t start, uint32_t *n, int digits)
{
    struct mf_pos at = mf_lex_pos(lx);
    uint32_t cp = 0;
    for (int i = 0; i < digits; i++) {
        int h = hex_value(mf_lex_peek(lx));
        if (h < 0) {
            mf_lex_error(lx, "a hexadecimal digit in a \\u escape");
            return false;
        }
        cp = cp * 16 + (uint32_t)h;
        lx->pos++;
    }
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        mf_error(&lx->ws->diag, at, "expected a Unicode scalar value other than U+0000, found U+%04X",
                 (unsigned)cp);
        return false;
    }
    char u[4];
    uint32_t len;
    if (cp < 0x80) {
        u[0] = (char)cp;
        len = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        len = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        len = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        len = 4;
    }
    for (uint32_t i = 0; i < len; i++)
        if (!str_put(lx, start, n, u[i]))
            return false;
    return true;
}

static bool lex_escape(struct mf_lexer *lx, uint32_t start, uint32_t *n)
{
    static const char from[] = "btnfr\"\\";
    static const char to[] = "\b\t\n\f\r\"\\";
    int c = mf_lex_peek(lx);
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    if (hit) {
        lx->pos++;
        return str_put(lx, start, n, to[hit - from]);
    }
    if (c == 'u' || c == 'U') {
        lx->pos++;
        return lex_unicode(lx, start, n, c == 'u' ? 4 : 8);
    }
    mf_lex_error(lx, "an escape (\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
    return false;
}

/* A basic "..." or literal '...' string on one line; stored NUL-terminated. */
bool mf_lex_string(struct mf_lexer *lx, uint32_t *str)
{
    struct mf_workspace *ws = lx->ws;
    int quote = mf_lex_peek(lx);
    if (lx->full)
        return false;
    if (peek_at(lx, 1) == quote && peek_at(lx, 2) == quote) {
        mf_error(&ws->diag, mf_lex_pos(lx), "multi-line strings are not supported");
        return false;
    }
    struct mf_pos open = mf_lex_pos(lx);
    uint32_t start = ws->nstrings, n = 0;
    lx->pos++;
    for (;;) {
        int c = mf_lex_peek(lx);
        if (c == quote) {
            lx->pos++;
            break;
        }
        if (c == -1 || c == '\n' || c == '\r') {
            mf_error(&ws->diag, open, "unterminated string: expected a closing %c on the same line",
                     quote);
            return false;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            mf_error(&ws->diag, mf_lex_pos(lx), "expected a printable character in string, found byte 0x%02x",
                     (unsigned)c);
            return false;
        }
        lx->pos++;
        if (c == '\\' && quote == '"') {
            if (!lex_escape(lx, start, &n))
                return false;
        } else if (!str_put(lx, start, &n, (char)c)) {
            return false;
        }
    }
    if (!str_put(lx, start, &n, '\0'))
        return false;
    ws->nstrings += n;
    *str = start;
    return true;
}

bool mf_lex_key(struct mf_lexer *lx, uint32_t *str)
{
    int c = mf_lex_peek(lx);
    if (c == '"' || c == '\'')
        return mf_lex_string(lx, str);
    if (!mf_lex_is_bare(c)) {
        mf_lex_error(lx, "a key");
        return false;
    }
    uint32_t start = lx->pos;
    while (mf_lex_is_bare(mf_lex_peek(lx)))
        lx->pos++;
    *str = mf_str_alloc(lx, &lx->s[start], lx->pos - start);
    return *str != 0;
}

static int digit_in_base(int c, int base)
{
    int v = hex_value(c);
    return v >= 0 && v < base ? v : -1;
}

/* Decimal (with sign), 0x, 0o, 0b; '_' between digits. Floats and dates are rejected by name. */
bool mf_lex_integer(struct mf_lexer *lx, int64_t *val)
{
    struct mf_workspace *ws = lx->ws;
    struct mf_pos at = mf_lex_pos(lx);
    bool neg = false;
    int base = 10;
    int c = mf_lex_peek(lx);
    if (c == '+' || c == '-') {
        neg = c == '-';
        lx->pos++;
    } else if (c == '0' && (peek_at(lx, 1) == 'x' || peek_at(lx, 1) == 'o' || peek_at(lx, 1) == 'b')) {
        base = peek_at(lx, 1) == 'x' ? 16 : peek_at(lx, 1) == 'o' ? 8 : 2;
        lx->pos += 2;
    }
    if (digit_in_base(mf_lex_peek(lx), base) < 0) {
        mf_lex_error(lx, "a digit");
        return false;
    }
    if (base == 10 && mf_lex_peek(lx) == '0' && mf_lex_is_bare(peek_at(lx, 1)) && peek_at(lx, 1) != '_') {
        mf_error(&ws->diag, at, "expected an integer without leading zeros (0x, 0o, 0b prefixes are allowed)");
        return false;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    bool last_digit = false;
    for (;;) {
        c = mf_lex_peek(lx);
        int d = digit_in_base(c, base);
        if (d >= 0) {
            if (v > (limit - (uint64_t)d) / (uint64_t)base) {
                mf_error(&ws->diag, at, "integer out of range: expected a 64-bit signed value");
                return false;
            }
            v = v * (uint64_t)base + (uint64_t)d;
            last_digit = true;
        } else if (c == '_' && last_digit && digit_in_base(peek_at(lx, 1), base) >= 0) {
            last_digit = false;
        } else {
            break;
        }
        lx->pos++;
    }
    if (c == '.' || ((c == 'e' || c == 'E') && base == 10)) {
        mf_error(&ws->diag, at, "floating-point numbers are not supported: expected an integer");
        return false;
    }
    if (c == ':' || (c == '-' && base == 10)) {
        mf_error(&ws->diag, at, "dates and times are not supported: expected an integer");
        return false;
    }
    if (mf_lex_is_bare(c)) {
        char found[48];
        mf_error(&ws->diag, mf_lex_pos(lx),
                 "expected a digit or the end of the number, found %s (quote values with units: \"512M\")",
                 mf_lex_describe(lx, found, sizeof(found)));
        return false;
    }
    *val = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}
