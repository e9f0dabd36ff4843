/*
 * malloc_family.c: an alternative solution.
 *
 * How it differs from the reference: every size is computed with the
 * compiler's checked arithmetic (__builtin_mul_overflow and
 * __builtin_add_overflow) instead of comparisons with SIZE_MAX; mf_grow never
 * calls realloc but allocates the new block, copies the kept elements and
 * frees the old block; the power-of-two test compares the alignment with its
 * lowest set bit; mf_join copies with memmove from a measured length per part.
 */
#include "malloc_family.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* count * size in *bytes, raised to 1 when it is 0; false on overflow. */
static int checked_bytes(size_t count, size_t size, size_t *bytes)
{
    if (__builtin_mul_overflow(count, size, bytes))
        return 0;
    if (*bytes == 0)
        *bytes = 1;
    return 1;
}

void *mf_alloc_array(size_t count, size_t size)
{
    size_t bytes;
    return checked_bytes(count, size, &bytes) ? malloc(bytes) : NULL;
}

void *mf_alloc_zeroed(size_t count, size_t size)
{
    size_t bytes;
    return checked_bytes(count, size, &bytes) ? calloc(1, bytes) : NULL;
}

int mf_grow(void **buf, size_t *capacity, size_t min_capacity, size_t elem_size)
{
    size_t new_bytes;
    if (elem_size == 0)
        return -1;
    if (min_capacity <= *capacity)
        return 0;
    if (__builtin_mul_overflow(min_capacity, elem_size, &new_bytes))
        return -1;
    unsigned char *fresh = malloc(new_bytes);
    if (fresh == NULL)
        return -1;     /* the old block was not touched */
    if (*capacity > 0) /* *buf may be NULL only when it holds nothing */
        memcpy(fresh, *buf, *capacity * elem_size);
    free(*buf);
    *buf = fresh;
    *capacity = min_capacity;
    return 0;
}

char *mf_strdup(const char *s)
{
    size_t bytes;
    if (__builtin_add_overflow(strlen(s), 1, &bytes))
        return NULL;
    char *copy = malloc(bytes);
    return copy != NULL ? memcpy(copy, s, bytes) : NULL;
}

char *mf_join(const char *const *parts, size_t count, const char *sep)
{
    size_t sep_len = strlen(sep);
    size_t bytes = 1;
    size_t seps = count > 0 ? count - 1 : 0;
    size_t sep_bytes;
    if (__builtin_mul_overflow(seps, sep_len, &sep_bytes) ||
        __builtin_add_overflow(bytes, sep_bytes, &bytes))
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (__builtin_add_overflow(bytes, strlen(parts[i]), &bytes))
            return NULL;
    char *out = malloc(bytes);
    if (out == NULL)
        return NULL;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (i != 0) {
            memmove(out + used, sep, sep_len);
            used += sep_len;
        }
        size_t len = strlen(parts[i]);
        memmove(out + used, parts[i], len);
        used += len;
    }
    out[used] = '\0';
    return out;
}

void *mf_alloc_aligned(size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (0 - alignment)) != alignment)
        return NULL; /* a power of two is its own lowest set bit; 24 is not */
    size_t rounded;
    if (__builtin_add_overflow(size == 0 ? 1 : size, alignment - 1, &rounded))
        return NULL;
    rounded &= ~(alignment - 1);
    return aligned_alloc(alignment, rounded);
}
