/*
 * Helpers shared by the public and hidden tests of exercise 09: the test's
 * source of memory (a region whose break the test moves), a recorded
 * heap_walk() and questions about it. Ownership: a source's raw region is the
 * test's (malloc) and end_heap() frees it; a walk's array of ranges is the
 * walk's (realloc) and walk_free() frees it.
 */
#ifndef MC_HEAP_HELPERS_H
#define MC_HEAP_HELPERS_H

#include "heap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* The test's source of memory: a region whose break the test moves. */
struct source {
    unsigned char *raw;  /* from malloc; freed by end_heap() */
    unsigned char *base; /* raw rounded up to 16 bytes */
    size_t size;         /* bytes the heap may have */
    size_t brk;          /* bytes it has */
    size_t calls;        /* calls of more() */
};

static inline void *source_more(void *ctx, size_t bytes)
{
    struct source *s = ctx;
    s->calls++;
    if (bytes > s->size - s->brk)
        return NULL;
    void *old = s->base + s->brk;
    s->brk += bytes;
    return old;
}

static inline void end_heap(struct source *s)
{
    free(s->raw);
}

/* The ranges one heap_walk() reported, in order. */
struct walk {
    struct heap_range *r; /* from realloc; freed by walk_free() */
    size_t n, cap;
    bool broken; /* the test ran out of memory recording it */
};

static inline void walk_free(struct walk *w)
{
    free(w->r);
}

static inline const unsigned char *end_of(const struct heap_range *r)
{
    return (const unsigned char *)r->start + r->size;
}

/* The range whose payload is p, or NULL. */
static inline const struct heap_range *range_of(const struct walk *w, const void *p)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->r[i].payload == p && w->r[i].kind == HEAP_RANGE_ALLOCATED)
            return &w->r[i];
    return NULL;
}

static inline size_t count_kind(const struct walk *w, enum heap_range_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += w->r[i].kind == kind;
    return n;
}

static inline size_t adjacent_free(const struct walk *w)
{
    size_t n = 0;
    for (size_t i = 1; i < w->n; i++)
        n += w->r[i].kind == HEAP_RANGE_FREE && w->r[i - 1].kind == HEAP_RANGE_FREE;
    return n;
}

static inline bool same_range(const struct heap_range *a, const struct heap_range *b)
{
    return a->start == b->start && a->size == b->size && a->payload == b->payload &&
           a->usable == b->usable && a->kind == b->kind;
}

static inline bool same_walk(const struct walk *a, const struct walk *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!same_range(&a->r[i], &b->r[i]))
            return false;
    return true;
}

#endif /* MC_HEAP_HELPERS_H */
