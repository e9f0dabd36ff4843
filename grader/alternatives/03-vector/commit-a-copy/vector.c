/*
 * vector.c: a growable array whose changing calls work on a copy.
 *
 * How this differs from the reference: each call that may fail builds the
 * new state in a local struct vector and stores it into *v in one assignment
 * at the very end, so there is no path that changes *v and then fails; the
 * growth step is computed from the cap downwards (smallest of twice the
 * capacity, the cap); overflow is checked with a division against the
 * largest element count; elements are moved one call at a time with memmove.
 */
#include "vector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Largest element count whose byte count fits in a size_t. */
static size_t cap_of(const struct vector *v)
{
    return SIZE_MAX / v->elem_size;
}

/* Resizes copy->data to count elements (count > 0, count <= cap_of(copy)).
 * On failure copy is unchanged and so is the caller's vector. */
static int resize_copy(struct vector *copy, size_t count)
{
    void *fresh = realloc(copy->data, count * copy->elem_size);
    if (fresh == NULL)
        return -1;
    copy->data = fresh;
    copy->capacity = count;
    return 0;
}

/* The capacity the next growth moves to; 0 when no growth is possible. */
static size_t grown_capacity(const struct vector *v)
{
    size_t cap = cap_of(v);
    if (v->capacity >= cap)
        return 0;
    if (v->capacity == 0)
        return cap < VECTOR_MIN_CAPACITY ? cap : VECTOR_MIN_CAPACITY;
    return v->capacity > cap - v->capacity ? cap : 2 * v->capacity;
}

/* A copy of *v with room for one more element, or -1. */
static int copy_with_room(const struct vector *v, struct vector *copy)
{
    *copy = *v;
    if (v->size < v->capacity)
        return 0;
    size_t next = grown_capacity(v);
    if (next == 0)
        return -1;
    return resize_copy(copy, next);
}

static void *place(const struct vector *v, size_t index)
{
    return (char *)v->data + index * v->elem_size;
}

int vector_init(struct vector *v, size_t elem_size)
{
    if (elem_size == 0)
        return -1;
    v->elem_size = elem_size;
    v->capacity = 0;
    v->size = 0;
    v->data = NULL;
    return 0;
}

void vector_free(struct vector *v)
{
    void *old = v->data;
    v->data = NULL;
    v->size = 0;
    v->capacity = 0;
    free(old);
}

int vector_reserve(struct vector *v, size_t min_capacity)
{
    if (min_capacity <= v->capacity)
        return 0;
    if (min_capacity > cap_of(v))
        return -1;
    struct vector copy = *v;
    if (resize_copy(&copy, min_capacity) != 0)
        return -1;
    *v = copy;
    return 0;
}

int vector_push(struct vector *v, const void *elem)
{
    struct vector copy;
    if (copy_with_room(v, &copy) != 0)
        return -1;
    memcpy(place(&copy, copy.size), elem, copy.elem_size);
    copy.size++;
    *v = copy;
    return 0;
}

int vector_pop(struct vector *v, void *out)
{
    if (v->size == 0)
        return -1;
    if (out != NULL)
        memcpy(out, place(v, v->size - 1), v->elem_size);
    v->size--;
    return 0;
}

void *vector_at(const struct vector *v, size_t index)
{
    if (index < v->size)
        return place(v, index);
    return NULL;
}

int vector_get(const struct vector *v, size_t index, void *out)
{
    if (index >= v->size)
        return -1;
    memcpy(out, place(v, index), v->elem_size);
    return 0;
}

int vector_set(struct vector *v, size_t index, const void *elem)
{
    if (index >= v->size)
        return -1;
    memcpy(place(v, index), elem, v->elem_size);
    return 0;
}

int vector_insert(struct vector *v, size_t index, const void *elem)
{
    if (index > v->size)
        return -1;
    struct vector copy;
    if (copy_with_room(v, &copy) != 0)
        return -1;
    if (index < copy.size)
        memmove(place(&copy, index + 1), place(&copy, index), (copy.size - index) * copy.elem_size);
    memcpy(place(&copy, index), elem, copy.elem_size);
    copy.size++;
    *v = copy;
    return 0;
}

int vector_remove(struct vector *v, size_t index, void *out)
{
    if (index >= v->size)
        return -1;
    if (out != NULL)
        memcpy(out, place(v, index), v->elem_size);
    if (index + 1 < v->size)
        memmove(place(v, index), place(v, index + 1), (v->size - index - 1) * v->elem_size);
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
        vector_free(v);
        return 0;
    }
    struct vector copy = *v;
    if (resize_copy(&copy, v->size) != 0)
        return -1;
    *v = copy;
    return 0;
}
