/*
 * Public tests for bug hunt 08-hunt-string-builder: the symptoms users
 * reported. Passing them is not the end: run make memcheck and make asan.
 * Each test names the README clauses it checks (MC_CLAUSE).
 */
#include "mc_test.h"
#include "string_builder.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_UAF   MC_READ("10.4 Use after free and dangling pointers")
#define READ_SIZES MC_READ("10.7 Wrong sizeof and size arithmetic")

enum { PIECES = 60 };

MC_SUITE(string_builder);

static void init_or_fail(struct sb *sb)
{
    cr_assert_eq(sb_init(sb), 0, "sb_init() failed, expected 0" READ_UAF);
    cr_assert_not_null(sb->data, "sb_init() left no buffer, expected a new block" READ_UAF);
}

Test(string_builder, keeps_every_piece_while_the_buffer_grows)
{
    MC_CLAUSE("2.1", "3.1", "5.1");
    struct sb sb;
    init_or_fail(&sb);
    char want[PIECES * 16] = "";
    size_t want_len = 0;
    void *neighbours[PIECES];
    for (size_t i = 0; i < PIECES; i++) {
        char piece[16];
        int len = snprintf(piece, sizeof piece, "[%zu]", i * 7);
        cr_assert_eq(sb_append(&sb, piece), 0, "sb_append(\"%s\") failed, expected 0" READ_UAF,
                     piece);
        memcpy(want + want_len, piece, (size_t)len + 1);
        want_len += (size_t)len;
        /* A neighbour right after the buffer: the next growth must move it. */
        neighbours[i] = malloc(24);
        cr_assert_not_null(neighbours[i],
                           "the test could not allocate a neighbour block, expected to" READ_UAF);
        cr_assert_str_eq(sb_str(&sb), want,
                         "after %zu appends the builder holds \"%s\", expected \"%s\"" READ_UAF,
                         i + 1, sb_str(&sb), want);
    }
    cr_assert_eq(sb.len, want_len, "sb.len is %zu, expected %zu" READ_UAF, sb.len, want_len);
    for (size_t i = 0; i < PIECES; i++)
        free(neighbours[i]);
    sb_free(&sb);
}

Test(string_builder, repeat_refuses_a_size_that_overflows)
{
    MC_CLAUSE("4.1", "4.2");
    struct sb sb;
    init_or_fail(&sb);
    cr_assert_eq(sb_repeat(&sb, "ab", 3), 0, "sb_repeat(\"ab\", 3) failed, expected 0" READ_SIZES);
    cr_assert_str_eq(sb_str(&sb), "ababab",
                     "sb_repeat(\"ab\", 3) gave \"%s\", expected \"ababab\"" READ_SIZES,
                     sb_str(&sb));
    /* 4 * (SIZE_MAX / 4 + 2) wraps around to 4 in size_t arithmetic. */
    size_t huge = SIZE_MAX / 4 + 2;
    int rc = sb_repeat(&sb, "wxyz", huge);
    cr_assert_eq(rc, -1,
                 "sb_repeat(\"wxyz\", %zu) returned %d, expected -1: the total size "
                 "does not fit in size_t" READ_SIZES,
                 huge, rc);
    cr_assert_str_eq(
        sb_str(&sb), "ababab",
        "a failed sb_repeat() changed the builder to \"%s\", expected \"ababab\"" READ_SIZES,
        sb_str(&sb));
    sb_free(&sb);
}
