/*
 * vector.c: a growable array. Fill in every function; vector.h is the
 * contract, and README.md says what to read first.
 */
#include "vector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int vector_init(struct vector *v, size_t elem_size)
{
    /* TODO: reject elem_size 0; otherwise set every field (no allocation). */
    (void)v;
    (void)elem_size;
    return -1;
}

void vector_free(struct vector *v)
{
    /* TODO: free the buffer and leave *v empty and reusable. */
    (void)v;
}

int vector_reserve(struct vector *v, size_t min_capacity)
{
    /* TODO: grow to exactly min_capacity if smaller; check the byte count for
     * overflow before calling realloc; keep the old buffer if realloc fails. */
    (void)v;
    (void)min_capacity;
    return -1;
}

int vector_push(struct vector *v, const void *elem)
{
    /* TODO: grow geometrically when full, then copy elem_size bytes in. */
    (void)v;
    (void)elem;
    return -1;
}

int vector_pop(struct vector *v, void *out)
{
    /* TODO: fail when empty; copy the last element out unless out is NULL. */
    (void)v;
    (void)out;
    return -1;
}

void *vector_at(const struct vector *v, size_t index)
{
    /* TODO: a pointer to element index, or NULL when index is out of range. */
    (void)v;
    (void)index;
    return NULL;
}

int vector_get(const struct vector *v, size_t index, void *out)
{
    /* TODO: bounds-check index, then copy the element to out. */
    (void)v;
    (void)index;
    (void)out;
    return -1;
}

int vector_set(struct vector *v, size_t index, const void *elem)
{
    /* TODO: bounds-check index, then overwrite the element with elem. */
    (void)v;
    (void)index;
    (void)elem;
    return -1;
}

int vector_insert(struct vector *v, size_t index, const void *elem)
{
    /* TODO: index may equal size; grow if full; shift the tail up by one. */
    (void)v;
    (void)index;
    (void)elem;
    return -1;
}

int vector_remove(struct vector *v, size_t index, void *out)
{
    /* TODO: bounds-check; copy the element out; shift the tail down by one. */
    (void)v;
    (void)index;
    (void)out;
    return -1;
}

void vector_clear(struct vector *v)
{
    /* TODO: forget the elements, keep the buffer. */
    (void)v;
}

int vector_shrink_to_fit(struct vector *v)
{
    /* TODO: make capacity equal size; free the buffer when size is 0. */
    (void)v;
    return -1;
}
