/*
 * buddy.c, another design: circular lists with sentinels, recursive split and merge.
 *
 * How it differs from a design with NULL-terminated lists and loops:
 *   - Each order's free list is circular, with a sentinel node inside the
 *     struct buddy; a free block links to other free blocks or to a sentinel.
 *   - The side table is one 16-bit word per unit from malloc (cleared with
 *     memset): bit 15 "allocated", the low bits the order + 1. The requested
 *     sizes live in a second malloc'd array, written only for allocated blocks.
 *   - take() splits by recursion (a block of order k is the lower half of one
 *     of order k + 1), and give() merges by recursion.
 *   - The arguments are checked in another order, and min_block's power of two
 *     is found by counting its trailing zero bits.
 */
#include "buddy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef NDEBUG
#define SHUT(p, n)         ((void)(p), (void)(n))
#define OPEN(p, n)         ((void)(p), (void)(n))
#define POOL_NEW(b)        ((void)(b))
#define POOL_GIVE(b, p, n) ((void)(b), (void)(p), (void)(n))
#define POOL_TAKE(b, p, n) ((void)(b), (void)(p), (void)(n))
#define POOL_END(b)        ((void)(b))
#else
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
#define SHUT(p, n) (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define OPEN(p, n)                                                                                 \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define POOL_NEW(b) VALGRIND_CREATE_MEMPOOL((b), 0, 0)
/* A block handed to the caller. */
#define POOL_GIVE(b, p, n)                                                                         \
    do {                                                                                           \
        ASAN_UNPOISON_MEMORY_REGION((p), (n));                                                     \
        VALGRIND_MEMPOOL_ALLOC((b), (p), (n));                                                     \
    } while (0)
/* A block taken back from the caller. */
#define POOL_TAKE(b, p, n)                                                                         \
    do {                                                                                           \
        VALGRIND_MEMPOOL_FREE((b), (p));                                                           \
        ASAN_POISON_MEMORY_REGION((p), (n));                                                       \
    } while (0)
#define POOL_END(b) VALGRIND_DESTROY_MEMPOOL(b)
#endif

enum { ALLOCATED = 0x8000 };

struct node {
    struct node *prev, *next;
};

struct buddy {
    unsigned char *region;
    size_t bytes;
    size_t min;
    unsigned shift; /* min == 1 << shift */
    unsigned top;
    uint16_t *side; /* per unit: 0, or order + 1 (| ALLOCATED) for the block starting there */
    size_t *asked;  /* per unit: the request of the allocated block starting there */
    size_t used, requested;
    size_t count[BUDDY_MAX_ORDERS];
    struct node list[BUDDY_MAX_ORDERS]; /* sentinels: list[k].next is the newest free block */
};

/* A node inside the region is poisoned: open it around each access. Sentinels are ours. */
static int in_region(const struct buddy *b, const struct node *n)
{
    return (uintptr_t)n - (uintptr_t)b->region < b->bytes;
}

static void set_prev(struct buddy *b, struct node *n, struct node *prev)
{
    if (in_region(b, n))
        OPEN(n, sizeof *n);
    n->prev = prev;
    if (in_region(b, n))
        SHUT(n, sizeof *n);
}

static void set_next(struct buddy *b, struct node *n, struct node *next)
{
    if (in_region(b, n))
        OPEN(n, sizeof *n);
    n->next = next;
    if (in_region(b, n))
        SHUT(n, sizeof *n);
}

static struct node get(const struct buddy *b, struct node *n)
{
    if (in_region(b, n))
        OPEN(n, sizeof *n);
    struct node copy = *n;
    if (in_region(b, n))
        SHUT(n, sizeof *n);
    return copy;
}

static struct node *at(const struct buddy *b, size_t off)
{
    return (struct node *)(void *)(b->region + off);
}

static size_t block_bytes(const struct buddy *b, unsigned order)
{
    return b->min << order;
}

/* Puts the free block at off first on the list of its order. */
static void put(struct buddy *b, size_t off, unsigned order)
{
    struct node *n = at(b, off);
    struct node *head = &b->list[order];
    struct node *first = head->next;
    OPEN(n, sizeof *n);
    n->prev = head;
    n->next = first;
    SHUT(n, sizeof *n);
    set_prev(b, first, n);
    head->next = n;
    b->count[order]++;
    b->side[off >> b->shift] = (uint16_t)(order + 1);
}

static void cut(struct buddy *b, size_t off, unsigned order)
{
    struct node *n = at(b, off);
    struct node links = get(b, n);
    set_next(b, links.prev, links.next);
    set_prev(b, links.next, links.prev);
    b->count[order]--;
    b->side[off >> b->shift] = 0;
}

/* The offset of a free block of this order, taken off its list (splitting a larger block
 * when none is free, keeping the lower half); SIZE_MAX when there is none. */
static size_t take(struct buddy *b, unsigned order)
{
    struct node *head = &b->list[order];
    if (head->next != head) {
        size_t off = (size_t)((unsigned char *)head->next - b->region);
        cut(b, off, order);
        return off;
    }
    if (order == b->top)
        return SIZE_MAX;
    size_t off = take(b, order + 1);
    if (off != SIZE_MAX)
        put(b, off + block_bytes(b, order), order);
    return off;
}

/* Frees the block at off of this order, merging it with its buddy while that is free. */
static void give(struct buddy *b, size_t off, unsigned order)
{
    if (order < b->top) {
        size_t buddy = off ^ block_bytes(b, order);
        if (b->side[buddy >> b->shift] == order + 1) {
            cut(b, buddy, order);
            give(b, off < buddy ? off : buddy, order + 1);
            return;
        }
    }
    put(b, off, order);
}

struct buddy *buddy_create(void *region, size_t region_size, size_t min_block)
{
    if (min_block < BUDDY_MIN_BLOCK || min_block > region_size)
        return NULL;
    unsigned shift = 0;
    while (((min_block >> shift) & 1) == 0)
        shift++;
    if (min_block != (size_t)1 << shift || (region_size & (region_size - 1)) != 0)
        return NULL;
    if (region == NULL || (uintptr_t)region % BUDDY_ALIGN != 0)
        return NULL;
    size_t units = region_size >> shift;
    if (units > SIZE_MAX / sizeof(size_t))
        return NULL;
    struct buddy *b = malloc(sizeof *b);
    if (b == NULL)
        return NULL;
    b->side = malloc(units * sizeof *b->side);
    b->asked = b->side != NULL ? malloc(units * sizeof *b->asked) : NULL;
    if (b->asked == NULL) {
        free(b->side);
        free(b);
        return NULL;
    }
    memset(b->side, 0, units * sizeof *b->side);
    b->region = region;
    b->bytes = region_size;
    b->min = min_block;
    b->shift = shift;
    b->top = 0;
    while (block_bytes(b, b->top) < region_size)
        b->top++;
    b->used = b->requested = 0;
    for (unsigned k = 0; k < BUDDY_MAX_ORDERS; k++) {
        b->count[k] = 0;
        b->list[k].prev = b->list[k].next = &b->list[k];
    }
    SHUT(region, region_size);
    POOL_NEW(b);
    put(b, 0, b->top);
    return b;
}

void buddy_destroy(struct buddy *b)
{
    if (b == NULL)
        return;
    POOL_END(b);
    OPEN(b->region, b->bytes);
    free(b->asked);
    free(b->side);
    free(b);
}

void *buddy_alloc(struct buddy *b, size_t size)
{
    if (size == 0 || size > b->bytes)
        return NULL;
    unsigned order = 0;
    while (block_bytes(b, order) < size)
        order++;
    size_t off = take(b, order);
    if (off == SIZE_MAX)
        return NULL;
    size_t u = off >> b->shift;
    b->side[u] = (uint16_t)((order + 1) | ALLOCATED);
    b->asked[u] = size;
    b->used += block_bytes(b, order);
    b->requested += size;
    POOL_GIVE(b, b->region + off, block_bytes(b, order));
    return b->region + off;
}

/* The order of the allocated block starting at p, or -1. */
static int order_at(const struct buddy *b, const void *p)
{
    uintptr_t at = (uintptr_t)p;
    uintptr_t start = (uintptr_t)b->region;
    if (p == NULL || at < start || at - start >= b->bytes)
        return -1;
    size_t off = (size_t)(at - start);
    if ((off & (b->min - 1)) != 0)
        return -1;
    unsigned word = b->side[off >> b->shift];
    return (word & ALLOCATED) != 0 ? (int)(word & ~(unsigned)ALLOCATED) - 1 : -1;
}

int buddy_free(struct buddy *b, void *p)
{
    if (p == NULL)
        return 0;
    int order = order_at(b, p);
    if (order < 0)
        return -1;
    size_t off = (size_t)((unsigned char *)p - b->region);
    size_t u = off >> b->shift;
    b->used -= block_bytes(b, (unsigned)order);
    b->requested -= b->asked[u];
    b->side[u] = 0;
    POOL_TAKE(b, p, block_bytes(b, (unsigned)order));
    give(b, off, (unsigned)order);
    return 0;
}

size_t buddy_block_size(const struct buddy *b, const void *p)
{
    int order = order_at(b, p);
    return order < 0 ? 0 : block_bytes(b, (unsigned)order);
}

void buddy_stats(const struct buddy *b, struct buddy_stats *out)
{
    *out = (struct buddy_stats){0};
    for (unsigned k = 0; k <= b->top; k++) {
        out->free_blocks[k] = b->count[k];
        out->free_bytes += b->count[k] * block_bytes(b, k);
    }
    for (unsigned k = b->top + 1; k-- > 0;) {
        if (b->count[k] != 0) {
            out->largest_free = block_bytes(b, k);
            break;
        }
    }
    out->used_bytes = b->used;
    out->requested_bytes = b->requested;
    out->internal_fragmentation = b->used - b->requested;
}
