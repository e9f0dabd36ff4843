/*
 * arena.c: a bump allocator over a fixed buffer or over chained blocks.
 *
 * How this differs from the reference: every block header carries running
 * totals of the blocks behind it on its list (bytes used, bytes reserved,
 * count), so arena_stats() reads two headers instead of walking the lists;
 * the padding is computed as (align - addr % align) % align with the mask;
 * the fit check compares against what is left; the checker requests go
 * through one function (compiled to nothing with -DNDEBUG), not macros.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef NDEBUG
#include <sanitizer/asan_interface.h>
#include <valgrind/memcheck.h>
#endif

/* Tells ASan and Valgrind whether p[0, n) may be touched by a caller (its
 * contents then undefined) or not. Nothing at all in a -DNDEBUG build. */
static void set_access(void *p, size_t n, int usable)
{
#ifndef NDEBUG
    if (usable) {
        ASAN_UNPOISON_MEMORY_REGION(p, n);
        (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n);
    } else {
        ASAN_POISON_MEMORY_REGION(p, n);
        (void)VALGRIND_MAKE_MEM_NOACCESS(p, n);
    }
#else
    (void)p;
    (void)n;
    (void)usable;
#endif
}

/* A block on `blocks` or `large`, newest first. `used` is the end of its
 * last piece; for the current block it is valid only once the block is left
 * (arena.used holds it meanwhile). The totals describe the blocks after this
 * one on its list, which never change while this one lives. data[used, size)
 * is poisoned. */
struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    size_t later_used;     /* sum of used over the blocks after this one */
    size_t later_reserved; /* sum of size over the blocks after this one */
    size_t later_blocks;   /* how many blocks follow this one */
    unsigned char data[];
};

/* Pushes b in front of *list, whose head's used must be final. */
static void push(struct arena_block **list, struct arena_block *b)
{
    struct arena_block *head = *list;
    b->next = head;
    b->later_used = head == NULL ? 0 : head->later_used + head->used;
    b->later_reserved = head == NULL ? 0 : head->later_reserved + head->size;
    b->later_blocks = head == NULL ? 0 : head->later_blocks + 1;
    *list = b;
}

static struct arena_block *block_alloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct arena_block))
        return NULL;
    struct arena_block *b = malloc(sizeof(struct arena_block) + size);
    if (b == NULL)
        return NULL;
    b->size = size;
    b->used = 0;
    set_access(b->data, size, 0);
    return b;
}

static void drop(struct arena_block **list, const struct arena_block *keep)
{
    while (*list != keep) {
        struct arena_block *b = *list;
        *list = b->next;
        free(b);
    }
}

static size_t pad_to(const void *p, size_t align)
{
    size_t rest = (size_t)((uintptr_t)p & (align - 1));
    return (align - rest) & (align - 1);
}

void arena_init_buffer(struct arena *a, void *buffer, size_t size)
{
    *a = (struct arena){.base = buffer, .cap = size};
}

int arena_init(struct arena *a, size_t block_size)
{
    *a = (struct arena){0};
    if (block_size == 0)
        block_size = ARENA_DEFAULT_BLOCK;
    struct arena_block *b = block_alloc(block_size);
    if (b == NULL)
        return -1;
    push(&a->blocks, b);
    a->base = b->data;
    a->cap = block_size;
    a->block_size = block_size;
    return 0;
}

/* A block of its own for a request that no normal block could hold. */
static void *alloc_oversized(struct arena *a, size_t size, size_t align)
{
    struct arena_block *b = block_alloc(size + align - 1);
    if (b == NULL)
        return NULL;
    size_t pad = pad_to(b->data, align);
    b->used = pad + size;
    push(&a->large, b);
    set_access(b->data + pad, size, 1);
    return b->data + pad;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
    if (align < 1 || align > ARENA_MAX_ALIGN || (align & (align - 1)) != 0)
        return NULL;
    size_t left = a->cap - a->used;
    size_t pad = pad_to(a->base + a->used, align);
    if (pad <= left && size <= left - pad) {
        unsigned char *p = a->base + a->used + pad;
        a->used += pad + size;
        if (a->block_size != 0)
            set_access(p, size, 1);
        return p;
    }
    if (a->block_size == 0)
        return NULL;
    if (size > SIZE_MAX - sizeof(struct arena_block) - (align - 1))
        return NULL;
    if (size + (align - 1) > a->block_size)
        return alloc_oversized(a, size, align);
    struct arena_block *b = block_alloc(a->block_size);
    if (b == NULL)
        return NULL;
    a->blocks->used = a->used;
    push(&a->blocks, b);
    a->base = b->data;
    a->cap = b->size;
    pad = pad_to(b->data, align);
    a->used = pad + size;
    set_access(b->data + pad, size, 1);
    return b->data + pad;
}

void *arena_alloc_array(struct arena *a, size_t count, size_t size, size_t align)
{
    size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes))
        return NULL;
    return arena_alloc(a, bytes, align);
}

void *arena_calloc(struct arena *a, size_t count, size_t size, size_t align)
{
    unsigned char *p = arena_alloc_array(a, count, size, align);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

struct arena_mark arena_save(const struct arena *a)
{
    return (struct arena_mark){.block = a->blocks, .large = a->large, .used = a->used};
}

void arena_restore(struct arena *a, struct arena_mark mark)
{
    drop(&a->large, mark.large);
    if (a->block_size == 0) {
        a->used = mark.used;
        return;
    }
    drop(&a->blocks, mark.block);
    a->base = mark.block->data;
    a->cap = mark.block->size;
    a->used = mark.used;
    set_access(a->base + a->used, a->cap - a->used, 0);
}

void arena_reset(struct arena *a)
{
    drop(&a->large, NULL);
    a->used = 0;
    if (a->blocks == NULL)
        return;
    drop(&a->blocks->next, NULL);
    a->blocks->later_used = 0;
    a->blocks->later_reserved = 0;
    a->blocks->later_blocks = 0;
    set_access(a->base, a->cap, 0);
}

void arena_destroy(struct arena *a)
{
    drop(&a->large, NULL);
    drop(&a->blocks, NULL);
    *a = (struct arena){0};
}

struct arena_stats arena_stats(const struct arena *a)
{
    struct arena_stats s = {a->used, a->block_size == 0 ? a->cap : 0, 0};
    const struct arena_block *cur = a->blocks, *big = a->large;
    if (cur != NULL) {
        s.used += cur->later_used;
        s.reserved += cur->size + cur->later_reserved;
        s.blocks += 1 + cur->later_blocks;
    }
    if (big != NULL) {
        s.used += big->used + big->later_used;
        s.reserved += big->size + big->later_reserved;
        s.blocks += 1 + big->later_blocks;
    }
    return s;
}
