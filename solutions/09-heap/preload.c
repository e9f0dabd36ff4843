/*
 * preload.c: the C library's allocation functions on top of heap.c, for
 * LD_PRELOAD.
 *
 * Memory. The heap's source is one reservation of address space made with
 * mmap(PROT_NONE) on the first allocation; as the break moves up, the pages
 * under it are made readable and writable with mprotect, COMMIT_STEP at a
 * time. Untouched pages cost no physical memory. A request of MAP_THRESHOLD
 * bytes or more bypasses the heap and gets a mapping of its own, returned to
 * the system by free:
 *
 *     [pad][length|log2 align][check][payload .............][end of mapping]
 *                 16-byte header ---^
 *
 * check == payload address ^ header word ^ MAP_MAGIC, so free() can tell a
 * mapped block from a foreign pointer before it unmaps anything.
 *
 * Threads: one mutex around every call into the heap. A pointer inside the
 * reservation belongs to the heap; anything else must be a mapped block.
 * A bad free() or realloc() prints what went wrong and aborts, as glibc does.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, memalign, pvalloc, valloc */
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

#define MAP_THRESHOLD ((size_t)128 << 10)
#define COMMIT_STEP   ((size_t)1 << 20)
#define MAP_MAGIC     ((uintptr_t)0x6d656d6372616674u)
#define LOG2_MASK     ((size_t)63) /* a mapping's length is a multiple of the page size */

static const size_t RESERVE_SIZES[] = {(size_t)64 << 30, (size_t)8 << 30, (size_t)1 << 30,
                                       (size_t)256 << 20};

/* The heap's reservation: [base, base + reserved); [base, base + brk) is the
 * heap; [base, base + committed) is readable and writable. */
struct reservation {
    unsigned char *base;
    size_t reserved, brk, committed;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reservation arena;
static struct heap *heap; /* NULL until the first allocation; written under lock */
static bool heap_failed;

static void *reservation_more(void *ctx, size_t bytes)
{
    struct reservation *r = ctx;
    if (bytes > r->reserved - r->brk)
        return NULL;
    size_t need = r->brk + bytes;
    if (need > r->committed) {
        size_t step = (need - r->committed + COMMIT_STEP - 1) / COMMIT_STEP * COMMIT_STEP;
        if (step > r->reserved - r->committed)
            step = r->reserved - r->committed;
        if (mprotect(r->base + r->committed, step, PROT_READ | PROT_WRITE) != 0)
            return NULL;
        r->committed += step;
    }
    unsigned char *old = r->base + r->brk;
    r->brk = need;
    return old;
}

/* The heap, created on first use; NULL if no address space could be reserved.
 * Called with the lock held. */
static struct heap *the_heap(void)
{
    if (heap != NULL || heap_failed)
        return heap;
    for (size_t i = 0; i < sizeof RESERVE_SIZES / sizeof RESERVE_SIZES[0]; i++) {
        void *base = mmap(NULL, RESERVE_SIZES[i], PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base != MAP_FAILED) {
            arena = (struct reservation){base, RESERVE_SIZES[i], 0, 0};
            heap = heap_init((struct heap_source){reservation_more, &arena});
            break;
        }
    }
    heap_failed = heap == NULL;
    return heap;
}

static bool in_heap(const void *p)
{
    uintptr_t at = (uintptr_t)p, base = (uintptr_t)arena.base;
    return arena.base != NULL && at >= base && at < base + arena.brk;
}

static bool is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static _Noreturn void bad_pointer(const char *call, const void *p)
{
    fprintf(stderr, "%s(): invalid pointer %p\n", call, p);
    abort();
}

/* ---- blocks with a mapping of their own --------------------------------------- */

struct mapped_header {
    size_t word; /* mapping length | log2 of the payload's offset in it */
    uintptr_t check;
};

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* A block of size bytes aligned to align (a power of two >= HEAP_ALIGN) in its own mapping. */
static void *map_block(size_t size, size_t align)
{
    size_t offset = align < sizeof(struct mapped_header) ? sizeof(struct mapped_header) : align;
    size_t page = page_size();
    if (size > SIZE_MAX / 2 - offset - page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t length = (offset + size + page - 1) & ~(page - 1);
    unsigned char *m =
        mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    /* align <= page keeps m + offset aligned; a larger align is served by the heap */
    unsigned char *p = m + offset;
    struct mapped_header h = {length | (size_t)__builtin_ctzll(offset), 0};
    h.check = (uintptr_t)p ^ h.word ^ MAP_MAGIC;
    memcpy(p - sizeof h, &h, sizeof h);
    return p;
}

/* The mapped block at p: its header in *out; false if p is not one. */
static bool mapped_of(const void *p, struct mapped_header *out)
{
    if ((uintptr_t)p % HEAP_ALIGN != 0)
        return false;
    memcpy(out, (const unsigned char *)p - sizeof *out, sizeof *out);
    return out->check == ((uintptr_t)p ^ out->word ^ MAP_MAGIC);
}

static size_t mapped_offset(const struct mapped_header *h)
{
    return (size_t)1 << (h->word & LOG2_MASK);
}

static size_t mapped_length(const struct mapped_header *h)
{
    return h->word & ~LOG2_MASK;
}

static size_t mapped_usable(const struct mapped_header *h)
{
    return mapped_length(h) - mapped_offset(h);
}

static void unmap_block(void *p, const struct mapped_header *h)
{
    munmap((unsigned char *)p - mapped_offset(h), mapped_length(h));
}

/* ---- allocation ------------------------------------------------------------------ */

/* A block of size bytes aligned to align (a power of two); errno = ENOMEM on failure. */
static void *allocate(size_t size, size_t align)
{
    if (align <= page_size() && size >= MAP_THRESHOLD)
        return map_block(size, align < HEAP_ALIGN ? HEAP_ALIGN : align);
    pthread_mutex_lock(&lock);
    struct heap *h = the_heap();
    void *p = h == NULL ? NULL : heap_aligned_alloc(h, align, size);
    pthread_mutex_unlock(&lock);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *malloc(size_t size)
{
    return allocate(size, HEAP_ALIGN);
}

void free(void *ptr)
{
    if (ptr == NULL)
        return;
    pthread_mutex_lock(&lock);
    bool mine = in_heap(ptr);
    int status = mine ? heap_free(heap, ptr) : HEAP_OK;
    pthread_mutex_unlock(&lock);
    if (status == HEAP_DOUBLE_FREE) {
        fprintf(stderr, "free(): double free of %p\n", ptr);
        abort();
    }
    if (status != HEAP_OK)
        bad_pointer("free", ptr);
    if (!mine) {
        struct mapped_header h;
        if (!mapped_of(ptr, &h))
            bad_pointer("free", ptr);
        unmap_block(ptr, &h);
    }
}

void *calloc(size_t count, size_t size)
{
    if (count != 0 && size > SIZE_MAX / count) {
        errno = ENOMEM;
        return NULL;
    }
    if (count * size >= MAP_THRESHOLD)
        return map_block(count * size, HEAP_ALIGN); /* fresh pages are zero */
    pthread_mutex_lock(&lock);
    struct heap *h = the_heap();
    void *p = h == NULL ? NULL : heap_calloc(h, count, size);
    pthread_mutex_unlock(&lock);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

size_t malloc_usable_size(void *ptr)
{
    if (ptr == NULL)
        return 0;
    pthread_mutex_lock(&lock);
    bool mine = in_heap(ptr);
    size_t usable = mine ? heap_usable_size(heap, ptr) : 0;
    pthread_mutex_unlock(&lock);
    struct mapped_header h;
    if (!mine && mapped_of(ptr, &h))
        usable = mapped_usable(&h);
    return usable;
}

/* Moves the block ptr (usable bytes long) to a new block of size bytes. */
static void *move(void *ptr, size_t usable, size_t size)
{
    void *fresh = allocate(size, HEAP_ALIGN);
    if (fresh == NULL)
        return NULL;
    memcpy(fresh, ptr, usable < size ? usable : size);
    free(ptr);
    return fresh;
}

void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    pthread_mutex_lock(&lock);
    bool mine = in_heap(ptr);
    size_t usable = mine ? heap_usable_size(heap, ptr) : 0;
    void *same = mine && usable != 0 && size < MAP_THRESHOLD ? heap_realloc(heap, ptr, size) : NULL;
    pthread_mutex_unlock(&lock);
    if (mine && usable == 0)
        bad_pointer("realloc", ptr);
    if (same != NULL)
        return same;
    if (mine)
        return move(ptr, usable, size); /* to a mapping, or the heap is out of memory */
    struct mapped_header h;
    if (!mapped_of(ptr, &h))
        bad_pointer("realloc", ptr);
    usable = mapped_usable(&h);
    if (size <= usable && size >= MAP_THRESHOLD / 2)
        return ptr;
    return move(ptr, usable, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return allocate(size, alignment);
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno;
    void *p = allocate(size, alignment);
    errno = saved; /* posix_memalign reports through its result, not errno */
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

void *memalign(size_t alignment, size_t size)
{
    return aligned_alloc(alignment, size);
}

void *valloc(size_t size)
{
    return allocate(size, page_size());
}

void *pvalloc(size_t size)
{
    size_t page = page_size();
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    return allocate((size + page - 1) & ~(page - 1), page);
}

struct heap *preload_heap(void)
{
    pthread_mutex_lock(&lock);
    struct heap *h = heap;
    pthread_mutex_unlock(&lock);
    return h;
}
