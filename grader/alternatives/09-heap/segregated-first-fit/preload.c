/*
 * preload.c (alternative): the heap for small and medium blocks, a mapping
 * per block from 256 KiB on, and a table of those mappings.
 *
 * The heap's pages come from a reservation (mmap PROT_NONE), opened with
 * mprotect 256 KiB at a time. A large block is a mapping of its own; its
 * address and length are kept in an open-addressing table in pages of its
 * own, so free() recognises it by lookup, never by trusting bytes before the
 * pointer. One mutex guards the heap and the table.
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

#define BIG   ((size_t)256 << 10)
#define STEP  ((size_t)256 << 10)
#define SLOTS 65536 /* large blocks live at once, at most */

struct mapping {
    uintptr_t at; /* 0: empty; 1: deleted */
    size_t length;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct heap *heap;
static unsigned char *region;
static size_t region_size, top, opened;
static struct mapping *table;

static void *source(void *ctx, size_t n)
{
    (void)ctx;
    if (n > region_size - top)
        return NULL;
    while (top + n > opened) {
        size_t step = region_size - opened < STEP ? region_size - opened : STEP;
        if (mprotect(region + opened, step, PROT_READ | PROT_WRITE) != 0)
            return NULL;
        opened += step;
    }
    top += n;
    return region + top - n;
}

static bool setup(void) /* with mu held */
{
    if (heap)
        return true;
    if (!table) {
        void *t = mmap(NULL, SLOTS * sizeof *table, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (t == MAP_FAILED)
            return false;
        table = t;
    }
    for (region_size = (size_t)16 << 30; !region && region_size >= ((size_t)128 << 20);
         region_size /= 2) {
        void *r =
            mmap(NULL, region_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r != MAP_FAILED)
            region = r;
    }
    if (region)
        heap = heap_init((struct heap_source){source, NULL});
    return heap != NULL;
}

static size_t slot_of(uintptr_t at)
{
    return (size_t)((at >> 12) * 0x9E3779B97F4A7C15u >> 48) % SLOTS;
}

/* The table entry for at, or NULL (with mu held). */
static struct mapping *find(uintptr_t at)
{
    for (size_t i = slot_of(at), n = 0; n < SLOTS; i = (i + 1) % SLOTS, n++) {
        if (table[i].at == at)
            return &table[i];
        if (table[i].at == 0)
            return NULL;
    }
    return NULL;
}

static bool remember(uintptr_t at, size_t length)
{
    for (size_t i = slot_of(at), n = 0; n < SLOTS; i = (i + 1) % SLOTS, n++) {
        if (table[i].at <= 1) {
            table[i] = (struct mapping){at, length};
            return true;
        }
    }
    return false;
}

static void *big_block(size_t size, size_t align)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX / 2 || align > page)
        return NULL;
    size_t length = (size + page - 1) / page * page;
    void *m = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    pthread_mutex_lock(&mu);
    bool ok = (table || setup()) && table && remember((uintptr_t)m, length);
    pthread_mutex_unlock(&mu);
    if (!ok) {
        munmap(m, length);
        return NULL;
    }
    return m;
}

static void *get(size_t align, size_t size, bool zeroed)
{
    void *p;
    if (size >= BIG && align <= (size_t)sysconf(_SC_PAGESIZE)) {
        p = big_block(size, align);
    } else {
        pthread_mutex_lock(&mu);
        p = setup() ? (zeroed ? heap_calloc(heap, 1, size) : heap_aligned_alloc(heap, align, size))
                    : NULL;
        pthread_mutex_unlock(&mu);
    }
    if (!p)
        errno = ENOMEM;
    return p;
}

static void fatal(const char *what, const void *p)
{
    fprintf(stderr, "%s(%p): not a block of this allocator, or freed already\n", what, p);
    abort();
}

void *malloc(size_t size)
{
    return get(16, size, false);
}

void *calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return get(16, n * size, true); /* a fresh mapping is zero already */
}

void free(void *ptr)
{
    if (!ptr)
        return;
    pthread_mutex_lock(&mu);
    struct mapping *m = table ? find((uintptr_t)ptr) : NULL;
    struct mapping copy = m ? *m : (struct mapping){0, 0};
    int rc = HEAP_OK;
    if (m)
        m->at = 1;
    else
        rc = heap ? heap_free(heap, ptr) : HEAP_INVALID;
    pthread_mutex_unlock(&mu);
    if (m)
        munmap(ptr, copy.length);
    else if (rc != HEAP_OK)
        fatal("free", ptr);
}

size_t malloc_usable_size(void *ptr)
{
    if (!ptr)
        return 0;
    pthread_mutex_lock(&mu);
    struct mapping *m = table ? find((uintptr_t)ptr) : NULL;
    size_t n = m ? m->length : heap ? heap_usable_size(heap, ptr) : 0;
    pthread_mutex_unlock(&mu);
    return n;
}

void *realloc(void *ptr, size_t size)
{
    if (!ptr)
        return malloc(size);
    if (!size) {
        free(ptr);
        return NULL;
    }
    size_t have = malloc_usable_size(ptr);
    if (!have)
        fatal("realloc", ptr);
    pthread_mutex_lock(&mu);
    bool in_heap = !(table && find((uintptr_t)ptr));
    void *same = in_heap && size < BIG ? heap_realloc(heap, ptr, size) : NULL;
    pthread_mutex_unlock(&mu);
    if (same)
        return same;
    if (!in_heap && size <= have && size >= BIG / 2)
        return ptr;
    void *fresh = malloc(size);
    if (!fresh)
        return NULL;
    memcpy(fresh, ptr, have < size ? have : size);
    free(ptr);
    return fresh;
}

void *aligned_alloc(size_t align, size_t size)
{
    if (!align || (align & (align - 1))) {
        errno = EINVAL;
        return NULL;
    }
    return get(align, size, false);
}

void *memalign(size_t align, size_t size)
{
    return aligned_alloc(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!align || (align & (align - 1)) || align % sizeof(void *))
        return EINVAL;
    int saved = errno;
    void *p = get(align, size, false);
    errno = saved;
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return get((size_t)sysconf(_SC_PAGESIZE), size, false);
}

void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    return get(page, (size + page - 1) / page * page, false);
}

struct heap *preload_heap(void)
{
    pthread_mutex_lock(&mu);
    struct heap *h = heap;
    pthread_mutex_unlock(&mu);
    return h;
}
