/*
 * pool.c, another design: lazy chunks with a bump cursor, and a live bitmap.
 *
 * How it differs from a pool that threads every new slot onto its free list:
 *   - A chunk is three blocks: a small descriptor (malloc), the slot area
 *     (malloc), and in checked mode a bitmap with one bit per slot (calloc).
 *   - New slots are never threaded: the newest chunk hands them out in
 *     address order through a bump cursor. The free list holds only slots
 *     given back by pool_free, and is used first (last in, first out).
 *   - Checked mode keeps one bit per slot, "live", instead of a state byte.
 *   - Poisoning uses the plain requests only (no mempool): exactly size bytes
 *     of a live object are usable; a free slot is poisoned whole.
 *   - pool_create validates the flags first, then the chunk size, then the
 *     alignment and the chunk count.
 */
#include "pool.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef NDEBUG
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define OPEN(p, n)     ((void)(p), (void)(n))
#else
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
/* No caller may touch these bytes. */
#define POISON(p, n)                                                                               \
    (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
/* A caller's bytes, contents unknown. */
#define UNPOISON(p, n)                                                                             \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
/* The pool's own look at a link it wrote earlier. */
#define OPEN(p, n)                                                                                 \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif

struct link {
    struct link *next;
};

/* One chunk: slots[0 .. n) at stride bytes; live bit i set iff slot i is handed out. */
struct chunk {
    struct chunk *older;
    void *block;          /* what malloc returned for the slots (before alignment) */
    unsigned char *slots; /* slot 0, aligned */
    unsigned char *live;  /* checked mode: ceil(n / 8) bytes of bits; else NULL */
};

/* Invariants: the newest chunk is `chunks`; slots of it at index >= fresh were never handed out;
 * every other free slot is on `free_list`. live + |free_list| + (n - fresh) == capacity. */
struct pool {
    struct chunk *chunks;
    struct link *free_list;
    size_t size, stride, align, n, fresh, live, capacity;
    bool checked, fixed;
};

static size_t slot_area_bytes(const struct pool *pool)
{
    return pool->stride * pool->n + (pool->align - 1);
}

static void drop_chunk(struct chunk *c)
{
    free(c->live);
    free(c->block);
    free(c);
}

/* A new chunk, all its slots poisoned, or NULL with nothing left allocated. */
static struct chunk *new_chunk(const struct pool *pool)
{
    struct chunk *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->live = NULL;
    c->block = malloc(slot_area_bytes(pool));
    if (c->block != NULL && pool->checked)
        c->live = calloc((pool->n + 7) / 8, 1);
    if (c->block == NULL || (pool->checked && c->live == NULL)) {
        drop_chunk(c);
        return NULL;
    }
    uintptr_t at = ((uintptr_t)c->block + pool->align - 1) & ~(uintptr_t)(pool->align - 1);
    c->slots = (unsigned char *)c->block + (at - (uintptr_t)c->block);
    POISON(c->slots, pool->stride * pool->n);
    return c;
}

struct pool *pool_create(size_t object_size, size_t align, size_t chunk_objects, unsigned flags)
{
    if ((flags & ~(unsigned)(POOL_FIXED | POOL_CHECKED)) != 0)
        return NULL;
    if ((align & (align - 1)) != 0 || chunk_objects == 0)
        return NULL;
    size_t a = align > alignof(max_align_t) ? align : alignof(max_align_t);
    size_t need = object_size > sizeof(struct link) ? object_size : sizeof(struct link);
    if (need > SIZE_MAX - (a - 1))
        return NULL;
    size_t stride = (need + a - 1) / a * a;
    if (stride > (SIZE_MAX - (a - 1)) / chunk_objects)
        return NULL;

    struct pool *pool = malloc(sizeof *pool);
    if (pool == NULL)
        return NULL;
    *pool = (struct pool){.size = object_size,
                          .stride = stride,
                          .align = a,
                          .n = chunk_objects,
                          .checked = (flags & POOL_CHECKED) != 0,
                          .fixed = (flags & POOL_FIXED) != 0};
    pool->chunks = new_chunk(pool);
    if (pool->chunks == NULL) {
        free(pool);
        return NULL;
    }
    pool->chunks->older = NULL;
    pool->capacity = chunk_objects;
    return pool;
}

/* The chunk holding p in its slot area, with p's offset from slot 0; NULL if none. */
static struct chunk *chunk_of(const struct pool *pool, const void *p, size_t *offset)
{
    for (struct chunk *c = pool->chunks; c != NULL; c = c->older) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)c->slots;
        if (off < pool->stride * pool->n) {
            *offset = (size_t)off;
            return c;
        }
    }
    return NULL;
}

static void set_live(const struct pool *pool, const void *p, bool value)
{
    size_t off = 0;
    struct chunk *c = chunk_of(pool, p, &off);
    size_t i = off / pool->stride;
    unsigned char bit = (unsigned char)(1u << (i % 8));
    c->live[i / 8] = (unsigned char)(value ? c->live[i / 8] | bit : c->live[i / 8] & ~bit);
}

void *pool_alloc(struct pool *pool)
{
    unsigned char *slot;
    if (pool->free_list != NULL) {
        struct link *head = pool->free_list;
        OPEN(head, sizeof *head);
        pool->free_list = head->next;
        POISON(head, sizeof *head);
        slot = (unsigned char *)head;
    } else {
        if (pool->fresh == pool->n) {
            if (pool->fixed)
                return NULL;
            struct chunk *c = new_chunk(pool);
            if (c == NULL)
                return NULL;
            c->older = pool->chunks;
            pool->chunks = c;
            pool->fresh = 0;
            pool->capacity += pool->n;
        }
        slot = pool->chunks->slots + pool->fresh * pool->stride;
        pool->fresh++;
    }
    pool->live++;
    if (pool->checked)
        set_live(pool, slot, true);
    UNPOISON(slot, pool->size);
    return slot;
}

static int validate(const struct pool *pool, const void *obj)
{
    size_t off = 0;
    struct chunk *c = chunk_of(pool, obj, &off);
    if (c == NULL || off % pool->stride != 0)
        return POOL_FOREIGN;
    size_t i = off / pool->stride;
    if ((c->live[i / 8] & (1u << (i % 8))) == 0)
        return POOL_DOUBLE_FREE;
    return POOL_OK;
}

int pool_free(struct pool *pool, void *obj)
{
    if (obj == NULL)
        return POOL_OK;
    if (pool->checked) {
        int status = validate(pool, obj);
        if (status != POOL_OK)
            return status;
        set_live(pool, obj, false);
    }
    struct link *l = obj;
    OPEN(l, sizeof *l); /* an object smaller than a link has poisoned bytes under it */
    l->next = pool->free_list;
    pool->free_list = l;
    pool->live--;
    POISON(obj, pool->stride);
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

void pool_destroy(struct pool *pool)
{
    if (pool == NULL)
        return;
    while (pool->chunks != NULL) {
        struct chunk *older = pool->chunks->older;
        drop_chunk(pool->chunks);
        pool->chunks = older;
    }
    free(pool);
}
