/*
 * pool.c, another design: the pool lives in its first chunk.
 *
 * How it differs from a pool with a separate struct and one block per chunk:
 *   - pool_create makes exactly one malloc: the struct pool, the first
 *     chunk's header and state bytes, and its slots, in one block. Each later
 *     chunk is one more block, appended at the tail of the chunk list.
 *   - A new chunk's slots are threaded so that its LAST slot is handed out
 *     first (any order is allowed for fresh slots).
 *   - Checked mode keeps three states per slot: never handed out, live, freed.
 *   - Poisoning: Valgrind's mempool describes exactly size bytes per object
 *     (not the link's 8 for smaller objects); pool_free opens the link's bytes
 *     itself when the object is smaller than a link.
 */
#include "pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef NDEBUG
#define NOACCESS(p, n)        ((void)(p), (void)(n))
#define WRITABLE(p, n)        ((void)(p), (void)(n))
#define READABLE(p, n)        ((void)(p), (void)(n))
#define OBJ_CREATE(pool)      ((void)(pool))
#define OBJ_ALLOC(pool, p, n) ((void)(pool), (void)(p), (void)(n))
#define OBJ_FREE(pool, p)     ((void)(pool), (void)(p))
#define OBJ_DESTROY(pool)     ((void)(pool))
#else
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
#define NOACCESS(p, n)                                                                             \
    (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define WRITABLE(p, n)                                                                             \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define READABLE(p, n)                                                                             \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define OBJ_CREATE(pool) VALGRIND_CREATE_MEMPOOL((pool), 0, 0)
#define OBJ_ALLOC(pool, p, n)                                                                      \
    do {                                                                                           \
        ASAN_UNPOISON_MEMORY_REGION((p), (n));                                                     \
        VALGRIND_MEMPOOL_ALLOC((pool), (p), (n));                                                  \
    } while (0)
#define OBJ_FREE(pool, p) VALGRIND_MEMPOOL_FREE((pool), (p))
#define OBJ_DESTROY(pool) VALGRIND_DESTROY_MEMPOOL(pool)
#endif

enum { NEVER = 0, LIVE = 1, FREED = 2 };

struct slot_link {
    struct slot_link *next;
};

/* A chunk's block: this header, the state bytes (checked mode), padding, the slots. */
struct chunk {
    struct chunk *next; /* the next newer chunk, or NULL for the newest */
    unsigned char *slots;
    unsigned char state[]; /* checked mode: one of NEVER, LIVE, FREED per slot */
};

/* The pool, followed in the same block by its first chunk. The free list holds every slot
 * that is not live; fresh slots of a new chunk go on it at once. */
struct pool {
    struct slot_link *free_list;
    struct chunk *first, *last;
    size_t size, stride, align, per_chunk, chunk_bytes, live, chunks;
    unsigned flags;
};

static size_t header_bytes(const struct pool *pool)
{
    return sizeof(struct chunk) + ((pool->flags & POOL_CHECKED) != 0 ? pool->per_chunk : 0);
}

/* Lays out a chunk in the block at mem and puts its slots on the free list, last slot on top.
 * The slots are poisoned once threaded. */
static struct chunk *init_chunk(struct pool *pool, void *mem)
{
    struct chunk *c = mem;
    c->next = NULL;
    if ((pool->flags & POOL_CHECKED) != 0)
        memset(c->state, NEVER, pool->per_chunk);
    uintptr_t start = (uintptr_t)c + header_bytes(pool);
    uintptr_t aligned = (start + pool->align - 1) & ~(uintptr_t)(pool->align - 1);
    c->slots = (unsigned char *)c + (aligned - (uintptr_t)c);
    for (size_t i = 0; i < pool->per_chunk; i++) {
        struct slot_link *s = (struct slot_link *)(void *)(c->slots + i * pool->stride);
        s->next = pool->free_list;
        pool->free_list = s;
    }
    NOACCESS(c->slots, pool->stride * pool->per_chunk);
    if (pool->last != NULL)
        pool->last->next = c;
    else
        pool->first = c;
    pool->last = c;
    pool->chunks++;
    return c;
}

struct pool *pool_create(size_t object_size, size_t align, size_t chunk_objects, unsigned flags)
{
    if (chunk_objects == 0)
        return NULL;
    if (align != 0 && (align & (align - 1)) != 0)
        return NULL;
    if ((flags | POOL_FIXED | POOL_CHECKED) != (POOL_FIXED | POOL_CHECKED))
        return NULL;
    struct pool shape = {.size = object_size, .per_chunk = chunk_objects, .flags = flags};
    shape.align = align < alignof(max_align_t) ? alignof(max_align_t) : align;
    size_t room = object_size < sizeof(struct slot_link) ? sizeof(struct slot_link) : object_size;
    size_t rest = room % shape.align;
    if (rest != 0 && room > SIZE_MAX - (shape.align - rest))
        return NULL;
    shape.stride = rest == 0 ? room : room + (shape.align - rest);
    /* Per slot: stride bytes and at most one state byte; per block: the pool, a chunk header
     * and the padding. All of it must fit in a size_t (stride + 1 cannot wrap: stride is a
     * multiple of an alignment of at least 16). */
    size_t fixed = sizeof(struct pool) + sizeof(struct chunk) + (shape.align - 1);
    if (chunk_objects > (SIZE_MAX - fixed) / (shape.stride + 1))
        return NULL;
    shape.chunk_bytes = header_bytes(&shape) + (shape.align - 1) + shape.stride * chunk_objects;

    struct pool *pool = malloc(sizeof(struct pool) + shape.chunk_bytes);
    if (pool == NULL)
        return NULL;
    *pool = shape;
    init_chunk(pool, pool + 1);
    OBJ_CREATE(pool);
    return pool;
}

/* The chunk whose slots hold p, with p's slot index; NULL if p is in none, or not at a start. */
static struct chunk *locate(const struct pool *pool, const void *p, size_t *index, int *inside)
{
    for (struct chunk *c = pool->first; c != NULL; c = c->next) {
        uintptr_t d = (uintptr_t)p - (uintptr_t)c->slots;
        if (d >= pool->stride * pool->per_chunk)
            continue;
        *index = d / pool->stride;
        *inside = d % pool->stride != 0;
        return c;
    }
    return NULL;
}

void *pool_alloc(struct pool *pool)
{
    if (pool->free_list == NULL) {
        if ((pool->flags & POOL_FIXED) != 0)
            return NULL;
        void *mem = malloc(pool->chunk_bytes);
        if (mem == NULL)
            return NULL;
        init_chunk(pool, mem);
    }
    struct slot_link *s = pool->free_list;
    if (s == NULL) /* cannot happen: a chunk holds at least one slot */
        return NULL;
    READABLE(s, sizeof *s);
    pool->free_list = s->next;
    NOACCESS(s, sizeof *s);
    size_t index = 0;
    int inside = 0;
    struct chunk *c = (pool->flags & POOL_CHECKED) != 0 ? locate(pool, s, &index, &inside) : NULL;
    if (c != NULL) /* in checked mode always: s is one of our slots */
        c->state[index] = LIVE;
    pool->live++;
    OBJ_ALLOC(pool, s, pool->size);
    return s;
}

int pool_free(struct pool *pool, void *obj)
{
    if (obj == NULL)
        return POOL_OK;
    if ((pool->flags & POOL_CHECKED) != 0) {
        size_t index = 0;
        int inside = 0;
        struct chunk *c = locate(pool, obj, &index, &inside);
        if (c == NULL || inside)
            return POOL_FOREIGN;
        if (c->state[index] != LIVE)
            return POOL_DOUBLE_FREE;
        c->state[index] = FREED;
    }
    OBJ_FREE(pool, obj);
    struct slot_link *s = obj;
    WRITABLE(s, sizeof *s);
    s->next = pool->free_list;
    pool->free_list = s;
    NOACCESS(obj, pool->stride);
    pool->live--;
    return POOL_OK;
}

size_t pool_live(const struct pool *pool)
{
    return pool->live;
}

size_t pool_capacity(const struct pool *pool)
{
    return pool->chunks * pool->per_chunk;
}

void pool_destroy(struct pool *pool)
{
    if (pool == NULL)
        return;
    OBJ_DESTROY(pool);
    struct chunk *c = pool->first->next; /* the first chunk lives in the pool's own block */
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(pool);
}
