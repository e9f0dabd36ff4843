/*
 * line_reader.c: lines of any length from a stream (see line_reader.h).
 */
#include "line_reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FIRST_CAP = 16, FIRST_LINES = 8 };

struct line_reader *lr_open(FILE *in)
{
    struct line_reader *r = malloc(sizeof *r);
    if (r == NULL)
        return NULL;
    r->buf = malloc(FIRST_CAP);
    if (r->buf == NULL) {
        free(r);
        return NULL;
    }
    r->in = in;
    r->cap = FIRST_CAP;
    r->failed = false;
    return r;
}

/* Doubles the buffer. On failure the old buffer stays valid. */
static int grow(struct line_reader *r)
{
    if (r->cap > SIZE_MAX / 2)
        return -1;
    char *bigger = realloc(r->buf, r->cap * 2);
    if (bigger == NULL)
        return -1;
    r->buf = bigger;
    r->cap *= 2;
    return 0;
}

char *lr_next(struct line_reader *r, size_t *len)
{
    char *line = r->buf;
    size_t n = 0;
    int c;
    while ((c = getc(r->in)) != EOF && c != '\n') {
        if (n + 1 == r->cap) {
            if (grow(r) != 0) {
                r->failed = true;
                return NULL;
            }
        }
        line[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return NULL;
    line[n] = '\0';
    if (len != NULL)
        *len = n;
    return line;
}

bool lr_failed(const struct line_reader *r)
{
    return r->failed;
}

/* Makes room for one more entry and the NULL after it. */
static int reserve(char ***lines, size_t *cap, size_t used)
{
    if (used + 1 < *cap)
        return 0;
    if (*cap > SIZE_MAX / 2 / sizeof **lines)
        return -1;
    char **bigger = realloc(*lines, *cap * 2 * sizeof **lines);
    if (bigger == NULL)
        return -1;
    *lines = bigger;
    *cap *= 2;
    return 0;
}

char **lr_read_all(struct line_reader *r, size_t *count)
{
    size_t cap = FIRST_LINES, n = 0;
    char **lines = malloc(cap * sizeof *lines);
    if (lines == NULL)
        return NULL;
    char *line;
    while ((line = lr_next(r, NULL)) != NULL) {
        if (reserve(&lines, &cap, n) != 0)
            goto fail;
        lines[n++] = line;
    }
    if (r->failed)
        goto fail;
    lines[n] = NULL;
    *count = n;
    return lines;
fail:
    lines[n] = NULL;
    lr_lines_free(lines);
    return NULL;
}

void lr_lines_free(char **lines)
{
    if (lines == NULL)
        return;
    for (char **p = lines; *p != NULL; p++)
        free(*p);
    free(lines);
}

void lr_close(struct line_reader *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}
