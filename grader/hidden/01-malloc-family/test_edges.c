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

MC_SUITE(zero_sizes);
MC_SUITE(grow_contract);
MC_SUITE(string_failures);
MC_SUITE(aligned_limits);

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* ---- zero-byte requests --------------------------------------------------- */

Test(zero_sizes, give_distinct_one_byte_blocks)
{
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
                     "zero-byte request %zu allocated %zu bytes, expected exactly 1" MC_READ(
                         "2.1 Four functions and their contracts"),
                     i, sizes[i]);
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
    size_t cap;
    int *buf = make_ints(2, &cap);
    int *old = buf;
    struct {
        size_t min_capacity;
        size_t elem_size;
    } bad[] = {
        {SIZE_MAX / 4 + 2, 4}, /* wraps to 4 bytes */
        {SIZE_MAX / 8 + 1, 8}, /* wraps to 0 bytes */
        {SIZE_MAX, 16},        /* wraps to SIZE_MAX - 15 */
        {10, 0},               /* no element size */
    };
    for (size_t i = 0; i < COUNT_OF(bad); i++) {
        struct mc_snapshot before = mc_snapshot();
        int rc = mf_grow((void **)&buf, &cap, bad[i].min_capacity, bad[i].elem_size);
        cr_assert(rc == -1 && buf == old && cap == 2,
                  "mf_grow(min_capacity %zu, elem_size %zu) returned %d, capacity %zu, %s the "
                  "buffer; expected -1 with buffer and capacity 2 unchanged: the size "
                  "overflows or is zero" MC_READ("2.4 The safe realloc idiom"),
                  bad[i].min_capacity, bad[i].elem_size, rc, cap, buf == old ? "kept" : "changed");
        mc_assert_no_leak_since(before, "a refused mf_grow()", "2.4 The safe realloc idiom");
        assert_ints_intact(buf, 2, "a refused mf_grow()");
    }
    free(buf);
}

Test(grow_contract, does_nothing_when_the_capacity_already_suffices)
{
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

Test(grow_contract, keeps_every_element_through_many_growths_and_failures)
{
    int *buf = NULL;
    size_t cap = 0;
    for (size_t n = 1; n <= 64; n++) {
        if (n % 8 == 0) { /* every eighth growth fails once first */
            int *old = buf;
            mc_fail_nth_alloc(1);
            int rc = mf_grow((void **)&buf, &cap, n, sizeof *buf);
            mc_fail_none();
            cr_assert(rc == -1 && buf == old && cap == n - 1,
                      "mf_grow() to %zu ints with realloc failing returned %d, capacity %zu, "
                      "%s the buffer; expected -1, capacity %zu and the same buffer" MC_READ(
                          "2.4 The safe realloc idiom"),
                      n, rc, cap, buf == old ? "kept" : "changed", n - 1);
            cr_assert_eq(mc_live_blocks(), 1,
                         "%zu blocks live after a failed mf_grow(), "
                         "expected 1 (the buffer)" MC_READ("2.4 The safe realloc idiom"),
                         mc_live_blocks());
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
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    char *copy = mf_strdup("never copied");
    mc_fail_none();
    cr_assert_null(copy,
                   "mf_strdup() returned %p while malloc was failing, expected NULL" MC_READ(
                       "2.7 When memory runs out"),
                   (void *)copy);
    mc_assert_no_leak_since(before, "mf_strdup() with malloc failing", "2.7 When memory runs out");

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
    static const char *const parts[] = {"left", "right"};
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    char *s = mf_join(parts, 2, " and ");
    mc_fail_none();
    cr_assert_null(s,
                   "mf_join() returned %p while malloc was failing, expected NULL" MC_READ(
                       "2.7 When memory runs out"),
                   (void *)s);
    mc_assert_no_leak_since(before, "mf_join() with malloc failing", "2.7 When memory runs out");

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

/* ---- mf_alloc_aligned: limits ---------------------------------------------- */

Test(aligned_limits, refuses_sizes_that_overflow_when_rounded_up)
{
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
        void *p = mf_alloc_aligned(huge[i].alignment, huge[i].size);
        size_t got = mc_live_size_of(p);
        int refused = p == NULL;
        free(p);
        cr_assert(refused,
                  "mf_alloc_aligned(%zu, %zu) returned a block of %zu bytes, expected "
                  "NULL: rounding the size up to the alignment overflows" MC_READ(
                      "2.6 Aligned allocation"),
                  huge[i].alignment, huge[i].size, got);
    }
}

Test(aligned_limits, returns_null_and_leaks_nothing_when_allocation_fails)
{
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    void *p = mf_alloc_aligned(32, 100);
    mc_fail_none();
    cr_assert_null(p,
                   "mf_alloc_aligned(32, 100) returned %p while allocation was failing, "
                   "expected NULL" MC_READ("2.7 When memory runs out"),
                   p);
    mc_assert_no_leak_since(before, "mf_alloc_aligned() with allocation failing",
                            "2.7 When memory runs out");
    p = mf_alloc_aligned(32, 100);
    cr_assert(p != NULL && (uintptr_t)p % 32 == 0,
              "mf_alloc_aligned(32, 100) returned %p once allocation worked again, expected a "
              "32-byte aligned block" MC_READ("2.7 When memory runs out"),
              p);
    free(p);
}
