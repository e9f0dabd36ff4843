/*
 * buddy.h: a buddy allocator over a region the caller provides.
 *
 * The region holds 2^k bytes and is cut into blocks whose sizes are
 * min_block << order, for order 0 up to the top order (one block: the whole
 * region). buddy_alloc() rounds a request up to the smallest order that
 * holds it and splits a larger free block if it must; buddy_free() merges a
 * block with its buddy, again and again, while the buddy is free and of the
 * same order.
 *
 * Ownership: the caller owns the region and must keep it alive, untouched,
 * until buddy_destroy(). The allocator owns its own bookkeeping (allocated
 * with malloc by buddy_create(), released by buddy_destroy()). Every block
 * buddy_alloc() returns belongs to the caller until it is passed back to
 * buddy_free() on the same allocator; the caller may write all of it.
 * The order and the state of every block are kept outside the region, so a
 * caller that writes its whole block corrupts nothing. Free blocks are the
 * allocator's: it may keep its free-list links inside them.
 *
 * Invalidation: buddy_free(b, p) invalidates p. buddy_destroy(b) invalidates
 * b and every block it handed out; the region itself is left as it is.
 *
 * Failure policy: buddy_create() returns NULL on bad arguments or when
 * malloc fails, and then leaks nothing. buddy_alloc() returns NULL when no
 * block is large enough (or size is 0) and changes nothing. buddy_free()
 * returns -1 for a pointer it did not hand out or that is already free
 * (outside the region, inside a block, freed twice) and changes nothing.
 * No call aborts.
 */
#ifndef BUDDY_H
#define BUDDY_H

#include <stddef.h>

/* The smallest min_block accepted: a free block must hold two pointers. The
 * region must be aligned to BUDDY_ALIGN; every block then is too. */
#define BUDDY_MIN_BLOCK  16
#define BUDDY_ALIGN      16
#define BUDDY_MAX_ORDERS 64

struct buddy; /* opaque: you define it in buddy.c */

/* What the allocator holds right now. Sizes are in bytes.
 * Invariant: free_bytes + used_bytes == region size;
 *            internal_fragmentation == used_bytes - requested_bytes;
 *            free_bytes == sum over k of free_blocks[k] * (min_block << k). */
struct buddy_stats {
    size_t free_bytes;                    /* bytes in free blocks */
    size_t largest_free;                  /* size of the largest free block; 0 if none */
    size_t used_bytes;                    /* bytes in allocated blocks (rounded sizes) */
    size_t requested_bytes;               /* sum of the sizes asked for by live blocks */
    size_t internal_fragmentation;        /* used_bytes - requested_bytes */
    size_t free_blocks[BUDDY_MAX_ORDERS]; /* number of free blocks of each order */
};

/* Makes an allocator over region[0 .. region_size). region_size and
 * min_block must be powers of two with BUDDY_MIN_BLOCK <= min_block <=
 * region_size, and region must be non-NULL and aligned to BUDDY_ALIGN;
 * otherwise returns NULL. The whole region starts as one free block. */
struct buddy *buddy_create(void *region, size_t region_size, size_t min_block);

/* Releases the allocator's bookkeeping (not the region). NULL is a no-op. */
void buddy_destroy(struct buddy *b);

/* Returns a block of at least size bytes: the smallest order that holds
 * size, aligned to BUDDY_ALIGN. Returns NULL if size is 0 or larger than any
 * free block can satisfy (never overflows on huge sizes). */
void *buddy_alloc(struct buddy *b, size_t size);

/* Gives p back and coalesces it with its buddy as long as possible.
 * Returns 0 when p was freed or is NULL, -1 when p is not the start of a
 * block that is currently allocated (nothing is changed then). */
int buddy_free(struct buddy *b, void *p);

/* Size of the allocated block that starts at p, or 0 if p is not one. */
size_t buddy_block_size(const struct buddy *b, const void *p);

/* Fills *out with the current statistics. */
void buddy_stats(const struct buddy *b, struct buddy_stats *out);

#endif
