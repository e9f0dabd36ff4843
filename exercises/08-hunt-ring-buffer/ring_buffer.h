/*
 * ring_buffer.h: a queue of variable-length messages in one fixed buffer.
 *
 * Each message is stored as a record: one size_t header holding the
 * message's length, then the message bytes, rounded up to a multiple of
 * RB_ALIGN. A record never wraps: when it does not fit before the end of
 * the buffer, the rest of the buffer is skipped and the record goes to the
 * start.
 *
 * Ownership: rb_new() returns a ring the caller owns and frees once with
 * rb_free(). rb_push() COPIES the message in. rb_front() LENDS the oldest
 * message, valid until the next rb_pop() or rb_free().
 * Invalidation: rb_pop() invalidates what rb_front() lent; rb_push() does not.
 * Failure: rb_new() returns NULL when memory runs out; rb_push() returns -1
 * when the message does not fit in the free space, and changes nothing.
 */
#ifndef RING_BUFFER_H
#define RING_BUFFER_H

#include <stddef.h>

enum { RB_ALIGN = sizeof(size_t) };

/* Invariant: cap is a multiple of RB_ALIGN; head, tail < cap; the bytes in
 * use, from tail up to head and wrapping at cap, number `used`, skipped
 * bytes included; used == 0 exactly when count == 0. */
struct ring_buffer {
    unsigned char *buf; /* owned; cap bytes */
    size_t cap;
    size_t head;  /* where the next record goes */
    size_t tail;  /* where the oldest record starts */
    size_t used;  /* bytes in use, headers and skipped bytes included */
    size_t count; /* messages in the ring */
};

/* A ring of cap bytes (rounded down to a multiple of RB_ALIGN), or NULL. */
struct ring_buffer *rb_new(size_t cap);

/* Appends a copy of the len bytes at data. Returns 0, or -1 when full. */
int rb_push(struct ring_buffer *r, const void *data, size_t len);

/* The oldest message and its length, or NULL when empty. Borrowed. */
const void *rb_front(struct ring_buffer *r, size_t *len);

/* Drops the oldest message; does nothing when empty. */
void rb_pop(struct ring_buffer *r);

/* Frees the ring; NULL is ignored. */
void rb_free(struct ring_buffer *r);

#endif
