/*
 * Public tests for bug hunt 08-hunt-line-reader: the symptoms users reported.
 *
 * Passing them is not the end: run make asan and make memcheck until both
 * are silent.
 */
#include "line_reader.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_MOVES  MC_READ("5.8 Pointer invalidation after growth")
#define READ_OWNERS MC_READ("3.3 Borrowed pointers")

enum { LINES = 6 };

MC_SUITE(line_reader);

static const char *const lines[LINES] = {
    "short",
    "exactly fifteen",
    "sixteen letters!",
    "a line that is a good deal longer than the first buffer",
    "",
    "the last line of the file, also long enough to need a bigger buffer",
};

/* Short lines, none longer than fifteen characters. */
static const char *const short_lines[LINES] = {
    "log", "", "error: disk", "warning: fan", "ok", "exactly fifteen",
};

/* A stream over the given lines, each ending in '\n'. */
static FILE *open_text(char *text, size_t size, const char *const *these)
{
    size_t used = 0;
    for (size_t i = 0; i < LINES; i++)
        used += (size_t)snprintf(text + used, size - used, "%s\n", these[i]);
    FILE *in = fmemopen(text, used, "r");
    cr_assert_not_null(in, "fmemopen() failed: the test cannot run");
    return in;
}

Test(line_reader, long_lines_come_back_whole)
{
    MC_CLAUSE("2.1", "2.3");
    char text[512];
    FILE *in = open_text(text, sizeof text, lines);
    struct line_reader *r = lr_open(in);
    cr_assert_not_null(r, "lr_open() returned NULL, expected a reader" READ_MOVES);
    char *kept[LINES] = {0}; /* the caller keeps a copy of each line, as callers do */
    for (size_t i = 0; i < LINES; i++) {
        size_t len = 0;
        char *line = lr_next(r, &len);
        cr_assert_not_null(line, "lr_next() returned NULL for line %zu, expected \"%s\"" READ_MOVES,
                           i, lines[i]);
        cr_assert_str_eq(line, lines[i], "line %zu reads \"%s\", expected \"%s\"" READ_MOVES, i,
                         line, lines[i]);
        cr_assert_eq(len, strlen(lines[i]), "line %zu has length %zu, expected %zu" READ_MOVES, i,
                     len, strlen(lines[i]));
        kept[i] = strdup(line);
        cr_assert_not_null(kept[i], "strdup() failed: the test cannot run");
    }
    cr_assert_null(lr_next(r, NULL), "lr_next() after the last line returned a line" READ_MOVES);
    cr_assert(!lr_failed(r), "lr_failed() is true, but memory never ran out" READ_MOVES);
    for (size_t i = 0; i < LINES; i++)
        free(kept[i]);
    lr_close(r);
    fclose(in);
}

Test(line_reader, read_all_returns_copies_the_caller_frees)
{
    MC_CLAUSE("4.1");
    char text[512];
    FILE *in = open_text(text, sizeof text, short_lines);
    struct line_reader *r = lr_open(in);
    cr_assert_not_null(r, "lr_open() returned NULL, expected a reader" READ_OWNERS);
    size_t count = 0;
    char **all = lr_read_all(r, &count);
    cr_assert_not_null(all, "lr_read_all() returned NULL, expected %d lines" READ_OWNERS, LINES);
    cr_assert_eq(count, (size_t)LINES, "lr_read_all() read %zu lines, expected %d" READ_OWNERS,
                 count, LINES);
    for (size_t i = 0; i < LINES; i++) {
        cr_assert_not_null(all[i], "line %zu of lr_read_all() is NULL" READ_OWNERS, i);
        cr_assert_str_eq(all[i], short_lines[i],
                         "line %zu reads \"%s\", expected \"%s\"" READ_OWNERS, i, all[i],
                         short_lines[i]);
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(all[i], all[j],
                          "lines %zu and %zu are the same pointer: expected a copy of each "
                          "line, not the reader's own buffer" READ_OWNERS,
                          j, i);
    }
    cr_assert_null(all[LINES], "the array does not end in NULL" READ_OWNERS);
    lr_lines_free(all);
    lr_close(r);
    fclose(in);
}
