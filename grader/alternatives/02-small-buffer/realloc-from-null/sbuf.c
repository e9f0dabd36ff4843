/*
 * sbuf.c: a byte string that keeps short contents inline.
 *
 * How this differs from the reference: where the content lives is read from
 * cap (cap > SBUF_INLINE exactly when it is on the heap, invariants 1.2 and
 * 1.3), not from data. Every allocation is one call, realloc(old or NULL,
 * cap + 1): realloc of NULL allocates, so the spill and the growth of a heap
 * block share one path, and the inline bytes are copied in after the call.
 * sbuf_copy is sbuf_init, sbuf_reserve and a memcpy; sbuf_move copies the
 * fields one by one.
 */
#include "sbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_heap(const struct sbuf *b)
{
    return b->cap > SBUF_INLINE;
}

/* Gives a buffer heap storage of exactly cap + 1 bytes (cap > SBUF_INLINE,
 * cap >= len, cap < SIZE_MAX). Returns -1 with *b unchanged on failure. */
static int resize_heap(struct sbuf *b, size_t cap)
{
    int was_heap = is_heap(b);
    char *block = realloc(was_heap ? b->data : NULL, cap + 1);
    if (block == NULL) {
        return -1;
    }
    if (!was_heap) {
        memcpy(block, b->inline_buf, b->len + 1); /* the spill */
    }
    b->data = block;
    b->cap = cap;
    return 0;
}

void sbuf_init(struct sbuf *b)
{
    b->len = 0;
    b->cap = SBUF_INLINE;
    b->data = b->inline_buf;
    b->data[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
    if (is_heap(b)) {
        free(b->data);
    }
    sbuf_init(b);
}

int sbuf_reserve(struct sbuf *b, size_t cap)
{
    if (cap <= b->cap) {
        return 0;
    }
    return cap < SIZE_MAX ? resize_heap(b, cap) : -1;
}

int sbuf_append(struct sbuf *b, const void *bytes, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (bytes == NULL || b->len >= SIZE_MAX - n) { /* len + n must stay below SIZE_MAX */
        return -1;
    }
    size_t need = b->len + n;
    if (need > b->cap) {
        size_t cap = b->cap < SIZE_MAX / 2 && 2 * b->cap > need ? 2 * b->cap : need;
        if (resize_heap(b, cap) != 0) {
            return -1;
        }
    }
    memcpy(&b->data[b->len], bytes, n);
    b->len = need;
    b->data[b->len] = '\0';
    return 0;
}

void sbuf_truncate(struct sbuf *b, size_t len)
{
    if (len < b->len) {
        b->data[len] = '\0';
        b->len = len;
    }
}

int sbuf_shrink_to_fit(struct sbuf *b)
{
    if (!is_heap(b) || b->cap == b->len) {
        return 0;
    }
    if (b->len > SBUF_INLINE) {
        char *block = realloc(b->data, b->len + 1);
        if (block == NULL) {
            return -1;
        }
        b->data = block;
        b->cap = b->len;
        return 0;
    }
    char *block = b->data;
    memcpy(b->inline_buf, block, b->len + 1);
    b->data = b->inline_buf;
    b->cap = SBUF_INLINE;
    free(block);
    return 0;
}

int sbuf_copy(struct sbuf *dst, const struct sbuf *src)
{
    sbuf_init(dst);
    if (sbuf_reserve(dst, src->len) != 0) {
        return -1; /* dst is still empty */
    }
    memcpy(dst->data, src->data, src->len + 1);
    dst->len = src->len;
    return 0;
}

void sbuf_move(struct sbuf *dst, struct sbuf *src)
{
    dst->len = src->len;
    dst->cap = src->cap;
    if (is_heap(src)) {
        dst->data = src->data;
    } else {
        memcpy(dst->inline_buf, src->inline_buf, sizeof dst->inline_buf);
        dst->data = dst->inline_buf;
    }
    sbuf_init(src);
}
