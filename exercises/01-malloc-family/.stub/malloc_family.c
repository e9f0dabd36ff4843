/*
 * malloc_family.c: your solution. Read malloc_family.h for the contract of
 * each function and README.md for the task.
 */
#include "malloc_family.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *mf_alloc_array(size_t count, size_t size)
{
    /* TODO: refuse a count * size that overflows; allocate that many bytes
     * (1 if the product is 0). */
    (void)count;
    (void)size;
    return NULL;
}

void *mf_alloc_zeroed(size_t count, size_t size)
{
    /* TODO: as mf_alloc_array, but every byte of the block must be zero. */
    (void)count;
    (void)size;
    return NULL;
}

/* clang-tidy flags *capacity while the stub never writes it: delete this and */
/* the next line once yours does. NOLINTNEXTLINE(readability-non-const-parameter) */
int mf_grow(void **buf, size_t *capacity, size_t min_capacity, size_t elem_size)
{
    /* TODO: resize *buf to exactly min_capacity elements when it holds
     * fewer; on any failure return -1 and leave *buf and *capacity alone. */
    (void)buf;
    (void)capacity;
    (void)min_capacity;
    (void)elem_size;
    return -1;
}

char *mf_strdup(const char *s)
{
    /* TODO: copy s into a block of exactly the size it needs. */
    (void)s;
    return NULL;
}

char *mf_join(const char *const *parts, size_t count, const char *sep)
{
    /* TODO: measure the joined string, allocate exactly enough, copy the
     * parts with sep between each two of them. */
    (void)parts;
    (void)count;
    (void)sep;
    return NULL;
}

void *mf_alloc_aligned(size_t alignment, size_t size)
{
    /* TODO: reject an alignment that is not a power of two before
     * allocating; then allocate at least size bytes at that alignment. */
    (void)alignment;
    (void)size;
    return NULL;
}
