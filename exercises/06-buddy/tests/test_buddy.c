/*
 * Public tests for the buddy allocator (chapter 8).
 *
 * Every region starts 16 bytes past a 4096-byte boundary: aligned as the
 * contract asks (BUDDY_ALIGN) but not to its own size, so a buddy must be
 * found from the offset in the region, not from the absolute address.
 */
#include "mc_test.h"
#include "buddy.h"
#include "buddy_helpers.h"

#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#define REGION_SIZE 1024
#define MIN_BLOCK   16
#define NUNITS      (REGION_SIZE / MIN_BLOCK)

static _Alignas(4096) unsigned char memory[2 * 4096];
static unsigned char *const region = memory + 16;

MC_SUITE(create);
MC_SUITE(alloc);
MC_SUITE(free);
MC_SUITE(coalesce);
MC_SUITE(stats);

static struct buddy *make(void)
{
    struct buddy *b = buddy_create(region, REGION_SIZE, MIN_BLOCK);
    cr_assert_not_null(b,
                       "buddy_create(region, %d, %d) returned NULL for valid arguments; expected "
                       "an allocator" MC_READ("8.1 Power-of-two orders"),
                       REGION_SIZE, MIN_BLOCK);
    return b;
}

/* The statistics agree with themselves (the equations in buddy.h). */
static void assert_stats_consistent(const struct buddy_stats *s, const char *when)
{
    size_t sum = 0;
    for (size_t k = 0; k < BUDDY_MAX_ORDERS; k++)
        sum += k <= 6 ? s->free_blocks[k] * ((size_t)MIN_BLOCK << k) : s->free_blocks[k];
    cr_assert(s->free_bytes + s->used_bytes == REGION_SIZE && sum == s->free_bytes &&
                  s->internal_fragmentation == s->used_bytes - s->requested_bytes,
              "%s: expected free_bytes + used_bytes == %d, free_bytes == sum of free_blocks[k] * "
              "block size, internal_fragmentation == used - requested; got free %zu, used %zu, "
              "sum %zu, requested %zu, fragmentation %zu" MC_READ("8.7 Internal fragmentation"),
              when, REGION_SIZE, s->free_bytes, s->used_bytes, sum, s->requested_bytes,
              s->internal_fragmentation);
}

Test(create, rejects_bad_arguments)
{
    MC_CLAUSE("1.1", "1.2", "2.2");
    static const struct {
        size_t offset, size, min;
        const char *why;
    } cases[] = {
        {16, 1000, 16, "a region size that is not a power of two"},
        {16, 1024, 24, "a min_block that is not a power of two"},
        {16, 1024, 8, "a min_block below BUDDY_MIN_BLOCK"},
        {16, 1024, 2048, "a min_block larger than the region"},
        {16, 0, 16, "a region of size 0"},
        {8, 1024, 16, "a region not aligned to BUDDY_ALIGN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buddy *b = buddy_create(memory + cases[i].offset, cases[i].size, cases[i].min);
        cr_assert_null(
            b,
            "buddy_create() accepted %s (size %zu, min_block %zu); expected NULL" MC_READ(
                "8.1 Power-of-two orders"),
            cases[i].why, cases[i].size, cases[i].min);
    }
    cr_assert_null(buddy_create(NULL, 1024, 16),
                   "buddy_create(NULL, 1024, 16) returned an allocator; expected NULL" MC_READ(
                       "8.1 Power-of-two orders"));
    buddy_destroy(NULL);
    buddy_destroy(make());
}

Test(create, leaks_nothing_when_malloc_fails)
{
    MC_CLAUSE("1.3", "1.4", "2.1");
    /* Let k allocations succeed, fail the rest: whatever the design, each
     * attempt either fails cleanly or yields a working allocator. */
    for (size_t k = 0; k <= 8; k++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed_before = mc_failed_allocs();
        mc_fail_allocs_after(k);
        struct buddy *b = buddy_create(region, REGION_SIZE, MIN_BLOCK);
        mc_fail_none();
        if (mc_failed_allocs() != failed_before) {
            cr_assert_null(b,
                           "with %s failing, buddy_create() returned an allocator; expected "
                           "NULL" MC_READ("8.5 Where the order is recorded"),
                           mc_fail_note());
        } else {
            cr_assert(b != NULL && buddy_alloc(b, 100) != NULL,
                      "with no allocation failing, buddy_create(region, %d, %d) returned %p, "
                      "which cannot allocate 100 bytes; expected a working allocator" MC_READ(
                          "8.1 Power-of-two orders"),
                      REGION_SIZE, MIN_BLOCK, (void *)b);
        }
        buddy_destroy(b);
        mc_assert_no_leak_since(before, "buddy_create() with an allocation failing",
                                "8.5 Where the order is recorded");
    }
    struct buddy *b = make();
    buddy_destroy(b);
}

Test(alloc, rounds_up_to_the_smallest_order)
{
    MC_CLAUSE("3.3", "3.6", "5.1");
    static const size_t cases[][2] = {
        {1, 16},    {15, 16},   {16, 16},    {17, 32},     {32, 32},     {33, 64},
        {64, 64},   {65, 128},  {100, 128},  {128, 128},   {129, 256},   {256, 256},
        {257, 512}, {512, 512}, {513, 1024}, {1000, 1024}, {1024, 1024},
    };
    struct buddy *b = make();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size = cases[i][0], want = cases[i][1];
        unsigned char *p = buddy_alloc(b, size);
        cr_assert_not_null(p,
                           "buddy_alloc(b, %zu) on an empty %d-byte region returned NULL" MC_READ(
                               "8.2 Splitting a block"),
                           size, REGION_SIZE);
        size_t got = buddy_block_size(b, p);
        cr_assert_eq(got, want,
                     "buddy_alloc(b, %zu) gave a %zu-byte block; expected %zu, the smallest "
                     "power of two (at least %d) that holds it" MC_READ("8.1 Power-of-two orders"),
                     size, got, want, MIN_BLOCK);
        cr_assert((uintptr_t)p % BUDDY_ALIGN == 0 && p >= region && p + got <= region + REGION_SIZE,
                  "buddy_alloc(b, %zu) returned %p, expected a %d-aligned block inside the region "
                  "[%p, %p)" MC_READ("8.2 Splitting a block"),
                  size, (void *)p, BUDDY_ALIGN, (void *)region, (void *)(region + REGION_SIZE));
        cr_assert_eq(buddy_free(b, p), 0,
                     "buddy_free() of the block from buddy_alloc(b, %zu) did not return 0" MC_READ(
                         "8.4 Coalescing on free"),
                     size);
    }
    buddy_destroy(b);
}

Test(alloc, returns_null_when_nothing_fits)
{
    MC_CLAUSE("1.5", "3.1", "3.2");
    struct buddy *b = make();
    cr_assert_null(buddy_alloc(b, 0), "buddy_alloc(b, 0) returned a block; expected NULL" MC_READ(
                                          "8.1 Power-of-two orders"));
    cr_assert_null(buddy_alloc(b, REGION_SIZE + 1),
                   "buddy_alloc(b, %d) on a %d-byte region returned a block; expected NULL" MC_READ(
                       "8.1 Power-of-two orders"),
                   REGION_SIZE + 1, REGION_SIZE);
    void *all = buddy_alloc(b, REGION_SIZE);
    cr_assert_not_null(all,
                       "buddy_alloc(b, %d) on an empty region returned NULL; expected the "
                       "whole region" MC_READ("8.1 Power-of-two orders"),
                       REGION_SIZE);
    cr_assert_eq(all, (void *)region,
                 "the whole-region block is at %p; expected the region start %p" MC_READ(
                     "8.2 Splitting a block"),
                 all, (void *)region);
    cr_assert_null(buddy_alloc(b, 1), "buddy_alloc(b, 1) on a full region returned a block; "
                                      "expected NULL" MC_READ("8.2 Splitting a block"));
    cr_assert_eq(buddy_free(b, all), 0,
                 "buddy_free() of the whole-region block did not return 0" MC_READ(
                     "8.4 Coalescing on free"));
    buddy_destroy(b);
}

Test(alloc, fills_the_region_with_blocks_that_do_not_overlap)
{
    MC_CLAUSE("3.6");
    struct buddy *b = make();
    unsigned char *blocks[NUNITS];
    for (size_t i = 0; i < NUNITS; i++) {
        blocks[i] = buddy_alloc(b, MIN_BLOCK);
        cr_assert_not_null(blocks[i],
                           "allocation %zu of %d bytes returned NULL; a %d-byte region holds %d "
                           "such blocks" MC_READ("8.2 Splitting a block"),
                           i + 1, MIN_BLOCK, REGION_SIZE, NUNITS);
        memset(blocks[i], (int)i, MIN_BLOCK);
    }
    cr_assert_null(buddy_alloc(b, 1),
                   "buddy_alloc() returned a block after the %d blocks that "
                   "fill the region; expected NULL" MC_READ("8.2 Splitting a block"),
                   NUNITS);
    for (size_t i = 0; i < NUNITS; i++) {
        size_t unit = (size_t)(blocks[i] - region) / MIN_BLOCK;
        int intact = 1;
        for (size_t j = 0; j < MIN_BLOCK; j++)
            intact &= blocks[i][j] == (unsigned char)i;
        cr_assert(intact && unit < NUNITS,
                  "block %zu (%p) was overwritten through another block, or lies outside the "
                  "region: expected %d blocks that do not overlap" MC_READ("8.2 Splitting a block"),
                  i, (void *)blocks[i], NUNITS);
    }
    for (size_t i = 0; i < NUNITS; i++)
        cr_assert_eq(buddy_free(b, blocks[i]), 0,
                     "buddy_free() of block %zu did not return 0" MC_READ("8.4 Coalescing on free"),
                     i);
    buddy_destroy(b);
}

Test(free, lets_the_user_write_its_whole_block)
{
    MC_CLAUSE("1.6", "7.1", "3.6");
    static const size_t sizes[] = {16, 32, 48, 64, 200, 16, 100};
    enum { COUNT = sizeof sizes / sizeof sizes[0] };
    static const int fills[] = {0x00, 0xFF, 0xA5};
    struct buddy *b = make();
    for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        unsigned char *p[COUNT];
        for (size_t i = 0; i < COUNT; i++) {
            p[i] = buddy_alloc(b, sizes[i]);
            cr_assert_not_null(p[i],
                               "buddy_alloc(b, %zu) returned NULL" MC_READ("8.2 Splitting a block"),
                               sizes[i]);
            memset(p[i], fills[f], buddy_block_size(b, p[i]));
        }
        for (size_t i = 0; i < COUNT; i++)
            cr_assert_eq(buddy_free(b, p[i]), 0,
                         "buddy_free() of a %zu-byte block filled with 0x%02X did not return 0: "
                         "the order must not live in memory the user owns" MC_READ(
                             "8.5 Where the order is recorded"),
                         sizes[i], fills[f]);
        struct buddy_stats s = stats_of(b);
        cr_assert(s.free_bytes == REGION_SIZE && s.largest_free == REGION_SIZE,
                  "after freeing every block filled with 0x%02X, expected one free %d-byte block; "
                  "got free_bytes %zu, largest_free %zu" MC_READ("8.5 Where the order is recorded"),
                  fills[f], REGION_SIZE, s.free_bytes, s.largest_free);
    }
    buddy_destroy(b);
}

Test(free, rejects_invalid_and_double_frees)
{
    MC_CLAUSE("4.1", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8");
    struct buddy *b = make();
    unsigned char *p = buddy_alloc(b, 64);
    unsigned char *q = buddy_alloc(b, 64);
    cr_assert(p != NULL && q != NULL,
              "buddy_alloc(b, 64) returned NULL" MC_READ("8.2 Splitting a block"));
    int local = 0;
    struct {
        void *ptr;
        const char *what;
    } bad[] = {
        {region - 16, "a pointer just before the region"},
        {region + REGION_SIZE, "the end of the region"},
        {&local, "the address of a local variable"},
        {p + 16, "a pointer inside an allocated block"},
        {p + 1, "a misaligned pointer inside a block"},
        {region + REGION_SIZE / 2, "the start of a free block"},
    };
    struct buddy_stats before = stats_of(b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = buddy_free(b, bad[i].ptr);
        struct buddy_stats after = stats_of(b);
        cr_assert(
            rc == -1 && memcmp(&before, &after, sizeof before) == 0,
            "buddy_free() of %s returned %d; expected -1 and no change to the allocator" MC_READ(
                "8.6 Rejecting invalid and double frees"),
            bad[i].what, rc);
    }
    cr_assert_eq(buddy_free(b, NULL), 0,
                 "buddy_free(b, NULL) must be a no-op returning 0" MC_READ(
                     "8.6 Rejecting invalid and double frees"));
    cr_assert_eq(buddy_free(b, q), 0,
                 "buddy_free() of a live block did not return 0" MC_READ("8.4 Coalescing on free"));
    int rc = buddy_free(b, q);
    cr_assert_eq(rc, -1,
                 "freeing the same block twice: the second buddy_free() returned %d, "
                 "expected -1" MC_READ("8.6 Rejecting invalid and double frees"),
                 rc);
    cr_assert_eq(buddy_free(b, p), 0,
                 "buddy_free() of a live block did not return 0" MC_READ("8.4 Coalescing on free"));
    struct buddy_stats s = stats_of(b);
    cr_assert_eq(s.largest_free, REGION_SIZE,
                 "after a rejected double free and freeing every block, largest_free is %zu; "
                 "expected %d" MC_READ("8.6 Rejecting invalid and double frees"),
                 s.largest_free, REGION_SIZE);
    buddy_destroy(b);
}

Test(coalesce, freeing_everything_restores_one_block)
{
    MC_CLAUSE("4.2", "6.1", "6.6");
    struct buddy *b = make();
    void *blocks[NUNITS];
    for (size_t i = 0; i < NUNITS; i++) {
        blocks[i] = buddy_alloc(b, MIN_BLOCK);
        cr_assert_not_null(
            blocks[i], "allocation %zu of %d bytes returned NULL" MC_READ("8.2 Splitting a block"),
            i + 1, MIN_BLOCK);
    }
    /* Free in a scrambled order: 37 is coprime with 64. */
    for (size_t n = 0; n < NUNITS; n++) {
        size_t i = (n * 37 + 11) % NUNITS;
        cr_assert_eq(buddy_free(b, blocks[i]), 0,
                     "buddy_free() of block %zu did not return 0" MC_READ("8.4 Coalescing on free"),
                     i);
        struct buddy_stats s = stats_of(b);
        assert_stats_consistent(&s, "while freeing every block");
    }
    struct buddy_stats s = stats_of(b);
    cr_assert(s.free_blocks[6] == 1 && s.free_bytes == REGION_SIZE,
              "after freeing all %d blocks, expected one free block of order 6 (%d bytes); got "
              "%zu of order 6 and %zu of order 0" MC_READ("8.4 Coalescing on free"),
              NUNITS, REGION_SIZE, s.free_blocks[6], s.free_blocks[0]);
    void *all = buddy_alloc(b, REGION_SIZE);
    cr_assert_not_null(all,
                       "after freeing every block, buddy_alloc(b, %d) returned NULL: the "
                       "buddies were not coalesced" MC_READ("8.4 Coalescing on free"),
                       REGION_SIZE);
    buddy_destroy(b);
}

Test(coalesce, merges_only_with_a_free_buddy_of_the_same_order)
{
    MC_CLAUSE("4.2", "6.1", "6.2");
    struct buddy *b = make();
    /* Quarters of the region: [A A][C][D], each quarter 256 bytes. */
    void *a = buddy_alloc(b, 512);
    void *c = buddy_alloc(b, 256);
    void *d = buddy_alloc(b, 256);
    cr_assert(a != NULL && c != NULL && d != NULL,
              "buddy_alloc() of 512, 256, 256 bytes in a 1024-byte region returned NULL" MC_READ(
                  "8.2 Splitting a block"));

    /* C's buddy D is in use: C must stay alone. */
    cr_assert_eq(buddy_free(b, c), 0,
                 "buddy_free(c) did not return 0" MC_READ("8.4 Coalescing on free"));
    /* A's buddy starts with C, free but of order 4, not 5: no merge. */
    cr_assert_eq(buddy_free(b, a), 0,
                 "buddy_free(a) did not return 0" MC_READ("8.4 Coalescing on free"));
    struct buddy_stats s = stats_of(b);
    cr_assert(s.free_bytes == 768 && s.largest_free == 512 && s.free_blocks[5] == 1 &&
                  s.free_blocks[4] == 1,
              "with one 256-byte block in use, expected free blocks of 512 and 256 bytes (768 "
              "free, largest 512); got %zu free, largest %zu: a block merged with a buddy that "
              "is in use or of another order" MC_READ("8.4 Coalescing on free"),
              s.free_bytes, s.largest_free);
    cr_assert_null(buddy_alloc(b, REGION_SIZE),
                   "buddy_alloc(b, %d) succeeded while a block is still in use" MC_READ(
                       "8.4 Coalescing on free"),
                   REGION_SIZE);

    cr_assert_eq(buddy_free(b, d), 0,
                 "buddy_free(d) did not return 0" MC_READ("8.4 Coalescing on free"));
    s = stats_of(b);
    cr_assert(s.largest_free == REGION_SIZE && s.free_blocks[6] == 1,
              "after freeing the last block, expected one %d-byte free block; largest_free is "
              "%zu" MC_READ("8.4 Coalescing on free"),
              REGION_SIZE, s.largest_free);
    buddy_destroy(b);
}

Test(stats, counts_free_blocks_by_order_after_a_split)
{
    MC_CLAUSE("1.5", "3.4", "6.1", "6.2", "6.3", "6.4", "6.6");
    struct buddy *b = make();
    struct buddy_stats s = stats_of(b);
    cr_assert(s.free_bytes == REGION_SIZE && s.largest_free == REGION_SIZE &&
                  s.free_blocks[6] == 1 && s.used_bytes == 0,
              "a new allocator must hold one free block of order 6 (%d bytes); got free %zu, "
              "largest %zu, order-6 blocks %zu, used %zu" MC_READ("8.1 Power-of-two orders"),
              REGION_SIZE, s.free_bytes, s.largest_free, s.free_blocks[6], s.used_bytes);

    void *p = buddy_alloc(b, 10);
    cr_assert_not_null(p, "buddy_alloc(b, 10) returned NULL" MC_READ("8.2 Splitting a block"));
    s = stats_of(b);
    /* Splitting 1024 down to 16 leaves one free buddy at each order 0..5. */
    for (size_t k = 0; k < 7; k++) {
        size_t want = k < 6 ? 1 : 0;
        cr_assert_eq(s.free_blocks[k], want,
                     "after allocating 10 bytes from an empty 1024-byte region, free_blocks[%zu] "
                     "is %zu; expected %zu (one free buddy per order split off)" MC_READ(
                         "8.2 Splitting a block"),
                     k, s.free_blocks[k], want);
    }
    cr_assert(s.free_bytes == 1008 && s.largest_free == 512 && s.used_bytes == 16 &&
                  s.requested_bytes == 10,
              "after buddy_alloc(b, 10): expected free 1008, largest 512, used 16, requested 10; "
              "got %zu, %zu, %zu, %zu" MC_READ("8.2 Splitting a block"),
              s.free_bytes, s.largest_free, s.used_bytes, s.requested_bytes);
    assert_stats_consistent(&s, "after one split");
    buddy_destroy(b);
}

Test(stats, measures_internal_fragmentation)
{
    MC_CLAUSE("6.3", "6.4", "6.5");
    static const size_t sizes[] = {17, 100, 64, 129, 1};
    /* blocks: 32 + 128 + 64 + 256 + 16 = 496; requested 311 */
    struct buddy *b = make();
    void *p[5];
    for (size_t i = 0; i < 5; i++) {
        p[i] = buddy_alloc(b, sizes[i]);
        cr_assert_not_null(
            p[i], "buddy_alloc(b, %zu) returned NULL" MC_READ("8.2 Splitting a block"), sizes[i]);
    }
    struct buddy_stats s = stats_of(b);
    cr_assert(s.used_bytes == 496 && s.requested_bytes == 311 && s.internal_fragmentation == 185,
              "after allocating 17, 100, 64, 129 and 1 bytes: expected used 496, requested 311, "
              "internal fragmentation 185; got %zu, %zu, %zu" MC_READ("8.7 Internal fragmentation"),
              s.used_bytes, s.requested_bytes, s.internal_fragmentation);
    assert_stats_consistent(&s, "after five allocations");
    cr_assert_eq(buddy_free(b, p[1]), 0,
                 "buddy_free() did not return 0" MC_READ("8.4 Coalescing on free"));
    s = stats_of(b);
    cr_assert(s.used_bytes == 368 && s.requested_bytes == 211 && s.internal_fragmentation == 157,
              "after freeing the 100-byte request: expected used 368, requested 211, internal "
              "fragmentation 157; got %zu, %zu, %zu" MC_READ("8.7 Internal fragmentation"),
              s.used_bytes, s.requested_bytes, s.internal_fragmentation);
    buddy_destroy(b);
}

/* The poisoning suite: in a plain run it checks only what every run checks; under
 * AddressSanitizer or Valgrind it also asks the tool whether bytes are poisoned. */
MC_SUITE(poisoning);

#define READ_POISON MC_READ("8.10 Telling ASan and Valgrind about free blocks")

Test(poisoning, a_use_after_buddy_free_is_reported_by_the_checkers)
{
    MC_CLAUSE("8.1", "8.2", "8.3");
    struct buddy *b = make();
    size_t at = 0;
    size_t usable = count_bytes(region, REGION_SIZE, 0, &at);
    cr_assert_eq(usable, 0,
                 "after buddy_create(), %zu bytes of the free region are not poisoned for %s (the "
                 "first at offset %zu); expected the whole region poisoned: it is one free "
                 "block" READ_POISON,
                 usable, checker(), at);
    unsigned char *p = buddy_alloc(b, 100);
    cr_assert_eq(p, region,
                 "the first buddy_alloc(b, 100) returned %p; expected the region start %p" MC_READ(
                     "8.2 Splitting a block"),
                 (void *)p, (void *)region);
    size_t poisoned = count_bytes(p, 128, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "%zu of the 128 bytes of an allocated block are poisoned for %s (the first at "
                 "byte %zu); expected none: the caller may use its whole block" READ_POISON,
                 poisoned, checker(), at);
    memset(p, 0x7E, 128);
    usable = count_bytes(p + 128, REGION_SIZE - 128, 0, &at);
    cr_assert_eq(usable, 0,
                 "%zu bytes of the free blocks after an allocated 128-byte block are not poisoned "
                 "for %s (the first at offset %zu): a write past the block would go "
                 "unreported" READ_POISON,
                 usable, checker(), 128 + at);
    cr_assert_eq(buddy_free(b, p), 0,
                 "buddy_free() of a live block did not return 0" MC_READ("8.4 Coalescing on free"));
    usable = count_bytes(p, 128, 0, &at);
    cr_assert_eq(
        usable, 0,
        "after buddy_free(), %zu of the 128 bytes of the block are not poisoned for %s "
        "(the first at byte %zu): a use after buddy_free() would go unreported" READ_POISON,
        usable, checker(), at);
    buddy_destroy(b);
    poisoned = count_bytes(region, REGION_SIZE, 1, &at);
    cr_assert_eq(
        poisoned, 0,
        "after buddy_destroy(), %zu bytes of the region are still poisoned for %s (the "
        "first at offset %zu); expected none: the region is the caller's again" READ_POISON,
        poisoned, checker(), at);
    memset(region, 0, REGION_SIZE);
}
