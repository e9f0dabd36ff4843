/*
 * arena.c: a bump allocator over a fixed buffer or over chained blocks.
 *
 * How this differs from the reference: one allocation path, no fast/slow
 * split: every request is checked up front (alignment, then whether size plus
 * the worst padding plus a header could overflow), then placed by rounding
 * the address up with a mask and comparing pointers against the end of the
 * block. A block's data follows its header without a flexible array member.
 * Poisoning: reset poisons only the part of the kept block that was handed
 * out (the rest is poisoned already), restore the part after the mark.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef NDEBUG
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
/* Bytes no caller may touch. */
#define HIDE(p, n) (ASAN_POISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
/* Bytes handed to a caller, contents unknown. */
#define SHOW(p, n)                                                                                 \
    (ASAN_UNPOISON_MEMORY_REGION((p), (n)), (void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#else
#define HIDE(p, n) ((void)(p), (void)(n))
#define SHOW(p, n) ((void)(p), (void)(n))
#endif

/* A block: this header, then `size` data bytes at data_of(b).
 * `used`: for a block that is not current, the offset of the end of its last
 * piece (padding included); the current block's offset is arena.used.
 * Invariant: data_of(b)[used, size) is poisoned (current block: from
 * arena.used). */
struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
};

static unsigned char *data_of(struct arena_block *b)
{
    return (unsigned char *)(b + 1);
}

static struct arena_block *new_block(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct arena_block))
        return NULL;
    struct arena_block *b = malloc(sizeof(struct arena_block) + size);
    if (b != NULL) {
        b->next = NULL;
        b->size = size;
        b->used = 0;
        HIDE(data_of(b), size);
    }
    return b;
}

/* First multiple of align at or after p, or NULL if it would pass end. */
static unsigned char *round_up(unsigned char *p, size_t align, const unsigned char *end)
{
    uintptr_t mask = (uintptr_t)align - 1;
    uintptr_t up = ((uintptr_t)p + mask) & ~mask;
    if (up < (uintptr_t)p || up > (uintptr_t)end)
        return NULL;
    return p + (up - (uintptr_t)p);
}

static void free_until(struct arena_block *b, const struct arena_block *stop)
{
    while (b != stop) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
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
    size_t size = block_size != 0 ? block_size : ARENA_DEFAULT_BLOCK;
    struct arena_block *b = new_block(size);
    arena_init_buffer(a, NULL, 0); /* empty unless the block exists */
    if (b == NULL)
        return -1;
    a->base = data_of(b);
    a->cap = size;
    a->block_size = size;
    a->blocks = b;
    return 0;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
    if (align == 0 || align > ARENA_MAX_ALIGN || (align & (align - 1)) != 0)
        return NULL;
    if (size > SIZE_MAX - sizeof(struct arena_block) - (align - 1))
        return NULL;
    unsigned char *end = a->base + a->cap;
    unsigned char *p = a->base == NULL ? NULL : round_up(a->base + a->used, align, end);
    if (p != NULL && size <= (size_t)(end - p)) {
        a->used = (size_t)(p - a->base) + size;
        if (a->block_size != 0)
            SHOW(p, size);
        return p;
    }
    if (a->block_size == 0)
        return NULL; /* fixed buffer (or destroyed arena): no room */
    int oversized = size + (align - 1) > a->block_size;
    struct arena_block *b = new_block(oversized ? size + (align - 1) : a->block_size);
    if (b == NULL)
        return NULL;
    p = round_up(data_of(b), align, data_of(b) + b->size);
    if (oversized) {
        b->used = (size_t)(p - data_of(b)) + size;
        b->next = a->large;
        a->large = b;
    } else {
        a->blocks->used = a->used;
        b->next = a->blocks;
        a->blocks = b;
        a->base = data_of(b);
        a->cap = b->size;
        a->used = (size_t)(p - a->base) + size;
    }
    SHOW(p, size);
    return p;
}

void *arena_alloc_array(struct arena *a, size_t count, size_t size, size_t align)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return arena_alloc(a, count * size, align);
}

void *arena_calloc(struct arena *a, size_t count, size_t size, size_t align)
{
    unsigned char *p = arena_alloc_array(a, count, size, align);
    if (p != NULL && count * size > 0)
        memset(p, 0, count * size);
    return p;
}

struct arena_mark arena_save(const struct arena *a)
{
    struct arena_mark m;
    m.block = a->blocks;
    m.large = a->large;
    m.used = a->used;
    return m;
}

void arena_restore(struct arena *a, struct arena_mark mark)
{
    free_until(a->large, mark.large);
    a->large = mark.large;
    if (a->block_size != 0 && a->blocks != mark.block) {
        free_until(a->blocks, mark.block);
        a->blocks = mark.block;
        a->base = data_of(mark.block);
        a->cap = mark.block->size;
        a->used = mark.block->used;
        mark.block->used = 0;
    }
    if (a->block_size != 0 && a->used > mark.used)
        HIDE(a->base + mark.used, a->used - mark.used);
    a->used = mark.used;
}

void arena_reset(struct arena *a)
{
    free_until(a->large, NULL);
    a->large = NULL;
    if (a->blocks != NULL) {
        free_until(a->blocks->next, NULL);
        a->blocks->next = NULL;
        HIDE(a->base, a->used);
    }
    a->used = 0;
}

void arena_destroy(struct arena *a)
{
    free_until(a->large, NULL);
    free_until(a->blocks, NULL);
    arena_init_buffer(a, NULL, 0);
}

struct arena_stats arena_stats(const struct arena *a)
{
    struct arena_stats s = {a->used, a->block_size == 0 ? a->cap : 0, 0};
    for (const struct arena_block *b = a->blocks; b != NULL; b = b->next) {
        s.used += b == a->blocks ? 0 : b->used;
        s.reserved += b->size;
        s.blocks++;
    }
    for (const struct arena_block *b = a->large; b != NULL; b = b->next) {
        s.used += b->used;
        s.reserved += b->size;
        s.blocks++;
    }
    return s;
}
