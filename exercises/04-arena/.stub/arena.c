/*
 * arena.c: a bump allocator over a fixed buffer or over chained blocks.
 *
 * Read README.md and the contract in arena.h first, then chapter 6.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* TODO: two macros that poison and unpoison memory for ASan and Valgrind,
 * compiled out with -DNDEBUG (README.md, "Poisoning"; chapter 6.6). */

/* TODO: define struct arena_block (declared in arena.h): what a block needs
 * to be chained, freed and counted, followed by its data. Write its
 * invariants beside it. */

void arena_init_buffer(struct arena *a, void *buffer, size_t size)
{
    /* TODO: set the arena up in fixed mode over buffer[0, size). */
    (void)a;
    (void)buffer;
    (void)size;
}

int arena_init(struct arena *a, size_t block_size)
{
    /* TODO: set the arena up in chained mode and malloc its first block. */
    (void)a;
    (void)block_size;
    return -1;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
    /* TODO: check align, round the bump pointer up, hand out size bytes;
     * when they do not fit, grow (chained mode) or fail (fixed mode). */
    (void)a;
    (void)size;
    (void)align;
    return NULL;
}

void *arena_alloc_array(struct arena *a, size_t count, size_t size, size_t align)
{
    /* TODO: count * size bytes, refusing a product that overflows. */
    (void)a;
    (void)count;
    (void)size;
    (void)align;
    return NULL;
}

void *arena_calloc(struct arena *a, size_t count, size_t size, size_t align)
{
    /* TODO: like arena_alloc_array, with every byte zero. */
    (void)a;
    (void)count;
    (void)size;
    (void)align;
    return NULL;
}

struct arena_mark arena_save(const struct arena *a)
{
    /* TODO: record where the arena stands. */
    (void)a;
    struct arena_mark mark = {NULL, NULL, 0};
    return mark;
}

void arena_restore(struct arena *a, struct arena_mark mark)
{
    /* TODO: free what was malloc'd since mark and go back to it. */
    (void)a;
    (void)mark;
}

void arena_reset(struct arena *a)
{
    /* TODO: forget every allocation; keep one block for reuse. */
    (void)a;
}

void arena_destroy(struct arena *a)
{
    /* TODO: free every block and leave an arena that holds nothing. */
    (void)a;
}

struct arena_stats arena_stats(const struct arena *a)
{
    /* TODO: count bytes used, bytes reserved and blocks. */
    (void)a;
    struct arena_stats s = {0, 0, 0};
    return s;
}
