/*
 * preload.c (alternative): every block comes from the heap, large ones too.
 *
 * The heap lives in one reservation of address space (mmap, PROT_NONE); each
 * time the break passes the end of the usable part, the pages up to the new
 * break (rounded to a page) are made readable and writable. One mutex guards
 * the heap. Bad pointers are reported and the process aborts.
 */
#define _DEFAULT_SOURCE
#include "heap.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;
static struct heap *the_heap;
static unsigned char *base;
static size_t reserved, brk_at, usable_to;

static void *grow_break(void *ctx, size_t bytes)
{
    (void)ctx;
    if (bytes > reserved - brk_at)
        return NULL;
    size_t want = brk_at + bytes, page = (size_t)sysconf(_SC_PAGESIZE);
    if (want > usable_to) {
        size_t to = (want + page - 1) / page * page;
        if (mprotect(base + usable_to, to - usable_to, PROT_READ | PROT_WRITE) != 0)
            return NULL;
        usable_to = to;
    }
    void *old = base + brk_at;
    brk_at = want;
    return old;
}

/* Called with the lock held. */
static struct heap *heap_now(void)
{
    for (size_t size = (size_t)32 << 30; the_heap == NULL && base == NULL && size >= (64u << 20);
         size /= 4) {
        void *at = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (at != MAP_FAILED) {
            base = at;
            reserved = size;
            the_heap = heap_init((struct heap_source){grow_break, NULL});
        }
    }
    return the_heap;
}

static void die(const char *what, void *p)
{
    fprintf(stderr, "%s: bad pointer %p\n", what, p);
    abort();
}

static void *locked_alloc(size_t align, size_t size, bool zero)
{
    pthread_mutex_lock(&guard);
    struct heap *h = heap_now();
    void *p = NULL;
    if (h != NULL)
        p = zero ? heap_calloc(h, 1, size) : heap_aligned_alloc(h, align, size);
    pthread_mutex_unlock(&guard);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *malloc(size_t size)
{
    return locked_alloc(16, size, false);
}

void *calloc(size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return locked_alloc(16, bytes, true);
}

void free(void *ptr)
{
    if (ptr == NULL)
        return;
    pthread_mutex_lock(&guard);
    int rc = the_heap ? heap_free(the_heap, ptr) : HEAP_INVALID;
    pthread_mutex_unlock(&guard);
    if (rc != HEAP_OK)
        die(rc == HEAP_DOUBLE_FREE ? "free (double free)" : "free", ptr);
}

void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    pthread_mutex_lock(&guard);
    size_t before = the_heap ? heap_usable_size(the_heap, ptr) : 0;
    void *p = before != 0 ? heap_realloc(the_heap, ptr, size) : NULL;
    pthread_mutex_unlock(&guard);
    if (before == 0)
        die("realloc", ptr);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    return locked_alloc(alignment, size, false);
}

void *memalign(size_t alignment, size_t size)
{
    return aligned_alloc(alignment, size);
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0)
        return EINVAL;
    int keep = errno;
    void *p = locked_alloc(alignment, size, false);
    errno = keep;
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

void *valloc(size_t size)
{
    return locked_alloc((size_t)sysconf(_SC_PAGESIZE), size, false);
}

void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    return locked_alloc(page, (size + page - 1) / page * page, false);
}

size_t malloc_usable_size(void *ptr)
{
    pthread_mutex_lock(&guard);
    size_t n = ptr && the_heap ? heap_usable_size(the_heap, ptr) : 0;
    pthread_mutex_unlock(&guard);
    return n;
}

struct heap *preload_heap(void)
{
    pthread_mutex_lock(&guard);
    struct heap *h = the_heap;
    pthread_mutex_unlock(&guard);
    return h;
}
