/*
 * string_builder.h: a growable, always NUL-terminated string.
 *
 * Ownership: a struct sb lives in caller storage; sb_init() gives it a heap
 * buffer that it owns until sb_free() or sb_take(). sb_str() lends the
 * buffer, valid until the next call that changes the builder. sb_take()
 * hands the buffer to the caller, who frees it, and leaves the builder
 * empty and without a buffer (sb_free() is still allowed).
 * Invalidation: every append may move the buffer (realloc): pointers from
 * an earlier sb_str() are stale after it.
 * Failure: functions that can fail return -1 when memory runs out or a
 * size would overflow, and leave the builder exactly as it was.
 */
#ifndef STRING_BUILDER_H
#define STRING_BUILDER_H

#include <stddef.h>

/* Invariant: data[len] == '\0' and len < cap, or data == NULL and both 0. */
struct sb {
    char *data;
    size_t len;
    size_t cap;
};

/* Gives sb an empty string with a small buffer. Returns 0 or -1. */
int sb_init(struct sb *sb);

/* Appends the n bytes at s (which must not point into the builder). */
int sb_append_n(struct sb *sb, const char *s, size_t n);

/* Appends the string s. */
int sb_append(struct sb *sb, const char *s);

/* Appends s times copies of the string s ("ab" x 3 = "ababab"). */
int sb_repeat(struct sb *sb, const char *s, size_t times);

/* The string so far (borrowed). */
const char *sb_str(const struct sb *sb);

/* Hands the buffer to the caller; the builder is left empty, no buffer. */
char *sb_take(struct sb *sb);

/* Frees the buffer; the builder may be initialized again. */
void sb_free(struct sb *sb);

#endif
