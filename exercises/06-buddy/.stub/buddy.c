/*
 * buddy.c: your buddy allocator. Read buddy.h for the contract and
 * chapters/08-buddy-system.md before you start.
 */
#include "buddy.h"

#include <stdint.h>
#include <stdlib.h>

/* TODO: define the allocator's bookkeeping. Keep the order and the state of
 * every block outside the region (a side table), and one free list per
 * order. */
struct buddy {
    int todo;
};

struct buddy *buddy_create(void *region, size_t region_size, size_t min_block)
{
    /* TODO: check the arguments, allocate the bookkeeping (leak nothing if a
     * malloc fails), and make the whole region one free block. */
    (void)region;
    (void)region_size;
    (void)min_block;
    return NULL;
}

void buddy_destroy(struct buddy *b)
{
    /* TODO: free everything buddy_create() allocated; NULL is a no-op. */
    (void)b;
}

void *buddy_alloc(struct buddy *b, size_t size)
{
    /* TODO: round size up to an order, take a free block of that order or
     * split a larger one, and record the new block's order in the side
     * table. */
    (void)b;
    (void)size;
    return NULL;
}

int buddy_free(struct buddy *b, void *p)
{
    /* TODO: reject what is not an allocated block, then merge with the buddy
     * (offset XOR block size) while it is free and of the same order. */
    (void)b;
    (void)p;
    return -1;
}

size_t buddy_block_size(const struct buddy *b, const void *p)
{
    /* TODO: the size of the allocated block at p, or 0. */
    (void)b;
    (void)p;
    return 0;
}

void buddy_stats(const struct buddy *b, struct buddy_stats *out)
{
    /* TODO: fill *out; see the invariants beside struct buddy_stats. */
    (void)b;
    if (out != NULL)
        *out = (struct buddy_stats){0};
}
