/*
 * Hidden tests for bug hunt 08-hunt-string-builder: growth failing, and
 * the buffer handed over with sb_take().
 */
#include "mc_test.h"
#include "string_builder.h"

#include <stdlib.h>
#include <string.h>

#define READ_LEAKS MC_READ("10.2 Leaks")
#define READ_UAF   MC_READ("10.4 Use after free and dangling pointers")

MC_SUITE(string_builder_edges);

static const char long_piece[] = "a piece of text longer than the first sixteen-byte buffer";

Test(string_builder_edges, keeps_the_text_when_growth_fails)
{
    struct sb sb;
    cr_assert_eq(sb_init(&sb), 0, "sb_init() failed, expected 0" READ_UAF);
    cr_assert_eq(sb_append(&sb, "kept"), 0, "sb_append(\"kept\") failed" READ_UAF);
    struct mc_snapshot before = mc_snapshot();
    for (size_t round = 0; round < 3; round++) {
        mc_fail_nth_alloc(1);
        int rc = sb_append(&sb, long_piece);
        mc_fail_none();
        cr_assert_eq(rc, -1, "sb_append() with realloc failing returned %d, expected -1" READ_UAF,
                     rc);
        cr_assert_not_null(sb.data, "a failed sb_append() lost the buffer (sb.data is NULL): "
                                    "realloc's NULL was stored over the only pointer" READ_LEAKS);
        cr_assert_str_eq(sb_str(&sb), "kept",
                         "a failed sb_append() left \"%s\", expected \"kept\"" READ_UAF,
                         sb_str(&sb));
        cr_assert_eq(sb.len, 4, "a failed sb_append() set len to %zu, expected 4" READ_UAF, sb.len);
        mc_assert_no_leak_since(before, "a failed sb_append()", "10.2 Leaks");
    }
    cr_assert_eq(sb_append(&sb, long_piece), 0,
                 "sb_append() failed once memory came back" READ_UAF);
    sb_free(&sb);
}

Test(string_builder_edges, take_hands_over_the_buffer_and_repeat_builds_text)
{
    struct sb sb;
    cr_assert_eq(sb_init(&sb), 0, "sb_init() failed, expected 0" READ_UAF);
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
                     "sb_repeat(\"%s\", %zu) failed" READ_UAF, cases[i].s, cases[i].times);
        total += strlen(cases[i].s) * cases[i].times;
        cr_assert_eq(sb.len, total,
                     "after sb_repeat(\"%s\", %zu) len is %zu, expected %zu" READ_UAF, cases[i].s,
                     cases[i].times, sb.len, total);
        if (cases[i].want != NULL)
            cr_assert_str_eq(sb_str(&sb) + before, cases[i].want,
                             "sb_repeat(\"%s\", %zu) appended \"%s\"" READ_UAF, cases[i].s,
                             cases[i].times, sb_str(&sb) + before);
    }
    char *text = sb_take(&sb);
    cr_assert_not_null(text, "sb_take() returned NULL, expected the buffer" READ_UAF);
    cr_assert_eq(strlen(text), total, "sb_take() returned %zu characters, expected %zu" READ_UAF,
                 strlen(text), total);
    cr_assert_eq(mc_live_size_of(text) > total, 1,
                 "sb_take() returned a block that is not live" READ_LEAKS);
    cr_assert_null(sb.data,
                   "sb_take() left the builder pointing at the buffer it handed over" READ_UAF);
    free(text);
    cr_assert_eq(sb_append(&sb, "again"), 0, "sb_append() after sb_take() failed" READ_UAF);
    cr_assert_str_eq(sb_str(&sb), "again", "after sb_take(), appending gave \"%s\"" READ_UAF,
                     sb_str(&sb));
    sb_free(&sb);
    sb_free(&sb);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) still live after sb_free()" READ_LEAKS,
                 mc_live_blocks());
}
