/*
 * heap.c: a general-purpose heap with boundary tags and segregated free lists.
 *
 * Layout. The source's memory starts with struct heap (bounds and list heads),
 * padded so that the first block's header sits 8 bytes before a 16-byte
 * boundary. Blocks follow, then an 8-byte end marker:
 *
 *     [struct heap | pad][hdr|payload...][hdr|payload...] ... [end]
 *
 * Every block starts with an 8-byte header: the block's size (a multiple of
 * 16, header included) with flags in the low bits, so every payload starts on
 * a 16-byte boundary.
 *
 *     allocated:  [size|A|P][payload ..........................]
 *     free:       [size|P  ][next][prev] .................[size]
 *
 * A: this block is allocated. P: the block before it is allocated. Only a
 * free block has a footer (a copy of its size in its last 8 bytes): that is
 * all free() needs to find the start of a free block before it, so an
 * allocated block lends those 8 bytes to its payload. The end marker is a
 * header of size 0 with A set, so merging stops there.
 *
 * Free blocks sit on doubly linked lists, one per size class: one class per
 * exact size from 32 to 1024 bytes, then one per power of two. A bitmap says
 * which lists are non-empty, so finding the next non-empty class is a
 * count-trailing-zeros. malloc takes the head of the exact class, or the best
 * of the first FIT_TRIES blocks of the first non-empty class that can hold
 * the request. Large blocks are cut from the high end of a free block and
 * small ones from the low end, so that small long-lived blocks do not end up
 * between large ones.
 *
 * Invariants (heap_check() verifies every one):
 *   blocks tile [first, end); a size is a multiple of 16 and >= MIN_BLOCK;
 *   P of a block == A of the block before it; P of the first block is set;
 *   no two free blocks are adjacent (free merges at once);
 *   a free block's footer == its size; it is on the list of its class, once;
 *   only free blocks are on lists; next->prev == block; nonempty[] matches;
 *   free_count == the number of free blocks.
 */
#include "heap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
    WORD = 8,           /* a header or a footer */
    MIN_BLOCK = 32,     /* header, two links and a footer */
    EXACT_LIMIT = 1024, /* one class per 16 bytes up to here */
    EXACT_CLASSES = (EXACT_LIMIT - MIN_BLOCK) / HEAP_ALIGN + 1,
    CLASSES = EXACT_CLASSES + 54, /* then one per power of two, up to 2^63 */
    FIT_TRIES = 8,                /* candidates examined in a power-of-two class */
    SPLIT_HIGH = 128,             /* blocks this large come from the high end */
    GROW_MIN = 4096,              /* the least the heap grows by */
};

static const size_t ALLOC = 1;      /* A */
static const size_t PREV_ALLOC = 2; /* P */
static const size_t FLAGS = 15;     /* low bits that are not size; bits 2, 3 stay 0 */

struct free_block {
    size_t header;
    struct free_block *next;
    struct free_block *prev;
};

struct heap {
    struct heap_source source;
    unsigned char *start; /* first byte from the source: this struct */
    unsigned char *first; /* header of the first block (== end when empty) */
    unsigned char *end;   /* header of the end marker; end + WORD == break */
    size_t free_count;    /* free blocks, all on lists */
    uint64_t nonempty[2]; /* bit c set iff lists[c] != NULL */
    struct free_block *lists[CLASSES];
};

/* ---- words, headers and footers ------------------------------------------ */

static size_t get(const unsigned char *at)
{
    size_t v;
    memcpy(&v, at, sizeof v);
    return v;
}

static void put(unsigned char *at, size_t v)
{
    memcpy(at, &v, sizeof v);
}

static size_t size_of(const unsigned char *b)
{
    return get(b) & ~FLAGS;
}

static bool is_alloc(const unsigned char *b)
{
    return (get(b) & ALLOC) != 0;
}

static bool prev_is_alloc(const unsigned char *b)
{
    return (get(b) & PREV_ALLOC) != 0;
}

static void set_prev_alloc(unsigned char *b, bool alloc)
{
    size_t h = get(b);
    put(b, alloc ? h | PREV_ALLOC : h & ~PREV_ALLOC);
}

/* Writes a free block's header and footer; P is set (its neighbour before is in use). */
static void mark_free(unsigned char *b, size_t size)
{
    put(b, size | PREV_ALLOC);
    put(b + size - WORD, size);
}

static uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

/* ---- size classes and free lists ---------------------------------------- */

static unsigned class_of(size_t size)
{
    if (size <= EXACT_LIMIT)
        return (unsigned)(size / HEAP_ALIGN) - MIN_BLOCK / HEAP_ALIGN;
    unsigned log2 = 63u - (unsigned)__builtin_clzll((unsigned long long)(size - 1));
    return EXACT_CLASSES + log2 - 10; /* (1024, 2048] is the first */
}

static void list_insert(struct heap *h, unsigned char *b)
{
    struct free_block *f = (struct free_block *)(void *)b;
    unsigned c = class_of(size_of(b));
    f->prev = NULL;
    f->next = h->lists[c];
    if (f->next != NULL)
        f->next->prev = f;
    h->lists[c] = f;
    h->nonempty[c / 64] |= (uint64_t)1 << (c % 64);
    h->free_count++;
}

static void list_remove(struct heap *h, unsigned char *b)
{
    struct free_block *f = (struct free_block *)(void *)b;
    unsigned c = class_of(size_of(b));
    if (f->prev != NULL)
        f->prev->next = f->next;
    else
        h->lists[c] = f->next;
    if (f->next != NULL)
        f->next->prev = f->prev;
    if (h->lists[c] == NULL)
        h->nonempty[c / 64] &= ~((uint64_t)1 << (c % 64));
    h->free_count--;
}

/* The first class >= c whose list is non-empty, or CLASSES. */
static unsigned next_nonempty(const struct heap *h, unsigned c)
{
    for (unsigned word = c / 64; word < 2; word++) {
        uint64_t bits = h->nonempty[word];
        if (word == c / 64)
            bits &= ~(uint64_t)0 << (c % 64);
        if (bits != 0)
            return word * 64 + (unsigned)__builtin_ctzll(bits);
    }
    return CLASSES;
}

/* The smallest of the first FIT_TRIES blocks of list c that hold asize, or NULL. */
static unsigned char *best_in_class(const struct heap *h, unsigned c, size_t asize)
{
    unsigned char *best = NULL;
    size_t best_size = SIZE_MAX;
    unsigned tries = 0;
    for (struct free_block *f = h->lists[c]; f != NULL && tries < FIT_TRIES; f = f->next) {
        size_t s = f->header & ~FLAGS;
        if (s >= asize) {
            tries++;
            if (s < best_size) {
                best = (unsigned char *)f;
                best_size = s;
                if (s == asize)
                    break;
            }
        }
    }
    return best;
}

/* A free block of at least asize bytes, still on its list; NULL if none. */
static unsigned char *find_fit(const struct heap *h, size_t asize)
{
    unsigned c = class_of(asize);
    if (c >= EXACT_CLASSES) { /* a block of a power-of-two class may be too small */
        unsigned char *b = best_in_class(h, c, asize);
        if (b != NULL)
            return b;
        c++;
    }
    c = next_nonempty(h, c);
    if (c >= CLASSES)
        return NULL;
    if (c < EXACT_CLASSES)
        return (unsigned char *)h->lists[c];
    return best_in_class(h, c, asize); /* every block here is larger than asize */
}

/* ---- merging, splitting, growing ----------------------------------------- */

/* Frees the allocated block b: merges it with free neighbours and lists the result. */
static void release(struct heap *h, unsigned char *b)
{
    size_t size = size_of(b);
    bool prev_alloc = prev_is_alloc(b);
    /* b's own header says "free" even if b merges into the block before it, so
     * that a second free of b is recognised as a double free. */
    put(b, size | (prev_alloc ? PREV_ALLOC : 0));
    unsigned char *next = b + size;
    if (!is_alloc(next)) {
        list_remove(h, next);
        size += size_of(next);
    }
    if (!prev_alloc) {
        unsigned char *prev = b - get(b - WORD);
        list_remove(h, prev);
        size += size_of(prev);
        b = prev;
    }
    mark_free(b, size);
    set_prev_alloc(b + size, false);
    list_insert(h, b);
}

/* Marks the free block b (off its list) allocated with asize of its bytes, and
 * lists what is left; returns the allocated block. */
static unsigned char *place(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = size_of(b);
    size_t rest = size - asize;
    if (rest < MIN_BLOCK) {
        put(b, size | ALLOC | PREV_ALLOC);
        set_prev_alloc(b + size, true);
        return b;
    }
    if (asize >= SPLIT_HIGH) { /* large: take the high end, leave the low end free */
        mark_free(b, rest);
        list_insert(h, b);
        unsigned char *a = b + rest;
        put(a, asize | ALLOC);
        set_prev_alloc(a + asize, true);
        return a;
    }
    put(b, asize | ALLOC | PREV_ALLOC);
    mark_free(b + asize, rest);
    list_insert(h, b + asize);
    return b;
}

/* Asks the source for bytes more at the break and moves the end marker up.
 * The new bytes become part of a block starting at the old end marker. */
static bool extend(struct heap *h, size_t bytes)
{
    unsigned char *old_break = h->end + WORD;
    void *got = h->source.more(h->source.ctx, bytes);
    if (got == NULL || got != (void *)old_break)
        return false; /* a source that is not contiguous cannot be used */
    h->end += bytes;
    return true;
}

/* Grows the heap so that a free block of at least asize bytes (and at least
 * GROW_MIN, so that small and large blocks cut from it can keep apart) ends at
 * the end marker; returns that block, off its list. NULL, unchanged, when the
 * source has no memory. */
static unsigned char *grow(struct heap *h, size_t asize)
{
    unsigned char *old_end = h->end;
    bool last_free = !prev_is_alloc(old_end);
    size_t have = last_free ? get(old_end - WORD) : 0;
    size_t bytes = asize - have < GROW_MIN ? GROW_MIN : asize - have;
    if (!extend(h, bytes) && (bytes == asize - have || !extend(h, bytes = asize - have)))
        return NULL;    /* not even the bytes this request needs */
    put(h->end, ALLOC); /* the new end marker; P cleared below */
    unsigned char *b = old_end;
    if (last_free) {
        b = old_end - have;
        list_remove(h, b);
    }
    put(b, (have + bytes) | PREV_ALLOC);
    set_prev_alloc(h->end, false);
    return b;
}

/* Bytes a block needs for a request of size, or 0 when that cannot be represented. */
static size_t block_size_for(size_t size)
{
    if (size > (SIZE_MAX >> 2))
        return 0;
    size_t asize = (size + WORD + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    return asize < MIN_BLOCK ? MIN_BLOCK : asize;
}

/* An allocated block of asize bytes (a valid block size); NULL if out of memory. */
static unsigned char *allocate(struct heap *h, size_t asize)
{
    unsigned char *b = find_fit(h, asize);
    if (b != NULL)
        list_remove(h, b);
    else if ((b = grow(h, asize)) == NULL)
        return NULL;
    return place(h, b, asize);
}

/* Cuts the allocated block b down to asize bytes if what is left makes a block. */
static void shrink(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = size_of(b);
    if (size - asize < MIN_BLOCK)
        return;
    put(b, asize | (get(b) & FLAGS));
    unsigned char *rest = b + asize;
    put(rest, (size - asize) | ALLOC | PREV_ALLOC);
    release(h, rest);
}

/* ---- checking pointers ---------------------------------------------------- */

/* True if a header word h at b describes a plausible block inside the heap. */
static bool sane_header(const struct heap *h, const unsigned char *b, size_t word)
{
    size_t size = word & ~FLAGS;
    if ((word & (FLAGS & ~(ALLOC | PREV_ALLOC))) != 0 || size < MIN_BLOCK)
        return false;
    return size <= (size_t)(h->end - b);
}

/*
 * Checks ptr before anything is written: HEAP_OK with its block in *out, or
 * the status heap_free() reports. Looks at the block's header, the next
 * block's header and, when the block before is free, that block's footer and
 * header: an overflow out of a neighbour shows up in one of them.
 */
static int validate(const struct heap *h, const void *ptr, unsigned char **out)
{
    uintptr_t p = addr(ptr);
    if (p % HEAP_ALIGN != 0 || p < addr(h->first) + WORD || p >= addr(h->end))
        return HEAP_INVALID;
    unsigned char *b = h->first + (p - WORD - addr(h->first));
    size_t word = get(b);
    if (!sane_header(h, b, word))
        return HEAP_INVALID;
    if ((word & ALLOC) == 0)
        return HEAP_DOUBLE_FREE;
    const unsigned char *next = b + (word & ~FLAGS);
    size_t next_word = get(next);
    if ((next_word & PREV_ALLOC) == 0)
        return HEAP_INVALID;
    if (next == h->end ? next_word != (ALLOC | PREV_ALLOC) : !sane_header(h, next, next_word))
        return HEAP_INVALID;
    if ((word & PREV_ALLOC) == 0) {
        size_t prev_size = get(b - WORD);
        if (prev_size % HEAP_ALIGN != 0 || prev_size < MIN_BLOCK ||
            prev_size > (size_t)(b - h->first))
            return HEAP_INVALID;
        if (get(b - prev_size) != (prev_size | PREV_ALLOC))
            return HEAP_INVALID;
    }
    *out = b;
    return HEAP_OK;
}

/* ---- the API -------------------------------------------------------------- */

struct heap *heap_init(struct heap_source source)
{
    size_t own = (sizeof(struct heap) + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    unsigned char *start = source.more(source.ctx, own + (size_t)2 * WORD); /* padding, end */
    if (start == NULL || addr(start) % HEAP_ALIGN != 0)
        return NULL;
    struct heap *h = (struct heap *)(void *)start;
    memset(h, 0, sizeof *h);
    h->source = source;
    h->start = start;
    h->first = start + own + WORD; /* 8 bytes of padding, then headers at 8 mod 16 */
    h->end = h->first;
    put(h->end, ALLOC | PREV_ALLOC);
    return h;
}

void *heap_malloc(struct heap *heap, size_t size)
{
    size_t asize = block_size_for(size);
    if (asize == 0)
        return NULL;
    unsigned char *b = allocate(heap, asize);
    return b == NULL ? NULL : b + WORD;
}

int heap_free(struct heap *heap, void *ptr)
{
    if (ptr == NULL)
        return HEAP_OK;
    unsigned char *b = NULL;
    int status = validate(heap, ptr, &b);
    if (status != HEAP_OK)
        return status;
    release(heap, b);
    return HEAP_OK;
}

void *heap_calloc(struct heap *heap, size_t count, size_t size)
{
    if (count != 0 && size > SIZE_MAX / count)
        return NULL;
    void *p = heap_malloc(heap, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

/* Grows the allocated block b to at least asize bytes where it stands: into a
 * free block after it, and past the end marker when it is (or that free block
 * is) the last block. False, unchanged, when neither is possible. */
static bool grow_in_place(struct heap *h, unsigned char *b, size_t asize)
{
    size_t size = size_of(b);
    unsigned char *next = b + size;
    size_t next_free = is_alloc(next) ? 0 : size_of(next);
    if (size + next_free < asize) {
        if (next + next_free != h->end || !extend(h, asize - size - next_free))
            return false;
        put(h->end, ALLOC | PREV_ALLOC);
        next_free = asize - size; /* the old free block, if any, and the new bytes */
        if (!is_alloc(next))
            list_remove(h, next);
        put(b, (size + next_free) | (get(b) & FLAGS));
        return true;
    }
    if (next_free != 0)
        list_remove(h, next);
    put(b, (size + next_free) | (get(b) & FLAGS));
    set_prev_alloc(b + size + next_free, true);
    shrink(h, b, asize);
    return true;
}

/* Moves the allocated block b into the free block before it when the two
 * (and a free block after it) hold asize; returns the new block or NULL. */
static unsigned char *grow_backwards(struct heap *h, unsigned char *b, size_t asize)
{
    if (prev_is_alloc(b))
        return NULL;
    size_t size = size_of(b);
    size_t prev_size = get(b - WORD);
    unsigned char *next = b + size;
    size_t next_free = is_alloc(next) ? 0 : size_of(next);
    if (prev_size + size + next_free < asize)
        return NULL;
    unsigned char *prev = b - prev_size;
    list_remove(h, prev);
    if (next_free != 0)
        list_remove(h, next);
    memmove(prev + WORD, b + WORD, size - WORD);
    size_t total = prev_size + size + next_free;
    put(prev, total | ALLOC | PREV_ALLOC);
    set_prev_alloc(prev + total, true);
    shrink(h, prev, asize);
    return prev;
}

void *heap_realloc(struct heap *heap, void *ptr, size_t size)
{
    if (ptr == NULL)
        return heap_malloc(heap, size);
    unsigned char *b = NULL;
    if (validate(heap, ptr, &b) != HEAP_OK)
        return NULL;
    if (size == 0) {
        release(heap, b);
        return NULL;
    }
    size_t asize = block_size_for(size);
    if (asize == 0)
        return NULL;
    if (asize <= size_of(b)) {
        shrink(heap, b, asize);
        return ptr;
    }
    if (grow_in_place(heap, b, asize))
        return ptr;
    unsigned char *moved = grow_backwards(heap, b, asize);
    if (moved != NULL)
        return moved + WORD;
    unsigned char *fresh = allocate(heap, asize);
    if (fresh == NULL)
        return NULL;
    memcpy(fresh + WORD, ptr, size_of(b) - WORD);
    release(heap, b);
    return fresh + WORD;
}

void *heap_aligned_alloc(struct heap *heap, size_t align, size_t size)
{
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align <= HEAP_ALIGN)
        return heap_malloc(heap, size);
    size_t asize = block_size_for(size);
    if (asize == 0 || align > (SIZE_MAX >> 2) || asize > (SIZE_MAX >> 2) - align)
        return NULL;
    /* Room for asize at the first aligned payload at least MIN_BLOCK in. */
    unsigned char *b = allocate(heap, asize + align + MIN_BLOCK);
    if (b == NULL)
        return NULL;
    uintptr_t payload = addr(b) + WORD;
    if (payload % align != 0) {
        size_t lead = (size_t)(-(payload + MIN_BLOCK) & (align - 1)) + MIN_BLOCK;
        unsigned char *a = b + lead;
        put(a, (size_of(b) - lead) | ALLOC);
        put(b, lead | ALLOC | (get(b) & PREV_ALLOC));
        release(heap, b); /* the lead becomes free; a's P is cleared */
        b = a;
    }
    shrink(heap, b, asize);
    return b + WORD;
}

size_t heap_usable_size(const struct heap *heap, const void *ptr)
{
    unsigned char *b = NULL;
    if (ptr == NULL || validate(heap, ptr, &b) != HEAP_OK)
        return 0;
    return size_of(b) - WORD;
}

void heap_walk(const struct heap *heap, heap_visit_fn *visit, void *ctx)
{
    struct heap_range r = {heap->start, (size_t)(heap->first - heap->start), heap->start, 0,
                           HEAP_RANGE_META};
    visit(ctx, &r);
    for (unsigned char *b = heap->first; b != heap->end; b += size_of(b)) {
        r = (struct heap_range){b, size_of(b), b + WORD, size_of(b) - WORD,
                                is_alloc(b) ? HEAP_RANGE_ALLOCATED : HEAP_RANGE_FREE};
        visit(ctx, &r);
    }
    r = (struct heap_range){heap->end, WORD, heap->end, 0, HEAP_RANGE_META};
    visit(ctx, &r);
}

/* ---- the checker ---------------------------------------------------------- */

/* Formats the first problem into why; always returns -1. */
__attribute__((format(printf, 3, 4))) static int fail(char *why, size_t why_size,
                                                      const char *format, ...)
{
    if (why != NULL && why_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(why, why_size, format, args);
        va_end(args);
    }
    return -1;
}

static bool inside(const struct heap *h, const void *p)
{
    return addr(p) >= addr(h->first) && addr(p) < addr(h->end);
}

/* Walks the blocks; counts the free ones into *free_blocks. */
static int check_blocks(const struct heap *h, size_t *free_blocks, char *why, size_t n)
{
    bool prev_alloc = true, prev_free = false;
    const unsigned char *b = h->first;
    while (b != h->end) {
        size_t word = get(b);
        long off = (long)(b - h->start);
        if (!sane_header(h, b, word))
            return fail(why, n, "block at offset %ld: header 0x%zx is not a valid size", off, word);
        if (((word & PREV_ALLOC) != 0) != prev_alloc)
            return fail(why, n, "block at offset %ld: its P bit says the block before is %s", off,
                        prev_alloc ? "free" : "allocated");
        size_t size = word & ~FLAGS;
        bool alloc = (word & ALLOC) != 0;
        if (!alloc) {
            if (prev_free)
                return fail(why, n, "block at offset %ld: two free blocks side by side", off);
            if (get(b + size - WORD) != size)
                return fail(why, n, "free block at offset %ld: footer %zu, header %zu", off,
                            get(b + size - WORD), size);
            (*free_blocks)++;
        }
        prev_alloc = alloc;
        prev_free = !alloc;
        b += size;
    }
    if (get(h->end) != (ALLOC | (prev_alloc ? PREV_ALLOC : 0)))
        return fail(why, n, "end marker at offset %ld: 0x%zx", (long)(h->end - h->start),
                    get(h->end));
    return 0;
}

/* Walks every free list; counts the blocks listed into *listed. */
static int check_lists(const struct heap *h, size_t limit, size_t *listed, char *why, size_t n)
{
    for (unsigned c = 0; c < CLASSES; c++) {
        bool marked = (h->nonempty[c / 64] >> (c % 64)) & 1;
        if (marked != (h->lists[c] != NULL))
            return fail(why, n, "list %u: the bitmap says %s", c, marked ? "non-empty" : "empty");
        const struct free_block *prev = NULL;
        for (const struct free_block *f = h->lists[c]; f != NULL; f = f->next) {
            if (!inside(h, f) || addr(f) % HEAP_ALIGN != WORD)
                return fail(why, n, "list %u: link %p points outside the heap", c, (void *)f);
            const unsigned char *b = (const unsigned char *)f;
            long off = (long)(b - h->start);
            if ((f->header & ALLOC) != 0 || !sane_header(h, b, f->header))
                return fail(why, n, "list %u: block at offset %ld is not a free block", c, off);
            if (class_of(f->header & ~FLAGS) != c)
                return fail(why, n,
                            "list %u: block at offset %ld of %zu bytes is in the wrong "
                            "class",
                            c, off, f->header & ~FLAGS);
            if (f->prev != prev)
                return fail(why, n, "list %u: block at offset %ld has a wrong back link", c, off);
            if (++*listed > limit)
                return fail(why, n, "list %u: more blocks listed than are free (a cycle?)", c);
            prev = f;
        }
    }
    return 0;
}

int heap_check(const struct heap *heap, char *why, size_t why_size)
{
    const struct heap *h = heap;
    if (h->first != h->start + ((sizeof *h + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1)) + WORD ||
        addr(h->end) < addr(h->first) || addr(h->end) % HEAP_ALIGN != WORD)
        return fail(why, why_size, "the heap's own bounds are damaged");
    size_t free_blocks = 0, listed = 0;
    if (check_blocks(h, &free_blocks, why, why_size) != 0)
        return -1;
    if (check_lists(h, free_blocks, &listed, why, why_size) != 0)
        return -1;
    if (listed != free_blocks || h->free_count != free_blocks)
        return fail(why, why_size, "%zu free blocks, %zu on lists, count says %zu", free_blocks,
                    listed, h->free_count);
    return 0;
}
