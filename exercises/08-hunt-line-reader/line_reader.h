/*
 * line_reader.h: read a stream one line at a time, whatever the lines' length.
 *
 * Ownership: lr_open() borrows the stream; the caller closes it after
 * lr_close(). The reader owns one buffer that holds the current line.
 * lr_next() LENDS that buffer: the line is valid until the next call to
 * lr_next(), lr_read_all() or lr_close(), and the caller never frees it.
 * lr_read_all() returns an array of COPIES that the caller owns and frees
 * once with lr_lines_free() (each line and the array at once).
 * Invalidation: lr_next() may move the buffer (it grows with realloc), so
 * every line lent before is invalid after the next call.
 * Failure: lr_open() returns NULL when memory runs out. lr_next() returns
 * NULL at the end of the input and when memory runs out; lr_failed() tells
 * the two apart. lr_read_all() returns NULL when memory runs out, having
 * freed what it allocated.
 */
#ifndef LINE_READER_H
#define LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Invariant: buf holds cap bytes, cap >= 1; after lr_next() returned a line,
 * buf holds that line and its NUL. */
struct line_reader {
    FILE *in;    /* borrowed */
    char *buf;   /* owned */
    size_t cap;  /* bytes allocated for buf */
    bool failed; /* memory ran out */
};

struct line_reader *lr_open(FILE *in);

/* The next line without its '\n', NUL-terminated, or NULL at the end.
 * Borrowed from the reader. If len is not NULL, *len = strlen(line). */
char *lr_next(struct line_reader *r, size_t *len);

/* true once memory ran out in lr_next(). */
bool lr_failed(const struct line_reader *r);

/* Every remaining line, copied, in a NULL-terminated array; *count = how
 * many. The caller frees it with lr_lines_free(). */
char **lr_read_all(struct line_reader *r, size_t *count);

/* Frees an array from lr_read_all() and every line in it; NULL is ignored. */
void lr_lines_free(char **lines);

/* Frees the reader (not the stream); NULL is ignored. */
void lr_close(struct line_reader *r);

#endif
