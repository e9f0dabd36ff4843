/*
 * vector.h: a growable array of fixed-size elements.
 *
 * Ownership: the caller owns the struct vector (usually on its stack or inside
 * another struct); the vector owns its buffer `data`, which only the vector_*
 * functions may allocate, resize or free. Elements are copied in and out by
 * value (elem_size bytes each); the vector never keeps the caller's pointers.
 *
 * Invalidation: any call that may change the buffer (reserve, push, insert,
 * shrink_to_fit, free) invalidates every pointer into it, including those
 * returned by vector_at(). pop, remove, get, set and clear never move it.
 * An `elem` argument must not point into the vector's own buffer.
 *
 * Failure: functions that return int return 0 on success and -1 on failure.
 * A failed call leaves the vector exactly as it was (same data pointer, size,
 * capacity and contents) and leaks nothing: the strong guarantee.
 *
 * Growth: when push or insert finds size == capacity, the new capacity is
 * VECTOR_MIN_CAPACITY if the capacity was 0, and twice the old capacity
 * otherwise, but never more than SIZE_MAX / elem_size (when even that is not
 * more than the old capacity, the call fails). Every capacity computation
 * checks for overflow before it multiplies by elem_size.
 */
#ifndef VECTOR_H
#define VECTOR_H

#include <stddef.h>

#define VECTOR_MIN_CAPACITY 8

/*
 * Invariants:
 *   size <= capacity
 *   data == NULL  exactly when  capacity == 0
 *   capacity * elem_size bytes are allocated at data, and that product does
 *   not overflow: capacity <= SIZE_MAX / elem_size
 *   elem_size > 0
 * Elements [0, size) are initialized; [size, capacity) are not.
 */
struct vector {
    void *data;       /* the buffer, owned by the vector */
    size_t size;      /* elements in use */
    size_t capacity;  /* elements the buffer can hold */
    size_t elem_size; /* bytes per element, fixed at init */
};

/* Makes *v an empty vector of elem_size-byte elements. Allocates nothing.
 * Returns -1 (and leaves *v untouched) if elem_size is 0. */
int vector_init(struct vector *v, size_t elem_size);

/* Frees the buffer and leaves *v empty (data NULL, size and capacity 0) with
 * the same elem_size, so it may be reused or freed again. */
void vector_free(struct vector *v);

/* Makes capacity at least min_capacity: if it is smaller, the buffer is
 * resized to exactly min_capacity elements. Never shrinks. Returns -1 if
 * min_capacity * elem_size overflows or the allocation fails. */
int vector_reserve(struct vector *v, size_t min_capacity);

/* Appends a copy of the elem_size bytes at elem, growing as described above. */
int vector_push(struct vector *v, const void *elem);

/* Removes the last element, copying it to out unless out is NULL.
 * Returns -1 if the vector is empty. Does not shrink the buffer. */
int vector_pop(struct vector *v, void *out);

/* Pointer to element index, or NULL if index >= size. Valid until the next
 * call that may move the buffer (see Invalidation). */
void *vector_at(const struct vector *v, size_t index);

/* Copies element index to out. Returns -1 (out untouched) if index >= size. */
int vector_get(const struct vector *v, size_t index, void *out);

/* Overwrites element index with a copy of elem. Returns -1 if index >= size. */
int vector_set(struct vector *v, size_t index, const void *elem);

/* Inserts a copy of elem before element index (index == size appends),
 * shifting later elements up by one. Returns -1 if index > size or growth
 * fails. */
int vector_insert(struct vector *v, size_t index, const void *elem);

/* Removes element index, copying it to out unless out is NULL, and shifts
 * later elements down by one. Returns -1 if index >= size. */
int vector_remove(struct vector *v, size_t index, void *out);

/* Sets size to 0. Keeps the buffer and its capacity. */
void vector_clear(struct vector *v);

/* Makes capacity equal to size. When size is 0 the buffer is freed (data
 * becomes NULL): realloc(p, 0) is not used, its meaning varies. Returns -1 if
 * the resize fails, leaving the vector as it was. */
int vector_shrink_to_fit(struct vector *v);

#endif
