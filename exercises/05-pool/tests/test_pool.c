/*
 * Public tests for the pool (exercise 05). Each test builds its own pool and
 * destroys it; the test kit counts what malloc and free saw, so a leak or a
 * lost chunk fails a test, not only Valgrind.
 */
#include "mc_test.h"
#include "pool.h"
#include "pool_helpers.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

MC_SUITE(create);
MC_SUITE(alloc);
MC_SUITE(grow);
MC_SUITE(destroy);
MC_SUITE(checked);

static struct pool *make_pool(size_t size, size_t align, size_t chunk, unsigned flags)
{
    struct pool *pool = pool_create(size, align, chunk, flags);
    cr_assert_not_null(pool,
                       "pool_create(%zu, %zu, %zu, 0x%x) returned NULL, expected a pool" MC_READ(
                           "7.1 One size, many objects"),
                       size, align, chunk, flags);
    return pool;
}

/* Allocates n objects into out[], asserting each one is there. */
static void alloc_n(struct pool *pool, void **out, size_t n, const char *section_hint)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = pool_alloc(pool);
        cr_assert_not_null(out[i],
                           "pool_alloc() number %zu returned NULL, expected an object (%s)" MC_READ(
                               "7.2 The intrusive free list"),
                           i + 1, section_hint);
    }
}

Test(create, starts_with_one_chunk_and_nothing_live)
{
    MC_CLAUSE("1.1", "1.3");
    static const struct {
        size_t size, align, chunk;
        unsigned flags;
    } cases[] = {
        {1, 0, 1, POOL_GROWABLE},
        {24, 0, 16, POOL_FIXED},
        {64, 64, 10, POOL_CHECKED},
        {100, 8, 7, POOL_GROWABLE},
        {0, 0, 5, POOL_FIXED},
        {3000, 4096, 3, POOL_CHECKED},
        {16, 32, 100, POOL_FIXED | POOL_CHECKED},
    };
    struct mc_snapshot before = mc_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pool *pool =
            make_pool(cases[i].size, cases[i].align, cases[i].chunk, cases[i].flags);
        cr_assert_eq(pool_capacity(pool), cases[i].chunk,
                     "pool_capacity() after pool_create(%zu, %zu, %zu, ...) returned %zu, expected "
                     "%zu (one chunk)" MC_READ("7.4 Growth by chunks"),
                     cases[i].size, cases[i].align, cases[i].chunk, pool_capacity(pool),
                     cases[i].chunk);
        cr_assert_eq(pool_live(pool), 0,
                     "pool_live() of a new pool returned %zu, expected 0" MC_READ(
                         "7.1 One size, many objects"),
                     pool_live(pool));
        pool_destroy(pool);
    }
    mc_assert_no_leak_since(before, "pool_create() then pool_destroy()", "7.4 Growth by chunks");
}

Test(create, rejects_bad_arguments_and_allocates_nothing)
{
    MC_CLAUSE("1.5", "1.6");
    static const struct {
        size_t size, align, chunk;
        unsigned flags;
        const char *why;
    } cases[] = {
        {32, 0, 0, POOL_GROWABLE, "a chunk of 0 objects"},
        {32, 3, 8, POOL_GROWABLE, "align 3, not a power of two"},
        {32, 48, 8, POOL_FIXED, "align 48, not a power of two"},
        {32, 0, 8, 1u << 7, "an unknown flag bit"},
        {SIZE_MAX - 8, 0, 1, POOL_FIXED, "an object size near SIZE_MAX"},
        {64, 0, SIZE_MAX / 32, POOL_FIXED, "a chunk of SIZE_MAX / 32 objects of 64 bytes"},
    };
    struct mc_snapshot before = mc_snapshot();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pool *pool =
            pool_create(cases[i].size, cases[i].align, cases[i].chunk, cases[i].flags);
        cr_assert_null(pool,
                       "pool_create() with %s returned a pool, expected NULL" MC_READ(
                           "7.3 Slot size and alignment"),
                       cases[i].why);
    }
    mc_assert_no_leak_since(before, "pool_create() with bad arguments",
                            "7.3 Slot size and alignment");
    struct pool *good = pool_create(32, 64, 8, POOL_FIXED | POOL_CHECKED);
    cr_assert_not_null(good, "pool_create(32, 64, 8, POOL_FIXED | POOL_CHECKED) returned NULL, "
                             "expected a pool: only bad arguments are rejected" MC_READ(
                                 "7.1 One size, many objects"));
    pool_destroy(good);
}

Test(create, frees_what_it_allocated_when_malloc_fails)
{
    MC_CLAUSE("1.7");
    /* Make the 1st, 2nd, ... 8th allocation fail: pool_create() returns NULL and leaks
     * nothing, or, once it needs fewer allocations than that, works. */
    for (size_t n = 1; n <= 8; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed_before = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct pool *pool = pool_create(48, 0, 4, POOL_GROWABLE);
        mc_fail_none();
        if (mc_failed_allocs() != failed_before) {
            cr_assert_null(pool,
                           "pool_create(48, 0, 4, 0) with %s failing returned a pool, expected "
                           "NULL" MC_READ("7.4 Growth by chunks"),
                           mc_fail_note());
        } else {
            cr_assert(pool != NULL && pool_capacity(pool) == 4,
                      "pool_create(48, 0, 4, 0) returned %p although no allocation failed; "
                      "expected a pool of capacity 4" MC_READ("7.1 One size, many objects"),
                      (void *)pool);
            pool_destroy(pool);
        }
        mc_assert_no_leak_since(before, "pool_create() with an allocation failing",
                                "7.4 Growth by chunks");
    }
}

Test(alloc, hands_out_aligned_objects_that_do_not_overlap)
{
    MC_CLAUSE("1.1", "1.2", "2.1");
    static const size_t sizes[] = {0, 1, 8, 24, 100};
    static const size_t aligns[] = {0, 16, 64, 256};
    enum { N = 9 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++) {
            size_t want = effective_align(aligns[a]);
            struct pool *pool = make_pool(sizes[s], aligns[a], N, POOL_FIXED);
            unsigned char *obj[N];
            alloc_n(pool, (void **)obj, N, "a fixed pool of 9 slots");
            size_t misaligned = 0;
            size_t same = 0;
            size_t overwritten = 0;
            for (size_t i = 0; i < N; i++) {
                misaligned += ((uintptr_t)obj[i] & (want - 1)) != 0;
                memset(obj[i], (int)(i + 1), sizes[s]);
                for (size_t j = 0; j < i; j++)
                    same += obj[i] == obj[j];
            }
            for (size_t i = 0; i < N; i++)
                for (size_t k = 0; k < sizes[s]; k++)
                    overwritten += obj[i][k] != (unsigned char)(i + 1);
            cr_assert_eq(misaligned, 0,
                         "%zu of %d objects of size %zu were not %zu-byte aligned (align argument "
                         "%zu)" MC_READ("7.3 Slot size and alignment"),
                         misaligned, N, sizes[s], want, aligns[a]);
            cr_assert_eq(same, 0,
                         "pool_alloc() handed out the same address twice (%zu times) for objects "
                         "of size %zu: every slot needs room for the free-list link" MC_READ(
                             "7.3 Slot size and alignment"),
                         same, sizes[s]);
            cr_assert_eq(overwritten, 0,
                         "%zu bytes of objects of size %zu were overwritten by writes to other "
                         "objects: the slots overlap" MC_READ("7.3 Slot size and alignment"),
                         overwritten, sizes[s]);
            pool_destroy(pool);
        }
    }
}

Test(alloc, reuses_the_most_recently_freed_object_first)
{
    MC_CLAUSE("2.2", "3.1");
    struct pool *pool = make_pool(40, 0, 8, POOL_GROWABLE);
    void *obj[6];
    alloc_n(pool, obj, 6, "a pool of 8 slots");
    static const size_t order[] = {4, 1, 5};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(pool_free(pool, obj[order[i]]), POOL_OK,
                     "pool_free() of a live object did not return POOL_OK" MC_READ(
                         "7.2 The intrusive free list"));
    for (size_t i = 3; i-- > 0;) {
        void *again = pool_alloc(pool);
        cr_assert_eq(
            again, obj[order[i]],
            "after freeing objects 5, 2, 6 pool_alloc() returned %p, expected object "
            "%zu (%p): the free list is last in, first out" MC_READ("7.2 The intrusive free list"),
            again, order[i] + 1, obj[order[i]]);
    }
    pool_destroy(pool);
}

Test(alloc, counts_live_objects)
{
    MC_CLAUSE("3.2", "5.1", "5.2");
    struct pool *pool = make_pool(32, 0, 16, POOL_FIXED);
    void *obj[10];
    alloc_n(pool, obj, 10, "a fixed pool of 16 slots");
    cr_assert_eq(pool_live(pool), 10,
                 "pool_live() after 10 allocations returned %zu, expected 10" MC_READ(
                     "7.1 One size, many objects"),
                 pool_live(pool));
    for (size_t i = 0; i < 10; i += 2)
        pool_free(pool, obj[i]);
    cr_assert_eq(pool_live(pool), 5,
                 "pool_live() after freeing 5 of 10 objects returned %zu, "
                 "expected 5" MC_READ("7.1 One size, many objects"),
                 pool_live(pool));
    cr_assert_eq(
        pool_free(pool, NULL), POOL_OK,
        "pool_free(pool, NULL) did not return POOL_OK" MC_READ("7.2 The intrusive free list"));
    cr_assert_eq(pool_live(pool), 5,
                 "pool_free(pool, NULL) changed pool_live() to %zu, expected 5" MC_READ(
                     "7.2 The intrusive free list"),
                 pool_live(pool));
    cr_assert_eq(
        pool_capacity(pool), 16,
        "pool_capacity() of a fixed pool of 16 returned %zu" MC_READ("7.4 Growth by chunks"),
        pool_capacity(pool));
    pool_destroy(pool);
}

Test(grow, adds_chunks_and_keeps_earlier_objects_in_place)
{
    MC_CLAUSE("2.3", "5.2");
    enum { CHUNK = 4, N = 11 };
    struct pool *pool = make_pool(sizeof(size_t) * 3, 0, CHUNK, POOL_GROWABLE);
    size_t *obj[N];
    alloc_n(pool, (void **)obj, N, "a growable pool");
    for (size_t i = 0; i < N; i++)
        obj[i][0] = obj[i][1] = obj[i][2] = i * 7 + 1;
    size_t changed = 0;
    for (size_t i = 0; i < N; i++)
        changed += obj[i][0] != i * 7 + 1 || obj[i][1] != i * 7 + 1 || obj[i][2] != i * 7 + 1;
    cr_assert_eq(changed, 0,
                 "%zu of %d objects changed after the pool grew: growth must never "
                 "move or reuse a live object" MC_READ("7.4 Growth by chunks"),
                 changed, N);
    cr_assert_eq(pool_capacity(pool), 12,
                 "pool_capacity() after 11 allocations in chunks of 4 "
                 "returned %zu, expected 12 (3 chunks)" MC_READ("7.4 Growth by chunks"),
                 pool_capacity(pool));
    cr_assert_eq(pool_live(pool), N,
                 "pool_live() returned %zu, expected %d" MC_READ("7.1 One size, many objects"),
                 pool_live(pool), N);
    pool_destroy(pool);
}

Test(grow, fixed_pool_returns_null_when_full)
{
    MC_CLAUSE("2.4");
    struct pool *pool = make_pool(64, 0, 5, POOL_FIXED);
    void *obj[5];
    alloc_n(pool, obj, 5, "a fixed pool of 5 slots");
    size_t calls = mc_alloc_calls();
    void *extra = pool_alloc(pool);
    cr_assert_null(extra,
                   "pool_alloc() on a full fixed pool returned %p, expected NULL" MC_READ(
                       "7.9 Static pools for embedded systems"),
                   extra);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "pool_alloc() on a full fixed pool called malloc; a "
                 "fixed pool never grows" MC_READ("7.9 Static pools for embedded systems"));
    pool_free(pool, obj[2]);
    void *again = pool_alloc(pool);
    cr_assert_eq(again, obj[2],
                 "after a free, a full fixed pool handed out %p, expected the "
                 "freed slot %p" MC_READ("7.2 The intrusive free list"),
                 again, obj[2]);
    pool_destroy(pool);
}

Test(grow, keeps_the_pool_unchanged_when_a_new_chunk_cannot_be_allocated)
{
    MC_CLAUSE("2.5");
    struct pool *pool = make_pool(32, 0, 3, POOL_GROWABLE);
    void *obj[4];
    alloc_n(pool, obj, 3, "a pool of 3 slots");
    mc_fail_allocs_after(0);
    void *fail = pool_alloc(pool);
    mc_fail_none();
    cr_assert_null(fail,
                   "pool_alloc() on a full pool with %s failing returned %p, expected "
                   "NULL" MC_READ("7.4 Growth by chunks"),
                   mc_fail_note(), fail);
    cr_assert_eq(pool_live(pool), 3,
                 "after pool_alloc() failed (%s failing) pool_live() is %zu, expected 3" MC_READ(
                     "7.4 Growth by chunks"),
                 mc_fail_note(), pool_live(pool));
    cr_assert_eq(pool_capacity(pool), 3,
                 "after pool_alloc() failed (%s failing) pool_capacity() is %zu, expected "
                 "3" MC_READ("7.4 Growth by chunks"),
                 mc_fail_note(), pool_capacity(pool));
    obj[3] = pool_alloc(pool);
    cr_assert_not_null(obj[3], "pool_alloc() after malloc recovered returned NULL" MC_READ(
                                   "7.4 Growth by chunks"));
    cr_assert_eq(pool_capacity(pool), 6,
                 "pool_capacity() after growing once more is %zu, "
                 "expected 6" MC_READ("7.4 Growth by chunks"),
                 pool_capacity(pool));
    pool_destroy(pool);
}

Test(destroy, frees_every_chunk_with_objects_still_live)
{
    MC_CLAUSE("6.1", "6.2");
    struct mc_snapshot before = mc_snapshot();
    struct pool *pool = make_pool(56, 0, 2, POOL_GROWABLE);
    void *obj[7];
    alloc_n(pool, obj, 7, "a growable pool of chunks of 2");
    pool_free(pool, obj[3]);
    pool_destroy(pool);
    mc_assert_no_leak_since(before, "pool_destroy() of a pool with 4 chunks",
                            "7.4 Growth by chunks");
    pool_destroy(NULL);
}

Test(checked, reports_a_double_free_and_changes_nothing)
{
    MC_CLAUSE("4.3", "4.5");
    struct pool *pool = make_pool(24, 0, 4, POOL_CHECKED);
    void *obj[3];
    alloc_n(pool, obj, 3, "a checked pool");
    cr_assert_eq(pool_free(pool, obj[1]), POOL_OK,
                 "the first pool_free() of an object did not "
                 "return POOL_OK" MC_READ("7.6 Detecting double and foreign frees"));
    int rc = pool_free(pool, obj[1]);
    cr_assert_eq(rc, POOL_DOUBLE_FREE,
                 "freeing an object twice returned %d, expected "
                 "POOL_DOUBLE_FREE (%d)" MC_READ("7.6 Detecting double and foreign frees"),
                 rc, POOL_DOUBLE_FREE);
    cr_assert_eq(pool_live(pool), 2,
                 "pool_live() after a rejected double free is %zu, expected 2" MC_READ(
                     "7.6 Detecting double and foreign frees"),
                 pool_live(pool));
    pool_destroy(pool);
}

Test(checked, reports_foreign_and_interior_pointers)
{
    MC_CLAUSE("4.1", "4.2", "4.5");
    struct pool *pool = make_pool(48, 0, 4, POOL_CHECKED);
    struct pool *other = make_pool(48, 0, 4, POOL_CHECKED);
    unsigned char *mine = pool_alloc(pool);
    void *theirs = pool_alloc(other);
    cr_assert_not_null(mine, "pool_alloc() returned NULL" MC_READ("7.2 The intrusive free list"));
    cr_assert_not_null(theirs, "pool_alloc() returned NULL" MC_READ("7.2 The intrusive free list"));
    long on_stack = 0;
    const struct {
        void *ptr;
        const char *what;
    } cases[] = {
        {&on_stack, "a pointer to a local variable"},
        {theirs, "an object of another pool"},
        {mine + 1, "a pointer one byte into a live object"},
        {mine + 16, "a pointer 16 bytes into a live object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = pool_free(pool, cases[i].ptr);
        cr_assert_eq(rc, POOL_FOREIGN,
                     "pool_free() of %s returned %d, expected POOL_FOREIGN (%d)" MC_READ(
                         "7.6 Detecting double and foreign frees"),
                     cases[i].what, rc, POOL_FOREIGN);
    }
    cr_assert_eq(pool_live(pool), 1,
                 "pool_live() after rejected frees is %zu, expected 1" MC_READ(
                     "7.6 Detecting double and foreign frees"),
                 pool_live(pool));
    cr_assert_eq(pool_free(pool, mine), POOL_OK,
                 "pool_free() of a live object returned an error" MC_READ(
                     "7.6 Detecting double and foreign frees"));
    pool_destroy(other);
    pool_destroy(pool);
}

/* The poisoning suite: in a plain run it checks only what every run checks; under
 * AddressSanitizer or Valgrind it also asks the tool whether bytes are poisoned. */
MC_SUITE(poisoning);

Test(poisoning, a_use_after_pool_free_is_reported_by_the_checkers)
{
    MC_CLAUSE("7.1", "7.2", "7.3");
    /* Objects of 40 bytes, aligned to 16: every slot has at least 48 bytes. */
    struct pool *pool = make_pool(40, 0, 4, POOL_FIXED);
    unsigned char *a = pool_alloc(pool);
    unsigned char *b = pool_alloc(pool);
    cr_assert(a != NULL && b != NULL, "pool_alloc() on a new pool of 4 slots returned NULL" MC_READ(
                                          "7.2 The intrusive free list"));
    size_t at = 0;
    size_t poisoned = count_bytes(a, 40, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "%zu of the 40 bytes of a live object are poisoned for %s (the first at byte "
                 "%zu); expected none: unpoison the object's bytes when you hand it out" MC_READ(
                     "7.12 Telling ASan and Valgrind about a pool"),
                 poisoned, checker(), at);
    memset(a, 'a', 40);
    memset(b, 'b', 40);
    size_t usable = count_bytes(b + 40, 8, 0, &at);
    cr_assert_eq(usable, 0,
                 "%zu of the 8 bytes after a live 40-byte object (still inside its slot) are not "
                 "poisoned for %s (the first at byte %zu after the object): a write past the end "
                 "of an object would go unreported; unpoison only the object's bytes" MC_READ(
                     "7.12 Telling ASan and Valgrind about a pool"),
                 usable, checker(), 40 + at);
    cr_assert_eq(pool_free(pool, a), POOL_OK,
                 "pool_free() of a live object did not return POOL_OK" MC_READ(
                     "7.2 The intrusive free list"));
    usable = count_bytes(a, 40, 0, &at);
    cr_assert_eq(
        usable, 0,
        "after pool_free(), %zu of the 40 bytes of the object are not poisoned for %s "
        "(the first at byte %zu): a use after pool_free() would go unreported; poison "
        "the whole slot in pool_free()" MC_READ("7.12 Telling ASan and Valgrind about a pool"),
        usable, checker(), at);
    unsigned char *again = pool_alloc(pool);
    cr_assert_eq(
        again, a,
        "pool_alloc() after freeing an object returned %p, expected that object %p" MC_READ(
            "7.2 The intrusive free list"),
        (void *)again, (void *)a);
    poisoned = count_bytes(again, 40, 1, &at);
    cr_assert_eq(
        poisoned, 0,
        "%zu of the 40 bytes of an object handed out again are poisoned for %s (the first "
        "at byte %zu); expected none" MC_READ("7.12 Telling ASan and Valgrind about a pool"),
        poisoned, checker(), at);
    memset(again, 'c', 40);
    pool_destroy(pool);
}
