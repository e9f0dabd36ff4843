/*
 * buddy.c: a buddy allocator with one free list per order.
 *
 * Layout. The region is min_block-sized units numbered 0 .. nunits-1. A
 * block of order k covers 2^k units and starts at a unit whose number is a
 * multiple of 2^k; its buddy starts at (unit ^ 2^k), which is the same as
 * (offset ^ (min_block << k)) in bytes. Offsets, never absolute addresses:
 * the region need not be aligned to its own size.
 *
 * Side table (malloc'd, never inside the region): tag[u] describes the
 * block that starts at unit u.
 *   tag[u] == 0                    u is not the first unit of a block
 *   tag[u] == order + 1            a free block of that order starts at u
 *   tag[u] == (order + 1) | USED   an allocated block starts at u
 * requested[u] holds the size asked for, at the first unit of an allocated
 * block only.
 *
 * Free lists: free_list[k] is a doubly linked list of the free blocks of
 * order k, linked through the blocks themselves (a free block belongs to the
 * allocator), so unlinking a buddy is O(1).
 *
 * Invariants:
 *   every unit belongs to exactly one block, free or allocated;
 *   a block is on free_list[k] <=> its tag is k + 1;
 *   no two free buddies of the same order exist (they would have merged);
 *   free bytes + used_bytes == size; free_count[k] == length of free_list[k];
 *   checked builds: every free block is poisoned whole, links included, and
 *   every allocated block is unpoisoned whole.
 *
 * Poisoning (chapter 8.10): a free block is the allocator's, so AddressSanitizer
 * and Valgrind are told that no caller may touch it. The allocator itself
 * reads and writes the links of free blocks (its own and their neighbours' on
 * the list) by opening them for that one access. Built with -DNDEBUG the
 * requests vanish.
 */
#include "buddy.h"

#include <stdint.h>
#include <stdlib.h>

/* Client requests for the checkers, compiled out with -DNDEBUG (chapter 8.10).
 * MEM_*: poison or open bytes of the region. BLOCKS_*: Valgrind's mempool,
 * anchored at the struct buddy, which tracks the blocks handed out. */
#ifdef NDEBUG
#define MEM_NOACCESS(p, n)   ((void)(p), (void)(n))
#define MEM_DEFINED(p, n)    ((void)(p), (void)(n))
#define BLOCKS_CREATE(b)     ((void)(b))
#define BLOCK_ALLOC(b, p, n) ((void)(b), (void)(p), (void)(n))
#define BLOCK_FREE(b, p, n)  ((void)(b), (void)(p), (void)(n))
#define BLOCKS_DESTROY(b)    ((void)(b))
#else
#include <sanitizer/asan_interface.h> /* no-ops unless built with -fsanitize=address */
#include <valgrind/memcheck.h>        /* no-ops unless run under Valgrind */
#define MEM_NOACCESS(p, n)                                                                         \
    (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define MEM_DEFINED(p, n)                                                                          \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define BLOCKS_CREATE(b) VALGRIND_CREATE_MEMPOOL((b), 0, 0)
#define BLOCK_ALLOC(b, p, n)                                                                       \
    do {                                                                                           \
        ASAN_UNPOISON_MEMORY_REGION((p), (n));                                                     \
        VALGRIND_MEMPOOL_ALLOC((b), (p), (n));                                                     \
    } while (0)
#define BLOCK_FREE(b, p, n)                                                                        \
    do {                                                                                           \
        VALGRIND_MEMPOOL_FREE((b), (p));                                                           \
        ASAN_POISON_MEMORY_REGION((p), (n));                                                       \
    } while (0)
#define BLOCKS_DESTROY(b) VALGRIND_DESTROY_MEMPOOL(b)
#endif

enum { TAG_USED = 0x80, TAG_ORDER_MASK = 0x7f };

struct free_node {
    struct free_node *prev;
    struct free_node *next;
};

struct buddy {
    unsigned char *base;
    size_t size;        /* bytes in the region, a power of two */
    size_t min_block;   /* bytes in an order-0 block, a power of two */
    unsigned min_shift; /* min_block == (size_t)1 << min_shift */
    unsigned top_order; /* size == min_block << top_order */
    unsigned char *tag; /* one per unit, see above */
    size_t *requested;  /* one per unit, see above */
    size_t used_bytes;
    size_t requested_bytes;
    struct free_node *free_list[BUDDY_MAX_ORDERS];
    size_t free_count[BUDDY_MAX_ORDERS];
};

static int is_power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static unsigned log2_exact(size_t x)
{
    unsigned n = 0;
    while (x > 1) {
        x >>= 1;
        n++;
    }
    return n;
}

static size_t unit_of(const struct buddy *b, size_t offset)
{
    return offset >> b->min_shift;
}

static size_t order_size(const struct buddy *b, unsigned order)
{
    return b->min_block << order;
}

/* ---- free lists --------------------------------------------------------- */

/* A free block's links are poisoned with the rest of it; these open them for
 * the one access the allocator makes, and close them again. */
static void open_links(struct free_node *node)
{
    MEM_DEFINED(node, sizeof *node);
}

static void close_links(struct free_node *node)
{
    MEM_NOACCESS(node, sizeof *node);
}

/* Pushes the (poisoned) free block at offset on the list of its order. */
static void list_push(struct buddy *b, size_t offset, unsigned order)
{
    struct free_node *node = (struct free_node *)(void *)(b->base + offset);
    struct free_node *old = b->free_list[order];
    open_links(node);
    node->prev = NULL;
    node->next = old;
    close_links(node);
    if (old != NULL) {
        open_links(old);
        old->prev = node;
        close_links(old);
    }
    b->free_list[order] = node;
    b->free_count[order]++;
    b->tag[unit_of(b, offset)] = (unsigned char)(order + 1);
}

/* Unlinks a free block from the list of its order in O(1); it stays poisoned. */
static void list_unlink(struct buddy *b, struct free_node *node, unsigned order)
{
    open_links(node);
    struct free_node *prev = node->prev;
    struct free_node *next = node->next;
    close_links(node);
    if (prev != NULL) {
        open_links(prev);
        prev->next = next;
        close_links(prev);
    } else {
        b->free_list[order] = next;
    }
    if (next != NULL) {
        open_links(next);
        next->prev = prev;
        close_links(next);
    }
    b->free_count[order]--;
}

static size_t offset_of(const struct buddy *b, const void *p)
{
    return (size_t)((uintptr_t)p - (uintptr_t)b->base);
}

/* ---- create and destroy ------------------------------------------------- */

struct buddy *buddy_create(void *region, size_t region_size, size_t min_block)
{
    if (region == NULL || (uintptr_t)region % BUDDY_ALIGN != 0)
        return NULL;
    if (!is_power_of_two(region_size) || !is_power_of_two(min_block))
        return NULL;
    if (min_block < BUDDY_MIN_BLOCK || min_block > region_size)
        return NULL;

    /* nunits >= 1; calloc checks nunits * size for overflow. */
    size_t nunits = region_size / min_block;
    struct buddy *b = calloc(1, sizeof *b);
    if (b == NULL)
        goto out;
    b->tag = calloc(nunits, sizeof *b->tag);
    if (b->tag == NULL)
        goto out_free_buddy;
    b->requested = calloc(nunits, sizeof *b->requested);
    if (b->requested == NULL)
        goto out_free_tag;

    b->base = region;
    b->size = region_size;
    b->min_block = min_block;
    b->min_shift = log2_exact(min_block);
    b->top_order = log2_exact(region_size / min_block);
    MEM_NOACCESS(region, region_size); /* the whole region is one free block */
    BLOCKS_CREATE(b);
    list_push(b, 0, b->top_order);
    return b;

out_free_tag:
    free(b->tag);
out_free_buddy:
    free(b);
out:
    return NULL;
}

/* The region goes back to the caller as it was lent: every byte usable. */
void buddy_destroy(struct buddy *b)
{
    if (b == NULL)
        return;
    BLOCKS_DESTROY(b);
    MEM_DEFINED(b->base, b->size);
    free(b->requested);
    free(b->tag);
    free(b);
}

/* ---- alloc -------------------------------------------------------------- */

/* Smallest order whose blocks hold size bytes; size <= b->size, so the
 * shift cannot overflow. */
static unsigned order_for(const struct buddy *b, size_t size)
{
    unsigned order = 0;
    while (order_size(b, order) < size)
        order++;
    return order;
}

void *buddy_alloc(struct buddy *b, size_t size)
{
    if (size == 0 || size > b->size)
        return NULL;
    unsigned want = order_for(b, size);
    unsigned k = want;
    while (k <= b->top_order && b->free_list[k] == NULL)
        k++;
    if (k > b->top_order)
        return NULL;

    struct free_node *node = b->free_list[k];
    list_unlink(b, node, k);
    size_t offset = offset_of(b, node);
    /* Split: keep the lower half, free the upper half (the buddy). */
    while (k > want) {
        k--;
        list_push(b, offset + order_size(b, k), k);
    }
    size_t unit = unit_of(b, offset);
    b->tag[unit] = (unsigned char)((want + 1) | TAG_USED);
    b->requested[unit] = size;
    b->used_bytes += order_size(b, want);
    b->requested_bytes += size;
    BLOCK_ALLOC(b, b->base + offset, order_size(b, want)); /* the caller may write all of it */
    return b->base + offset;
}

/* ---- free --------------------------------------------------------------- */

/* The order of the allocated block that starts at p; -1 if there is none. */
static int allocated_order(const struct buddy *b, const void *p)
{
    uintptr_t addr = (uintptr_t)p;
    uintptr_t start = (uintptr_t)b->base;
    if (p == NULL || addr < start || addr - start >= b->size)
        return -1;
    size_t offset = (size_t)(addr - start);
    if ((offset & (b->min_block - 1)) != 0)
        return -1;
    unsigned tag = b->tag[unit_of(b, offset)];
    if ((tag & TAG_USED) == 0)
        return -1;
    return (int)(tag & TAG_ORDER_MASK) - 1;
}

int buddy_free(struct buddy *b, void *p)
{
    if (p == NULL)
        return 0;
    int found = allocated_order(b, p);
    if (found < 0)
        return -1;
    unsigned order = (unsigned)found;
    size_t offset = offset_of(b, p);
    size_t unit = unit_of(b, offset);
    b->used_bytes -= order_size(b, order);
    b->requested_bytes -= b->requested[unit];
    b->tag[unit] = 0;
    BLOCK_FREE(b, p, order_size(b, order)); /* validated: from now on the block is ours */

    /* Coalesce while the buddy is a free block of the same order. */
    while (order < b->top_order) {
        size_t buddy = offset ^ order_size(b, order);
        size_t buddy_unit = unit_of(b, buddy);
        if (b->tag[buddy_unit] != order + 1)
            break;
        list_unlink(b, (struct free_node *)(void *)(b->base + buddy), order);
        b->tag[buddy_unit] = 0;
        offset &= ~order_size(b, order);
        order++;
    }
    list_push(b, offset, order);
    return 0;
}

/* ---- queries ------------------------------------------------------------ */

size_t buddy_block_size(const struct buddy *b, const void *p)
{
    int order = allocated_order(b, p);
    return order < 0 ? 0 : order_size(b, (unsigned)order);
}

void buddy_stats(const struct buddy *b, struct buddy_stats *out)
{
    *out = (struct buddy_stats){0};
    for (unsigned k = 0; k <= b->top_order; k++) {
        out->free_blocks[k] = b->free_count[k];
        out->free_bytes += b->free_count[k] * order_size(b, k);
        if (b->free_count[k] != 0)
            out->largest_free = order_size(b, k);
    }
    out->used_bytes = b->used_bytes;
    out->requested_bytes = b->requested_bytes;
    out->internal_fragmentation = b->used_bytes - b->requested_bytes;
}
