/*
 * malloc_family.c: reference solution.
 *
 * Every function checks its size arithmetic before it allocates, so that an
 * overflow is reported as a failure instead of becoming a small allocation
 * that the caller then overruns.
 */
#include "malloc_family.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stores count * size in *bytes (1 if that is 0); false if it overflows. */
static int array_bytes(size_t count, size_t size, size_t *bytes)
{
    if (count != 0 && size > SIZE_MAX / count)
        return 0;
    *bytes = count * size;
    if (*bytes == 0)
        *bytes = 1;
    return 1;
}

void *mf_alloc_array(size_t count, size_t size)
{
    size_t bytes;
    if (!array_bytes(count, size, &bytes))
        return NULL;
    return malloc(bytes);
}

void *mf_alloc_zeroed(size_t count, size_t size)
{
    size_t bytes;
    if (!array_bytes(count, size, &bytes))
        return NULL; /* checked here: calloc is not even asked */
    return calloc(bytes, 1);
}

int mf_grow(void **buf, size_t *capacity, size_t min_capacity, size_t elem_size)
{
    if (elem_size == 0)
        return -1; /* a bad argument, whatever the capacity */
    if (*capacity >= min_capacity)
        return 0;
    if (elem_size > SIZE_MAX / min_capacity)
        return -1; /* min_capacity > *capacity >= 0, so no division by zero */
    /* realloc's result goes to a temporary: on failure *buf is still ours. */
    void *fresh = realloc(*buf, min_capacity * elem_size);
    if (fresh == NULL)
        return -1;
    *buf = fresh;
    *capacity = min_capacity;
    return 0;
}

char *mf_strdup(const char *s)
{
    size_t size = strlen(s) + 1; /* the terminating NUL needs a byte too */
    char *copy = malloc(size);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, size);
    return copy;
}

/* Length of the joined string in *len; false if it does not fit a size_t. */
static int joined_length(const char *const *parts, size_t count, size_t sep_len, size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        size_t add = strlen(parts[i]) + (i + 1 < count ? sep_len : 0);
        if (add > SIZE_MAX - 1 - total)
            return 0; /* keep room for the NUL as well */
        total += add;
    }
    *len = total;
    return 1;
}

char *mf_join(const char *const *parts, size_t count, const char *sep)
{
    size_t sep_len = strlen(sep);
    size_t len;
    if (!joined_length(parts, count, sep_len, &len))
        return NULL;
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    char *end = out;
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            memcpy(end, sep, sep_len);
            end += sep_len;
        }
        size_t part_len = strlen(parts[i]);
        memcpy(end, parts[i], part_len);
        end += part_len;
    }
    *end = '\0';
    return out;
}

void *mf_alloc_aligned(size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return NULL; /* not a power of two */
    if (size == 0)
        size = 1;
    /* C11 required size to be a multiple of alignment; round up to stay
     * portable to libraries that still enforce it. */
    if (size > SIZE_MAX - (alignment - 1))
        return NULL;
    size_t rounded = (size + alignment - 1) & ~(alignment - 1);
    return aligned_alloc(alignment, rounded);
}
