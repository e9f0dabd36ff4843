/*
 * pool.c: a fixed-size object pool with an intrusive free list.
 *
 * Memory is a list of chunks, each one malloc'd block laid out as
 *
 *     [struct chunk][checked mode: one state byte per slot][pad][slot 0][slot 1]...
 *
 * The pad aligns slot 0 to pool->align; every slot is pool->stride bytes, a
 * multiple of the alignment, so every slot is aligned. A free slot stores a
 * struct free_slot (the link to the next free slot) in its first bytes; an
 * allocated slot belongs wholly to the caller.
 *
 * pool_alloc() pops the head of the free list and pool_free() pushes onto it:
 * a few loads and stores each. Checked mode first finds the chunk holding the
 * pointer (a walk over the chunks) and consults its state byte.
 *
 * Poisoning (chapter 7.12): the slots are the callers' and the pool's, so the
 * pool tells AddressSanitizer and Valgrind which bytes may be touched. A free
 * slot is unaddressable, link included; a live object has its first
 * pool->usable bytes addressable and the rest of its slot unaddressable. The
 * pool reads a free slot's link by opening it for that one read. Headers and
 * state bytes are never poisoned. Built with -DNDEBUG the requests vanish.
 */
#include "pool.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Client requests for the checkers, compiled out with -DNDEBUG (chapter 7.12).
 * MEM_*: the pool's own accesses to a free slot's link. SLOTS_*: Valgrind's
 * mempool, anchored at the struct pool, with ASan's poisoning beside it. */
#ifdef NDEBUG
#define MEM_NOACCESS(p, n)     ((void)(p), (void)(n))
#define MEM_DEFINED(p, n)      ((void)(p), (void)(n))
#define SLOTS_CREATE(pool)     ((void)(pool))
#define SLOT_ALLOC(pool, p, n) ((void)(pool), (void)(p), (void)(n))
#define SLOT_FREE(pool, p, n)  ((void)(pool), (void)(p), (void)(n))
#define SLOTS_DESTROY(pool)    ((void)(pool))
#else
#include <sanitizer/asan_interface.h> /* no-ops unless built with -fsanitize=address */
#include <valgrind/memcheck.h>        /* no-ops unless run under Valgrind */
#define MEM_NOACCESS(p, n)                                                                         \
    (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define MEM_DEFINED(p, n)                                                                          \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define SLOTS_CREATE(pool) VALGRIND_CREATE_MEMPOOL((pool), 0, 0)
#define SLOT_ALLOC(pool, p, n)                                                                     \
    do {                                                                                           \
        ASAN_UNPOISON_MEMORY_REGION((p), (n));                                                     \
        VALGRIND_MEMPOOL_ALLOC((pool), (p), (n));                                                  \
    } while (0)
#define SLOT_FREE(pool, p, n)                                                                      \
    do {                                                                                           \
        VALGRIND_MEMPOOL_FREE((pool), (p));                                                        \
        ASAN_POISON_MEMORY_REGION((p), (n));                                                       \
    } while (0)
#define SLOTS_DESTROY(pool) VALGRIND_DESTROY_MEMPOOL(pool)
#endif

struct free_slot {
    struct free_slot *next; /* next free slot, or NULL */
};

struct chunk {
    struct chunk *next;    /* the chunk allocated before this one, or NULL */
    unsigned char *slots;  /* slot 0, aligned to pool->align */
    unsigned char *in_use; /* checked mode: in_use[i] == 1 iff slot i is handed out; else NULL */
};

/*
 * Invariants:
 *   live + length(free_list) == capacity == (number of chunks) * chunk_objects
 *   stride % align == 0, stride >= usable >= sizeof(struct free_slot), align is a power of two
 *   every chunk reachable from `chunks`; the newest first
 *   checked builds: a free slot is poisoned whole; a live slot's first usable bytes are not
 */
struct pool {
    struct free_slot *free_list;
    struct chunk *chunks;
    size_t stride;        /* bytes from one slot to the next */
    size_t usable;        /* bytes a caller may touch: max(object size, link) */
    size_t align;         /* alignment of every slot */
    size_t chunk_objects; /* slots per chunk */
    size_t chunk_bytes;   /* malloc size of one chunk */
    size_t live;
    size_t capacity;
    unsigned flags;
};

static bool is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static bool is_checked(const struct pool *pool)
{
    return (pool->flags & POOL_CHECKED) != 0;
}

/* Bytes before the padding in a chunk: the header and, in checked mode, the state bytes. */
static size_t chunk_header_bytes(const struct pool *pool)
{
    return sizeof(struct chunk) + (is_checked(pool) ? pool->chunk_objects : 0);
}

/* Sets usable, stride and chunk_bytes from object_size; false if a chunk's size overflows. */
static bool compute_layout(struct pool *pool, size_t object_size)
{
    size_t mask = pool->align - 1;
    size_t size = object_size < sizeof(struct free_slot) ? sizeof(struct free_slot) : object_size;
    if (size > SIZE_MAX - mask)
        return false;
    pool->usable = size;
    pool->stride = (size + mask) & ~mask;

    size_t n = pool->chunk_objects;
    if (n != 0 && pool->stride > SIZE_MAX / n)
        return false;
    size_t slot_bytes = pool->stride * n;
    size_t overhead = chunk_header_bytes(pool) + mask; /* mask: the most padding can take */
    if (slot_bytes > SIZE_MAX - overhead)
        return false;
    pool->chunk_bytes = overhead + slot_bytes;
    return true;
}

/* Pushes every slot of a new chunk (chunk_objects >= 1) so that slot 0 is handed out first,
 * then poisons them all: the links are written while the memory is still plain malloc'd. */
static void thread_free_list(struct pool *pool, struct chunk *chunk)
{
    size_t i = pool->chunk_objects;
    do {
        i--;
        struct free_slot *slot = (struct free_slot *)(void *)(chunk->slots + i * pool->stride);
        slot->next = pool->free_list;
        pool->free_list = slot;
    } while (i > 0);
    MEM_NOACCESS(chunk->slots, pool->stride * pool->chunk_objects);
}

/* Allocates a chunk and links it and its slots into the pool; -1 if malloc fails. */
static int add_chunk(struct pool *pool)
{
    struct chunk *chunk = malloc(pool->chunk_bytes);
    if (chunk == NULL)
        return -1;
    unsigned char *after_header = (unsigned char *)chunk + sizeof *chunk;
    chunk->in_use = NULL;
    if (is_checked(pool)) {
        chunk->in_use = after_header;
        memset(chunk->in_use, 0, pool->chunk_objects);
    }
    unsigned char *base = (unsigned char *)chunk + chunk_header_bytes(pool);
    chunk->slots = base + (-(uintptr_t)base & (pool->align - 1));

    chunk->next = pool->chunks;
    pool->chunks = chunk;
    pool->capacity += pool->chunk_objects;
    thread_free_list(pool, chunk);
    return 0;
}

struct pool *pool_create(size_t object_size, size_t align, size_t chunk_objects, unsigned flags)
{
    if (chunk_objects == 0 || (align != 0 && !is_power_of_two(align)))
        return NULL;
    if ((flags & ~(unsigned)(POOL_FIXED | POOL_CHECKED)) != 0)
        return NULL;

    struct pool *pool = malloc(sizeof *pool);
    if (pool == NULL)
        return NULL;
    *pool = (struct pool){.chunk_objects = chunk_objects, .flags = flags};
    pool->align = align < alignof(max_align_t) ? alignof(max_align_t) : align;
    if (!compute_layout(pool, object_size) || add_chunk(pool) != 0) {
        free(pool);
        return NULL;
    }
    SLOTS_CREATE(pool);
    return pool;
}

/* The chunk whose slot area contains p, and p's slot index in *index; NULL if none. */
static struct chunk *find_chunk(const struct pool *pool, const void *p, size_t *index,
                                bool *interior)
{
    size_t span = pool->stride * pool->chunk_objects;
    for (struct chunk *c = pool->chunks; c != NULL; c = c->next) {
        uintptr_t offset = (uintptr_t)p - (uintptr_t)c->slots;
        if (offset < span) {
            *index = offset / pool->stride;
            *interior = offset % pool->stride != 0;
            return c;
        }
    }
    return NULL;
}

/* The pool's own access to a free, poisoned slot: open the link, read it, close it. */
static struct free_slot *read_link(struct free_slot *slot)
{
    MEM_DEFINED(slot, sizeof *slot);
    struct free_slot *next = slot->next;
    MEM_NOACCESS(slot, sizeof *slot);
    return next;
}

/* Hands out the head of the (non-empty) free list: unlinks it, counts it, unpoisons it. */
static void *pop_slot(struct pool *pool)
{
    struct free_slot *slot = pool->free_list;
    pool->free_list = read_link(slot);
    pool->live++;
    SLOT_ALLOC(pool, slot, pool->usable);
    return slot;
}

/*
 * The slow path of pool_alloc(): grows an empty pool, and keeps checked mode's
 * state bytes. Kept out of line (a GCC/Clang attribute) so that the fast path
 * needs no stack frame.
 */
__attribute__((noinline)) static void *alloc_slow(struct pool *pool)
{
    if (pool->free_list == NULL) {
        if ((pool->flags & POOL_FIXED) != 0 || add_chunk(pool) != 0)
            return NULL;
    }
    if (is_checked(pool)) {
        size_t index = 0;
        bool interior = false;
        struct chunk *c = find_chunk(pool, pool->free_list, &index, &interior);
        c->in_use[index] = 1; /* the slot came from our own list: c != NULL */
    }
    return pop_slot(pool);
}

/* Fast path: pop the head of the free list (about 8 instructions at -O2 with -DNDEBUG). */
void *pool_alloc(struct pool *pool)
{
    if (pool->free_list == NULL || is_checked(pool))
        return alloc_slow(pool);
    return pop_slot(pool);
}

/* Checked mode: validates obj and marks its slot free; POOL_OK or the error. */
static int check_and_mark_free(struct pool *pool, const void *obj)
{
    size_t index = 0;
    bool interior = false;
    struct chunk *c = find_chunk(pool, obj, &index, &interior);
    if (c == NULL || interior)
        return POOL_FOREIGN;
    if (c->in_use[index] == 0)
        return POOL_DOUBLE_FREE;
    c->in_use[index] = 0;
    return POOL_OK;
}

/* Takes back a live object: the link goes in while the slot is still the caller's (so a
 * double free writes into a poisoned slot and is reported), then the whole slot is poisoned. */
static void push_slot(struct pool *pool, void *obj)
{
    struct free_slot *slot = obj;
    slot->next = pool->free_list;
    pool->free_list = slot;
    pool->live--;
    SLOT_FREE(pool, obj, pool->stride);
}

/* The slow path of pool_free(): NULL, and checked mode's validation. */
__attribute__((noinline)) static int free_slow(struct pool *pool, void *obj)
{
    if (obj == NULL)
        return POOL_OK;
    int status = check_and_mark_free(pool, obj);
    if (status != POOL_OK)
        return status;
    push_slot(pool, obj);
    return POOL_OK;
}

/* Fast path: push obj on the free list. */
int pool_free(struct pool *pool, void *obj)
{
    if (obj == NULL || is_checked(pool))
        return free_slow(pool, obj);
    push_slot(pool, obj);
    return POOL_OK;
}

size_t pool_live(const struct pool *pool)
{
    return pool->live;
}

size_t pool_capacity(const struct pool *pool)
{
    return pool->capacity;
}

/* Valgrind forgets every slot, live or free; then the chunks go back to malloc (both tools
 * accept freeing poisoned memory). */
void pool_destroy(struct pool *pool)
{
    if (pool == NULL)
        return;
    SLOTS_DESTROY(pool);
    struct chunk *c = pool->chunks;
    while (c != NULL) {
        struct chunk *older = c->next;
        free(c);
        c = older;
    }
    free(pool);
}
