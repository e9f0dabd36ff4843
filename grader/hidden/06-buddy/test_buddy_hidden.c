/*
 * Hidden tests for the buddy allocator: other alignments and block sizes,
 * huge requests, frees after coalescing, failure injection and a long
 * random workload checked against the statistics' equations.
 */
#include "mc_test.h"
#include "buddy.h"

#include <stdint.h>
#include <string.h>

static _Alignas(4096) unsigned char memory[2 * 65536];

MC_SUITE(hidden_create);
MC_SUITE(hidden_alloc);
MC_SUITE(hidden_free);
MC_SUITE(hidden_workload);

static struct buddy *make_at(size_t offset, size_t size, size_t min)
{
    struct buddy *b = buddy_create(memory + offset, size, min);
    cr_assert_not_null(
        b,
        "buddy_create(memory + %zu, %zu, %zu) returned NULL for valid arguments" MC_READ(
            "8.1 Power-of-two orders"),
        offset, size, min);
    return b;
}

static struct buddy_stats stats_of(const struct buddy *b)
{
    struct buddy_stats s;
    memset(&s, 0xEE, sizeof s);
    buddy_stats(b, &s);
    return s;
}

Test(hidden_create, fails_cleanly_whichever_allocation_fails)
{
    for (size_t n = 1; n <= 6; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct buddy *b = buddy_create(memory + 16, 4096, 16);
        mc_fail_none();
        void *p = b != NULL ? buddy_alloc(b, 4096) : NULL;
        cr_assert(b == NULL || p == (void *)(memory + 16),
                  "with malloc call %zu failing, buddy_create() returned an allocator that does "
                  "not hand out the whole region; expected NULL or a working allocator" MC_READ(
                      "8.5 Where the order is recorded"),
                  n);
        buddy_destroy(b);
        mc_assert_no_leak_since(before, "buddy_create() with one malloc failing",
                                "8.5 Where the order is recorded");
    }
    buddy_destroy(make_at(16, 4096, 16));
}

Test(hidden_create, accepts_a_region_of_a_single_block)
{
    struct buddy *b = make_at(32, 64, 64);
    void *p = buddy_alloc(b, 1);
    cr_assert(p == (void *)(memory + 32) && buddy_block_size(b, p) == 64,
              "a 64-byte region with min_block 64: buddy_alloc(b, 1) must return the whole region "
              "as one 64-byte block; got %p of %zu bytes" MC_READ("8.1 Power-of-two orders"),
              p, buddy_block_size(b, p));
    cr_assert_null(buddy_alloc(b, 1), "the single-block region is in use; expected NULL" MC_READ(
                                          "8.2 Splitting a block"));
    cr_assert_eq(
        buddy_free(b, p), 0,
        "buddy_free() of the only block did not return 0" MC_READ("8.4 Coalescing on free"));
    struct buddy_stats s = stats_of(b);
    cr_assert(s.free_bytes == 64 && s.largest_free == 64 && s.free_blocks[0] == 1,
              "after freeing the only block, expected one free order-0 block of 64 bytes; got "
              "free %zu, largest %zu" MC_READ("8.4 Coalescing on free"),
              s.free_bytes, s.largest_free);
    buddy_destroy(b);
}

Test(hidden_alloc, never_overflows_on_huge_requests)
{
    static const size_t huge[] = {SIZE_MAX,     SIZE_MAX - 15,   SIZE_MAX / 2 + 1,
                                  SIZE_MAX / 2, (size_t)1 << 40, 65536 + 1};
    struct buddy *b = make_at(16, 65536, 16);
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        void *p = buddy_alloc(b, huge[i]);
        cr_assert_null(
            p,
            "buddy_alloc(b, %zu) on a 65536-byte region returned %p; expected NULL" MC_READ(
                "8.1 Power-of-two orders"),
            huge[i], p);
    }
    struct buddy_stats s = stats_of(b);
    cr_assert(
        s.free_bytes == 65536 && s.used_bytes == 0,
        "refused requests changed the allocator: free %zu, used %zu; expected 65536 and 0" MC_READ(
            "8.1 Power-of-two orders"),
        s.free_bytes, s.used_bytes);
    buddy_destroy(b);
}

Test(hidden_alloc, rounds_with_other_block_sizes)
{
    static const struct {
        size_t min, size, want;
    } cases[] = {
        {64, 1, 64},     {64, 64, 64},    {64, 65, 128},     {64, 128, 128},   {256, 255, 256},
        {256, 256, 256}, {256, 257, 512}, {256, 4096, 4096}, {32, 2048, 2048}, {32, 2049, 4096},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buddy *b = make_at(48, 8192, cases[i].min);
        void *p = buddy_alloc(b, cases[i].size);
        size_t got = buddy_block_size(b, p);
        cr_assert(
            p != NULL && got == cases[i].want,
            "min_block %zu: buddy_alloc(b, %zu) gave a %zu-byte block at %p; expected %zu" MC_READ(
                "8.1 Power-of-two orders"),
            cases[i].min, cases[i].size, got, p, cases[i].want);
        buddy_destroy(b);
    }
}

Test(hidden_alloc, keeps_every_split_off_half)
{
    /* 4096 bytes in 64-byte units: whatever the order of requests, the
     * region must hold exactly 64 unit blocks, then 16 of 256 bytes. */
    struct buddy *b = make_at(16, 4096, 64);
    void *p[64];
    size_t count = 0;
    while (count < 64 && (p[count] = buddy_alloc(b, 64)) != NULL)
        count++;
    cr_assert_eq(
        count, 64,
        "a 4096-byte region with 64-byte blocks handed out %zu blocks; expected 64" MC_READ(
            "8.2 Splitting a block"),
        count);
    cr_assert_null(buddy_alloc(b, 1),
                   "a full region handed out one more block" MC_READ("8.2 Splitting a block"));
    for (size_t i = 0; i < count; i++)
        buddy_free(b, p[i]);
    count = 0;
    while (count < 16 && (p[count] = buddy_alloc(b, 200)) != NULL)
        count++;
    cr_assert_eq(count, 16,
                 "after freeing everything, the region handed out %zu blocks of 256 bytes; "
                 "expected 16" MC_READ("8.4 Coalescing on free"),
                 count);
    buddy_destroy(b);
}

Test(hidden_free, finds_buddies_by_offset_at_any_alignment)
{
    static const size_t offsets[] = {16, 48, 256, 1040, 2064};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        struct buddy *b = make_at(offsets[i], 2048, 16);
        void *x = buddy_alloc(b, 1024);
        void *y = buddy_alloc(b, 512);
        void *z = buddy_alloc(b, 512);
        cr_assert(x != NULL && y != NULL && z != NULL,
                  "region at memory + %zu: buddy_alloc() of 1024, 512, 512 returned NULL" MC_READ(
                      "8.3 Finding a buddy by XOR"),
                  offsets[i]);
        int rc = buddy_free(b, z) | buddy_free(b, x) | buddy_free(b, y);
        void *all = buddy_alloc(b, 2048);
        cr_assert(rc == 0 && all == (void *)(memory + offsets[i]),
                  "region at memory + %zu (not aligned to its size 2048): after freeing every "
                  "block, buddy_alloc(b, 2048) returned %p; expected the region start %p. Find "
                  "the buddy from the offset in the region, not the address" MC_READ(
                      "8.3 Finding a buddy by XOR"),
                  offsets[i], all, (void *)(memory + offsets[i]));
        buddy_destroy(b);
    }
}

Test(hidden_free, rejects_blocks_that_were_merged_away)
{
    struct buddy *b = make_at(16, 1024, 16);
    void *lo = buddy_alloc(b, 16);
    void *hi = buddy_alloc(b, 16);
    void *keep = buddy_alloc(b, 32);
    cr_assert(
        lo != NULL && hi != NULL && keep != NULL,
        "buddy_alloc() of 16, 16 and 32 bytes returned NULL" MC_READ("8.2 Splitting a block"));
    cr_assert(buddy_free(b, lo) == 0 && buddy_free(b, hi) == 0,
              "buddy_free() of two live 16-byte blocks did not return 0" MC_READ(
                  "8.4 Coalescing on free"));
    struct buddy_stats before = stats_of(b);
    void *stale[] = {lo, hi};
    for (size_t i = 0; i < 2; i++) {
        int rc = buddy_free(b, stale[i]);
        struct buddy_stats after = stats_of(b);
        cr_assert(rc == -1 && memcmp(&before, &after, sizeof before) == 0,
                  "freeing the %s half of a merged pair again returned %d; expected -1 and no "
                  "change" MC_READ("8.6 Rejecting invalid and double frees"),
                  i == 0 ? "lower" : "upper", rc);
        cr_assert_eq(buddy_block_size(b, stale[i]), 0,
                     "buddy_block_size() of a freed block returned non-zero; expected 0" MC_READ(
                         "8.6 Rejecting invalid and double frees"));
    }
    cr_assert_eq(
        buddy_block_size(b, (unsigned char *)keep + 16), 0,
        "buddy_block_size() of a pointer inside a block returned non-zero; expected 0" MC_READ(
            "8.6 Rejecting invalid and double frees"));
    cr_assert_eq(buddy_free(b, keep), 0,
                 "buddy_free() of a live block did not return 0" MC_READ("8.4 Coalescing on free"));
    buddy_destroy(b);
}

Test(hidden_free, rejects_pointers_just_outside_the_region)
{
    struct buddy *b = make_at(4096, 4096, 16);
    void *p = buddy_alloc(b, 4096);
    cr_assert_not_null(p, "buddy_alloc(b, 4096) returned NULL" MC_READ("8.1 Power-of-two orders"));
    unsigned char *outside[] = {memory + 4096 - 16, memory + 8192, memory + 8192 + 16, memory};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        int rc = buddy_free(b, outside[i]);
        cr_assert_eq(rc, -1,
                     "buddy_free() of a pointer %td bytes from the region start returned %d; "
                     "expected -1" MC_READ("8.6 Rejecting invalid and double frees"),
                     outside[i] - (memory + 4096), rc);
    }
    cr_assert_eq(
        buddy_free(b, p), 0,
        "buddy_free() of the whole region did not return 0" MC_READ("8.4 Coalescing on free"));
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
                  "expected %zu; free %zu)" MC_READ("8.7 Internal fragmentation"),
                  step, s.used_bytes, used, s.requested_bytes, requested, s.free_bytes);
    }
    for (size_t i = 0; i < SLOTS; i++)
        buddy_free(b, slot[i]);
    struct buddy_stats s = stats_of(b);
    cr_assert(s.largest_free == WREGION && s.free_blocks[10] == 1,
              "after the workload freed everything, largest_free is %zu; expected one block of "
              "%d bytes" MC_READ("8.4 Coalescing on free"),
              s.largest_free, WREGION);
    buddy_destroy(b);
}
