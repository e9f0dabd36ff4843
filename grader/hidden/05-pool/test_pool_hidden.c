/*
 * Hidden tests for the pool (exercise 05): edge cases and failure paths that
 * the public tests leave out, the state after every failure, and the
 * poisoning. Same rules as the public tests.
 *
 * The tests never assume a layout beyond the contract: where they need the
 * stride (clause 1.4), they measure it on a twin pool with the same arguments.
 */
#include "mc_test.h"
#include "pool.h"
#include "tests/pool_helpers.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

MC_SUITE(checked_edges);
MC_SUITE(create_edges);
MC_SUITE(growth_edges);
MC_SUITE(poisoning);

#define READ_CHECKED MC_READ("7.6 Detecting double and foreign frees")
#define READ_GROWTH  MC_READ("7.4 Growth by chunks")
#define READ_LAYOUT  MC_READ("7.3 Slot size and alignment")
#define READ_LIST    MC_READ("7.2 The intrusive free list")
#define READ_POISON  MC_READ("7.12 Telling ASan and Valgrind about a pool")

static struct pool *new_pool(size_t size, size_t align, size_t chunk, unsigned flags)
{
    struct pool *pool = pool_create(size, align, chunk, flags);
    cr_assert_not_null(pool,
                       "pool_create(%zu, %zu, %zu, 0x%x) returned NULL, expected a pool" MC_READ(
                           "7.1 One size, many objects"),
                       size, align, chunk, flags);
    return pool;
}

static void fill(struct pool *pool, void **out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = pool_alloc(pool);
        cr_assert_not_null(
            out[i], "pool_alloc() number %zu returned NULL, expected an object" READ_LIST, i + 1);
    }
}

/* Sorts n addresses in increasing order (insertion sort: n is small). */
static void sort_addresses(unsigned char **p, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        unsigned char *key = p[i];
        size_t j = i;
        while (j > 0 && (uintptr_t)p[j - 1] > (uintptr_t)key) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = key;
    }
}

/* The stride of a pool with these arguments (clause 1.4), measured on a twin pool with a
 * chunk of two slots, which is destroyed again. */
static size_t measure_stride(size_t size, size_t align, unsigned flags)
{
    struct pool *twin = new_pool(size, align, 2, flags);
    unsigned char *s[2];
    fill(twin, (void **)s, 2);
    sort_addresses(s, 2);
    size_t stride = (size_t)(s[1] - s[0]);
    pool_destroy(twin);
    cr_assert(stride >= size && stride % effective_align(align) == 0,
              "the two slots of a pool of 2 objects of %zu bytes (align %zu) are %zu bytes apart; "
              "expected a stride of at least %zu bytes, a multiple of %zu" READ_LAYOUT,
              size, align, stride, size, effective_align(align));
    return stride;
}

/* A small deterministic PRNG (xorshift64), so every run makes the same calls. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* ---- poisoning helpers: a plain run sees nothing, ASan and Valgrind see the shadow ---- */

/* Asserts that the size bytes of a live object are usable (clause 7.2). */
static void assert_usable(const unsigned char *obj, size_t size, const char *what)
{
    size_t at = 0;
    size_t bad = count_bytes(obj, size, 1, &at);
    cr_assert_eq(bad, 0,
                 "%zu of the %zu bytes of %s are poisoned for %s (the first at byte %zu); "
                 "expected none: a live object's bytes are the caller's" READ_POISON,
                 bad, size, what, checker(), at);
}

/* Asserts that p[from, to) is poisoned (clauses 7.1 and 7.3). */
static void assert_poisoned(const unsigned char *p, size_t from, size_t to, const char *what)
{
    size_t at = 0;
    size_t bad = to > from ? count_bytes(p + from, to - from, 0, &at) : 0;
    cr_assert_eq(bad, 0,
                 "%zu of the bytes %zu to %zu of %s are not poisoned for %s (the first at byte "
                 "%zu): an access there would go unreported" READ_POISON,
                 bad, from, to - 1, what, checker(), from + at);
}

/* ---- checked mode ---------------------------------------------------------------------- */

Test(checked_edges, double_free_leaves_the_free_list_intact)
{
    MC_CLAUSE("4.3", "4.5");
    struct pool *pool = new_pool(32, 0, 4, POOL_FIXED | POOL_CHECKED);
    void *obj[4];
    fill(pool, obj, 4);
    cr_assert_eq(pool_free(pool, obj[2]), POOL_OK,
                 "pool_free() of a live object failed" READ_CHECKED);
    int rc = pool_free(pool, obj[2]);
    cr_assert_eq(rc, POOL_DOUBLE_FREE,
                 "the second pool_free() of an object returned %d, "
                 "expected POOL_DOUBLE_FREE" READ_CHECKED,
                 rc);
    void *first = pool_alloc(pool);
    void *second = pool_alloc(pool);
    cr_assert_eq(first, obj[2],
                 "after a rejected double free pool_alloc() returned %p, expected "
                 "the freed object %p" READ_CHECKED,
                 first, obj[2]);
    cr_assert_null(second,
                   "a full fixed pool handed out %p after a rejected double free: the "
                   "check must run before the slot is pushed on the free list" READ_CHECKED,
                   second);
    cr_assert_eq(pool_live(pool), 4, "pool_live() is %zu, expected 4" READ_CHECKED,
                 pool_live(pool));
    pool_destroy(pool);
}

Test(checked_edges, every_object_in_every_chunk_frees_once)
{
    MC_CLAUSE("4.3", "4.6", "2.2");
    enum { N = 10 };
    static const size_t order[N] = {7, 2, 9, 0, 5, 3, 8, 1, 6, 4};
    struct pool *pool = new_pool(40, 0, 3, POOL_CHECKED);
    void *obj[N];
    fill(pool, obj, N);
    size_t first_errors = 0;
    size_t second_misses = 0;
    for (size_t i = 0; i < N; i++)
        first_errors += pool_free(pool, obj[order[i]]) != POOL_OK;
    for (size_t i = 0; i < N; i++)
        second_misses += pool_free(pool, obj[order[i]]) != POOL_DOUBLE_FREE;
    cr_assert_eq(first_errors, 0,
                 "%zu of %d first frees of live objects were rejected" READ_CHECKED, first_errors,
                 N);
    cr_assert_eq(second_misses, 0,
                 "%zu of %d second frees were not reported as POOL_DOUBLE_FREE" READ_CHECKED,
                 second_misses, N);
    cr_assert_eq(pool_live(pool), 0,
                 "pool_live() after freeing everything is %zu, expected 0" MC_READ(
                     "7.1 One size, many objects"),
                 pool_live(pool));
    size_t wrong = 0;
    for (size_t i = N; i-- > 0;)
        wrong += pool_alloc(pool) != obj[order[i]];
    cr_assert_eq(wrong, 0,
                 "%zu of %d objects came back out of last-in-first-out order after "
                 "the rejected double frees" READ_LIST,
                 wrong, N);
    cr_assert_eq(pool_capacity(pool), 12, "pool_capacity() is %zu, expected 12" READ_GROWTH,
                 pool_capacity(pool));
    pool_destroy(pool);
}

Test(checked_edges, rejects_pointers_beside_and_inside_every_object)
{
    MC_CLAUSE("4.1", "4.2", "4.5");
    enum { N = 7 };
    struct pool *pool = new_pool(24, 0, 2, POOL_CHECKED);
    unsigned char *obj[N];
    fill(pool, (void **)obj, N);
    void *heap = malloc(64);
    cr_assert_not_null(heap, "malloc(64) failed in the test" MC_READ("7.1 One size, many objects"));
    size_t accepted = 0;
    for (size_t i = 0; i < N; i++) {
        accepted += pool_free(pool, obj[i] - 1) != POOL_FOREIGN;
        accepted += pool_free(pool, obj[i] + 1) != POOL_FOREIGN;
        accepted += pool_free(pool, obj[i] + 23) != POOL_FOREIGN;
    }
    int rc = pool_free(pool, heap);
    cr_assert_eq(accepted, 0,
                 "%zu of %d pointers one byte before or inside an object were not "
                 "reported as POOL_FOREIGN" READ_CHECKED,
                 accepted, 3 * N);
    cr_assert_eq(rc, POOL_FOREIGN,
                 "pool_free() of a block from malloc returned %d, expected "
                 "POOL_FOREIGN" READ_CHECKED,
                 rc);
    cr_assert_eq(pool_live(pool), N,
                 "pool_live() after rejected frees is %zu, expected %d" READ_CHECKED,
                 pool_live(pool), N);
    void *next = pool_alloc(pool);
    void *after = pool_alloc(pool);
    size_t reused = 0;
    for (size_t i = 0; i < N; i++)
        reused += next == obj[i] || after == obj[i];
    cr_assert_eq(reused, 0,
                 "pool_alloc() handed out a live object after rejected frees" READ_CHECKED);
    free(heap);
    pool_destroy(pool);
}

Test(checked_edges, a_slot_never_handed_out_is_a_double_free)
{
    MC_CLAUSE("4.4", "4.5", "1.4");
    for (int grown = 0; grown <= 1; grown++) {
        /* Fixed: one object of a chunk of 2. Grown: the 3rd object, in the 2nd chunk of 2. */
        unsigned flags = POOL_CHECKED | (grown ? POOL_GROWABLE : POOL_FIXED);
        size_t stride = measure_stride(40, 0, flags);
        struct pool *pool = new_pool(40, 0, 2, flags);
        unsigned char *obj[3];
        fill(pool, (void **)obj, grown ? 3 : 1);
        unsigned char *x = obj[grown ? 2 : 0];
        unsigned char *sibling = NULL; /* the other slot of x's chunk, never handed out */
        size_t doubles = 0;
        size_t foreign = 0;
        unsigned char *candidates[2] = {x - stride, x + stride};
        for (size_t i = 0; i < 2; i++) {
            int rc = pool_free(pool, candidates[i]);
            if (rc == POOL_DOUBLE_FREE) {
                doubles++;
                sibling = candidates[i];
            }
            foreign += rc == POOL_FOREIGN;
        }
        cr_assert(doubles == 1 && foreign == 1,
                  "%s: of the two addresses one stride (%zu bytes) before and after the only "
                  "live object of its chunk of 2 slots, %zu were reported as POOL_DOUBLE_FREE "
                  "and %zu as POOL_FOREIGN; expected one each: the other slot of the chunk was "
                  "never handed out (POOL_DOUBLE_FREE), the other address is outside every slot "
                  "(POOL_FOREIGN)" READ_CHECKED,
                  grown ? "a checked pool after growth" : "a fixed checked pool", stride, doubles,
                  foreign);
        cr_assert_eq(pool_live(pool), (size_t)(grown ? 3 : 1),
                     "pool_live() after rejected frees of a slot never handed out is %zu, "
                     "expected %d" READ_CHECKED,
                     pool_live(pool), grown ? 3 : 1);
        unsigned char *next = pool_alloc(pool);
        cr_assert_eq(next, sibling,
                     "after the rejected frees, pool_alloc() returned %p, expected the chunk's "
                     "last free slot %p" READ_CHECKED,
                     (void *)next, (void *)sibling);
        cr_assert_eq(pool_capacity(pool), (size_t)(grown ? 4 : 2),
                     "pool_capacity() is %zu, expected %d: a rejected free must not add a "
                     "slot" READ_CHECKED,
                     pool_capacity(pool), grown ? 4 : 2);
        if (!grown) {
            void *none = pool_alloc(pool);
            cr_assert_null(none,
                           "a fixed pool of 2 slots handed out a 3rd object %p after a rejected "
                           "free of a slot never handed out: the slot was pushed on the free list "
                           "twice" READ_CHECKED,
                           none);
        }
        pool_destroy(pool);
    }
}

Test(checked_edges, interior_pointers_at_every_offset_are_foreign)
{
    MC_CLAUSE("4.2", "4.5");
    static const struct {
        size_t size, align;
    } cases[] = {{24, 0}, {1, 0}, {40, 64}, {0, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t size = cases[c].size;
        size_t stride = measure_stride(size, cases[c].align, POOL_FIXED | POOL_CHECKED);
        struct pool *pool = new_pool(size, cases[c].align, 3, POOL_FIXED | POOL_CHECKED);
        unsigned char *obj[3];
        fill(pool, (void **)obj, 3);
        cr_assert_eq(pool_free(pool, obj[1]), POOL_OK,
                     "pool_free() of a live object failed" READ_CHECKED);
        size_t accepted = 0;
        size_t first_bad = 0;
        for (size_t off = 1; off < stride; off++) {
            for (size_t i = 0; i < 3; i++) { /* two live objects and a free slot */
                if (pool_free(pool, obj[i] + off) != POOL_FOREIGN && accepted++ == 0)
                    first_bad = off;
            }
        }
        cr_assert_eq(accepted, 0,
                     "objects of %zu bytes (align %zu, stride %zu): %zu pointers inside a slot "
                     "but not at its start were not reported as POOL_FOREIGN (the first at byte "
                     "%zu)" READ_CHECKED,
                     size, cases[c].align, stride, accepted, first_bad);
        cr_assert_eq(pool_live(pool), 2,
                     "pool_live() after rejected frees is %zu, expected 2" READ_CHECKED,
                     pool_live(pool));
        void *again = pool_alloc(pool);
        void *none = pool_alloc(pool);
        cr_assert(again == obj[1] && none == NULL,
                  "after rejected frees of interior pointers, a full fixed pool of 3 with one free "
                  "slot handed out %p then %p; expected the free slot %p, then NULL" READ_CHECKED,
                  again, none, (void *)obj[1]);
        pool_destroy(pool);
    }
}

Test(checked_edges, pointers_just_outside_a_chunk_are_foreign)
{
    MC_CLAUSE("4.1", "4.5");
    size_t stride = measure_stride(48, 0, POOL_FIXED | POOL_CHECKED);
    struct pool *pool = new_pool(48, 0, 3, POOL_FIXED | POOL_CHECKED);
    struct pool *other = new_pool(48, 0, 3, POOL_FIXED | POOL_CHECKED);
    unsigned char *obj[3];
    fill(pool, (void **)obj, 3);
    sort_addresses(obj, 3);
    unsigned char *theirs = pool_alloc(other);
    cr_assert_not_null(theirs, "pool_alloc() returned NULL" READ_LIST);
    static int global_object;
    int local_object = 0;
    const struct {
        const void *ptr;
        const char *what;
    } cases[] = {
        {obj[0] - stride, "one stride before the first slot"},
        {obj[0] - 1, "one byte before the first slot"},
        {obj[2] + stride, "one stride after the last slot (the end of the slots)"},
        {obj[2] + 2 * stride, "two strides after the last slot"},
        {theirs, "an object of another pool with the same arguments"},
        {&global_object, "a global variable"},
        {&local_object, "a local variable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = pool_free(pool, (void *)(uintptr_t)cases[i].ptr);
        cr_assert_eq(rc, POOL_FOREIGN,
                     "pool_free() of %s returned %d, expected POOL_FOREIGN (%d)" READ_CHECKED,
                     cases[i].what, rc, POOL_FOREIGN);
        cr_assert_eq(pool_live(pool), 3,
                     "pool_live() after pool_free() of %s is %zu, expected 3" READ_CHECKED,
                     cases[i].what, pool_live(pool));
    }
    void *none = pool_alloc(pool);
    cr_assert_null(none,
                   "a full fixed pool handed out %p after rejected frees of foreign "
                   "pointers" READ_CHECKED,
                   none);
    cr_assert_eq(pool_live(other), 1,
                 "pool_free() of another pool's object changed that pool: its pool_live() is "
                 "%zu, expected 1" READ_CHECKED,
                 pool_live(other));
    pool_destroy(other);
    pool_destroy(pool);
}

Test(checked_edges, rejected_frees_change_nothing)
{
    MC_CLAUSE("4.5", "4.1", "4.2", "4.3", "5.1");
    enum { N = 6 };
    struct pool *pool = new_pool(32, 0, N, POOL_CHECKED);
    unsigned char *obj[N];
    fill(pool, (void **)obj, N);
    for (size_t i = 0; i < N; i++)
        memset(obj[i], (int)(0x40 + i), 32);
    static const size_t freed[] = {1, 3, 4}; /* the free list is now 4, 3, 1 */
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(pool_free(pool, obj[freed[i]]), POOL_OK,
                     "pool_free() of a live object failed" READ_CHECKED);
    long local = 0;
    const struct {
        void *ptr;
        int want;
        const char *what;
    } bad[] = {
        {obj[3], POOL_DOUBLE_FREE, "a double free"},
        {obj[0] + 8, POOL_FOREIGN, "a pointer 8 bytes into a live object"},
        {obj[4] + 31, POOL_FOREIGN, "a pointer to the last byte of a free slot's object"},
        {&local, POOL_FOREIGN, "a local variable"},
        {obj[1], POOL_DOUBLE_FREE, "another double free"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = pool_free(pool, bad[i].ptr);
        cr_assert_eq(rc, bad[i].want, "pool_free() of %s returned %d, expected %d" READ_CHECKED,
                     bad[i].what, rc, bad[i].want);
        cr_assert(pool_live(pool) == 3 && pool_capacity(pool) == N,
                  "after pool_free() of %s: pool_live() %zu, pool_capacity() %zu; expected 3 and "
                  "%d, unchanged" READ_CHECKED,
                  bad[i].what, pool_live(pool), pool_capacity(pool), N);
    }
    static const size_t live[] = {0, 2, 5};
    for (size_t i = 0; i < 3; i++) {
        size_t changed = 0;
        for (size_t k = 0; k < 32; k++)
            changed += obj[live[i]][k] != (unsigned char)(0x40 + live[i]);
        cr_assert_eq(changed, 0,
                     "%zu bytes of a live object changed during rejected frees: checked mode must "
                     "validate before it writes anything" READ_CHECKED,
                     changed);
    }
    for (size_t i = 3; i-- > 0;) {
        void *again = pool_alloc(pool);
        cr_assert_eq(again, obj[freed[i]],
                     "after rejected frees, pool_alloc() returned %p, expected %p: the free list "
                     "must be as it was (last in, first out)" READ_CHECKED,
                     again, (void *)obj[freed[i]]);
    }
    cr_assert_eq(pool_capacity(pool), N, "pool_capacity() is %zu, expected %d" READ_GROWTH,
                 pool_capacity(pool), N);
    pool_destroy(pool);
}

Test(checked_edges, null_is_a_no_op_in_every_mode)
{
    MC_CLAUSE("3.2");
    static const unsigned modes[] = {POOL_GROWABLE, POOL_FIXED, POOL_CHECKED,
                                     POOL_FIXED | POOL_CHECKED};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct pool *pool = new_pool(16, 0, 2, modes[m]);
        void *obj[2];
        fill(pool, obj, 2);
        cr_assert_eq(pool_free(pool, obj[1]), POOL_OK,
                     "pool_free() of a live object failed" READ_LIST);
        size_t calls = mc_alloc_calls();
        int rc = pool_free(pool, NULL);
        cr_assert(rc == POOL_OK && pool_live(pool) == 1 && pool_capacity(pool) == 2 &&
                      mc_alloc_calls() == calls,
                  "flags 0x%x: pool_free(pool, NULL) returned %d, pool_live() %zu, "
                  "pool_capacity() %zu; expected POOL_OK, 1 and 2, unchanged" READ_LIST,
                  modes[m], rc, pool_live(pool), pool_capacity(pool));
        void *again = pool_alloc(pool);
        cr_assert_eq(again, obj[1],
                     "flags 0x%x: after pool_free(pool, NULL), pool_alloc() returned %p, expected "
                     "the object freed before it, %p" READ_LIST,
                     modes[m], again, obj[1]);
        pool_destroy(pool);
    }
}

/* ---- creation -------------------------------------------------------------------------- */

Test(create_edges, large_alignments_hold_in_every_chunk)
{
    MC_CLAUSE("1.2");
    static const struct {
        size_t size, align;
        unsigned flags;
    } cases[] = {
        {1, 4096, POOL_GROWABLE}, {8000, 4096, POOL_CHECKED}, {33, 128, POOL_GROWABLE},
        {130, 512, POOL_CHECKED}, {7, 8, POOL_GROWABLE},      {5, 1, POOL_CHECKED},
        {64, 2, POOL_GROWABLE},
    };
    enum { N = 8 };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t want = effective_align(cases[c].align);
        struct pool *pool = new_pool(cases[c].size, cases[c].align, 3, cases[c].flags);
        unsigned char *obj[N];
        fill(pool, (void **)obj, N);
        size_t misaligned = 0;
        for (size_t i = 0; i < N; i++) {
            misaligned += ((uintptr_t)obj[i] & (want - 1)) != 0;
            memset(obj[i], 0xA5, cases[c].size);
        }
        cr_assert_eq(misaligned, 0,
                     "%zu of %d objects (size %zu, align %zu, 3 chunks) were not "
                     "%zu-byte aligned" READ_LAYOUT,
                     misaligned, N, cases[c].size, cases[c].align, want);
        pool_destroy(pool);
    }
}

Test(create_edges, zero_size_objects_are_distinct)
{
    MC_CLAUSE("1.1");
    enum { N = 20 };
    struct pool *pool = new_pool(0, 0, 6, POOL_CHECKED);
    void *obj[N];
    fill(pool, obj, N);
    size_t same = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < i; j++)
            same += obj[i] == obj[j];
    cr_assert_eq(same, 0,
                 "%zu pairs of 0-byte objects shared an address: a slot must hold at "
                 "least the free-list link" READ_LAYOUT,
                 same);
    size_t errors = 0;
    for (size_t i = 0; i < N; i++)
        errors += pool_free(pool, obj[i]) != POOL_OK;
    cr_assert_eq(errors, 0, "%zu frees of 0-byte objects failed" READ_CHECKED, errors);
    pool_destroy(pool);
}

Test(create_edges, slots_lie_side_by_side_at_one_stride)
{
    MC_CLAUSE("1.4");
    static const struct {
        size_t size, align;
        unsigned flags;
    } cases[] = {
        {0, 0, POOL_GROWABLE},  {24, 0, POOL_CHECKED},   {40, 64, POOL_GROWABLE},
        {100, 8, POOL_CHECKED}, {17, 32, POOL_GROWABLE},
    };
    enum { CHUNK = 4 };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct pool *pool = new_pool(cases[c].size, cases[c].align, CHUNK, cases[c].flags);
        unsigned char *obj[2 * CHUNK];
        fill(pool, (void **)obj, 2 * CHUNK); /* the first CHUNK fill chunk 1, the rest chunk 2 */
        sort_addresses(obj, CHUNK);
        sort_addresses(obj + CHUNK, CHUNK);
        size_t stride = (size_t)(obj[1] - obj[0]);
        size_t uneven = 0;
        for (size_t i = 1; i < 2 * CHUNK; i++) {
            if (i != CHUNK)
                uneven += (size_t)(obj[i] - obj[i - 1]) != stride;
        }
        cr_assert(uneven == 0 && stride >= cases[c].size &&
                      stride % effective_align(cases[c].align) == 0,
                  "objects of %zu bytes (align %zu): the slots of two chunks of %d are not evenly "
                  "spaced (%zu gaps differ from the first, %zu bytes); expected every slot one "
                  "stride after the previous one in its chunk, the same stride in every chunk, at "
                  "least the object size and a multiple of the alignment" READ_LAYOUT,
                  cases[c].size, cases[c].align, CHUNK, uneven, stride);
        pool_destroy(pool);
    }
}

Test(create_edges, rejects_sizes_that_overflow)
{
    MC_CLAUSE("1.6");
    static const struct {
        size_t size, align, chunk;
    } cases[] = {
        {SIZE_MAX, 0, 1},
        {SIZE_MAX - 3, 0, 1},
        {SIZE_MAX / 4 + 1, 0, 4},
        {0, 0, SIZE_MAX},
        {1, (size_t)1 << (sizeof(size_t) * 8 - 2), 4},
        {1, (size_t)1 << (sizeof(size_t) * 8 - 1), 2},
        {100, 64, SIZE_MAX / 128 + 1},
        {SIZE_MAX / 2 + 1, 0, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        struct pool *pool = pool_create(cases[i].size, cases[i].align, cases[i].chunk, POOL_FIXED);
        cr_assert_null(pool,
                       "pool_create(%zu, %zu, %zu, POOL_FIXED) returned a pool, expected "
                       "NULL: the chunk size overflows size_t" READ_LAYOUT,
                       cases[i].size, cases[i].align, cases[i].chunk);
        mc_assert_no_leak_since(before, "pool_create() with a chunk size that overflows",
                                "7.3 Slot size and alignment");
    }
    struct pool *good = pool_create(100, 64, 1000, POOL_FIXED);
    cr_assert_not_null(good, "pool_create(100, 64, 1000, POOL_FIXED) returned NULL, expected a "
                             "pool: its chunk size fits easily" READ_LAYOUT);
    pool_destroy(good);
}

Test(create_edges, returns_null_when_a_chunk_does_not_fit_in_memory)
{
    MC_CLAUSE("1.7");
    /* Each chunk size fits in a size_t, but no machine has that much memory. */
    static const struct {
        size_t size, align, chunk;
        unsigned flags;
    } cases[] = {
        {SIZE_MAX / 2, 0, 1, POOL_GROWABLE},
        {SIZE_MAX / 4, 0, 2, POOL_CHECKED},
        {1, 0, SIZE_MAX / 64, POOL_FIXED},
        {(size_t)1 << 40, 4096, 3, POOL_FIXED | POOL_CHECKED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        struct pool *pool =
            pool_create(cases[i].size, cases[i].align, cases[i].chunk, cases[i].flags);
        cr_assert_null(pool,
                       "pool_create(%zu, %zu, %zu, 0x%x) returned a pool, expected NULL: malloc "
                       "cannot give a chunk that large" READ_GROWTH,
                       cases[i].size, cases[i].align, cases[i].chunk, cases[i].flags);
        mc_assert_no_leak_since(before, "pool_create() whose chunk malloc refused",
                                "7.4 Growth by chunks");
    }
    struct pool *good = new_pool(64, 0, 4, POOL_GROWABLE);
    pool_destroy(good);
}

Test(create_edges, rejects_each_bad_argument_and_leaves_nothing_allocated)
{
    MC_CLAUSE("1.5");
    static const struct {
        size_t size, align, chunk;
        unsigned flags;
        const char *why;
    } cases[] = {
        {16, 0, 0, POOL_FIXED | POOL_CHECKED, "a chunk of 0 objects"},
        {0, 64, 0, POOL_GROWABLE, "a chunk of 0 objects of size 0"},
        {16, 5, 4, POOL_GROWABLE, "align 5"},
        {16, 12, 4, POOL_CHECKED, "align 12"},
        {16, 100, 4, POOL_FIXED, "align 100"},
        {16, SIZE_MAX, 4, POOL_FIXED, "align SIZE_MAX"},
        {16, 0, 4, 1u << 2, "flag bit 2"},
        {16, 0, 4, POOL_CHECKED | (1u << 31), "POOL_CHECKED with flag bit 31"},
        {16, 64, 4, 0xFFu, "flags 0xFF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        struct pool *pool =
            pool_create(cases[i].size, cases[i].align, cases[i].chunk, cases[i].flags);
        cr_assert_null(pool, "pool_create() with %s returned a pool, expected NULL" READ_LAYOUT,
                       cases[i].why);
        mc_assert_no_leak_since(before, "pool_create() with a bad argument",
                                "7.3 Slot size and alignment");
    }
    static const unsigned good_flags[] = {POOL_GROWABLE, POOL_FIXED, POOL_CHECKED,
                                          POOL_FIXED | POOL_CHECKED};
    for (size_t i = 0; i < sizeof good_flags / sizeof good_flags[0]; i++) {
        struct pool *pool = pool_create(16, 1, 1, good_flags[i]);
        cr_assert_not_null(pool,
                           "pool_create(%d, %d, %d, 0x%x) returned NULL, expected a pool: align 1 "
                           "is a power of two and the flags are known" READ_LAYOUT,
                           16, 1, 1, good_flags[i]);
        pool_destroy(pool);
    }
}

/* ---- growth and failure ------------------------------------------------------------------ */

Test(growth_edges, failed_growth_in_checked_mode_changes_nothing)
{
    MC_CLAUSE("2.5", "4.6");
    struct mc_snapshot before = mc_snapshot();
    struct pool *pool = new_pool(16, 0, 2, POOL_CHECKED);
    void *obj[5];
    fill(pool, obj, 4);
    mc_fail_nth_alloc(1);
    void *fail = pool_alloc(pool);
    mc_fail_none();
    cr_assert_null(fail, "pool_alloc() with %s failing returned %p, expected NULL" READ_GROWTH,
                   mc_fail_note(), fail);
    cr_assert_eq(pool_capacity(pool), 4,
                 "pool_capacity() after pool_alloc() failed (%s failing) is %zu, "
                 "expected 4" READ_GROWTH,
                 mc_fail_note(), pool_capacity(pool));
    cr_assert_eq(pool_free(pool, obj[0]), POOL_OK,
                 "pool_free() after a failed growth (%s failing) returned an error" READ_GROWTH,
                 mc_fail_note());
    obj[0] = pool_alloc(pool);
    obj[4] = pool_alloc(pool);
    cr_assert_not_null(obj[0], "pool_alloc() of a freed slot failed" READ_LIST);
    cr_assert_not_null(obj[4], "pool_alloc() failed once malloc works again" READ_GROWTH);
    cr_assert_eq(pool_live(pool), 5,
                 "pool_live() is %zu, expected 5" MC_READ("7.1 One size, many objects"),
                 pool_live(pool));
    pool_destroy(pool);
    mc_assert_no_leak_since(before, "a checked pool whose growth failed once",
                            "7.4 Growth by chunks");
}

Test(growth_edges, each_failed_growth_leaves_the_pool_as_it_was)
{
    MC_CLAUSE("2.5", "5.1", "5.2");
    static const unsigned modes[] = {POOL_GROWABLE, POOL_CHECKED};
    for (size_t m = 0; m < 2; m++) {
        /* Fail the growth in every way the kit can: 1st, 2nd, 3rd allocation, all of them. */
        for (size_t attempt = 0; attempt < 4; attempt++) {
            struct pool *pool = new_pool(24, 0, 2, modes[m]);
            unsigned char *obj[3];
            fill(pool, (void **)obj, 2);
            memset(obj[0], 0x11, 24);
            memset(obj[1], 0x22, 24);
            struct mc_snapshot before = mc_snapshot();
            size_t failed_before = mc_failed_allocs();
            if (attempt < 3)
                mc_fail_nth_alloc(attempt + 1);
            else
                mc_fail_allocs_after(0);
            void *got = pool_alloc(pool);
            mc_fail_none();
            size_t changed = 0;
            for (size_t k = 0; k < 24; k++)
                changed += (obj[0][k] != 0x11) + (obj[1][k] != 0x22);
            if (mc_failed_allocs() != failed_before) {
                cr_assert(got == NULL && pool_live(pool) == 2 && pool_capacity(pool) == 2,
                          "flags 0x%x: pool_alloc() on a full pool of 2 with %s failing returned "
                          "%p, and left pool_live() %zu, pool_capacity() %zu; expected NULL, 2 "
                          "and 2, unchanged" READ_GROWTH,
                          modes[m], mc_fail_note(), got, pool_live(pool), pool_capacity(pool));
                mc_assert_no_leak_since(before, "pool_alloc() whose growth failed",
                                        "7.4 Growth by chunks");
            } else { /* the growth needed fewer allocations than that: it must have worked */
                cr_assert(got != NULL && pool_live(pool) == 3 && pool_capacity(pool) == 4,
                          "flags 0x%x: pool_alloc() on a full pool of 2, with no allocation "
                          "failing, returned %p and left pool_live() %zu, pool_capacity() %zu; "
                          "expected an object, 3 and 4" READ_GROWTH,
                          modes[m], got, pool_live(pool), pool_capacity(pool));
                cr_assert_eq(pool_free(pool, got), POOL_OK,
                             "pool_free() of a live object failed" READ_LIST);
            }
            cr_assert_eq(changed, 0,
                         "flags 0x%x: pool_alloc() growing a pool (%s failing) changed %zu bytes "
                         "of live objects" READ_GROWTH,
                         modes[m], mc_fail_note(), changed);
            obj[2] = pool_alloc(pool);
            cr_assert(
                obj[2] != NULL && pool_capacity(pool) == 4 && pool_live(pool) == 3,
                "flags 0x%x: after one pool_alloc() failed or grew, the next one returned %p "
                "with pool_capacity() %zu and pool_live() %zu; expected an object, 4 and 3: "
                "a failed growth leaves no trace, a growth adds exactly one chunk" READ_GROWTH,
                modes[m], (void *)obj[2], pool_capacity(pool), pool_live(pool));
            pool_destroy(pool);
        }
    }
}

Test(growth_edges, a_full_fixed_pool_stays_as_it_was)
{
    MC_CLAUSE("2.4", "5.1", "5.2");
    static const unsigned modes[] = {POOL_FIXED, POOL_FIXED | POOL_CHECKED};
    for (size_t m = 0; m < 2; m++) {
        struct pool *pool = new_pool(32, 0, 3, modes[m]);
        unsigned char *obj[3];
        fill(pool, (void **)obj, 3);
        for (size_t i = 0; i < 3; i++)
            memset(obj[i], (int)(0x61 + i), 32);
        size_t calls = mc_alloc_calls();
        size_t nulls = 0;
        for (size_t i = 0; i < 5; i++)
            nulls += pool_alloc(pool) == NULL;
        size_t changed = 0;
        for (size_t i = 0; i < 3; i++)
            for (size_t k = 0; k < 32; k++)
                changed += obj[i][k] != (unsigned char)(0x61 + i);
        cr_assert(nulls == 5 && mc_alloc_calls() == calls && changed == 0 && pool_live(pool) == 3 &&
                      pool_capacity(pool) == 3,
                  "flags 0x%x: five pool_alloc() calls on a full fixed pool of 3 gave %zu NULLs, "
                  "made %zu allocation calls, changed %zu bytes of live objects, and left "
                  "pool_live() %zu, pool_capacity() %zu; expected 5, 0, 0, 3, 3" MC_READ(
                      "7.9 Static pools for embedded systems"),
                  modes[m], nulls, mc_alloc_calls() - calls, changed, pool_live(pool),
                  pool_capacity(pool));
        cr_assert_eq(pool_free(pool, obj[2]), POOL_OK,
                     "pool_free() of a live object failed" READ_LIST);
        cr_assert_eq(pool_free(pool, obj[0]), POOL_OK,
                     "pool_free() of a live object failed" READ_LIST);
        void *a = pool_alloc(pool);
        void *b = pool_alloc(pool);
        void *c = pool_alloc(pool);
        cr_assert(a == obj[0] && b == obj[2] && c == NULL,
                  "flags 0x%x: after freeing objects 3 then 1 of a full fixed pool, pool_alloc() "
                  "gave %p, %p, %p; expected %p, %p, NULL" READ_LIST,
                  modes[m], a, b, c, (void *)obj[0], (void *)obj[2]);
        pool_destroy(pool);
    }
}

Test(growth_edges, fixed_checked_pool_fails_cleanly_at_creation)
{
    MC_CLAUSE("1.7");
    for (size_t n = 1; n <= 4; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed_before = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct pool *pool = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
        mc_fail_none();
        if (mc_failed_allocs() == failed_before) { /* pool_create() needs fewer allocations */
            cr_assert(pool != NULL && pool_capacity(pool) == 8,
                      "pool_create(%d, %d, %d, POOL_FIXED | POOL_CHECKED) returned %p with no "
                      "allocation failing; expected a pool of capacity 8" READ_GROWTH,
                      64, 64, 8, (void *)pool);
            pool_destroy(pool);
        } else {
            cr_assert_null(pool,
                           "pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED) with %s failing "
                           "returned a pool, expected NULL" READ_GROWTH,
                           mc_fail_note());
        }
        mc_assert_no_leak_since(before, "pool_create() with an allocation failing",
                                "7.4 Growth by chunks");
    }
    mc_fail_allocs_after(0);
    struct pool *none = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
    mc_fail_none();
    cr_assert_null(none, "pool_create() with %s failing returned a pool, expected NULL" READ_GROWTH,
                   mc_fail_note());
    struct pool *ok = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
    cr_assert_not_null(ok, "pool_create() returned NULL once malloc worked again" MC_READ(
                               "7.1 One size, many objects"));
    pool_destroy(ok);
}

/* Random alloc/free churn against a shadow table; each object carries its id. Under a checker
 * it also asks that every live object be usable and every freed one poisoned. */
static void churn(unsigned flags, size_t chunk)
{
    enum { SLOTS = 64, STEPS = 3000 };
    struct mc_snapshot before = mc_snapshot();
    struct pool *pool = new_pool(sizeof(uint64_t) * 4, 0, chunk, flags);
    uint64_t *held[SLOTS] = {0};
    uint64_t rng = 0x9E3779B97F4A7C15u;
    size_t live = 0;
    size_t corrupt = 0;
    size_t errors = 0;
    size_t wrong_poison = 0;
    size_t at = 0;
    for (uint64_t step = 1; step <= STEPS; step++) {
        size_t i = (size_t)(next_random(&rng) % SLOTS);
        if (held[i] != NULL) {
            corrupt += held[i][0] != held[i][3] || held[i][1] != i;
            errors += pool_free(pool, held[i]) != POOL_OK;
            if (step % 7 == 0)
                wrong_poison += count_bytes((unsigned char *)held[i], 32, 0, &at);
            held[i] = NULL;
            live--;
            continue;
        }
        held[i] = pool_alloc(pool);
        if (held[i] == NULL) {
            errors++;
            continue;
        }
        if (step % 7 == 0)
            wrong_poison += count_bytes((unsigned char *)held[i], 32, 1, &at);
        held[i][0] = held[i][3] = step;
        held[i][1] = i;
        live++;
    }
    cr_assert_eq(corrupt, 0,
                 "%zu objects were changed while live during random churn "
                 "(flags 0x%x): the pool handed out a live slot twice or wrote into one" READ_LIST,
                 corrupt, flags);
    cr_assert_eq(errors, 0, "%zu calls failed during random churn (flags 0x%x)" READ_LIST, errors,
                 flags);
    cr_assert_eq(
        pool_live(pool), live,
        "pool_live() is %zu after churn, expected %zu" MC_READ("7.1 One size, many objects"),
        pool_live(pool), live);
    cr_assert_eq(wrong_poison, 0,
                 "during random churn (flags 0x%x), %zu bytes of live objects were poisoned or "
                 "bytes of freed objects were not, for %s" READ_POISON,
                 flags, wrong_poison, checker());
    pool_destroy(pool);
    mc_assert_no_leak_since(before, "a pool after random churn", "7.4 Growth by chunks");
}

Test(growth_edges, survives_random_churn_unchecked)
{
    MC_CLAUSE("2.1", "2.3", "5.1", "6.1", "7.4");
    churn(POOL_GROWABLE, 5);
}

Test(growth_edges, survives_random_churn_checked)
{
    MC_CLAUSE("2.1", "4.6", "5.1", "6.1", "7.4");
    churn(POOL_CHECKED, 7);
}

Test(growth_edges, destroy_frees_every_chunk_in_every_mode)
{
    MC_CLAUSE("6.1");
    static const unsigned modes[] = {POOL_GROWABLE, POOL_CHECKED, POOL_FIXED,
                                     POOL_FIXED | POOL_CHECKED};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct mc_snapshot before = mc_snapshot();
        struct pool *pool = new_pool(24, 32, 3, modes[m]);
        size_t want = (modes[m] & POOL_FIXED) != 0 ? 3 : 10;
        void *obj[10];
        fill(pool, obj, want);
        pool_free(pool, obj[1]);
        pool_destroy(pool);
        mc_assert_no_leak_since(before, "pool_destroy() of a pool with live objects",
                                "7.4 Growth by chunks");
    }
}

/* ---- poisoning (checked under ASan and Valgrind only) --------------------------------- */

Test(poisoning, every_slot_of_a_new_chunk_is_poisoned)
{
    MC_CLAUSE("7.1", "7.4");
    enum { CHUNK = 3, CAND = 2 * CHUNK - 1 };
    for (int grown = 0; grown <= 1; grown++) {
        unsigned flags = grown ? POOL_GROWABLE : POOL_FIXED;
        size_t stride = measure_stride(40, 0, flags);
        struct pool *pool = new_pool(40, 0, CHUNK, flags);
        unsigned char *obj[2 * CHUNK];
        size_t first = grown ? CHUNK : 0; /* the first object of the chunk under test */
        fill(pool, (void **)obj, first + 1);
        /* Candidates for the other slots of x's chunk: x + k * stride, |k| < CHUNK. Ask about
         * them now, learn below which ones were slots. */
        unsigned char *x = obj[first];
        size_t unpoisoned[CAND];
        for (size_t k = 0; k < CAND; k++) {
            size_t at = 0;
            unsigned char *c = x + ((ptrdiff_t)k - (CHUNK - 1)) * (ptrdiff_t)stride;
            unpoisoned[k] = c == x ? 0 : count_bytes(c, stride, 0, &at);
        }
        fill(pool, (void **)(obj + first + 1), CHUNK - 1);
        for (size_t i = first + 1; i < first + CHUNK; i++) {
            ptrdiff_t k = (obj[i] - x) / (ptrdiff_t)stride + (CHUNK - 1);
            cr_assert(
                k >= 0 && k < CAND && obj[i] == x + (k - (CHUNK - 1)) * (ptrdiff_t)stride,
                "the slots of one chunk of %d are not one stride (%zu bytes) apart" READ_LAYOUT,
                CHUNK, stride);
            cr_assert_eq(
                unpoisoned[k], 0,
                "%s: before it was handed out, %zu of the %zu bytes of a free slot were "
                "not poisoned for %s; expected every slot of a new chunk poisoned" READ_POISON,
                grown ? "in the chunk added by growth" : "in the first chunk", unpoisoned[k],
                stride, checker());
            assert_usable(obj[i], 40, "an object just handed out");
        }
        pool_destroy(pool);
    }
}

Test(poisoning, a_freed_object_is_poisoned_in_every_mode)
{
    MC_CLAUSE("7.1", "7.2", "4.6");
    static const unsigned modes[] = {POOL_GROWABLE, POOL_FIXED, POOL_CHECKED,
                                     POOL_FIXED | POOL_CHECKED};
    static const struct {
        size_t size, align;
    } cases[] = {{0, 0}, {1, 0}, {8, 0}, {24, 0}, {41, 0}, {100, 64}};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            size_t size = cases[c].size;
            struct pool *pool = new_pool(size, cases[c].align, 3, modes[m] | POOL_FIXED);
            unsigned char *obj[3];
            fill(pool, (void **)obj, 3);
            sort_addresses(obj, 3);
            size_t stride = (size_t)(obj[1] - obj[0]);
            for (size_t i = 0; i < 3; i++) {
                assert_usable(obj[i], size, "a live object");
                memset(obj[i], 0x5A, size);
            }
            cr_assert_eq(pool_free(pool, obj[1]), POOL_OK,
                         "pool_free() of a live object failed" READ_LIST);
            assert_poisoned(obj[1], 0, stride, "a slot after pool_free()");
            assert_usable(obj[0], size, "a live object beside a freed one");
            assert_usable(obj[2], size, "a live object beside a freed one");
            unsigned char *again = pool_alloc(pool);
            cr_assert_eq(again, obj[1],
                         "pool_alloc() returned %p, expected the freed object %p" READ_LIST,
                         (void *)again, (void *)obj[1]);
            assert_usable(again, size, "an object handed out again");
            memset(again, 0x6B, size);
            pool_destroy(pool);
        }
    }
}

Test(poisoning, a_write_past_an_object_is_reported)
{
    MC_CLAUSE("7.3", "7.1", "7.2");
    static const struct {
        size_t size, align;
    } cases[] = {{1, 0},  {7, 0},   {8, 0},   {9, 0},   {24, 0},
                 {40, 0}, {41, 32}, {57, 64}, {100, 0}, {3, 128}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t size = cases[c].size;
        for (int checked = 0; checked <= 1; checked++) {
            struct pool *pool =
                new_pool(size, cases[c].align, 3, POOL_FIXED | (checked ? POOL_CHECKED : 0));
            unsigned char *obj[3];
            fill(pool, (void **)obj, 3);
            sort_addresses(obj, 3);
            size_t stride = (size_t)(obj[1] - obj[0]);
            cr_assert_eq(pool_free(pool, obj[2]), POOL_OK, "pool_free() failed" READ_LIST);
            cr_assert_eq(pool_free(pool, obj[1]), POOL_OK, "pool_free() failed" READ_LIST);
            /* obj[0] is live, its two neighbours above are free. */
            size_t link = size > sizeof(void *) ? size : sizeof(void *);
            assert_usable(obj[0], size, "a live object");
            assert_poisoned(obj[0], link, stride,
                            "a live object's slot after its first max(size, sizeof(void *)) "
                            "bytes (a write past the object)");
            assert_poisoned(obj[0], stride, 3 * stride,
                            "the two free slots after a live object (a write into the next slot)");
            unsigned char *a = pool_alloc(pool);
            unsigned char *b = pool_alloc(pool);
            cr_assert(a == obj[1] && b == obj[2],
                      "after freeing the 3rd then the 2nd object, pool_alloc() gave %p and %p; "
                      "expected %p and %p" READ_LIST,
                      (void *)a, (void *)b, (void *)obj[1], (void *)obj[2]);
            assert_poisoned(obj[1], link, stride, "a live object's slot past its bytes");
            memset(a, 1, size);
            memset(b, 2, size);
            pool_destroy(pool);
        }
    }
}

Test(poisoning, a_rejected_free_poisons_nothing)
{
    MC_CLAUSE("4.5", "7.2", "7.1");
    size_t stride = measure_stride(48, 0, POOL_FIXED | POOL_CHECKED);
    struct pool *pool = new_pool(48, 0, 4, POOL_FIXED | POOL_CHECKED);
    unsigned char *obj[3];
    fill(pool, (void **)obj, 3);
    for (size_t i = 0; i < 3; i++)
        memset(obj[i], (int)(0x30 + i), 48);
    cr_assert_eq(pool_free(pool, obj[2]), POOL_OK, "pool_free() failed" READ_LIST);
    const struct {
        unsigned char *ptr;
        const char *what;
    } bad[] = {
        {obj[0] + 8, "a pointer 8 bytes into a live object"},
        {obj[1] + 16, "a pointer 16 bytes into a live object"},
        {obj[0] + stride - 8, "a pointer to the last 8 bytes of a live object's slot"},
        {obj[2], "a freed object"},
        {obj[1] + 1, "a pointer one byte into a live object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = pool_free(pool, bad[i].ptr);
        cr_assert(rc == POOL_FOREIGN || rc == POOL_DOUBLE_FREE,
                  "pool_free() of %s returned %d, expected an error" READ_CHECKED, bad[i].what, rc);
        assert_usable(obj[0], 48, "a live object after a rejected free");
        assert_usable(obj[1], 48, "a live object after a rejected free");
        assert_poisoned(obj[2], 0, stride, "a freed slot after a rejected free");
    }
    size_t changed = 0;
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < 48; k++)
            changed += obj[i][k] != (unsigned char)(0x30 + i);
    cr_assert_eq(changed, 0, "rejected frees changed %zu bytes of live objects" READ_CHECKED,
                 changed);
    pool_destroy(pool);
}

Test(poisoning, a_failed_growth_changes_no_poisoning)
{
    MC_CLAUSE("2.5", "7.1", "7.2");
    size_t stride = measure_stride(32, 0, 0);
    struct pool *pool = new_pool(32, 0, 2, POOL_GROWABLE);
    unsigned char *obj[3];
    fill(pool, (void **)obj, 2);
    sort_addresses(obj, 2);
    cr_assert_eq(pool_free(pool, obj[1]), POOL_OK, "pool_free() failed" READ_LIST);
    obj[1] = pool_alloc(pool); /* the list is empty again */
    cr_assert_not_null(obj[1], "pool_alloc() of a freed slot failed" READ_LIST);
    mc_fail_allocs_after(0);
    void *fail = pool_alloc(pool);
    mc_fail_none();
    cr_assert_null(fail, "pool_alloc() with %s failing returned %p, expected NULL" READ_GROWTH,
                   mc_fail_note(), fail);
    assert_usable(obj[0], 32, "a live object after a failed growth");
    assert_usable(obj[1], 32, "a live object after a failed growth");
    assert_poisoned(obj[0], 32, stride, "a live object's slot past its bytes");
    memset(obj[0], 1, 32);
    obj[2] = pool_alloc(pool);
    cr_assert_not_null(obj[2], "pool_alloc() failed once malloc worked again" READ_GROWTH);
    assert_usable(obj[2], 32, "an object of a new chunk");
    pool_destroy(pool);
}
