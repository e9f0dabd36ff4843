/*
 * heap.c (alternative): small bins and a best-fit tree.
 *
 * Blocks carry an 8-byte header (size | A | P) and, when free, an 8-byte
 * footer; P says the block before is allocated, so allocated blocks need no
 * footer. The heap's memory is [struct heap][pad][blocks...][end marker].
 *
 * Free blocks of at most SMALL_MAX bytes sit in exact-size bins (doubly
 * linked, last in first out). Larger free blocks sit in one treap, a binary
 * search tree ordered by (size, address) whose shape is kept balanced by a
 * priority hashed from each node's address: the best fit for a request is
 * the smallest node not below it, found in O(log n). Free blocks are merged
 * with free neighbours at once. The heap grows by exactly what a request
 * lacks.
 *
 *   free small block: [size|P][next][prev] ... [size]
 *   free large block: [size|P][left][right] ... [size]
 *
 * Invariants (heap_check): blocks tile [first, end); no two free blocks
 * touch; P of each block is A of the one before; each free block is in the
 * bin or the tree its size says, once; the tree is ordered by (size,
 * address) and each node's priority is at least its children's.
 */
#include "heap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WORD      ((size_t)8)
#define MIN_BLOCK ((size_t)32)
#define SMALL_MAX ((size_t)512)
#define BINS      (SMALL_MAX / 16 - 1) /* 32, 48, ..., 512 */
#define A         ((size_t)1)
#define P         ((size_t)2)
#define FLAG_BITS ((size_t)15)

struct node {
    size_t header;
    struct node *left;  /* bins: next */
    struct node *right; /* bins: prev */
};

struct heap {
    struct heap_source source;
    unsigned char *start, *first, *end;
    struct node *bins[BINS];
    uint32_t bin_map; /* bit i set iff bins[i] != NULL */
    struct node *tree;
    size_t free_blocks;
};

static size_t rd(const unsigned char *at)
{
    size_t v;
    memcpy(&v, at, sizeof v);
    return v;
}

static void wr(unsigned char *at, size_t v)
{
    memcpy(at, &v, sizeof v);
}

static size_t bsize(const unsigned char *b)
{
    return rd(b) & ~FLAG_BITS;
}

static bool used(const unsigned char *b)
{
    return (rd(b) & A) != 0;
}

static bool prev_used(const unsigned char *b)
{
    return (rd(b) & P) != 0;
}

static void set_p(unsigned char *b, bool on)
{
    wr(b, on ? rd(b) | P : rd(b) & ~P);
}

static struct node *as_node(unsigned char *b)
{
    return (struct node *)(void *)b;
}

/* ---- bins ------------------------------------------------------------------ */

static unsigned bin_of(size_t size)
{
    return (unsigned)(size / 16 - 2);
}

static void bin_push(struct heap *h, struct node *n)
{
    unsigned i = bin_of(n->header & ~FLAG_BITS);
    n->right = NULL;
    n->left = h->bins[i];
    if (n->left != NULL)
        n->left->right = n;
    h->bins[i] = n;
    h->bin_map |= (uint32_t)1 << i;
}

static void bin_unlink(struct heap *h, struct node *n)
{
    unsigned i = bin_of(n->header & ~FLAG_BITS);
    if (n->right != NULL)
        n->right->left = n->left;
    else
        h->bins[i] = n->left;
    if (n->left != NULL)
        n->left->right = n->right;
    if (h->bins[i] == NULL)
        h->bin_map &= ~((uint32_t)1 << i);
}

/* ---- the treap ------------------------------------------------------------- */

static uint64_t priority(const struct node *n)
{
    uint64_t x = (uint64_t)(uintptr_t)n;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    return x;
}

static bool before(const struct node *a, const struct node *b)
{
    size_t sa = a->header & ~FLAG_BITS, sb = b->header & ~FLAG_BITS;
    return sa < sb || (sa == sb && (uintptr_t)a < (uintptr_t)b);
}

static struct node *tree_insert(struct node *t, struct node *n)
{
    if (t == NULL) {
        n->left = n->right = NULL;
        return n;
    }
    if (before(n, t)) {
        t->left = tree_insert(t->left, n);
        if (priority(t->left) > priority(t)) { /* rotate right */
            struct node *l = t->left;
            t->left = l->right;
            l->right = t;
            return l;
        }
    } else {
        t->right = tree_insert(t->right, n);
        if (priority(t->right) > priority(t)) { /* rotate left */
            struct node *r = t->right;
            t->right = r->left;
            r->left = t;
            return r;
        }
    }
    return t;
}

/* Joins two treaps whose keys are all below (a) and above (b) each other. */
static struct node *tree_join(struct node *a, struct node *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (priority(a) > priority(b)) {
        a->right = tree_join(a->right, b);
        return a;
    }
    b->left = tree_join(a, b->left);
    return b;
}

static struct node *tree_erase(struct node *t, struct node *n)
{
    if (t == NULL) /* n is not in the tree: nothing to do */
        return NULL;
    if (t == n)
        return tree_join(t->left, t->right);
    if (before(n, t))
        t->left = tree_erase(t->left, n);
    else
        t->right = tree_erase(t->right, n);
    return t;
}

/* The smallest node of at least size bytes, or NULL. */
static struct node *tree_best(struct node *t, size_t size)
{
    struct node *best = NULL;
    while (t != NULL) {
        if ((t->header & ~FLAG_BITS) >= size) {
            best = t;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return best;
}

/* ---- free blocks ----------------------------------------------------------- */

static void file(struct heap *h, unsigned char *b)
{
    if (bsize(b) <= SMALL_MAX)
        bin_push(h, as_node(b));
    else
        h->tree = tree_insert(h->tree, as_node(b));
    h->free_blocks++;
}

static void unfile(struct heap *h, unsigned char *b)
{
    if (bsize(b) <= SMALL_MAX)
        bin_unlink(h, as_node(b));
    else
        h->tree = tree_erase(h->tree, as_node(b));
    h->free_blocks--;
}

static void make_free(unsigned char *b, size_t size)
{
    wr(b, size | P);
    wr(b + size - WORD, size);
}

/* A free block of at least asize bytes, still filed; NULL if none. */
static unsigned char *fit(const struct heap *h, size_t asize)
{
    if (asize <= SMALL_MAX) {
        uint32_t wider = h->bin_map & ~(((uint32_t)1 << bin_of(asize)) - 1);
        if (wider != 0)
            return (unsigned char *)h->bins[__builtin_ctz(wider)];
    }
    return (unsigned char *)tree_best(h->tree, asize);
}

static void release(struct heap *h, unsigned char *b)
{
    size_t size = bsize(b);
    bool p = prev_used(b);
    wr(b, size | (p ? P : 0)); /* says "free" even once merged: double frees show */
    unsigned char *next = b + size;
    if (!used(next)) {
        unfile(h, next);
        size += bsize(next);
    }
    if (!p) {
        unsigned char *prev = b - rd(b - WORD);
        unfile(h, prev);
        size += bsize(prev);
        b = prev;
    }
    make_free(b, size);
    set_p(b + size, false);
    file(h, b);
}

/* Takes asize bytes from the low end of the free block b (unfiled). */
static unsigned char *carve(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = bsize(b);
    if (size - asize < MIN_BLOCK) {
        wr(b, size | A | P);
        set_p(b + size, true);
        return b;
    }
    wr(b, asize | A | P);
    make_free(b + asize, size - asize);
    file(h, b + asize);
    return b;
}

static bool more(struct heap *h, size_t bytes)
{
    void *got = h->source.more(h->source.ctx, bytes);
    if (got == NULL || got != (void *)(h->end + WORD))
        return false;
    h->end += bytes;
    return true;
}

/* A free block of asize bytes at the end of the heap, unfiled; NULL if no memory. */
static unsigned char *grow(struct heap *h, size_t asize)
{
    unsigned char *old_end = h->end;
    size_t tail = prev_used(old_end) ? 0 : rd(old_end - WORD);
    if (!more(h, asize - tail))
        return NULL;
    wr(h->end, A);
    unsigned char *b = old_end - tail;
    if (tail != 0)
        unfile(h, b);
    wr(b, asize | P);
    return b;
}

static size_t need(size_t size)
{
    if (size > ((size_t)1 << 60))
        return 0;
    size_t asize = (size + WORD + 15) & ~(size_t)15;
    return asize < MIN_BLOCK ? MIN_BLOCK : asize;
}

static unsigned char *take(struct heap *h, size_t asize)
{
    unsigned char *b = fit(h, asize);
    if (b != NULL)
        unfile(h, b);
    else if ((b = grow(h, asize)) == NULL)
        return NULL;
    return carve(h, b, asize);
}

/* Gives back the tail of the allocated block b beyond asize, if it makes a block. */
static void trim(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = bsize(b);
    if (size - asize < MIN_BLOCK)
        return;
    wr(b, asize | (rd(b) & FLAG_BITS));
    wr(b + asize, (size - asize) | A | P);
    release(h, b + asize);
}

/* HEAP_OK with the block of ptr in *out, or why ptr is refused; writes nothing. */
static int check_ptr(const struct heap *h, const void *ptr, unsigned char **out)
{
    uintptr_t p = (uintptr_t)ptr, lo = (uintptr_t)h->first + WORD, hi = (uintptr_t)h->end;
    if (p % 16 != 0 || p < lo || p >= hi)
        return HEAP_INVALID;
    unsigned char *b = h->first + (p - lo);
    size_t word = rd(b), size = word & ~FLAG_BITS;
    if ((word & 12) != 0 || size < MIN_BLOCK || size > (size_t)(h->end - b))
        return HEAP_INVALID;
    if ((word & A) == 0)
        return HEAP_DOUBLE_FREE;
    unsigned char *next = b + size;
    size_t nword = rd(next), nsize = nword & ~FLAG_BITS;
    if ((nword & P) == 0 || (nword & 12) != 0)
        return HEAP_INVALID;
    if (next == h->end ? nsize != 0 || (nword & A) == 0
                       : nsize < MIN_BLOCK || nsize > (size_t)(h->end - next))
        return HEAP_INVALID;
    if ((word & P) == 0) {
        size_t psize = rd(b - WORD);
        if (psize % 16 != 0 || psize < MIN_BLOCK || psize > (size_t)(b - h->first) ||
            rd(b - psize) != (psize | P))
            return HEAP_INVALID;
    }
    *out = b;
    return HEAP_OK;
}

/* ---- the API ------------------------------------------------------------------ */

struct heap *heap_init(struct heap_source source)
{
    size_t own = (sizeof(struct heap) + 15) & ~(size_t)15;
    unsigned char *start = source.more(source.ctx, own + 2 * WORD);
    if (start == NULL || (uintptr_t)start % 16 != 0)
        return NULL;
    struct heap *h = (struct heap *)(void *)start;
    *h = (struct heap){.source = source, .start = start, .first = start + own + WORD};
    h->end = h->first;
    wr(h->end, A | P);
    return h;
}

void *heap_malloc(struct heap *heap, size_t size)
{
    size_t asize = need(size);
    unsigned char *b = asize ? take(heap, asize) : NULL;
    return b ? b + WORD : NULL;
}

int heap_free(struct heap *heap, void *ptr)
{
    unsigned char *b;
    if (ptr == NULL)
        return HEAP_OK;
    int rc = check_ptr(heap, ptr, &b);
    if (rc == HEAP_OK)
        release(heap, b);
    return rc;
}

void *heap_calloc(struct heap *heap, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        return NULL;
    void *p = heap_malloc(heap, bytes);
    return p ? memset(p, 0, bytes) : NULL;
}

void *heap_realloc(struct heap *heap, void *ptr, size_t size)
{
    unsigned char *b;
    if (ptr == NULL)
        return heap_malloc(heap, size);
    if (check_ptr(heap, ptr, &b) != HEAP_OK)
        return NULL;
    if (size == 0) {
        release(heap, b);
        return NULL;
    }
    size_t asize = need(size), have = bsize(b);
    if (asize == 0)
        return NULL;
    if (asize <= have) {
        trim(heap, b, asize);
        return ptr;
    }
    unsigned char *next = b + have;
    size_t spare = used(next) ? 0 : bsize(next);
    if (have + spare >= asize) { /* into the free block after it */
        unfile(heap, next);
        wr(b, (have + spare) | (rd(b) & FLAG_BITS));
        set_p(b + have + spare, true);
        trim(heap, b, asize);
        return ptr;
    }
    if (next + spare == heap->end && more(heap, asize - have - spare)) { /* at the end */
        if (spare != 0)
            unfile(heap, next);
        wr(heap->end, A | P);
        wr(b, asize | (rd(b) & FLAG_BITS));
        return ptr;
    }
    unsigned char *fresh = take(heap, asize);
    if (fresh == NULL)
        return NULL;
    memcpy(fresh + WORD, ptr, have - WORD);
    release(heap, b);
    return fresh + WORD;
}

void *heap_aligned_alloc(struct heap *heap, size_t align, size_t size)
{
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align <= 16)
        return heap_malloc(heap, size);
    size_t asize = need(size);
    if (asize == 0 || align > ((size_t)1 << 60))
        return NULL;
    unsigned char *b = take(heap, asize + align + MIN_BLOCK);
    if (b == NULL)
        return NULL;
    uintptr_t payload = (uintptr_t)(b + WORD);
    size_t lead = 0;
    while ((payload + lead) % align != 0 || (lead != 0 && lead < MIN_BLOCK))
        lead += 16;
    if (lead != 0) {
        unsigned char *a = b + lead;
        wr(a, (bsize(b) - lead) | A);
        wr(b, lead | A | (rd(b) & P));
        release(heap, b);
        b = a;
    }
    trim(heap, b, asize);
    return b + WORD;
}

size_t heap_usable_size(const struct heap *heap, const void *ptr)
{
    unsigned char *b;
    return ptr != NULL && check_ptr(heap, ptr, &b) == HEAP_OK ? bsize(b) - WORD : 0;
}

void heap_walk(const struct heap *heap, heap_visit_fn *visit, void *ctx)
{
    struct heap_range r = {heap->start, (size_t)(heap->first - heap->start), heap->start, 0,
                           HEAP_RANGE_META};
    visit(ctx, &r);
    for (unsigned char *b = heap->first; b < heap->end; b += bsize(b)) {
        r = (struct heap_range){b, bsize(b), b + WORD, bsize(b) - WORD,
                                used(b) ? HEAP_RANGE_ALLOCATED : HEAP_RANGE_FREE};
        visit(ctx, &r);
    }
    r = (struct heap_range){heap->end, WORD, heap->end, 0, HEAP_RANGE_META};
    visit(ctx, &r);
}

/* ---- the checker ------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t n, const char *fmt, ...)
{
    if (why != NULL && n > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* True if n can be read as a free block of this heap. */
static bool plausible(const struct heap *h, const struct node *n)
{
    uintptr_t at = (uintptr_t)n;
    if (at < (uintptr_t)h->first || at >= (uintptr_t)h->end || at % 16 != WORD)
        return false;
    const unsigned char *b = (const unsigned char *)n;
    size_t size = n->header & ~FLAG_BITS;
    return (n->header & (A | 12)) == 0 && size >= MIN_BLOCK && size <= (size_t)(h->end - b) &&
           rd(b + size - WORD) == size;
}

/* Checks the subtree t (keys strictly between lo and hi, NULL meaning open);
 * counts its nodes into *count, never beyond limit. */
static int check_tree(const struct heap *h, const struct node *t, const struct node *lo,
                      const struct node *hi, size_t *count, size_t limit, char *why, size_t n)
{
    if (t == NULL)
        return 0;
    if (!plausible(h, t) || (t->header & ~FLAG_BITS) <= SMALL_MAX)
        return bad(why, n, "tree node %p is not a large free block of the heap", (void *)t);
    if (++*count > limit)
        return bad(why, n, "the tree has more nodes than there are free blocks (a loop?)");
    if ((lo && !before(lo, t)) || (hi && !before(t, hi)))
        return bad(why, n, "tree node %p is out of order", (void *)t);
    if ((t->left && priority(t->left) > priority(t)) ||
        (t->right && priority(t->right) > priority(t)))
        return bad(why, n, "tree node %p: a child has a higher priority", (void *)t);
    if (check_tree(h, t->left, lo, t, count, limit, why, n) != 0)
        return -1;
    return check_tree(h, t->right, t, hi, count, limit, why, n);
}

int heap_check(const struct heap *heap, char *why, size_t why_size)
{
    const struct heap *h = heap;
    size_t frees = 0, filed = 0;
    bool prev_alloc = true;
    for (const unsigned char *b = h->first; b != h->end;) {
        size_t word = rd(b), size = word & ~FLAG_BITS;
        if ((word & 12) != 0 || size < MIN_BLOCK || size > (size_t)(h->end - b))
            return bad(why, why_size, "block at %p has a broken header 0x%zx", (const void *)b,
                       word);
        if (((word & P) != 0) != prev_alloc)
            return bad(why, why_size, "block at %p: P bit is wrong", (const void *)b);
        if ((word & A) == 0) {
            if (!prev_alloc)
                return bad(why, why_size, "free blocks touch at %p", (const void *)b);
            if (rd(b + size - WORD) != size)
                return bad(why, why_size, "free block at %p: footer differs", (const void *)b);
            frees++;
        }
        prev_alloc = (word & A) != 0;
        b += size;
    }
    if (rd(h->end) != (A | (prev_alloc ? P : 0)))
        return bad(why, why_size, "the end marker is damaged");
    for (unsigned i = 0; i < BINS; i++) {
        if ((((h->bin_map >> i) & 1) != 0) != (h->bins[i] != NULL))
            return bad(why, why_size, "bin %u: the bitmap is wrong", i);
        const struct node *back = NULL;
        for (const struct node *n = h->bins[i]; n != NULL; n = n->left) {
            if (!plausible(h, n) || bin_of(n->header & ~FLAG_BITS) != i || n->right != back)
                return bad(why, why_size, "bin %u: %p is not a free block of its size", i,
                           (const void *)n);
            if (++filed > frees)
                return bad(why, why_size, "bin %u loops", i);
            back = n;
        }
    }
    size_t in_tree = 0;
    if (check_tree(h, h->tree, NULL, NULL, &in_tree, frees - filed, why, why_size) != 0)
        return -1;
    if (filed + in_tree != frees || h->free_blocks != frees)
        return bad(why, why_size, "%zu free blocks, %zu filed", frees, filed + in_tree);
    return 0;
}
