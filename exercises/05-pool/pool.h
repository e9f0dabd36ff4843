/*
 * pool.h: a fixed-size object pool.
 *
 * A pool hands out objects of one size, in O(1) per allocation and per free,
 * from chunks of slots that it allocates with malloc. A free slot holds the
 * link to the next free slot in its own first bytes (an intrusive free list),
 * so free slots cost no memory beyond themselves.
 *
 * Ownership: the pool owns its chunks and every object it hands out. A caller
 * borrows an object from pool_alloc() until it gives it back with
 * pool_free(). pool_destroy() releases every chunk, live objects included.
 *
 * Invalidation: pool_free(pool, p) invalidates p (the pool reuses its first
 * bytes at once). Growth never moves an object: a pointer stays valid until it
 * is freed or the pool is destroyed. pool_destroy() invalidates them all.
 *
 * Failure: pool_create() returns NULL on bad arguments or when memory runs
 * out, and leaves nothing allocated. pool_alloc() returns NULL when a fixed
 * pool is full or a new chunk cannot be allocated; the pool is then unchanged
 * and later calls may succeed.
 *
 * Checked mode (POOL_CHECKED): pool_free() validates its argument before it
 * writes anything, and reports a double free or a pointer the pool did not
 * hand out instead of corrupting the free list; the pool is left unchanged.
 * Without POOL_CHECKED such a call is undefined behaviour, as with free().
 * Checked mode may use extra bookkeeping memory and may make pool_alloc() and
 * pool_free() cost O(number of chunks).
 *
 * A pool is not thread-safe: callers serialise access to one pool.
 */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

/* Flags for pool_create(), combined with |. */
enum pool_flags {
    POOL_GROWABLE = 0,      /* add a chunk of chunk_objects slots when full */
    POOL_FIXED = 1u << 0,   /* never grow: capacity is chunk_objects for good */
    POOL_CHECKED = 1u << 1, /* pool_free() detects double and foreign frees */
};

/* What pool_free() returns. */
enum pool_status {
    POOL_OK = 0,
    /* obj is the start of a slot of this pool that is not allocated now
     * (already freed, or never handed out). Checked mode only. */
    POOL_DOUBLE_FREE = -1,
    /* obj is not the start of any slot of this pool: memory from elsewhere,
     * another pool's object, or a pointer into the middle of a slot.
     * Checked mode only. */
    POOL_FOREIGN = -2,
};

struct pool; /* opaque: defined in pool.c */

/*
 * Creates a pool of objects of object_size bytes (0 is allowed: each object
 * is still a distinct address), aligned to align bytes. align is 0 (meaning
 * alignof(max_align_t)) or a power of two; an alignment below
 * alignof(max_align_t) is raised to it, so every object suits any type of
 * its size. The pool starts with one chunk of chunk_objects slots, so
 * pool_capacity() is chunk_objects after a successful call.
 *
 * Returns NULL, having allocated nothing, when chunk_objects is 0, align is
 * not 0 or a power of two, flags holds an unknown bit, the size of a chunk
 * would overflow size_t, or memory runs out. The caller owns the pool and
 * releases it with pool_destroy().
 */
struct pool *pool_create(size_t object_size, size_t align, size_t chunk_objects, unsigned flags);

/*
 * Hands out an object of the pool's size and alignment; its contents are
 * indeterminate. The object most recently freed is handed out first (the free
 * list is last in, first out). When no slot is free, a growable pool adds a
 * chunk of chunk_objects slots; a fixed pool returns NULL. Returns NULL,
 * leaving the pool unchanged, when the new chunk cannot be allocated.
 */
void *pool_alloc(struct pool *pool);

/*
 * Gives obj back to the pool and returns POOL_OK. pool_free(pool, NULL) does
 * nothing and returns POOL_OK. In checked mode it returns POOL_DOUBLE_FREE or
 * POOL_FOREIGN (see enum pool_status) for a bad obj, changing nothing.
 */
int pool_free(struct pool *pool, void *obj);

/* The number of objects handed out and not yet freed. */
size_t pool_live(const struct pool *pool);

/* The number of slots in all chunks, live or free. */
size_t pool_capacity(const struct pool *pool);

/* Releases every chunk and the pool itself. pool_destroy(NULL) does nothing. */
void pool_destroy(struct pool *pool);

#endif
