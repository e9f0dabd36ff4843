/*
 * sbuf.c: a byte string that keeps short contents inline. Fill in every
 * function; sbuf.h is the contract, and README.md says what to read first.
 */
#include "sbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *b)
{
    /* TODO: make *b empty and inline: data points at inline_buf, len 0,
     * cap SBUF_INLINE, and the NUL in place. No allocation. */
    (void)b;
}

void sbuf_free(struct sbuf *b)
{
    /* TODO: free the heap block if there is one (never the inline array),
     * then leave *b as sbuf_init does. */
    (void)b;
}

int sbuf_reserve(struct sbuf *b, size_t cap)
{
    /* TODO: nothing to do when cap is already enough; refuse SIZE_MAX;
     * otherwise move the content to a heap block of exactly cap + 1 bytes,
     * changing nothing if the allocation fails. */
    (void)b;
    (void)cap;
    return -1;
}

int sbuf_append(struct sbuf *b, const void *bytes, size_t n)
{
    /* TODO: check the arguments and the size arithmetic first; grow to the
     * larger of len + n and 2 * cap when the bytes do not fit (carrying the
     * old content over); then copy the bytes and the NUL. */
    (void)b;
    (void)bytes;
    (void)n;
    return -1;
}

void sbuf_truncate(struct sbuf *b, size_t len)
{
    /* TODO: shorten the content when len is smaller; keep the storage. */
    (void)b;
    (void)len;
}

int sbuf_shrink_to_fit(struct sbuf *b)
{
    /* TODO: a heap buffer whose content fits inline goes back inline and
     * frees its block; a longer one is resized to exactly len + 1 bytes. */
    (void)b;
    return -1;
}

int sbuf_copy(struct sbuf *dst, const struct sbuf *src)
{
    /* TODO: dst may hold garbage: do not read or free it. Short content goes
     * into dst's own inline array; longer content into a new block of exactly
     * src->len + 1 bytes. On failure leave dst empty. */
    (void)dst;
    (void)src;
    return -1;
}

void sbuf_move(struct sbuf *dst, struct sbuf *src)
{
    /* TODO: a heap block changes owner as it is; inline content is copied
     * into dst's own inline array. Leave src empty. */
    (void)dst;
    (void)src;
}
