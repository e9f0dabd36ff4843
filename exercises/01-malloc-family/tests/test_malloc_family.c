/*
 * Public tests for exercise 01: one suite per function of malloc_family.h.
 * Every block a call returns belongs to the test, which frees it.
 */
#include "mc_test.h"
#include "malloc_family.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

MC_SUITE(array);
MC_SUITE(zeroed);
MC_SUITE(grow);
MC_SUITE(strdup);
MC_SUITE(join);
MC_SUITE(aligned);

struct size_case {
    size_t count;
    size_t size;
    size_t bytes; /* the block size the contract promises */
};

/* Products that wrap around: each would be a small request if unchecked. */
static const struct size_case overflowing[] = {
    {SIZE_MAX / 2 + 1, 2, 0},   /* wraps to 0 */
    {2, SIZE_MAX / 2 + 1, 0},   /* the same, the other way round */
    {SIZE_MAX / 3 + 1, 3, 0},   /* wraps to 2 */
    {SIZE_MAX / 16 + 1, 16, 0}, /* wraps to 0 */
    {SIZE_MAX, SIZE_MAX, 0},    /* wraps to 1 */
};

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* Frees a block of `bytes` bytes after filling it with 0xA5: glibc hands the
 * same block to the next request of that size, so memory that the code under
 * test forgets to initialize shows up as 0xA5 instead of a lucky zero. */
static void leave_dirty_block(size_t bytes)
{
    unsigned char *p = malloc(bytes);
    cr_assert_not_null(p, "the test could not allocate %zu bytes", bytes);
    memset(p, 0xA5, bytes);
    free(p);
}

static size_t count_nonzero(const unsigned char *p, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += p[i] != 0;
    return n;
}

/* ---- mf_alloc_array ------------------------------------------------------ */

Test(array, allocates_exactly_count_times_size_bytes)
{
    MC_CLAUSE("2.1", "1.1", "1.3");
    static const struct size_case cases[] = {
        {1, 1, 1}, {3, 4, 12}, {10, 8, 80}, {1000, 16, 16000}, {0, 8, 1}, {8, 0, 1}, {0, 0, 1},
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        const struct size_case *c = &cases[i];
        unsigned char *p = mf_alloc_array(c->count, c->size);
        cr_assert_not_null(
            p,
            "mf_alloc_array(%zu, %zu) returned NULL, expected a block of %zu bytes" MC_READ(
                "2.1 Four functions and their contracts"),
            c->count, c->size, c->bytes);
        size_t got = mc_live_size_of(p);
        cr_assert_eq(got, c->bytes,
                     "mf_alloc_array(%zu, %zu) allocated %zu bytes, expected exactly %zu "
                     "(count * size, or 1 when that is 0)" MC_READ("2.2 Sizes that overflow"),
                     c->count, c->size, got, c->bytes);
        memset(p, 0x5A, c->bytes); /* the whole block must be writable */
        free(p);
    }
}

Test(array, returns_null_when_count_times_size_overflows)
{
    MC_CLAUSE("2.2", "1.5");
    void *control = mf_alloc_array(4, 4);
    cr_assert_not_null(control,
                       "mf_alloc_array(4, 4) returned NULL, expected a 16-byte block" MC_READ(
                           "2.1 Four functions and their contracts"));
    free(control);
    for (size_t i = 0; i < COUNT_OF(overflowing); i++) {
        const struct size_case *c = &overflowing[i];
        size_t calls = mc_alloc_calls();
        void *p = mf_alloc_array(c->count, c->size);
        size_t made = mc_alloc_calls() - calls;
        size_t got = mc_live_size_of(p);
        int refused = p == NULL;
        free(p);
        cr_assert(
            refused,
            "mf_alloc_array(%zu, %zu) returned a block of %zu bytes, expected NULL: "
            "the product overflows size_t and wraps around" MC_READ("2.2 Sizes that overflow"),
            c->count, c->size, got);
        cr_assert_eq(made, 0,
                     "mf_alloc_array(%zu, %zu) returned NULL but made %zu allocation call(s), "
                     "expected none: check the product before asking for memory" MC_READ(
                         "2.2 Sizes that overflow"),
                     c->count, c->size, made);
    }
}

Test(array, returns_null_and_leaks_nothing_when_malloc_fails)
{
    MC_CLAUSE("2.3", "1.4");
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *p = mf_alloc_array(16, 8);
    mc_fail_none();
    cr_assert_null(p,
                   "mf_alloc_array(16, 8) with %s failing returned %p, expected NULL" MC_READ(
                       "2.7 When memory runs out"),
                   mc_fail_note(), p);
    mc_assert_no_leak_since(before, "mf_alloc_array(16, 8) with its allocation failing",
                            "2.7 When memory runs out");
    p = mf_alloc_array(16, 8);
    cr_assert_not_null(p, "mf_alloc_array(16, 8) returned NULL once malloc worked again, "
                          "expected a block of 128 bytes" MC_READ("2.7 When memory runs out"));
    free(p);
}

/* ---- mf_alloc_zeroed ----------------------------------------------------- */

Test(zeroed, returns_blocks_whose_every_byte_is_zero)
{
    MC_CLAUSE("3.1", "1.3");
    static const struct size_case cases[] = {
        {1, 1, 1}, {4, 8, 32}, {16, 16, 256}, {100, 3, 300}, {512, 8, 4096}, {0, 4, 1},
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        const struct size_case *c = &cases[i];
        leave_dirty_block(c->bytes);
        unsigned char *p = mf_alloc_zeroed(c->count, c->size);
        cr_assert_not_null(
            p,
            "mf_alloc_zeroed(%zu, %zu) returned NULL, expected a zeroed block" MC_READ(
                "2.3 Zeroed memory"),
            c->count, c->size);
        size_t got = mc_live_size_of(p);
        cr_assert_eq(got, c->bytes,
                     "mf_alloc_zeroed(%zu, %zu) allocated %zu bytes, expected exactly %zu" MC_READ(
                         "2.3 Zeroed memory"),
                     c->count, c->size, got, c->bytes);
        size_t dirty = count_nonzero(p, c->bytes);
        free(p);
        cr_assert_eq(dirty, 0,
                     "mf_alloc_zeroed(%zu, %zu) returned a block with %zu non-zero byte(s), "
                     "expected all %zu bytes zero: malloc does not clear memory" MC_READ(
                         "2.3 Zeroed memory"),
                     c->count, c->size, dirty, c->bytes);
    }
}

Test(zeroed, rejects_overflow_and_survives_a_failed_allocation)
{
    MC_CLAUSE("3.2", "3.3", "1.4", "1.5");
    void *control = mf_alloc_zeroed(4, 4);
    cr_assert_not_null(control,
                       "mf_alloc_zeroed(4, 4) returned NULL, expected a 16-byte block" MC_READ(
                           "2.3 Zeroed memory"));
    free(control);
    for (size_t i = 0; i < COUNT_OF(overflowing); i++) {
        const struct size_case *c = &overflowing[i];
        size_t calls = mc_alloc_calls();
        void *p = mf_alloc_zeroed(c->count, c->size);
        size_t made = mc_alloc_calls() - calls;
        size_t got = mc_live_size_of(p);
        int refused = p == NULL;
        free(p);
        cr_assert(refused,
                  "mf_alloc_zeroed(%zu, %zu) returned a block of %zu bytes, expected NULL: "
                  "the product overflows size_t" MC_READ("2.2 Sizes that overflow"),
                  c->count, c->size, got);
        cr_assert_eq(made, 0,
                     "mf_alloc_zeroed(%zu, %zu) returned NULL but made %zu allocation call(s), "
                     "expected none: check the product yourself before any call, even a "
                     "calloc that would refuse it" MC_READ("2.2 Sizes that overflow"),
                     c->count, c->size, made);
    }
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *p = mf_alloc_zeroed(8, 8);
    mc_fail_none();
    cr_assert_null(p,
                   "mf_alloc_zeroed(8, 8) with %s failing returned %p, expected NULL" MC_READ(
                       "2.7 When memory runs out"),
                   mc_fail_note(), p);
    mc_assert_no_leak_since(before, "mf_alloc_zeroed(8, 8) with its allocation failing",
                            "2.7 When memory runs out");
}

/* ---- mf_grow ------------------------------------------------------------- */

Test(grow, grows_an_empty_buffer_and_keeps_what_it_held)
{
    MC_CLAUSE("4.4", "4.2");
    int *buf = NULL;
    size_t cap = 0;
    int rc = mf_grow((void **)&buf, &cap, 4, sizeof *buf);
    cr_assert_eq(rc, 0,
                 "mf_grow() from an empty buffer to 4 ints returned %d, expected 0" MC_READ(
                     "2.4 The safe realloc idiom"),
                 rc);
    cr_assert_not_null(
        buf, "mf_grow() returned 0 but left the buffer NULL" MC_READ("2.4 The safe realloc idiom"));
    cr_assert_eq(
        cap, 4,
        "capacity after growing to 4 is %zu, expected 4" MC_READ("2.4 The safe realloc idiom"),
        cap);
    for (int i = 0; i < 4; i++)
        buf[i] = 100 + i;

    rc = mf_grow((void **)&buf, &cap, 10, sizeof *buf);
    cr_assert_eq(
        rc, 0,
        "mf_grow() from 4 to 10 ints returned %d, expected 0" MC_READ("2.4 The safe realloc idiom"),
        rc);
    cr_assert_eq(
        cap, 10,
        "capacity after growing to 10 is %zu, expected 10" MC_READ("2.4 The safe realloc idiom"),
        cap);
    size_t got = mc_live_size_of(buf);
    cr_assert_eq(
        got, 10 * sizeof *buf,
        "the grown buffer is %zu bytes, expected exactly %zu" MC_READ("2.4 The safe realloc idiom"),
        got, 10 * sizeof *buf);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(buf[i], 100 + i,
                     "element %d is %d after growing, expected %d: realloc "
                     "keeps the old contents" MC_READ("2.4 The safe realloc idiom"),
                     i, buf[i], 100 + i);

    int *same = buf;
    size_t calls = mc_alloc_calls();
    rc = mf_grow((void **)&buf, &cap, 3, sizeof *buf);
    cr_assert(
        rc == 0 && buf == same && cap == 10 && mc_alloc_calls() == calls,
        "mf_grow() to 3 ints when 10 fit should do nothing and return 0; it returned %d, "
        "capacity %zu, %s the buffer, %zu allocation call(s)" MC_READ("2.4 The safe realloc idiom"),
        rc, cap, buf == same ? "kept" : "moved", mc_alloc_calls() - calls);
    free(buf);
}

Test(grow, keeps_the_old_buffer_when_realloc_fails)
{
    MC_CLAUSE("4.5", "1.4");
    int *buf = NULL;
    size_t cap = 0;
    int rc = mf_grow((void **)&buf, &cap, 4, sizeof *buf);
    cr_assert(rc == 0 && buf != NULL,
              "mf_grow() to 4 ints returned %d, expected 0 and a buffer" MC_READ(
                  "2.4 The safe realloc idiom"),
              rc);
    for (int i = 0; i < 4; i++)
        buf[i] = 7 * i;

    int *old = buf;
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    rc = mf_grow((void **)&buf, &cap, 1000, sizeof *buf);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "mf_grow() to 1000 ints with %s failing returned %d, expected -1" MC_READ(
                     "2.4 The safe realloc idiom"),
                 mc_fail_note(), rc);
    cr_assert_eq(buf, old,
                 "mf_grow() with %s failing changed the buffer to %p, expected "
                 "the old buffer %p: realloc's NULL must not overwrite it" MC_READ(
                     "2.4 The safe realloc idiom"),
                 mc_fail_note(), (void *)buf, (void *)old);
    cr_assert_eq(cap, 4,
                 "mf_grow() with %s failing changed the capacity to %zu, "
                 "expected it unchanged at 4" MC_READ("2.4 The safe realloc idiom"),
                 mc_fail_note(), cap);
    cr_assert_eq(
        mc_live_size_of(buf), 4 * sizeof *buf,
        "after mf_grow() failed with %s, the buffer is %s, expected the old "
        "%zu-byte block still allocated and still yours" MC_READ("2.4 The safe realloc idiom"),
        mc_fail_note(), mc_live_size_of(buf) ? "a block of another size" : "freed",
        4 * sizeof *buf);
    mc_assert_no_leak_since(before, "mf_grow() with its allocation failing",
                            "2.4 The safe realloc idiom");
    for (int i = 0; i < 4; i++)
        cr_assert_eq(buf[i], 7 * i,
                     "element %d is %d after a failed mf_grow(), expected %d" MC_READ(
                         "2.4 The safe realloc idiom"),
                     i, buf[i], 7 * i);
    free(buf);
}

Test(grow, refuses_elem_size_zero_even_when_nothing_is_needed)
{
    MC_CLAUSE("4.1");
    int *buf = NULL;
    size_t cap = 0;
    int rc = mf_grow((void **)&buf, &cap, 4, sizeof *buf);
    cr_assert(rc == 0 && buf != NULL,
              "mf_grow() to 4 ints returned %d, expected 0 and a buffer" MC_READ(
                  "2.4 The safe realloc idiom"),
              rc);
    int *old = buf;
    static const size_t asks[] = {0, 2, 4, 9};
    for (size_t i = 0; i < COUNT_OF(asks); i++) {
        size_t calls = mc_alloc_calls();
        rc = mf_grow((void **)&buf, &cap, asks[i], 0);
        size_t made = mc_alloc_calls() - calls;
        cr_assert(rc == -1 && buf == old && cap == 4 && made == 0,
                  "mf_grow(min_capacity %zu, elem_size 0) with capacity 4 returned %d, capacity "
                  "%zu, %s the buffer, after %zu allocation call(s); expected -1, no change and "
                  "no call: elem_size 0 is refused first, even when the capacity "
                  "suffices" MC_READ("2.4 The safe realloc idiom"),
                  asks[i], rc, cap, buf == old ? "kept" : "changed", made);
    }
    free(buf);
}

/* ---- mf_strdup ----------------------------------------------------------- */

Test(strdup, copies_into_a_block_of_exactly_the_right_size)
{
    MC_CLAUSE("5.1", "1.2");
    static const char long_text[] =
        "A string long enough that a fixed-size buffer guessed in advance would be too "
        "small for it, which is exactly why the copy must be sized from strlen() and "
        "not from a constant somebody picked on a good day.";
    static const char *const inputs[] = {"", "a", "hello", "with a space", long_text};
    for (size_t i = 0; i < COUNT_OF(inputs); i++) {
        const char *s = inputs[i];
        size_t want = strlen(s) + 1;
        leave_dirty_block(want);
        char *copy = mf_strdup(s);
        cr_assert_not_null(copy,
                           "mf_strdup(\"%.20s\") returned NULL, expected a copy" MC_READ(
                               "2.5 Strings of exact size"),
                           s);
        cr_assert_neq(copy, s,
                      "mf_strdup() returned its argument, expected a new block" MC_READ(
                          "2.5 Strings of exact size"));
        size_t got = mc_live_size_of(copy);
        cr_assert_eq(got, want,
                     "mf_strdup(\"%.20s\") allocated %zu bytes, expected exactly %zu: the "
                     "length plus one byte for the NUL" MC_READ("2.5 Strings of exact size"),
                     s, got, want);
        cr_assert(memcmp(copy, s, want) == 0,
                  "mf_strdup(\"%.20s\") made a different string, expected the same bytes "
                  "and the terminating NUL" MC_READ("2.5 Strings of exact size"),
                  s);
        free(copy);
    }
}

/* ---- mf_join ------------------------------------------------------------- */

struct join_case {
    const char *parts[3];
    size_t count;
    const char *sep;
    const char *want;
};

Test(join, puts_one_separator_between_each_two_parts)
{
    MC_CLAUSE("6.1", "6.2");
    static const struct join_case cases[] = {
        {{"a", "b", "c"}, 3, ", ", "a, b, c"},
        {{"usr", "local", "bin"}, 3, "/", "usr/local/bin"},
        {{"one"}, 1, "-", "one"},
        {{"x", "y"}, 2, "", "xy"},
        {{"", "", ""}, 3, "/", "//"},
        {{0}, 0, "+", ""},
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++) {
        const struct join_case *c = &cases[i];
        size_t want = strlen(c->want) + 1;
        leave_dirty_block(want);
        char *s = mf_join(c->parts, c->count, c->sep);
        cr_assert_not_null(s,
                           "mf_join() of %zu part(s) with \"%s\" returned NULL, expected "
                           "\"%s\"" MC_READ("2.5 Strings of exact size"),
                           c->count, c->sep, c->want);
        size_t got = mc_live_size_of(s);
        cr_assert(memcmp(s, c->want, want) == 0,
                  "mf_join() of %zu part(s) with \"%s\" gave \"%.40s\", expected \"%s\"" MC_READ(
                      "2.5 Strings of exact size"),
                  c->count, c->sep, s, c->want);
        cr_assert_eq(got, want,
                     "mf_join() for \"%s\" allocated %zu bytes, expected exactly %zu" MC_READ(
                         "2.5 Strings of exact size"),
                     c->want, got, want);
        free(s);
    }
}

/* ---- mf_alloc_aligned ---------------------------------------------------- */

Test(aligned, returns_addresses_that_are_multiples_of_the_alignment)
{
    MC_CLAUSE("7.1", "1.1");
    static const size_t alignments[] = {1, 2, 4, 8, 16, 32, 64, 256, 4096};
    static const size_t sizes[] = {1, 24, 100, 4096};
    for (size_t i = 0; i < COUNT_OF(alignments); i++) {
        for (size_t j = 0; j < COUNT_OF(sizes); j++) {
            size_t a = alignments[i];
            size_t n = sizes[j];
            unsigned char *p = mf_alloc_aligned(a, n);
            cr_assert_not_null(p,
                               "mf_alloc_aligned(%zu, %zu) returned NULL, expected a block" MC_READ(
                                   "2.6 Aligned allocation"),
                               a, n);
            size_t got = mc_live_size_of(p);
            uintptr_t misalign = (uintptr_t)p % a;
            cr_assert(misalign == 0 && got >= n,
                      "mf_alloc_aligned(%zu, %zu) returned %p (%zu bytes past a multiple of "
                      "%zu) holding %zu bytes, expected an aligned block of at least %zu" MC_READ(
                          "2.6 Aligned allocation"),
                      a, n, (void *)p, (size_t)misalign, a, got, n);
            memset(p, 0x3C, n);
            free(p);
        }
    }
}

Test(aligned, rejects_zero_and_non_powers_of_two_without_allocating)
{
    MC_CLAUSE("7.2", "1.5");
    void *control = mf_alloc_aligned(64, 64);
    cr_assert_not_null(control, "mf_alloc_aligned(64, 64) returned NULL, expected a block" MC_READ(
                                    "2.6 Aligned allocation"));
    free(control);
    static const size_t bad[] = {0, 3, 6, 12, 24, 48, 100, 4095, SIZE_MAX / 2 + 2, SIZE_MAX};
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        size_t calls = mc_alloc_calls();
        void *p = mf_alloc_aligned(bad[i], 64);
        size_t made = mc_alloc_calls() - calls;
        int refused = p == NULL;
        free(p);
        cr_assert(refused && made == 0,
                  "mf_alloc_aligned(%zu, 64) returned %s after %zu allocation call(s), "
                  "expected NULL and no call: %zu is not a power of two" MC_READ(
                      "2.6 Aligned allocation"),
                  bad[i], refused ? "NULL" : "a block", made, bad[i]);
    }
}
