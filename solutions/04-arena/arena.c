/*
 * arena.c: a bump allocator over a fixed buffer or over chained blocks.
 *
 * The fast path (arena_alloc when the request fits) is an alignment check,
 * a power-of-two mask, two compares and an add: about 20 instructions, no
 * loop, no call (built with -DNDEBUG, which removes the checkers' requests).
 * Everything else (new blocks, oversized requests, failure) is in alloc_slow.
 *
 * Poisoning, in chained mode only (a fixed buffer is the caller's): a block's
 * data is poisoned when it is malloc'd, each allocation unpoisons exactly the
 * bytes it hands out, and reset and restore poison again what they take back.
 * So at every moment the tail of every block, from the end of its last piece,
 * is poisoned for AddressSanitizer and Valgrind.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Client requests for the checkers (chapter 6.6), compiled out with -DNDEBUG.
 * MEM_NOACCESS: no caller may touch these bytes. MEM_UNDEFINED: they now
 * belong to a caller, contents unknown. */
#ifdef NDEBUG
#define MEM_NOACCESS(p, n)  ((void)(p), (void)(n))
#define MEM_UNDEFINED(p, n) ((void)(p), (void)(n))
#else
#include <sanitizer/asan_interface.h> /* no-ops unless built with -fsanitize=address */
#include <valgrind/memcheck.h>        /* no-ops unless run under Valgrind */
#define MEM_NOACCESS(p, n)                                                                         \
    (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define MEM_UNDEFINED(p, n)                                                                        \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#endif

/* A malloc'd block: this header, then size bytes of data.
 * used: bytes handed out from data, padding included, for a block that is not
 * current; 0 for the current block, whose offset lives in arena.used.
 * The data after the last piece is poisoned: data[used, size), and for the
 * current block data[arena.used, size). The header is never poisoned. */
struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    unsigned char data[];
};

static int align_ok(size_t align)
{
    return align - 1 < ARENA_MAX_ALIGN && (align & (align - 1)) == 0;
}

/* Bytes needed to move addr up to a multiple of align (a power of two).
 * Computed on the address, not the offset: the block itself may be
 * misaligned. */
static size_t padding_for(uintptr_t addr, size_t align)
{
    return (size_t)(-addr & (align - 1));
}

/* A block of size data bytes, all poisoned; NULL if malloc fails or the
 * header plus size does not fit in a size_t. */
static struct arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct arena_block))
        return NULL;
    struct arena_block *b = malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    MEM_NOACCESS(b->data, size);
    return b;
}

/* Frees blocks from b along the chain up to, not including, stop. */
static void free_chain(struct arena_block *b, const struct arena_block *stop)
{
    while (b != stop) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
}

/* Makes b the current block, bump offset used. */
static void use_block(struct arena *a, struct arena_block *b, size_t used)
{
    b->used = 0;
    a->blocks = b;
    a->base = b->data;
    a->cap = b->size;
    a->used = used;
}

/* A request that needs more than a whole block gets a block of its own on
 * the large list; the current block stays current, its free space kept. */
static void *alloc_large(struct arena *a, size_t size, size_t align)
{
    struct arena_block *b = block_new(size + (align - 1));
    if (b == NULL)
        return NULL;
    size_t pad = padding_for((uintptr_t)b->data, align);
    b->used = pad + size;
    b->next = a->large;
    a->large = b;
    MEM_UNDEFINED(b->data + pad, size);
    return b->data + pad;
}

/* Kept out of line (a GNU attribute that GCC and Clang accept) so that the
 * fast path in arena_alloc does not pay to save the registers this needs. */
__attribute__((noinline)) static void *alloc_slow(struct arena *a, size_t size, size_t align)
{
    if (a->block_size == 0)
        return NULL; /* fixed buffer: full */
    /* need covers the worst padding; need plus the header must not wrap. */
    if (size > SIZE_MAX - sizeof(struct arena_block) - (align - 1))
        return NULL;
    size_t need = size + (align - 1);
    if (need > a->block_size)
        return alloc_large(a, size, align);
    struct arena_block *b = block_new(a->block_size);
    if (b == NULL)
        return NULL;
    a->blocks->used = a->used; /* retire the current block */
    b->next = a->blocks;
    use_block(a, b, 0);
    size_t pad = padding_for((uintptr_t)b->data, align);
    a->used = pad + size; /* fits: pad + size <= need <= cap */
    MEM_UNDEFINED(b->data + pad, size);
    return b->data + pad;
}

void arena_init_buffer(struct arena *a, void *buffer, size_t size)
{
    a->base = buffer;
    a->used = 0;
    a->cap = size;
    a->block_size = 0;
    a->blocks = NULL;
    a->large = NULL;
}

int arena_init(struct arena *a, size_t block_size)
{
    if (block_size == 0)
        block_size = ARENA_DEFAULT_BLOCK;
    struct arena_block *b = block_new(block_size);
    if (b == NULL) {
        arena_init_buffer(a, NULL, 0); /* holds nothing, like a destroyed arena */
        return -1;
    }
    a->block_size = block_size;
    a->large = NULL;
    use_block(a, b, 0);
    return 0;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
    if (!align_ok(align))
        return NULL;
    uintptr_t here = (uintptr_t)a->base + a->used;
    /* start cannot wrap: the padding is under 4096 bytes and used <= cap. */
    size_t start = a->used + padding_for(here, align);
    if (start > a->cap || size > a->cap - start)
        return alloc_slow(a, size, align);
    a->used = start + size;
    if (a->block_size != 0)
        MEM_UNDEFINED(a->base + start, size);
    return a->base + start;
}

void *arena_alloc_array(struct arena *a, size_t count, size_t size, size_t align)
{
    if (count != 0 && size > SIZE_MAX / count)
        return NULL;
    return arena_alloc(a, count * size, align);
}

void *arena_calloc(struct arena *a, size_t count, size_t size, size_t align)
{
    void *p = arena_alloc_array(a, count, size, align);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

struct arena_mark arena_save(const struct arena *a)
{
    struct arena_mark mark = {a->blocks, a->large, a->used};
    return mark;
}

void arena_restore(struct arena *a, struct arena_mark mark)
{
    free_chain(a->large, mark.large);
    a->large = mark.large;
    if (a->block_size == 0) {
        a->used = mark.used;
        return;
    }
    free_chain(a->blocks, mark.block);
    use_block(a, mark.block, mark.used);
    MEM_NOACCESS(a->base + a->used, a->cap - a->used);
}

void arena_reset(struct arena *a)
{
    free_chain(a->large, NULL);
    a->large = NULL;
    if (a->blocks != NULL) {
        free_chain(a->blocks->next, NULL);
        a->blocks->next = NULL;
        MEM_NOACCESS(a->base, a->cap); /* every pointer into it is now dead */
    }
    a->used = 0;
}

void arena_destroy(struct arena *a)
{
    free_chain(a->large, NULL);
    free_chain(a->blocks, NULL);
    arena_init_buffer(a, NULL, 0); /* empty: every allocation fails */
}

static void count_blocks(const struct arena_block *b, struct arena_stats *s)
{
    for (; b != NULL; b = b->next) {
        s->used += b->used;
        s->reserved += b->size;
        s->blocks++;
    }
}

struct arena_stats arena_stats(const struct arena *a)
{
    struct arena_stats s = {a->used, 0, 0};
    if (a->block_size == 0)
        s.reserved = a->cap;
    count_blocks(a->blocks, &s);
    count_blocks(a->large, &s);
    return s;
}
