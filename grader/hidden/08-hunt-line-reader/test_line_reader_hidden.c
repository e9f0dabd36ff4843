/*
 * Hidden tests for bug hunt 08-hunt-line-reader: a very long line, a file
 * with no final newline, and every allocation failing in turn.
 */
#include "line_reader.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_MOVES  MC_READ("5.8 Pointer invalidation after growth")
#define READ_OWNERS MC_READ("3.3 Borrowed pointers")
#define READ_TEST   MC_READ("13.5 Fix minimally and pin it with a test")

enum { LONG = 3000, MAX_ALLOCS = 24 };

MC_SUITE(line_reader_edges);

Test(line_reader_edges, reads_a_very_long_line_and_a_missing_final_newline)
{
    static char text[LONG + 64];
    memset(text, 'x', LONG);
    strcpy(text + LONG, "\n\nno newline at the end");
    FILE *in = fmemopen(text, strlen(text), "r");
    cr_assert_not_null(in, "fmemopen() failed: the test cannot run");
    struct line_reader *r = lr_open(in);
    cr_assert_not_null(r, "lr_open() returned NULL" READ_MOVES);
    size_t len = 0;
    char *line = lr_next(r, &len);
    cr_assert_not_null(line, "lr_next() returned NULL for a %d-byte line" READ_MOVES, LONG);
    cr_assert_eq(len, (size_t)LONG, "the long line has length %zu, expected %d" READ_MOVES, len,
                 LONG);
    cr_assert_eq(strspn(line, "x"), (size_t)LONG,
                 "the long line holds %zu 'x' then something else, expected %d 'x'" READ_MOVES,
                 strspn(line, "x"), LONG);
    size_t count = 0;
    char **rest = lr_read_all(r, &count);
    cr_assert_not_null(rest, "lr_read_all() returned NULL" READ_OWNERS);
    cr_assert_eq(count, 2, "lr_read_all() read %zu lines, expected 2" READ_OWNERS, count);
    cr_assert_str_eq(rest[0], "", "the empty line reads \"%s\"" READ_OWNERS, rest[0]);
    cr_assert_str_eq(rest[1], "no newline at the end",
                     "the last line reads \"%s\", expected \"no newline at the end\"" READ_OWNERS,
                     rest[1]);
    lr_lines_free(rest);
    lr_close(r);
    fclose(in);
}

Test(line_reader_edges, frees_everything_when_memory_runs_out)
{
    static char text[512];
    for (size_t i = 0; i < 12; i++)
        strcat(text, "twenty-five bytes a line\n");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        FILE *in = fmemopen(text, strlen(text), "r");
        cr_assert_not_null(in, "fmemopen() failed: the test cannot run");
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct line_reader *r = lr_open(in);
        size_t count = 0;
        char **all = r != NULL ? lr_read_all(r, &count) : NULL;
        mc_fail_none();
        if (all != NULL) {
            cr_assert_eq(count, 12, "lr_read_all() read %zu lines, expected 12" READ_TEST, count);
            cr_assert_str_eq(all[11], "twenty-five bytes a line",
                             "the last line reads \"%s\"" READ_TEST, all[11]);
        } else if (r != NULL) {
            cr_assert(lr_failed(r) || mc_failed_allocs() > 0,
                      "lr_read_all() returned NULL though no allocation failed" READ_TEST);
        }
        lr_lines_free(all);
        lr_close(r);
        mc_assert_no_leak_since(before, "lr_open() and lr_read_all() with an allocation failing",
                                "13.5 Fix minimally and pin it with a test");
        fclose(in);
    }
}
