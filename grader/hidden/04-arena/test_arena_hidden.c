/*
 * Hidden tests for exercise 04: edge cases and failure paths the public
 * tests leave out.
 */
#include "mc_test.h"

#include "arena.h"

#include <stdint.h>
#include <string.h>

#define READ_BUMP    MC_READ("6.1 Bump allocation")
#define READ_ALIGN   MC_READ("6.2 Alignment with power-of-two masks")
#define READ_OVF     MC_READ("6.3 Sizes that overflow")
#define READ_MODES   MC_READ("6.4 Fixed buffers and chained blocks")
#define READ_LARGE   MC_READ("6.5 Oversized requests")
#define READ_RESET   MC_READ("6.6 Reset and destroy")
#define READ_SCRATCH MC_READ("6.7 Save points and scratch arenas")

static _Alignas(4096) unsigned char buffer[3 * 4096];

static int is_aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

static int same_stats(struct arena_stats x, struct arena_stats y)
{
    return x.used == y.used && x.reserved == y.reserved && x.blocks == y.blocks;
}

MC_SUITE(hidden_overflow);

Test(hidden_overflow, refuses_sizes_whose_rounding_would_wrap)
{
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
    struct arena a;
    cr_assert_eq(arena_init(&a, 512), 0, "arena_init(a, 512) failed" READ_MODES);
    unsigned char *p = arena_alloc(&a, 100, 8);
    cr_assert_not_null(p, "arena_alloc(a, 100, 8) returned NULL" READ_BUMP);
    struct arena_stats before = arena_stats(&a);
    struct mc_snapshot snap = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *big = arena_alloc(&a, 10000, 8);
    cr_assert_null(big, "arena_alloc(a, 10000, 8) with malloc failing returned %p" READ_LARGE, big);
    cr_assert(same_stats(arena_stats(&a), before),
              "a failed oversized arena_alloc() changed the arena's statistics" READ_LARGE);
    mc_assert_no_leak_since(snap, "a failed oversized arena_alloc()", "6.5 Oversized requests");
    unsigned char *q = arena_alloc(&a, 100, 8);
    cr_assert(
        q != NULL && q > p && q < p + 512,
        "after a failed oversized request, the next small one left the current block" READ_LARGE);
    arena_destroy(&a);
}

Test(hidden_large, many_oversized_requests_never_waste_the_current_block)
{
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
