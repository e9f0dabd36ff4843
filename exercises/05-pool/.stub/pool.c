/*
 * pool.c: a fixed-size object pool with an intrusive free list.
 *
 * Read pool.h for the contract and README.md for the plan. Define
 * struct pool here: you choose what it holds. Write its invariants beside it.
 */
#include "pool.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pool {
    /* TODO: the free list, the list of chunks, the slot stride and
     * alignment, the live count, the capacity and the flags. */
    size_t live;
};

struct pool *pool_create(size_t object_size, size_t align, size_t chunk_objects, unsigned flags)
{
    /* TODO: validate the arguments, work out the slot stride (room for the
     * free-list link, a multiple of the alignment) and the chunk size without
     * overflow, allocate the pool and its first chunk, and thread the free
     * list through the chunk's slots. Free everything on failure. */
    (void)object_size;
    (void)align;
    (void)chunk_objects;
    (void)flags;
    return NULL;
}

void *pool_alloc(struct pool *pool)
{
    /* TODO: pop the head of the free list; when it is empty, add a chunk
     * (growable pools only). In checked mode, mark the slot as in use. */
    (void)pool;
    return NULL;
}

int pool_free(struct pool *pool, void *obj)
{
    /* TODO: NULL is a no-op. In checked mode, reject a pointer that is not
     * the start of one of this pool's slots (POOL_FOREIGN) or a slot that is
     * already free (POOL_DOUBLE_FREE) before writing anything. Then push the
     * slot onto the free list. */
    (void)pool;
    (void)obj;
    return POOL_FOREIGN;
}

size_t pool_live(const struct pool *pool)
{
    /* TODO: return the number of objects handed out and not yet freed. */
    (void)pool;
    return 0;
}

size_t pool_capacity(const struct pool *pool)
{
    /* TODO: return the number of slots in all chunks. */
    (void)pool;
    return 0;
}

void pool_destroy(struct pool *pool)
{
    /* TODO: free every chunk (not just the newest one), then the pool. */
    (void)pool;
}
