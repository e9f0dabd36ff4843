/*
 * Hidden tests for the pool (exercise 05): edge cases and failure paths that
 * the public tests leave out. Same rules as the public tests.
 */
#include "mc_test.h"
#include "pool.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

MC_SUITE(checked_edges);
MC_SUITE(create_edges);
MC_SUITE(growth_edges);

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
        cr_assert_not_null(out[i],
                           "pool_alloc() number %zu returned NULL, expected an object" MC_READ(
                               "7.2 The intrusive free list"),
                           i + 1);
    }
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

Test(checked_edges, double_free_leaves_the_free_list_intact)
{
    struct pool *pool = new_pool(32, 0, 4, POOL_FIXED | POOL_CHECKED);
    void *obj[4];
    fill(pool, obj, 4);
    cr_assert_eq(
        pool_free(pool, obj[2]), POOL_OK,
        "pool_free() of a live object failed" MC_READ("7.6 Detecting double and foreign frees"));
    int rc = pool_free(pool, obj[2]);
    cr_assert_eq(rc, POOL_DOUBLE_FREE,
                 "the second pool_free() of an object returned %d, "
                 "expected POOL_DOUBLE_FREE" MC_READ("7.6 Detecting double and foreign frees"),
                 rc);
    void *first = pool_alloc(pool);
    void *second = pool_alloc(pool);
    cr_assert_eq(first, obj[2],
                 "after a rejected double free pool_alloc() returned %p, expected "
                 "the freed object %p" MC_READ("7.6 Detecting double and foreign frees"),
                 first, obj[2]);
    cr_assert_null(second,
                   "a full fixed pool handed out %p after a rejected double free: the "
                   "check must run before the slot is pushed on the free list" MC_READ(
                       "7.6 Detecting double and foreign frees"),
                   second);
    cr_assert_eq(pool_live(pool), 4,
                 "pool_live() is %zu, expected 4" MC_READ("7.6 Detecting double and foreign frees"),
                 pool_live(pool));
    pool_destroy(pool);
}

Test(checked_edges, every_object_in_every_chunk_frees_once)
{
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
                 "%zu of %d first frees of live objects were rejected" MC_READ(
                     "7.6 Detecting double and foreign frees"),
                 first_errors, N);
    cr_assert_eq(second_misses, 0,
                 "%zu of %d second frees were not reported as POOL_DOUBLE_FREE" MC_READ(
                     "7.6 Detecting double and foreign frees"),
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
                 "the rejected double frees" MC_READ("7.2 The intrusive free list"),
                 wrong, N);
    cr_assert_eq(pool_capacity(pool), 12,
                 "pool_capacity() is %zu, expected 12" MC_READ("7.4 Growth by chunks"),
                 pool_capacity(pool));
    pool_destroy(pool);
}

Test(checked_edges, rejects_pointers_beside_and_inside_every_object)
{
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
                 "reported as POOL_FOREIGN" MC_READ("7.6 Detecting double and foreign frees"),
                 accepted, 3 * N);
    cr_assert_eq(rc, POOL_FOREIGN,
                 "pool_free() of a block from malloc returned %d, expected "
                 "POOL_FOREIGN" MC_READ("7.6 Detecting double and foreign frees"),
                 rc);
    cr_assert_eq(pool_live(pool), N,
                 "pool_live() after rejected frees is %zu, expected %d" MC_READ(
                     "7.6 Detecting double and foreign frees"),
                 pool_live(pool), N);
    void *next = pool_alloc(pool);
    void *after = pool_alloc(pool);
    size_t reused = 0;
    for (size_t i = 0; i < N; i++)
        reused += next == obj[i] || after == obj[i];
    cr_assert_eq(reused, 0,
                 "pool_alloc() handed out a live object after rejected frees" MC_READ(
                     "7.6 Detecting double and foreign frees"));
    free(heap);
    pool_destroy(pool);
}

Test(create_edges, large_alignments_hold_in_every_chunk)
{
    static const struct {
        size_t size, align;
        unsigned flags;
    } cases[] = {
        {1, 4096, POOL_GROWABLE}, {8000, 4096, POOL_CHECKED}, {33, 128, POOL_GROWABLE},
        {130, 512, POOL_CHECKED}, {7, 8, POOL_GROWABLE},
    };
    enum { N = 8 };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t want = cases[c].align < alignof(max_align_t) ? alignof(max_align_t) : cases[c].align;
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
                     "%zu-byte aligned" MC_READ("7.3 Slot size and alignment"),
                     misaligned, N, cases[c].size, cases[c].align, want);
        pool_destroy(pool);
    }
}

Test(create_edges, zero_size_objects_are_distinct)
{
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
                 "least the free-list link" MC_READ("7.3 Slot size and alignment"),
                 same);
    size_t errors = 0;
    for (size_t i = 0; i < N; i++)
        errors += pool_free(pool, obj[i]) != POOL_OK;
    cr_assert_eq(
        errors, 0,
        "%zu frees of 0-byte objects failed" MC_READ("7.6 Detecting double and foreign frees"),
        errors);
    pool_destroy(pool);
}

Test(create_edges, rejects_sizes_that_overflow)
{
    static const struct {
        size_t size, align, chunk;
    } cases[] = {
        {SIZE_MAX, 0, 1},
        {SIZE_MAX / 4 + 1, 0, 4},
        {0, 0, SIZE_MAX},
        {1, (size_t)1 << (sizeof(size_t) * 8 - 2), 4},
        {100, 64, SIZE_MAX / 128 + 1},
    };
    struct mc_snapshot before = mc_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pool *pool = pool_create(cases[i].size, cases[i].align, cases[i].chunk, POOL_FIXED);
        cr_assert_null(
            pool,
            "pool_create(%zu, %zu, %zu, POOL_FIXED) returned a pool, expected "
            "NULL: the chunk size overflows size_t" MC_READ("7.3 Slot size and alignment"),
            cases[i].size, cases[i].align, cases[i].chunk);
    }
    mc_assert_no_leak_since(before, "pool_create() with overflowing sizes",
                            "7.3 Slot size and alignment");
    struct pool *good = pool_create(100, 64, 1000, POOL_FIXED);
    cr_assert_not_null(good,
                       "pool_create(100, 64, 1000, POOL_FIXED) returned NULL, expected a "
                       "pool: its chunk size fits easily" MC_READ("7.3 Slot size and alignment"));
    pool_destroy(good);
}

Test(growth_edges, failed_growth_in_checked_mode_changes_nothing)
{
    struct mc_snapshot before = mc_snapshot();
    struct pool *pool = new_pool(16, 0, 2, POOL_CHECKED);
    void *obj[5];
    fill(pool, obj, 4);
    mc_fail_nth_alloc(1);
    void *fail = pool_alloc(pool);
    mc_fail_none();
    cr_assert_null(
        fail, "pool_alloc() returned %p although malloc failed" MC_READ("7.4 Growth by chunks"),
        fail);
    cr_assert_eq(pool_capacity(pool), 4,
                 "pool_capacity() after a failed growth is %zu, "
                 "expected 4" MC_READ("7.4 Growth by chunks"),
                 pool_capacity(pool));
    cr_assert_eq(pool_free(pool, obj[0]), POOL_OK,
                 "pool_free() after a failed growth returned "
                 "an error" MC_READ("7.4 Growth by chunks"));
    obj[0] = pool_alloc(pool);
    obj[4] = pool_alloc(pool);
    cr_assert_not_null(
        obj[0], "pool_alloc() of a freed slot failed" MC_READ("7.2 The intrusive free list"));
    cr_assert_not_null(
        obj[4], "pool_alloc() failed once malloc works again" MC_READ("7.4 Growth by chunks"));
    cr_assert_eq(pool_live(pool), 5,
                 "pool_live() is %zu, expected 5" MC_READ("7.1 One size, many objects"),
                 pool_live(pool));
    pool_destroy(pool);
    mc_assert_no_leak_since(before, "a checked pool whose growth failed once",
                            "7.4 Growth by chunks");
}

Test(growth_edges, fixed_checked_pool_fails_cleanly_at_creation)
{
    size_t leaks = 0;
    size_t returned = 0;
    for (size_t n = 1; n <= 2; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct pool *pool = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
        mc_fail_none();
        if (pool != NULL) {
            returned += pool_capacity(pool) != 8;
            pool_destroy(pool);
        }
        leaks += mc_live_blocks() != before.blocks;
    }
    mc_fail_allocs_after(0);
    struct pool *none = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
    mc_fail_none();
    cr_assert_null(none, "pool_create() returned a pool although every malloc failed" MC_READ(
                             "7.4 Growth by chunks"));
    struct pool *ok = pool_create(64, 64, 8, POOL_FIXED | POOL_CHECKED);
    cr_assert_not_null(ok, "pool_create() returned NULL once malloc worked again" MC_READ(
                               "7.1 One size, many objects"));
    pool_destroy(ok);
    cr_assert_eq(leaks, 0,
                 "pool_create() leaked when its 1st or 2nd allocation failed" MC_READ(
                     "7.4 Growth by chunks"));
    cr_assert_eq(
        returned, 0,
        "pool_create() returned a pool without its first chunk" MC_READ("7.4 Growth by chunks"));
}

/* Random alloc/free churn against a shadow table; each object carries its id. */
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
    for (uint64_t step = 1; step <= STEPS; step++) {
        size_t i = (size_t)(next_random(&rng) % SLOTS);
        if (held[i] != NULL) {
            corrupt += held[i][0] != held[i][3] || held[i][1] != i;
            errors += pool_free(pool, held[i]) != POOL_OK;
            held[i] = NULL;
            live--;
            continue;
        }
        held[i] = pool_alloc(pool);
        if (held[i] == NULL) {
            errors++;
            continue;
        }
        held[i][0] = held[i][3] = step;
        held[i][1] = i;
        live++;
    }
    cr_assert_eq(corrupt, 0,
                 "%zu objects were changed while live during random churn "
                 "(flags 0x%x): the pool handed out a live slot twice or wrote into one" MC_READ(
                     "7.2 The intrusive free list"),
                 corrupt, flags);
    cr_assert_eq(
        errors, 0,
        "%zu calls failed during random churn (flags 0x%x)" MC_READ("7.2 The intrusive free list"),
        errors, flags);
    cr_assert_eq(
        pool_live(pool), live,
        "pool_live() is %zu after churn, expected %zu" MC_READ("7.1 One size, many objects"),
        pool_live(pool), live);
    pool_destroy(pool);
    mc_assert_no_leak_since(before, "a pool after random churn", "7.4 Growth by chunks");
}

Test(growth_edges, survives_random_churn_unchecked)
{
    churn(POOL_GROWABLE, 5);
}

Test(growth_edges, survives_random_churn_checked)
{
    churn(POOL_CHECKED, 7);
}
