/*
 * sbuf.c: a byte string that keeps short contents inline.
 *
 * How this differs from the reference: it never calls realloc. Every change
 * of storage builds a complete new buffer in a local struct sbuf (inline, or
 * a fresh block from malloc holding a copy of the content), and only when
 * that worked frees the old storage and moves the new buffer in. sbuf_copy is
 * that same build step aimed at dst; sbuf_move copies the whole struct and
 * re-points data when it pointed into the source. Size checks use
 * __builtin_add_overflow.
 */
#include "sbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes *next an independent buffer holding from's content, with storage for
 * exactly cap bytes: the inline array when cap is SBUF_INLINE, otherwise a new
 * block of cap + 1 bytes. Requires from->len <= cap < SIZE_MAX. On failure
 * returns -1 with *next empty (as after sbuf_init). */
static int build(struct sbuf *next, const struct sbuf *from, size_t cap)
{
    sbuf_init(next);
    if (cap > SBUF_INLINE) {
        char *block = malloc(cap + 1);
        if (block == NULL) {
            return -1;
        }
        next->data = block;
        next->cap = cap;
    }
    memcpy(next->data, from->data, from->len + 1);
    next->len = from->len;
    return 0;
}

/* Replaces b's storage with storage for cap bytes, keeping the content. */
static int relocate(struct sbuf *b, size_t cap)
{
    struct sbuf next;
    if (build(&next, b, cap) != 0) {
        return -1;
    }
    sbuf_free(b);
    sbuf_move(b, &next);
    return 0;
}

void sbuf_init(struct sbuf *b)
{
    b->inline_buf[0] = '\0';
    b->data = b->inline_buf;
    b->cap = SBUF_INLINE;
    b->len = 0;
}

void sbuf_free(struct sbuf *b)
{
    char *block = b->data == b->inline_buf ? NULL : b->data;
    sbuf_init(b);
    free(block); /* NULL for an inline buffer: nothing to free */
}

int sbuf_reserve(struct sbuf *b, size_t cap)
{
    if (cap == SIZE_MAX) {
        return -1;
    }
    return cap <= b->cap ? 0 : relocate(b, cap);
}

int sbuf_append(struct sbuf *b, const void *bytes, size_t n)
{
    size_t need = 0;
    size_t with_nul = 0;
    if (n == 0) {
        return 0;
    }
    if (bytes == NULL || __builtin_add_overflow(b->len, n, &need) ||
        __builtin_add_overflow(need, 1, &with_nul)) {
        return -1;
    }
    if (need > b->cap) {
        size_t doubled = 0;
        int too_big = __builtin_add_overflow(b->cap, b->cap, &doubled) || doubled == SIZE_MAX;
        if (relocate(b, !too_big && doubled > need ? doubled : need) != 0) {
            return -1;
        }
    }
    memcpy(b->data + b->len, bytes, n);
    b->data[need] = '\0';
    b->len = need;
    return 0;
}

void sbuf_truncate(struct sbuf *b, size_t len)
{
    if (len >= b->len) {
        return;
    }
    b->data[len] = '\0';
    b->len = len;
}

int sbuf_shrink_to_fit(struct sbuf *b)
{
    if (b->data == b->inline_buf || b->cap == b->len) {
        return 0;
    }
    return relocate(b, b->len > SBUF_INLINE ? b->len : SBUF_INLINE);
}

int sbuf_copy(struct sbuf *dst, const struct sbuf *src)
{
    return build(dst, src, src->len > SBUF_INLINE ? src->len : SBUF_INLINE);
}

void sbuf_move(struct sbuf *dst, struct sbuf *src)
{
    int was_inline = src->data == src->inline_buf;
    *dst = *src; /* the inline bytes come along with the struct */
    if (was_inline) {
        dst->data = dst->inline_buf; /* not src's array */
    }
    sbuf_init(src);
}
