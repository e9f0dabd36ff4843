/*
 * heap.h: a general-purpose heap over memory from a moving break.
 *
 * A heap serves requests of any size from one contiguous range of memory
 * whose end, the break, only moves up. It gets that memory from a source
 * (struct heap_source) that the caller provides: a test's buffer, the trace
 * driver's region, or pages from mmap in the shared object (preload.c). The
 * heap keeps its own bookkeeping inside that memory and calls no allocation
 * function of the C library.
 *
 * Ownership: the heap owns every byte its source gave it. A caller owns a
 * block from the call that returned it until it passes the block to
 * heap_free() or heap_realloc(). There is no destroy: the source's memory is
 * the caller's to release, and doing so ends the heap and every block.
 *
 * Invalidation: heap_free(heap, p) invalidates p. heap_realloc(heap, p, n)
 * invalidates p when it returns another pointer or frees the block; when it
 * fails, p stays valid and unchanged. No other call moves a live block.
 *
 * Failure: an allocation returns NULL and changes nothing when the source has
 * no more memory, or when the size cannot be represented. heap_free() and
 * heap_realloc() check their pointer before they write anything: a pointer the
 * heap did not hand out, a pointer freed already, or a block whose header or
 * neighbour's header was overwritten is reported and leaves the heap as it
 * was (see enum heap_status).
 *
 * Every block is aligned to HEAP_ALIGN bytes, enough for any type
 * (alignof(max_align_t) on x86-64). A heap is not thread-safe: preload.c puts
 * a lock around it.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>

enum { HEAP_ALIGN = 16 };

/*
 * Where a heap gets its memory. more(ctx, bytes) moves the break up by bytes
 * (a multiple of HEAP_ALIGN) and returns the old break, the first of the new
 * bytes, like sbrk(); it returns NULL, moving nothing, when no memory is left.
 * The source promises that its first answer is aligned to HEAP_ALIGN and that
 * every later answer is the end of the previous one: the heap's memory is one
 * range, from the first answer to the current break. New bytes hold anything.
 */
struct heap_source {
    void *(*more)(void *ctx, size_t bytes);
    void *ctx;
};

/* What heap_free() returns. */
enum heap_status {
    HEAP_OK = 0,
    /* ptr is not a block the heap handed out: outside the heap, misaligned,
     * inside a block, or a block whose header, or the header of the block
     * after it, has been overwritten. Nothing was changed. */
    HEAP_INVALID = -1,
    /* ptr was handed out and has been freed since. Nothing was changed. */
    HEAP_DOUBLE_FREE = -2,
};

struct heap; /* opaque: defined in heap.c, stored in the heap's own memory */

/*
 * Creates an empty heap over source. It takes from the source only the
 * memory its own bookkeeping needs (at most 4096 bytes) and keeps it at the
 * start of its range. Returns NULL when the source has no memory.
 */
struct heap *heap_init(struct heap_source source);

/*
 * A block of at least size bytes, aligned to HEAP_ALIGN; its contents are
 * indeterminate. size 0 gives a unique pointer that may be freed. The heap
 * asks its source for more memory only when no free block, merged with its
 * free neighbours, can hold the request. NULL when the source has no more
 * memory or size is too large to represent; the heap is then unchanged.
 */
void *heap_malloc(struct heap *heap, size_t size);

/*
 * Gives ptr back to the heap and returns HEAP_OK; the freed block is merged
 * with the free blocks beside it. heap_free(heap, NULL) does nothing and
 * returns HEAP_OK. Returns HEAP_INVALID or HEAP_DOUBLE_FREE, having changed
 * nothing, for a bad ptr (see enum heap_status).
 */
int heap_free(struct heap *heap, void *ptr);

/*
 * A block of count * size bytes, every one of them zero. NULL, changing
 * nothing, when count * size overflows size_t or memory runs out.
 */
void *heap_calloc(struct heap *heap, size_t count, size_t size);

/*
 * Resizes the block ptr to at least size bytes and returns the block: the
 * same pointer when the block can be resized where it is (shrinking, or
 * growing into a free neighbour or the end of the heap), otherwise a new
 * block holding the old contents, with the old block freed. The first
 * min(old usable size, size) bytes are kept. heap_realloc(heap, NULL, size)
 * is heap_malloc(heap, size); heap_realloc(heap, ptr, 0) frees ptr and
 * returns NULL. Returns NULL, leaving ptr and the heap unchanged, when memory
 * runs out, size is too large, or ptr is a pointer heap_free() would reject.
 */
void *heap_realloc(struct heap *heap, void *ptr, size_t size);

/*
 * A block of at least size bytes whose address is a multiple of align, a
 * power of two (any, up to the heap's size); free it with heap_free(). An
 * align of HEAP_ALIGN or less is heap_malloc(). NULL, changing nothing, when
 * align is not a power of two or memory runs out.
 */
void *heap_aligned_alloc(struct heap *heap, size_t align, size_t size);

/*
 * The number of bytes the caller may use in the block ptr: at least the size
 * it was asked for, and every byte up to the block's end. It depends only on
 * the block, not on the request that made it. 0 for NULL or for a pointer
 * heap_free() would reject.
 */
size_t heap_usable_size(const struct heap *heap, const void *ptr);

/* What a range of the heap holds, for heap_walk(). */
enum heap_range_kind {
    HEAP_RANGE_META = 0,      /* the heap's own bookkeeping, or padding */
    HEAP_RANGE_FREE = 1,      /* a free block, header included */
    HEAP_RANGE_ALLOCATED = 2, /* a block handed out, header included */
};

struct heap_range {
    const void *start;   /* first byte of the range (its header, if any) */
    size_t size;         /* bytes in the range */
    const void *payload; /* ALLOCATED: the pointer handed out; FREE: the first
                            byte after the header; META: start */
    size_t usable;       /* ALLOCATED: heap_usable_size(); FREE: the bytes from
                            payload to the range's end; META: 0 */
    enum heap_range_kind kind;
};

typedef void heap_visit_fn(void *ctx, const struct heap_range *range);

/*
 * Calls visit(ctx, &range) for every range of the heap, in address order.
 * The ranges tile the heap: the first starts at the first byte the source
 * gave, each starts where the one before ended, and the last ends at the
 * break. Every block handed out and not freed is exactly one ALLOCATED range
 * whose payload is its pointer. visit must not call the heap.
 */
void heap_walk(const struct heap *heap, heap_visit_fn *visit, void *ctx);

/*
 * Walks every range and every free list and checks every invariant the heap
 * relies on. Returns 0 when all hold; otherwise -1, with a sentence naming
 * the first problem and its address written into why (at most why_size
 * bytes, NUL included; why may be NULL when why_size is 0). It reads only
 * memory inside the heap, whatever the damage, and changes nothing.
 */
int heap_check(const struct heap *heap, char *why, size_t why_size);

/*
 * Defined by preload.c, beside malloc and the rest of the C library's
 * allocation functions: the heap behind them, or NULL before the first
 * allocation. For tools that inspect a process's heap (heap_walk, heap_check).
 */
struct heap *preload_heap(void);

#endif
