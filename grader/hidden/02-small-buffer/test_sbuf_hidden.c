/*
 * Hidden tests for exercise 02 (small-buffer): every size around the inline
 * capacity and every way to reach it, the growth sequence, the state after
 * every way a call can fail, copies and moves of inline and heap buffers
 * (also inside an array), and a long random run checked against a plain array.
 */
#include "mc_test.h"
#include "sbuf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_PATTERN MC_READ("4.5 The small-buffer pattern")
#define READ_STRUCT  MC_READ("4.6 Small buffers that live in a struct")
#define READ_COPY    MC_READ("3.2 Create, copy and destroy")
#define READ_REALLOC MC_READ("2.4 The safe realloc idiom")
#define READ_SIZES   MC_READ("2.2 Sizes that overflow")

MC_SUITE(boundary);
MC_SUITE(growth);
MC_SUITE(failure);
MC_SUITE(storage);
MC_SUITE(copy);
MC_SUITE(move);
MC_SUITE(model);

enum { BIG = 256 };

/* BIG distinct-looking bytes, with a few '\0' among them. */
static char bytes[BIG];

static void fill_bytes(void)
{
    for (size_t i = 0; i < BIG; i++) {
        bytes[i] = (char)(i % 7 == 6 ? '\0' : 'a' + (char)(i % 26));
    }
}

static void fresh_filled(struct sbuf *b)
{
    fill_bytes();
    memset(b, 0xA5, sizeof *b);
    sbuf_init(b);
    cr_assert(b->data == b->inline_buf && b->len == 0 && b->cap == SBUF_INLINE &&
                  b->inline_buf[0] == '\0',
              "after sbuf_init() on a struct full of garbage: data %p, len %zu, cap %zu; expected "
              "data == inline_buf (%p), len 0, cap %d and a '\\0': sbuf_init sets every "
              "field" READ_PATTERN,
              (void *)b->data, b->len, b->cap, (void *)b->inline_buf, SBUF_INLINE);
}

static void append_or_fail(struct sbuf *b, const char *from, size_t n)
{
    size_t len = b->len;
    int rc = sbuf_append(b, from, n);
    cr_assert_eq(rc, 0,
                 "sbuf_append() of %zu byte(s) to a buffer of len %zu returned %d, "
                 "expected 0" READ_PATTERN,
                 n, len, rc);
}

/* A buffer holding bytes[0..n), built by one append. */
static void make(struct sbuf *b, size_t n)
{
    fresh_filled(b);
    append_or_fail(b, bytes, n);
}

/* One assertion: the content is the n bytes at want, then '\0'. */
static void check_content(const struct sbuf *b, const char *want, size_t n, const char *after)
{
    cr_assert(b->data != NULL && b->len == n && memcmp(b->data, want, n) == 0 && b->data[n] == '\0',
              "after %s: len %zu (expected %zu), or the content differs from the %zu bytes "
              "expected, or data[len] is not '\\0'" READ_STRUCT,
              after, b->len, n, n);
}

/* One assertion: the storage matches invariants 1.2 and 1.3 with the given kind. */
static void check_inline(const struct sbuf *b, const char *after)
{
    cr_assert(b->data == b->inline_buf && b->cap == SBUF_INLINE,
              "after %s (len %zu): data %p and cap %zu; expected the inline array (%p) and cap "
              "%d" READ_PATTERN,
              after, b->len, (void *)b->data, b->cap, (void *)b->inline_buf, SBUF_INLINE);
}

static void check_heap(const struct sbuf *b, size_t cap, const char *after)
{
    size_t size = b->data == b->inline_buf ? 0 : mc_live_size_of(b->data);
    cr_assert(b->data != b->inline_buf && b->cap == cap && size == cap + 1,
              "after %s (len %zu): data %p (inline array %p), cap %zu, a block of %zu bytes; "
              "expected a heap block of cap + 1 = %zu bytes with cap %zu (0 bytes: not a live "
              "heap block)" READ_PATTERN,
              after, b->len, (void *)b->data, (void *)b->inline_buf, b->cap, size, cap + 1, cap);
}

/* What a test remembers of a buffer, to prove a call changed nothing. */
struct picture {
    char *data;
    size_t len;
    size_t cap;
    char content[BIG + 1];
};

static struct picture picture_of(const struct sbuf *b)
{
    struct picture p = {b->data, b->len, b->cap, {0}};
    cr_assert(b->len <= BIG, "len %zu is larger than any content this test made" READ_STRUCT,
              b->len);
    memcpy(p.content, b->data, b->len + 1);
    return p;
}

static void expect_unchanged(const struct sbuf *b, const struct picture *p, const char *after)
{
    cr_assert(b->data == p->data && b->len == p->len && b->cap == p->cap &&
                  memcmp(b->data, p->content, p->len + 1) == 0,
              "after %s: data %p, len %zu, cap %zu; expected them unchanged: %p, %zu, %zu, and "
              "the same content" MC_READ("5.5 The strong guarantee"),
              after, (void *)b->data, b->len, b->cap, (void *)p->data, p->len, p->cap);
}

/* ---- boundary ---------------------------------------------------------------- */

Test(boundary, every_size_up_to_the_inline_capacity_stays_inline_and_every_larger_spills)
{
    MC_CLAUSE("1.1", "1.5", "4.6", "1.3", "1.4");
    for (size_t n = 0; n <= 40; n++) {
        struct sbuf b;
        fresh_filled(&b);
        size_t calls = mc_alloc_calls();
        append_or_fail(&b, bytes, n);
        char after[64];
        snprintf(after, sizeof after, "one sbuf_append() of %zu bytes to an empty buffer", n);
        check_content(&b, bytes, n, after);
        if (n <= SBUF_INLINE) {
            check_inline(&b, after);
            cr_assert_eq(mc_alloc_calls(), calls,
                         "%s made an allocation call, expected none" READ_PATTERN, after);
        } else {
            check_heap(&b, n > 2 * SBUF_INLINE ? n : 2 * SBUF_INLINE, after);
            cr_assert_eq(mc_alloc_calls(), calls + 1,
                         "%s made %zu allocation calls, expected 1" READ_PATTERN, after,
                         mc_alloc_calls() - calls);
        }
        sbuf_free(&b);
    }
}

Test(boundary, the_terminating_nul_stays_inside_the_inline_array)
{
    MC_CLAUSE("1.1", "1.4", "4.5");
    struct guarded {
        struct sbuf b;
        unsigned char canary[16];
    } s;
    cr_assert_eq(offsetof(struct guarded, canary), sizeof(struct sbuf),
                 "test set-up: the canary does not follow the struct");
    fresh_filled(&s.b);
    memset(s.canary, 0x5A, sizeof s.canary);
    append_or_fail(&s.b, bytes, 7);
    append_or_fail(&s.b, bytes + 7, 8);
    check_inline(&s.b, "appending 7 bytes, then 8");
    check_content(&s.b, bytes, SBUF_INLINE, "appending 7 bytes, then 8");
    for (size_t i = 0; i < sizeof s.canary; i++) {
        cr_assert_eq(s.canary[i], 0x5A,
                     "the byte %zu past the end of struct sbuf changed (to %d) while the content "
                     "was 15 bytes: something wrote past inline_buf" READ_STRUCT,
                     i, s.canary[i]);
    }
    append_or_fail(&s.b, bytes + 15, 1);
    check_heap(&s.b, 2 * SBUF_INLINE, "appending the 16th byte");
    for (size_t i = 0; i < sizeof s.canary; i++) {
        cr_assert_eq(s.canary[i], 0x5A,
                     "the byte %zu past the end of struct sbuf changed (to %d) when the 16th byte "
                     "was appended" READ_STRUCT,
                     i, s.canary[i]);
    }
    sbuf_free(&s.b);
}

Test(boundary, reserve_at_and_past_the_inline_capacity)
{
    MC_CLAUSE("4.1", "4.2", "1.5", "1.1");
    struct sbuf b;
    make(&b, 4);
    size_t calls = mc_alloc_calls();
    cr_assert_eq(sbuf_reserve(&b, 0), 0, "sbuf_reserve(&b, 0) failed, expected 0" READ_PATTERN);
    cr_assert_eq(sbuf_reserve(&b, SBUF_INLINE), 0,
                 "sbuf_reserve(&b, 15) failed, expected 0" READ_PATTERN);
    check_inline(&b, "sbuf_reserve(&b, 15)");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "sbuf_reserve() of at most 15 bytes made an allocation call, expected none: "
                 "they fit inline" READ_PATTERN);
    cr_assert_eq(sbuf_reserve(&b, SBUF_INLINE + 1), 0,
                 "sbuf_reserve(&b, 16) failed, expected 0" READ_PATTERN);
    check_heap(&b, SBUF_INLINE + 1, "sbuf_reserve(&b, 16)");
    check_content(&b, bytes, 4, "sbuf_reserve(&b, 16)");
    sbuf_free(&b);
}

Test(boundary, shrink_to_fit_at_the_inline_capacity)
{
    MC_CLAUSE("5.3", "5.4", "1.1");
    struct sbuf b;
    make(&b, 40);
    sbuf_truncate(&b, SBUF_INLINE);
    cr_assert_eq(sbuf_shrink_to_fit(&b), 0,
                 "sbuf_shrink_to_fit() with 15 bytes on the heap failed, expected 0" READ_PATTERN);
    check_inline(&b, "sbuf_shrink_to_fit() with 15 bytes on the heap");
    check_content(&b, bytes, SBUF_INLINE, "sbuf_shrink_to_fit() with 15 bytes on the heap");
    cr_assert_eq(mc_live_blocks(), 0,
                 "after moving back inline, %zu block(s) are live, expected 0" READ_PATTERN,
                 mc_live_blocks());
    sbuf_free(&b);

    make(&b, 40);
    sbuf_truncate(&b, SBUF_INLINE + 1);
    cr_assert_eq(sbuf_shrink_to_fit(&b), 0,
                 "sbuf_shrink_to_fit() with 16 bytes on the heap failed, expected 0" READ_PATTERN);
    check_heap(&b, SBUF_INLINE + 1, "sbuf_shrink_to_fit() with 16 bytes on the heap");
    check_content(&b, bytes, SBUF_INLINE + 1, "sbuf_shrink_to_fit() with 16 bytes on the heap");
    sbuf_free(&b);
}

Test(boundary, copy_at_the_inline_capacity)
{
    MC_CLAUSE("6.2", "6.3", "1.1");
    for (size_t n = SBUF_INLINE - 1; n <= SBUF_INLINE + 2; n++) {
        struct sbuf src;
        make(&src, n);
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        size_t calls = mc_alloc_calls();
        char after[64];
        snprintf(after, sizeof after, "sbuf_copy() of %zu bytes", n);
        cr_assert_eq(sbuf_copy(&dst, &src), 0, "%s failed, expected 0" READ_COPY, after);
        check_content(&dst, bytes, n, after);
        if (n <= SBUF_INLINE) {
            check_inline(&dst, after);
            cr_assert_eq(mc_alloc_calls(), calls,
                         "%s made an allocation call, expected none" READ_PATTERN, after);
        } else {
            check_heap(&dst, n, after);
            cr_assert_eq(mc_alloc_calls(), calls + 1,
                         "%s made %zu allocation calls, expected 1" READ_PATTERN, after,
                         mc_alloc_calls() - calls);
        }
        sbuf_free(&dst);
        sbuf_free(&src);
    }
}

Test(boundary, appending_nothing_never_grows_a_full_buffer)
{
    MC_CLAUSE("4.7", "1.1");
    struct sbuf b;
    make(&b, SBUF_INLINE);
    struct picture p = picture_of(&b);
    size_t calls = mc_alloc_calls();
    cr_assert_eq(sbuf_append(&b, NULL, 0), 0,
                 "sbuf_append(&b, NULL, 0) failed, expected 0: appending nothing" READ_PATTERN);
    cr_assert_eq(sbuf_append(&b, "x", 0), 0,
                 "sbuf_append(&b, \"x\", 0) failed, expected 0" READ_PATTERN);
    expect_unchanged(&b, &p, "appending 0 bytes to a full inline buffer");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "appending 0 bytes to a full buffer made an allocation call, expected none: "
                 "len + 0 <= cap" READ_PATTERN);
    append_or_fail(&b, bytes + SBUF_INLINE, SBUF_INLINE); /* 30 bytes: full, on the heap */
    p = picture_of(&b);
    calls = mc_alloc_calls();
    cr_assert_eq(sbuf_append(&b, NULL, 0), 0,
                 "sbuf_append(&b, NULL, 0) on a full heap buffer failed, expected 0" READ_PATTERN);
    expect_unchanged(&b, &p, "appending 0 bytes to a full heap buffer");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "appending 0 bytes to a full heap buffer made an allocation call" READ_PATTERN);
    sbuf_free(&b);
}

Test(boundary, nothing_reaches_the_heap_while_the_content_fits)
{
    MC_CLAUSE("1.5", "3.4", "5.2", "5.5", "6.7", "6.2");
    struct sbuf a;
    struct sbuf b;
    fresh_filled(&a);
    for (int round = 0; round < 3; round++) {
        append_or_fail(&a, bytes, 5);
        append_or_fail(&a, bytes + 5, 10);
        sbuf_truncate(&a, 20);
        sbuf_truncate(&a, 9);
        cr_assert_eq(sbuf_reserve(&a, SBUF_INLINE), 0, "sbuf_reserve(&a, 15) failed" READ_PATTERN);
        cr_assert_eq(sbuf_shrink_to_fit(&a), 0,
                     "sbuf_shrink_to_fit() of an inline buffer failed, expected 0" READ_PATTERN);
        append_or_fail(&a, bytes + 9, 6);
        cr_assert_eq(sbuf_copy(&b, &a), 0, "sbuf_copy() of 15 bytes failed" READ_COPY);
        sbuf_free(&a);
        sbuf_move(&a, &b);
        check_content(&a, bytes, SBUF_INLINE, "copying and moving 15 bytes back");
        check_inline(&a, "copying and moving 15 bytes back");
        sbuf_free(&b);
        sbuf_free(&a);
    }
    cr_assert_eq(mc_alloc_calls(), 0,
                 "a buffer whose content never exceeded 15 bytes made %zu allocation call(s), "
                 "expected none" READ_PATTERN,
                 mc_alloc_calls());
}

/* ---- growth ------------------------------------------------------------------ */

Test(growth, one_byte_at_a_time_doubles_from_the_inline_capacity)
{
    MC_CLAUSE("4.6", "4.5", "7.1");
    static const size_t caps[] = {30, 60, 120, 240};
    size_t seen = 0;
    struct sbuf b;
    fresh_filled(&b);
    for (size_t i = 0; i < 200; i++) {
        char *before = b.data;
        size_t cap = b.cap;
        append_or_fail(&b, bytes + i, 1);
        if (i + 1 <= cap) {
            cr_assert(b.data == before && b.cap == cap,
                      "appending byte %zu with cap %zu moved the content (data %p, was %p; cap "
                      "%zu): it fitted" READ_PATTERN,
                      i + 1, cap, (void *)b.data, (void *)before, b.cap);
        } else {
            cr_assert(seen < 4 && b.cap == caps[seen],
                      "appending byte %zu grew cap %zu to %zu, expected %zu: the larger of len + "
                      "n and twice cap" MC_READ("5.2 Geometric growth and amortized O(1)"),
                      i + 1, cap, b.cap, seen < 4 ? caps[seen] : 0);
            seen++;
        }
    }
    check_heap(&b, 240, "200 one-byte appends");
    check_content(&b, bytes, 200, "200 one-byte appends");
    cr_assert_eq(mc_alloc_calls(), 4,
                 "200 one-byte appends made %zu allocation calls, expected 4 (15 -> 30 -> 60 -> "
                 "120 -> 240)" MC_READ("5.2 Geometric growth and amortized O(1)"),
                 mc_alloc_calls());
    sbuf_free(&b);
}

Test(growth, a_large_append_grows_to_exactly_what_it_needs)
{
    MC_CLAUSE("4.6", "4.5");
    struct sbuf b;
    make(&b, 40);
    check_heap(&b, 40, "appending 40 bytes to an empty buffer (40 > 2 * 15)");
    append_or_fail(&b, bytes + 40, 1);
    check_heap(&b, 80, "appending 1 byte to a full buffer of cap 40");
    append_or_fail(&b, bytes + 41, 100);
    check_heap(&b, 160, "appending 100 bytes to 41 with cap 80");
    check_content(&b, bytes, 141, "appending 40, 1 and 100 bytes");
    sbuf_free(&b);

    make(&b, 3);
    append_or_fail(&b, bytes + 3, 50);
    check_heap(&b, 53, "appending 50 bytes to an inline buffer of 3");
    check_content(&b, bytes, 53, "appending 3 bytes, then 50");
    sbuf_free(&b);
}

Test(growth, reserve_never_shrinks_and_grows_to_exactly_n)
{
    MC_CLAUSE("4.1", "4.2");
    struct sbuf b;
    make(&b, 40);
    struct picture p = picture_of(&b);
    size_t calls = mc_alloc_calls();
    cr_assert_eq(sbuf_reserve(&b, 20), 0, "sbuf_reserve(&b, 20) failed" READ_PATTERN);
    cr_assert_eq(sbuf_reserve(&b, 40), 0, "sbuf_reserve(&b, 40) failed" READ_PATTERN);
    expect_unchanged(&b, &p, "sbuf_reserve() of 20 and 40 with cap 40");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "sbuf_reserve() of no more than cap made an allocation call" READ_PATTERN);
    cr_assert_eq(sbuf_reserve(&b, 41), 0, "sbuf_reserve(&b, 41) failed" READ_PATTERN);
    check_heap(&b, 41, "sbuf_reserve(&b, 41) with cap 40");
    check_content(&b, bytes, 40, "sbuf_reserve(&b, 41)");
    sbuf_free(&b);
}

Test(growth, appends_that_fit_never_move_the_content)
{
    MC_CLAUSE("7.1", "4.5");
    struct sbuf b;
    make(&b, 31);
    check_heap(&b, 31, "appending 31 bytes");
    cr_assert_eq(sbuf_reserve(&b, 60), 0, "sbuf_reserve(&b, 60) failed" READ_PATTERN);
    char *block = b.data;
    size_t calls = mc_alloc_calls();
    for (size_t i = 31; i < 60; i += 7) {
        append_or_fail(&b, bytes + i, 60 - i < 7 ? 60 - i : 7);
    }
    sbuf_truncate(&b, 50);
    cr_assert(b.data == block && b.cap == 60 && mc_alloc_calls() == calls,
              "appends within cap 60 and a truncate moved the content (data %p, was %p; cap "
              "%zu; %zu allocation call(s))" READ_PATTERN,
              (void *)b.data, (void *)block, b.cap, mc_alloc_calls() - calls);
    check_content(&b, bytes, 50, "appending up to 60 bytes and truncating to 50");
    sbuf_free(&b);
}

/* ---- failure ----------------------------------------------------------------- */

Test(failure, a_failed_spill_at_the_boundary_leaves_the_inline_content)
{
    MC_CLAUSE("4.10", "2.2", "2.1");
    struct sbuf b;
    make(&b, SBUF_INLINE);
    struct picture p = picture_of(&b);
    struct mc_snapshot live = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = sbuf_append(&b, bytes + SBUF_INLINE, 1);
    cr_assert_eq(
        rc, -1,
        "sbuf_append() of the 16th byte with %s failing returned %d, expected -1" READ_REALLOC,
        mc_fail_note(), rc);
    expect_unchanged(&b, &p, "a failed spill of the 16th byte");
    mc_assert_no_leak_since(live, "a failed spill", "2.4 The safe realloc idiom");
    mc_fail_none();
    sbuf_free(&b);
}

Test(failure, a_failed_growth_on_the_heap_keeps_the_block)
{
    MC_CLAUSE("4.10", "2.2");
    struct sbuf b;
    make(&b, 2 * SBUF_INLINE + 1); /* cap 31, full */
    struct picture p = picture_of(&b);
    struct mc_snapshot live = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = sbuf_append(&b, bytes, 5);
    cr_assert_eq(rc, -1,
                 "sbuf_append() to a full heap buffer with %s failing returned %d, expected "
                 "-1" READ_REALLOC,
                 mc_fail_note(), rc);
    expect_unchanged(&b, &p, "a failed growth on the heap");
    cr_assert_eq(mc_live_size_of(b.data), 32,
                 "after a failed growth the buffer's block is %zu bytes, expected the old "
                 "block of 32, still live" READ_REALLOC,
                 mc_live_size_of(b.data));
    mc_assert_no_leak_since(live, "a failed growth", "2.4 The safe realloc idiom");
    mc_fail_none();
    sbuf_free(&b);
    cr_assert_eq(mc_live_blocks(), 0, "after sbuf_free, %zu block(s) are live" READ_PATTERN,
                 mc_live_blocks());
}

Test(failure, a_failed_reserve_changes_nothing)
{
    MC_CLAUSE("4.4", "2.2", "2.1");
    for (size_t start = 3; start <= 40; start += 37) {
        struct sbuf b;
        make(&b, start);
        struct picture p = picture_of(&b);
        struct mc_snapshot live = mc_snapshot();
        mc_fail_nth_alloc(1);
        int rc = sbuf_reserve(&b, 100);
        cr_assert_eq(rc, -1,
                     "sbuf_reserve(&b, 100) on a buffer of %zu bytes with %s failing returned %d, "
                     "expected -1" READ_REALLOC,
                     start, mc_fail_note(), rc);
        expect_unchanged(&b, &p, "a failed sbuf_reserve()");
        mc_assert_no_leak_since(live, "a failed sbuf_reserve()", "2.4 The safe realloc idiom");
        mc_fail_none();
        sbuf_free(&b);
    }
}

Test(failure, reserve_of_size_max_is_refused_without_allocating)
{
    MC_CLAUSE("4.3", "2.2");
    for (size_t start = 3; start <= 40; start += 37) {
        struct sbuf b;
        make(&b, start);
        struct picture p = picture_of(&b);
        size_t calls = mc_alloc_calls();
        int rc = sbuf_reserve(&b, SIZE_MAX);
        cr_assert_eq(rc, -1,
                     "sbuf_reserve(&b, SIZE_MAX) returned %d, expected -1: SIZE_MAX + 1 bytes "
                     "cannot be counted" READ_SIZES,
                     rc);
        cr_assert_eq(mc_alloc_calls(), calls,
                     "sbuf_reserve(&b, SIZE_MAX) made an allocation call; it must be refused "
                     "before" READ_SIZES);
        expect_unchanged(&b, &p, "a refused sbuf_reserve(&b, SIZE_MAX)");
        sbuf_free(&b);
    }
}

Test(failure, an_append_whose_length_overflows_is_refused_without_allocating)
{
    MC_CLAUSE("4.9", "2.2");
    for (size_t start = 5; start <= 40; start += 35) {
        const size_t sizes[] = {SIZE_MAX - start, SIZE_MAX - start + 1, SIZE_MAX - 1, SIZE_MAX};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            struct sbuf b;
            make(&b, start);
            struct picture p = picture_of(&b);
            size_t calls = mc_alloc_calls();
            int rc = sbuf_append(&b, bytes, sizes[i]);
            cr_assert_eq(rc, -1,
                         "sbuf_append() of %zu bytes to a buffer of len %zu returned %d, "
                         "expected -1: len + n + 1 does not fit in a size_t" READ_SIZES,
                         sizes[i], start, rc);
            cr_assert_eq(mc_alloc_calls(), calls,
                         "sbuf_append() of %zu bytes to len %zu made an allocation call; the "
                         "overflow must be caught before" READ_SIZES,
                         sizes[i], start);
            expect_unchanged(&b, &p, "a refused sbuf_append() whose length overflows");
            sbuf_free(&b);
        }
    }
}

Test(failure, appending_null_bytes_is_refused)
{
    MC_CLAUSE("4.8", "2.2");
    for (size_t start = 5; start <= 40; start += 35) {
        struct sbuf b;
        make(&b, start);
        struct picture p = picture_of(&b);
        size_t calls = mc_alloc_calls();
        int rc = sbuf_append(&b, NULL, 3);
        cr_assert_eq(rc, -1, "sbuf_append(&b, NULL, 3) returned %d, expected -1" READ_PATTERN, rc);
        cr_assert_eq(
            mc_alloc_calls(), calls,
            "sbuf_append(&b, NULL, 3) made an allocation call, expected none" READ_PATTERN);
        expect_unchanged(&b, &p, "a refused sbuf_append(&b, NULL, 3)");
        rc = sbuf_append(&b, NULL, 40);
        cr_assert_eq(rc, -1, "sbuf_append(&b, NULL, 40) returned %d, expected -1" READ_PATTERN, rc);
        expect_unchanged(&b, &p, "a refused sbuf_append(&b, NULL, 40)");
        sbuf_free(&b);
    }
}

Test(failure, a_failed_shrink_keeps_the_larger_block)
{
    MC_CLAUSE("5.6", "2.2", "5.4");
    struct sbuf b;
    make(&b, 40);
    cr_assert_eq(sbuf_reserve(&b, 60), 0, "sbuf_reserve(&b, 60) failed" READ_PATTERN);
    struct picture p = picture_of(&b);
    struct mc_snapshot live = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = sbuf_shrink_to_fit(&b);
    cr_assert_eq(rc, -1,
                 "sbuf_shrink_to_fit() of 40 bytes in cap 60 with %s failing returned %d, "
                 "expected -1" READ_REALLOC,
                 mc_fail_note(), rc);
    expect_unchanged(&b, &p, "a failed sbuf_shrink_to_fit()");
    mc_assert_no_leak_since(live, "a failed sbuf_shrink_to_fit()", "2.4 The safe realloc idiom");
    mc_fail_none();
    cr_assert_eq(sbuf_shrink_to_fit(&b), 0, "sbuf_shrink_to_fit() failed, expected 0" READ_PATTERN);
    check_heap(&b, 40, "sbuf_shrink_to_fit() of 40 bytes in cap 60");
    check_content(&b, bytes, 40, "sbuf_shrink_to_fit() of 40 bytes in cap 60");
    sbuf_free(&b);
}

Test(failure, a_failed_copy_leaves_an_empty_destination)
{
    MC_CLAUSE("6.5", "6.4", "2.1");
    struct sbuf src;
    make(&src, 20);
    struct picture p = picture_of(&src);
    struct mc_snapshot live = mc_snapshot();
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst);
    mc_fail_nth_alloc(1);
    int rc = sbuf_copy(&dst, &src);
    cr_assert_eq(rc, -1,
                 "sbuf_copy() of 20 bytes with %s failing returned %d, expected -1" READ_COPY,
                 mc_fail_note(), rc);
    cr_assert(dst.data == dst.inline_buf && dst.len == 0 && dst.cap == SBUF_INLINE &&
                  dst.inline_buf[0] == '\0',
              "after a failed sbuf_copy(), dst has data %p, len %zu, cap %zu; expected it empty "
              "as after sbuf_init (data %p, len 0, cap %d), so that freeing it is safe" READ_COPY,
              (void *)dst.data, dst.len, dst.cap, (void *)dst.inline_buf, SBUF_INLINE);
    expect_unchanged(&src, &p, "a failed sbuf_copy() (the source)");
    mc_assert_no_leak_since(live, "a failed sbuf_copy()", "3.2 Create, copy and destroy");
    mc_fail_none();
    sbuf_free(&dst);
    sbuf_free(&src);
}

/* Runs a fixed script with every allocation after the first `budget` failing.
 * Every call either succeeds with the expected result, or fails and changes
 * nothing: one assertion per call either way. */
static void scripted_run(size_t budget)
{
    struct sbuf a;
    struct sbuf c;
    fresh_filled(&a);
    memset(&c, 0xA5, sizeof c);
    size_t len = 0; /* what a should hold: bytes[0..len) */
    mc_fail_allocs_after(budget);
    static const size_t steps[] = {10, 6, 20, 1, 40, 100};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct picture p = picture_of(&a);
        int rc = sbuf_append(&a, bytes + len, steps[i]);
        if (rc == 0) {
            len += steps[i];
            check_content(&a, bytes, len, "an append that succeeded");
        } else {
            expect_unchanged(&a, &p, "an append that failed");
        }
    }
    sbuf_truncate(&a, len > 18 ? 18 : len);
    len = len > 18 ? 18 : len;
    struct picture p = picture_of(&a);
    int rc = sbuf_shrink_to_fit(&a);
    if (rc == 0) {
        check_content(&a, bytes, len, "a shrink that succeeded");
    } else {
        expect_unchanged(&a, &p, "a shrink that failed");
    }
    rc = sbuf_copy(&c, &a);
    if (rc == 0) {
        check_content(&c, bytes, len, "a copy that succeeded");
    } else {
        cr_assert(c.data == c.inline_buf && c.len == 0,
                  "a failed copy (%s) left dst with data %p and len %zu, expected empty" READ_COPY,
                  mc_fail_note(), (void *)c.data, c.len);
    }
    p = picture_of(&a);
    rc = sbuf_reserve(&a, 90);
    if (rc == 0) {
        check_content(&a, bytes, len, "a reserve that succeeded");
    } else {
        expect_unchanged(&a, &p, "a reserve that failed");
    }
    mc_fail_none();
    sbuf_free(&c);
    sbuf_free(&a);
}

Test(failure, running_out_of_memory_at_every_step_never_leaks_or_corrupts)
{
    MC_CLAUSE("2.2", "4.10", "4.4", "5.6", "6.5");
    for (size_t budget = 0; budget <= 8; budget++) {
        struct mc_snapshot live = mc_snapshot();
        scripted_run(budget);
        mc_assert_no_leak_since(live,
                                "a run of appends, a shrink, a copy and a reserve with "
                                "allocations failing",
                                "2.4 The safe realloc idiom");
    }
}

/* ---- storage: free, truncate, shrink ----------------------------------------- */

Test(storage, free_of_a_truncated_heap_buffer_frees_its_block)
{
    MC_CLAUSE("3.2", "5.1", "3.4");
    static const size_t cuts[] = {0, 2, SBUF_INLINE, SBUF_INLINE + 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        struct mc_snapshot live = mc_snapshot();
        struct sbuf b;
        make(&b, 40);
        sbuf_truncate(&b, cuts[i]);
        check_heap(&b, 40, "sbuf_truncate() of a heap buffer");
        sbuf_free(&b);
        cr_assert(mc_live_blocks() == live.blocks && mc_live_bytes() == live.bytes,
                  "sbuf_free() of a heap buffer truncated to %zu bytes left %zu block(s) "
                  "live, expected %zu: free the block whenever data is not the inline array, "
                  "whatever len is" READ_PATTERN,
                  cuts[i], mc_live_blocks(), live.blocks);
        check_inline(&b, "sbuf_free()");
        check_content(&b, "", 0, "sbuf_free()");
    }
}

Test(storage, free_twice_and_reuse)
{
    MC_CLAUSE("3.3", "3.4");
    struct sbuf b;
    make(&b, 5);
    sbuf_free(&b); /* an inline buffer: frees nothing */
    sbuf_free(&b);
    check_inline(&b, "sbuf_free() twice of an inline buffer");
    check_content(&b, "", 0, "sbuf_free() twice of an inline buffer");
    append_or_fail(&b, bytes, 40);
    check_heap(&b, 40, "reusing a freed buffer for 40 bytes");
    sbuf_free(&b);
    sbuf_free(&b);
    check_inline(&b, "sbuf_free() twice of a heap buffer");
    append_or_fail(&b, bytes, 3);
    check_content(&b, bytes, 3, "reusing a freed buffer for 3 bytes");
    sbuf_free(&b);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after the last free, expected 0" READ_PATTERN,
                 mc_live_blocks());
}

Test(storage, truncate_to_a_longer_length_does_nothing)
{
    MC_CLAUSE("5.2");
    static const size_t starts[] = {0, 7, 40};
    for (size_t i = 0; i < 3; i++) {
        struct sbuf b;
        make(&b, starts[i]);
        struct picture p = picture_of(&b);
        sbuf_truncate(&b, starts[i]);
        sbuf_truncate(&b, starts[i] + 5);
        sbuf_truncate(&b, SIZE_MAX);
        expect_unchanged(&b, &p, "sbuf_truncate() to len or more");
        sbuf_free(&b);
    }
}

Test(storage, truncate_keeps_the_storage_inline_and_on_the_heap)
{
    MC_CLAUSE("5.1", "7.1");
    struct sbuf b;
    make(&b, 9);
    sbuf_truncate(&b, 3);
    check_inline(&b, "sbuf_truncate(&b, 3) of 9 inline bytes");
    check_content(&b, bytes, 3, "sbuf_truncate(&b, 3) of 9 inline bytes");
    sbuf_free(&b);

    make(&b, 50);
    char *block = b.data;
    size_t calls = mc_alloc_calls();
    sbuf_truncate(&b, 0);
    cr_assert(b.data == block && b.cap == 50 && mc_alloc_calls() == calls && mc_live_blocks() == 1,
              "sbuf_truncate(&b, 0) of a heap buffer changed its storage (data %p, was %p; cap "
              "%zu; %zu live block(s)): truncate keeps the block" READ_PATTERN,
              (void *)b.data, (void *)block, b.cap, mc_live_blocks());
    check_content(&b, "", 0, "sbuf_truncate(&b, 0) of a heap buffer");
    sbuf_free(&b);
}

Test(storage, shrink_with_nothing_to_do_changes_nothing)
{
    MC_CLAUSE("5.5");
    struct sbuf b;
    make(&b, 9);
    struct picture p = picture_of(&b);
    cr_assert_eq(sbuf_shrink_to_fit(&b), 0,
                 "sbuf_shrink_to_fit() of an inline buffer failed, expected 0" READ_PATTERN);
    expect_unchanged(&b, &p, "sbuf_shrink_to_fit() of an inline buffer");
    sbuf_free(&b);

    make(&b, 40); /* cap 40 == len */
    p = picture_of(&b);
    size_t calls = mc_alloc_calls();
    cr_assert_eq(sbuf_shrink_to_fit(&b), 0,
                 "sbuf_shrink_to_fit() with cap == len failed, expected 0" READ_PATTERN);
    expect_unchanged(&b, &p, "sbuf_shrink_to_fit() with cap == len");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "sbuf_shrink_to_fit() with cap == len made an allocation call, expected "
                 "none" READ_PATTERN);
    sbuf_free(&b);
}

Test(storage, contents_with_nul_bytes_are_kept_whole)
{
    MC_CLAUSE("1.4", "4.5", "6.3");
    struct sbuf b;
    fresh_filled(&b);
    append_or_fail(&b, "a\0b\0c", 5);
    check_content(&b, "a\0b\0c", 5, "appending 'a\\0b\\0c'");
    append_or_fail(&b, bytes, 30); /* bytes[6], [13], ... are '\0' too */
    char want[35];
    memcpy(want, "a\0b\0c", 5);
    memcpy(want + 5, bytes, 30);
    check_content(&b, want, 35, "appending 30 more bytes with '\\0' among them");
    struct sbuf c;
    cr_assert_eq(sbuf_copy(&c, &b), 0, "sbuf_copy() failed, expected 0" READ_COPY);
    check_content(&c, want, 35, "sbuf_copy() of 35 bytes with '\\0' among them");
    sbuf_free(&c);
    sbuf_free(&b);
}

/* ---- copy -------------------------------------------------------------------- */

Test(copy, a_copy_shares_nothing_with_its_source)
{
    MC_CLAUSE("6.2", "6.3", "6.4");
    static const size_t sizes[] = {0, 1, SBUF_INLINE, SBUF_INLINE + 1, 40};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct mc_snapshot live = mc_snapshot();
        struct sbuf src;
        make(&src, sizes[i]);
        struct picture p = picture_of(&src);
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        cr_assert_eq(sbuf_copy(&dst, &src), 0, "sbuf_copy() of %zu bytes failed" READ_COPY,
                     sizes[i]);
        expect_unchanged(&src, &p, "sbuf_copy() (the source)");
        cr_assert(dst.data != src.data && (dst.data == dst.inline_buf) == (sizes[i] <= SBUF_INLINE),
                  "the copy of %zu bytes has data %p (its inline array %p; the source's data %p): "
                  "expected its own inline array for at most 15 bytes, a block of its own "
                  "otherwise" READ_STRUCT,
                  sizes[i], (void *)dst.data, (void *)dst.inline_buf, (void *)src.data);
        sbuf_truncate(&src, 0);
        append_or_fail(&src, "overwritten, and long enough to move", 36);
        sbuf_free(&src);
        memset(&src, 0x5A, sizeof src);
        check_content(&dst, bytes, sizes[i], "changing, freeing and overwriting the source");
        sbuf_free(&dst);
        mc_assert_no_leak_since(live, "copying and freeing both", "3.2 Create, copy and destroy");
    }
}

Test(copy, a_copy_of_a_heap_buffer_with_short_content_is_inline)
{
    MC_CLAUSE("6.2", "1.5");
    struct sbuf src;
    make(&src, 40);
    sbuf_truncate(&src, 5);
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst);
    size_t calls = mc_alloc_calls();
    cr_assert_eq(sbuf_copy(&dst, &src), 0, "sbuf_copy() failed" READ_COPY);
    check_inline(&dst, "sbuf_copy() of a heap buffer holding 5 bytes");
    check_content(&dst, bytes, 5, "sbuf_copy() of a heap buffer holding 5 bytes");
    cr_assert_eq(mc_alloc_calls(), calls,
                 "copying 5 bytes from a heap buffer made an allocation call, expected none: the "
                 "copy's storage depends on its length only" READ_PATTERN);
    sbuf_free(&dst);
    sbuf_free(&src);
}

Test(copy, copy_neither_reads_nor_frees_the_destination)
{
    MC_CLAUSE("6.1");
    char *stale = malloc(8); /* the test's own block, that dst.data happens to hold */
    cr_assert_not_null(stale, "test set-up: malloc(8) failed");
    for (size_t n = 5; n <= 40; n += 35) {
        struct sbuf src;
        make(&src, n);
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        dst.data = stale;
        dst.len = 3;
        dst.cap = 7;
        cr_assert_eq(sbuf_copy(&dst, &src), 0, "sbuf_copy() of %zu bytes failed" READ_COPY, n);
        cr_assert_eq(mc_live_size_of(stale), 8,
                     "sbuf_copy() freed the block dst.data held before the call: dst is not a "
                     "live buffer, and its old fields must be ignored" READ_COPY);
        check_content(&dst, bytes, n, "sbuf_copy() into a struct holding stale fields");
        sbuf_free(&dst);
        sbuf_free(&src);
    }
    free(stale);
}

/* ---- move -------------------------------------------------------------------- */

Test(move, moving_inline_content_fills_the_destinations_own_array)
{
    MC_CLAUSE("6.7", "6.8", "6.1");
    static const size_t sizes[] = {0, 5, SBUF_INLINE};
    for (size_t i = 0; i < 3; i++) {
        struct sbuf src;
        make(&src, sizes[i]);
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        size_t calls = mc_alloc_calls();
        sbuf_move(&dst, &src);
        cr_assert(dst.data == dst.inline_buf && dst.cap == SBUF_INLINE,
                  "after sbuf_move() of %zu inline bytes, dst.data is %p and cap %zu; expected "
                  "dst's own inline array %p (src's is %p) and cap 15" READ_STRUCT,
                  sizes[i], (void *)dst.data, dst.cap, (void *)dst.inline_buf,
                  (void *)src.inline_buf);
        check_content(&dst, bytes, sizes[i], "sbuf_move() of inline content");
        check_inline(&src, "sbuf_move() (the source)");
        check_content(&src, "", 0, "sbuf_move() (the source)");
        cr_assert_eq(mc_alloc_calls(), calls, "sbuf_move() made an allocation call" READ_STRUCT);
        append_or_fail(&src, "xyzzy", 5);
        memset(src.inline_buf, '#', SBUF_INLINE);
        check_content(&dst, bytes, sizes[i], "sbuf_move(), then writing over the source");
        sbuf_free(&src);
        sbuf_free(&dst);
    }
}

Test(move, moving_a_heap_block_hands_it_over_as_it_is)
{
    MC_CLAUSE("6.6", "6.8");
    static const size_t sizes[] = {16, 40, 3}; /* 3: a heap buffer truncated to 3 bytes */
    for (size_t i = 0; i < 3; i++) {
        struct sbuf src;
        make(&src, sizes[i] > SBUF_INLINE ? sizes[i] : 40);
        sbuf_truncate(&src, sizes[i]);
        struct picture p = picture_of(&src);
        struct mc_snapshot live = mc_snapshot();
        size_t calls = mc_alloc_calls();
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        sbuf_move(&dst, &src);
        expect_unchanged(&dst, &p,
                         "sbuf_move() of a heap buffer (dst must be the source as it was)");
        cr_assert(mc_alloc_calls() == calls && mc_live_blocks() == live.blocks,
                  "sbuf_move() of a heap buffer made %zu allocation call(s) and left %zu live "
                  "block(s) (%zu before); the block changes owner as it is" READ_STRUCT,
                  mc_alloc_calls() - calls, mc_live_blocks(), live.blocks);
        check_inline(&src, "sbuf_move() of a heap buffer (the source)");
        check_content(&src, "", 0, "sbuf_move() of a heap buffer (the source)");
        sbuf_free(&src);
        cr_assert_eq(mc_live_blocks(), live.blocks,
                     "sbuf_free() of the moved-from source freed a block: it no longer owns "
                     "one" READ_STRUCT);
        sbuf_free(&dst);
    }
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after freeing everything" READ_STRUCT,
                 mc_live_blocks());
}

Test(move, move_neither_reads_nor_frees_the_destination)
{
    MC_CLAUSE("6.1");
    char *stale = malloc(8);
    cr_assert_not_null(stale, "test set-up: malloc(8) failed");
    for (size_t n = 5; n <= 40; n += 35) {
        struct sbuf src;
        make(&src, n);
        struct sbuf dst;
        memset(&dst, 0xA5, sizeof dst);
        dst.data = stale;
        dst.len = 3;
        dst.cap = 7;
        sbuf_move(&dst, &src);
        cr_assert_eq(mc_live_size_of(stale), 8,
                     "sbuf_move() freed the block dst.data held before the call: dst is not a "
                     "live buffer, and its old fields must be ignored" READ_STRUCT);
        check_content(&dst, bytes, n, "sbuf_move() into a struct holding stale fields");
        sbuf_free(&dst);
        sbuf_free(&src);
    }
    free(stale);
}

Test(move, buffers_moved_around_an_array_keep_their_content)
{
    MC_CLAUSE("6.6", "6.7", "6.2", "6.3");
    enum { N = 6 };
    static const size_t sizes[N] = {3, 40, 15, 16, 0, 25};
    struct sbuf a[N];
    for (size_t i = 0; i < N; i++) {
        make(&a[i], sizes[i]);
    }
    /* Rotate by one, three times, through a temporary: as a vector of sbufs would
     * relocate its elements. */
    size_t at[N]; /* at[k]: which original buffer a[k] holds now */
    for (size_t i = 0; i < N; i++) {
        at[i] = i;
    }
    for (int round = 0; round < 3; round++) {
        struct sbuf tmp;
        sbuf_move(&tmp, &a[0]);
        size_t first = at[0];
        for (size_t i = 1; i < N; i++) {
            sbuf_move(&a[i - 1], &a[i]);
            at[i - 1] = at[i];
        }
        sbuf_move(&a[N - 1], &tmp);
        at[N - 1] = first;
    }
    struct sbuf copies[N];
    for (size_t i = 0; i < N; i++) {
        size_t n = sizes[at[i]];
        cr_assert(n <= SBUF_INLINE ? a[i].data == a[i].inline_buf
                                   : mc_live_size_of(a[i].data) == a[i].cap + 1,
                  "after moves around an array, element %zu (%zu bytes) has data %p; expected "
                  "%s" READ_STRUCT,
                  i, n, (void *)a[i].data,
                  n <= SBUF_INLINE ? "its own inline array" : "its heap block");
        check_content(&a[i], bytes, n, "moving buffers around an array");
        cr_assert_eq(sbuf_copy(&copies[i], &a[i]), 0, "sbuf_copy() of element %zu failed" READ_COPY,
                     i);
    }
    for (size_t i = 0; i < N; i++) {
        sbuf_free(&a[i]);
    }
    memset(a, 0x5A, sizeof a);
    for (size_t i = 0; i < N; i++) {
        check_content(&copies[i], bytes, sizes[at[i]],
                      "copying each element, then freeing and overwriting the originals");
        sbuf_free(&copies[i]);
    }
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after freeing everything" READ_COPY,
                 mc_live_blocks());
}

/* ---- model ------------------------------------------------------------------- */

static unsigned long long rng_state;

static size_t rnd(size_t bound)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (size_t)((rng_state >> 33) % bound);
}

/* One assertion: invariants 1.2 to 1.4 hold and the content is model[0..len). */
static void check_against(const struct sbuf *b, const char *model, size_t len, int step,
                          const char *op)
{
    int inline_ok = b->data == b->inline_buf && b->cap == SBUF_INLINE;
    int heap_ok =
        b->data != b->inline_buf && b->cap > SBUF_INLINE && mc_live_size_of(b->data) == b->cap + 1;
    cr_assert((inline_ok || heap_ok) && b->len == len && b->len <= b->cap &&
                  memcmp(b->data, model, len) == 0 && b->data[len] == '\0',
              "step %d (%s): data %p (inline %p), len %zu (expected %zu), cap %zu: the "
              "invariants or the content no longer hold" READ_STRUCT,
              step, op, (void *)b->data, (void *)b->inline_buf, b->len, len, b->cap);
}

Test(model, a_long_random_run_matches_a_plain_array)
{
    MC_CLAUSE("1.2", "1.3", "1.4", "4.5", "4.6", "5.1", "5.3", "5.4", "6.2", "6.7", "6.6");
    fill_bytes();
    rng_state = 20240611ULL;
    char model[BIG * 4];
    size_t len = 0;
    struct sbuf b;
    fresh_filled(&b);
    for (int step = 0; step < 1500; step++) {
        size_t op = rnd(10);
        const char *name = "";
        if (op < 4) {
            size_t n = rnd(len > 600 ? 2 : 24);
            size_t from = rnd(BIG - 24);
            if (len + n >= sizeof model) {
                n = 0;
            }
            append_or_fail(&b, bytes + from, n);
            memcpy(model + len, bytes + from, n);
            len += n;
            name = "append";
        } else if (op < 6) {
            size_t n = rnd(len + 3);
            sbuf_truncate(&b, n);
            len = n < len ? n : len;
            name = "truncate";
        } else if (op == 6) {
            cr_assert_eq(sbuf_shrink_to_fit(&b), 0, "sbuf_shrink_to_fit() failed" READ_PATTERN);
            name = "shrink_to_fit";
        } else if (op == 7) {
            cr_assert_eq(sbuf_reserve(&b, len + rnd(40)), 0, "sbuf_reserve() failed" READ_PATTERN);
            name = "reserve";
        } else if (op == 8) {
            struct sbuf c;
            cr_assert_eq(sbuf_copy(&c, &b), 0, "sbuf_copy() failed" READ_COPY);
            sbuf_free(&b);
            sbuf_move(&b, &c);
            sbuf_free(&c);
            name = "copy, free, move back";
        } else {
            struct sbuf c;
            sbuf_move(&c, &b);
            sbuf_move(&b, &c);
            name = "move there and back";
        }
        check_against(&b, model, len, step, name);
    }
    sbuf_free(&b);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after sbuf_free" READ_PATTERN,
                 mc_live_blocks());
}
