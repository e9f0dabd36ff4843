/*
 * Hidden tests for the heap (exercise 09): the hardened free (bad pointers,
 * double frees, overwritten headers), every failure path with the heap's
 * state compared before and after, edge cases, and long random workloads
 * checked after every call. Same rules as the public tests: no assertion in a
 * loop whose length depends on the design.
 */
#include "heap.h"
#include "mc_test.h"
#include "tests/heap_helpers.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MC_SUITE(hardening);
MC_SUITE(failure_paths);
MC_SUITE(edges);
MC_SUITE(workloads);
MC_SUITE(checker);

#define READ_CLASSIC MC_READ("9.1 The classic heap")
#define READ_MERGING MC_READ("9.3 Splitting and merging")
#define READ_LISTS   MC_READ("9.4 Free lists and size classes")
#define READ_REALLOC MC_READ("9.5 realloc in place")
#define READ_SYSTEM  MC_READ("9.6 Memory from the system")
#define READ_ATTACKS MC_READ("9.7 Attacks on a heap")

/* ---- source, walks, state ------------------------------------------------------ */

static struct heap *new_heap(struct source *s, size_t size)
{
    *s = (struct source){0};
    s->raw = malloc(size + HEAP_ALIGN);
    cr_assert_not_null(s->raw, "the test could not allocate its region");
    s->base = s->raw + (-(uintptr_t)s->raw & (HEAP_ALIGN - 1));
    s->size = size;
    struct heap *h = heap_init((struct heap_source){source_more, s});
    cr_assert_not_null(h, "heap_init() returned NULL, expected a heap" READ_CLASSIC);
    return h;
}

static void *malloc_or_fail(struct heap *h, size_t size)
{
    void *p = heap_malloc(h, size);
    cr_assert_not_null(p, "heap_malloc(heap, %zu) returned NULL" READ_CLASSIC, size);
    return p;
}

static unsigned char pattern_byte(unsigned seed, size_t i)
{
    return (unsigned char)(seed * 167u + i * 13u + (i >> 7));
}

static void fill_seeded(void *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        ((unsigned char *)p)[i] = pattern_byte(seed, i);
}

static size_t damaged_bytes(const void *p, size_t n, unsigned seed)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += ((const unsigned char *)p)[i] != pattern_byte(seed, i);
    return bad;
}

static void record_range(void *ctx, const struct heap_range *range)
{
    struct walk *w = ctx;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        struct heap_range *grown = w->n > 200000 ? NULL : realloc(w->r, cap * sizeof *grown);
        if (grown == NULL) {
            w->broken = true;
            return;
        }
        w->r = grown;
        w->cap = cap;
    }
    w->r[w->n++] = *range;
}

static struct walk walk_all(const struct heap *h)
{
    struct walk w = {0};
    heap_walk(h, record_range, &w);
    cr_assert(!w.broken,
              "heap_walk() reported more than 200000 ranges: does it loop?" READ_CLASSIC);
    return w;
}

/* What a failed call must leave alone: the ranges and the break. */
struct state {
    struct walk w;
    size_t brk;
};

static struct state state_of(const struct heap *h, const struct source *s)
{
    return (struct state){walk_all(h), s->brk};
}

/* Asserts the heap is as in before (and frees before). */
static void assert_unchanged(const struct heap *h, const struct source *s, struct state *before,
                             const char *call, const char *section)
{
    struct state after = state_of(h, s);
    bool same = after.brk == before->brk && same_walk(&before->w, &after.w);
    walk_free(&before->w);
    walk_free(&after.w);
    cr_assert(same,
              "%s failed, as it should, but changed the heap (its ranges or its break): a call "
              "that fails must leave everything as it was\n      read: section %s",
              call, section);
}

static size_t tiling_errors(const struct walk *w, const struct source *s)
{
    size_t bad = w->n == 0;
    const unsigned char *expect = s->base;
    for (size_t i = 0; i < w->n; i++) {
        const struct heap_range *r = &w->r[i];
        const unsigned char *start = r->start, *payload = r->payload;
        bad += start != expect || r->size == 0 || payload < start || payload > end_of(r) ||
               r->usable > (size_t)(end_of(r) - payload) ||
               (r->kind == HEAP_RANGE_META && (payload != start || r->usable != 0));
        expect = end_of(r);
    }
    return bad + (expect != s->base + s->brk);
}

/* The header bytes of the live block p (from its range's start to p). */
static unsigned char *header_bytes(const struct heap *h, const void *p, size_t *bytes)
{
    struct walk w = walk_all(h);
    const struct heap_range *r = range_of(&w, p);
    cr_assert_not_null(r, "heap_walk() shows no ALLOCATED range for %p" READ_CLASSIC, p);
    unsigned char *start = (unsigned char *)r->start;
    *bytes = (size_t)((const unsigned char *)p - start);
    walk_free(&w);
    cr_assert(*bytes > 0 && *bytes <= 64,
              "block %p has %zu header bytes, expected 1 to 64" READ_CLASSIC, p, *bytes);
    return start;
}

/* ---- the hardened free ------------------------------------------------------------ */

Test(hardening, rejects_pointers_outside_the_heap)
{
    MC_CLAUSE("3.4", "5.7", "7.3");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *live = malloc_or_fail(h, 100);
    fill_seeded(live, 100, 1);
    static long elsewhere[8];
    long local = 0;
    void *from_malloc = malloc(64);
    cr_assert_not_null(from_malloc, "the test's own malloc failed");
    struct walk w = walk_all(h);
    unsigned char *bookkeeping = (unsigned char *)w.r[0].start + (w.r[0].size > 32 ? 16 : 0);
    walk_free(&w);
    void *const cases[] = {&local,         &elsewhere[2],       from_malloc,
                           s.base + s.brk, s.base + s.brk + 64, bookkeeping};
    static const char *const what[] = {"a local variable",          "a static variable",
                                       "a block from malloc",       "the break",
                                       "an address past the break", "the heap's bookkeeping"};
    int bad_free = 0, bad_realloc = 0, bad_usable = 0, which = -1;
    struct state before = state_of(h, &s);
    for (size_t i = 0; i < 6; i++) {
        int rc = heap_free(h, cases[i]);
        void *r = heap_realloc(h, cases[i], 32);
        size_t u = heap_usable_size(h, cases[i]);
        bad_free += rc != HEAP_INVALID;
        bad_realloc += r != NULL;
        bad_usable += u != 0;
        if ((rc != HEAP_INVALID || r != NULL || u != 0) && which < 0)
            which = (int)i;
    }
    cr_assert_eq(bad_free + bad_realloc + bad_usable, 0,
                 "for a pointer the heap never handed out (the first: %s) heap_free() must "
                 "return HEAP_INVALID, heap_realloc() NULL and heap_usable_size() 0; wrong "
                 "answers: %d, %d, %d" READ_ATTACKS,
                 which >= 0 ? what[which] : "-", bad_free, bad_realloc, bad_usable);
    assert_unchanged(h, &s, &before, "heap_free() of a foreign pointer", "9.7 Attacks on a heap");
    cr_assert_eq(damaged_bytes(live, 100, 1), 0,
                 "a rejected free changed a live block" READ_ATTACKS);
    free(from_malloc);
    end_heap(&s);
}

Test(hardening, rejects_misaligned_and_interior_pointers)
{
    MC_CLAUSE("3.5", "5.7", "7.3");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    unsigned char *zeros = malloc_or_fail(h, 256);
    unsigned char *letters = malloc_or_fail(h, 256);
    void *fence = malloc_or_fail(h, 32);
    memset(zeros, 0, 256);
    memset(letters, 'A', 256);
    void *const cases[] = {zeros + 1,    zeros + 8,    zeros + 16,    zeros + 64,
                           letters + 16, letters + 32, letters + 128, letters + 7};
    int wrong = 0, first = -1;
    struct state before = state_of(h, &s);
    for (size_t i = 0; i < 8; i++) {
        int rc = heap_free(h, cases[i]);
        bool bad = rc != HEAP_INVALID || heap_realloc(h, cases[i], 8) != NULL ||
                   heap_usable_size(h, cases[i]) != 0;
        wrong += bad;
        if (bad && first < 0)
            first = (int)i;
    }
    cr_assert_eq(wrong, 0,
                 "%d of 8 pointers into the middle of a live block (or not aligned to 16) were "
                 "not rejected; the first: case %d (offsets 1, 8, 16, 64 into a block of zeros, "
                 "16, 32, 128, 7 into a block of 'A's)" READ_ATTACKS,
                 wrong, first);
    assert_unchanged(h, &s, &before, "heap_free() of an interior pointer", "9.7 Attacks on a heap");
    size_t changed = 0;
    for (size_t i = 0; i < 256; i++)
        changed += zeros[i] != 0 || letters[i] != 'A';
    cr_assert_eq(changed, 0, "a rejected free changed %zu bytes of the live block" READ_ATTACKS,
                 changed);
    cr_assert_eq(heap_free(h, zeros) + heap_free(h, letters) + heap_free(h, fence), HEAP_OK,
                 "freeing the blocks themselves afterwards failed" READ_ATTACKS);
    end_heap(&s);
}

/* Frees p a second time and checks the answer and that nothing changed. */
static void expect_double_free(struct heap *h, struct source *s, void *p, const char *story)
{
    struct state before = state_of(h, s);
    int rc = heap_free(h, p);
    cr_assert_eq(rc, HEAP_DOUBLE_FREE,
                 "%s: the second heap_free() returned %d, expected HEAP_DOUBLE_FREE (%d): a freed "
                 "block's header must still say free, even after it was merged" READ_ATTACKS,
                 story, rc, HEAP_DOUBLE_FREE);
    void *r = heap_realloc(h, p, 10);
    cr_assert_null(
        r, "%s: heap_realloc() of the freed pointer returned %p, expected NULL" READ_ATTACKS, story,
        r);
    cr_assert_eq(heap_usable_size(h, p), 0,
                 "%s: heap_usable_size() of the freed pointer is not 0" READ_ATTACKS, story);
    assert_unchanged(h, s, &before, "a double free", "9.7 Attacks on a heap");
}

Test(hardening, reports_double_frees_whether_or_not_the_block_was_merged)
{
    MC_CLAUSE("3.6", "5.7", "7.3");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *p[8];
    for (size_t i = 0; i < 8; i++)
        p[i] = malloc_or_fail(h, 48 + 16 * i);
    heap_free(h, p[1]);
    expect_double_free(h, &s, p[1], "a block between two live blocks");
    heap_free(h, p[2]); /* merges into p[1]'s free block */
    expect_double_free(h, &s, p[2], "a block merged into the free block before it");
    heap_free(h, p[5]);
    heap_free(h, p[4]); /* p[4] absorbs the free p[5] */
    expect_double_free(h, &s, p[5], "a block absorbed by the block before it when that was freed");
    expect_double_free(h, &s, p[4], "a block that absorbed the free block after it");
    heap_free(h, p[3]); /* merges with both sides */
    expect_double_free(h, &s, p[3], "a block merged with both neighbours");
    void *a = heap_malloc(h, 40), *b = heap_malloc(h, 40);
    cr_assert(a && b && a != b,
              "after rejected double frees, two heap_malloc() returned %p and %p" READ_ATTACKS, a,
              b);
    end_heap(&s);
}

/* Overwrites the header bytes of target with byte, tries heap_free(victim),
 * restores the bytes and checks the answer and the state. */
static void overwritten_header(unsigned char byte, bool next_one)
{
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *a = malloc_or_fail(h, 64);
    void *b = malloc_or_fail(h, 64);
    void *c = malloc_or_fail(h, 64);
    void *d = malloc_or_fail(h, 64);
    fill_seeded(b, 64, 2);
    void *target = next_one ? c : b;
    size_t bytes = 0;
    unsigned char *header = header_bytes(h, target, &bytes);
    unsigned char saved[64];
    memcpy(saved, header, bytes);
    struct state before = state_of(h, &s);
    memset(header, byte, bytes);
    int rc = heap_free(h, b);
    void *r = heap_realloc(h, b, 5000);
    memcpy(header, saved, bytes);
    cr_assert_eq(rc, HEAP_INVALID,
                 "with the header of %s overwritten by 0x%02x bytes, heap_free() of b returned "
                 "%d, expected HEAP_INVALID (%d): check the headers of the block and of the block "
                 "after it before writing anything" READ_ATTACKS,
                 next_one ? "the block after b" : "b itself", byte, rc, HEAP_INVALID);
    cr_assert_null(
        r, "with a damaged header, heap_realloc() of b returned %p, expected NULL" READ_ATTACKS, r);
    assert_unchanged(h, &s, &before, "heap_free() of a block with a damaged header",
                     "9.7 Attacks on a heap");
    cr_assert_eq(damaged_bytes(b, 64, 2), 0, "a rejected free changed the block" READ_ATTACKS);
    char why[200] = "";
    cr_assert_eq(heap_check(h, why, sizeof why), 0,
                 "once the header was restored, heap_check() failed: the rejected free wrote "
                 "something: %s" READ_ATTACKS,
                 why);
    cr_assert_eq(heap_free(h, b) + heap_free(h, a) + heap_free(h, c) + heap_free(h, d), HEAP_OK,
                 "freeing the blocks once the header was restored failed" READ_ATTACKS);
    end_heap(&s);
}

Test(hardening, rejects_a_block_whose_header_was_overwritten)
{
    MC_CLAUSE("3.7", "5.7");
    overwritten_header(0x41, false);
    overwritten_header(0x00, false);
}

Test(hardening, rejects_a_block_when_the_next_header_was_overwritten)
{
    MC_CLAUSE("3.7", "5.7");
    overwritten_header(0x41, true);
    overwritten_header(0x00, true);
}

/* ---- failure paths --------------------------------------------------------------- */

Test(failure_paths, malloc_when_the_source_has_only_part_changes_nothing)
{
    MC_CLAUSE("2.4");
    struct source s;
    struct heap *h = new_heap(&s, 256 * 1024);
    void *p[4];
    for (size_t i = 0; i < 4; i++) {
        p[i] = malloc_or_fail(h, 20000);
        fill_seeded(p[i], 20000, (unsigned)i);
    }
    heap_free(h, p[1]);
    s.size = s.brk + 4096; /* some memory left, not enough */
    struct state before = state_of(h, &s);
    void *big = heap_malloc(h, 100000);
    cr_assert_null(
        big, "heap_malloc(heap, 100000) with 4 KiB left in the source returned %p" READ_SYSTEM,
        big);
    assert_unchanged(h, &s, &before, "heap_malloc() beyond the source",
                     "9.6 Memory from the system");
    cr_assert_eq(damaged_bytes(p[0], 20000, 0) + damaged_bytes(p[2], 20000, 2) +
                     damaged_bytes(p[3], 20000, 3),
                 0, "a failed heap_malloc() changed live blocks" READ_SYSTEM);
    void *fits = heap_malloc(h, 19000);
    cr_assert_not_null(
        fits, "after a failed heap_malloc(), one that fits a free block returned NULL" READ_SYSTEM);
    end_heap(&s);
}

Test(failure_paths, sizes_too_large_change_nothing)
{
    MC_CLAUSE("2.5", "4.2", "6.3");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *keep = malloc_or_fail(h, 300);
    struct state before = state_of(h, &s);
    static const size_t huge[] = {
        SIZE_MAX,        SIZE_MAX - 1, SIZE_MAX - 8,           SIZE_MAX - 15,
        SIZE_MAX - 4096, PTRDIFF_MAX,  (size_t)PTRDIFF_MAX + 1};
    size_t got = 0;
    for (size_t i = 0; i < 7; i++) {
        got += heap_malloc(h, huge[i]) != NULL;
        got += heap_calloc(h, 1, huge[i]) != NULL;
        got += heap_calloc(h, huge[i], 1) != NULL;
        got += heap_aligned_alloc(h, 64, huge[i]) != NULL;
    }
    got += heap_calloc(h, SIZE_MAX / 2 + 1, 2) != NULL;
    got += heap_calloc(h, 65536, (SIZE_MAX >> 16) + 2) != NULL;
    got += heap_aligned_alloc(h, (size_t)1 << 62, 16) != NULL;
    got += heap_aligned_alloc(h, (size_t)1 << 63, 16) != NULL;
    cr_assert_eq(got, 0,
                 "%zu calls with sizes or alignments near SIZE_MAX returned a block; the size "
                 "arithmetic wraps around" READ_CLASSIC,
                 got);
    assert_unchanged(h, &s, &before, "a call with a size near SIZE_MAX", "9.1 The classic heap");
    heap_free(h, keep);
    end_heap(&s);
}

Test(failure_paths, a_realloc_that_fails_keeps_the_block_and_the_heap)
{
    MC_CLAUSE("5.6");
    struct source s;
    struct heap *h = new_heap(&s, 128 * 1024);
    void *a = malloc_or_fail(h, 3000);
    void *b = malloc_or_fail(h, 3000);
    fill_seeded(a, 3000, 5);
    heap_free(h, b); /* a may grow into b, but not far enough */
    s.size = s.brk;
    struct state before = state_of(h, &s);
    void *r = heap_realloc(h, a, 200000);
    cr_assert_null(r, "heap_realloc() beyond the source returned %p" READ_REALLOC, r);
    assert_unchanged(h, &s, &before, "heap_realloc() beyond the source", "9.5 realloc in place");
    before = state_of(h, &s);
    r = heap_realloc(h, a, SIZE_MAX - 4);
    cr_assert_null(r, "heap_realloc(heap, a, SIZE_MAX - 4) returned %p" READ_REALLOC, r);
    assert_unchanged(h, &s, &before, "heap_realloc() to SIZE_MAX - 4", "9.5 realloc in place");
    cr_assert_eq(damaged_bytes(a, 3000, 5), 0,
                 "a failed heap_realloc() changed the block's contents" READ_REALLOC);
    cr_assert_eq(heap_free(h, a), HEAP_OK,
                 "the block of a failed heap_realloc() cannot be freed" READ_REALLOC);
    end_heap(&s);
}

Test(failure_paths, aligned_alloc_failures_change_nothing)
{
    MC_CLAUSE("6.3");
    struct source s;
    struct heap *h = new_heap(&s, 128 * 1024);
    void *keep = malloc_or_fail(h, 1000);
    s.size = s.brk + 8192;
    struct state before = state_of(h, &s);
    static const size_t bad_align[] = {0, 3, 6, 12, 96, 1000, 4097};
    size_t got = 0;
    for (size_t i = 0; i < 7; i++)
        got += heap_aligned_alloc(h, bad_align[i], 16) != NULL;
    got += heap_aligned_alloc(h, 65536, 100) != NULL; /* needs more than the 8 KiB left */
    cr_assert_eq(got, 0,
                 "%zu heap_aligned_alloc() calls with a bad alignment or too little memory "
                 "returned a block" READ_LISTS,
                 got);
    assert_unchanged(h, &s, &before, "heap_aligned_alloc()", "9.4 Free lists and size classes");
    heap_free(h, keep);
    end_heap(&s);
}

Test(failure_paths, init_over_a_source_that_fails)
{
    MC_CLAUSE("1.1", "1.2");
    struct source ok;
    new_heap(&ok, 1 << 16); /* a refusal counts only from a heap_init() that can succeed */
    end_heap(&ok);
    struct source s = {0};
    static unsigned char tiny[32];
    s.base = tiny;
    s.size = 16;
    struct heap *h = heap_init((struct heap_source){source_more, &s});
    cr_assert_null(h,
                   "heap_init() over a source of 16 bytes returned %p, expected NULL" READ_SYSTEM,
                   (void *)h);
}

/* ---- edges ------------------------------------------------------------------------- */

Test(edges, many_zero_byte_blocks_are_distinct)
{
    MC_CLAUSE("2.2", "4.1");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    enum { N = 100 };
    void *p[N];
    size_t missing = 0, same = 0;
    for (size_t i = 0; i < N; i++) {
        p[i] = i % 3 == 0   ? heap_calloc(h, 0, 8)
               : i % 3 == 1 ? heap_calloc(h, 8, 0)
                            : heap_malloc(h, 0);
        missing += p[i] == NULL;
        for (size_t j = 0; j < i; j++)
            same += p[i] != NULL && p[i] == p[j];
    }
    cr_assert_eq(
        missing + same, 0,
        "of %d zero-byte blocks, %zu were NULL and %zu pairs were the same pointer" READ_CLASSIC, N,
        missing, same);
    size_t failed = 0;
    for (size_t i = 0; i < N; i++)
        failed += heap_free(h, p[i]) != HEAP_OK;
    cr_assert_eq(failed, 0, "freeing %zu zero-byte blocks failed" READ_CLASSIC, failed);
    end_heap(&s);
}

Test(edges, the_lead_space_of_an_aligned_block_is_free)
{
    MC_CLAUSE("6.1", "3.2");
    struct source s;
    struct heap *h = new_heap(&s, 4 << 20);
    void *small = malloc_or_fail(h, 24);
    void *big = heap_aligned_alloc(h, 65536, 5000);
    cr_assert_not_null(big, "heap_aligned_alloc(heap, 65536, 5000) returned NULL" READ_LISTS);
    cr_assert_eq((uintptr_t)big % 65536, 0, "the block %p is not aligned to 65536" READ_LISTS, big);
    fill_seeded(big, 5000, 7);
    struct walk w = walk_all(h);
    size_t wasted = 0, i = 0;
    while (i < w.n && w.r[i].payload != small)
        i++;
    for (i++; i < w.n && w.r[i].payload != big; i++)
        wasted += w.r[i].kind != HEAP_RANGE_FREE;
    walk_free(&w);
    cr_assert_eq(
        wasted, 0,
        "between the block before it and the aligned block, heap_walk() shows %zu range(s) "
        "that are not free: the space skipped to reach the alignment must be given back "
        "as free blocks" READ_LISTS,
        wasted);
    void *moved = heap_realloc(h, big, 9000);
    cr_assert_not_null(moved, "heap_realloc() of an aligned block returned NULL" READ_REALLOC);
    cr_assert_eq(damaged_bytes(moved, 5000, 7), 0,
                 "heap_realloc() of an aligned block lost its contents" READ_REALLOC);
    cr_assert_eq(heap_free(h, moved) + heap_free(h, small), HEAP_OK,
                 "freeing the blocks failed" READ_LISTS);
    struct walk after = walk_all(h);
    size_t live = count_kind(&after, HEAP_RANGE_ALLOCATED), pairs = adjacent_free(&after);
    walk_free(&after);
    cr_assert_eq(live + pairs, 0,
                 "after every block was freed, heap_walk() shows %zu ALLOCATED range(s) and %zu "
                 "pair(s) of free ranges side by side" READ_MERGING,
                 live, pairs);
    end_heap(&s);
}

Test(edges, realloc_in_place_both_ways_keeps_the_heap_whole)
{
    MC_CLAUSE("5.2", "5.3", "5.1", "3.2");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    unsigned char *a = malloc_or_fail(h, 500);
    void *b = malloc_or_fail(h, 500);
    void *fence = malloc_or_fail(h, 16);
    fill_seeded(a, 500, 8);
    heap_free(h, b);
    void *r1 = heap_realloc(h, a, 900);  /* into b, with a remainder */
    void *r2 = heap_realloc(h, a, 1);    /* back down to the smallest block */
    void *r3 = heap_realloc(h, a, 1000); /* exactly the space of a and b, or near */
    cr_assert(r1 == a && r2 == a && r3 == a,
              "heap_realloc() of a block followed by a free block to 900, 1 and 1000 bytes "
              "returned %p, %p, %p; each time the block can stay at %p" READ_REALLOC,
              r1, r2, r3, (void *)a);
    cr_assert_eq(a[0], pattern_byte(8, 0),
                 "heap_realloc() in place lost the first byte" READ_REALLOC);
    struct walk w = walk_all(h);
    size_t pairs = adjacent_free(&w), tiles = tiling_errors(&w, &s);
    walk_free(&w);
    cr_assert_eq(pairs + tiles, 0,
                 "after realloc in place, the ranges do not tile the heap or two free ranges "
                 "touch" READ_MERGING);
    heap_free(h, fence);
    heap_free(h, a);
    end_heap(&s);
}

Test(edges, a_freed_neighbour_pair_holds_their_sum)
{
    MC_CLAUSE("2.3", "3.2");
    struct source s;
    struct heap *h = new_heap(&s, 64 * 1024);
    enum { MAX = 4096 };
    static void *p[MAX];
    size_t n = 0;
    while (n < MAX && (p[n] = heap_malloc(h, 100)) != NULL)
        n++;
    cr_assert(n > 20 && n < MAX, "a 64 KiB heap held %zu blocks of 100 bytes" READ_CLASSIC, n);
    heap_free(h, p[n / 2]);
    heap_free(h, p[n / 2 + 1]);
    size_t calls = s.calls;
    void *both = heap_malloc(h, 200);
    cr_assert_not_null(both, "with the heap full and two neighbouring 100-byte blocks freed, "
                             "heap_malloc(heap, 200) returned NULL: they must merge" READ_MERGING);
    cr_assert((uintptr_t)both >= (uintptr_t)p[n / 2] &&
                  (uintptr_t)both + 200 <= (uintptr_t)p[n / 2 + 2],
              "the merged space runs from %p to %p, but heap_malloc() returned %p" READ_MERGING,
              p[n / 2], p[n / 2 + 2], both);
    cr_assert_leq(s.calls, calls + 1, "heap_malloc() asked the source again and again" READ_SYSTEM);
    end_heap(&s);
}

/* ---- workloads --------------------------------------------------------------------- */

/* n random calls of every kind over SLOTS blocks; after each: contents, tiling,
 * the live set, free neighbours merged, heap_check(). */
static void workload(unsigned seed, size_t n, size_t max_size)
{
    enum { SLOTS = 80 };
    struct source s;
    struct heap *h = new_heap(&s, 16u << 20);
    void *p[SLOTS] = {0};
    size_t size[SLOTS] = {0}, align[SLOTS] = {0};
    unsigned tag[SLOTS] = {0};
    uint64_t x = seed * 0x9E3779B97F4A7C15u + 7;
    size_t lost = 0, tiles = 0, live_bad = 0, pairs = 0, checks = 0, frees = 0, misaligned = 0,
           zero = 0;
    char why[200] = "";
    for (size_t op = 0; op < n; op++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t i = x % SLOTS, want = (x >> 16) % max_size + (x >> 62 == 0 ? 0 : 1);
        unsigned kind = (unsigned)((x >> 40) % 8);
        if (p[i] != NULL) {
            lost += damaged_bytes(p[i], size[i], tag[i]) != 0;
            if (kind < 3) {
                void *q = heap_realloc(h, p[i], want);
                if (q != NULL || want == 0) {
                    lost +=
                        q != NULL && damaged_bytes(q, size[i] < want ? size[i] : want, tag[i]) != 0;
                    misaligned += q != NULL && align[i] > HEAP_ALIGN && (uintptr_t)q % HEAP_ALIGN;
                    p[i] = q;
                    size[i] = q ? want : 0;
                    align[i] = HEAP_ALIGN;
                }
            } else {
                frees += heap_free(h, p[i]) != HEAP_OK;
                p[i] = NULL;
                size[i] = 0;
            }
        } else if (kind == 0) {
            align[i] = (size_t)1 << (4 + (x >> 50) % 9);
            p[i] = heap_aligned_alloc(h, align[i], want);
            size[i] = p[i] ? want : 0;
            misaligned += p[i] != NULL && (uintptr_t)p[i] % align[i] != 0;
        } else if (kind == 1) {
            p[i] = heap_calloc(h, want % 7 + 1, want / 7 + 1);
            size[i] = p[i] ? (want % 7 + 1) * (want / 7 + 1) : 0;
            for (size_t k = 0; p[i] != NULL && k < size[i]; k++)
                zero += ((unsigned char *)p[i])[k] != 0;
            align[i] = HEAP_ALIGN;
        } else {
            p[i] = heap_malloc(h, want);
            size[i] = p[i] ? want : 0;
            align[i] = HEAP_ALIGN;
        }
        if (p[i] != NULL) {
            tag[i] = (unsigned)op * 31u + seed;
            fill_seeded(p[i], size[i], tag[i]);
        }
        struct walk w = walk_all(h);
        tiles += tiling_errors(&w, &s) != 0;
        pairs += adjacent_free(&w) != 0;
        size_t k = 0, bad = 0;
        for (size_t j = 0; j < SLOTS; j++) {
            if (p[j] == NULL)
                continue;
            k++;
            const struct heap_range *r = range_of(&w, p[j]);
            bad += r == NULL || r->usable < size[j] || r->usable != heap_usable_size(h, p[j]);
        }
        live_bad += bad != 0 || count_kind(&w, HEAP_RANGE_ALLOCATED) != k;
        walk_free(&w);
        checks += heap_check(h, why, sizeof why) != 0;
    }
    cr_assert_eq(lost, 0, "%zu times a live block's bytes changed" READ_CLASSIC, lost);
    cr_assert_eq(misaligned, 0, "%zu blocks were not aligned as asked" READ_LISTS, misaligned);
    cr_assert_eq(zero, 0, "heap_calloc() gave %zu bytes that were not zero" READ_CLASSIC, zero);
    cr_assert_eq(frees, 0, "heap_free() of a live block failed %zu times" READ_CLASSIC, frees);
    cr_assert_eq(tiles, 0, "%zu times the ranges did not tile the heap" READ_CLASSIC, tiles);
    cr_assert_eq(pairs, 0, "%zu times two free ranges sat side by side" READ_MERGING, pairs);
    cr_assert_eq(live_bad, 0,
                 "%zu times the ALLOCATED ranges did not match the live blocks" READ_CLASSIC,
                 live_bad);
    cr_assert_eq(checks, 0,
                 "heap_check() failed %zu times on a healthy heap; last: %s" READ_CLASSIC, checks,
                 why);
    size_t failed = 0;
    for (size_t j = 0; j < SLOTS; j++)
        failed += heap_free(h, p[j]) != HEAP_OK;
    cr_assert_eq(failed, 0, "freeing the blocks left at the end failed %zu times" READ_CLASSIC,
                 failed);
    struct walk w = walk_all(h);
    size_t live = count_kind(&w, HEAP_RANGE_ALLOCATED), left_pairs = adjacent_free(&w);
    walk_free(&w);
    cr_assert_eq(live + left_pairs, 0,
                 "with every block freed, heap_walk() shows %zu ALLOCATED range(s) and %zu pair(s) "
                 "of free ranges side by side" READ_MERGING,
                 live, left_pairs);
    end_heap(&s);
}

Test(workloads, small_blocks_of_every_kind)
{
    MC_CLAUSE("2.1", "3.1", "3.2", "4.1", "5.1", "6.1", "8.1", "8.2", "8.3", "9.1");
    workload(11, 4000, 200);
}

Test(workloads, large_blocks_of_every_kind)
{
    MC_CLAUSE("2.1", "3.1", "3.2", "4.1", "5.1", "5.3", "6.1", "8.1", "8.2", "9.1");
    workload(12, 2500, 40000);
}

Test(workloads, the_heap_never_calls_the_c_librarys_allocator)
{
    MC_CLAUSE("1.3");
    struct source s;
    size_t before = mc_alloc_calls();
    struct heap *h = new_heap(&s, 4 << 20);
    before = mc_alloc_calls();
    void *p[50] = {0};
    for (size_t i = 0; i < 2000; i++) {
        size_t k = (i * 7919) % 50;
        if (p[k] != NULL && i % 3)
            p[k] = heap_realloc(h, p[k], (i * 37) % 3000 + 1);
        else if (p[k] != NULL)
            p[k] = (heap_free(h, p[k]), NULL);
        else
            p[k] = i % 5 ? heap_malloc(h, (i * 13) % 5000) : heap_aligned_alloc(h, 256, i % 700);
    }
    for (size_t k = 0; k < 50; k++)
        heap_free(h, p[k]);
    char why[100];
    heap_check(h, why, sizeof why);
    cr_assert_eq(mc_alloc_calls(), before,
                 "the heap called malloc, calloc or realloc %zu times: it must get all its memory "
                 "from its source" READ_CLASSIC,
                 mc_alloc_calls() - before);
    end_heap(&s);
}

/* ---- the checker -------------------------------------------------------------------- */

Test(checker, writes_at_most_why_size_bytes)
{
    MC_CLAUSE("9.5", "9.2");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *a = malloc_or_fail(h, 64);
    void *b = malloc_or_fail(h, 64);
    size_t bytes = 0;
    unsigned char *header = header_bytes(h, b, &bytes);
    unsigned char saved[64];
    memcpy(saved, header, bytes);
    memset(header, 0x41, bytes);
    char buf[24];
    memset(buf, '#', sizeof buf);
    int rc = heap_check(h, buf, 8);
    int none = heap_check(h, NULL, 0);
    memcpy(header, saved, bytes);
    size_t beyond = 0;
    for (size_t i = 8; i < sizeof buf; i++)
        beyond += buf[i] != '#';
    cr_assert_eq(rc, -1, "heap_check() missed an overwritten header" READ_ATTACKS);
    cr_assert_eq(none, -1, "heap_check(heap, NULL, 0) missed an overwritten header" READ_ATTACKS);
    cr_assert_eq(beyond, 0,
                 "heap_check(heap, why, 8) wrote %zu bytes past the first 8" READ_CLASSIC, beyond);
    cr_assert(memchr(buf, '\0', 8) != NULL,
              "heap_check(heap, why, 8) left no NUL in the 8 bytes" READ_CLASSIC);
    heap_free(h, a);
    heap_free(h, b);
    end_heap(&s);
}

Test(checker, finds_damage_to_free_blocks_and_changes_nothing)
{
    MC_CLAUSE("9.2", "9.3", "9.4");
    struct source s;
    struct heap *h = new_heap(&s, 1 << 20);
    void *p[9];
    for (size_t i = 0; i < 9; i++)
        p[i] = malloc_or_fail(h, 96);
    heap_free(h, p[2]);
    heap_free(h, p[4]);
    heap_free(h, p[6]); /* three free blocks of one size: a list of three */
    struct walk w = walk_all(h);
    const struct heap_range *free_range = NULL;
    for (size_t i = 0; i < w.n; i++)
        if (w.r[i].kind == HEAP_RANGE_FREE && w.r[i].start > (const void *)p[3] &&
            w.r[i].start < (const void *)p[5])
            free_range = &w.r[i];
    cr_assert_not_null(free_range,
                       "heap_walk() shows no free range where block 5 was freed" READ_CLASSIC);
    unsigned char *fstart = (unsigned char *)free_range->start;
    size_t fheader = (size_t)((const unsigned char *)free_range->payload - fstart);
    walk_free(&w);
    unsigned char saved[80];
    memcpy(saved, fstart, fheader + 16);
    int found[4];
    memset(fstart, 0x41, fheader); /* its header */
    found[0] = heap_check(h, NULL, 0);
    memcpy(fstart, saved, fheader + 16);
    void *self = p[4];
    memcpy(p[4], &self, sizeof self); /* links pointing at the block itself: a loop */
    memcpy((unsigned char *)p[4] + 8, &self, sizeof self);
    found[1] = heap_check(h, NULL, 0);
    memcpy(fstart, saved, fheader + 16);
    void *live = p[3];
    memcpy(p[4], &live, sizeof live); /* links pointing at a live block */
    memcpy((unsigned char *)p[4] + 8, &live, sizeof live);
    found[2] = heap_check(h, NULL, 0);
    memcpy(fstart, saved, fheader + 16);
    struct walk before = walk_all(h);
    char why[200] = "";
    found[3] = heap_check(h, why, sizeof why) + heap_check(h, why, sizeof why);
    struct walk after = walk_all(h);
    bool same = same_walk(&before, &after);
    walk_free(&before);
    walk_free(&after);
    cr_assert_eq(found[0], -1,
                 "heap_check() missed a free block's header overwritten by 0x41" READ_ATTACKS);
    cr_assert_eq(found[1], -1,
                 "heap_check() missed a free block whose links point at itself" READ_LISTS);
    cr_assert_eq(found[2], -1,
                 "heap_check() missed a free block whose links point at a live block" READ_LISTS);
    cr_assert_eq(found[3], 0, "heap_check() failed on the restored heap: %s" READ_CLASSIC, why);
    cr_assert(same, "heap_check() changed the heap" READ_CLASSIC);
    end_heap(&s);
}
