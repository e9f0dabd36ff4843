/*
 * Public tests for the heap (exercise 09). Each test builds a heap over a
 * region of its own, whose break the test's source moves; the test can shrink
 * what is left of the region to make the heap run out of memory.
 *
 * Tests never assert inside a loop whose length depends on your design (the
 * number of ranges, say): they count problems and assert once.
 */
#include "heap.h"
#include "mc_test.h"
#include "heap_helpers.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MC_SUITE(init);
MC_SUITE(malloc);
MC_SUITE(free);
MC_SUITE(calloc);
MC_SUITE(realloc);
MC_SUITE(aligned);
MC_SUITE(usable);
MC_SUITE(walk);
MC_SUITE(check);

#define READ_CLASSIC   MC_READ("9.1 The classic heap")
#define READ_PLACEMENT MC_READ("9.2 Placement: first, next and best fit")
#define READ_MERGING   MC_READ("9.3 Splitting and merging")
#define READ_LISTS     MC_READ("9.4 Free lists and size classes")
#define READ_REALLOC   MC_READ("9.5 realloc in place")
#define READ_SYSTEM    MC_READ("9.6 Memory from the system")
#define READ_ATTACKS   MC_READ("9.7 Attacks on a heap")

enum { REGION = 1 << 20 };

/* ---- the test's source: a region whose break the test moves ----------------- */

static struct heap *make_heap(struct source *s, size_t size)
{
    *s = (struct source){0};
    s->raw = malloc(size + HEAP_ALIGN);
    cr_assert_not_null(s->raw, "the test could not allocate its region of %zu bytes", size);
    s->base = s->raw + (-(uintptr_t)s->raw & (HEAP_ALIGN - 1));
    s->size = size;
    struct heap *h = heap_init((struct heap_source){source_more, s});
    cr_assert_not_null(h,
                       "heap_init() over a region of %zu bytes returned NULL, expected a "
                       "heap" READ_CLASSIC,
                       size);
    return h;
}

static bool inside(const struct source *s, const void *p, size_t n)
{
    uintptr_t at = (uintptr_t)p, lo = (uintptr_t)s->base;
    return at >= lo && at <= lo + s->brk && n <= lo + s->brk - at;
}

static void *must_malloc(struct heap *h, size_t size, const char *why)
{
    void *p = heap_malloc(h, size);
    cr_assert_not_null(p, "heap_malloc(heap, %zu) returned NULL (%s)" READ_CLASSIC, size, why);
    return p;
}

/* ---- patterns --------------------------------------------------------------- */

static unsigned char pattern(unsigned seed, size_t i)
{
    return (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pattern(seed, i);
}

/* The number of the first n bytes of p that differ from the pattern. */
static size_t damaged(const void *p, size_t n, unsigned seed)
{
    const unsigned char *b = p;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += b[i] != pattern(seed, i);
    return bad;
}

/* ---- walks ------------------------------------------------------------------- */

static void on_range(void *ctx, const struct heap_range *range)
{
    struct walk *w = ctx;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        struct heap_range *grown = realloc(w->r, cap * sizeof *grown);
        if (grown == NULL || w->n > 100000) {
            w->broken = true;
            return;
        }
        w->r = grown;
        w->cap = cap;
    }
    w->r[w->n++] = *range;
}

static struct walk walk_of(const struct heap *h)
{
    struct walk w = {0};
    heap_walk(h, on_range, &w);
    cr_assert(!w.broken,
              "heap_walk() reported more than 100000 ranges: does it loop?" READ_CLASSIC);
    return w;
}

/* Problems with how the ranges tile the heap (8.1, 8.3); the first in why. */
static size_t tiling_problems(const struct walk *w, const struct source *s, char *why, size_t n)
{
    size_t bad = 0;
    const unsigned char *expect = s->base;
    for (size_t i = 0; i < w->n; i++) {
        const struct heap_range *r = &w->r[i];
        const unsigned char *start = r->start, *payload = r->payload;
        const char *problem = NULL;
        if (start != expect)
            problem = "does not start where the range before it ends";
        else if (r->size == 0)
            problem = "is empty";
        else if (payload < start || payload > end_of(r) ||
                 r->usable > (size_t)(end_of(r) - payload))
            problem = "has its payload or usable bytes outside the range";
        else if (r->kind == HEAP_RANGE_META && (payload != start || r->usable != 0))
            problem = "is META but has a payload";
        else if (r->kind == HEAP_RANGE_ALLOCATED && (uintptr_t)payload % HEAP_ALIGN != 0)
            problem = "is ALLOCATED but its payload is not aligned to 16";
        else if (r->kind != HEAP_RANGE_META && r->kind != HEAP_RANGE_FREE &&
                 r->kind != HEAP_RANGE_ALLOCATED)
            problem = "has an unknown kind";
        if (problem != NULL && bad++ == 0)
            snprintf(why, n, "range %zu (offset %td, %zu bytes) %s", i, start - s->base, r->size,
                     problem);
        expect = end_of(r);
    }
    if (w->n == 0 && bad++ == 0)
        snprintf(why, n, "heap_walk() reported no range at all");
    else if (expect != s->base + s->brk && bad++ == 0)
        snprintf(why, n, "the last range ends at offset %td, the break is at %zu", expect - s->base,
                 s->brk);
    return bad;
}

static void assert_tiles(const struct heap *h, const struct source *s, const char *after)
{
    struct walk w = walk_of(h);
    char why[200] = "";
    size_t bad = tiling_problems(&w, s, why, sizeof why);
    walk_free(&w);
    cr_assert_eq(bad, 0,
                 "after %s, heap_walk()'s ranges must tile the heap from its first byte to the "
                 "break; %zu problem(s), the first: %s" READ_CLASSIC,
                 after, bad, why);
}

/* Problems between the walk and the live blocks p[0..n) of sizes size[] (8.2). */
static size_t live_problems(const struct heap *h, const struct walk *w, void *const *p,
                            const size_t *size, size_t n)
{
    size_t bad = count_kind(w, HEAP_RANGE_ALLOCATED) != n;
    for (size_t i = 0; i < n; i++) {
        const struct heap_range *r = range_of(w, p[i]);
        bad += r == NULL || r->usable != heap_usable_size(h, p[i]) || r->usable < size[i];
    }
    return bad;
}

/* Allocates blocks of size bytes into out[] until the heap and its source
 * have no memory left (at most max); returns how many it got. */
static size_t fill_up(struct heap *h, size_t size, void **out, size_t max)
{
    size_t n = 0;
    while (n < max && (out[n] = heap_malloc(h, size)) != NULL)
        n++;
    return n;
}

/* ---- heap_init ---------------------------------------------------------------- */

Test(init, takes_only_its_bookkeeping_from_the_source)
{
    MC_CLAUSE("1.1", "8.1");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    cr_assert_leq(s.brk, 4096,
                  "heap_init() took %zu bytes from its source; it may take only what its own "
                  "bookkeeping needs, at most 4096" READ_CLASSIC,
                  s.brk);
    cr_assert_eq((void *)h, (void *)s.base,
                 "heap_init() returned %p; the heap keeps its bookkeeping at the start of its "
                 "memory, %p" READ_CLASSIC,
                 (void *)h, (void *)s.base);
    assert_tiles(h, &s, "heap_init()");
    end_heap(&s);
}

Test(init, returns_null_when_the_source_has_no_memory)
{
    MC_CLAUSE("1.1", "1.2");
    struct source ok;
    make_heap(&ok, 1 << 16); /* a refusal counts only from a heap_init() that can succeed */
    end_heap(&ok);
    struct source s = {0};
    unsigned char region[64];
    s.base = region;
    s.size = 0;
    struct heap *h = heap_init((struct heap_source){source_more, &s});
    cr_assert_null(
        h, "heap_init() over a source with no memory returned %p, expected NULL" READ_SYSTEM,
        (void *)h);
}

/* ---- heap_malloc ---------------------------------------------------------------- */

Test(malloc, hands_out_aligned_blocks_inside_the_heap_that_do_not_overlap)
{
    MC_CLAUSE("2.1", "8.2", "1.3");
    static const size_t sizes[] = {1,   7,   8,    15,   16,   17,   24,   25,   31,
                                   32,  33,  48,   64,   100,  127,  128,  129,  255,
                                   256, 500, 1000, 1024, 1025, 4000, 5000, 20000};
    enum { N = sizeof sizes / sizeof sizes[0] };
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p[N];
    size_t calls = mc_alloc_calls();
    for (size_t i = 0; i < N; i++)
        p[i] = must_malloc(h, sizes[i], "a fresh heap of 1 MiB");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "heap_malloc() called malloc (or calloc, realloc...): a heap gets all its memory "
                 "from its source" READ_CLASSIC);
    size_t misaligned = 0, outside = 0;
    for (size_t i = 0; i < N; i++) {
        misaligned += (uintptr_t)p[i] % HEAP_ALIGN != 0;
        outside += !inside(&s, p[i], sizes[i]);
        fill(p[i], sizes[i], (unsigned)i);
    }
    size_t overwritten = 0;
    for (size_t i = 0; i < N; i++)
        overwritten += damaged(p[i], sizes[i], (unsigned)i) != 0;
    cr_assert_eq(misaligned, 0, "%zu of %d blocks were not aligned to 16 bytes" READ_CLASSIC,
                 misaligned, N);
    cr_assert_eq(
        outside, 0,
        "%zu of %d blocks did not lie between the heap's first byte and its break" READ_CLASSIC,
        outside, N);
    cr_assert_eq(overwritten, 0,
                 "%zu of %d blocks were overwritten by writes to other blocks: blocks "
                 "overlap" READ_CLASSIC,
                 overwritten, N);
    struct walk w = walk_of(h);
    size_t bad = live_problems(h, &w, p, sizes, N);
    walk_free(&w);
    cr_assert_eq(bad, 0,
                 "heap_walk() must show each of the %d live blocks as one ALLOCATED range with "
                 "its pointer as payload and heap_usable_size() as usable, and no other; %zu "
                 "problem(s)" READ_CLASSIC,
                 N, bad);
    end_heap(&s);
}

Test(malloc, zero_bytes_gives_a_unique_pointer_that_can_be_freed)
{
    MC_CLAUSE("2.2");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *a = heap_malloc(h, 0);
    void *b = heap_malloc(h, 0);
    cr_assert(a != NULL && b != NULL && a != b,
              "two heap_malloc(heap, 0) returned %p and %p, expected two distinct "
              "pointers" READ_CLASSIC,
              a, b);
    cr_assert_eq(heap_free(h, a), HEAP_OK, "heap_free() of a 0-byte block failed" READ_CLASSIC);
    cr_assert_eq(heap_free(h, b), HEAP_OK, "heap_free() of a 0-byte block failed" READ_CLASSIC);
    end_heap(&s);
}

Test(malloc, reuses_freed_memory_before_asking_for_more)
{
    MC_CLAUSE("2.3", "3.1");
    enum { MAX = 2048 };
    static void *p[MAX];
    struct source s;
    struct heap *h = make_heap(&s, 64 * 1024);
    size_t n = fill_up(h, 200, p, MAX);
    cr_assert_gt(n, 100, "a 64 KiB heap holds only %zu blocks of 200 bytes" READ_CLASSIC, n);
    cr_assert_lt(n, MAX, "a 64 KiB heap handed out %d blocks of 200 bytes" READ_CLASSIC, MAX);
    cr_assert_eq(heap_free(h, p[n / 2]), HEAP_OK,
                 "heap_free() of a live block failed" READ_CLASSIC);
    void *again = heap_malloc(h, 200);
    cr_assert_not_null(again,
                       "the heap was full and its source empty; after a 200-byte block was freed, "
                       "heap_malloc(heap, 200) returned NULL instead of reusing it" READ_PLACEMENT);
    cr_assert_eq(again, p[n / 2],
                 "the only free block that holds 200 bytes is the one just freed (%p), but "
                 "heap_malloc() returned %p" READ_PLACEMENT,
                 p[n / 2], again);
    end_heap(&s);
}

Test(malloc, returns_null_when_the_source_runs_out_and_changes_nothing)
{
    MC_CLAUSE("2.4", "8.1");
    struct source s;
    struct heap *h = make_heap(&s, 64 * 1024);
    void *p = must_malloc(h, 1000, "a heap of 64 KiB");
    fill(p, 1000, 3);
    struct walk before = walk_of(h);
    size_t brk = s.brk;
    void *big = heap_malloc(h, 200 * 1024);
    cr_assert_null(
        big, "heap_malloc(heap, 200 KiB) on a 64 KiB region returned %p, expected NULL" READ_SYSTEM,
        big);
    struct walk after = walk_of(h);
    bool same = s.brk == brk && same_walk(&before, &after);
    walk_free(&before);
    walk_free(&after);
    cr_assert(same,
              "a heap_malloc() that failed changed the heap (its ranges or its break)" READ_SYSTEM);
    cr_assert_eq(damaged(p, 1000, 3), 0,
                 "a heap_malloc() that failed changed a live block" READ_SYSTEM);
    void *small = heap_malloc(h, 1000);
    cr_assert_not_null(small,
                       "after a failed heap_malloc(), a small one returned NULL" READ_SYSTEM);
    end_heap(&s);
}

Test(malloc, rejects_sizes_too_large_to_represent)
{
    MC_CLAUSE("2.5");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 16, SIZE_MAX / 2 + 1};
    size_t got = 0;
    for (size_t i = 0; i < 4; i++)
        got += heap_malloc(h, huge[i]) != NULL;
    cr_assert_eq(got, 0,
                 "heap_malloc() returned a block for %zu of 4 sizes near SIZE_MAX: adding the "
                 "header to such a size wraps around to a small number" READ_CLASSIC,
                 got);
    assert_tiles(h, &s, "heap_malloc() of sizes near SIZE_MAX");
    end_heap(&s);
}

/* ---- heap_free ------------------------------------------------------------------- */

Test(free, merges_a_freed_block_with_both_free_neighbours)
{
    MC_CLAUSE("3.2", "2.3", "8.1");
    enum { MAX = 4096 };
    static void *rest[MAX];
    struct source s;
    struct heap *h = make_heap(&s, 64 * 1024);
    void *p[5];
    for (size_t i = 0; i < 5; i++)
        p[i] = must_malloc(h, 96, "five blocks of 96 bytes");
    fill_up(h, 1, rest, MAX); /* no free memory left anywhere else */
    heap_free(h, p[1]);
    heap_free(h, p[3]);
    heap_free(h, p[2]); /* between two free blocks: all three become one */
    struct walk w = walk_of(h);
    size_t side_by_side = adjacent_free(&w);
    walk_free(&w);
    cr_assert_eq(side_by_side, 0,
                 "after freeing the 2nd, 4th and then the 3rd of five neighbouring blocks, "
                 "heap_walk() shows %zu pair(s) of free ranges side by side: free must merge a "
                 "block with its free neighbours at once" READ_MERGING,
                 side_by_side);
    void *big = heap_malloc(h, 3 * 96);
    cr_assert_not_null(big,
                       "heap_malloc(heap, 288) returned NULL although three neighbouring blocks "
                       "of 96 bytes are free and merged" READ_MERGING);
    cr_assert((uintptr_t)big >= (uintptr_t)p[1] && (uintptr_t)big + 288 <= (uintptr_t)p[4],
              "the only free space that holds 288 bytes is the merged block from %p to %p, but "
              "heap_malloc() returned %p" READ_MERGING,
              p[1], p[4], big);
    assert_tiles(h, &s, "merging");
    end_heap(&s);
}

Test(free, free_of_null_does_nothing)
{
    MC_CLAUSE("3.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p = must_malloc(h, 40, "one block");
    struct walk before = walk_of(h);
    int rc = heap_free(h, NULL);
    struct walk after = walk_of(h);
    bool same = same_walk(&before, &after);
    walk_free(&before);
    walk_free(&after);
    cr_assert_eq(rc, HEAP_OK, "heap_free(heap, NULL) returned %d, expected HEAP_OK" READ_CLASSIC,
                 rc);
    cr_assert(same, "heap_free(heap, NULL) changed the heap" READ_CLASSIC);
    heap_free(h, p);
    end_heap(&s);
}

/* A seeded random workload: n operations over up to 64 live blocks, checking
 * contents, tiling, the live set and heap_check() after every operation. */
static void random_workload(unsigned seed, size_t n, size_t max_size)
{
    enum { SLOTS = 64 };
    struct source s;
    struct heap *h = make_heap(&s, 8u << 20);
    void *p[SLOTS] = {0};
    size_t size[SLOTS] = {0};
    unsigned tag[SLOTS] = {0};
    uint64_t x = seed * 2654435761u + 1;
    size_t lost = 0, bad_tiling = 0, bad_live = 0, check_failed = 0, free_failed = 0;
    char why[200] = "", check_why[200] = "";
    for (size_t op = 0; op < n; op++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t i = x % SLOTS, want = (x >> 20) % max_size + 1;
        if (p[i] != NULL) {
            lost += damaged(p[i], size[i], tag[i]) != 0;
            if ((x >> 40) % 3 == 0) {
                void *q = heap_realloc(h, p[i], want);
                if (q != NULL) {
                    lost += damaged(q, size[i] < want ? size[i] : want, tag[i]) != 0;
                    p[i] = q;
                    size[i] = want;
                }
            } else {
                free_failed += heap_free(h, p[i]) != HEAP_OK;
                p[i] = NULL;
                size[i] = 0;
            }
        } else {
            p[i] = heap_malloc(h, want);
            size[i] = p[i] ? want : 0;
        }
        if (p[i] != NULL) {
            tag[i] = (unsigned)op;
            fill(p[i], size[i], tag[i]);
        }
        struct walk w = walk_of(h);
        bad_tiling += tiling_problems(&w, &s, why, sizeof why) != 0;
        void *live[SLOTS];
        size_t live_size[SLOTS], k = 0;
        for (size_t j = 0; j < SLOTS; j++)
            if (p[j] != NULL)
                live[k] = p[j], live_size[k++] = size[j];
        bad_live += live_problems(h, &w, live, live_size, k) != 0;
        walk_free(&w);
        if (heap_check(h, check_why, sizeof check_why) != 0)
            check_failed++;
    }
    cr_assert_eq(lost, 0,
                 "%zu time(s) a live block's bytes changed (an overlap, or realloc did not keep "
                 "them)" READ_CLASSIC,
                 lost);
    cr_assert_eq(free_failed, 0, "heap_free() of a live block failed %zu time(s)" READ_CLASSIC,
                 free_failed);
    cr_assert_eq(bad_tiling, 0,
                 "after %zu operation(s) the ranges did not tile the heap: %s" READ_CLASSIC,
                 bad_tiling, why);
    cr_assert_eq(bad_live, 0,
                 "after %zu operation(s) heap_walk()'s ALLOCATED ranges did not match the live "
                 "blocks" READ_CLASSIC,
                 bad_live);
    cr_assert_eq(check_failed, 0,
                 "heap_check() failed after %zu valid operation(s); the last time it said: "
                 "%s" READ_CLASSIC,
                 check_failed, check_why);
    end_heap(&s);
}

Test(free, a_random_workload_keeps_every_block_and_invariant)
{
    MC_CLAUSE("2.1", "3.1", "5.1", "8.1", "8.2", "9.1");
    random_workload(1, 3000, 600);
}

/* ---- heap_calloc ------------------------------------------------------------------ */

Test(calloc, zeroes_every_byte_even_of_reused_memory)
{
    MC_CLAUSE("4.1");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    unsigned char *dirty = must_malloc(h, 800, "a block to dirty");
    memset(dirty, 0xA5, 800);
    heap_free(h, dirty);
    unsigned char *z = heap_calloc(h, 100, 8);
    cr_assert_not_null(z, "heap_calloc(heap, 100, 8) returned NULL" READ_CLASSIC);
    size_t nonzero = 0;
    for (size_t i = 0; i < 800; i++)
        nonzero += z[i] != 0;
    cr_assert_eq(nonzero, 0,
                 "%zu of the 800 bytes from heap_calloc() were not zero (the block reused memory "
                 "that held 0xA5)" READ_CLASSIC,
                 nonzero);
    end_heap(&s);
}

Test(calloc, rejects_a_count_times_size_that_overflows)
{
    MC_CLAUSE("4.2");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p = heap_calloc(h, SIZE_MAX / 16 + 2, 16);
    cr_assert_null(p,
                   "heap_calloc(heap, SIZE_MAX / 16 + 2, 16) returned %p: the product overflows "
                   "size_t, so it must return NULL" READ_CLASSIC,
                   p);
    assert_tiles(h, &s, "an overflowing heap_calloc()");
    end_heap(&s);
}

/* ---- heap_realloc ------------------------------------------------------------------ */

Test(realloc, keeps_the_contents_when_it_moves_the_block)
{
    MC_CLAUSE("5.1");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *a = must_malloc(h, 300, "block a");
    void *fence = must_malloc(h, 16, "a block after a, so that a cannot grow in place");
    fill(a, 300, 9);
    void *b = heap_realloc(h, a, 5000);
    cr_assert_not_null(b, "heap_realloc(heap, a, 5000) returned NULL" READ_REALLOC);
    cr_assert_eq(damaged(b, 300, 9), 0,
                 "after heap_realloc() to 5000 bytes, the first 300 bytes were not the old "
                 "contents" READ_REALLOC);
    fill(b, 5000, 10);
    void *c = heap_realloc(h, b, 100);
    cr_assert_not_null(c, "heap_realloc(heap, b, 100) returned NULL" READ_REALLOC);
    cr_assert_eq(
        damaged(c, 100, 10), 0,
        "after heap_realloc() down to 100 bytes, the first 100 bytes changed" READ_REALLOC);
    heap_free(h, fence);
    assert_tiles(h, &s, "heap_realloc()");
    end_heap(&s);
}

Test(realloc, shrinks_in_place)
{
    MC_CLAUSE("5.2", "3.2");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *a = must_malloc(h, 2000, "block a");
    void *fence = must_malloc(h, 16, "a block after a");
    void *b = heap_realloc(h, a, 100);
    cr_assert_eq(
        b, a,
        "heap_realloc() to a smaller size returned %p, expected the same block %p" READ_REALLOC, b,
        a);
    struct walk w = walk_of(h);
    size_t side_by_side = adjacent_free(&w);
    walk_free(&w);
    cr_assert_eq(side_by_side, 0,
                 "the bytes a shrinking realloc gave back were not merged" READ_MERGING);
    heap_free(h, fence);
    end_heap(&s);
}

Test(realloc, grows_in_place_into_a_free_neighbour_and_at_the_end_of_the_heap)
{
    MC_CLAUSE("5.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *a = must_malloc(h, 200, "block a");
    void *next = must_malloc(h, 600, "the block after a");
    void *fence = must_malloc(h, 16, "a block after that");
    heap_free(h, next);
    void *grown = heap_realloc(h, a, 700);
    cr_assert_eq(grown, a,
                 "heap_realloc(heap, a, 700) returned %p; the 600-byte block after a is free, so "
                 "a must grow where it is (%p)" READ_REALLOC,
                 grown, a);
    heap_free(h, fence);
    void *last = must_malloc(h, 50000, "a large block");
    void *later = heap_realloc(h, last, 90000);
    cr_assert_eq(later, last,
                 "heap_realloc() of the heap's last block (50000 bytes) to 90000 returned %p, "
                 "expected %p: the last block grows where it is, by moving the break" READ_REALLOC,
                 later, last);
    end_heap(&s);
}

Test(realloc, null_is_malloc_and_zero_frees)
{
    MC_CLAUSE("5.4", "5.5");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p = heap_realloc(h, NULL, 64);
    cr_assert_not_null(
        p, "heap_realloc(heap, NULL, 64) returned NULL; it is heap_malloc(heap, 64)" READ_REALLOC);
    void *q = heap_realloc(h, p, 0);
    cr_assert_null(
        q, "heap_realloc(heap, p, 0) returned %p; it frees p and returns NULL" READ_REALLOC, q);
    struct walk w = walk_of(h);
    size_t live = count_kind(&w, HEAP_RANGE_ALLOCATED);
    walk_free(&w);
    cr_assert_eq(live, 0,
                 "after heap_realloc(heap, p, 0) the block is still allocated" READ_REALLOC);
    end_heap(&s);
}

Test(realloc, a_failed_realloc_leaves_the_block_where_and_as_it_was)
{
    MC_CLAUSE("5.6");
    struct source s;
    struct heap *h = make_heap(&s, 64 * 1024);
    void *a = must_malloc(h, 1000, "block a");
    void *fence = must_malloc(h, 16, "a block after a");
    fill(a, 1000, 4);
    void *b = heap_realloc(h, a, 500 * 1024);
    cr_assert_null(
        b, "heap_realloc() beyond a 64 KiB region returned %p, expected NULL" READ_REALLOC, b);
    cr_assert_eq(
        heap_usable_size(h, a) >= 1000 && damaged(a, 1000, 4) == 0, 1,
        "after a failed heap_realloc() the old block must be live and unchanged" READ_REALLOC);
    cr_assert_eq(heap_free(h, a), HEAP_OK,
                 "heap_free() of the block after a failed realloc failed" READ_REALLOC);
    heap_free(h, fence);
    end_heap(&s);
}

/* ---- heap_aligned_alloc -------------------------------------------------------------- */

Test(aligned, returns_blocks_aligned_to_every_power_of_two)
{
    MC_CLAUSE("6.1", "6.2", "8.2");
    struct source s;
    struct heap *h = make_heap(&s, 4u << 20);
    enum { N = 12 };
    void *p[N];
    size_t size[N], misaligned = 0, missing = 0;
    for (size_t i = 0; i < N; i++) {
        size_t align = (size_t)1 << (i + 1); /* 2 .. 4096 */
        size[i] = 24 + 40 * i;
        p[i] = heap_aligned_alloc(h, align, size[i]);
        missing += p[i] == NULL;
        size_t want = align < HEAP_ALIGN ? HEAP_ALIGN : align;
        misaligned += p[i] != NULL && (uintptr_t)p[i] % want != 0;
        if (p[i] != NULL)
            fill(p[i], size[i], (unsigned)i);
    }
    cr_assert_eq(missing, 0, "heap_aligned_alloc() returned NULL for %zu alignments" READ_LISTS,
                 missing);
    cr_assert_eq(misaligned, 0,
                 "%zu blocks from heap_aligned_alloc() were not aligned as asked" READ_LISTS,
                 misaligned);
    size_t lost = 0;
    for (size_t i = 0; i < N; i++)
        lost += damaged(p[i], size[i], (unsigned)i) != 0;
    cr_assert_eq(lost, 0, "%zu aligned blocks overlap others" READ_LISTS, lost);
    struct walk w = walk_of(h);
    size_t bad = live_problems(h, &w, p, size, N);
    walk_free(&w);
    cr_assert_eq(bad, 0,
                 "heap_walk() does not show the aligned blocks as ALLOCATED ranges (%zu "
                 "problems)" READ_CLASSIC,
                 bad);
    size_t failed = 0;
    for (size_t i = 0; i < N; i++)
        failed += heap_free(h, p[i]) != HEAP_OK;
    cr_assert_eq(failed, 0, "heap_free() of %zu aligned blocks failed" READ_LISTS, failed);
    end_heap(&s);
}

Test(aligned, rejects_alignments_that_are_not_powers_of_two)
{
    MC_CLAUSE("6.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    static const size_t bad[] = {0, 3, 24, 48, 100};
    size_t got = 0;
    for (size_t i = 0; i < 5; i++)
        got += heap_aligned_alloc(h, bad[i], 32) != NULL;
    cr_assert_eq(got, 0,
                 "heap_aligned_alloc() accepted %zu of 5 alignments that are not powers of two "
                 "(0, 3, 24, 48, 100)" READ_LISTS,
                 got);
    assert_tiles(h, &s, "rejected heap_aligned_alloc() calls");
    end_heap(&s);
}

/* ---- heap_usable_size ------------------------------------------------------------------ */

Test(usable, covers_every_byte_up_to_the_end_of_the_block)
{
    MC_CLAUSE("7.1", "7.2", "7.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    enum { N = 40 };
    void *p[N];
    size_t size[N];
    for (size_t i = 0; i < N; i++) {
        size[i] = 1 + 13 * i;
        p[i] = must_malloc(h, size[i], "blocks of 1 to 508 bytes");
    }
    for (size_t i = 0; i < N; i++)
        fill(p[i], heap_usable_size(h, p[i]), (unsigned)i); /* every usable byte */
    size_t short_blocks = 0, lost = 0, not_to_end = 0;
    struct walk w = walk_of(h);
    for (size_t i = 0; i < N; i++) {
        size_t usable = heap_usable_size(h, p[i]);
        short_blocks += usable < size[i];
        lost += damaged(p[i], usable, (unsigned)i) != 0;
        const struct heap_range *r = range_of(&w, p[i]);
        not_to_end += r == NULL || (const unsigned char *)p[i] + usable != end_of(r);
    }
    walk_free(&w);
    char why[200] = "";
    int checked = heap_check(h, why, sizeof why);
    cr_assert_eq(short_blocks, 0,
                 "heap_usable_size() was below the size asked for %zu time(s)" READ_CLASSIC,
                 short_blocks);
    cr_assert_eq(
        lost, 0,
        "writing all heap_usable_size() bytes of every block damaged %zu block(s)" READ_CLASSIC,
        lost);
    cr_assert_eq(
        checked, 0,
        "writing all heap_usable_size() bytes of every block damaged the heap: %s" READ_CLASSIC,
        why);
    cr_assert_eq(not_to_end, 0,
                 "for %zu block(s), pointer + heap_usable_size() was not the end of its range: the "
                 "usable size is the whole block, not the size asked for" READ_CLASSIC,
                 not_to_end);
    cr_assert_eq(heap_usable_size(h, NULL), 0,
                 "heap_usable_size(heap, NULL) must be 0" READ_CLASSIC);
    end_heap(&s);
}

/* ---- heap_walk ----------------------------------------------------------------------------- */

Test(walk, ranges_tile_the_heap_and_free_ranges_appear)
{
    MC_CLAUSE("8.1", "8.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p[8];
    for (size_t i = 0; i < 8; i++)
        p[i] = must_malloc(h, 50 * (i + 1), "eight blocks");
    for (size_t i = 0; i < 8; i += 2)
        heap_free(h, p[i]);
    assert_tiles(h, &s, "eight allocations and four frees");
    struct walk w = walk_of(h);
    size_t free_ranges = count_kind(&w, HEAP_RANGE_FREE);
    walk_free(&w);
    cr_assert_geq(free_ranges, 4,
                  "after four blocks with allocated neighbours were freed, heap_walk() shows %zu "
                  "FREE ranges, expected at least 4" READ_CLASSIC,
                  free_ranges);
    end_heap(&s);
}

/* ---- heap_check ------------------------------------------------------------------------------ */

Test(check, passes_on_a_healthy_heap_and_fails_on_an_overwritten_header)
{
    MC_CLAUSE("9.1", "9.2", "9.4");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *a = must_malloc(h, 64, "block a");
    void *b = must_malloc(h, 64, "block b");
    char why[200] = "";
    cr_assert_eq(heap_check(h, why, sizeof why), 0,
                 "heap_check() failed on a healthy heap: %s" READ_CLASSIC, why);
    struct walk w = walk_of(h);
    const struct heap_range *rb = range_of(&w, b);
    cr_assert_not_null(rb, "heap_walk() shows no ALLOCATED range for block b" READ_CLASSIC);
    unsigned char *header = (unsigned char *)rb->start;
    size_t header_bytes = (size_t)((const unsigned char *)rb->payload - header);
    walk_free(&w);
    cr_assert_gt(header_bytes, 0,
                 "block b's range has no header bytes before its payload" READ_CLASSIC);
    unsigned char saved[64];
    cr_assert_leq(header_bytes, sizeof saved,
                  "block b's header is larger than 64 bytes" READ_CLASSIC);
    memcpy(saved, header, header_bytes);
    memset(header, 0x41, header_bytes); /* what an overflow of a by "AAAA..." leaves */
    why[0] = '\0';
    int rc = heap_check(h, why, sizeof why);
    memcpy(header, saved, header_bytes);
    cr_assert_eq(
        rc, -1,
        "heap_check() returned %d with block b's header overwritten by 0x41 bytes" READ_ATTACKS,
        rc);
    cr_assert_neq(why[0], '\0',
                  "heap_check() found a problem but wrote no sentence into why" READ_CLASSIC);
    cr_assert_eq(heap_check(h, why, sizeof why), 0,
                 "heap_check() failed after the header was restored: checking must change "
                 "nothing: %s" READ_CLASSIC,
                 why);
    heap_free(h, a);
    heap_free(h, b);
    end_heap(&s);
}

Test(check, fails_when_a_free_blocks_links_are_overwritten)
{
    MC_CLAUSE("9.3");
    struct source s;
    struct heap *h = make_heap(&s, REGION);
    void *p[4];
    for (size_t i = 0; i < 4; i++)
        p[i] = must_malloc(h, 80, "four blocks");
    heap_free(h, p[1]);
    unsigned char saved[16];
    memcpy(saved, p[1], 16);
    memset(p[1], 0x41, 16); /* a use after free writes through the dangling pointer */
    char why[200] = "";
    int rc = heap_check(h, why, sizeof why);
    memcpy(p[1], saved, 16);
    cr_assert_eq(rc, -1,
                 "heap_check() returned %d after the first 16 bytes of a free block (its "
                 "free-list links) were overwritten" READ_ATTACKS,
                 rc);
    cr_assert_eq(heap_check(h, why, sizeof why), 0,
                 "heap_check() failed after the links were restored: %s" READ_LISTS, why);
    end_heap(&s);
}
