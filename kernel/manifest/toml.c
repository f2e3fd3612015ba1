/* TOML subset parser: statements, [tables], [[arrays of tables]], values, into a bounded node tree. */
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

#define MAX_KEY_PARTS 8

uint32_t mf_node_new(struct mf_lexer *lx, int kind, uint32_t key, struct mf_pos kpos)
{
    struct mf_workspace *ws = lx->ws;
    if (lx->full)
        return 0;
    if (ws->nnodes >= MF_MAX_NODES) {
        mf_error(&ws->diag, kpos, "manifest too large: more than %u keys, values and tables",
                 MF_MAX_NODES);
        lx->full = true;
        return 0;
    }
    uint32_t i = ws->nnodes++;
    struct mf_node *n = mf_node(ws, i);
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->key = key;
    n->kpos = kpos;
    n->vpos = kpos;
    return i;
}

void mf_node_append(struct mf_workspace *ws, uint32_t parent, uint32_t child)
{
    struct mf_node *p = mf_node(ws, parent);
    if (p->last)
        mf_node(ws, p->last)->next = child;
    else
        p->child = child;
    p->last = child;
}

static uint32_t find_child(struct mf_workspace *ws, uint32_t table, const char *key)
{
    for (uint32_t c = mf_node(ws, table)->child; c; c = mf_node(ws, c)->next)
        if (strcmp(mf_str(ws, mf_node(ws, c)->key), key) == 0)
            return c;
    return 0;
}

struct keypath {
    uint32_t n;
    uint32_t key[MAX_KEY_PARTS];
    struct mf_pos pos[MAX_KEY_PARTS];
};

/* key ( '.' key )*, blanks allowed around the dots. */
static bool parse_keypath(struct mf_lexer *lx, struct keypath *kp)
{
    kp->n = 0;
    for (;;) {
        if (kp->n == MAX_KEY_PARTS) {
            mf_error(&lx->ws->diag, mf_lex_pos(lx), "dotted key too long: at most %d parts",
                     MAX_KEY_PARTS);
            return false;
        }
        kp->pos[kp->n] = mf_lex_pos(lx);
        if (!mf_lex_key(lx, &kp->key[kp->n]))
            return false;
        kp->n++;
        mf_lex_skip_blank(lx);
        if (mf_lex_peek(lx) != '.')
            return true;
        mf_lex_advance(lx);
        mf_lex_skip_blank(lx);
    }
}

static void where_defined(struct mf_workspace *ws, uint32_t n, char *buf, size_t size)
{
    snprintf(buf, size, "line %u, column %u", (unsigned)mf_node(ws, n)->kpos.line,
             (unsigned)mf_node(ws, n)->kpos.col);
}

/*
 * Walks one intermediate part of a dotted key or header: returns the table to descend into,
 * creating an implicit one, or 0 after reporting why it cannot be extended.
 */
static uint32_t descend(struct mf_lexer *lx, uint32_t table, uint32_t key, struct mf_pos pos,
                        bool from_header)
{
    struct mf_workspace *ws = lx->ws;
    uint32_t c = find_child(ws, table, mf_str(ws, key));
    char at[40];
    if (!c) {
        c = mf_node_new(lx, N_TABLE, key, pos);
        if (c) {
            mf_node(ws, c)->flags = from_header ? 0 : NF_DOTTED;
            mf_node_append(ws, table, c);
        }
        return c;
    }
    struct mf_node *n = mf_node(ws, c);
    if (n->kind == N_ARRAY && (n->flags & NF_AOT) && from_header)
        return n->last;
    where_defined(ws, c, at, sizeof(at));
    if (n->kind != N_TABLE) {
        mf_error(&ws->diag, pos, "'%s' is already a value (set at %s), expected a table name",
                 mf_str(ws, key), at);
        return 0;
    }
    if (n->flags & NF_INLINE) {
        mf_error(&ws->diag, pos, "'%s' is an inline table (set at %s) and cannot be extended",
                 mf_str(ws, key), at);
        return 0;
    }
    return c;
}

/* [a.b] or [[a.b]]: makes the named table the target of following key/value lines. */
static uint32_t parse_header(struct mf_lexer *lx)
{
    struct mf_workspace *ws = lx->ws;
    struct mf_pos at = mf_lex_pos(lx);
    bool aot = false;
    struct keypath kp;
    char where[40];

    mf_lex_advance(lx);
    if (mf_lex_peek(lx) == '[') {
        aot = true;
        mf_lex_advance(lx);
    }
    mf_lex_skip_blank(lx);
    if (!parse_keypath(lx, &kp))
        return 0;
    if (mf_lex_peek(lx) != ']' || (aot && (lx->pos + 1 >= lx->len || lx->s[lx->pos + 1] != ']'))) {
        if (mf_lex_peek(lx) == ']')
            mf_lex_advance(lx);
        mf_lex_error(lx, aot ? "']]' to close the table header" : "']' to close the table header");
        return 0;
    }
    mf_lex_advance(lx);
    if (aot)
        mf_lex_advance(lx);

    uint32_t t = 0;
    for (uint32_t i = 0; i + 1 < kp.n; i++)
        if (!(t = descend(lx, t, kp.key[i], kp.pos[i], true)))
            return 0;
    const char *name = mf_str(ws, kp.key[kp.n - 1]);
    uint32_t c = find_child(ws, t, name);
    struct mf_node *n = c ? mf_node(ws, c) : NULL;
    if (c)
        where_defined(ws, c, where, sizeof(where));
    if (aot) {
        if (!c) {
            c = mf_node_new(lx, N_ARRAY, kp.key[kp.n - 1], at);
            if (!c)
                return 0;
            mf_node(ws, c)->flags = NF_AOT;
            mf_node_append(ws, t, c);
        } else if (n->kind != N_ARRAY || !(n->flags & NF_AOT)) {
            mf_error(&ws->diag, at, "[[%s]] redefines '%s' (set at %s as %s), expected a new name",
                     name, name, where, n->kind == N_TABLE ? "a table" : "a value");
            return 0;
        }
        uint32_t e = mf_node_new(lx, N_TABLE, 0, at);
        if (!e)
            return 0;
        mf_node(ws, e)->flags = NF_HEADER;
        mf_node_append(ws, c, e);
        return e;
    }
    if (!c) {
        c = mf_node_new(lx, N_TABLE, kp.key[kp.n - 1], at);
        if (c) {
            mf_node(ws, c)->flags = NF_HEADER;
            mf_node_append(ws, t, c);
        }
        return c;
    }
    if (n->kind == N_TABLE && !(n->flags & (NF_HEADER | NF_INLINE | NF_DOTTED))) {
        n->flags |= NF_HEADER;
        n->kpos = at;
        return c;
    }
    if (n->kind == N_ARRAY && (n->flags & NF_AOT))
        mf_error(&ws->diag, at, "[%s] names an array of tables (first at %s), expected [[%s]]", name,
                 where, name);
    else
        mf_error(&ws->diag, at, "duplicate table [%s], first defined at %s", name, where);
    return 0;
}

static uint32_t parse_value(struct mf_lexer *lx, uint32_t key, struct mf_pos kpos, uint32_t depth);

static bool parse_keyval(struct mf_lexer *lx, uint32_t table, uint32_t depth);

/* { k = v, ... } on one line. */
static bool parse_inline_table(struct mf_lexer *lx, uint32_t t, uint32_t depth)
{
    mf_lex_advance(lx);
    mf_lex_skip_blank(lx);
    if (mf_lex_peek(lx) == '}') {
        mf_lex_advance(lx);
        return true;
    }
    for (;;) {
        if (!parse_keyval(lx, t, depth))
            return false;
        mf_lex_skip_blank(lx);
        if (mf_lex_peek(lx) == '}') {
            mf_lex_advance(lx);
            return true;
        }
        if (mf_lex_peek(lx) != ',') {
            mf_lex_error(lx, "',' or '}' in inline table");
            return false;
        }
        mf_lex_advance(lx);
        mf_lex_skip_blank(lx);
    }
}

/* [ v, v, ... ] across lines, comments and a trailing comma allowed. */
static bool parse_array(struct mf_lexer *lx, uint32_t a, uint32_t depth)
{
    mf_lex_advance(lx);
    for (;;) {
        mf_lex_skip_ws_nl(lx);
        if (mf_lex_peek(lx) == ']') {
            mf_lex_advance(lx);
            return true;
        }
        uint32_t e = parse_value(lx, 0, mf_lex_pos(lx), depth);
        if (!e)
            return false;
        mf_node_append(lx->ws, a, e);
        mf_lex_skip_ws_nl(lx);
        if (mf_lex_peek(lx) == ']') {
            mf_lex_advance(lx);
            return true;
        }
        if (mf_lex_peek(lx) != ',') {
            mf_lex_error(lx, "',' or ']' in array");
            return false;
        }
        mf_lex_advance(lx);
    }
}

static bool match_word(struct mf_lexer *lx, const char *w)
{
    size_t n = strlen(w);
    if (lx->len - lx->pos < n || memcmp(&lx->s[lx->pos], w, n) != 0 ||
        (lx->pos + n < lx->len && mf_lex_is_bare((unsigned char)lx->s[lx->pos + n])))
        return false;
    lx->pos += (uint32_t)n;
    return true;
}

static uint32_t parse_value(struct mf_lexer *lx, uint32_t key, struct mf_pos kpos, uint32_t depth)
{
    struct mf_workspace *ws = lx->ws;
    struct mf_pos vpos = mf_lex_pos(lx);
    int c = mf_lex_peek(lx);
    int kind = c == '"' || c == '\'' ? N_STRING : c == '[' ? N_ARRAY : c == '{' ? N_TABLE
             : c == 't' || c == 'f' ? N_BOOL : N_INT;
    if (kind == N_INT && !(c == '+' || c == '-' || (c >= '0' && c <= '9'))) {
        if (match_word(lx, "inf") || match_word(lx, "nan"))
            mf_error(&ws->diag, vpos, "floating-point numbers are not supported: expected an integer");
        else
            mf_lex_error(lx, "a value (string, integer, boolean, array or inline table)");
        return 0;
    }
    if ((kind == N_ARRAY || kind == N_TABLE) && depth >= MF_MAX_DEPTH) {
        mf_error(&ws->diag, vpos, "nesting too deep: at most %d levels of arrays and inline tables",
                 MF_MAX_DEPTH);
        return 0;
    }
    uint32_t n = mf_node_new(lx, kind, key, kpos);
    if (!n)
        return 0;
    mf_node(ws, n)->vpos = vpos;
    bool ok;
    switch (kind) {
    case N_STRING:
        ok = mf_lex_string(lx, &mf_node(ws, n)->sval);
        break;
    case N_ARRAY:
        mf_node(ws, n)->flags = NF_INLINE;
        ok = parse_array(lx, n, depth + 1);
        break;
    case N_TABLE:
        mf_node(ws, n)->flags = NF_INLINE;
        ok = parse_inline_table(lx, n, depth + 1);
        break;
    case N_BOOL:
        mf_node(ws, n)->ival = match_word(lx, "true");
        ok = mf_node(ws, n)->ival || match_word(lx, "false");
        if (!ok)
            mf_lex_error(lx, "a value (string, integer, boolean, array or inline table)");
        break;
    default:
        ok = mf_lex_integer(lx, &mf_node(ws, n)->ival);
        break;
    }
    return ok ? n : 0;
}

/* key = value, into `table` (dotted keys create sub-tables). */
static bool parse_keyval(struct mf_lexer *lx, uint32_t table, uint32_t depth)
{
    struct mf_workspace *ws = lx->ws;
    struct keypath kp;
    char where[40];
    if (!parse_keypath(lx, &kp))
        return false;
    if (mf_lex_peek(lx) != '=') {
        mf_lex_error(lx, kp.n == 1 && mf_lex_at_newline(lx) ? "'=' after the key" : "'='");
        return false;
    }
    mf_lex_advance(lx);
    mf_lex_skip_blank(lx);
    uint32_t t = table;
    for (uint32_t i = 0; i + 1 < kp.n; i++)
        if (!(t = descend(lx, t, kp.key[i], kp.pos[i], false)))
            return false;
    const char *name = mf_str(ws, kp.key[kp.n - 1]);
    uint32_t old = find_child(ws, t, name);
    if (old) {
        where_defined(ws, old, where, sizeof(where));
        mf_error(&ws->diag, kp.pos[kp.n - 1], "duplicate key '%s', first set at %s", name, where);
        return false;
    }
    uint32_t v = parse_value(lx, kp.key[kp.n - 1], kp.pos[kp.n - 1], depth);
    if (!v)
        return false;
    mf_node_append(ws, t, v);
    return true;
}

/* Does the line at `pos` start a new statement ("key =" or "[table]")? Used to resync. */
static bool starts_statement(const struct mf_lexer *lx, uint32_t pos)
{
    while (pos < lx->len && (lx->s[pos] == ' ' || lx->s[pos] == '\t'))
        pos++;
    if (pos < lx->len && lx->s[pos] == '[')
        return pos + 1 < lx->len && (lx->s[pos + 1] == '[' || mf_lex_is_bare((unsigned char)lx->s[pos + 1]));
    uint32_t k = pos;
    while (k < lx->len && mf_lex_is_bare((unsigned char)lx->s[k]))
        k++;
    while (k < lx->len && (lx->s[k] == ' ' || lx->s[k] == '\t' || lx->s[k] == '.'))
        k++;
    return k > pos && k < lx->len && lx->s[k] == '=';
}

/*
 * Error recovery: rescan the failed statement from its start, balancing brackets outside
 * strings and comments, and resume at the first line break where the statement is closed or
 * the next line clearly starts a new statement. One error per broken statement, not a cascade.
 */
static void resync(struct mf_lexer *lx, uint32_t start, uint32_t line, uint32_t line_start)
{
    int depth = 0;
    lx->pos = start;
    lx->line = line;
    lx->line_start = line_start;
    while (lx->pos < lx->len) {
        char c = lx->s[lx->pos];
        if (c == '\n') {
            mf_lex_newline(lx);
            if (depth <= 0 || starts_statement(lx, lx->pos))
                return;
            continue;
        }
        if (c == '#') {
            mf_lex_skip_comment(lx);
            if (lx->pos < lx->len && lx->s[lx->pos] == '\r')
                lx->pos++;
            continue;
        }
        lx->pos++;
        if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}')
            depth--;
        else if (c == '"' || c == '\'') {
            while (lx->pos < lx->len && lx->s[lx->pos] != c && lx->s[lx->pos] != '\n') {
                if (c == '"' && lx->s[lx->pos] == '\\' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] != '\n')
                    lx->pos++;
                lx->pos++;
            }
            if (lx->pos < lx->len && lx->s[lx->pos] == c)
                lx->pos++;
        }
    }
}

bool mf_toml_parse(struct mf_workspace *ws, const char *text, size_t len)
{
    struct mf_lexer lx = { ws, text, (uint32_t)len, 0, 1, 0, false };
    uint32_t table = mf_node_new(&lx, N_TABLE, 0, mf_lex_pos(&lx));

    /* A UTF-8 byte order mark is allowed and ignored. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        lx.pos = lx.line_start = 3;
    for (;;) {
        mf_lex_skip_ws_nl(&lx);
        if (mf_lex_peek(&lx) == -1 || lx.full)
            break;
        uint32_t start = lx.pos, line = lx.line, line_start = lx.line_start;
        bool ok;
        if (mf_lex_peek(&lx) == '[') {
            uint32_t t = parse_header(&lx);
            ok = t != 0;
            /* After a bad header, swallow its keys into a scratch table, not the previous one. */
            table = t ? t : mf_node_new(&lx, N_TABLE, 0, mf_lex_pos(&lx));
        } else {
            ok = parse_keyval(&lx, table, 0);
        }
        if (ok) {
            mf_lex_skip_blank(&lx);
            mf_lex_skip_comment(&lx);
            if (!mf_lex_at_newline(&lx)) {
                mf_lex_error(&lx, "end of line after the value (one key = value per line)");
                ok = false;
            }
        }
        if (!ok) {
            if (lx.full)
                break;
            if (table)
                mf_node(ws, table)->flags |= NF_BROKEN;
            resync(&lx, start, line, line_start);
        }
    }
    return !lx.full;
}
