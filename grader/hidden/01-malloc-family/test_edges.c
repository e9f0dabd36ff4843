/*
 * Hidden tests for exercise 01: edge cases and failure paths that the public
 * tests leave out. Every block a call returns belongs to the test.
 */
#include "mc_test.h"
#include "malloc_family.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MC_SUITE(zero_sizes);
MC_SUITE(grow_contract);
MC_SUITE(string_failures);
MC_SUITE(aligned_limits);
MC_SUITE(quiet_failures);

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* ---- zero-byte requests --------------------------------------------------- */

Test(zero_sizes, give_distinct_one_byte_blocks)
{
    MC_CLAUSE("1.3", "2.1", "3.1", "7.1");
    void *a = mf_alloc_array(0, 0);
    void *b = mf_alloc_array(0, 16);
    void *z = mf_alloc_zeroed(16, 0);
    cr_assert(
        a != NULL && b != NULL && z != NULL,
        "a zero-byte request returned NULL (array %s, array %s, zeroed %s), expected a "
        "1-byte block: NULL must mean failure" MC_READ("2.1 Four functions and their contracts"),
        a ? "ok" : "NULL", b ? "ok" : "NULL", z ? "ok" : "NULL");
    cr_assert(a != b,
              "two zero-byte mf_alloc_array() calls returned the same pointer %p, "
              "expected two distinct blocks" MC_READ("2.1 Four functions and their contracts"),
              a);
    size_t sizes[] = {mc_live_size_of(a), mc_live_size_of(b), mc_live_size_of(z)};
    for (size_t i = 0; i < COUNT_OF(sizes); i++)
        cr_assert_eq(sizes[i], 1,
                     "zero-byte request %zu allocated %zu bytes, expected exactly %d" MC_READ(
                         "2.1 Four functions and their contracts"),
                     i, sizes[i], 1);
    cr_assert_eq(
        *(unsigned char *)z, 0,
        "mf_alloc_zeroed(16, 0) gave a byte of %d, expected 0" MC_READ("2.3 Zeroed memory"),
        *(unsigned char *)z);
    free(a);
    free(b);
    free(z);

    unsigned char *p = mf_alloc_aligned(64, 0);
    cr_assert_not_null(p, "mf_alloc_aligned(64, 0) returned NULL, expected a block of at least "
                          "1 byte" MC_READ("2.6 Aligned allocation"));
    cr_assert(mc_live_size_of(p) >= 1 && (uintptr_t)p % 64 == 0,
              "mf_alloc_aligned(64, 0) returned %p holding %zu bytes, expected a 64-byte "
              "aligned block of at least 1 byte" MC_READ("2.6 Aligned allocation"),
              (void *)p, mc_live_size_of(p));
    free(p);
}

/* ---- mf_grow: the strong guarantee ---------------------------------------- */

/* A buffer of `n` ints holding 0, 3, 6, ..., made with mf_grow(). */
static int *make_ints(size_t n, size_t *cap)
{
    int *buf = NULL;
    *cap = 0;
    int rc = mf_grow((void **)&buf, cap, n, sizeof *buf);
    cr_assert(rc == 0 && buf != NULL && *cap == n,
              "mf_grow() from empty to %zu ints returned %d with capacity %zu, expected 0, a "
              "buffer and capacity %zu" MC_READ("2.4 The safe realloc idiom"),
              n, rc, *cap, n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (int)(3 * i);
    return buf;
}

static void assert_ints_intact(const int *buf, size_t n, const char *after)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(
            buf[i], (int)(3 * i),
            "element %zu is %d after %s, expected %d" MC_READ("2.4 The safe realloc idiom"), i,
            buf[i], after, (int)(3 * i));
}

Test(grow_contract, refuses_overflowing_sizes_and_zero_elem_size_without_change)
{
    MC_CLAUSE("4.1", "4.3", "1.4", "1.5");
    size_t cap;
    int *buf = make_ints(2, &cap);
    int *old = buf;
    static const struct {
        size_t min_capacity;
        size_t elem_size;
    } bad[] = {
        {SIZE_MAX / 4 + 2, 4}, /* wraps to 4 bytes */
        {SIZE_MAX / 8 + 1, 8}, /* wraps to 0 bytes */
        {SIZE_MAX, 16},        /* wraps to SIZE_MAX - 15 */
        {SIZE_MAX / 2 + 1, 2}, /* wraps to 0 bytes */
        {10, 0},               /* no element size */
        {2, 0},                /* no element size, though 2 fit */
        {1, 0},                /* the same, asking for less */
        {0, 0},
    };
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        struct mc_snapshot before = mc_snapshot();
        size_t calls = mc_alloc_calls();
        int rc = mf_grow((void **)&buf, &cap, bad[i].min_capacity, bad[i].elem_size);
        size_t made = mc_alloc_calls() - calls;
        cr_assert(rc == -1 && buf == old && cap == 2,
                  "mf_grow(min_capacity %zu, elem_size %zu) with capacity 2 returned %d, "
                  "capacity %zu, %s the buffer; expected -1 with buffer and capacity 2 "
                  "unchanged: %s" MC_READ("2.4 The safe realloc idiom"),
                  bad[i].min_capacity, bad[i].elem_size, rc, cap, buf == old ? "kept" : "changed",
                  bad[i].elem_size == 0 ? "elem_size 0 is refused first, whatever the capacity"
                                        : "the size overflows");
        cr_assert_eq(made, 0,
                     "mf_grow(min_capacity %zu, elem_size %zu) made %zu allocation call(s), "
                     "expected none: a refused request is refused before any "
                     "call" MC_READ("2.4 The safe realloc idiom"),
                     bad[i].min_capacity, bad[i].elem_size, made);
        cr_assert_eq(mc_live_size_of(buf), 2 * sizeof *buf,
                     "after a refused mf_grow() the buffer holds %zu bytes, expected the same "
                     "%zu-byte block" MC_READ("2.4 The safe realloc idiom"),
                     mc_live_size_of(buf), 2 * sizeof *buf);
        mc_assert_no_leak_since(before, "a refused mf_grow()", "2.4 The safe realloc idiom");
        assert_ints_intact(buf, 2, "a refused mf_grow()");
    }
    free(buf);
}

Test(grow_contract, does_nothing_when_the_capacity_already_suffices)
{
    MC_CLAUSE("4.2");
    size_t cap;
    int *buf = make_ints(8, &cap);
    int *old = buf;
    static const size_t asks[] = {0, 1, 5, 8};
    for (size_t i = 0; i < COUNT_OF(asks); i++) {
        size_t calls = mc_alloc_calls();
        int rc = mf_grow((void **)&buf, &cap, asks[i], sizeof *buf);
        size_t made = mc_alloc_calls() - calls;
        cr_assert(rc == 0 && buf == old && cap == 8 && made == 0,
                  "mf_grow() to %zu ints when 8 fit returned %d, capacity %zu, %s the buffer, "
                  "%zu allocation call(s); expected 0 and no change at all" MC_READ(
                      "2.4 The safe realloc idiom"),
                  asks[i], rc, cap, buf == old ? "kept" : "moved", made);
    }
    assert_ints_intact(buf, 8, "a no-op mf_grow()");
    free(buf);
}

Test(grow_contract, a_failed_first_growth_leaves_an_empty_buffer_empty)
{
    MC_CLAUSE("4.5", "1.4");
    void *buf = NULL;
    size_t cap = 0;
    mc_fail_nth_alloc(1);
    int rc = mf_grow(&buf, &cap, 16, 8);
    mc_fail_none();
    cr_assert(rc == -1 && buf == NULL && cap == 0 && mc_live_blocks() == 0,
              "mf_grow() from an empty buffer with %s failing returned %d, buffer %p, capacity "
              "%zu, %zu live block(s); expected -1, NULL, 0 and nothing allocated" MC_READ(
                  "2.4 The safe realloc idiom"),
              mc_fail_note(), rc, buf, cap, mc_live_blocks());
    rc = mf_grow(&buf, &cap, 16, 8);
    cr_assert(rc == 0 && buf != NULL && cap == 16 && mc_live_size_of(buf) == 128,
              "mf_grow() from empty to 16 elements of 8 bytes returned %d with capacity %zu "
              "and a block of %zu bytes; expected 0, 16 and exactly 128" MC_READ(
                  "2.4 The safe realloc idiom"),
              rc, cap, mc_live_size_of(buf));
    free(buf);
}

/* 24-byte elements, each of whose bytes names its element and position. */
struct record {
    unsigned char bytes[24];
};

static unsigned char record_byte(size_t elem, size_t at)
{
    return (unsigned char)(elem * 24 + at + 1);
}

Test(grow_contract, keeps_odd_sized_elements_byte_for_byte)
{
    MC_CLAUSE("4.4");
    static const size_t sizes[] = {1, 3, sizeof(struct record)};
    for (size_t k = 0; k < COUNT_OF(sizes); k++) {
        size_t elem = sizes[k];
        unsigned char *buf = NULL;
        size_t cap = 0;
        size_t held = 0;
        static const size_t steps[] = {5, 6, 13, 40};
        for (size_t s = 0; s < COUNT_OF(steps); s++) {
            int rc = mf_grow((void **)&buf, &cap, steps[s], elem);
            cr_assert(rc == 0 && buf != NULL && cap == steps[s],
                      "mf_grow() to %zu elements of %zu bytes returned %d with capacity %zu, "
                      "expected 0 and %zu" MC_READ("2.4 The safe realloc idiom"),
                      steps[s], elem, rc, cap, steps[s]);
            size_t got = mc_live_size_of(buf);
            cr_assert(got == steps[s] * elem && mc_live_blocks() == 1,
                      "after mf_grow() to %zu elements of %zu bytes, %zu block(s) are live and "
                      "the buffer is %zu bytes; expected one block of exactly %zu" MC_READ(
                          "2.4 The safe realloc idiom"),
                      steps[s], elem, mc_live_blocks(), got, steps[s] * elem);
            for (size_t i = 0; i < held * elem; i++)
                cr_assert_eq(buf[i], record_byte(i / elem, i % elem),
                             "byte %zu of element %zu (of %zu bytes each) changed when the "
                             "buffer grew from %zu to %zu elements: expected the first %zu "
                             "elements kept" MC_READ("2.4 The safe realloc idiom"),
                             i % elem, i / elem, elem, held, steps[s], held);
            for (size_t i = held * elem; i < steps[s] * elem; i++)
                buf[i] = record_byte(i / elem, i % elem);
            held = steps[s];
        }
        free(buf);
    }
}

Test(grow_contract, keeps_every_element_through_many_growths_and_failures)
{
    MC_CLAUSE("4.4", "4.5");
    int *buf = NULL;
    size_t cap = 0;
    for (size_t n = 1; n <= 64; n++) {
        if (n % 8 == 0) { /* every eighth growth fails once first */
            int *old = buf;
            mc_fail_nth_alloc(1);
            int rc = mf_grow((void **)&buf, &cap, n, sizeof *buf);
            mc_fail_none();
            cr_assert(rc == -1 && buf == old && cap == n - 1,
                      "mf_grow() to %zu ints with %s failing returned %d, capacity %zu, "
                      "%s the buffer; expected -1, capacity %zu and the same buffer" MC_READ(
                          "2.4 The safe realloc idiom"),
                      n, mc_fail_note(), rc, cap, buf == old ? "kept" : "changed", n - 1);
            cr_assert(mc_live_blocks() == 1 && mc_live_size_of(buf) == (n - 1) * sizeof *buf,
                      "after mf_grow() failed with %s, %zu block(s) are live and the buffer "
                      "holds %zu bytes; expected 1 block (the buffer) of %zu bytes" MC_READ(
                          "2.4 The safe realloc idiom"),
                      mc_fail_note(), mc_live_blocks(), mc_live_size_of(buf),
                      (n - 1) * sizeof *buf);
            assert_ints_intact(buf, n - 1, "a failed mf_grow()");
        }
        int rc = mf_grow((void **)&buf, &cap, n, sizeof *buf);
        cr_assert(rc == 0 && buf != NULL && cap == n,
                  "mf_grow() to %zu ints returned %d with capacity %zu, expected 0 and %zu" MC_READ(
                      "2.4 The safe realloc idiom"),
                  n, rc, cap, n);
        buf[n - 1] = (int)(3 * (n - 1));
        assert_ints_intact(buf, n, "growing one element at a time");
    }
    size_t got = mc_live_size_of(buf);
    cr_assert(mc_live_blocks() == 1 && got == 64 * sizeof *buf,
              "after 64 growths %zu block(s) are live and the buffer is %zu bytes; expected "
              "one block of %zu bytes" MC_READ("2.4 The safe realloc idiom"),
              mc_live_blocks(), got, 64 * sizeof *buf);
    free(buf);
}

/* ---- strings: failure and size ------------------------------------------- */

Test(string_failures, strdup_returns_null_and_leaks_nothing_when_malloc_fails)
{
    MC_CLAUSE("5.2", "1.4", "1.2");
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    char *copy = mf_strdup("never copied");
    mc_fail_none();
    cr_assert_null(copy,
                   "mf_strdup() with %s failing returned %p, expected NULL" MC_READ(
                       "2.7 When memory runs out"),
                   mc_fail_note(), (void *)copy);
    mc_assert_no_leak_since(before, "mf_strdup() with its allocation failing",
                            "2.7 When memory runs out");

    char source[] = "mutable";
    copy = mf_strdup(source);
    cr_assert_not_null(copy,
                       "mf_strdup(\"mutable\") returned NULL once malloc worked again" MC_READ(
                           "2.7 When memory runs out"));
    source[0] = 'M';
    cr_assert_str_eq(
        copy, "mutable",
        "the copy changed to \"%s\" when the source changed, "
        "expected an independent copy \"mutable\"" MC_READ("2.5 Strings of exact size"),
        copy);
    free(copy);
}

Test(string_failures, join_returns_null_and_leaks_nothing_when_malloc_fails)
{
    MC_CLAUSE("6.3", "1.4");
    static const char *const parts[] = {"left", "right"};
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    char *s = mf_join(parts, 2, " and ");
    mc_fail_none();
    cr_assert_null(
        s,
        "mf_join() with %s failing returned %p, expected NULL" MC_READ("2.7 When memory runs out"),
        mc_fail_note(), (void *)s);
    mc_assert_no_leak_since(before, "mf_join() with its allocation failing",
                            "2.7 When memory runs out");

    s = mf_join(parts, 2, " and ");
    cr_assert_not_null(s, "mf_join() returned NULL once malloc worked again, expected "
                          "\"left and right\"" MC_READ("2.7 When memory runs out"));
    cr_assert_str_eq(
        s, "left and right",
        "mf_join() gave \"%s\", expected \"left and right\"" MC_READ("2.5 Strings of exact size"),
        s);
    free(s);
}

Test(string_failures, join_sizes_many_parts_exactly)
{
    MC_CLAUSE("6.1", "6.2");
    enum { PARTS = 100 };
    char words[PARTS][8];
    const char *parts[PARTS];
    char want[PARTS * 10];
    size_t len = 0;
    for (int i = 0; i < PARTS; i++) {
        snprintf(words[i], sizeof words[i], "w%d", i);
        parts[i] = words[i];
        len += (size_t)snprintf(want + len, sizeof want - len, "%s%s", i ? "::" : "", words[i]);
    }
    char *s = mf_join(parts, PARTS, "::");
    cr_assert_not_null(
        s,
        "mf_join() of %d parts returned NULL, expected a %zu-character string" MC_READ(
            "2.5 Strings of exact size"),
        PARTS, len);
    size_t got = mc_live_size_of(s);
    cr_assert(strcmp(s, want) == 0,
              "mf_join() of %d parts gave \"%.60s...\", expected "
              "\"%.60s...\"" MC_READ("2.5 Strings of exact size"),
              PARTS, s, want);
    cr_assert_eq(got, len + 1,
                 "mf_join() of %d parts allocated %zu bytes, expected exactly "
                 "%zu" MC_READ("2.5 Strings of exact size"),
                 PARTS, got, len + 1);
    free(s);
}

Test(string_failures, join_returns_a_block_of_its_own_for_one_part_or_none)
{
    MC_CLAUSE("6.1", "6.2", "1.2");
    char word[] = "alone";
    const char *parts[] = {word};
    char *one = mf_join(parts, 1, ", ");
    cr_assert_not_null(one, "mf_join() of one part returned NULL, expected \"alone\"" MC_READ(
                                "2.5 Strings of exact size"));
    size_t got = mc_live_size_of(one);
    word[0] = 'A';
    cr_assert(one != word && strcmp(one, "alone") == 0 && got == 6,
              "mf_join() of the one part \"alone\" gave \"%s\" in %s of %zu bytes; expected "
              "\"alone\" in a new block of exactly 6 bytes that does not change with its "
              "source" MC_READ("2.5 Strings of exact size"),
              one, one == word ? "the part itself" : "a block", got);
    free(one);

    char *none = mf_join(parts, 0, "separator");
    cr_assert_not_null(none, "mf_join() of no parts returned NULL, expected \"\"" MC_READ(
                                 "2.5 Strings of exact size"));
    got = mc_live_size_of(none);
    cr_assert(none[0] == '\0' && got == 1,
              "mf_join() of no parts with separator \"separator\" gave \"%s\" in %zu bytes, "
              "expected \"\" in exactly 1 byte: no separator without two parts" MC_READ(
                  "2.5 Strings of exact size"),
              none, got);
    free(none);
}

/* ---- mf_alloc_aligned: limits ---------------------------------------------- */

Test(aligned_limits, honours_alignments_larger_than_a_page)
{
    MC_CLAUSE("7.1");
    static const size_t alignments[] = {8192, 65536};
    static const size_t sizes[] = {0, 1, 100000};
    for (size_t i = 0; i < COUNT_OF(alignments); i++) {
        for (size_t j = 0; j < COUNT_OF(sizes); j++) {
            size_t a = alignments[i];
            size_t n = sizes[j];
            unsigned char *p = mf_alloc_aligned(a, n);
            size_t got = mc_live_size_of(p);
            size_t want = n ? n : 1;
            cr_assert(p != NULL && (uintptr_t)p % a == 0 && got >= want,
                      "mf_alloc_aligned(%zu, %zu) returned %p holding %zu bytes, expected a "
                      "block of at least %zu bytes at a multiple of %zu" MC_READ(
                          "2.6 Aligned allocation"),
                      a, n, (void *)p, got, want, a);
            memset(p, 0x7E, want);
            free(p);
        }
    }
}

Test(aligned_limits, refuses_sizes_that_overflow_when_rounded_up)
{
    MC_CLAUSE("7.3", "1.5");
    void *control = mf_alloc_aligned(4096, 5000);
    cr_assert_not_null(control,
                       "mf_alloc_aligned(4096, 5000) returned NULL, expected a block" MC_READ(
                           "2.6 Aligned allocation"));
    free(control);
    static const struct {
        size_t alignment;
        size_t size;
    } huge[] = {{64, SIZE_MAX - 10}, {4096, SIZE_MAX - 4000}, {2, SIZE_MAX}, {16, SIZE_MAX - 14}};
    for (size_t i = 0; i < COUNT_OF(huge); i++) {
        size_t calls = mc_alloc_calls();
        void *p = mf_alloc_aligned(huge[i].alignment, huge[i].size);
        size_t made = mc_alloc_calls() - calls;
        size_t got = mc_live_size_of(p);
        int refused = p == NULL;
        free(p);
        cr_assert(refused,
                  "mf_alloc_aligned(%zu, %zu) returned a block of %zu bytes, expected "
                  "NULL: rounding the size up to the alignment overflows" MC_READ(
                      "2.6 Aligned allocation"),
                  huge[i].alignment, huge[i].size, got);
        cr_assert_eq(made, 0,
                     "mf_alloc_aligned(%zu, %zu) returned NULL after %zu allocation call(s), "
                     "expected none: the rounded size does not fit, so nothing should be "
                     "asked for" MC_READ("2.6 Aligned allocation"),
                     huge[i].alignment, huge[i].size, made);
    }
}

Test(aligned_limits, returns_null_and_leaks_nothing_when_allocation_fails)
{
    MC_CLAUSE("7.4", "1.4");
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *p = mf_alloc_aligned(32, 100);
    mc_fail_none();
    cr_assert_null(p,
                   "mf_alloc_aligned(32, 100) with %s failing returned %p, expected "
                   "NULL" MC_READ("2.7 When memory runs out"),
                   mc_fail_note(), p);
    mc_assert_no_leak_since(before, "mf_alloc_aligned() with its allocation failing",
                            "2.7 When memory runs out");
    p = mf_alloc_aligned(32, 100);
    cr_assert(p != NULL && (uintptr_t)p % 32 == 0,
              "mf_alloc_aligned(32, 100) returned %p once allocation worked again, expected a "
              "32-byte aligned block" MC_READ("2.7 When memory runs out"),
              p);
    free(p);
}

/* ---- no function prints, aborts or exits ------------------------------------ */

/* Calls every function once with memory to spare (frees what it gets, and
 * returns how many of the six calls succeeded), then fails it every way it
 * can fail: refused arguments and failed allocations. */
static int call_every_way(void)
{
    static const char *const parts[] = {"a", "b"};
    void *buf = NULL;
    size_t cap = 0;
    int worked = 0;
    for (int fail = 0; fail <= 1; fail++) {
        if (fail) {
            (void)mf_alloc_array(SIZE_MAX, 2);
            (void)mf_alloc_zeroed(2, SIZE_MAX);
            (void)mf_grow(&buf, &cap, 4, 0);
            (void)mf_grow(&buf, &cap, SIZE_MAX, 8);
            (void)mf_alloc_aligned(24, 8);
            (void)mf_alloc_aligned(64, SIZE_MAX);
            mc_fail_allocs_after(0);
        }
        void *got[] = {mf_alloc_array(4, 4), mf_alloc_zeroed(4, 4), mf_strdup("text"),
                       mf_join(parts, 2, "-"), mf_alloc_aligned(16, 16)};
        int grown = mf_grow(&buf, &cap, cap + 4, 4) == 0;
        mc_fail_none();
        for (size_t i = 0; i < COUNT_OF(got); i++) {
            worked += !fail && got[i] != NULL;
            free(got[i]);
        }
        worked += !fail && grown;
    }
    free(buf);
    return worked;
}

Test(quiet_failures, no_function_prints_aborts_or_exits)
{
    MC_CLAUSE("1.6");
    int pipe_fds[2];
    cr_assert_eq(pipe(pipe_fds), 0, "the test could not create a pipe");
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(STDOUT_FILENO);
    int saved_err = dup(STDERR_FILENO);
    cr_assert(saved_out >= 0 && saved_err >= 0, "the test could not save stdout and stderr");
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[1]);

    int worked = call_every_way(); /* returns here: nothing aborted or exited */

    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    char said[200] = "";
    ssize_t got = read(pipe_fds[0], said, sizeof said - 1);
    close(pipe_fds[0]);
    said[got > 0 ? got : 0] = '\0';
    cr_assert(got <= 0,
              "a call printed \"%.80s\"; expected silence: a failure is reported by the "
              "return value alone" MC_READ("2.7 When memory runs out"),
              said);
    cr_assert_eq(worked, 6,
                 "with memory to spare only %d of the six functions succeeded, expected all "
                 "six" MC_READ("2.1 Four functions and their contracts"),
                 worked);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) are live after every call was freed, expected none" MC_READ(
                     "2.7 When memory runs out"),
                 mc_live_blocks());
}
