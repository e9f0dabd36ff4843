/*
 * malloc_family.c: an alternative solution.
 *
 * How it differs from the reference: no calloc and no aligned_alloc. Zeroed
 * blocks are cleared by hand with memset, mf_grow resizes with reallocarray
 * (after its own overflow check, so that a refused request never reaches the
 * allocator), mf_join remembers nothing between its measuring and copying
 * passes, and aligned blocks come from posix_memalign, whose alignment must
 * be at least sizeof(void *).
 */
#define _DEFAULT_SOURCE /* reallocarray */
#include "malloc_family.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* True when count * size fits in a size_t. */
static int product_fits(size_t count, size_t size)
{
    return size == 0 || count <= SIZE_MAX / size;
}

void *mf_alloc_array(size_t count, size_t size)
{
    if (!product_fits(count, size))
        return NULL;
    size_t bytes = count * size;
    return malloc(bytes > 0 ? bytes : 1);
}

void *mf_alloc_zeroed(size_t count, size_t size)
{
    unsigned char *block = mf_alloc_array(count, size);
    if (block == NULL)
        return NULL;
    size_t bytes = count * size; /* mf_alloc_array checked it */
    memset(block, 0, bytes > 0 ? bytes : 1);
    return block;
}

int mf_grow(void **buf, size_t *capacity, size_t min_capacity, size_t elem_size)
{
    if (elem_size == 0)
        return -1;
    if (*capacity >= min_capacity)
        return 0;
    if (!product_fits(min_capacity, elem_size))
        return -1;
    /* On failure reallocarray leaves *buf allocated and unchanged. */
    void *moved = reallocarray(*buf, min_capacity, elem_size);
    if (moved == NULL)
        return -1;
    *buf = moved;
    *capacity = min_capacity;
    return 0;
}

char *mf_strdup(const char *s)
{
    size_t bytes = strlen(s) + 1;
    char *copy = malloc(bytes);
    if (copy != NULL)
        memcpy(copy, s, bytes);
    return copy;
}

char *mf_join(const char *const *parts, size_t count, const char *sep)
{
    size_t sep_len = strlen(sep);
    size_t total = 1; /* the NUL */
    for (size_t i = 0; i < count; i++) {
        size_t piece = strlen(parts[i]);
        if (i > 0) {
            if (sep_len > SIZE_MAX - total)
                return NULL;
            total += sep_len;
        }
        if (piece > SIZE_MAX - total)
            return NULL;
        total += piece;
    }
    char *joined = malloc(total);
    if (joined == NULL)
        return NULL;
    char *at = joined;
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            memcpy(at, sep, sep_len);
            at += sep_len;
        }
        size_t piece = strlen(parts[i]);
        memcpy(at, parts[i], piece);
        at += piece;
    }
    *at = '\0';
    return joined;
}

void *mf_alloc_aligned(size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return NULL;
    if (size > SIZE_MAX - (alignment - 1))
        return NULL; /* rounding up to the alignment would not fit */
    /* posix_memalign wants a power of two that is a multiple of
     * sizeof(void *); a larger power of two is still a multiple of the
     * requested one. */
    size_t align = alignment < sizeof(void *) ? sizeof(void *) : alignment;
    void *block = NULL;
    if (posix_memalign(&block, align, size > 0 ? size : 1) != 0)
        return NULL;
    return block;
}
