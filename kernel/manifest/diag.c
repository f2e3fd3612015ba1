/* Manifest diagnostics: the bounded error list, "file:line:col: error:" formatting, did-you-mean. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mf_internal.h"

#define SUGGEST_MAX_LEN 40

void mf_diag_reset(struct mf_diag *d, const char *file)
{
    d->file = file ? file : "manifest";
    d->count = 0;
    d->dropped = 0;
}

void mf_error(struct mf_diag *d, struct mf_pos pos, const char *fmt, ...)
{
    if (d->count >= MF_MAX_ERRORS) {
        d->dropped++;
        return;
    }
    struct mf_error *e = &d->err[d->count++];
    va_list ap;
    e->pos = pos;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

static bool pos_before(struct mf_pos a, struct mf_pos b)
{
    return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Stable insertion sort by position: errors read top to bottom like the file. */
void mf_diag_sort(struct mf_diag *d)
{
    for (uint32_t i = 1; i < d->count; i++) {
        struct mf_error tmp = d->err[i];
        uint32_t j = i;
        while (j > 0 && pos_before(tmp.pos, d->err[j - 1].pos)) {
            d->err[j] = d->err[j - 1];
            j--;
        }
        d->err[j] = tmp;
    }
}

const char *mf_format_error(const struct mf_diag *d, uint32_t i, char *buf, size_t size)
{
    const struct mf_error *e = &d->err[i];
    if (e->pos.line)
        snprintf(buf, size, "%s:%u:%u: error: %s", d->file, (unsigned)e->pos.line,
                 (unsigned)e->pos.col, e->msg);
    else
        snprintf(buf, size, "%s: error: %s", d->file, e->msg);
    return buf;
}

void mf_print_errors(const struct mf_diag *d, void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[MF_MSG_MAX + MF_PATH_MAX + 40];
    for (uint32_t i = 0; i < d->count; i++)
        emit(ctx, mf_format_error(d, i, line, sizeof(line)));
    if (d->dropped) {
        snprintf(line, sizeof(line), "%s: %u more errors not shown (at most %u are kept)", d->file,
                 (unsigned)d->dropped, MF_MAX_ERRORS);
        emit(ctx, line);
    }
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Edit distance (case-insensitive) counting insertions, deletions, substitutions and swaps of
 * neighbours ("optimal string alignment"); words longer than SUGGEST_MAX_LEN never match.
 */
uint32_t mf_edit_distance(const char *a, const char *b)
{
    uint32_t la = (uint32_t)strlen(a), lb = (uint32_t)strlen(b);
    uint32_t rows[3][SUGGEST_MAX_LEN + 1];
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
        return UINT32_MAX;
    for (uint32_t j = 0; j <= lb; j++)
        rows[0][j] = j;
    for (uint32_t i = 1; i <= la; i++) {
        uint32_t *prev2 = rows[(i + 1) % 3], *prev = rows[(i + 2) % 3], *cur = rows[i % 3];
        cur[0] = i;
        for (uint32_t j = 1; j <= lb; j++) {
            char ca = fold(a[i - 1]), cb = fold(b[j - 1]);
            uint32_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold(b[j - 2]) && fold(a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[la % 3][lb];
}

/* The closest candidate within a third of the word's length (at least 1, at most 3 edits). */
const char *mf_suggest(const char *word, const char *const *cands, uint32_t n)
{
    uint32_t len = (uint32_t)strlen(word);
    uint32_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    const char *best = NULL;
    uint32_t best_d = limit + 1;
    for (uint32_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        uint32_t d = mf_edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}
