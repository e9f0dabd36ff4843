/*
 * heap.c (alternative): segregated fits as in the textbook.
 *
 *   [struct heap][pad 8][block][block]...[end: 0|A]
 *   block:  [size | A | P][payload ...]           allocated
 *           [size | P][next][prev] ... [size]     free (footer last)
 *
 * One free list per power of two (class k holds sizes in [2^k, 2^(k+1))),
 * each last in, first out; malloc takes the first block that fits among the
 * first few of the request's class, else the first block of the next
 * non-empty class (every one fits), else scans its own class to the end. free merges at once with
 * both neighbours. The heap grows by exactly what a request lacks, merging with a free last block.
 *
 * Invariants (heap_check): blocks tile [first, end) with sane sizes; P of a
 * block is A of the one before; no two free blocks touch; each free block has
 * footer == size and is on the list of its class exactly once; every list
 * node is a free block; prev links mirror next links.
 */
#include "heap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { HDR = 8, MINB = 32, CLASSES = 64 };

#define ALLOCATED      ((size_t)1)
#define PREV_ALLOCATED ((size_t)2)
#define LOW_BITS       ((size_t)15)

struct link {
    size_t header;
    struct link *next, *prev;
};

struct heap {
    struct heap_source src;
    unsigned char *base, *first, *end;
    struct link *list[CLASSES];
    size_t largest[CLASSES]; /* >= every size on list[k]: raised on push, exact after a scan */
};

static size_t load(const unsigned char *p)
{
    size_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void store(unsigned char *p, size_t v)
{
    memcpy(p, &v, sizeof v);
}

static size_t size_at(const unsigned char *b)
{
    return load(b) & ~LOW_BITS;
}

static bool allocated(const unsigned char *b)
{
    return load(b) & ALLOCATED;
}

static unsigned class_for(size_t size)
{
    unsigned k = 0;
    while (size >>= 1)
        k++;
    return k;
}

static void push(struct heap *h, unsigned char *b)
{
    struct link *l = (struct link *)(void *)b;
    unsigned k = class_for(size_at(b));
    l->prev = NULL;
    l->next = h->list[k];
    if (l->next)
        l->next->prev = l;
    h->list[k] = l;
    if (size_at(b) > h->largest[k])
        h->largest[k] = size_at(b);
}

static void unlink_block(struct heap *h, unsigned char *b)
{
    struct link *l = (struct link *)(void *)b;
    if (l->prev)
        l->prev->next = l->next;
    else
        h->list[class_for(size_at(b))] = l->next;
    if (l->next)
        l->next->prev = l->prev;
}

static void set_prev_bit(unsigned char *b, bool on)
{
    size_t w = load(b);
    store(b, on ? w | PREV_ALLOCATED : w & ~PREV_ALLOCATED);
}

static void write_free(unsigned char *b, size_t size)
{
    store(b, size | PREV_ALLOCATED);
    store(b + size - HDR, size);
}

/* Frees the allocated block b, merging with free neighbours. */
static void coalesce(struct heap *h, unsigned char *b)
{
    size_t size = size_at(b);
    bool prev_free = !(load(b) & PREV_ALLOCATED);
    store(b, size | (prev_free ? 0 : PREV_ALLOCATED)); /* "free", even once merged */
    unsigned char *next = b + size;
    if (!allocated(next)) {
        unlink_block(h, next);
        size += size_at(next);
    }
    if (prev_free) {
        unsigned char *prev = b - load(b - HDR);
        unlink_block(h, prev);
        size += size_at(prev);
        b = prev;
    }
    write_free(b, size);
    set_prev_bit(b + size, false);
    push(h, b);
}

/* First fit in the request's own class, looking at no more than `patience`
 * blocks there; any block of a higher class fits. Only when neither gives a
 * block is the own class scanned to the end (and its largest size learnt),
 * so that the heap grows only when nothing fits. */
static unsigned char *first_fit(struct heap *h, size_t asize)
{
    unsigned own = class_for(asize), patience = 16;
    for (struct link *l = h->list[own]; l && patience--; l = l->next)
        if ((l->header & ~LOW_BITS) >= asize)
            return (unsigned char *)l;
    for (unsigned k = own + 1; k < CLASSES; k++)
        if (h->list[k])
            return (unsigned char *)h->list[k];
    if (h->largest[own] < asize)
        return NULL;
    size_t largest = 0;
    for (struct link *l = h->list[own]; l; l = l->next) {
        size_t size = l->header & ~LOW_BITS;
        if (size >= asize)
            return (unsigned char *)l;
        largest = size > largest ? size : largest;
    }
    h->largest[own] = largest;
    return NULL;
}

static bool extend_break(struct heap *h, size_t bytes)
{
    void *got = h->src.more(h->src.ctx, bytes);
    if (got != (void *)(h->end + HDR))
        return false;
    h->end += bytes;
    return true;
}

/* Takes asize bytes from the free, unlisted block b (front part). */
static unsigned char *use(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = size_at(b), flags = load(b) & PREV_ALLOCATED;
    if (size - asize >= MINB) {
        store(b, asize | ALLOCATED | flags);
        write_free(b + asize, size - asize);
        push(h, b + asize);
    } else {
        store(b, size | ALLOCATED | flags);
        set_prev_bit(b + size, true);
    }
    return b;
}

static unsigned char *obtain(struct heap *h, size_t asize)
{
    unsigned char *b = first_fit(h, asize);
    if (b) {
        unlink_block(h, b);
        return use(h, b, asize);
    }
    unsigned char *old_end = h->end;
    size_t tail = (load(old_end) & PREV_ALLOCATED) ? 0 : load(old_end - HDR);
    if (!extend_break(h, asize - tail))
        return NULL;
    store(h->end, ALLOCATED);
    b = old_end - tail;
    if (tail)
        unlink_block(h, b);
    store(b, asize | PREV_ALLOCATED);
    return use(h, b, asize);
}

static size_t block_for(size_t n)
{
    if (n >= SIZE_MAX / 4)
        return 0;
    n = (n + HDR + 15) / 16 * 16;
    return n < MINB ? MINB : n;
}

static void cut(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = size_at(b);
    if (size - asize < MINB)
        return;
    store(b, asize | (load(b) & LOW_BITS));
    store(b + asize, (size - asize) | ALLOCATED | PREV_ALLOCATED);
    coalesce(h, b + asize);
}

static bool sane(const struct heap *h, const unsigned char *b, size_t w)
{
    size_t size = w & ~LOW_BITS;
    return (w & 12) == 0 && size >= MINB && size % 16 == 0 && size <= (size_t)(h->end - b);
}

static int inspect(const struct heap *h, const void *ptr, unsigned char **out)
{
    uintptr_t p = (uintptr_t)ptr;
    if (p & 15 || p <= (uintptr_t)h->first || p >= (uintptr_t)h->end)
        return HEAP_INVALID;
    unsigned char *b = h->first + (p - HDR - (uintptr_t)h->first);
    size_t w = load(b);
    if (!sane(h, b, w))
        return HEAP_INVALID;
    if (!(w & ALLOCATED))
        return HEAP_DOUBLE_FREE;
    unsigned char *next = b + (w & ~LOW_BITS);
    size_t nw = load(next);
    if (!(nw & PREV_ALLOCATED) ||
        (next == h->end ? nw != (ALLOCATED | PREV_ALLOCATED) : !sane(h, next, nw)))
        return HEAP_INVALID;
    if (!(w & PREV_ALLOCATED)) {
        size_t ps = load(b - HDR);
        if (ps < MINB || ps % 16 || ps > (size_t)(b - h->first) ||
            load(b - ps) != (ps | PREV_ALLOCATED))
            return HEAP_INVALID;
    }
    *out = b;
    return HEAP_OK;
}

struct heap *heap_init(struct heap_source source)
{
    size_t head = (sizeof(struct heap) + 15) / 16 * 16;
    unsigned char *mem = source.more(source.ctx, head + 16);
    if (mem == NULL || (uintptr_t)mem % 16)
        return NULL;
    struct heap *h = (struct heap *)(void *)mem;
    memset(h, 0, sizeof *h);
    h->src = source;
    h->base = mem;
    h->first = h->end = mem + head + HDR;
    store(h->end, ALLOCATED | PREV_ALLOCATED);
    return h;
}

void *heap_malloc(struct heap *heap, size_t size)
{
    size_t asize = block_for(size);
    unsigned char *b = asize ? obtain(heap, asize) : NULL;
    return b ? b + HDR : NULL;
}

int heap_free(struct heap *heap, void *ptr)
{
    unsigned char *b = NULL;
    int rc = ptr ? inspect(heap, ptr, &b) : HEAP_OK;
    if (ptr && rc == HEAP_OK)
        coalesce(heap, b);
    return rc;
}

void *heap_calloc(struct heap *heap, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    unsigned char *p = heap_malloc(heap, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *heap_realloc(struct heap *heap, void *ptr, size_t size)
{
    if (!ptr)
        return heap_malloc(heap, size);
    unsigned char *b = NULL;
    if (inspect(heap, ptr, &b) != HEAP_OK)
        return NULL;
    if (!size) {
        coalesce(heap, b);
        return NULL;
    }
    size_t asize = block_for(size), old = size_at(b);
    if (!asize)
        return NULL;
    if (asize > old) {
        unsigned char *next = b + old;
        size_t room = allocated(next) ? 0 : size_at(next);
        if (old + room < asize && next + room == heap->end &&
            extend_break(heap, asize - old - room)) {
            if (room)
                unlink_block(heap, next);
            store(heap->end, ALLOCATED | PREV_ALLOCATED);
            store(b, asize | (load(b) & LOW_BITS));
            return ptr;
        }
        if (old + room < asize) {
            unsigned char *fresh = obtain(heap, asize);
            if (!fresh)
                return NULL;
            memcpy(fresh + HDR, ptr, old - HDR);
            coalesce(heap, b);
            return fresh + HDR;
        }
        unlink_block(heap, next);
        store(b, (old + room) | (load(b) & LOW_BITS));
        set_prev_bit(b + old + room, true);
    }
    cut(heap, b, asize);
    return ptr;
}

void *heap_aligned_alloc(struct heap *heap, size_t align, size_t size)
{
    if (!align || (align & (align - 1)))
        return NULL;
    if (align <= 16)
        return heap_malloc(heap, size);
    size_t asize = block_for(size);
    if (!asize || align >= SIZE_MAX / 4 || asize >= SIZE_MAX / 4 - align)
        return NULL;
    unsigned char *b = obtain(heap, asize + align + MINB);
    if (!b)
        return NULL;
    uintptr_t pay = (uintptr_t)(b + HDR);
    if (pay % align) {
        uintptr_t target = (pay + MINB + align - 1) & ~(uintptr_t)(align - 1);
        size_t lead = (size_t)(target - pay);
        store(b + lead, (size_at(b) - lead) | ALLOCATED);
        store(b, lead | ALLOCATED | (load(b) & PREV_ALLOCATED));
        coalesce(heap, b);
        b += lead;
    }
    cut(heap, b, asize);
    return b + HDR;
}

size_t heap_usable_size(const struct heap *heap, const void *ptr)
{
    unsigned char *b = NULL;
    if (!ptr || inspect(heap, ptr, &b) != HEAP_OK)
        return 0;
    return size_at(b) - HDR;
}

void heap_walk(const struct heap *heap, heap_visit_fn *visit, void *ctx)
{
    struct heap_range r = {heap->base, (size_t)(heap->first - heap->base), heap->base, 0,
                           HEAP_RANGE_META};
    visit(ctx, &r);
    for (unsigned char *b = heap->first; b < heap->end; b += size_at(b)) {
        r.start = b;
        r.size = size_at(b);
        r.payload = b + HDR;
        r.usable = r.size - HDR;
        r.kind = allocated(b) ? HEAP_RANGE_ALLOCATED : HEAP_RANGE_FREE;
        visit(ctx, &r);
    }
    r = (struct heap_range){heap->end, HDR, heap->end, 0, HEAP_RANGE_META};
    visit(ctx, &r);
}

__attribute__((format(printf, 3, 4))) static int report(char *why, size_t n, const char *f, ...)
{
    if (why && n) {
        va_list ap;
        va_start(ap, f);
        vsnprintf(why, n, f, ap);
        va_end(ap);
    }
    return -1;
}

int heap_check(const struct heap *heap, char *why, size_t why_size)
{
    size_t frees = 0;
    bool before_alloc = true;
    const unsigned char *b = heap->first;
    for (; b < heap->end; b += size_at(b)) {
        size_t w = load(b);
        if (!sane(heap, b, w))
            return report(why, why_size, "bad header 0x%zx at offset %td", w, b - heap->base);
        if (!(w & PREV_ALLOCATED) == before_alloc)
            return report(why, why_size, "P bit wrong at offset %td", b - heap->base);
        if (!(w & ALLOCATED)) {
            if (!before_alloc)
                return report(why, why_size, "two free blocks at offset %td", b - heap->base);
            if (load(b + size_at(b) - HDR) != size_at(b))
                return report(why, why_size, "footer wrong at offset %td", b - heap->base);
            frees++;
        }
        before_alloc = w & ALLOCATED;
    }
    if (b != heap->end || load(b) != (ALLOCATED | (before_alloc ? PREV_ALLOCATED : 0)))
        return report(why, why_size, "end marker damaged");
    size_t listed = 0;
    for (unsigned k = 0; k < CLASSES; k++) {
        const struct link *back = NULL;
        for (const struct link *l = heap->list[k]; l; back = l, l = l->next) {
            uintptr_t at = (uintptr_t)l;
            if (at < (uintptr_t)heap->first || at >= (uintptr_t)heap->end || at % 16 != HDR)
                return report(why, why_size, "list %u: link %p outside the heap", k, (void *)l);
            const unsigned char *lb = (const unsigned char *)l;
            if ((l->header & ALLOCATED) || !sane(heap, lb, l->header) ||
                class_for(l->header & ~LOW_BITS) != k || l->prev != back ||
                load(lb + size_at(lb) - HDR) != size_at(lb))
                return report(why, why_size, "list %u: %p is not a free block of the class", k,
                              (void *)l);
            if (++listed > frees)
                return report(why, why_size, "list %u: too many nodes (a loop?)", k);
        }
    }
    if (listed != frees)
        return report(why, why_size, "%zu free blocks but %zu listed", frees, listed);
    return 0;
}
