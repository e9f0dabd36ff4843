/*
 * Hidden tests for bug hunt 08-hunt-string-builder: growth failing, sizes
 * that overflow, and the buffer handed over with sb_take().
 *
 * A bug hunt earns its points per bug fixed, judged by the tests of the
 * clause the bug breaks. So the tests of a failed growth (2.2) and of an
 * overflowing repeat (4.2) never make an append grow the buffer: they see
 * their own path alone.
 *
 * Every test makes the same number of assertions whichever way a call goes
 * (the grader compares the count with the reference solution's).
 */
#include "mc_test.h"
#include "string_builder.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_LEAKS MC_READ("10.2 Leaks")
#define READ_UAF   MC_READ("10.4 Use after free and dangling pointers")
#define READ_SIZES MC_READ("10.7 Wrong sizeof and size arithmetic")

MC_SUITE(string_builder_edges);

static const char long_piece[] = "a piece of text longer than the first sixteen-byte buffer";

/* What a builder looked like: its fields and its text. */
struct picture {
    const char *data;
    size_t len;
    size_t cap;
    char text[128];
};

static struct picture picture_of(const struct sb *sb)
{
    struct picture p = {sb->data, sb->len, sb->cap, ""};
    snprintf(p.text, sizeof p.text, "%s", sb->data != NULL ? sb->data : "");
    return p;
}

/* One assertion: sb is exactly as pictured. */
static void assert_unchanged(const struct sb *sb, const struct picture *p, const char *call,
                             const char *note)
{
    int same = sb->data == p->data && sb->len == p->len && sb->cap == p->cap &&
               (sb->data == NULL || strcmp(sb->data, p->text) == 0);
    cr_assert(same,
              "%s (made to fail: %s) changed the builder: data %p, len %zu, cap %zu, "
              "expected data %p, len %zu, cap %zu and the text \"%s\"" READ_LEAKS,
              call, note, (const void *)sb->data, sb->len, sb->cap, (const void *)p->data, p->len,
              p->cap, p->text);
}

/* One assertion: the invariant of a builder that has a buffer. */
static void assert_well_formed(const struct sb *sb, const char *after)
{
    size_t block = mc_live_size_of(sb->data);
    cr_assert(sb->data != NULL && sb->len < sb->cap && block == sb->cap &&
                  sb->data[sb->len] == '\0',
              "after %s: data %p is a block of %zu bytes, len %zu, cap %zu, expected len < cap, "
              "cap the block's size and data[len] == '\\0'" READ_UAF,
              after, (const void *)sb->data, block, sb->len, sb->cap);
}

static void init_checked(struct sb *sb)
{
    cr_assert_eq(sb_init(sb), 0, "sb_init() failed, expected 0" READ_LEAKS);
}

Test(string_builder_edges, init_gives_an_empty_string_or_no_buffer_at_all)
{
    MC_CLAUSE("1.1", "1.2");
    struct sb sb;
    init_checked(&sb);
    assert_well_formed(&sb, "sb_init()");
    cr_assert_eq(sb.len, 0, "sb_init() set len to %zu, expected 0" READ_UAF, sb.len);
    sb_free(&sb);

    struct mc_snapshot before = mc_snapshot();
    memset(&sb, 0x5a, sizeof sb);
    mc_fail_allocs_after(0);
    int rc = sb_init(&sb);
    mc_fail_none();
    cr_assert_eq(rc, -1, "sb_init() returned %d, expected -1 (made to fail: %s)" READ_LEAKS, rc,
                 mc_fail_note());
    cr_assert(sb.data == NULL && sb.len == 0 && sb.cap == 0,
              "a failed sb_init() (made to fail: %s) left data %p, len %zu, cap %zu, expected a "
              "builder without a buffer: NULL, 0, 0" READ_LEAKS,
              mc_fail_note(), (void *)sb.data, sb.len, sb.cap);
    mc_assert_no_leak_since(before, "a failed sb_init()", "10.2 Leaks");
    sb_free(&sb);
}

Test(string_builder_edges, appends_exactly_n_bytes_and_keeps_the_text_as_it_grows)
{
    MC_CLAUSE("2.1", "3.1");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_append_n(&sb, "abcdef", 3), 0,
                 "sb_append_n(\"abcdef\", 3) failed, expected 0" READ_UAF);
    cr_assert_str_eq(sb.data, "abc",
                     "sb_append_n(\"abcdef\", 3) gave \"%s\", expected \"abc\"" READ_UAF, sb.data);
    cr_assert_eq(sb_append_n(&sb, "zzz", 0), 0, "sb_append_n(s, 0) failed, expected 0" READ_UAF);
    cr_assert_eq(sb_append(&sb, ""), 0, "sb_append(\"\") failed, expected 0" READ_UAF);
    char want[1024] = "abc";
    for (size_t round = 0; round < 8; round++) {
        cr_assert_eq(sb_append(&sb, long_piece), 0,
                     "sb_append() in round %zu failed, expected 0" READ_UAF, round);
        strcat(want, long_piece);
        assert_well_formed(&sb, "an append");
        cr_assert_str_eq(
            sb.data, want,
            "after %zu long appends the builder holds \"%s\", expected \"%s\"" READ_UAF, round + 1,
            sb.data, want);
    }
    cr_assert_eq(sb.len, strlen(want), "len is %zu, expected %zu" READ_UAF, sb.len, strlen(want));
    sb_free(&sb);
}

/* The builder keeps "kept" in its first buffer; growing it always fails here. */
Test(string_builder_edges, keeps_the_builder_exactly_as_it_was_when_growth_fails)
{
    MC_CLAUSE("2.2", "3.1");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_append(&sb, "kept"), 0, "sb_append(\"kept\") failed, expected 0" READ_UAF);
    for (size_t round = 0; round < 3; round++) {
        struct picture p = picture_of(&sb);
        struct mc_snapshot before = mc_snapshot();
        mc_fail_allocs_after(0);
        int rc = round == 1 ? sb_append_n(&sb, long_piece, sizeof long_piece - 1)
                            : sb_append(&sb, long_piece);
        mc_fail_none();
        cr_assert_eq(rc, -1,
                     "an append that must grow the buffer returned %d, expected -1 (made to "
                     "fail: %s)" READ_LEAKS,
                     rc, mc_fail_note());
        assert_unchanged(&sb, &p, "a failed append", mc_fail_note());
        mc_assert_no_leak_since(before, "a failed append", "10.2 Leaks");
    }
    sb_free(&sb);
}

Test(string_builder_edges, refuses_a_length_that_does_not_fit_in_size_t)
{
    MC_CLAUSE("2.3");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_append(&sb, "abc"), 0, "sb_append(\"abc\") failed, expected 0" READ_UAF);
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct picture p = picture_of(&sb);
        int rc = sb_append_n(&sb, "x", sizes[i]);
        cr_assert_eq(rc, -1,
                     "sb_append_n(s, %zu) with len 3 returned %d, expected -1: 3 + n + 1 does "
                     "not fit in size_t" READ_SIZES,
                     sizes[i], rc);
        assert_unchanged(&sb, &p, "sb_append_n() of a size that overflows", "nothing");
    }
    sb_free(&sb);
}

Test(string_builder_edges, appends_to_a_builder_without_a_buffer)
{
    MC_CLAUSE("2.4", "6.1", "7.1");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_append(&sb, "first"), 0, "sb_append(\"first\") failed, expected 0" READ_UAF);
    char *text = sb_take(&sb);
    cr_assert_str_eq(text, "first", "sb_take() returned \"%s\", expected \"first\"" READ_UAF, text);
    free(text);
    cr_assert_eq(sb_append(&sb, "after take"), 0,
                 "sb_append() after sb_take() failed, expected 0" READ_UAF);
    assert_well_formed(&sb, "an append after sb_take()");
    cr_assert_str_eq(sb.data, "after take",
                     "after sb_take(), appending gave \"%s\", expected \"after take\"" READ_UAF,
                     sb.data);
    sb_free(&sb);
    cr_assert_eq(sb_append_n(&sb, "after free", 10), 0,
                 "sb_append_n() after sb_free() failed, expected 0" READ_UAF);
    assert_well_formed(&sb, "an append after sb_free()");
    cr_assert_str_eq(sb.data, "after free",
                     "after sb_free(), appending gave \"%s\", expected \"after free\"" READ_UAF,
                     sb.data);
    sb_free(&sb);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) still live after sb_free(), expected 0" READ_LEAKS,
                 mc_live_blocks());
}

Test(string_builder_edges, repeat_builds_text_of_any_length)
{
    MC_CLAUSE("4.1");
    struct sb sb;
    init_checked(&sb);
    static const struct {
        const char *s;
        size_t times;
        const char *want;
    } cases[] = {
        {"-", 0, ""}, {"-", 1, "-"}, {"", 1000, ""}, {"ab", 2, "abab"}, {"xyz", 30, NULL},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t before = sb.len;
        cr_assert_eq(sb_repeat(&sb, cases[i].s, cases[i].times), 0,
                     "sb_repeat(\"%s\", %zu) failed, expected 0" READ_UAF, cases[i].s,
                     cases[i].times);
        total += strlen(cases[i].s) * cases[i].times;
        cr_assert_eq(sb.len, total,
                     "after sb_repeat(\"%s\", %zu) len is %zu, expected %zu" READ_UAF, cases[i].s,
                     cases[i].times, sb.len, total);
        assert_well_formed(&sb, "sb_repeat()");
        const char *want = cases[i].want != NULL ? cases[i].want : "xyzxyzxyz";
        cr_assert(
            strncmp(sb.data + before, want, strlen(want)) == 0,
            "sb_repeat(\"%s\", %zu) appended \"%s\", expected it to start with \"%s\"" READ_UAF,
            cases[i].s, cases[i].times, sb.data + before, want);
    }
    sb_free(&sb);
}

Test(string_builder_edges, repeat_refuses_every_size_that_overflows)
{
    MC_CLAUSE("4.2");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_repeat(&sb, "ab", 3), 0, "sb_repeat(\"ab\", 3) failed, expected 0" READ_SIZES);
    /* Products that wrap around to a small number, and sums that do not fit. */
    static const struct {
        const char *s;
        size_t times;
    } cases[] = {
        {"wxyz", SIZE_MAX / 4 + 2},
        {"ab", SIZE_MAX / 2 + 1},
        {"abc", SIZE_MAX / 3 + 1},
        {"0123456789abcdef", SIZE_MAX / 8},
        {"x", SIZE_MAX},
        {"x", SIZE_MAX - 6},
        {"ab", SIZE_MAX / 2},
        {"0123456789abcdef", SIZE_MAX / 16 + 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct picture p = picture_of(&sb);
        int rc = sb_repeat(&sb, cases[i].s, cases[i].times);
        cr_assert_eq(rc, -1,
                     "sb_repeat(\"%s\", %zu) with len 6 returned %d, expected -1: the result "
                     "does not fit in size_t" READ_SIZES,
                     cases[i].s, cases[i].times, rc);
        assert_unchanged(&sb, &p, "sb_repeat() of a size that overflows", "nothing");
    }
    sb_free(&sb);
}

Test(string_builder_edges, a_failed_repeat_keeps_the_builder_exactly_as_it_was)
{
    MC_CLAUSE("4.3");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_repeat(&sb, "ok", 2), 0, "sb_repeat(\"ok\", 2) failed, expected 0" READ_UAF);
    struct picture p = picture_of(&sb);
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    int rc = sb_repeat(&sb, "0123456789", 10);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "sb_repeat() that must grow the buffer returned %d, expected -1 (made to fail: "
                 "%s)" READ_LEAKS,
                 rc, mc_fail_note());
    assert_unchanged(&sb, &p, "a failed sb_repeat()", mc_fail_note());
    mc_assert_no_leak_since(before, "a failed sb_repeat()", "10.2 Leaks");
    sb_free(&sb);
}

Test(string_builder_edges, str_lends_the_text_and_an_empty_string_without_a_buffer)
{
    MC_CLAUSE("5.1");
    struct sb sb;
    init_checked(&sb);
    cr_assert(sb_str(&sb) == sb.data && sb_str(&sb)[0] == '\0',
              "sb_str() of a new builder is not its buffer holding \"\", as expected" READ_UAF);
    cr_assert_eq(sb_append(&sb, "text"), 0, "sb_append(\"text\") failed, expected 0" READ_UAF);
    cr_assert_eq(sb_str(&sb), (const char *)sb.data,
                 "sb_str() returned %p, expected the buffer %p" READ_UAF, (const void *)sb_str(&sb),
                 (const void *)sb.data);
    sb_free(&sb);
    const char *empty = sb_str(&sb);
    cr_assert(empty != NULL && empty[0] == '\0',
              "sb_str() of a builder without a buffer returned %s, expected \"\"" READ_UAF,
              empty == NULL ? "NULL" : "a non-empty string");
}

Test(string_builder_edges, take_hands_over_the_buffer_once)
{
    MC_CLAUSE("6.1", "6.2", "7.1");
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_repeat(&sb, "xyz", 30), 0,
                 "sb_repeat(\"xyz\", 30) failed, expected 0" READ_UAF);
    const char *data = sb.data;
    struct mc_snapshot before = mc_snapshot();
    char *text = sb_take(&sb);
    cr_assert_eq((const char *)text, data, "sb_take() returned %p, expected the buffer %p" READ_UAF,
                 (void *)text, (const void *)data);
    cr_assert(text != NULL && strlen(text) == 90 && mc_live_size_of(text) > 90,
              "sb_take() did not return the live buffer holding the 90-character text, as "
              "expected" READ_LEAKS);
    cr_assert(
        sb.data == NULL && sb.len == 0 && sb.cap == 0,
        "sb_take() left data %p, len %zu, cap %zu, expected a builder without a buffer" READ_UAF,
        (void *)sb.data, sb.len, sb.cap);
    mc_assert_no_leak_since(before, "sb_take()", "10.2 Leaks");
    cr_assert_null(
        sb_take(&sb),
        "sb_take() of a builder without a buffer returned a pointer, expected NULL" READ_UAF);
    cr_assert(sb.data == NULL && sb.len == 0 && sb.cap == 0,
              "a second sb_take() changed the builder, expected no buffer still" READ_UAF);
    sb_free(&sb);
    sb_free(&sb);
    cr_assert_eq(mc_live_blocks(), before.blocks,
                 "sb_free() of a builder without a buffer changed the live blocks, expected no "
                 "change" READ_LEAKS);
    free(text);
}

Test(string_builder_edges, free_releases_the_buffer_and_allows_a_new_init)
{
    MC_CLAUSE("7.1");
    struct mc_snapshot before = mc_snapshot();
    struct sb sb;
    init_checked(&sb);
    cr_assert_eq(sb_append(&sb, long_piece), 0, "sb_append() failed, expected 0" READ_UAF);
    sb_free(&sb);
    cr_assert(sb.data == NULL && sb.len == 0 && sb.cap == 0,
              "sb_free() left data %p, len %zu, cap %zu, expected NULL, 0, 0" READ_UAF,
              (void *)sb.data, sb.len, sb.cap);
    mc_assert_no_leak_since(before, "sb_free()", "10.2 Leaks");
    init_checked(&sb);
    cr_assert_str_eq(sb.data, "", "sb_init() after sb_free() gave \"%s\", expected \"\"" READ_UAF,
                     sb.data);
    sb_free(&sb);
    sb_free(&sb);
    mc_assert_no_leak_since(before, "sb_init() and sb_free() again", "10.2 Leaks");
}
