/*
 * heap.c: a general-purpose heap.
 *
 * Read heap.h for the contract and README.md for the plan. Define struct heap
 * here: it lives at the start of the memory the source gives you. Describe
 * your block layout and write its invariants in this comment; heap_check()
 * verifies them.
 */
#include "heap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct heap {
    /* TODO: the source, the bounds of the heap (first block, end), and the
     * heads of your free lists. */
    struct heap_source source;
};

struct heap *heap_init(struct heap_source source)
{
    /* TODO: take room for struct heap from the source, 16-byte aligned, set up
     * an empty heap (an end marker after the bookkeeping) and return it. */
    (void)source;
    return NULL;
}

void *heap_malloc(struct heap *heap, size_t size)
{
    /* TODO: work out the block size (header, alignment, minimum), find a free
     * block that holds it or grow the heap, split off what is left, and
     * return the payload. */
    (void)heap;
    (void)size;
    return NULL;
}

int heap_free(struct heap *heap, void *ptr)
{
    /* TODO: NULL is a no-op. Check ptr before writing anything (inside the
     * heap, aligned, a sane header, sane neighbours; already free means a
     * double free), then mark the block free and merge it with free
     * neighbours. */
    (void)heap;
    (void)ptr;
    return HEAP_INVALID;
}

void *heap_calloc(struct heap *heap, size_t count, size_t size)
{
    /* TODO: refuse a count * size that overflows, then allocate and zero. */
    (void)heap;
    (void)count;
    (void)size;
    return NULL;
}

void *heap_realloc(struct heap *heap, void *ptr, size_t size)
{
    /* TODO: NULL and 0 first; check ptr as heap_free does; shrink in place,
     * grow into a free neighbour or at the end of the heap, and only then
     * allocate, copy and free. */
    (void)heap;
    (void)ptr;
    (void)size;
    return NULL;
}

void *heap_aligned_alloc(struct heap *heap, size_t align, size_t size)
{
    /* TODO: refuse an align that is not a power of two; allocate enough to
     * find an aligned payload inside, and give the space before it and after
     * it back as free blocks. */
    (void)heap;
    (void)align;
    (void)size;
    return NULL;
}

size_t heap_usable_size(const struct heap *heap, const void *ptr)
{
    /* TODO: 0 for NULL or a bad pointer; otherwise the bytes from ptr to the
     * end of its block. */
    (void)heap;
    (void)ptr;
    return 0;
}

void heap_walk(const struct heap *heap, heap_visit_fn *visit, void *ctx)
{
    /* TODO: report every range in address order, from the first byte of the
     * heap to the break: your bookkeeping, then every block, then the end
     * marker. */
    (void)heap;
    (void)visit;
    (void)ctx;
}

int heap_check(const struct heap *heap, char *why, size_t why_size)
{
    /* TODO: walk the blocks and the free lists and check every invariant;
     * never read outside the heap, even when a header is damaged. */
    (void)heap;
    if (why != NULL && why_size > 0)
        snprintf(why, why_size, "heap_check() is not written yet");
    return -1;
}
