/*
 * vector.c: a growable array (reference solution).
 *
 * Every change to the buffer goes through resize_buffer(), which is the only
 * place that calls realloc: it commits the new pointer and capacity only after
 * realloc succeeded, which is what gives every operation the strong guarantee.
 */
#include "vector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Address of element index; index may equal capacity (one past the end). */
static unsigned char *slot(const struct vector *v, size_t index)
{
    return (unsigned char *)v->data + index * v->elem_size;
}

/* Largest capacity whose byte count fits in a size_t. */
static size_t max_capacity(const struct vector *v)
{
    return SIZE_MAX / v->elem_size;
}

/* Resizes the buffer to exactly new_capacity elements. Callers never pass 0:
 * what realloc(p, 0) does varies between C libraries. On failure the vector
 * is untouched: the old buffer stays valid and owned by v. */
static int resize_buffer(struct vector *v, size_t new_capacity)
{
    if (new_capacity == 0)
        return -1;
    if (v->elem_size > SIZE_MAX / new_capacity) /* the byte count would overflow */
        return -1;
    void *fresh = realloc(v->data, new_capacity * v->elem_size);
    if (fresh == NULL)
        return -1;
    v->data = fresh;
    v->capacity = new_capacity;
    return 0;
}

/* The capacity after one growth step: VECTOR_MIN_CAPACITY from empty, then
 * doubling, never beyond limit. Requires capacity < limit. */
static size_t next_capacity(size_t capacity, size_t limit)
{
    size_t next;
    if (capacity == 0)
        next = VECTOR_MIN_CAPACITY;
    else if (capacity > limit / 2)
        next = limit;
    else
        next = capacity * 2;
    return next < limit ? next : limit;
}

/* Called when size == capacity: grows the buffer by one geometric step.
 * Kept out of the callers' fast path, which is a single comparison. */
static int grow(struct vector *v)
{
    size_t limit = max_capacity(v);
    if (v->capacity >= limit)
        return -1;
    return resize_buffer(v, next_capacity(v->capacity, limit));
}

int vector_init(struct vector *v, size_t elem_size)
{
    if (elem_size == 0)
        return -1;
    v->data = NULL;
    v->size = 0;
    v->capacity = 0;
    v->elem_size = elem_size;
    return 0;
}

void vector_free(struct vector *v)
{
    free(v->data);
    v->data = NULL;
    v->size = 0;
    v->capacity = 0;
}

int vector_reserve(struct vector *v, size_t min_capacity)
{
    if (min_capacity <= v->capacity)
        return 0;
    return resize_buffer(v, min_capacity);
}

int vector_push(struct vector *v, const void *elem)
{
    if (v->size == v->capacity && grow(v) != 0)
        return -1;
    memcpy(slot(v, v->size), elem, v->elem_size);
    v->size++;
    return 0;
}

int vector_pop(struct vector *v, void *out)
{
    if (v->size == 0)
        return -1;
    v->size--;
    if (out != NULL)
        memcpy(out, slot(v, v->size), v->elem_size);
    return 0;
}

void *vector_at(const struct vector *v, size_t index)
{
    if (index >= v->size)
        return NULL;
    return slot(v, index);
}

int vector_get(const struct vector *v, size_t index, void *out)
{
    if (index >= v->size)
        return -1;
    memcpy(out, slot(v, index), v->elem_size);
    return 0;
}

int vector_set(struct vector *v, size_t index, const void *elem)
{
    if (index >= v->size)
        return -1;
    memcpy(slot(v, index), elem, v->elem_size);
    return 0;
}

int vector_insert(struct vector *v, size_t index, const void *elem)
{
    if (index > v->size)
        return -1;
    if (v->size == v->capacity && grow(v) != 0)
        return -1;
    size_t tail = v->size - index; /* elements that move up by one */
    memmove(slot(v, index + 1), slot(v, index), tail * v->elem_size);
    memcpy(slot(v, index), elem, v->elem_size);
    v->size++;
    return 0;
}

int vector_remove(struct vector *v, size_t index, void *out)
{
    if (index >= v->size)
        return -1;
    if (out != NULL)
        memcpy(out, slot(v, index), v->elem_size);
    size_t tail = v->size - index - 1; /* elements that move down by one */
    memmove(slot(v, index), slot(v, index + 1), tail * v->elem_size);
    v->size--;
    return 0;
}

void vector_clear(struct vector *v)
{
    v->size = 0;
}

int vector_shrink_to_fit(struct vector *v)
{
    if (v->size == v->capacity)
        return 0;
    if (v->size == 0) {
        free(v->data);
        v->data = NULL;
        v->capacity = 0;
        return 0;
    }
    return resize_buffer(v, v->size);
}
