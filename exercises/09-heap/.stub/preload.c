/*
 * preload.c: the C library's allocation functions on top of heap.c, built as
 * a shared object for LD_PRELOAD (see README.md, "The shared object").
 *
 * Describe here where the heap's memory comes from (mmap), how large blocks
 * are served, and how the lock protects the heap.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, memalign, pvalloc, valloc */
#include "heap.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void *malloc(size_t size)
{
    /* TODO: on first use, reserve address space with mmap and create the heap
     * over it (heap_init with a source that makes the pages under the break
     * usable); then heap_malloc under the lock. Set errno to ENOMEM on failure. */
    (void)size;
    errno = ENOMEM;
    return NULL;
}

void free(void *ptr)
{
    /* TODO: heap_free under the lock; a bad pointer is reported on stderr and
     * the process aborts. */
    (void)ptr;
}

void *calloc(size_t count, size_t size)
{
    /* TODO: heap_calloc under the lock. */
    (void)count;
    (void)size;
    errno = ENOMEM;
    return NULL;
}

void *realloc(void *ptr, size_t size)
{
    /* TODO: heap_realloc under the lock (realloc(p, 0) frees p, as glibc does). */
    (void)ptr;
    (void)size;
    errno = ENOMEM;
    return NULL;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    /* TODO: EINVAL for an alignment that is not a power of two. */
    (void)alignment;
    (void)size;
    errno = ENOMEM;
    return NULL;
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    /* TODO: EINVAL, ENOMEM or 0; *memptr is set only on success. */
    (void)memptr;
    (void)alignment;
    (void)size;
    return ENOMEM;
}

void *memalign(size_t alignment, size_t size)
{
    /* TODO: as aligned_alloc. */
    (void)alignment;
    (void)size;
    errno = ENOMEM;
    return NULL;
}

void *valloc(size_t size)
{
    /* TODO: aligned to the page size (sysconf(_SC_PAGESIZE)). */
    (void)size;
    errno = ENOMEM;
    return NULL;
}

void *pvalloc(size_t size)
{
    /* TODO: aligned to the page size, the size rounded up to whole pages. */
    (void)size;
    errno = ENOMEM;
    return NULL;
}

size_t malloc_usable_size(void *ptr)
{
    /* TODO: heap_usable_size() of the block, 0 for NULL. */
    (void)ptr;
    return 0;
}

struct heap *preload_heap(void)
{
    /* TODO: the heap behind malloc, NULL before the first allocation. */
    return NULL;
}
