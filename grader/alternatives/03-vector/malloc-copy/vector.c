/*
 * vector.c: a growable array that never calls realloc.
 *
 * How this differs from the reference: every resize is malloc of the new
 * buffer, memcpy of the live elements, free of the old buffer, so the old
 * buffer is untouched until the new one exists; byte counts are checked with
 * __builtin_mul_overflow; push and pop are written in terms of insert and
 * remove at the end.
 */
#include "vector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Byte count of count elements, or 0 with *ok cleared when it overflows. */
static size_t bytes_for(const struct vector *v, size_t count, int *ok)
{
    size_t bytes = 0;
    *ok = !__builtin_mul_overflow(count, v->elem_size, &bytes);
    return bytes;
}

static unsigned char *elem_at(const struct vector *v, size_t i)
{
    return (unsigned char *)v->data + i * v->elem_size;
}

/* Moves the elements to a new buffer of exactly count elements (count >=
 * size, count > 0). The vector changes only when every step has worked. */
static int move_to(struct vector *v, size_t count)
{
    int ok = 0;
    size_t bytes = bytes_for(v, count, &ok);
    if (!ok)
        return -1;
    unsigned char *fresh = malloc(bytes);
    if (fresh == NULL)
        return -1;
    if (v->size > 0)
        memcpy(fresh, v->data, v->size * v->elem_size);
    free(v->data);
    v->data = fresh;
    v->capacity = count;
    return 0;
}

/* Room for one more element: the growth rule of the README. */
static int make_room(struct vector *v)
{
    if (v->size < v->capacity)
        return 0;
    size_t cap = SIZE_MAX / v->elem_size;
    if (v->capacity >= cap)
        return -1;
    size_t want = VECTOR_MIN_CAPACITY;
    if (v->capacity > 0)
        want = v->capacity <= cap / 2 ? v->capacity * 2 : cap;
    if (want > cap)
        want = cap;
    return move_to(v, want);
}

int vector_init(struct vector *v, size_t elem_size)
{
    if (elem_size == 0)
        return -1;
    *v = (struct vector){NULL, 0, 0, elem_size};
    return 0;
}

void vector_free(struct vector *v)
{
    free(v->data);
    *v = (struct vector){NULL, 0, 0, v->elem_size};
}

int vector_reserve(struct vector *v, size_t min_capacity)
{
    if (v->capacity >= min_capacity)
        return 0;
    return move_to(v, min_capacity);
}

int vector_insert(struct vector *v, size_t index, const void *elem)
{
    if (index > v->size || make_room(v) != 0)
        return -1;
    memmove(elem_at(v, index + 1), elem_at(v, index), (v->size - index) * v->elem_size);
    memcpy(elem_at(v, index), elem, v->elem_size);
    v->size += 1;
    return 0;
}

int vector_push(struct vector *v, const void *elem)
{
    return vector_insert(v, v->size, elem);
}

int vector_remove(struct vector *v, size_t index, void *out)
{
    if (index >= v->size)
        return -1;
    if (out != NULL)
        memcpy(out, elem_at(v, index), v->elem_size);
    memmove(elem_at(v, index), elem_at(v, index + 1), (v->size - index - 1) * v->elem_size);
    v->size -= 1;
    return 0;
}

int vector_pop(struct vector *v, void *out)
{
    if (v->size == 0)
        return -1;
    return vector_remove(v, v->size - 1, out);
}

void *vector_at(const struct vector *v, size_t index)
{
    return index < v->size ? elem_at(v, index) : NULL;
}

int vector_get(const struct vector *v, size_t index, void *out)
{
    const void *p = vector_at(v, index);
    if (p == NULL)
        return -1;
    memcpy(out, p, v->elem_size);
    return 0;
}

int vector_set(struct vector *v, size_t index, const void *elem)
{
    void *p = vector_at(v, index);
    if (p == NULL)
        return -1;
    memcpy(p, elem, v->elem_size);
    return 0;
}

void vector_clear(struct vector *v)
{
    v->size = 0;
}

int vector_shrink_to_fit(struct vector *v)
{
    if (v->capacity == v->size)
        return 0;
    if (v->size > 0)
        return move_to(v, v->size);
    free(v->data);
    v->data = NULL;
    v->capacity = 0;
    return 0;
}
