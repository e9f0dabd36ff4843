/*
 * Hidden tests for the buddy allocator: other alignments and block sizes,
 * huge requests, every kind of bad pointer and the state after each refused
 * call, placement and the order of reuse, frees after coalescing, failure
 * injection, a long random workload checked against the statistics'
 * equations, and the poisoning.
 */
#include "mc_test.h"
#include "buddy.h"
#include "tests/buddy_helpers.h"

#include <stdint.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

static _Alignas(4096) unsigned char memory[2 * 65536];
static _Alignas(4096) unsigned char twin_memory[65536];

MC_SUITE(hidden_create);
MC_SUITE(hidden_alloc);
MC_SUITE(hidden_free);
MC_SUITE(hidden_stats);
MC_SUITE(hidden_workload);
MC_SUITE(poisoning);

#define READ_ORDERS MC_READ("8.1 Power-of-two orders")
#define READ_SPLIT  MC_READ("8.2 Splitting a block")
#define READ_XOR    MC_READ("8.3 Finding a buddy by XOR")
#define READ_MERGE  MC_READ("8.4 Coalescing on free")
#define READ_SIDE   MC_READ("8.5 Where the order is recorded")
#define READ_REJECT MC_READ("8.6 Rejecting invalid and double frees")
#define READ_FRAG   MC_READ("8.7 Internal fragmentation")
#define READ_POISON MC_READ("8.10 Telling ASan and Valgrind about free blocks")

static struct buddy *make_in(unsigned char *area, size_t offset, size_t size, size_t min)
{
    struct buddy *b = buddy_create(area + offset, size, min);
    cr_assert_not_null(
        b, "buddy_create(memory + %zu, %zu, %zu) returned NULL for valid arguments" READ_ORDERS,
        offset, size, min);
    return b;
}

static struct buddy *make_at(size_t offset, size_t size, size_t min)
{
    return make_in(memory, offset, size, min);
}

static int same_stats(const struct buddy_stats *x, const struct buddy_stats *y)
{
    return memcmp(x, y, sizeof *x) == 0;
}

/* ---- poisoning helpers: a plain run sees nothing, ASan and Valgrind see the shadow ---- */

/* Bytes of p[0, n) that Valgrind holds undefined (0 outside Valgrind). */
static size_t count_undefined(const unsigned char *p, size_t n, size_t *first)
{
    size_t count = 0;
    *first = 0;
#if !defined(__SANITIZE_ADDRESS__)
    if (!RUNNING_ON_VALGRIND)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char vbits = 0;
        if ((VALGRIND_GET_VBITS(p + i, &vbits, 1) != 1 || vbits != 0) && count++ == 0)
            *first = i;
    }
#else
    (void)p;
    (void)n;
#endif
    return count;
}

/* The test's own record of the allocated blocks of one allocator. */
struct live {
    unsigned char *p[64];
    size_t n;
};

/* Asserts the poisoning of every byte of region[0, size): usable inside the blocks of
 * `live` (their buddy_block_size() bytes), poisoned everywhere else (clauses 8.1, 8.2). */
static void assert_poisoning(const struct buddy *b, const unsigned char *region, size_t size,
                             const struct live *live, const char *when)
{
    size_t wrong_free = 0, wrong_used = 0, first_free = 0, first_used = 0;
    size_t offset = checker() == NULL ? size : 0; /* a plain run cannot tell */
    while (offset < size) {
        size_t block = 0;
        for (size_t i = 0; i < live->n && block == 0; i++) {
            if (live->p[i] == region + offset)
                block = buddy_block_size(b, live->p[i]);
        }
        size_t at = 0;
        if (block != 0) {
            size_t bad = count_bytes(region + offset, block, 1, &at);
            if (bad != 0 && wrong_used == 0)
                first_used = offset + at;
            wrong_used += bad;
            offset += block;
        } else {
            if (!is_poisoned(region + offset) && wrong_free++ == 0)
                first_free = offset;
            offset++;
        }
    }
    cr_assert(wrong_free == 0 && wrong_used == 0,
              "%s: %zu bytes of free blocks are not poisoned for %s (the first at offset %zu), and "
              "%zu bytes of allocated blocks are (the first at offset %zu); expected every free "
              "byte poisoned and every allocated byte usable" READ_POISON,
              when, wrong_free, checker(), first_free, wrong_used, first_used);
}

/* ---- creation ---------------------------------------------------------------------------- */

Test(hidden_create, fails_cleanly_whichever_allocation_fails)
{
    MC_CLAUSE("1.3", "1.4");
    for (size_t n = 1; n <= 6; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed_before = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct buddy *b = buddy_create(memory + 16, 4096, 16);
        mc_fail_none();
        if (mc_failed_allocs() != failed_before) {
            cr_assert_null(
                b, "with %s failing, buddy_create() returned an allocator; expected NULL" READ_SIDE,
                mc_fail_note());
        } else {
            void *p = b != NULL ? buddy_alloc(b, 4096) : NULL;
            cr_assert(
                p == (void *)(memory + 16),
                "with no allocation failing, buddy_create(memory + 16, 4096, 16) gave an "
                "allocator that does not hand out the whole region: %p; expected %p" READ_SIDE,
                p, (void *)(memory + 16));
        }
        buddy_destroy(b);
        mc_assert_no_leak_since(before, "buddy_create() with one allocation failing",
                                "8.5 Where the order is recorded");
    }
    buddy_destroy(make_at(16, 4096, 16));
}

Test(hidden_create, rejects_each_bad_argument_and_leaves_nothing_allocated)
{
    MC_CLAUSE("1.1", "1.2", "1.4");
    static const struct {
        size_t offset, size, min;
        const char *why;
    } cases[] = {
        {1, 1024, 16, "a region 1 byte past a 16-byte boundary"},
        {4, 1024, 16, "a region 4 bytes past a 16-byte boundary"},
        {24, 1024, 16, "a region 8 bytes past a 16-byte boundary"},
        {16, 3, 16, "a region of 3 bytes"},
        {16, 1536, 16, "a region of 1536 bytes"},
        {16, 1024 + 16, 16, "a region of 1040 bytes"},
        {16, 1024, 0, "min_block 0"},
        {16, 1024, 1, "min_block 1"},
        {16, 1024, 8, "min_block 8"},
        {16, 1024, 15, "min_block 15"},
        {16, 1024, 48, "min_block 48"},
        {16, 1024, 2048, "min_block 2048, above the region size"},
        {16, 8, 8, "a region of 8 bytes with min_block 8"},
        {16, 0, 0, "a region of 0 bytes with min_block 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        struct buddy *b = buddy_create(memory + cases[i].offset, cases[i].size, cases[i].min);
        cr_assert_null(
            b, "buddy_create() accepted %s (size %zu, min_block %zu); expected NULL" READ_ORDERS,
            cases[i].why, cases[i].size, cases[i].min);
        mc_assert_no_leak_since(before, "buddy_create() with a bad argument",
                                "8.1 Power-of-two orders");
    }
    struct mc_snapshot before = mc_snapshot();
    cr_assert_null(buddy_create(NULL, 1024, 16),
                   "buddy_create(NULL, 1024, 16) returned an allocator; expected NULL" READ_ORDERS);
    mc_assert_no_leak_since(before, "buddy_create(NULL, ...)", "8.1 Power-of-two orders");
    buddy_destroy(make_at(16, 16, 16)); /* the smallest valid arguments are accepted */
}

Test(hidden_create, accepts_a_region_of_a_single_block)
{
    MC_CLAUSE("1.5", "3.3", "6.6", "4.2");
    static const size_t sizes[] = {64, 16};
    for (size_t i = 0; i < 2; i++) {
        size_t size = sizes[i];
        struct buddy *b = make_at(32, size, size);
        struct buddy_stats s = stats_of(b);
        cr_assert(
            s.free_bytes == size && s.largest_free == size && s.free_blocks[0] == 1 &&
                s.free_blocks[1] == 0,
            "a %zu-byte region with min_block %zu: expected one free block of order 0; got "
            "free %zu, largest %zu, and %zu and %zu free blocks of orders 0 and 1" READ_ORDERS,
            size, size, s.free_bytes, s.largest_free, s.free_blocks[0], s.free_blocks[1]);
        void *p = buddy_alloc(b, 1);
        cr_assert(p == (void *)(memory + 32) && buddy_block_size(b, p) == size,
                  "a %zu-byte region with min_block %zu: buddy_alloc(b, 1) must return the whole "
                  "region as one block; got %p of %zu bytes" READ_ORDERS,
                  size, size, p, buddy_block_size(b, p));
        cr_assert_null(buddy_alloc(b, 1),
                       "the single-block region is in use; expected NULL" READ_SPLIT);
        cr_assert_eq(buddy_free(b, p), 0,
                     "buddy_free() of the only block did not return 0" READ_MERGE);
        s = stats_of(b);
        cr_assert(s.free_bytes == size && s.largest_free == size && s.free_blocks[0] == 1,
                  "after freeing the only block, expected one free order-0 block of %zu bytes; "
                  "got free %zu, largest %zu" READ_MERGE,
                  size, s.free_bytes, s.largest_free);
        buddy_destroy(b);
    }
}

Test(hidden_create, a_new_allocator_is_one_free_block_of_the_top_order)
{
    MC_CLAUSE("1.5", "6.1", "6.2", "6.6");
    static const struct {
        size_t size, min;
        unsigned top;
    } cases[] = {{65536, 16, 12}, {65536, 4096, 4}, {2048, 1024, 1}, {32, 16, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buddy *b = make_at(16, cases[i].size, cases[i].min);
        struct buddy_stats s = stats_of(b);
        size_t others = 0;
        for (unsigned k = 0; k < BUDDY_MAX_ORDERS; k++)
            others += k == cases[i].top ? 0 : s.free_blocks[k];
        cr_assert(s.free_bytes == cases[i].size && s.largest_free == cases[i].size &&
                      s.free_blocks[cases[i].top] == 1 && others == 0 && s.used_bytes == 0 &&
                      s.requested_bytes == 0 && s.internal_fragmentation == 0,
                  "buddy_create(region, %zu, %zu): expected one free block of order %u and nothing "
                  "else; got free %zu, largest %zu, free_blocks[%u] %zu, %zu other free blocks, "
                  "used %zu" READ_ORDERS,
                  cases[i].size, cases[i].min, cases[i].top, s.free_bytes, s.largest_free,
                  cases[i].top, s.free_blocks[cases[i].top], others, s.used_bytes);
        void *all = buddy_alloc(b, cases[i].size);
        cr_assert_eq(all, (void *)(memory + 16),
                     "buddy_alloc(b, %zu) on a new %zu-byte allocator returned %p; expected the "
                     "region %p" READ_ORDERS,
                     cases[i].size, cases[i].size, all, (void *)(memory + 16));
        buddy_destroy(b);
    }
}

/* ---- allocation ------------------------------------------------------------------------ */

Test(hidden_alloc, never_overflows_on_huge_requests)
{
    MC_CLAUSE("3.2");
    static const size_t huge[] = {SIZE_MAX,     SIZE_MAX - 15,   SIZE_MAX / 2 + 1,
                                  SIZE_MAX / 2, (size_t)1 << 40, 65536 + 1};
    struct buddy *b = make_at(16, 65536, 16);
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        void *p = buddy_alloc(b, huge[i]);
        cr_assert_null(
            p, "buddy_alloc(b, %zu) on a 65536-byte region returned %p; expected NULL" READ_ORDERS,
            huge[i], p);
    }
    struct buddy_stats s = stats_of(b);
    cr_assert(s.free_bytes == 65536 && s.used_bytes == 0 && s.requested_bytes == 0,
              "refused requests changed the allocator: free %zu, used %zu, requested %zu; "
              "expected 65536, 0 and 0" READ_ORDERS,
              s.free_bytes, s.used_bytes, s.requested_bytes);
    buddy_destroy(b);
}

Test(hidden_alloc, rounds_with_other_block_sizes)
{
    MC_CLAUSE("3.3", "5.1");
    static const struct {
        size_t min, size, want;
    } cases[] = {
        {64, 1, 64},      {64, 64, 64},     {64, 65, 128},    {64, 128, 128},
        {256, 255, 256},  {256, 256, 256},  {256, 257, 512},  {256, 4096, 4096},
        {32, 2048, 2048}, {32, 2049, 4096}, {16, 8192, 8192}, {16, 4097, 8192},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buddy *b = make_at(48, 8192, cases[i].min);
        void *p = buddy_alloc(b, cases[i].size);
        size_t got = buddy_block_size(b, p);
        cr_assert(p != NULL && got == cases[i].want,
                  "min_block %zu: buddy_alloc(b, %zu) gave a %zu-byte block at %p; expected "
                  "%zu" READ_ORDERS,
                  cases[i].min, cases[i].size, got, p, cases[i].want);
        buddy_destroy(b);
    }
}

Test(hidden_alloc, keeps_every_split_off_half)
{
    MC_CLAUSE("3.4", "4.2");
    /* 4096 bytes in 64-byte units: whatever the order of requests, the
     * region must hold exactly 64 unit blocks, then 16 of 256 bytes. */
    struct buddy *b = make_at(16, 4096, 64);
    void *p[64];
    size_t count = 0;
    while (count < 64 && (p[count] = buddy_alloc(b, 64)) != NULL)
        count++;
    cr_assert_eq(
        count, 64,
        "a 4096-byte region with 64-byte blocks handed out %zu blocks; expected 64" READ_SPLIT,
        count);
    cr_assert_null(buddy_alloc(b, 1), "a full region handed out one more block" READ_SPLIT);
    for (size_t i = 0; i < count; i++)
        buddy_free(b, p[i]);
    count = 0;
    while (count < 16 && (p[count] = buddy_alloc(b, 200)) != NULL)
        count++;
    cr_assert_eq(count, 16,
                 "after freeing everything, the region handed out %zu blocks of 256 bytes; "
                 "expected 16" READ_MERGE,
                 count);
    buddy_destroy(b);
}

Test(hidden_alloc, keeps_the_lower_half_of_every_split)
{
    MC_CLAUSE("3.4", "3.6");
    unsigned char *region = memory + 16;
    struct buddy *b = make_at(16, 1024, 16);
    /* Each request takes the upper half left by the split before it. */
    static const struct {
        size_t size, offset;
    } steps[] = {{16, 0}, {16, 16}, {32, 32}, {64, 64}, {128, 128}, {256, 256}, {512, 512}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        unsigned char *p = buddy_alloc(b, steps[i].size);
        cr_assert_eq(p, region + steps[i].offset,
                     "step %zu: buddy_alloc(b, %zu) returned offset %td; expected %zu: a split "
                     "keeps the lower half and frees the upper one" READ_SPLIT,
                     i + 1, steps[i].size, p == NULL ? (ptrdiff_t)-1 : p - region, steps[i].offset);
    }
    buddy_destroy(b);
    /* Splitting a block that is not at offset 0 keeps its lower half too. */
    b = make_at(16, 1024, 16);
    unsigned char *half = buddy_alloc(b, 512);
    unsigned char *small = buddy_alloc(b, 20);
    unsigned char *next = buddy_alloc(b, 64);
    cr_assert(half == region && small == region + 512 && next == region + 576,
              "after buddy_alloc(b, 512) (offset %td), buddy_alloc(b, 20) returned offset %td and "
              "buddy_alloc(b, 64) offset %td; expected 0, 512 and 576: the split of the upper "
              "512-byte block keeps its lower half each time" READ_SPLIT,
              half - region, small == NULL ? (ptrdiff_t)-1 : small - region,
              next == NULL ? (ptrdiff_t)-1 : next - region);
    buddy_destroy(b);
}

Test(hidden_alloc, reuses_the_block_that_became_free_most_recently)
{
    MC_CLAUSE("3.5", "4.2");
    unsigned char *region = memory + 16;
    struct buddy *b = make_at(16, 1024, 16);
    unsigned char *p[8];
    for (size_t i = 0; i < 8; i++) {
        p[i] = buddy_alloc(b, 64);
        cr_assert_eq(p[i], region + 64 * i,
                     "allocation %zu of 64 bytes returned offset %td; expected %zu (lower halves "
                     "first)" READ_SPLIT,
                     i + 1, p[i] == NULL ? (ptrdiff_t)-1 : p[i] - region, 64 * i);
    }
    /* Free 256 then 0 (their buddies are live: no merge), then 64 (merges with 0 into a
     * 128-byte block at 0), then 448: the 64-byte free list is now 448, 256. */
    cr_assert(buddy_free(b, p[4]) == 0 && buddy_free(b, p[0]) == 0 && buddy_free(b, p[1]) == 0 &&
                  buddy_free(b, p[7]) == 0,
              "buddy_free() of a live block did not return 0" READ_MERGE);
    static const size_t want[] = {448, 256, 0, 64};
    static const char *const why[] = {
        "the 64-byte block freed last",
        "the other free 64-byte block",
        "the lower half of the 128-byte block the merge produced",
        "the upper half of that split",
    };
    for (size_t i = 0; i < 4; i++) {
        unsigned char *q = buddy_alloc(b, 64);
        cr_assert_eq(q, region + want[i],
                     "buddy_alloc(b, 64) number %zu after the frees returned offset %td; expected "
                     "%zu, %s: each order's free list is last in, first out" MC_READ(
                         "8.8 Why a buddy allocator is fast"),
                     i + 1, q == NULL ? (ptrdiff_t)-1 : q - region, want[i], why[i]);
    }
    buddy_destroy(b);

    /* A block that a merge produces goes to the head of its order's list. */
    b = make_at(16, 1024, 16);
    unsigned char *q[8];
    for (size_t i = 0; i < 8; i++) {
        q[i] = buddy_alloc(b, 128);
        cr_assert_eq(q[i], region + 128 * i,
                     "allocation %zu of 128 bytes returned offset %td; expected %zu (lower halves "
                     "first)" READ_SPLIT,
                     i + 1, q[i] == NULL ? (ptrdiff_t)-1 : q[i] - region, 128 * i);
    }
    /* 256 and 384 merge into a 256-byte block at 256, then 768 and 896 into one at 768. */
    cr_assert(buddy_free(b, q[2]) == 0 && buddy_free(b, q[3]) == 0 && buddy_free(b, q[6]) == 0 &&
                  buddy_free(b, q[7]) == 0,
              "buddy_free() of a live block did not return 0" READ_MERGE);
    unsigned char *newer = buddy_alloc(b, 256);
    unsigned char *older = buddy_alloc(b, 256);
    cr_assert(newer == region + 768 && older == region + 256,
              "after two merges made free 256-byte blocks at 256 and then at 768, "
              "buddy_alloc(b, 256) returned offsets %td and %td; expected 768 (the block the "
              "latest merge produced) and then 256" MC_READ("8.8 Why a buddy allocator is fast"),
              newer == NULL ? (ptrdiff_t)-1 : newer - region,
              older == NULL ? (ptrdiff_t)-1 : older - region);
    buddy_destroy(b);
}

/* Runs the same calls on two allocators: the one under test, which also gets a refused call
 * (a bad free, or a request that cannot be served) before each allocation, and a twin that
 * does not. Both must hand out the same offsets afterwards (clause 4.8 and 3.2). */
struct pair {
    struct buddy *b, *twin;
    unsigned char *region, *twin_region;
};

static struct pair make_pair(size_t size, size_t min)
{
    struct pair pr = {make_at(16, size, min), make_in(twin_memory, 16, size, min), memory + 16,
                      twin_memory + 16};
    return pr;
}

static void assert_same_future(struct pair *pr, const size_t *sizes, size_t n, const char *after)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char *x = buddy_alloc(pr->b, sizes[i]);
        unsigned char *y = buddy_alloc(pr->twin, sizes[i]);
        ptrdiff_t ox = x == NULL ? -1 : x - pr->region;
        ptrdiff_t oy = y == NULL ? -1 : y - pr->twin_region;
        cr_assert_eq(ox, oy,
                     "after %s, buddy_alloc(b, %zu) number %zu returned offset %td; an allocator "
                     "that never saw the refused call returns offset %td: a refused call must "
                     "leave the free lists as they were" READ_REJECT,
                     after, sizes[i], i + 1, ox, oy);
    }
}

Test(hidden_alloc, a_refused_request_changes_nothing)
{
    MC_CLAUSE("3.1", "3.2");
    struct pair pr = make_pair(1024, 16);
    void *x = buddy_alloc(pr.b, 16);
    void *y = buddy_alloc(pr.twin, 16);
    cr_assert(
        x != NULL && y != NULL,
        "on two new allocators, buddy_alloc(b, %d) gave %p and %p; expected two blocks" READ_SPLIT,
        16, x, y);
    /* Free: 16, 32, 64, 128, 256 and 512 bytes, 1008 in all; nothing holds 600. */
    static const size_t refused[] = {600, 0, 1025, SIZE_MAX, 513};
    struct buddy_stats before = stats_of(pr.b);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        void *p = buddy_alloc(pr.b, refused[i]);
        struct buddy_stats after = stats_of(pr.b);
        cr_assert(p == NULL && same_stats(&before, &after),
                  "buddy_alloc(b, %zu) with 1008 bytes free but no free block above 512 bytes "
                  "returned %p and %s the statistics; expected NULL and no change" READ_ORDERS,
                  refused[i], p, same_stats(&before, &after) ? "kept" : "changed");
    }
    static const size_t sizes[] = {512, 16, 32, 256, 64, 128, 16};
    assert_same_future(&pr, sizes, sizeof sizes / sizeof sizes[0], "refused requests");
    buddy_destroy(pr.b);
    buddy_destroy(pr.twin);
}

/* ---- free ---------------------------------------------------------------------------- */

Test(hidden_free, finds_buddies_by_offset_at_any_alignment)
{
    MC_CLAUSE("4.2", "7.2");
    static const size_t offsets[] = {16, 48, 256, 1040, 2064};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        struct buddy *b = make_at(offsets[i], 2048, 16);
        void *x = buddy_alloc(b, 1024);
        void *y = buddy_alloc(b, 512);
        void *z = buddy_alloc(b, 512);
        cr_assert(x != NULL && y != NULL && z != NULL,
                  "region at memory + %zu: buddy_alloc() of 1024, 512, 512 returned NULL" READ_XOR,
                  offsets[i]);
        int rc = buddy_free(b, z) | buddy_free(b, x) | buddy_free(b, y);
        void *all = buddy_alloc(b, 2048);
        cr_assert(rc == 0 && all == (void *)(memory + offsets[i]),
                  "region at memory + %zu (not aligned to its size 2048): after freeing every "
                  "block, buddy_alloc(b, 2048) returned %p; expected the region start %p. Find "
                  "the buddy from the offset in the region, not the address" READ_XOR,
                  offsets[i], all, (void *)(memory + offsets[i]));
        buddy_destroy(b);
    }
}

Test(hidden_free, merges_up_to_the_top_and_stops_there)
{
    MC_CLAUSE("4.2", "6.6");
    struct buddy *b = make_at(16, 256, 16);
    void *p[16];
    for (size_t i = 0; i < 16; i++)
        p[i] = buddy_alloc(b, 16);
    /* Free the odd units first (no buddy free yet), then the even ones: every free of an
     * even unit merges all the way up that its neighbours allow. */
    for (size_t i = 1; i < 16; i += 2)
        cr_assert_eq(buddy_free(b, p[i]), 0,
                     "buddy_free() of a live block did not return 0" READ_MERGE);
    struct buddy_stats s = stats_of(b);
    cr_assert(
        s.free_blocks[0] == 8 && s.free_blocks[1] == 0,
        "with every other 16-byte unit free, expected 8 free blocks of order 0; got %zu" READ_MERGE,
        s.free_blocks[0]);
    for (size_t i = 0; i < 16; i += 2)
        cr_assert_eq(buddy_free(b, p[i]), 0,
                     "buddy_free() of a live block did not return 0" READ_MERGE);
    s = stats_of(b);
    size_t others = 0;
    for (unsigned k = 0; k < BUDDY_MAX_ORDERS; k++)
        others += k == 4 ? 0 : s.free_blocks[k];
    cr_assert(s.free_blocks[4] == 1 && others == 0 && s.largest_free == 256,
              "after freeing all 16 units of a 256-byte region, expected exactly one free block "
              "of order 4; got %zu of order 4 and %zu others, largest %zu" READ_MERGE,
              s.free_blocks[4], others, s.largest_free);
    buddy_destroy(b);
}

Test(hidden_free, rejects_blocks_that_were_merged_away)
{
    MC_CLAUSE("4.7", "4.8", "5.2");
    struct buddy *b = make_at(16, 1024, 16);
    void *lo = buddy_alloc(b, 16);
    void *hi = buddy_alloc(b, 16);
    void *keep = buddy_alloc(b, 32);
    cr_assert(lo != NULL && hi != NULL && keep != NULL,
              "buddy_alloc() of 16, 16 and 32 bytes returned NULL" READ_SPLIT);
    cr_assert(buddy_free(b, lo) == 0 && buddy_free(b, hi) == 0,
              "buddy_free() of two live 16-byte blocks did not return 0" READ_MERGE);
    struct buddy_stats before = stats_of(b);
    void *stale[] = {lo, hi};
    for (size_t i = 0; i < 2; i++) {
        int rc = buddy_free(b, stale[i]);
        struct buddy_stats after = stats_of(b);
        cr_assert(rc == -1 && same_stats(&before, &after),
                  "freeing the %s half of a merged pair again returned %d; expected -1 and no "
                  "change" READ_REJECT,
                  i == 0 ? "lower" : "upper", rc);
        cr_assert_eq(
            buddy_block_size(b, stale[i]), 0,
            "buddy_block_size() of a freed block returned non-zero; expected 0" READ_REJECT);
    }
    cr_assert_eq(
        buddy_block_size(b, (unsigned char *)keep + 16), 0,
        "buddy_block_size() of a pointer inside a block returned non-zero; expected 0" READ_REJECT);
    cr_assert_eq(buddy_free(b, keep), 0,
                 "buddy_free() of a live block did not return 0" READ_MERGE);
    buddy_destroy(b);
}

Test(hidden_free, rejects_pointers_just_outside_the_region)
{
    MC_CLAUSE("4.3", "5.2");
    struct buddy *b = make_at(4096, 4096, 16);
    void *p = buddy_alloc(b, 4096);
    cr_assert_not_null(p, "buddy_alloc(b, %d) on a new %d-byte allocator gave no block" READ_ORDERS,
                       4096, 4096);
    unsigned char *outside[] = {memory + 4096 - 16, memory + 4096 - 1, memory + 8192,
                                memory + 8192 + 16, memory};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        int rc = buddy_free(b, outside[i]);
        cr_assert_eq(rc, -1,
                     "buddy_free() of a pointer %td bytes from the region start returned %d; "
                     "expected -1" READ_REJECT,
                     outside[i] - (memory + 4096), rc);
        cr_assert_eq(buddy_block_size(b, outside[i]), 0,
                     "buddy_block_size() of a pointer %td bytes from the region start is not "
                     "0" READ_REJECT,
                     outside[i] - (memory + 4096));
    }
    cr_assert_eq(buddy_block_size(b, NULL), 0, "buddy_block_size(b, NULL) is not 0" READ_REJECT);
    cr_assert_eq(buddy_free(b, p), 0,
                 "buddy_free() of the whole region did not return 0" READ_MERGE);
    buddy_destroy(b);
}

Test(hidden_free, rejects_every_kind_of_bad_pointer_and_changes_nothing)
{
    MC_CLAUSE("4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "5.2", "4.1");
    struct pair pr = make_pair(1024, 16);
    struct buddy *b = pr.b;
    unsigned char *r = pr.region;
    /* The same allocations on both: 64 at 0, 64 at 64, 128 at 128, 16 at 256; then free the
     * block at 64 (no merge: its buddy at 0 is live). */
    static const size_t sizes[] = {64, 64, 128, 16};
    unsigned char *p[4];
    for (size_t i = 0; i < 4; i++) {
        p[i] = buddy_alloc(b, sizes[i]);
        cr_assert_not_null(buddy_alloc(pr.twin, sizes[i]),
                           "buddy_alloc() returned NULL" READ_SPLIT);
        cr_assert_not_null(p[i], "buddy_alloc(b, %zu) returned NULL" READ_SPLIT, sizes[i]);
        memset(p[i], (int)(0xB0 + i), sizes[i]);
    }
    cr_assert(buddy_free(b, p[1]) == 0 && buddy_free(pr.twin, pr.twin_region + 64) == 0,
              "buddy_free() of a live block did not return 0" READ_MERGE);
    long local = 0;
    const struct {
        void *ptr;
        const char *what;
    } bad[] = {
        {r - 16, "a pointer 16 bytes before the region"},
        {r - 1, "a pointer 1 byte before the region"},
        {r + 1024, "the end of the region"},
        {r + 4096, "a pointer far past the region"},
        {&local, "a local variable"},
        {p[0] + 1, "a pointer 1 byte into a block"},
        {p[0] + 8, "a pointer 8 bytes into a block"},
        {p[2] + 15, "a pointer 15 bytes into a block"},
        {p[0] + 16, "a pointer one unit into an allocated block"},
        {p[2] + 64, "a pointer 64 bytes into an allocated 128-byte block"},
        {r + 512 + 64, "a pointer inside a free block"},
        {r + 512, "the start of a free block never handed out (an upper half)"},
        {r + 272, "the start of a free 16-byte block never handed out"},
        {p[1], "a block freed already"},
        {p[1] + 16, "a pointer one unit into a freed block"},
    };
    struct buddy_stats before = stats_of(b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = buddy_free(b, bad[i].ptr);
        struct buddy_stats after = stats_of(b);
        cr_assert(rc == -1 && same_stats(&before, &after),
                  "buddy_free() of %s returned %d and %s the statistics; expected -1 and no "
                  "change" READ_REJECT,
                  bad[i].what, rc, same_stats(&before, &after) ? "kept" : "changed");
        cr_assert_eq(buddy_block_size(b, bad[i].ptr), 0,
                     "buddy_block_size() of %s is %zu; expected 0" READ_REJECT, bad[i].what,
                     buddy_block_size(b, bad[i].ptr));
        size_t live_sizes =
            buddy_block_size(b, p[0]) + buddy_block_size(b, p[2]) + buddy_block_size(b, p[3]);
        cr_assert_eq(live_sizes, 64 + 128 + 16,
                     "after buddy_free() of %s, the live blocks measure %zu bytes in all; expected "
                     "208, unchanged" READ_REJECT,
                     bad[i].what, live_sizes);
    }
    cr_assert_eq(buddy_free(b, NULL), 0, "buddy_free(b, NULL) did not return 0" READ_REJECT);
    size_t changed = 0;
    static const size_t live[] = {0, 2, 3};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < sizes[live[i]]; k++)
            changed += p[live[i]][k] != (unsigned char)(0xB0 + live[i]);
    cr_assert_eq(changed, 0, "refused frees changed %zu bytes of live blocks" READ_REJECT, changed);
    static const size_t future[] = {64, 16, 16, 32, 512, 64, 128};
    assert_same_future(&pr, future, sizeof future / sizeof future[0], "refused frees");
    buddy_destroy(pr.b);
    buddy_destroy(pr.twin);
}

/* ---- statistics ------------------------------------------------------------------------ */

Test(hidden_stats, a_full_region_has_no_largest_free_block)
{
    MC_CLAUSE("6.2", "6.1", "6.3", "6.6");
    struct buddy *b = make_at(16, 512, 32);
    void *a = buddy_alloc(b, 256);
    void *c = buddy_alloc(b, 200);
    cr_assert(a != NULL && c != NULL,
              "buddy_alloc() of 256 and 200 bytes returned NULL" READ_SPLIT);
    struct buddy_stats s = stats_of(b);
    size_t nonzero = 0;
    for (unsigned k = 0; k < BUDDY_MAX_ORDERS; k++)
        nonzero += s.free_blocks[k] != 0;
    cr_assert(s.largest_free == 0 && s.free_bytes == 0 && s.used_bytes == 512 && nonzero == 0,
              "with the whole region allocated, expected largest_free 0, free_bytes 0, used 512 "
              "and every free_blocks[k] 0; got %zu, %zu, %zu and %zu orders not 0" READ_FRAG,
              s.largest_free, s.free_bytes, s.used_bytes, nonzero);
    cr_assert_eq(buddy_free(b, c), 0, "buddy_free() did not return 0" READ_MERGE);
    s = stats_of(b);
    size_t above = 0;
    for (unsigned k = 4; k < BUDDY_MAX_ORDERS; k++)
        above += s.free_blocks[k];
    cr_assert(s.largest_free == 256 && s.free_blocks[3] == 1 && above == 0,
              "after freeing the upper 256-byte block of a 512-byte region (min_block 32), "
              "expected largest_free 256, one free block of order 3 and 0 for every order above "
              "the top; got %zu, %zu, %zu" READ_FRAG,
              s.largest_free, s.free_blocks[3], above);
    buddy_destroy(b);
}

/* xorshift64: the same sequence on every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

enum { SLOTS = 48, STEPS = 1500, WREGION = 16384 };

Test(hidden_workload, random_requests_keep_blocks_apart_and_stats_exact)
{
    MC_CLAUSE("3.6", "4.2", "6.1", "6.3", "6.4", "6.5", "8.4", "2.1");
    struct buddy *b = make_at(16, WREGION, 16);
    unsigned char *slot[SLOTS] = {0};
    size_t asked[SLOTS] = {0};
    uint64_t rng = 0x9E3779B97F4A7C15u;
    size_t used = 0, requested = 0;
    for (int step = 0; step < STEPS; step++) {
        size_t i = (size_t)(next_random(&rng) % SLOTS);
        int ok = 1;
        if (slot[i] != NULL) {
            /* The block must still hold its fill byte: nobody overlapped it. */
            for (size_t j = 0; j < asked[i]; j++)
                ok &= slot[i][j] == (unsigned char)(i + 1);
            used -= buddy_block_size(b, slot[i]);
            requested -= asked[i];
            ok &= buddy_free(b, slot[i]) == 0;
            slot[i] = NULL;
        } else {
            size_t size = 1 + (size_t)(next_random(&rng) % (16u << (next_random(&rng) % 8)));
            slot[i] = buddy_alloc(b, size);
            if (slot[i] != NULL) {
                size_t block = buddy_block_size(b, slot[i]);
                ok &= block >= size && block < 2 * size + 16 && (block & (block - 1)) == 0;
                ok &= slot[i] >= memory + 16 && slot[i] + block <= memory + 16 + WREGION;
                memset(slot[i], (int)(i + 1), size);
                asked[i] = size;
                used += block;
                requested += size;
            }
        }
        struct buddy_stats s = stats_of(b);
        cr_assert(ok && s.used_bytes == used && s.requested_bytes == requested &&
                      s.free_bytes + s.used_bytes == WREGION &&
                      s.internal_fragmentation == used - requested,
                  "step %d of a random workload: a block was overwritten, mis-sized or "
                  "rejected, or the statistics drifted (used %zu, expected %zu; requested %zu, "
                  "expected %zu; free %zu)" READ_FRAG,
                  step, s.used_bytes, used, s.requested_bytes, requested, s.free_bytes);
    }
    for (size_t i = 0; i < SLOTS; i++)
        buddy_free(b, slot[i]);
    struct buddy_stats s = stats_of(b);
    cr_assert(s.largest_free == WREGION && s.free_blocks[10] == 1,
              "after the workload freed everything, largest_free is %zu; expected one block of "
              "%d bytes" READ_MERGE,
              s.largest_free, WREGION);
    buddy_destroy(b);
}

/* ---- poisoning (checked under ASan and Valgrind only) --------------------------------- */

Test(poisoning, every_free_block_is_poisoned_and_every_allocated_one_usable)
{
    MC_CLAUSE("8.1", "8.2");
    static const struct {
        size_t size, min, offset;
    } cases[] = {{1024, 16, 16}, {4096, 64, 48}, {256, 32, 1040}};
    static const size_t requests[] = {100, 1, 33, 200, 16, 64};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned char *region = memory + cases[c].offset;
        struct buddy *b = make_at(cases[c].offset, cases[c].size, cases[c].min);
        struct live live = {.n = 0};
        assert_poisoning(b, region, cases[c].size, &live, "right after buddy_create()");
        for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
            unsigned char *p = buddy_alloc(b, requests[i]);
            if (p == NULL)
                continue;
            memset(p, 0x3C, buddy_block_size(b, p)); /* the caller may write all of it */
            live.p[live.n++] = p;
            assert_poisoning(b, region, cases[c].size, &live, "after a buddy_alloc()");
        }
        /* Free every other block, then the rest: frees with and without merges. */
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t i = pass; i < live.n; i += 2) {
                if (live.p[i] == NULL)
                    continue;
                cr_assert_eq(buddy_free(b, live.p[i]), 0,
                             "buddy_free() of a live block did not return 0" READ_MERGE);
                live.p[i] = NULL;
                assert_poisoning(b, region, cases[c].size, &live, "after a buddy_free()");
            }
        }
        buddy_destroy(b);
    }
}

Test(poisoning, destroy_gives_the_region_back_usable_and_defined)
{
    MC_CLAUSE("8.3", "2.1");
    unsigned char *region = memory + 16;
    struct buddy *b = make_at(16, 2048, 16);
    unsigned char *p = buddy_alloc(b, 300); /* live at destroy, 512 bytes */
    unsigned char *q = buddy_alloc(b, 40);  /* freed before destroy */
    cr_assert(p != NULL && q != NULL, "buddy_alloc() returned NULL" READ_SPLIT);
    memset(p, 1, 10); /* the rest of p is never written */
    cr_assert_eq(buddy_free(b, q), 0, "buddy_free() of a live block did not return 0" READ_MERGE);
    buddy_destroy(b);
    size_t at = 0;
    size_t poisoned = count_bytes(region, 2048, 1, &at);
    cr_assert_eq(
        poisoned, 0,
        "after buddy_destroy(), %zu bytes of the region are still poisoned for %s (the "
        "first at offset %zu); expected none: the region is the caller's again" READ_POISON,
        poisoned, checker(), at);
    size_t undefined = count_undefined(region, 2048, &at);
    cr_assert_eq(undefined, 0,
                 "after buddy_destroy(), %zu bytes of the region are undefined to Valgrind (the "
                 "first at offset %zu); expected every byte defined again "
                 "(VALGRIND_MAKE_MEM_DEFINED)" READ_POISON,
                 undefined, at);
    size_t kept = 0;
    for (size_t i = 0; i < 10; i++)
        kept += region[(size_t)(p - region) + i] == 1; /* the caller reads its region */
    cr_assert_eq(kept, 10,
                 "after buddy_destroy(), %zu of the 10 bytes the caller wrote into a block are "
                 "still there; expected all 10: destroy leaves the region's contents as they "
                 "are" READ_POISON,
                 kept);
    memset(region, 0, 2048);
    b = make_at(16, 2048, 16); /* and may lend it again */
    assert_poisoning(b, region, 2048, &(struct live){.n = 0}, "after a second buddy_create()");
    buddy_destroy(b);
}

Test(poisoning, a_refused_call_poisons_nothing)
{
    MC_CLAUSE("1.4", "4.8", "8.1", "8.2");
    unsigned char *region = memory + 16;
    size_t at = 0;
    /* A refused buddy_create() leaves the region usable. */
    static const size_t mins[] = {8, 24, 4096};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_null(
            buddy_create(region, 2048, mins[i]),
            "buddy_create(region, 2048, %zu) returned an allocator; expected NULL" READ_ORDERS,
            mins[i]);
        size_t poisoned = count_bytes(region, 2048, 1, &at);
        cr_assert_eq(poisoned, 0,
                     "buddy_create(region, 2048, %zu) was refused but left %zu bytes of the region "
                     "poisoned for %s (the first at offset %zu); expected none" READ_POISON,
                     mins[i], poisoned, checker(), at);
    }
    for (size_t n = 1; n <= 4; n++) {
        size_t failed_before = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct buddy *b = buddy_create(region, 2048, 16);
        mc_fail_none();
        if (mc_failed_allocs() == failed_before) { /* buddy_create() needs fewer allocations */
            cr_assert_not_null(b, "buddy_create(region, 2048, 16) returned NULL although no "
                                  "allocation failed" READ_ORDERS);
            buddy_destroy(b);
        } else {
            cr_assert_null(b, "with %s failing, buddy_create() returned an allocator" READ_SIDE,
                           mc_fail_note());
        }
        size_t poisoned = count_bytes(region, 2048, 1, &at);
        cr_assert_eq(poisoned, 0,
                     "buddy_create() with %s failing, or buddy_destroy() after it, left %zu bytes "
                     "of the region poisoned for %s (the first at offset %zu); expected "
                     "none" READ_POISON,
                     mc_fail_note(), poisoned, checker(), at);
    }
    /* A refused buddy_free() changes no byte's poisoning. */
    struct buddy *b = make_at(16, 2048, 16);
    struct live live = {.n = 0};
    static const size_t sizes[] = {256, 64, 64, 512};
    for (size_t i = 0; i < 4; i++) {
        live.p[live.n] = buddy_alloc(b, sizes[i]);
        cr_assert_not_null(live.p[live.n], "buddy_alloc(b, %zu) returned NULL" READ_SPLIT,
                           sizes[i]);
        live.n++;
    }
    unsigned char *freed = live.p[2];
    cr_assert_eq(buddy_free(b, freed), 0,
                 "buddy_free() of a live block did not return 0" READ_MERGE);
    live.p[2] = NULL;
    unsigned char *bad[] = {live.p[0] + 16, live.p[0] + 128, live.p[3] + 1, live.p[3] + 256,
                            freed,          freed + 16,      region + 2047};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(
            buddy_free(b, bad[i]), -1,
            "buddy_free() of a pointer at offset %td was accepted; a refused call must return "
            "-1" READ_REJECT,
            bad[i] - region);
        assert_poisoning(b, region, 2048, &live, "after a refused buddy_free()");
    }
    buddy_destroy(b);
}

Test(poisoning, a_random_workload_keeps_the_poisoning_exact)
{
    MC_CLAUSE("8.1", "8.2", "8.4");
    enum { RSIZE = 4096 };
    unsigned char *region = memory + 32;
    struct buddy *b = make_at(32, RSIZE, 16);
    struct live live = {.n = 0};
    uint64_t rng = 0xD1B54A32D192ED03u;
    for (int step = 0; step < 400; step++) {
        size_t i = (size_t)(next_random(&rng) % 24);
        if (i >= live.n) {
            i = live.n;
            live.p[i] = NULL;
        }
        if (live.p[i] != NULL) {
            cr_assert_eq(buddy_free(b, live.p[i]), 0,
                         "buddy_free() of a live block did not return 0" READ_MERGE);
            live.p[i] = NULL;
        } else {
            size_t size = 1 + (size_t)(next_random(&rng) % 400);
            live.p[i] = buddy_alloc(b, size);
            if (live.p[i] != NULL)
                memset(live.p[i], (int)step, buddy_block_size(b, live.p[i]));
            if (i == live.n)
                live.n++;
        }
        if (step % 20 == 19)
            assert_poisoning(b, region, RSIZE, &live, "during a random workload");
    }
    buddy_destroy(b);
}
