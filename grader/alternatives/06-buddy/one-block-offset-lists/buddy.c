/*
 * buddy.c, another design: one bookkeeping block, links stored as offsets.
 *
 * How it differs from a design with pointer links and per-order counters:
 *   - buddy_create makes a single calloc: the struct, then the requested size
 *     of every unit, then one order byte per unit, then one "allocated" bit
 *     per unit.
 *   - A free block stores the offsets (not addresses) of its neighbours on
 *     its order's list; NONE ends a list.
 *   - buddy_stats walks the free lists instead of keeping counters.
 *   - Poisoning uses the plain requests only, no mempool: NOACCESS for free
 *     blocks, UNDEFINED for a block handed out, DEFINED to read links and to
 *     give the region back.
 */
#include "buddy.h"

#include <stdint.h>
#include <stdlib.h>

#ifdef NDEBUG
#define HIDE(p, n) ((void)(p), (void)(n))
#define LEND(p, n) ((void)(p), (void)(n))
#define PEEK(p, n) ((void)(p), (void)(n))
#else
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
#define HIDE(p, n) (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define LEND(p, n)                                                                                 \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define PEEK(p, n)                                                                                 \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif

#define NONE SIZE_MAX

/* The links at the start of a free block: offsets of its neighbours on the list, or NONE. */
struct links {
    size_t prev, next;
};

/* order_of[u] is 0 when no block starts at unit u, else its order + 1; bit u of used is set
 * when that block is allocated; requested[u] is its requested size. */
struct buddy {
    unsigned char *base;
    size_t size, unit, units;
    unsigned top;
    size_t requested_total;
    size_t head[BUDDY_MAX_ORDERS];
    size_t *requested;
    unsigned char *order_of;
    unsigned char *used;
};

static size_t span(const struct buddy *b, unsigned order)
{
    return b->unit << order;
}

static int is_used(const struct buddy *b, size_t u)
{
    return (b->used[u / 8] >> (u % 8)) & 1;
}

static void set_used(struct buddy *b, size_t u, int on)
{
    unsigned char bit = (unsigned char)(1u << (u % 8));
    b->used[u / 8] = (unsigned char)(on ? b->used[u / 8] | bit : b->used[u / 8] & ~bit);
}

static struct links read_links(const struct buddy *b, size_t off)
{
    struct links *l = (struct links *)(void *)(b->base + off);
    PEEK(l, sizeof *l);
    struct links copy = *l;
    HIDE(l, sizeof *l);
    return copy;
}

static void write_links(struct buddy *b, size_t off, struct links value)
{
    struct links *l = (struct links *)(void *)(b->base + off);
    PEEK(l, sizeof *l);
    *l = value;
    HIDE(l, sizeof *l);
}

static void push(struct buddy *b, size_t off, unsigned order)
{
    size_t old = b->head[order];
    write_links(b, off, (struct links){NONE, old});
    if (old != NONE) {
        struct links l = read_links(b, old);
        l.prev = off;
        write_links(b, old, l);
    }
    b->head[order] = off;
    b->order_of[off / b->unit] = (unsigned char)(order + 1);
}

static void unlink_block(struct buddy *b, size_t off, unsigned order)
{
    struct links me = read_links(b, off);
    if (me.prev == NONE) {
        b->head[order] = me.next;
    } else {
        struct links l = read_links(b, me.prev);
        l.next = me.next;
        write_links(b, me.prev, l);
    }
    if (me.next != NONE) {
        struct links l = read_links(b, me.next);
        l.prev = me.prev;
        write_links(b, me.next, l);
    }
    b->order_of[off / b->unit] = 0;
}

struct buddy *buddy_create(void *region, size_t region_size, size_t min_block)
{
    if (region == NULL || ((uintptr_t)region & (BUDDY_ALIGN - 1)) != 0)
        return NULL;
    if (region_size == 0 || (region_size & (region_size - 1)) != 0)
        return NULL;
    if (min_block < BUDDY_MIN_BLOCK || (min_block & (min_block - 1)) != 0 ||
        min_block > region_size)
        return NULL;
    size_t units = region_size / min_block;
    size_t per_unit = sizeof(size_t) + 1;
    if (units > (SIZE_MAX - sizeof(struct buddy) - units / 8 - 1) / per_unit)
        return NULL;
    size_t total = sizeof(struct buddy) + units * per_unit + units / 8 + 1;
    struct buddy *b = calloc(1, total);
    if (b == NULL)
        return NULL;
    b->base = region;
    b->size = region_size;
    b->unit = min_block;
    b->units = units;
    while (span(b, b->top) < region_size)
        b->top++;
    for (unsigned k = 0; k < BUDDY_MAX_ORDERS; k++)
        b->head[k] = NONE;
    b->requested = (size_t *)(void *)(b + 1);
    b->order_of = (unsigned char *)(b->requested + units);
    b->used = b->order_of + units;
    HIDE(region, region_size);
    push(b, 0, b->top);
    return b;
}

void buddy_destroy(struct buddy *b)
{
    if (b == NULL)
        return;
    PEEK(b->base, b->size);
    free(b);
}

void *buddy_alloc(struct buddy *b, size_t size)
{
    if (size == 0 || size > b->size)
        return NULL;
    unsigned want = 0;
    while (span(b, want) < size)
        want++;
    unsigned k = want;
    while (k <= b->top && b->head[k] == NONE)
        k++;
    if (k > b->top)
        return NULL;
    size_t off = b->head[k];
    unlink_block(b, off, k);
    while (k > want) {
        k--;
        push(b, off + span(b, k), k);
    }
    size_t u = off / b->unit;
    b->order_of[u] = (unsigned char)(want + 1);
    set_used(b, u, 1);
    b->requested[u] = size;
    b->requested_total += size;
    LEND(b->base + off, span(b, want));
    return b->base + off;
}

/* The unit of the allocated block that starts at p, or NONE. */
static size_t allocated_unit(const struct buddy *b, const void *p)
{
    if (p == NULL)
        return NONE;
    uintptr_t off = (uintptr_t)p - (uintptr_t)b->base; /* wraps for p below the region */
    if (off >= b->size || off % b->unit != 0)
        return NONE;
    size_t u = (size_t)off / b->unit;
    return b->order_of[u] != 0 && is_used(b, u) ? u : NONE;
}

int buddy_free(struct buddy *b, void *p)
{
    if (p == NULL)
        return 0;
    size_t u = allocated_unit(b, p);
    if (u == NONE)
        return -1;
    unsigned order = b->order_of[u] - 1u;
    size_t off = u * b->unit;
    HIDE(p, span(b, order));
    set_used(b, u, 0);
    b->order_of[u] = 0;
    b->requested_total -= b->requested[u];
    while (order < b->top) {
        size_t buddy = off ^ span(b, order);
        size_t bu = buddy / b->unit;
        if (b->order_of[bu] != order + 1 || is_used(b, bu))
            break;
        unlink_block(b, buddy, order);
        off = off < buddy ? off : buddy;
        order++;
    }
    push(b, off, order);
    return 0;
}

size_t buddy_block_size(const struct buddy *b, const void *p)
{
    size_t u = allocated_unit(b, p);
    return u == NONE ? 0 : span(b, b->order_of[u] - 1u);
}

void buddy_stats(const struct buddy *b, struct buddy_stats *out)
{
    *out = (struct buddy_stats){0};
    for (unsigned k = 0; k <= b->top; k++) {
        for (size_t off = b->head[k]; off != NONE; off = read_links(b, off).next)
            out->free_blocks[k]++;
        out->free_bytes += out->free_blocks[k] * span(b, k);
        if (out->free_blocks[k] != 0)
            out->largest_free = span(b, k);
    }
    out->used_bytes = b->size - out->free_bytes;
    out->requested_bytes = b->requested_total;
    out->internal_fragmentation = out->used_bytes - out->requested_bytes;
}
