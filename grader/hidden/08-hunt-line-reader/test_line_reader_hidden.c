/*
 * Hidden tests for bug hunt 08-hunt-line-reader: a very long line, a file
 * with no final newline, empty input, the state after every failure, and
 * every allocation failing in turn. The tests of lr_next never call
 * lr_read_all, and the tests of lr_read_all's copies read only empty or
 * short lines, so that each planted bug is judged alone. Every test makes the
 * same number of assertions whatever the design (the grader counts them).
 */
#include "line_reader.h"
#include "mc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_MOVES    MC_READ("5.8 Pointer invalidation after growth")
#define READ_OWNERS   MC_READ("3.3 Borrowed pointers")
#define READ_REALLOC  MC_READ("2.4 The safe realloc idiom")
#define READ_RUNS_OUT MC_READ("2.7 When memory runs out")
#define READ_TEST     MC_READ("13.5 Fix minimally and pin it with a test")

/* HUGE is longer than any first buffer a reader could sensibly start with. */
enum { LONG = 3000, HUGE = 1 << 17, MAX_ALLOCS = 24 };

MC_SUITE(line_reader_edges);

static FILE *open_string(const char *text)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    cr_assert_not_null(in, "fmemopen() failed: the test cannot run");
    return in;
}

static struct line_reader *open_reader(FILE *in)
{
    struct line_reader *r = lr_open(in);
    cr_assert_not_null(r, "lr_open() returned NULL, expected a reader" READ_TEST);
    return r;
}

Test(line_reader_edges, open_reads_nothing_and_close_leaves_the_stream)
{
    MC_CLAUSE("1.1", "6.1");
    FILE *in = open_string("first\nsecond\n");
    struct line_reader *r = open_reader(in);
    cr_assert(r->in == in && !lr_failed(r) && r->cap >= 1 && mc_live_size_of(r->buf) >= r->cap,
              "lr_open() gave a reader with in %p (expected %p), failed %d, cap %zu and a buffer "
              "block of %zu bytes: expected failed false and a block of cap >= 1 bytes" READ_TEST,
              (void *)r->in, (void *)in, (int)lr_failed(r), r->cap, mc_live_size_of(r->buf));
    cr_assert_eq(ftell(in), 0, "lr_open() read %ld bytes of the stream, expected none" READ_TEST,
                 ftell(in));
    char *line = lr_next(r, NULL);
    cr_assert(line != NULL && strcmp(line, "first") == 0,
              "the first line is not \"first\"" READ_TEST);
    lr_close(r);
    lr_close(NULL);
    cr_assert_eq(mc_live_blocks(), 0, "lr_close() left %zu block(s) live, expected 0" READ_TEST,
                 mc_live_blocks());
    char rest[16] = "";
    cr_assert(fgets(rest, sizeof rest, in) != NULL && strcmp(rest, "second\n") == 0,
              "after lr_close() the stream no longer reads \"second\\n\": lr_close() must not "
              "touch the stream" READ_TEST);
    fclose(in);
}

Test(line_reader_edges, reads_a_very_long_line_in_the_readers_own_buffer)
{
    MC_CLAUSE("2.1");
    static char text[HUGE + 64];
    memset(text, 'x', HUGE);
    strcpy(text + HUGE, "\nshort again\n");
    FILE *in = open_string(text);
    struct line_reader *r = open_reader(in);
    size_t len = 0;
    char *line = lr_next(r, &len);
    cr_assert_not_null(line, "lr_next() returned NULL for a %d-byte line" READ_MOVES, HUGE);
    cr_assert_eq(line, r->buf, "lr_next() returned %p, expected the reader's buffer %p" READ_MOVES,
                 (void *)line, (void *)r->buf);
    cr_assert_eq(len, (size_t)HUGE, "the long line has length %zu, expected %d" READ_MOVES, len,
                 HUGE);
    cr_assert(
        strspn(line, "x") == (size_t)HUGE && line[HUGE] == '\0',
        "the long line holds %zu 'x' then something else, expected %d 'x' and a NUL" READ_MOVES,
        strspn(line, "x"), HUGE);
    line = lr_next(r, &len);
    cr_assert(line != NULL && len == 11 && strcmp(line, "short again") == 0,
              "the line after the long one reads \"%s\", expected \"short again\"" READ_MOVES,
              line != NULL ? line : "(NULL)");
    cr_assert_null(lr_next(r, NULL), "lr_next() after the last line returned a line" READ_MOVES);
    lr_close(r);
    fclose(in);
}

Test(line_reader_edges, grows_through_every_length_from_one_to_three_thousand)
{
    MC_CLAUSE("2.1");
    static char text[100000]; /* 60 lines, 88620 bytes */
    size_t used = 0;
    for (size_t n = 1; n <= LONG; n += 50) {
        for (size_t k = 0; k < n; k++)
            text[used++] = (char)('a' + (n + k) % 26);
        text[used++] = '\n';
    }
    text[used] = '\0';
    FILE *in = open_string(text);
    struct line_reader *r = open_reader(in);
    for (size_t n = 1; n <= LONG; n += 50) {
        size_t len = 0;
        char *line = lr_next(r, &len);
        cr_assert(line != NULL && len == n,
                  "the %zu-byte line came back with length %zu" READ_MOVES, n,
                  line != NULL ? len : 0);
        size_t wrong = 0;
        for (size_t k = 0; k < n; k++)
            wrong += line[k] != (char)('a' + (n + k) % 26);
        cr_assert_eq(wrong, 0, "the %zu-byte line has %zu wrong byte(s)" READ_MOVES, n, wrong);
    }
    lr_close(r);
    fclose(in);
}

Test(line_reader_edges, empty_lines_a_missing_newline_and_the_end)
{
    MC_CLAUSE("2.2", "2.3", "3.1");
    static const char *const inputs[] = {"",         "\n",   "\n\nlast",
                                         "a\n\nb\n", "only", "x\n\nno newline at the end"};
    static const char *const expect[][4] = {{NULL},
                                            {"", NULL},
                                            {"", "", "last", NULL},
                                            {"a", "", "b", NULL},
                                            {"only", NULL},
                                            {"x", "", "no newline at the end", NULL}};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        FILE *in = open_string(inputs[i]);
        struct line_reader *r = open_reader(in);
        for (size_t k = 0; expect[i][k] != NULL; k++) {
            char *line = lr_next(r, NULL);
            cr_assert(line != NULL && strcmp(line, expect[i][k]) == 0,
                      "line %zu of input %zu reads \"%s\", expected \"%s\"" READ_TEST, k, i,
                      line != NULL ? line : "(NULL)", expect[i][k]);
        }
        for (int again = 0; again < 3; again++)
            cr_assert_null(lr_next(r, NULL),
                           "lr_next() at the end of input %zu returned a line (call %d)" READ_TEST,
                           i, again + 1);
        cr_assert(!lr_failed(r), "lr_failed() is true at the end of input %zu" READ_TEST, i);
        lr_close(r);
        fclose(in);
    }
}

Test(line_reader_edges, a_failed_growth_keeps_the_buffer_and_says_so)
{
    MC_CLAUSE("2.4", "3.1");
    static char text[HUGE + 2];
    memset(text, 'y', HUGE);
    text[HUGE] = '\n';
    FILE *in = open_string(text);
    struct line_reader *r = open_reader(in);
    char *buf = r->buf;
    size_t cap = r->cap;
    mc_fail_allocs_after(0);
    char *line = lr_next(r, NULL);
    mc_fail_none();
    cr_assert_null(line,
                   "lr_next() of a %d-byte line with %s failing returned a line, expected "
                   "NULL" READ_REALLOC,
                   HUGE, mc_fail_note());
    cr_assert(lr_failed(r),
              "lr_failed() is false after lr_next() failed with %s failing" READ_REALLOC,
              mc_fail_note());
    cr_assert(r->buf == buf && r->cap == cap && mc_live_size_of(r->buf) >= cap,
              "with %s failing, lr_next() left buf %p and cap %zu, expected the old buffer %p and "
              "cap %zu" READ_REALLOC,
              mc_fail_note(), (void *)r->buf, r->cap, (void *)buf, cap);
    lr_close(r);
    cr_assert_eq(mc_live_blocks(), 0,
                 "lr_close() after a failed growth left %zu block(s)" READ_REALLOC,
                 mc_live_blocks());
    fclose(in);
}

Test(line_reader_edges, read_all_copies_belong_to_the_caller)
{
    MC_CLAUSE("4.1");
    FILE *in = open_string("skipped\nred\n\ngreen\nblue\n");
    struct line_reader *r = open_reader(in);
    cr_assert(lr_next(r, NULL) != NULL, "lr_next() returned NULL for the first line" READ_OWNERS);
    size_t count = 99;
    char **all = lr_read_all(r, &count);
    cr_assert_not_null(all, "lr_read_all() returned NULL, expected 4 lines" READ_OWNERS);
    static const char *const want[] = {"red", "", "green", "blue"};
    cr_assert_eq(count, 4,
                 "lr_read_all() after one lr_next() read %zu lines, expected 4" READ_OWNERS, count);
    lr_close(r); /* the copies must outlive the reader */
    for (size_t i = 0; i < 4; i++) {
        cr_assert(
            all[i] != NULL && strcmp(all[i], want[i]) == 0,
            "line %zu of lr_read_all() reads \"%s\" after lr_close(), expected \"%s\"" READ_OWNERS,
            i, all[i] != NULL ? all[i] : "(NULL)", want[i]);
        cr_assert_geq(mc_live_size_of(all[i]), strlen(want[i]) + 1,
                      "line %zu of lr_read_all() is not a block of its own" READ_OWNERS, i);
    }
    cr_assert_null(all[4], "the array does not end in NULL" READ_OWNERS);
    lr_lines_free(all);
    cr_assert_eq(mc_live_blocks(), 0,
                 "lr_lines_free() and lr_close() left %zu block(s) live, expected 0" READ_OWNERS,
                 mc_live_blocks());
    fclose(in);
}

Test(line_reader_edges, read_all_with_nothing_left_is_an_empty_array)
{
    MC_CLAUSE("4.2", "5.1");
    static const char *const inputs[] = {"", "one line\n"};
    for (size_t i = 0; i < 2; i++) {
        FILE *in = open_string(inputs[i]);
        struct line_reader *r = open_reader(in);
        if (i == 1)
            cr_assert(lr_next(r, NULL) != NULL,
                      "lr_next() returned NULL for \"one line\"" READ_OWNERS);
        size_t count = 99;
        char **all = lr_read_all(r, &count);
        cr_assert(all != NULL && all[0] == NULL && count == 0,
                  "lr_read_all() with no line left returned %p, count %zu: expected an array "
                  "holding only NULL and count 0" READ_OWNERS,
                  (void *)all, count);
        lr_lines_free(all);
        lr_lines_free(NULL);
        lr_close(r);
        fclose(in);
    }
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after lr_lines_free() and lr_close()" READ_OWNERS,
                 mc_live_blocks());
}

Test(line_reader_edges, a_failed_copy_frees_the_copies_and_leaves_failed_false)
{
    MC_CLAUSE("3.1", "4.3");
    /* Empty lines never make the reader grow, whatever its first buffer:
     * every allocation lr_read_all makes is its own. */
    for (size_t n = 1; n <= 6; n++) {
        FILE *in = open_string("\n\n\n\n\n");
        struct line_reader *r = open_reader(in);
        struct mc_snapshot before = mc_snapshot();
        size_t count = 99, failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        char **all = lr_read_all(r, &count);
        mc_fail_none();
        int ok = all == NULL ? mc_failed_allocs() > failed && count == 99 && !lr_failed(r)
                             : count == 5 && all[4] != NULL && all[4][0] == '\0' && all[5] == NULL;
        cr_assert(ok,
                  "lr_read_all() of five empty lines with %s failing returned %s, count %zu, "
                  "lr_failed %d: expected NULL with count unchanged (99) and lr_failed false, or "
                  "all five lines" READ_RUNS_OUT,
                  mc_fail_note(), all == NULL ? "NULL" : "an array", count, (int)lr_failed(r));
        lr_lines_free(all);
        char what[1600];
        snprintf(what, sizeof what, "lr_read_all() with %s failing", mc_fail_note());
        mc_assert_no_leak_since(before, what, "2.7 When memory runs out");
        lr_close(r);
        fclose(in);
    }
}

Test(line_reader_edges, open_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.2");
    FILE *in = open_string("x\n");
    for (size_t n = 1; n <= 3; n++) {
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct line_reader *r = lr_open(in);
        mc_fail_none();
        cr_assert(r == NULL ? mc_failed_allocs() > failed : r->cap >= 1 && !lr_failed(r),
                  "lr_open() with %s failing returned %s" READ_RUNS_OUT, mc_fail_note(),
                  r == NULL ? "NULL though no allocation failed" : "a broken reader");
        lr_close(r);
        cr_assert_eq(mc_live_blocks(), 0,
                     "lr_open() with %s failing left %zu block(s) live, expected 0" READ_RUNS_OUT,
                     mc_fail_note(), mc_live_blocks());
    }
    fclose(in);
}

Test(line_reader_edges, reading_everything_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.2", "4.3", "5.1");
    static char text[512];
    for (size_t i = 0; i < 12; i++)
        strcat(text, "twenty-five bytes a line\n");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        FILE *in = open_string(text);
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct line_reader *r = lr_open(in);
        size_t count = 99;
        char **all = r != NULL ? lr_read_all(r, &count) : NULL;
        mc_fail_none();
        int ok = all == NULL ? mc_failed_allocs() > failed && count == 99
                             : count == 12 && strcmp(all[11], "twenty-five bytes a line") == 0 &&
                                   all[12] == NULL;
        cr_assert(ok,
                  "lr_open() and lr_read_all() of 12 lines with %s failing gave %s and count %zu: "
                  "expected NULL with count unchanged (99), or all 12 lines" READ_RUNS_OUT,
                  mc_fail_note(), all == NULL ? "NULL" : "an array", count);
        lr_lines_free(all);
        lr_close(r);
        char what[1600];
        snprintf(what, sizeof what, "lr_open() and lr_read_all() with %s failing", mc_fail_note());
        mc_assert_no_leak_since(before, what, "2.7 When memory runs out");
        fclose(in);
    }
}
