/*
 * sbuf.h: a growable byte string that keeps short contents inside the struct
 * and moves them to the heap only when they outgrow it (the small-buffer
 * pattern of chapter 4).
 *
 * Ownership: the caller owns the struct sbuf (on its stack, or inside another
 * struct). The sbuf owns its heap block when it has one; only the sbuf_*
 * functions allocate, resize or free that block. The inline array is part of
 * the struct: it is never passed to free or realloc. Bytes passed in are
 * copied; an sbuf never keeps the caller's pointers.
 *
 * Self-reference: while the content is inline, `data` points into the struct
 * itself. A struct sbuf must therefore never be copied with `=` or memcpy:
 * the copy's `data` would still point into the original's inline array. Use
 * sbuf_copy (an independent copy) or sbuf_move (hand the content over).
 *
 * Invalidation: a call that gives the content new storage invalidates every
 * pointer into the content. That is a growth, including the spill from the
 * inline array to the heap (the inline array no longer holds the content), a
 * shrink, sbuf_free, and sbuf_move of an inline source. sbuf_truncate, and an
 * append or reserve that fits in `cap`, never move the content.
 *
 * Failure: functions that return int return 0 on success and -1 on failure.
 * A failed call leaves the buffers it was given exactly as they were (data,
 * len, cap and content), frees nothing and leaks nothing; the one exception
 * is the destination of a failed sbuf_copy, which is left empty.
 */
#ifndef SBUF_H
#define SBUF_H

#include <stddef.h>

/* Bytes of content kept inside the struct, not counting the terminating NUL. */
#define SBUF_INLINE 15

/*
 * Invariants, after sbuf_init and after every later call:
 *   inline:   data == inline_buf and cap == SBUF_INLINE
 *   on heap:  data is a block from malloc or realloc of exactly cap + 1 bytes,
 *             owned by this sbuf, and cap > SBUF_INLINE
 *   len <= cap; the content is the len bytes at data (they may include '\0'),
 *   and data[len] == '\0'.
 * The fields are public so that tests can look at them; code outside sbuf.c
 * only reads them.
 */
struct sbuf {
    char *data;                       /* inline_buf, or the owned heap block */
    size_t len;                       /* bytes of content */
    size_t cap;                       /* content bytes that fit, NUL excluded */
    char inline_buf[SBUF_INLINE + 1]; /* short content and its NUL */
};

/* Makes *b an empty inline buffer. *b may hold garbage before. Allocates
 * nothing and cannot fail. */
void sbuf_init(struct sbuf *b);

/* Frees the heap block, if there is one, and leaves *b empty and inline, as
 * after sbuf_init: it may be reused, and freeing it again does nothing. */
void sbuf_free(struct sbuf *b);

/* Makes cap at least `cap`. If it is smaller, the content moves to a heap
 * block of exactly cap + 1 bytes. Never shrinks. Returns -1 (and changes
 * nothing) if cap is SIZE_MAX or the allocation fails. */
int sbuf_reserve(struct sbuf *b, size_t cap);

/* Appends a copy of the n bytes at `bytes` (which may be NULL only when n is
 * 0). When they do not fit in cap, the buffer grows to the larger of len + n
 * and twice cap. Returns -1 (and changes nothing) if bytes is NULL with n > 0,
 * if len + n + 1 does not fit in a size_t, or if the allocation fails.
 * `bytes` must not point into b's own content. */
int sbuf_append(struct sbuf *b, const void *bytes, size_t n);

/* Shortens the content to len bytes when it is longer; otherwise does
 * nothing. Keeps the storage: never allocates, frees or moves. */
void sbuf_truncate(struct sbuf *b, size_t len);

/* Gives back unused heap space. A heap buffer whose content fits inline moves
 * back into the inline array and frees its block; a longer one is resized to
 * exactly len + 1 bytes. Returns -1 (and changes nothing) if that resize
 * fails. An inline buffer, or one with cap == len, is left as it is. */
int sbuf_shrink_to_fit(struct sbuf *b);

/* Makes *dst an independent copy of *src. *dst may hold garbage: it is
 * neither read nor freed (free a live buffer first). Content that fits
 * inline goes into dst's own inline array, with no allocation; longer
 * content gets a heap block of exactly src->len + 1 bytes. *src is not
 * changed; dst and src must differ. Returns -1 if the allocation fails,
 * leaving *dst empty (as after sbuf_init). */
int sbuf_copy(struct sbuf *dst, const struct sbuf *src);

/* Hands src's content over to *dst, which may hold garbage (it is neither
 * read nor freed). A heap block changes owner as it is, with no allocation
 * and no copy; inline content is copied into dst's own inline array. *src is
 * left empty, as after sbuf_init. dst and src must differ. Cannot fail. */
void sbuf_move(struct sbuf *dst, struct sbuf *src);

#endif
