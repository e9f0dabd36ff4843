/*
 * Public tests for exercise 04: the arena.
 *
 * Each test says which section of chapter 6 explains what it checks.
 */
#include "mc_test.h"

#include "arena.h"
#include "arena_helpers.h"

#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#define READ_BUMP    MC_READ("6.1 Bump allocation")
#define READ_ALIGN   MC_READ("6.2 Alignment with power-of-two masks")
#define READ_OVF     MC_READ("6.3 Sizes that overflow")
#define READ_MODES   MC_READ("6.4 Fixed buffers and chained blocks")
#define READ_LARGE   MC_READ("6.5 Oversized requests")
#define READ_RESET   MC_READ("6.6 Reset and destroy")
#define READ_SCRATCH MC_READ("6.7 Save points and scratch arenas")

static _Alignas(4096) unsigned char buffer[4 * 4096];

MC_SUITE(fixed);

Test(fixed, hands_out_aligned_pieces_of_the_buffer_one_after_another)
{
    MC_CLAUSE("2.2", "1.2", "2.1", "7.1", "7.2", "7.3");
    static const size_t sizes[] = {1, 3, 8, 24, 7, 64, 5, 100};
    static const size_t aligns[] = {1, 2, 8, 16, 4, 64, 1, 32};
    struct arena a;
    arena_init_buffer(&a, buffer, sizeof buffer);
    unsigned char *prev_end = buffer;
    size_t expect_used = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = arena_alloc(&a, sizes[i], aligns[i]);
        cr_assert_not_null(p,
                           "arena_alloc(a, %zu, %zu) returned NULL with %zu bytes free" READ_BUMP,
                           sizes[i], aligns[i], sizeof buffer - expect_used);
        cr_assert(is_aligned(p, aligns[i]),
                  "arena_alloc(a, %zu, %zu) returned %p, not %zu-byte aligned" READ_ALIGN, sizes[i],
                  aligns[i], (void *)p, aligns[i]);
        cr_assert(p >= prev_end && (size_t)(p - prev_end) < aligns[i],
                  "arena_alloc(a, %zu, %zu) returned offset %td; expected the first %zu-aligned "
                  "offset at or after %td, the end of the previous piece" READ_BUMP,
                  sizes[i], aligns[i], p - buffer, aligns[i], prev_end - buffer);
        memset(p, (int)i, sizes[i]);
        expect_used = (size_t)(p - buffer) + sizes[i];
        prev_end = p + sizes[i];
        struct arena_stats s = arena_stats(&a);
        cr_assert_eq(s.used, expect_used,
                     "arena_stats().used is %zu after allocating up to offset %zu; expected %zu "
                     "(padding included)" READ_BUMP,
                     s.used, expect_used, expect_used);
        cr_assert(s.reserved == sizeof buffer && s.blocks == 0,
                  "arena_stats() of a fixed arena gave reserved %zu, blocks %zu; expected %zu, "
                  "0" READ_MODES,
                  s.reserved, s.blocks, sizeof buffer);
    }
    cr_assert_eq(mc_alloc_calls(), 0,
                 "a fixed arena called malloc %zu times; expected never" READ_MODES,
                 mc_alloc_calls());
}

Test(fixed, aligns_the_address_even_when_the_buffer_is_misaligned)
{
    MC_CLAUSE("1.2");
    static const size_t aligns[] = {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        struct arena a;
        arena_init_buffer(&a, buffer + 1, sizeof buffer - 1); /* one byte past a 4096 boundary */
        unsigned char *first = arena_alloc(&a, 1, 1);
        unsigned char *p = arena_alloc(&a, 10, aligns[i]);
        cr_assert_not_null(first,
                           "arena_alloc(a, 1, 1) on a fresh fixed arena returned NULL" READ_BUMP);
        cr_assert_not_null(p, "arena_alloc(a, 10, %zu) returned NULL with room to spare" READ_ALIGN,
                           aligns[i]);
        cr_assert(is_aligned(p, aligns[i]),
                  "arena_alloc(a, 10, %zu) over a buffer starting at an odd address returned %p, "
                  "not %zu-byte aligned: round the address, not the offset" READ_ALIGN,
                  aligns[i], (void *)p, aligns[i]);
        cr_assert(p > first && (size_t)(p - first) <= aligns[i],
                  "arena_alloc(a, 10, %zu) skipped %td bytes; at most %zu were needed" READ_ALIGN,
                  aligns[i], p - first, aligns[i]);
    }
}

Test(fixed, rejects_alignments_that_are_not_powers_of_two_up_to_4096)
{
    MC_CLAUSE("1.1", "4.1");
    static const size_t bad[] = {0, 3, 5, 6, 12, 24, 48, 100, 4095, 4097, 8192, 1u << 20, SIZE_MAX};
    struct arena a;
    arena_init_buffer(&a, buffer, sizeof buffer);
    cr_assert_not_null(arena_alloc(&a, 3, 1), "arena_alloc(a, 3, 1) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *p = arena_alloc(&a, 8, bad[i]);
        cr_assert_null(p,
                       "arena_alloc(a, 8, %zu) returned %p; expected NULL for an alignment that "
                       "is not a power of two between 1 and 4096" READ_ALIGN,
                       bad[i], p);
        cr_assert(same_stats(arena_stats(&a), before),
                  "a rejected arena_alloc(a, 8, %zu) changed the arena's statistics" READ_ALIGN,
                  bad[i]);
    }
}

Test(fixed, takes_an_exact_fit_and_refuses_one_byte_more)
{
    MC_CLAUSE("2.3", "4.3");
    struct arena a;
    arena_init_buffer(&a, buffer, 64);
    void *big = arena_alloc(&a, 65, 1);
    cr_assert_null(
        big, "arena_alloc(a, 65, 1) on a 64-byte buffer returned %p; expected NULL" READ_MODES,
        big);
    unsigned char *p = arena_alloc(&a, 40, 8);
    unsigned char *q = arena_alloc(&a, 24, 8);
    cr_assert(
        p == buffer && q == buffer + 40,
        "arena_alloc(a, 40, 8) then arena_alloc(a, 24, 8) on a 64-byte buffer returned offsets "
        "%td and %td; expected 0 and 40 (an exact fit must succeed)" READ_BUMP,
        p == NULL ? (ptrdiff_t)-1 : p - buffer, q == NULL ? (ptrdiff_t)-1 : q - buffer);
    void *r = arena_alloc(&a, 1, 1);
    cr_assert_null(
        r, "arena_alloc(a, 1, 1) on a full 64-byte buffer returned %p; expected NULL" READ_MODES,
        r);
    cr_assert_eq(arena_stats(&a).used, 64,
                 "arena_stats().used is %zu on a full 64-byte buffer" READ_BUMP,
                 arena_stats(&a).used);
}

MC_SUITE(chained);

Test(chained, init_mallocs_one_block_and_destroy_frees_everything)
{
    MC_CLAUSE("3.1", "3.2", "6.3");
    struct arena a;
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = arena_init(&a, 1000);
    mc_fail_none();
    cr_assert_eq(rc, -1, "arena_init() with %s failing returned %d; expected -1" READ_MODES,
                 mc_fail_note(), rc);
    mc_assert_no_leak_since(before, "arena_init() with malloc failing",
                            "6.4 Fixed buffers and chained blocks");

    rc = arena_init(&a, 1000);
    cr_assert_eq(rc, 0, "arena_init(a, 1000) returned %d; expected 0" READ_MODES, rc);
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.blocks == 1 && s.reserved == 1000 && s.used == 0,
              "after arena_init(a, 1000), arena_stats() gave blocks %zu, reserved %zu, used %zu; "
              "expected 1, 1000, 0" READ_MODES,
              s.blocks, s.reserved, s.used);
    cr_assert_eq(mc_live_blocks(), 1,
                 "arena_init() left %zu malloc'd blocks; expected 1" READ_MODES, mc_live_blocks());
    for (int i = 0; i < 50; i++)
        cr_assert_not_null(arena_alloc(&a, 100, 8),
                           "arena_alloc(a, 100, 8) returned NULL" READ_MODES);
    arena_destroy(&a);
    mc_assert_no_leak_since(before, "arena_destroy()", "6.6 Reset and destroy");
    void *p = arena_alloc(&a, 1, 1);
    cr_assert_null(p, "arena_alloc() after arena_destroy() returned %p; expected NULL" READ_RESET,
                   p);
    arena_destroy(&a); /* twice is harmless */
}

Test(chained, grows_by_new_blocks_and_keeps_old_data_intact)
{
    MC_CLAUSE("3.3", "7.2", "7.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *ptrs[40];
    for (size_t i = 0; i < 40; i++) {
        ptrs[i] = arena_alloc(&a, 40, 8);
        cr_assert_not_null(ptrs[i], "arena_alloc(a, 40, 8) number %zu returned NULL" READ_MODES, i);
        cr_assert(is_aligned(ptrs[i], 8),
                  "arena_alloc(a, 40, 8) returned %p, not 8-byte aligned" READ_ALIGN,
                  (void *)ptrs[i]);
        memset(ptrs[i], (int)i, 40);
    }
    for (size_t i = 0; i < 40; i++)
        for (size_t j = 0; j < 40; j++)
            cr_assert_eq(ptrs[i][j], (unsigned char)i,
                         "byte %zu of allocation %zu was overwritten by a later one (%u, expected "
                         "%zu)" READ_BUMP,
                         j, i, ptrs[i][j], i);
    /* 40-byte pieces, 8-aligned: at most 6 fit in a 256-byte block, so 40 need 7 or more blocks
     * and no more than one block per 6 pieces plus padding slack. */
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.blocks >= 7 && s.blocks <= 10 && s.reserved == s.blocks * 256,
              "after 40 allocations of 40 bytes in 256-byte blocks, arena_stats() gave %zu blocks, "
              "%zu bytes reserved; expected 7 to 10 blocks of 256 bytes" READ_MODES,
              s.blocks, s.reserved);
    size_t requested = (size_t)40 * 40;
    cr_assert(s.used >= requested && s.used <= s.reserved,
              "arena_stats().used is %zu; expected between %zu and reserved (%zu)" READ_BUMP,
              s.used, requested, s.reserved);
    arena_destroy(&a);
    cr_assert_eq(mc_live_blocks(), 0, "arena_destroy() left %zu blocks allocated" READ_RESET,
                 mc_live_blocks());
}

Test(chained, gives_an_oversized_request_its_own_block_and_keeps_the_current_one)
{
    MC_CLAUSE("3.4");
    struct arena a;
    cr_assert_eq(arena_init(&a, 1024), 0, "arena_init(a, 1024) failed" READ_MODES);
    unsigned char *small = arena_alloc(&a, 100, 16);
    cr_assert_not_null(small, "arena_alloc(a, 100, 16) returned NULL" READ_MODES);
    unsigned char *big = arena_alloc(&a, 5000, 64);
    cr_assert_not_null(big,
                       "arena_alloc(a, 5000, 64) with 1024-byte blocks returned NULL" READ_LARGE);
    cr_assert(is_aligned(big, 64), "the oversized allocation %p is not 64-byte aligned" READ_ALIGN,
              (void *)big);
    memset(big, 0x5a, 5000);
    size_t calls = mc_alloc_calls();
    unsigned char *next = arena_alloc(&a, 100, 16);
    cr_assert_not_null(
        next, "arena_alloc(a, 100, 16) after an oversized request returned NULL" READ_LARGE);
    cr_assert(mc_alloc_calls() == calls && next > small && next < small + 1024,
              "after an oversized request, arena_alloc(a, 100, 16) called malloc %zu time(s) and "
              "returned %td bytes from the previous small piece; expected it to carry on in the "
              "current block without malloc" READ_LARGE,
              mc_alloc_calls() - calls, next - small);
    struct arena_stats s = arena_stats(&a);
    cr_assert(
        s.blocks == 2 && s.reserved >= 1024 + 5000 && s.used >= 5200,
        "after 100 + 5000 + 100 bytes with 1024-byte blocks, arena_stats() gave blocks %zu, "
        "reserved %zu, used %zu; expected 2 blocks, reserved >= 6024, used >= 5200" READ_LARGE,
        s.blocks, s.reserved, s.used);
    arena_destroy(&a);
    cr_assert_eq(mc_live_blocks(), 0, "arena_destroy() left %zu blocks allocated" READ_RESET,
                 mc_live_blocks());
}

Test(chained, returns_null_and_changes_nothing_when_malloc_fails)
{
    MC_CLAUSE("4.4");
    struct arena a;
    cr_assert_eq(arena_init(&a, 128), 0, "arena_init(a, 128) failed" READ_MODES);
    cr_assert_not_null(arena_alloc(&a, 100, 1), "arena_alloc(a, 100, 1) returned NULL" READ_MODES);
    static const size_t sizes[] = {64, 128, 129, 4000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct arena_stats before = arena_stats(&a);
        struct mc_snapshot snap = mc_snapshot();
        mc_fail_nth_alloc(1);
        void *p = arena_alloc(&a, sizes[i], 1);
        mc_fail_none();
        cr_assert_null(
            p, "arena_alloc(a, %zu, 1) with %s failing returned %p; expected NULL" READ_MODES,
            sizes[i], mc_fail_note(), p);
        cr_assert(
            same_stats(arena_stats(&a), before),
            "arena_alloc(a, %zu, 1) with %s failing changed the arena's statistics" READ_MODES,
            sizes[i], mc_fail_note());
        mc_assert_no_leak_since(snap, "arena_alloc() with malloc failing",
                                "6.4 Fixed buffers and chained blocks");
        cr_assert_not_null(arena_alloc(&a, sizes[i], 1),
                           "arena_alloc(a, %zu, 1) failed again once malloc worked" READ_MODES,
                           sizes[i]);
    }
    arena_destroy(&a);
}

MC_SUITE(arrays);

Test(arrays, calloc_zeroes_memory_that_is_being_reused)
{
    MC_CLAUSE("1.5");
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *dirty = arena_alloc(&a, 512, 1);
    cr_assert_not_null(dirty, "arena_alloc(a, 512, 1) returned NULL" READ_MODES);
    memset(dirty, 0xee, 512);
    arena_reset(&a);
    int *v = arena_calloc(&a, 100, sizeof *v, _Alignof(int));
    cr_assert_not_null(v, "arena_calloc(a, 100, sizeof(int), ...) returned NULL" READ_BUMP);
    for (size_t i = 0; i < 100; i++)
        cr_assert_eq(v[i], 0, "arena_calloc() element %zu is %d after reuse; expected 0" READ_BUMP,
                     i, v[i]);
    arena_destroy(&a);
}

Test(arrays, refuses_counts_whose_byte_size_overflows)
{
    MC_CLAUSE("1.4", "4.2");
    static const struct {
        size_t count, size;
    } cases[] = {
        {SIZE_MAX / 2 + 1, 2}, {SIZE_MAX / 4 + 1, 8}, {SIZE_MAX / 16 + 2, 16},
        {2, SIZE_MAX / 2 + 1}, {SIZE_MAX, SIZE_MAX},  {SIZE_MAX / 3 + 1, 3},
    };
    struct arena a;
    cr_assert_eq(arena_init(&a, 4096), 0, "arena_init(a, 4096) failed" READ_MODES);
    struct arena_stats before = arena_stats(&a);
    size_t calls = mc_alloc_calls();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        void *p = arena_alloc_array(&a, cases[i].count, cases[i].size, 8);
        void *z = arena_calloc(&a, cases[i].count, cases[i].size, 8);
        cr_assert(p == NULL && z == NULL,
                  "arena_alloc_array/arena_calloc(a, %zu, %zu, 8) returned %p/%p; the product "
                  "overflows, expected NULL" READ_OVF,
                  cases[i].count, cases[i].size, p, z);
    }
    cr_assert(same_stats(arena_stats(&a), before) && mc_alloc_calls() == calls,
              "refused array allocations changed the arena or called malloc" READ_OVF);
    int *ok = arena_alloc_array(&a, 10, sizeof *ok, _Alignof(int));
    cr_assert_not_null(ok, "arena_alloc_array(a, 10, sizeof(int), ...) returned NULL" READ_BUMP);
    cr_assert_eq(arena_stats(&a).used, 10 * sizeof *ok,
                 "arena_alloc_array(a, 10, %zu, ...) used %zu bytes; expected %zu" READ_BUMP,
                 sizeof *ok, arena_stats(&a).used, 10 * sizeof *ok);
    arena_destroy(&a);
}

MC_SUITE(scratch);

Test(scratch, restore_frees_the_blocks_malloced_after_the_save)
{
    MC_CLAUSE("5.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *keep = arena_alloc(&a, 50, 1);
    cr_assert_not_null(keep, "arena_alloc(a, 50, 1) returned NULL" READ_BUMP);
    memset(keep, 'k', 50);
    struct arena_stats saved_stats = arena_stats(&a);
    struct mc_snapshot snap = mc_snapshot();
    for (int round = 0; round < 3; round++) {
        struct arena_mark mark = arena_save(&a);
        for (int i = 0; i < 20; i++)
            cr_assert_not_null(arena_alloc(&a, 100, 8),
                               "arena_alloc(a, 100, 8) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 1000, 8),
                           "arena_alloc(a, 1000, 8) returned NULL" READ_LARGE);
        arena_restore(&a, mark);
        mc_assert_no_leak_since(snap, "arena_restore()", "6.7 Save points and scratch arenas");
        struct arena_stats s = arena_stats(&a);
        cr_assert(same_stats(s, saved_stats),
                  "after arena_restore(), arena_stats() gave used %zu, reserved %zu, blocks %zu; "
                  "expected %zu, %zu, %zu as at the save" READ_SCRATCH,
                  s.used, s.reserved, s.blocks, saved_stats.used, saved_stats.reserved,
                  saved_stats.blocks);
        unsigned char *next = arena_alloc(&a, 10, 1);
        cr_assert(
            next == keep + 50,
            "the first allocation after arena_restore() is %td bytes after the last kept one; "
            "expected 50 (right where the save point was)" READ_SCRATCH,
            next - keep);
        arena_restore(&a, mark);
    }
    for (int i = 0; i < 50; i++)
        cr_assert_eq(keep[i], 'k',
                     "arena_restore() clobbered memory allocated before the save" READ_SCRATCH);
    arena_destroy(&a);
}

Test(scratch, reset_keeps_one_block_and_reuses_it_without_malloc)
{
    MC_CLAUSE("6.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 300), 0, "arena_init(a, 300) failed" READ_MODES);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 30; i++)
            cr_assert_not_null(arena_alloc(&a, 64, 16),
                               "arena_alloc(a, 64, 16) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 2000, 16),
                           "arena_alloc(a, 2000, 16) returned NULL" READ_LARGE);
        arena_reset(&a);
        struct arena_stats s = arena_stats(&a);
        cr_assert(s.blocks == 1 && s.reserved == 300 && s.used == 0,
                  "after arena_reset(), arena_stats() gave blocks %zu, reserved %zu, used %zu; "
                  "expected 1, 300, 0 (one block kept for reuse)" READ_RESET,
                  s.blocks, s.reserved, s.used);
        cr_assert_eq(mc_live_blocks(), 1,
                     "after arena_reset(), %zu blocks are still malloc'd; expected 1" READ_RESET,
                     mc_live_blocks());
        size_t calls = mc_alloc_calls();
        for (int i = 0; i < 4; i++)
            cr_assert_not_null(arena_alloc(&a, 64, 16),
                               "arena_alloc() after arena_reset() returned NULL" READ_RESET);
        cr_assert_eq(mc_alloc_calls(), calls,
                     "arena_alloc() after arena_reset() called malloc %zu time(s); the kept block "
                     "should have served it" READ_RESET,
                     mc_alloc_calls() - calls);
    }
    arena_destroy(&a);
    cr_assert_eq(mc_live_blocks(), 0, "arena_destroy() left %zu blocks allocated" READ_RESET,
                 mc_live_blocks());
}

/* The poisoning suite: in a plain run it checks only what every run checks; under
 * AddressSanitizer or Valgrind it also asks the tool whether bytes are poisoned. */
MC_SUITE(poisoning);

Test(poisoning, a_use_after_reset_is_reported_by_the_checkers)
{
    MC_CLAUSE("8.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *first = arena_alloc(&a, 100, 1); /* the start of the block's data */
    unsigned char *second = arena_alloc(&a, 50, 8);
    cr_assert(first != NULL && second != NULL,
              "arena_alloc(a, 100, 1) and arena_alloc(a, 50, 8) on a fresh 256-byte arena returned "
              "%p and %p" READ_BUMP,
              (void *)first, (void *)second);
    memset(first, 'a', 100);
    memset(second, 'b', 50);
    arena_reset(&a);
    struct arena_stats s = arena_stats(&a);
    cr_assert(
        s.blocks == 1 && s.used == 0,
        "after arena_reset(), arena_stats() gave blocks %zu, used %zu; expected 1, 0" READ_RESET,
        s.blocks, s.used);
    size_t at = 0;
    size_t usable = count_bytes(first, 256, 0, &at);
    cr_assert_eq(usable, 0,
                 "after arena_reset(), %zu of the 256 bytes of the kept block are not poisoned "
                 "for %s (the first at offset %zu): a use of a pointer from before the reset "
                 "would go unreported; poison the block in arena_reset()" READ_RESET,
                 usable, checker(), at);
    unsigned char *again = arena_alloc(&a, 10, 1);
    cr_assert(again == first,
              "the first arena_alloc(a, 10, 1) after arena_reset() returned %td bytes from the "
              "start of the kept block; expected 0" READ_RESET,
              again - first);
    size_t poisoned = count_bytes(again, 10, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "%zu of the 10 bytes of a new piece after arena_reset() are poisoned for %s "
                 "(the first at offset %zu); expected none: unpoison exactly the bytes of each "
                 "piece you hand out" READ_RESET,
                 poisoned, checker(), at);
    memset(again, 0, 10);
    arena_destroy(&a);
}
