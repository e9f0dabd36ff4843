/*
 * sbuf.c: a byte string that keeps short contents inline.
 *
 * Storage is decided by one comparison, data != inline_buf (section 4.5):
 * true means this sbuf owns the heap block at data, false that the content
 * lives in the struct. Every change of storage goes through set_capacity(),
 * which builds the new storage completely before it touches the sbuf, so a
 * failed allocation leaves the sbuf as it was.
 */
#include "sbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_heap(const struct sbuf *b)
{
    return b->data != b->inline_buf;
}

/* Gives the content storage for exactly new_cap bytes (plus the NUL):
 * the inline array when new_cap is SBUF_INLINE, a heap block of new_cap + 1
 * bytes otherwise. Requires len <= new_cap < SIZE_MAX. Returns -1, with *b
 * unchanged, if the allocation fails. */
static int set_capacity(struct sbuf *b, size_t new_cap)
{
    if (new_cap == SBUF_INLINE) {
        if (on_heap(b)) {
            memcpy(b->inline_buf, b->data, b->len + 1);
            free(b->data);
            b->data = b->inline_buf;
        }
    } else if (on_heap(b)) {
        char *block = realloc(b->data, new_cap + 1);
        if (block == NULL) {
            return -1;
        }
        b->data = block;
    } else {
        /* The spill: the inline content, NUL included, is carried over. */
        char *block = malloc(new_cap + 1);
        if (block == NULL) {
            return -1;
        }
        memcpy(block, b->inline_buf, b->len + 1);
        b->data = block;
    }
    b->cap = new_cap;
    return 0;
}

void sbuf_init(struct sbuf *b)
{
    b->data = b->inline_buf;
    b->len = 0;
    b->cap = SBUF_INLINE;
    b->inline_buf[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
    if (on_heap(b)) {
        free(b->data);
    }
    sbuf_init(b);
}

int sbuf_reserve(struct sbuf *b, size_t cap)
{
    if (cap <= b->cap) {
        return 0;
    }
    if (cap == SIZE_MAX) { /* cap + 1 bytes cannot be counted */
        return -1;
    }
    return set_capacity(b, cap);
}

int sbuf_append(struct sbuf *b, const void *bytes, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (bytes == NULL || n > SIZE_MAX - 1 - b->len) { /* len + n + 1 must fit */
        return -1;
    }
    size_t need = b->len + n;
    if (need > b->cap) {
        size_t grown = b->cap <= (SIZE_MAX - 1) / 2 ? 2 * b->cap : need;
        if (set_capacity(b, grown > need ? grown : need) != 0) {
            return -1;
        }
    }
    memcpy(b->data + b->len, bytes, n);
    b->len = need;
    b->data[need] = '\0';
    return 0;
}

void sbuf_truncate(struct sbuf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

int sbuf_shrink_to_fit(struct sbuf *b)
{
    if (!on_heap(b)) {
        return 0;
    }
    if (b->len <= SBUF_INLINE) {
        return set_capacity(b, SBUF_INLINE); /* cannot fail: no allocation */
    }
    if (b->cap == b->len) {
        return 0;
    }
    return set_capacity(b, b->len);
}

int sbuf_copy(struct sbuf *dst, const struct sbuf *src)
{
    sbuf_init(dst);
    if (src->len > SBUF_INLINE && set_capacity(dst, src->len) != 0) {
        return -1; /* dst is still the empty buffer of sbuf_init */
    }
    memcpy(dst->data, src->data, src->len + 1);
    dst->len = src->len;
    return 0;
}

void sbuf_move(struct sbuf *dst, struct sbuf *src)
{
    if (on_heap(src)) {
        dst->data = src->data; /* the block changes owner as it is */
    } else {
        memcpy(dst->inline_buf, src->inline_buf, src->len + 1);
        dst->data = dst->inline_buf;
    }
    dst->len = src->len;
    dst->cap = src->cap;
    sbuf_init(src);
}
