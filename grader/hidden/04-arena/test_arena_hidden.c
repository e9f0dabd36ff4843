/*
 * Hidden tests for exercise 04: edge cases and failure paths the public
 * tests leave out.
 */
#include "mc_test.h"

#include "arena.h"
#include "tests/arena_helpers.h"

#include <stdint.h>
#include <stdio.h>
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

static _Alignas(4096) unsigned char buffer[3 * 4096];

/* The first multiple of align (a power of two) at or after p. */
static unsigned char *align_up(unsigned char *p, size_t align)
{
    return p + (-(uintptr_t)p & (align - 1));
}

MC_SUITE(hidden_overflow);

Test(hidden_overflow, refuses_sizes_whose_rounding_would_wrap)
{
    MC_CLAUSE("4.2");
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 7, SIZE_MAX - 15};
    static const size_t aligns[] = {1, 8, 16, 4096};
    struct arena a;
    cr_assert_eq(arena_init(&a, 1024), 0, "arena_init(a, 1024) failed" READ_MODES);
    cr_assert_not_null(arena_alloc(&a, 10, 1), "arena_alloc(a, 10, 1) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    struct mc_snapshot snap = mc_snapshot();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t j = 0; j < sizeof aligns / sizeof aligns[0]; j++) {
            void *p = arena_alloc(&a, sizes[i], aligns[j]);
            cr_assert_null(p,
                           "arena_alloc(a, SIZE_MAX - %zu, %zu) returned %p; size plus padding "
                           "plus a block header wraps around, expected NULL" READ_OVF,
                           SIZE_MAX - sizes[i], aligns[j], p);
            cr_assert(same_stats(arena_stats(&a), before),
                      "the refused arena_alloc(a, SIZE_MAX - %zu, %zu) changed the arena's "
                      "statistics (a block was added?)" READ_OVF,
                      SIZE_MAX - sizes[i], aligns[j]);
        }
    }
    mc_assert_no_leak_since(snap, "a refused huge arena_alloc()", "6.3 Sizes that overflow");
    arena_destroy(&a);
}

Test(hidden_overflow, fixed_arena_refuses_huge_sizes_without_moving)
{
    MC_CLAUSE("4.2", "4.3");
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 4095, SIZE_MAX / 2 + 1};
    struct arena a;
    arena_init_buffer(&a, buffer + 3, 1000);
    cr_assert_not_null(arena_alloc(&a, 5, 1), "arena_alloc(a, 5, 1) returned NULL" READ_BUMP);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(&a, sizes[i], 64);
        cr_assert_null(p, "arena_alloc(a, %zu, 64) on a 1000-byte buffer returned %p" READ_OVF,
                       sizes[i], p);
    }
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.used == 5 && s.reserved == 1000,
              "after refused huge requests a fixed arena reports used %zu, reserved %zu; expected "
              "5, 1000" READ_OVF,
              s.used, s.reserved);
    unsigned char *q = arena_alloc(&a, 995, 1);
    cr_assert(
        q == buffer + 8,
        "arena_alloc(a, 995, 1) should fill the rest of the buffer exactly at offset 5" READ_BUMP);
}

MC_SUITE(hidden_align);

Test(hidden_align, aligns_in_new_blocks_and_oversized_blocks)
{
    MC_CLAUSE("1.2", "3.4");
    static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    struct arena a;
    cr_assert_eq(arena_init(&a, 8192), 0, "arena_init(a, 8192) failed" READ_MODES);
    for (size_t round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
            size_t size = round == 2 ? 9000 : 3 + 7 * i; /* the last round is oversized */
            unsigned char *p = arena_alloc(&a, size, aligns[i]);
            cr_assert_not_null(p, "arena_alloc(a, %zu, %zu) returned NULL" READ_MODES, size,
                               aligns[i]);
            cr_assert(is_aligned(p, aligns[i]),
                      "arena_alloc(a, %zu, %zu) returned %p, not %zu-byte aligned: block data "
                      "need not be aligned, so round the address" READ_ALIGN,
                      size, aligns[i], (void *)p, aligns[i]);
            memset(p, 0x33, size);
        }
    }
    arena_destroy(&a);
    cr_assert_eq(mc_live_blocks(), 0, "arena_destroy() left %zu blocks allocated" READ_RESET,
                 mc_live_blocks());
}

Test(hidden_align, a_request_that_fits_only_after_padding_moves_to_a_new_block)
{
    MC_CLAUSE("3.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 4096), 0, "arena_init(a, 4096) failed" READ_MODES);
    /* Fill the block up to a few bytes before its end, whatever its alignment. */
    unsigned char *first = arena_alloc(&a, 1, 1);
    cr_assert_not_null(first, "arena_alloc(a, 1, 1) returned NULL" READ_BUMP);
    unsigned char *last = arena_alloc(&a, 4096 - 1 - 3, 1);
    cr_assert(last == first + 1, "arena_alloc(a, 4092, 1) did not follow the first byte" READ_BUMP);
    struct arena_stats s = arena_stats(&a);
    cr_assert(
        s.blocks == 1 && s.used == 4093,
        "after 4093 bytes in a 4096-byte block, arena_stats() gave blocks %zu, used %zu" READ_BUMP,
        s.blocks, s.used);
    unsigned char *p = arena_alloc(&a, 3, 64);
    cr_assert_not_null(p, "arena_alloc(a, 3, 64) returned NULL" READ_MODES);
    cr_assert(is_aligned(p, 64) && (p < first || p >= first + 4096),
              "arena_alloc(a, 3, 64) with 3 bytes left but padding needed returned %p; expected a "
              "64-aligned address in a new block" READ_ALIGN,
              (void *)p);
    arena_destroy(&a);
}

MC_SUITE(hidden_large);

Test(hidden_large, failure_of_an_oversized_block_changes_nothing)
{
    MC_CLAUSE("4.4");
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *p = arena_alloc(&a, 100, 8);
    cr_assert_not_null(p, "arena_alloc(a, 100, 8) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    struct mc_snapshot snap = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *big = arena_alloc(&a, 10000, 8);
    mc_fail_none();
    cr_assert_null(big, "arena_alloc(a, 10000, 8) with %s failing returned %p" READ_LARGE,
                   mc_fail_note(), big);
    cr_assert(
        same_stats(arena_stats(&a), before),
        "an oversized arena_alloc() with %s failing changed the arena's statistics" READ_LARGE,
        mc_fail_note());
    mc_assert_no_leak_since(snap, "a failed oversized arena_alloc()", "6.5 Oversized requests");
    unsigned char *q = arena_alloc(&a, 100, 8);
    cr_assert(q == align_up(p + 100, 8),
              "after a failed oversized request, arena_alloc(a, 100, 8) returned %td bytes after "
              "the previous piece; expected %td, right after it, still inside the current "
              "block" READ_LARGE,
              q - p, align_up(p + 100, 8) - p);
    arena_destroy(&a);
}

Test(hidden_large, many_oversized_requests_never_waste_the_current_block)
{
    MC_CLAUSE("3.4", "6.2", "7.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 2048), 0, "arena_init(a, 2048) failed" READ_MODES);
    unsigned char *prev = arena_alloc(&a, 16, 16);
    cr_assert_not_null(prev, "arena_alloc(a, 16, 16) returned NULL" READ_BUMP);
    unsigned char *bigs[10];
    for (size_t i = 0; i < 10; i++) {
        bigs[i] = arena_alloc(&a, 3000 + i, 16);
        cr_assert_not_null(bigs[i], "arena_alloc(a, %zu, 16) returned NULL" READ_LARGE, 3000 + i);
        memset(bigs[i], (int)i, 3000 + i);
        unsigned char *small = arena_alloc(&a, 16, 16);
        cr_assert(small == prev + 16,
                  "the small allocation after oversized request %zu is %td bytes from the "
                  "previous small one; expected 16, in the same block" READ_LARGE,
                  i, small - prev);
        prev = small;
    }
    for (size_t i = 0; i < 10; i++)
        cr_assert(bigs[i][0] == (unsigned char)i && bigs[i][2999 + i] == (unsigned char)i,
                  "oversized allocation %zu was overwritten" READ_LARGE, i);
    struct arena_stats s = arena_stats(&a);
    cr_assert_eq(s.blocks, 11,
                 "arena_stats().blocks is %zu; expected 1 normal + 10 oversized" READ_LARGE,
                 s.blocks);
    arena_reset(&a);
    s = arena_stats(&a);
    cr_assert(s.blocks == 1 && s.reserved == 2048 && s.used == 0 && mc_live_blocks() == 1,
              "arena_reset() left blocks %zu, reserved %zu, used %zu, %zu malloc'd; expected the "
              "oversized blocks freed and one 2048-byte block kept" READ_RESET,
              s.blocks, s.reserved, s.used, mc_live_blocks());
    arena_destroy(&a);
}

MC_SUITE(hidden_scratch);

Test(hidden_scratch, nested_save_points_restore_in_order)
{
    MC_CLAUSE("5.2", "5.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 200), 0, "arena_init(a, 200) failed" READ_MODES);
    struct mc_snapshot snaps[4];
    struct arena_mark marks[4];
    struct arena_stats stats[4];
    for (size_t level = 0; level < 4; level++) {
        snaps[level] = mc_snapshot();
        marks[level] = arena_save(&a);
        stats[level] = arena_stats(&a);
        for (size_t i = 0; i < 5 + level; i++)
            cr_assert_not_null(arena_alloc(&a, 60, 4),
                               "arena_alloc(a, 60, 4) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 500 + level, 32),
                           "arena_alloc(a, %zu, 32) returned NULL" READ_LARGE, 500 + level);
    }
    for (size_t level = 4; level-- > 0;) {
        arena_restore(&a, marks[level]);
        struct arena_stats s = arena_stats(&a);
        cr_assert(same_stats(s, stats[level]),
                  "after restoring save point %zu, arena_stats() gave used %zu, reserved %zu, "
                  "blocks %zu; expected %zu, %zu, %zu" READ_SCRATCH,
                  level, s.used, s.reserved, s.blocks, stats[level].used, stats[level].reserved,
                  stats[level].blocks);
        mc_assert_no_leak_since(snaps[level], "arena_restore()",
                                "6.7 Save points and scratch arenas");
    }
    arena_destroy(&a);
}

Test(hidden_scratch, restoring_an_older_mark_skips_the_newer_ones)
{
    MC_CLAUSE("5.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 128), 0, "arena_init(a, 128) failed" READ_MODES);
    struct mc_snapshot snap = mc_snapshot();
    struct arena_mark outer = arena_save(&a);
    struct arena_stats outer_stats = arena_stats(&a);
    for (int i = 0; i < 10; i++)
        cr_assert_not_null(arena_alloc(&a, 50, 2),
                           "arena_alloc(a, 50, 2) returned NULL" READ_MODES);
    (void)arena_save(&a);
    for (int i = 0; i < 10; i++)
        cr_assert_not_null(arena_alloc(&a, i % 2 ? 500 : 50, 2),
                           "arena_alloc() returned NULL" READ_MODES);
    arena_restore(&a, outer);
    cr_assert(same_stats(arena_stats(&a), outer_stats),
              "restoring the outer save point did not bring the arena back to it" READ_SCRATCH);
    mc_assert_no_leak_since(snap, "arena_restore() past a newer save point",
                            "6.7 Save points and scratch arenas");
    arena_destroy(&a);
}

Test(hidden_scratch, save_and_restore_work_on_a_fixed_buffer)
{
    MC_CLAUSE("5.2", "6.1", "2.1");
    struct arena a;
    arena_init_buffer(&a, buffer, 256);
    unsigned char *p = arena_alloc(&a, 100, 1);
    cr_assert_not_null(p, "arena_alloc(a, 100, 1) returned NULL" READ_BUMP);
    struct arena_mark mark = arena_save(&a);
    for (int round = 0; round < 3; round++) {
        unsigned char *q = arena_alloc(&a, 156, 1);
        cr_assert(q == buffer + 100,
                  "round %d: after arena_restore(), the next allocation starts at offset %td; "
                  "expected 100" READ_SCRATCH,
                  round, q == NULL ? (ptrdiff_t)-1 : q - buffer);
        void *r = arena_alloc(&a, 1, 1);
        cr_assert_null(r, "a full fixed arena handed out %p" READ_MODES, r);
        arena_restore(&a, mark);
        cr_assert_eq(arena_stats(&a).used, 100,
                     "after arena_restore(), used is %zu; expected 100" READ_SCRATCH,
                     arena_stats(&a).used);
    }
    arena_reset(&a);
    cr_assert(arena_alloc(&a, 256, 1) == buffer, "after arena_reset() a fixed arena must hand out "
                                                 "its whole buffer from offset 0" READ_RESET);
    cr_assert_eq(mc_alloc_calls(), 0, "a fixed arena called malloc %zu times" READ_MODES,
                 mc_alloc_calls());
}

MC_SUITE(hidden_lifecycle);

Test(hidden_lifecycle, destroy_frees_normal_and_oversized_blocks)
{
    MC_CLAUSE("6.3", "3.1");
    struct arena a;
    struct mc_snapshot snap = mc_snapshot();
    cr_assert_eq(arena_init(&a, 0), 0, "arena_init(a, 0) failed" READ_MODES);
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.blocks == 1 && s.reserved == ARENA_DEFAULT_BLOCK,
              "arena_init(a, 0) gave blocks %zu, reserved %zu; expected 1 block of "
              "ARENA_DEFAULT_BLOCK (%d) bytes" READ_MODES,
              s.blocks, s.reserved, ARENA_DEFAULT_BLOCK);
    for (int i = 0; i < 5; i++) {
        cr_assert_not_null(arena_alloc(&a, 40000, 8),
                           "arena_alloc(a, 40000, 8) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 100000, 8),
                           "arena_alloc(a, 100000, 8) returned NULL" READ_LARGE);
    }
    arena_destroy(&a);
    mc_assert_no_leak_since(snap, "arena_destroy()", "6.6 Reset and destroy");
    s = arena_stats(&a);
    cr_assert(s.blocks == 0 && s.reserved == 0 && s.used == 0,
              "after arena_destroy(), arena_stats() gave blocks %zu, reserved %zu, used %zu; "
              "expected an empty arena" READ_RESET,
              s.blocks, s.reserved, s.used);
    void *p = arena_alloc(&a, 8, 8);
    cr_assert_null(p, "arena_alloc() after arena_destroy() returned %p" READ_RESET, p);
    arena_destroy(&a);
    mc_assert_no_leak_since(snap, "a second arena_destroy()", "6.6 Reset and destroy");
}

Test(hidden_lifecycle, zero_sized_and_zeroed_requests)
{
    MC_CLAUSE("1.3", "1.5");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *junk = arena_alloc(&a, 256, 1);
    cr_assert_not_null(junk, "arena_alloc(a, 256, 1) returned NULL" READ_BUMP);
    memset(junk, 0xff, 256);
    struct arena_mark mark = arena_save(&a);
    void *zero = arena_alloc(&a, 0, 16);
    cr_assert(zero != NULL && is_aligned(zero, 16),
              "arena_alloc(a, 0, 16) returned %p; expected a 16-aligned non-NULL pointer" READ_BUMP,
              zero);
    arena_restore(&a, mark);
    arena_reset(&a);
    static const struct {
        size_t count, size, align;
    } cases[] = {{1, 256, 1}, {10, 24, 8}, {3, 17, 1}, {0, 8, 8}, {8, 0, 4}, {5000, 1, 64}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].count * cases[i].size;
        unsigned char *z = arena_calloc(&a, cases[i].count, cases[i].size, cases[i].align);
        cr_assert(z != NULL && is_aligned(z, cases[i].align),
                  "arena_calloc(a, %zu, %zu, %zu) returned %p" READ_BUMP, cases[i].count,
                  cases[i].size, cases[i].align, (void *)z);
        size_t nonzero = 0;
        for (size_t k = 0; k < n; k++)
            nonzero += z[k] != 0;
        cr_assert_eq(nonzero, 0, "arena_calloc(a, %zu, %zu, %zu) left %zu non-zero bytes" READ_BUMP,
                     cases[i].count, cases[i].size, cases[i].align, nonzero);
        memset(z, 0xff, n);
        arena_reset(&a);
    }
    arena_destroy(&a);
}

Test(hidden_lifecycle, mixed_workload_keeps_every_piece_separate)
{
    MC_CLAUSE("1.2", "5.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 1000), 0, "arena_init(a, 1000) failed" READ_MODES);
    struct piece {
        unsigned char *p;
        size_t size;
    } pieces[300];
    size_t n = 0;
    uint32_t seed = 12345;
    for (int round = 0; round < 3; round++) {
        struct arena_mark mark = arena_save(&a);
        n = 0;
        for (size_t i = 0; i < 300; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t size = (seed >> 16) % 700 + (i % 37 == 0 ? 1500 : 0);
            size_t align = (size_t)1 << ((seed >> 8) % 8);
            unsigned char *p = arena_alloc(&a, size, align);
            cr_assert(p != NULL && is_aligned(p, align),
                      "arena_alloc(a, %zu, %zu) returned %p" READ_BUMP, size, align, (void *)p);
            memset(p, (int)(i & 0xff), size);
            pieces[n].p = p;
            pieces[n].size = size;
            n++;
        }
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < pieces[i].size; k++)
                bad += pieces[i].p[k] != (unsigned char)(i & 0xff);
        cr_assert_eq(bad, 0, "%zu bytes were overwritten by later allocations" READ_BUMP, bad);
        arena_restore(&a, mark);
        struct arena_stats s = arena_stats(&a);
        cr_assert(s.blocks == 1 && s.used == 0 && mc_live_blocks() == 1,
                  "after restoring the first save point: blocks %zu, used %zu, %zu malloc'd; "
                  "expected 1, 0, 1" READ_SCRATCH,
                  s.blocks, s.used, mc_live_blocks());
    }
    arena_destroy(&a);
}

MC_SUITE(hidden_init);

Test(hidden_init, a_failed_init_leaves_an_empty_arena_whatever_it_held)
{
    MC_CLAUSE("3.2");
    struct arena a;
    struct mc_snapshot snap = mc_snapshot();
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 7};
    for (size_t i = 0; i < 1 + sizeof huge / sizeof huge[0]; i++) {
        arena_init_buffer(&a, buffer, 300); /* a live arena that is about to be reused */
        cr_assert_not_null(arena_alloc(&a, 10, 1), "arena_alloc(a, 10, 1) returned NULL" READ_BUMP);
        size_t calls = mc_alloc_calls();
        int rc;
        if (i == 0) {
            mc_fail_nth_alloc(1);
            rc = arena_init(&a, 1000);
            mc_fail_none();
        } else {
            rc = arena_init(&a, huge[i - 1]);
        }
        char what[600];
        if (i == 0)
            snprintf(what, sizeof what, "arena_init(a, 1000) with %s failing", mc_fail_note());
        else
            snprintf(what, sizeof what, "arena_init(a, SIZE_MAX - %zu)", SIZE_MAX - huge[i - 1]);
        cr_assert_eq(rc, -1, "%s returned %d; expected -1" READ_MODES, what, rc);
        cr_assert(i == 0 || mc_alloc_calls() == calls,
                  "%s made an allocation call; a block size whose block does not fit in a "
                  "size_t must be refused before malloc" READ_OVF,
                  what);
        struct arena_stats s = arena_stats(&a);
        cr_assert(s.used == 0 && s.reserved == 0 && s.blocks == 0,
                  "after %s on an arena that held a fixed buffer, arena_stats() gave used %zu, "
                  "reserved %zu, blocks %zu; expected 0, 0, 0: a failed init leaves the arena "
                  "as arena_destroy() does" READ_RESET,
                  what, s.used, s.reserved, s.blocks);
        void *p = arena_alloc(&a, 1, 1);
        cr_assert_null(p,
                       "after %s, arena_alloc(a, 1, 1) returned %p; expected NULL, the arena "
                       "holds nothing" READ_RESET,
                       what, p);
        arena_destroy(&a); /* harmless */
        mc_assert_no_leak_since(snap, "a failed arena_init()",
                                "6.4 Fixed buffers and chained blocks");
    }
}

Test(hidden_init, save_changes_nothing_and_allocates_nothing)
{
    MC_CLAUSE("5.1");
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *p = arena_alloc(&a, 30, 1);
    cr_assert_not_null(p, "arena_alloc(a, 30, 1) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    size_t calls = mc_alloc_calls();
    struct arena_mark marks[3];
    for (int i = 0; i < 3; i++)
        marks[i] = arena_save(&a);
    (void)marks;
    cr_assert(same_stats(arena_stats(&a), before) && mc_alloc_calls() == calls,
              "three calls of arena_save() changed the statistics or made %zu allocation "
              "call(s); expected no change" READ_SCRATCH,
              mc_alloc_calls() - calls);
    unsigned char *q = arena_alloc(&a, 8, 8);
    cr_assert(q == align_up(p + 30, 8),
              "after arena_save(), arena_alloc(a, 8, 8) returned %td bytes after the previous "
              "piece; expected %td" READ_SCRATCH,
              q - p, align_up(p + 30, 8) - p);
    arena_destroy(&a);
}

MC_SUITE(hidden_placement);

Test(hidden_placement, a_zero_size_request_needs_its_padding_to_fit)
{
    MC_CLAUSE("1.3", "4.3");
    /* Fixed: the buffer starts on a 4096 boundary. */
    struct arena a;
    arena_init_buffer(&a, buffer, 64);
    unsigned char *p = arena_alloc(&a, 50, 1);
    unsigned char *z = arena_alloc(&a, 0, 16); /* padding 14 reaches offset 64: fits exactly */
    cr_assert(p == buffer && z == buffer + 64 && arena_stats(&a).used == 64,
              "on a 64-byte buffer, arena_alloc(a, 50, 1) then arena_alloc(a, 0, 16) returned "
              "offsets %td and %td with used %zu; expected 0, 64 (the end of the buffer) and "
              "64" READ_BUMP,
              p == NULL ? (ptrdiff_t)-1 : p - buffer, z == NULL ? (ptrdiff_t)-1 : z - buffer,
              arena_stats(&a).used);
    void *again = arena_alloc(&a, 0, 64);
    cr_assert(again == buffer + 64,
              "arena_alloc(a, 0, 64) at the end of a full 64-byte buffer returned %p; expected "
              "the end of the buffer, which is 64-aligned" READ_BUMP,
              again);
    struct arena_stats before = arena_stats(&a);
    void *none = arena_alloc(&a, 0, 128); /* the next 128-aligned address is past the end */
    cr_assert(none == NULL && same_stats(arena_stats(&a), before),
              "arena_alloc(a, 0, 128) on a full 64-byte buffer returned %p or changed the "
              "statistics; expected NULL and no change: a zero-size request needs its padding "
              "to fit" READ_MODES,
              none);

    /* Chained: whether the padding fits depends on where malloc put the block, so the
     * test works out which case it is from the address of the first piece. */
    static const size_t aligns[] = {2, 8, 64, 4096};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        cr_assert_eq(arena_init(&a, 4096), 0, "arena_init(a, 4096) failed" READ_MODES);
        unsigned char *d = arena_alloc(&a, 4090, 1); /* d: the start of the block's data */
        cr_assert_not_null(d, "arena_alloc(a, 4090, 1) returned NULL" READ_BUMP);
        unsigned char *want = align_up(d + 4090, aligns[i]);
        int fits = want <= d + 4096;
        unsigned char *zp = arena_alloc(&a, 0, aligns[i]);
        struct arena_stats s = arena_stats(&a);
        if (fits)
            cr_assert(
                zp == want && s.blocks == 1,
                "arena_alloc(a, 0, %zu) 4090 bytes into a 4096-byte block returned %p with "
                "%zu block(s); its padding fits, so expected %p inside the current block" READ_BUMP,
                aligns[i], (void *)zp, s.blocks, (void *)want);
        else
            cr_assert(zp != NULL && is_aligned(zp, aligns[i]) && (zp < d || zp > d + 4096) &&
                          s.blocks == 2 && s.reserved == 2 * 4096,
                      "arena_alloc(a, 0, %zu) 4090 bytes into a 4096-byte block, where its padding "
                      "does not fit, returned %p with %zu block(s) and %zu bytes reserved; "
                      "expected an aligned pointer in a new 4096-byte block" READ_MODES,
                      aligns[i], (void *)zp, s.blocks, s.reserved);
        arena_destroy(&a);
    }
}

Test(hidden_placement, pieces_follow_each_other_at_the_first_aligned_address)
{
    MC_CLAUSE("3.3", "1.2", "7.1");
    static const struct {
        size_t size, align;
    } steps[] = {{3, 1}, {8, 8},  {1, 1}, {16, 16},   {5, 2},    {100, 64},
                 {7, 4}, {0, 32}, {9, 1}, {200, 256}, {1, 4096}, {33, 8}};
    struct arena a;
    cr_assert_eq(arena_init(&a, 8192), 0, "arena_init(a, 8192) failed" READ_MODES);
    unsigned char *d = arena_alloc(&a, 1, 1); /* the start of the block's data */
    cr_assert_not_null(d, "arena_alloc(a, 1, 1) returned NULL" READ_BUMP);
    unsigned char *end = d + 1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        unsigned char *want = align_up(end, steps[i].align);
        unsigned char *p = arena_alloc(&a, steps[i].size, steps[i].align);
        cr_assert(p == want,
                  "arena_alloc(a, %zu, %zu) returned offset %td in the block; expected %td, the "
                  "first %zu-aligned address at or after the end of the previous piece" READ_BUMP,
                  steps[i].size, steps[i].align, p == NULL ? (ptrdiff_t)-1 : p - d, want - d,
                  steps[i].align);
        end = p + steps[i].size;
        struct arena_stats s = arena_stats(&a);
        cr_assert(s.used == (size_t)(end - d) && s.blocks == 1,
                  "after a piece ending at offset %td, arena_stats() gave used %zu, blocks %zu; "
                  "expected %td, 1 (padding counts as used)" READ_BUMP,
                  end - d, s.used, s.blocks, end - d);
    }
    arena_destroy(&a);
}

Test(hidden_placement, the_rest_of_a_left_block_is_abandoned_and_not_counted)
{
    MC_CLAUSE("3.3", "7.1", "7.2", "7.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *first = arena_alloc(&a, 200, 1);
    unsigned char *second = arena_alloc(&a, 100, 1); /* does not fit in the 56 bytes left */
    cr_assert(first != NULL && second != NULL && (second < first || second >= first + 256),
              "arena_alloc(a, 100, 1) with 56 bytes left in a 256-byte block returned %p; "
              "expected the start of a new block" READ_MODES,
              (void *)second);
    unsigned char *third = arena_alloc(&a, 10, 1);
    unsigned char *fourth = arena_alloc(&a, 50, 1); /* would fit in the old block's rest */
    cr_assert(third == second + 100 && fourth == second + 110,
              "after moving to a new block, arena_alloc(a, 10, 1) and arena_alloc(a, 50, 1) "
              "returned offsets %td and %td from the new block's first piece; expected 100 and "
              "110: the rest of the old block is abandoned" READ_MODES,
              third - second, fourth - second);
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.used == 200 + 160 && s.reserved == 512 && s.blocks == 2,
              "after 200 bytes in one block and 160 in the next, arena_stats() gave used %zu, "
              "reserved %zu, blocks %zu; expected 360 (the abandoned 56 bytes do not count), "
              "512, 2" READ_MODES,
              s.used, s.reserved, s.blocks);
    arena_destroy(&a);
}

Test(hidden_large, an_oversized_block_holds_size_plus_align_minus_one_bytes)
{
    MC_CLAUSE("3.4", "7.1", "7.2", "7.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *d = arena_alloc(&a, 10, 1); /* the start of the block's data */
    cr_assert_not_null(d, "arena_alloc(a, 10, 1) returned NULL" READ_BUMP);
    /* 241 + 15 == 256: not oversized; it fits in the rest of the block only if the padding
     * to a multiple of 16 after offset 10 is at most 5 bytes. */
    int fits = align_up(d + 10, 16) + 241 <= d + 256;
    static const struct {
        size_t size, align;
        int oversized;
    } cases[] = {{241, 16, 0}, {242, 16, 1}, {5000, 1, 1}, {3000, 64, 1}, {257, 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size = cases[i].size, align = cases[i].align;
        struct arena_stats before = arena_stats(&a);
        unsigned char *p = arena_alloc(&a, size, align);
        cr_assert(p != NULL && is_aligned(p, align),
                  "arena_alloc(a, %zu, %zu) returned %p" READ_LARGE, size, align, (void *)p);
        memset(p, 0x5a, size);
        struct arena_stats s = arena_stats(&a);
        size_t blocks = s.blocks - before.blocks, grown = s.reserved - before.reserved;
        size_t want_blocks = cases[i].oversized || !fits ? 1 : 0;
        size_t want = cases[i].oversized ? size + align - 1 : 256 * want_blocks;
        cr_assert(blocks == want_blocks && grown == want,
                  "arena_alloc(a, %zu, %zu) with 256-byte blocks added %zu block(s) and %zu "
                  "reserved bytes; expected %zu block(s) and %zu bytes (%s)" READ_LARGE,
                  size, align, blocks, grown, want_blocks, want,
                  cases[i].oversized ? "oversized, since size + align - 1 > 256: a block of "
                                       "exactly size + align - 1 bytes"
                                     : "not oversized, since size + align - 1 <= 256");
        size_t added = s.used - before.used;
        cr_assert(cases[i].oversized == 0 ||
                      (added >= size && added <= size + align - 1 && (align > 1 || added == size)),
                  "the oversized arena_alloc(a, %zu, %zu) added %zu to used; expected its size "
                  "plus the padding before it (%zu to %zu)" READ_BUMP,
                  size, align, added, size, size + align - 1);
    }
    arena_destroy(&a);
}

MC_SUITE(hidden_reset);

Test(hidden_reset, reset_keeps_the_current_block)
{
    MC_CLAUSE("6.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *starts[3]; /* the first piece of each block: the start of its data */
    struct arena_mark in_second = {0};
    for (int block = 0; block < 3; block++) {
        starts[block] = arena_alloc(&a, 100, 1);
        cr_assert_not_null(starts[block], "arena_alloc(a, 100, 1) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 100, 1),
                           "arena_alloc(a, 100, 1) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 1000, 8),
                           "arena_alloc(a, 1000, 8) returned NULL" READ_LARGE);
        if (block == 1)
            in_second = arena_save(&a);
    }
    size_t calls = mc_alloc_calls();
    arena_reset(&a);
    unsigned char *p = arena_alloc(&a, 10, 1);
    struct arena_stats s = arena_stats(&a);
    cr_assert(p == starts[2] && s.blocks == 1 && s.reserved == 256 && mc_alloc_calls() == calls,
              "after three blocks and arena_reset(), arena_alloc(a, 10, 1) returned %p (the blocks "
              "started at %p, %p and %p) with %zu block(s) and %zu malloc call(s); expected the "
              "start of the current block, the third, without malloc" READ_RESET,
              (void *)p, (void *)starts[0], (void *)starts[1], (void *)starts[2], s.blocks,
              mc_alloc_calls() - calls);
    arena_destroy(&a);

    /* After a restore the current block is the one the mark was saved in. */
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    for (int block = 0; block < 3; block++) {
        starts[block] = arena_alloc(&a, 100, 1);
        cr_assert_not_null(starts[block], "arena_alloc(a, 100, 1) returned NULL" READ_MODES);
        cr_assert_not_null(arena_alloc(&a, 100, 1),
                           "arena_alloc(a, 100, 1) returned NULL" READ_MODES);
        if (block == 1)
            in_second = arena_save(&a);
    }
    arena_restore(&a, in_second);
    arena_reset(&a);
    p = arena_alloc(&a, 10, 1);
    cr_assert(p == starts[1] && arena_stats(&a).blocks == 1,
              "after restoring a mark saved in the second block and arena_reset(), "
              "arena_alloc(a, 10, 1) returned %p (the blocks started at %p and %p); expected the "
              "start of the second block, current after the restore" READ_RESET,
              (void *)p, (void *)starts[0], (void *)starts[1]);
    arena_destroy(&a);
}

Test(hidden_reset, a_destroyed_arena_hands_out_nothing)
{
    MC_CLAUSE("6.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 128), 0, "arena_init(a, 128) failed" READ_MODES);
    cr_assert_not_null(arena_alloc(&a, 500, 8), "arena_alloc(a, 500, 8) returned NULL" READ_LARGE);
    arena_destroy(&a);
    size_t calls = mc_alloc_calls();
    void *p = arena_alloc(&a, 1, 1);
    void *q = arena_alloc_array(&a, 2, 4, 4);
    void *r = arena_calloc(&a, 3, 8, 8);
    void *z = arena_alloc(&a, 0, 1);
    cr_assert(p == NULL && q == NULL && r == NULL && z == NULL && mc_alloc_calls() == calls,
              "after arena_destroy(), arena_alloc, arena_alloc_array, arena_calloc and a "
              "zero-size arena_alloc returned %p, %p, %p, %p with %zu malloc call(s); expected "
              "NULL every time and no malloc" READ_RESET,
              p, q, r, z, mc_alloc_calls() - calls);
    arena_destroy(&a);
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.used == 0 && s.reserved == 0 && s.blocks == 0 && mc_live_blocks() == 0,
              "after arena_destroy() twice: used %zu, reserved %zu, blocks %zu, %zu live "
              "block(s); expected all 0" READ_RESET,
              s.used, s.reserved, s.blocks, mc_live_blocks());
}

MC_SUITE(hidden_failure);

Test(hidden_failure, every_failure_leaves_the_next_piece_where_it_would_have_been)
{
    MC_CLAUSE("4.1", "4.2", "4.4");
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *p = arena_alloc(&a, 100, 8);
    cr_assert_not_null(p, "arena_alloc(a, 100, 8) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    struct mc_snapshot snap = mc_snapshot();
    for (int kind = 0; kind < 7; kind++) {
        void *r = NULL;
        const char *name = "";
        switch (kind) {
        case 0:
            r = arena_alloc(&a, 8, 24);
            name = "arena_alloc(a, 8, 24), a bad alignment";
            break;
        case 1:
            r = arena_alloc(&a, SIZE_MAX - 8, 8);
            name = "arena_alloc(a, SIZE_MAX - 8, 8), a size that overflows";
            break;
        case 2:
            r = arena_calloc(&a, SIZE_MAX / 4, 8, 8);
            name = "arena_calloc(a, SIZE_MAX / 4, 8, 8), a count that overflows";
            break;
        case 3:
            mc_fail_nth_alloc(1);
            r = arena_alloc(&a, 500, 8); /* needs a new block */
            mc_fail_none();
            name = "arena_alloc(a, 500, 8), a new block";
            break;
        case 4:
            mc_fail_nth_alloc(1);
            r = arena_calloc(&a, 100, 5, 4); /* needs a new block */
            mc_fail_none();
            name = "arena_calloc(a, 100, 5, 4), a new block";
            break;
        case 5:
            mc_fail_nth_alloc(1);
            r = arena_alloc_array(&a, 1000, 2, 2); /* oversized */
            mc_fail_none();
            name = "arena_alloc_array(a, 1000, 2, 2), an oversized block";
            break;
        default:
            mc_fail_nth_alloc(1);
            r = arena_alloc(&a, 600, 4096); /* oversized */
            mc_fail_none();
            name = "arena_alloc(a, 600, 4096), an oversized block";
            break;
        }
        const char *with = kind >= 3 ? ", with this allocation failing: " : "";
        cr_assert_null(r, "%s%s%s returned %p; expected NULL" READ_MODES, name, with,
                       kind >= 3 ? mc_fail_note() : "", r);
        cr_assert(same_stats(arena_stats(&a), before),
                  "%s%s%s changed the statistics; a failed call leaves the arena as it "
                  "was" READ_MODES,
                  name, with, kind >= 3 ? mc_fail_note() : "");
        mc_assert_no_leak_since(snap, name, "6.4 Fixed buffers and chained blocks");
    }
    unsigned char *q = arena_alloc(&a, 40, 8);
    cr_assert(q == align_up(p + 100, 8),
              "after seven failed calls, arena_alloc(a, 40, 8) returned %td bytes after the "
              "piece before them; expected %td: a failed call must not move the position or "
              "change the current block" READ_MODES,
              q == NULL ? (ptrdiff_t)-1 : q - p, align_up(p + 100, 8) - p);
    arena_destroy(&a);
}

Test(hidden_failure, a_full_fixed_buffer_keeps_its_position)
{
    MC_CLAUSE("4.3", "4.1");
    struct arena a;
    arena_init_buffer(&a, buffer, 100);
    unsigned char *p = arena_alloc(&a, 90, 1);
    cr_assert(p == buffer, "arena_alloc(a, 90, 1) on a fresh fixed arena returned %p" READ_BUMP,
              (void *)p);
    struct arena_stats before = arena_stats(&a);
    void *r1 = arena_alloc(&a, 11, 1);
    void *r2 = arena_alloc(&a, 5, 8); /* 6 bytes of padding to 96, then 5 do not fit */
    void *r3 = arena_alloc(&a, 1, 3);
    void *r4 = arena_alloc_array(&a, 3, 4, 1);
    cr_assert(r1 == NULL && r2 == NULL && r3 == NULL && r4 == NULL,
              "with 10 bytes left, arena_alloc(a, 11, 1), arena_alloc(a, 5, 8), arena_alloc(a, 1, "
              "3) and arena_alloc_array(a, 3, 4, 1) returned %p, %p, %p, %p; expected NULL each "
              "time" READ_MODES,
              r1, r2, r3, r4);
    cr_assert(same_stats(arena_stats(&a), before),
              "failed requests on a fixed arena changed its statistics" READ_MODES);
    unsigned char *q = arena_alloc(&a, 10, 1);
    cr_assert(q == buffer + 90,
              "after failed requests, arena_alloc(a, 10, 1) returned offset %td; expected 90, the "
              "exact fit of the rest" READ_MODES,
              q == NULL ? (ptrdiff_t)-1 : q - buffer);
}

/* The poisoning suite: in a plain run it checks only what every run checks; under
 * AddressSanitizer or Valgrind it also asks the tool whether bytes are poisoned. */
MC_SUITE(poisoning);

/* Bytes of p[0, n) (addressable) whose contents Valgrind does not consider `defined`
 * (1: every bit defined, 0: every bit undefined); 0 unless running under Valgrind. */
static size_t count_not_in_state(const unsigned char *p, size_t n, int defined)
{
#if defined(__SANITIZE_ADDRESS__)
    (void)p, (void)n, (void)defined;
    return 0;
#else
    if (!RUNNING_ON_VALGRIND)
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char vbits = 0;
        if (VALGRIND_GET_VBITS(p + i, &vbits, 1) != 1 || vbits != (defined ? 0x00 : 0xff))
            count++;
    }
    return count;
#endif
}

Test(poisoning, every_piece_handed_out_before_a_reset_is_poisoned)
{
    MC_CLAUSE("8.2");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    struct {
        unsigned char *p;
        size_t size;
    } pieces[12];
    size_t n = 0;
    static const size_t sizes[] = {100, 7, 120, 1000, 33, 200, 64, 90, 3000, 150, 1, 180};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pieces[n].p = arena_alloc(&a, sizes[i], i % 3 == 0 ? 1 : 16);
        cr_assert_not_null(pieces[n].p, "arena_alloc(a, %zu, ...) returned NULL" READ_MODES,
                           sizes[i]);
        pieces[n].size = sizes[i];
        memset(pieces[n].p, 0x77, sizes[i]);
        n++;
    }
    unsigned char *last = pieces[n - 1].p; /* a piece of the current block */
    arena_reset(&a);
    struct arena_stats s = arena_stats(&a);
    cr_assert(s.blocks == 1 && s.used == 0 && s.reserved == 256,
              "after arena_reset(), arena_stats() gave blocks %zu, used %zu, reserved %zu; "
              "expected 1, 0, 256" READ_RESET,
              s.blocks, s.used, s.reserved);
    /* Pieces in freed blocks are poisoned by the tools themselves; the kept block is the
     * arena's to poison. */
    size_t usable = 0, which = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t first = 0;
        size_t here = count_bytes(pieces[i].p, pieces[i].size, 0, &first);
        if (here != 0 && usable == 0) {
            which = i;
            at = first;
        }
        usable += here;
    }
    cr_assert_eq(
        usable, 0,
        "after arena_reset(), %zu byte(s) of the pieces handed out before it are not "
        "poisoned for %s (the first at byte %zu of piece %zu, of %zu bytes): a use after "
        "reset would go unreported; poison the whole kept block in arena_reset()" READ_RESET,
        usable, checker(), at, which, pieces[which].size);
    unsigned char *again = arena_alloc(&a, 180, 16);
    cr_assert(again == last,
              "the first arena_alloc(a, 180, 16) after arena_reset() is %td bytes from the same "
              "request before the reset; expected 0: the kept block is the current one" READ_RESET,
              again - last);
    arena_destroy(&a);
}

Test(poisoning, the_unused_tail_of_every_block_is_poisoned)
{
    MC_CLAUSE("8.1");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    size_t at = 0, usable = 0;
    unsigned char *d = arena_alloc(&a, 0, 1); /* the start of the first block's data */
    cr_assert_not_null(d, "arena_alloc(a, 0, 1) on a fresh arena returned NULL" READ_BUMP);
    usable = count_bytes(d, 256, 0, &at);
    cr_assert_eq(usable, 0,
                 "in a fresh block, %zu of its 256 bytes are not poisoned for %s (the first at "
                 "offset %zu); expected all poisoned: nothing was handed out" MC_READ(
                     "6.6 Reset and destroy"),
                 usable, checker(), at);
    unsigned char *p = arena_alloc(&a, 10, 1);
    unsigned char *q = arena_alloc(&a, 190, 4);
    cr_assert(p == d && q == align_up(d + 10, 4),
              "arena_alloc(a, 10, 1) and arena_alloc(a, 190, 4) returned offsets %td and %td; "
              "expected 0 and %td" READ_BUMP,
              p - d, q - d, align_up(d + 10, 4) - d);
    unsigned char *tail = q + 190;
    usable = count_bytes(tail, (size_t)(d + 256 - tail), 0, &at);
    cr_assert_eq(usable, 0,
                 "after two pieces, %zu of the %td bytes after them in the block are not "
                 "poisoned for %s (the first at offset %zu after the last piece); expected the "
                 "unused tail poisoned" MC_READ("6.6 Reset and destroy"),
                 usable, d + 256 - tail, checker(), at);
    unsigned char *e = arena_alloc(&a, 100, 1); /* does not fit: a new block */
    cr_assert(
        e != NULL && (e < d || e >= d + 256),
        "arena_alloc(a, 100, 1) with %td bytes left returned %p; expected a new block" READ_MODES,
        d + 256 - tail, (void *)e);
    usable = count_bytes(tail, (size_t)(d + 256 - tail), 0, &at);
    size_t usable_new = count_bytes(e + 100, 156, 0, &at);
    cr_assert(usable == 0 && usable_new == 0,
              "after moving to a new block, %zu byte(s) of the old block's abandoned tail and %zu "
              "of the new block's tail are not poisoned for %s; expected both tails "
              "poisoned" MC_READ("6.6 Reset and destroy"),
              usable, usable_new, checker());
    unsigned char *big = arena_alloc(&a, 1000, 64); /* oversized */
    cr_assert_not_null(big, "arena_alloc(a, 1000, 64) returned NULL" READ_LARGE);
    size_t poisoned_big = count_bytes(big, 1000, 1, &at);
    cr_assert(poisoned_big == 0 && (checker() == NULL || is_poisoned(big + 1000)),
              "an oversized arena_alloc(a, 1000, 64) has %zu poisoned byte(s) of its own, and the "
              "byte after it is %s for %s; expected the piece usable and the byte after it "
              "poisoned" MC_READ("6.6 Reset and destroy"),
              poisoned_big, checker() != NULL && is_poisoned(big + 1000) ? "poisoned" : "usable",
              checker());
    arena_destroy(&a);
}

Test(poisoning, restore_poisons_what_it_takes_back)
{
    MC_CLAUSE("8.1");
    struct arena a;
    cr_assert_eq(arena_init(&a, 256), 0, "arena_init(a, 256) failed" READ_MODES);
    unsigned char *d = arena_alloc(&a, 50, 1);
    cr_assert_not_null(d, "arena_alloc(a, 50, 1) returned NULL" READ_BUMP);
    memset(d, 'k', 50);
    struct arena_mark mark = arena_save(&a);
    unsigned char *p = arena_alloc(&a, 150, 1);
    unsigned char *later = arena_alloc(&a, 200, 1); /* a new block, freed by the restore */
    unsigned char *big = arena_alloc(&a, 600, 8);   /* oversized, freed by the restore */
    cr_assert(p == d + 50 && later != NULL && big != NULL,
              "arena_alloc(a, 150, 1), arena_alloc(a, 200, 1) and arena_alloc(a, 600, 8) "
              "returned %p, %p, %p" READ_MODES,
              (void *)p, (void *)later, (void *)big);
    memset(p, 'x', 150);
    arena_restore(&a, mark);
    size_t at = 0;
    size_t usable = count_bytes(d + 50, 206, 0, &at);
    size_t kept = count_bytes(d, 50, 1, &at);
    cr_assert(usable == 0 && kept == 0,
              "after arena_restore(), %zu of the 206 bytes after the saved position are not "
              "poisoned for %s, and %zu of the 50 bytes before it are; expected the tail from "
              "the saved position poisoned and the piece before it usable" READ_SCRATCH,
              usable, checker(), kept);
    unsigned char *again = arena_alloc(&a, 10, 1);
    cr_assert(again == d + 50,
              "the first arena_alloc(a, 10, 1) after arena_restore() is at offset %td; expected "
              "50, where the mark was saved" READ_SCRATCH,
              again - d);
    size_t poisoned = count_bytes(again, 10, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "%zu of the 10 bytes of the piece handed out after arena_restore() are still "
                 "poisoned for %s" READ_SCRATCH,
                 poisoned, checker());
    memset(again, 0, 10);
    arena_destroy(&a);
}

Test(poisoning, pieces_are_usable_and_undefined_until_written)
{
    MC_CLAUSE("8.3");
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *p = arena_alloc(&a, 300, 1);
    cr_assert_not_null(p, "arena_alloc(a, 300, 1) returned NULL" READ_BUMP);
    memset(p, 0x42, 300);
    arena_reset(&a);
    unsigned char *q = arena_alloc(&a, 200, 1); /* the same bytes, with stale contents */
    cr_assert(q == p,
              "the first arena_alloc(a, 200, 1) after arena_reset() is at offset %td; "
              "expected 0" READ_RESET,
              q - p);
    size_t at = 0;
    size_t poisoned = count_bytes(q, 200, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "%zu of the 200 bytes of a new piece are poisoned for %s (the first at offset "
                 "%zu); expected every byte of a piece usable" MC_READ("6.6 Reset and destroy"),
                 poisoned, checker(), at);
    size_t defined = count_not_in_state(q, 200, 0);
    cr_assert_eq(defined, 0,
                 "%zu of the 200 bytes of a new piece over stale data are not undefined for "
                 "Valgrind; expected all undefined (VALGRIND_MAKE_MEM_UNDEFINED), so that reading "
                 "stale bytes is reported" MC_READ("6.6 Reset and destroy"),
                 defined);
    unsigned char *z = arena_calloc(&a, 50, 2, 2);
    cr_assert_not_null(z, "arena_calloc(a, 50, 2, 2) returned NULL" READ_BUMP);
    size_t undefined = count_not_in_state(z, 100, 1);
    cr_assert_eq(undefined, 0,
                 "%zu of the 100 bytes from arena_calloc() are not defined for Valgrind; "
                 "expected all defined (zero)" MC_READ("6.6 Reset and destroy"),
                 undefined);
    arena_destroy(&a);
}

Test(poisoning, a_fixed_buffer_is_never_poisoned)
{
    MC_CLAUSE("8.4");
    struct arena a;
    arena_init_buffer(&a, buffer, 256);
    size_t at = 0, poisoned = 0;
    unsigned char *p = arena_alloc(&a, 100, 1);
    struct arena_mark mark = arena_save(&a);
    cr_assert(p == buffer && arena_alloc(&a, 50, 16) != NULL,
              "arena_alloc(a, 100, 1) and arena_alloc(a, 50, 16) on a fresh fixed arena failed "
              "or misplaced" READ_BUMP);
    poisoned += count_bytes(buffer, 256, 1, &at);
    arena_restore(&a, mark);
    poisoned += count_bytes(buffer, 256, 1, &at);
    arena_reset(&a);
    poisoned += count_bytes(buffer, 256, 1, &at);
    arena_destroy(&a);
    poisoned += count_bytes(buffer, 256, 1, &at);
    cr_assert_eq(poisoned, 0,
                 "a fixed arena left %zu poisoned byte(s) in the caller's buffer (after "
                 "allocations, a restore, a reset and a destroy) for %s; a fixed buffer is the "
                 "caller's and is never poisoned" MC_READ("6.4 Fixed buffers and chained blocks"),
                 poisoned, checker());
    memset(buffer, 0, 256); /* the caller's own use of its buffer */
}
