/*
 * Hidden tests for the debug allocator: every clause of the README, every
 * failure path (each allocation the allocator makes is made to fail in turn,
 * and the call must then have had no effect), every kind of bad pointer, the
 * order and the exact text of the reports. Writes past a block or through a
 * freed pointer are on purpose: they land in memory the debug allocator owns.
 *
 * The tests call the _at functions with made-up sites ("h.c", 10) so that the
 * expected report lines are exact.
 */
#include "mc_test.h"
#include "dbgalloc.h"
#include "tests/dbgalloc_helpers.h"

#include <fcntl.h>
#include <stdarg.h>

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

MC_SUITE(hidden_blocks);
MC_SUITE(hidden_guards);
MC_SUITE(hidden_quarantine);
MC_SUITE(hidden_pointers);
MC_SUITE(hidden_realloc);
MC_SUITE(hidden_failure);
MC_SUITE(hidden_reports);
MC_SUITE(hidden_leaks);
MC_SUITE(hidden_reset);

/* ---- helpers ------------------------------------------------------------- */

/* Text fit for a failure message: quotes and backslashes shown as apostrophes,
 * cut to a length a message can hold. Two buffers, so one message can show two. */
static const char *quoted(const char *text)
{
    static char bufs[2][3072];
    static int next;
    char *buf = bufs[next];
    next = 1 - next;
    size_t n = 0;
    for (; text != NULL && text[n] != '\0' && n + 1 < sizeof bufs[0]; n++)
        buf[n] = text[n] == '"' || text[n] == '\\' ? '\'' : text[n];
    buf[n] = '\0';
    return buf;
}

/* Some tests run a scenario once per allocation the allocator makes, a number
 * that depends on the design. Such loops must not assert (every correct
 * solution has to make the same number of assertions), so they record the
 * first problem with check() and the test ends with one assertion,
 * no_problem(), that reports it. */
static char first_problem[4096];
static int problems;

__attribute__((format(printf, 2, 3))) static int check(int ok, const char *format, ...)
{
    if (!ok && problems++ == 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(first_problem, sizeof first_problem, format, args);
        va_end(args);
    }
    return ok;
}

static void no_problem(void)
{
    cr_assert(problems == 0, "%s", first_problem);
}

/* The report stream, captured in memory for the whole test. */
static FILE *cap_stream;
static char *cap_text;
static size_t cap_len;

static void capture_reports(void)
{
    cap_stream = open_memstream(&cap_text, &cap_len);
    check(cap_stream != NULL, "open_memstream failed: the test cannot capture reports" MC_READ(
                                  "12.2 Recording the call site with macros"));
    dbg_set_report_stream(cap_stream);
}

/* Everything reported so far. */
static const char *reports(void)
{
    if (cap_stream == NULL)
        return "";
    fflush(cap_stream);
    return cap_text != NULL ? cap_text : "";
}

static size_t reported_length(void)
{
    return strlen(reports());
}

/* What was reported after the first `from` characters. */
static const char *reports_since(size_t from)
{
    const char *all = reports();
    size_t len = strlen(all);
    return all + (from < len ? from : len);
}

/* Ends a scenario: dbg_reset() must give back everything. */
static void reset_and_check(void)
{
    dbg_reset();
    if (cap_stream != NULL) {
        fclose(cap_stream);
        free(cap_text);
        cap_stream = NULL;
        cap_text = NULL;
    }
    check(mc_live_blocks() == 0,
          "after dbg_reset() %zu block(s) from malloc were still live, expected 0" MC_READ(
              "12.7 The live-allocation table"),
          mc_live_blocks());
}

/* Ends a test. */
static void finish(void)
{
    reset_and_check();
    no_problem();
}

/* The leak report as text, in a static buffer. */
static const char *leak_text(size_t *leaked)
{
    static char buf[4096];
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!check(out != NULL, "open_memstream failed: the test cannot capture the report" MC_READ(
                                "12.8 The leak report"))) {
        *leaked = 0;
        return "";
    }
    *leaked = dbg_leak_report(out);
    fclose(out);
    snprintf(buf, sizeof buf, "%s", text != NULL ? text : "");
    free(text);
    return buf;
}

/* One expected report line. */
static const char *line_of(char *buf, size_t cap, const char *kind, const void *ptr,
                           const char *file, int line)
{
    snprintf(buf, cap, "dbg: %s of %p at %s:%d\n", kind, ptr, file, line);
    return buf;
}

static const char *line_alloc(char *buf, size_t cap, const char *kind, const void *ptr,
                              const char *file, int line, size_t n, const char *afile, int aline)
{
    snprintf(buf, cap, "dbg: %s of %p at %s:%d (%zu bytes allocated at %s:%d)\n", kind, ptr, file,
             line, n, afile, aline);
    return buf;
}

static const char *line_freed(char *buf, size_t cap, const char *kind, const void *ptr,
                              const char *file, int line, size_t n, const char *afile, int aline,
                              const char *ffile, int fline)
{
    snprintf(buf, cap, "dbg: %s of %p at %s:%d (%zu bytes allocated at %s:%d, freed at %s:%d)\n",
             kind, ptr, file, line, n, afile, aline, ffile, fline);
    return buf;
}

/* Everything 6.1 says a failed call leaves as it was. */
struct observed {
    size_t live;
    size_t current;
    size_t peak;
    size_t errors[DBG_ERROR_KINDS];
    size_t reported;
    char leaks[2048];
};

/* Takes the picture; allocation failures must be off (the leak report may
 * need memory). */
static void observe(struct observed *o)
{
    o->live = dbg_live_blocks();
    o->current = dbg_current_bytes();
    o->peak = dbg_peak_bytes();
    for (int k = 0; k < DBG_ERROR_KINDS; k++)
        o->errors[k] = dbg_error_count((enum dbg_error)k);
    o->reported = reported_length();
    size_t leaked = 0;
    snprintf(o->leaks, sizeof o->leaks, "%s", leak_text(&leaked));
}

static const char *const kind_names[DBG_ERROR_KINDS] = {
    "double-free", "invalid-free", "overflow", "underflow", "use-after-free",
};

/* Records a problem unless everything in `before` is as it is now. `call`
 * names the call, `why` how it failed, `read` is the MC_READ of a section, to
 * end each message. Returns whether all was as before. */
static int unchanged(const struct observed *before, const char *call, const char *why,
                     const char *read)
{
    struct observed now;
    observe(&now);
    int ok = check(now.live == before->live && now.current == before->current &&
                       now.peak == before->peak,
                   "%s, which failed (%s), changed the counts: live %zu, current %zu, peak %zu; "
                   "expected them as before: %zu, %zu, %zu (a call that fails has no effect)%s",
                   call, why, now.live, now.current, now.peak, before->live, before->current,
                   before->peak, read);
    for (int k = 0; k < DBG_ERROR_KINDS; k++)
        ok &= check(now.errors[k] == before->errors[k],
                    "%s, which failed (%s), counted %zu %s error(s), expected %zu as before%s",
                    call, why, now.errors[k], kind_names[k], before->errors[k], read);
    ok &= check(now.reported == before->reported,
                "%s, which failed (%s), wrote '%s' to the report stream, expected nothing%s", call,
                why, quoted(reports_since(before->reported)), read);
    ok &= check(strcmp(now.leaks, before->leaks) == 0,
                "%s, which failed (%s), changed the leak report to\n%s\nexpected as "
                "before\n%s%s",
                call, why, quoted(now.leaks), quoted(before->leaks), read);
    return ok;
}

/* The same, as one assertion. */
static void expect_no_effect(const struct observed *before, const char *call, const char *why,
                             const char *read)
{
    unchanged(before, call, why, read);
    no_problem();
}

/* Each of the n bytes at p equals value. */
static int all_bytes(const unsigned char *p, size_t n, unsigned value)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != value)
            return 0;
    return 1;
}

static void *must_alloc(void *p, const char *what)
{
    cr_assert_not_null(
        p,
        "%s returned NULL, expected a block" MC_READ("12.3 The block header and its magic number"),
        what);
    return p;
}

/* ---- 1 handing out blocks ------------------------------------------------- */

Test(hidden_blocks, every_block_is_aligned_and_zero_products_give_empty_blocks)
{
    MC_CLAUSE("1.1", "1.3", "1.4", "5.3");
    capture_reports();
    for (size_t n = 0; n <= 40; n++) {
        unsigned char *c = must_alloc(dbg_calloc_at(n, 1, "c.c", 1), "dbg_calloc(n, 1)");
        cr_assert_eq((uintptr_t)c % alignof(max_align_t), 0,
                     "dbg_calloc(%zu, 1) returned %p, not aligned to %zu bytes" MC_READ(
                         "12.3 The block header and its magic number"),
                     n, (void *)c, alignof(max_align_t));
        cr_assert(all_bytes(c, n, 0),
                  "dbg_calloc(%zu, 1) returned bytes that are not all zero" MC_READ(
                      "12.3 The block header and its magic number"),
                  n);
        unsigned char *r = must_alloc(dbg_realloc_at(c, n + 1, "r.c", 2), "dbg_realloc(p, n + 1)");
        cr_assert_eq((uintptr_t)r % alignof(max_align_t), 0,
                     "dbg_realloc(p, %zu) returned %p, not aligned to %zu bytes" MC_READ(
                         "12.3 The block header and its magic number"),
                     n + 1, (void *)r, alignof(max_align_t));
        dbg_free_at(r, "f.c", 3);
    }
    unsigned char *a = dbg_calloc_at(0, 5, "z.c", 1);
    unsigned char *b = dbg_calloc_at(5, 0, "z.c", 2);
    unsigned char *c = dbg_calloc_at(0, 0, "z.c", 3);
    cr_assert(a != NULL && b != NULL && c != NULL && a != b && b != c && a != c,
              "dbg_calloc(0, 5), dbg_calloc(5, 0) and dbg_calloc(0, 0) returned %p, %p, %p; "
              "expected three different blocks of no bytes" MC_READ(
                  "12.3 The block header and its magic number"),
              (void *)a, (void *)b, (void *)c);
    cr_assert(dbg_live_blocks() == 3 && dbg_current_bytes() == 0,
              "after three dbg_calloc of 0 bytes: %zu live, %zu bytes; expected 3 and 0" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_current_bytes());
    dbg_free(a);
    dbg_free(b);
    dbg_free(c);
    cr_assert_eq(total_errors(), 0,
                 "correct use gave the report '%s', expected none" MC_READ("12.4 Guard bytes"),
                 quoted(reports()));
    finish();
}

Test(hidden_blocks, sizes_that_cannot_be_represented_fail_with_no_effect)
{
    MC_CLAUSE("1.7", "5.5", "6.1");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(16, "keep.c", 1), "dbg_malloc(16)");
    memset(p, 'k', 16);
    void *gone = must_alloc(dbg_malloc_at(8, "gone.c", 2), "dbg_malloc(8)");
    dbg_free_at(gone, "gone.c", 3);
    static const size_t huge[] = {SIZE_MAX,      SIZE_MAX - 1,  SIZE_MAX - 8,   SIZE_MAX - 16,
                                  SIZE_MAX - 48, SIZE_MAX - 64, SIZE_MAX - 100, SIZE_MAX - 4096};
    char call[128];
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        struct observed before;
        observe(&before);
        void *q = dbg_malloc_at(huge[i], "huge.c", 4);
        snprintf(call, sizeof call, "dbg_malloc(SIZE_MAX - %zu)", SIZE_MAX - huge[i]);
        cr_assert_null(
            q,
            "%s returned %p, expected NULL" MC_READ("12.3 The block header and its magic number"),
            call, q);
        expect_no_effect(&before, call, "the size cannot be represented",
                         MC_READ("12.3 The block header and its magic number"));
        q = dbg_calloc_at(1, huge[i], "huge.c", 5);
        snprintf(call, sizeof call, "dbg_calloc(1, SIZE_MAX - %zu)", SIZE_MAX - huge[i]);
        cr_assert_null(
            q,
            "%s returned %p, expected NULL" MC_READ("12.3 The block header and its magic number"),
            call, q);
        expect_no_effect(&before, call, "the size cannot be represented",
                         MC_READ("12.3 The block header and its magic number"));
        q = dbg_realloc_at(p, huge[i], "huge.c", 6);
        snprintf(call, sizeof call, "dbg_realloc(p, SIZE_MAX - %zu)", SIZE_MAX - huge[i]);
        cr_assert_null(
            q,
            "%s returned %p, expected NULL" MC_READ("12.3 The block header and its magic number"),
            call, q);
        expect_no_effect(&before, call, "the size cannot be represented",
                         MC_READ("12.3 The block header and its magic number"));
        cr_assert(all_bytes(p, 16, 'k'),
                  "%s changed the bytes of p, expected them intact" MC_READ(
                      "12.3 The block header and its magic number"),
                  call);
    }
    cr_assert_eq(dbg_check_all(), 0,
                 "the failed calls damaged a guard or the quarantine: dbg_check_all() reported "
                 "'%s'" MC_READ("12.4 Guard bytes"),
                 quoted(reports()));
    dbg_free(gone);
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 1,
                 "after the failed calls, freeing a block that was in quarantine gave %zu "
                 "double-free(s), expected 1: the quarantine must be untouched" MC_READ(
                     "12.5 Poisoning and the quarantine"),
                 dbg_error_count(DBG_DOUBLE_FREE));
    dbg_free(p);
    finish();
}

Test(hidden_blocks, huge_legal_requests_fail_like_any_other_and_change_nothing)
{
    MC_CLAUSE("1.8", "5.5", "6.1");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(24, "keep.c", 1), "dbg_malloc(24)");
    memset(p, 'h', 24);
    void *gone = must_alloc(dbg_malloc_at(8, "gone.c", 2), "dbg_malloc(8)");
    dbg_free_at(gone, "gone.c", 3);
    struct observed before;
    observe(&before);
    void *q = dbg_malloc_at(SIZE_MAX / 2, "huge.c", 1);
    cr_assert_null(q,
                   "dbg_malloc(SIZE_MAX / 2) returned %p, expected NULL" MC_READ(
                       "12.3 The block header and its magic number"),
                   q);
    expect_no_effect(&before, "dbg_malloc(SIZE_MAX / 2)", "no memory for it",
                     MC_READ("12.3 The block header and its magic number"));
    q = dbg_calloc_at(SIZE_MAX / 2, 1, "huge.c", 2);
    cr_assert_null(q,
                   "dbg_calloc(SIZE_MAX / 2, 1) returned %p, expected NULL" MC_READ(
                       "12.3 The block header and its magic number"),
                   q);
    expect_no_effect(&before, "dbg_calloc(SIZE_MAX / 2, 1)", "no memory for it",
                     MC_READ("12.3 The block header and its magic number"));
    q = dbg_calloc_at(2, SIZE_MAX / 4, "huge.c", 3);
    cr_assert_null(q,
                   "dbg_calloc(2, SIZE_MAX / 4) returned %p, expected NULL" MC_READ(
                       "12.3 The block header and its magic number"),
                   q);
    expect_no_effect(&before, "dbg_calloc(2, SIZE_MAX / 4)", "no memory for it",
                     MC_READ("12.3 The block header and its magic number"));
    q = dbg_realloc_at(NULL, SIZE_MAX / 2, "huge.c", 4);
    cr_assert_null(q,
                   "dbg_realloc(NULL, SIZE_MAX / 2) returned %p, expected NULL" MC_READ(
                       "12.3 The block header and its magic number"),
                   q);
    expect_no_effect(&before, "dbg_realloc(NULL, SIZE_MAX / 2)", "no memory for it",
                     MC_READ("12.3 The block header and its magic number"));
    q = dbg_realloc_at(p, SIZE_MAX / 2, "huge.c", 5);
    cr_assert_null(q,
                   "dbg_realloc(p, SIZE_MAX / 2) returned %p, expected NULL" MC_READ(
                       "12.3 The block header and its magic number"),
                   q);
    expect_no_effect(&before, "dbg_realloc(p, SIZE_MAX / 2)", "no memory for it",
                     MC_READ("12.3 The block header and its magic number"));
    cr_assert(all_bytes(p, 24, 'h'),
              "dbg_realloc(p, SIZE_MAX / 2) failed but changed the bytes of p" MC_READ(
                  "12.3 The block header and its magic number"));
    cr_assert_eq(dbg_check_all(), 0,
                 "the failed calls damaged a guard or the quarantine: dbg_check_all() reported "
                 "'%s'" MC_READ("12.4 Guard bytes"),
                 quoted(reports()));
    dbg_free(gone);
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 1,
                 "after the failed calls, freeing a block that was in quarantine gave %zu "
                 "double-free(s), expected 1" MC_READ("12.5 Poisoning and the quarantine"),
                 dbg_error_count(DBG_DOUBLE_FREE));
    dbg_free(p);
    finish();
}

Test(hidden_blocks, calloc_overflow_changes_nothing)
{
    MC_CLAUSE("1.5", "6.1");
    capture_reports();
    void *p = must_alloc(dbg_malloc_at(40, "keep.c", 1), "dbg_malloc(40)");
    struct observed before;
    observe(&before);
    static const size_t pairs[][2] = {{SIZE_MAX, 2},         {2, SIZE_MAX},
                                      {SIZE_MAX / 2 + 1, 2}, {(SIZE_MAX >> 4) + 1, 16},
                                      {SIZE_MAX, SIZE_MAX},  {(size_t)1 << 32, (size_t)1 << 32}};
    char call[128];
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        void *q = dbg_calloc_at(pairs[i][0], pairs[i][1], "over.c", 2);
        snprintf(call, sizeof call, "dbg_calloc(%zu, %zu)", pairs[i][0], pairs[i][1]);
        cr_assert_null(q,
                       "%s overflows size_t but returned %p, expected NULL" MC_READ(
                           "12.3 The block header and its magic number"),
                       call, q);
        expect_no_effect(&before, call, "the product overflows",
                         MC_READ("12.3 The block header and its magic number"));
    }
    dbg_free(p);
    finish();
}

/* ---- 2 guard bytes ---------------------------------------------------------- */

Test(hidden_guards, both_guards_hold_the_guard_byte)
{
    MC_CLAUSE("2.1", "1.3", "5.3");
    capture_reports();
    for (size_t n = 0; n <= 40; n++) {
        unsigned char *blocks[3];
        blocks[0] = must_alloc(dbg_malloc_at(n, "g.c", 1), "dbg_malloc(n)");
        blocks[1] = must_alloc(dbg_calloc_at(1, n, "g.c", 2), "dbg_calloc(1, n)");
        unsigned char *small = must_alloc(dbg_malloc_at(3, "g.c", 3), "dbg_malloc(3)");
        /* dbg_realloc(p, 0) frees p: the block of no bytes comes from dbg_realloc(NULL, 0) */
        if (n == 0)
            dbg_free(small);
        blocks[2] =
            must_alloc(dbg_realloc_at(n == 0 ? NULL : small, n, "g.c", 4), "dbg_realloc(p, n)");
        static const char *const from[] = {"dbg_malloc", "dbg_calloc", "dbg_realloc"};
        for (int b = 0; b < 3; b++) {
            unsigned char *p = blocks[b];
            for (int i = 1; i <= DBG_GUARD_SIZE; i++)
                cr_assert_eq(p[-i], DBG_GUARD_BYTE,
                             "p[-%d] of a %zu-byte block from %s is 0x%02x, expected the guard "
                             "byte 0x%02x" MC_READ("12.4 Guard bytes"),
                             i, n, from[b], p[-i], DBG_GUARD_BYTE);
            for (size_t i = n; i < n + DBG_GUARD_SIZE; i++)
                cr_assert_eq(p[i], DBG_GUARD_BYTE,
                             "p[%zu] of a %zu-byte block from %s is 0x%02x, expected the guard "
                             "byte 0x%02x" MC_READ("12.4 Guard bytes"),
                             i, n, from[b], p[i], DBG_GUARD_BYTE);
        }
        for (int b = 0; b < 3; b++)
            dbg_free(blocks[b]);
    }
    cr_assert_eq(total_errors(), 0,
                 "reading the guards gave the report '%s'" MC_READ("12.4 Guard bytes"),
                 quoted(reports()));
    finish();
}

Test(hidden_guards, an_off_by_one_is_caught_on_either_side_for_every_size)
{
    MC_CLAUSE("2.3", "2.4", "2.5");
    capture_reports();
    for (size_t size = 1; size <= 40; size++) {
        unsigned char *p = dbg_malloc(size);
        cr_assert_not_null(p, "dbg_malloc(%zu) returned NULL" MC_READ("12.4 Guard bytes"), size);
        p[size - 1] = 1;
        cr_assert_eq(dbg_check_all(), 0,
                     "writing the last byte of a %zu-byte block was "
                     "reported as an error" MC_READ("12.4 Guard bytes"),
                     size);
        p[size] = 1;
        p[-1] = 1;
        dbg_free(p);
        cr_assert(dbg_error_count(DBG_OVERFLOW) == size && dbg_error_count(DBG_UNDERFLOW) == size,
                  "after writing p[%zu] and p[-1] of a %zu-byte block: %zu overflow(s) and %zu "
                  "underflow(s) in all, expected %zu of each" MC_READ("12.4 Guard bytes"),
                  size, size, dbg_error_count(DBG_OVERFLOW), dbg_error_count(DBG_UNDERFLOW), size);
    }
    finish();
}

Test(hidden_guards, a_block_damaged_on_both_sides_is_two_errors_underflow_first)
{
    MC_CLAUSE("2.5", "2.6", "8.6", "8.7");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(24, "two.c", 3), "dbg_malloc(24)");
    p[-1] = 0;
    p[24] = 0;
    size_t found = dbg_check_all_at("chk.c", 9);
    char a[256], b[256], want[512];
    snprintf(want, sizeof want, "%s%s",
             line_alloc(a, sizeof a, "underflow", p, "chk.c", 9, 24, "two.c", 3),
             line_alloc(b, sizeof b, "overflow", p, "chk.c", 9, 24, "two.c", 3));
    cr_assert_eq(found, 2,
                 "writing p[-1] and p[24] of a 24-byte block: dbg_check_all() returned %zu, "
                 "expected 2 (one error per damaged side)" MC_READ("12.4 Guard bytes"),
                 found);
    cr_assert_str_eq(
        reports(), want,
        "the report was\n%s\nexpected\n%s(the underflow first, then the overflow)" MC_READ(
            "12.4 Guard bytes"),
        quoted(reports()), quoted(want));
    cr_assert(dbg_error_count(DBG_UNDERFLOW) == 1 && dbg_error_count(DBG_OVERFLOW) == 1,
              "counted %zu underflow(s) and %zu overflow(s), expected 1 and 1" MC_READ(
                  "12.4 Guard bytes"),
              dbg_error_count(DBG_UNDERFLOW), dbg_error_count(DBG_OVERFLOW));
    cr_assert_eq(dbg_check_all(), 0,
                 "a second dbg_check_all() found errors again: the guards must be restored" MC_READ(
                     "12.4 Guard bytes"));
    size_t mark = reported_length();
    memset(p - DBG_GUARD_SIZE, 0, DBG_GUARD_SIZE);
    memset(p + 24, 0, DBG_GUARD_SIZE);
    dbg_free_at(p, "fr.c", 4);
    snprintf(want, sizeof want, "%s%s",
             line_alloc(a, sizeof a, "underflow", p, "fr.c", 4, 24, "two.c", 3),
             line_alloc(b, sizeof b, "overflow", p, "fr.c", 4, 24, "two.c", 3));
    cr_assert_str_eq(reports_since(mark), want,
                     "zeroing both whole guards and freeing the block reported\n%s\nexpected\n%s"
                     "(one error per side, however many bytes changed)" MC_READ("12.4 Guard bytes"),
                     quoted(reports_since(mark)), quoted(want));
    cr_assert_eq(total_errors(), 4, "%zu errors in all, expected 4" MC_READ("12.4 Guard bytes"),
                 total_errors());
    finish();
}

Test(hidden_guards, the_eight_header_bytes_before_the_front_guard_are_checked)
{
    MC_CLAUSE("2.2", "2.3", "2.6", "8.5");
    capture_reports();
    for (int k = 1; k <= 8; k++) {
        unsigned char *p = must_alloc(dbg_malloc_at(16, "hdr.c", k), "dbg_malloc(16)");
        size_t mark = reported_length();
        p[-DBG_GUARD_SIZE - k] ^= 0x5A;
        size_t found = dbg_check_all_at("chk.c", 1);
        cr_assert(found == 1 && dbg_error_count(DBG_UNDERFLOW) == (size_t)k,
                  "changing p[-%d] (a header byte in front of the guard): dbg_check_all() "
                  "returned %zu, %zu underflow(s) in all; expected 1 and %d" MC_READ(
                      "12.3 The block header and its magic number"),
                  DBG_GUARD_SIZE + k, found, dbg_error_count(DBG_UNDERFLOW), k);
        char kept[256], lost[256];
        snprintf(kept, sizeof kept,
                 "dbg: underflow of %p at chk.c:1 (16 bytes allocated at "
                 "hdr.c:%d)\n",
                 (void *)p, k);
        snprintf(lost, sizeof lost,
                 "dbg: underflow of %p at chk.c:1 (16 bytes allocated at "
                 "?:0)\n",
                 (void *)p);
        const char *got = reports_since(mark);
        int site_lost = strcmp(got, lost) == 0;
        cr_assert(site_lost || strcmp(got, kept) == 0,
                  "the report was '%s', expected '%s' or, if the damage made the site "
                  "untrustworthy, '%s'" MC_READ("12.3 The block header and its magic number"),
                  quoted(got), quoted(kept), quoted(lost));
        cr_assert_eq(
            dbg_check_all(), 0,
            "a second dbg_check_all() found the header damage again: the header must "
            "be restored after a report" MC_READ("12.3 The block header and its magic number"));
        size_t leaked = 0;
        char want[128];
        if (site_lost)
            snprintf(want, sizeof want, "dbg: leak 16 bytes in 1 block(s) at ?:0\n");
        else
            snprintf(want, sizeof want, "dbg: leak 16 bytes in 1 block(s) at hdr.c:%d\n", k);
        const char *text = leak_text(&leaked);
        cr_assert(strstr(text, want) != NULL,
                  "after the report said '%s', the leak report was\n%s\nexpected the line '%s' "
                  "(a lost site stays lost; a kept one stays kept)" MC_READ("12.8 The leak report"),
                  quoted(got), quoted(text), want);
        dbg_free(p);
        cr_assert_eq(
            total_errors(), (size_t)k,
            "freeing the repaired block added a report: %zu errors in all, expected %d" MC_READ(
                "12.3 The block header and its magic number"),
            total_errors(), k);
    }
    finish();
}

Test(hidden_guards, damage_within_the_guards_never_loses_a_site)
{
    MC_CLAUSE("8.5", "8.4", "2.6");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(32, "keep.c", 7), "dbg_malloc(32)");
    memset(p - DBG_GUARD_SIZE, 0, DBG_GUARD_SIZE);
    dbg_check_all_at("chk.c", 2);
    char want[256];
    line_alloc(want, sizeof want, "underflow", p, "chk.c", 2, 32, "keep.c", 7);
    cr_assert_str_eq(reports(), want,
                     "zeroing the whole front guard reported '%s', expected '%s': damage that "
                     "stays within the guard must not lose the site" MC_READ(
                         "12.3 The block header and its magic number"),
                     quoted(reports()), quoted(want));
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    cr_assert(strstr(text, "dbg: leak 32 bytes in 1 block(s) at keep.c:7\n") != NULL,
              "the leak report after the repair was\n%s\nexpected the line 'dbg: leak 32 bytes "
              "in 1 block(s) at keep.c:7'" MC_READ("12.8 The leak report"),
              quoted(text));
    dbg_free_at(p, "keep.c", 8);
    size_t mark = reported_length();
    dbg_free_at(p, "again.c", 9);
    line_freed(want, sizeof want, "double-free", p, "again.c", 9, 32, "keep.c", 7, "keep.c", 8);
    cr_assert_str_eq(reports_since(mark), want,
                     "the double free reported '%s', expected '%s'" MC_READ(
                         "12.6 Looking a pointer up before touching it"),
                     quoted(reports_since(mark)), quoted(want));
    finish();
}

Test(hidden_guards, every_check_reports_at_its_own_site)
{
    MC_CLAUSE("2.4", "8.3", "5.2", "5.4");
    capture_reports();
    char want[256];
    unsigned char *p = must_alloc(dbg_malloc_at(8, "a.c", 1), "dbg_malloc(8)");
    p[8] = 0;
    dbg_free_at(p, "free.c", 11);
    line_alloc(want, sizeof want, "overflow", p, "free.c", 11, 8, "a.c", 1);
    cr_assert_str_eq(
        reports(), want,
        "an overflow found by dbg_free reported '%s', expected '%s'" MC_READ("12.4 Guard bytes"),
        quoted(reports()), quoted(want));
    size_t mark = reported_length();
    p = must_alloc(dbg_malloc_at(8, "b.c", 2), "dbg_malloc(8)");
    p[-1] = 0;
    unsigned char *q = must_alloc(dbg_realloc_at(p, 40, "grow.c", 22), "dbg_realloc(p, 40)");
    line_alloc(want, sizeof want, "underflow", p, "grow.c", 22, 8, "b.c", 2);
    cr_assert_str_eq(reports_since(mark), want,
                     "an underflow found by a dbg_realloc that moves the block reported '%s', "
                     "expected '%s'" MC_READ("12.4 Guard bytes"),
                     quoted(reports_since(mark)), quoted(want));
    mark = reported_length();
    q[40] = 0;
    cr_assert_null(dbg_realloc_at(q, 0, "zero.c", 33),
                   "dbg_realloc(q, 0) must free q and return NULL" MC_READ(
                       "12.5 Poisoning and the quarantine"));
    line_alloc(want, sizeof want, "overflow", q, "zero.c", 33, 40, "grow.c", 22);
    cr_assert_str_eq(reports_since(mark), want,
                     "an overflow found by dbg_realloc(q, 0) reported '%s', expected '%s'" MC_READ(
                         "12.4 Guard bytes"),
                     quoted(reports_since(mark)), quoted(want));
    mark = reported_length();
    unsigned char *r = must_alloc(dbg_malloc_at(4, "c.c", 3), "dbg_malloc(4)");
    r[4] = 0;
    dbg_check_all_at("check.c", 44);
    line_alloc(want, sizeof want, "overflow", r, "check.c", 44, 4, "c.c", 3);
    cr_assert_str_eq(reports_since(mark), want,
                     "an overflow found by dbg_check_all reported '%s', expected '%s'" MC_READ(
                         "12.4 Guard bytes"),
                     quoted(reports_since(mark)), quoted(want));
    dbg_free(r);
    cr_assert_eq(total_errors(), 4, "%zu errors in all, expected 4" MC_READ("12.4 Guard bytes"),
                 total_errors());
    finish();
}

Test(hidden_guards, a_damaged_block_is_still_the_callers)
{
    MC_CLAUSE("2.7", "5.3");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(10, "d.c", 1), "dbg_malloc(10)");
    memcpy(p, "0123456789", 10);
    p[10] = 'X';
    cr_assert_eq(
        dbg_check_all(), 1,
        "an overflow of a live block was not found by dbg_check_all()" MC_READ("12.4 Guard bytes"));
    cr_assert(dbg_live_blocks() == 1 && dbg_current_bytes() == 10,
              "after dbg_check_all() found damage: %zu live, %zu bytes; expected the block "
              "still live (1 and 10)" MC_READ("12.4 Guard bytes"),
              dbg_live_blocks(), dbg_current_bytes());
    p[-2] = 'Y';
    p[3] = '#'; /* the caller's own byte: kept as it is */
    unsigned char *q = dbg_realloc_at(p, 20, "d.c", 2);
    cr_assert_not_null(q, "dbg_realloc of a block with a damaged guard returned NULL, expected "
                          "the moved block" MC_READ("12.4 Guard bytes"));
    cr_assert(memcmp(q, "012#456789", 10) == 0 && all_bytes(q + 10, 10, DBG_FRESH_BYTE),
              "dbg_realloc of a damaged block must copy its bytes as they are: got '%.10s' and "
              "then not 10 fresh bytes" MC_READ("12.4 Guard bytes"),
              (const char *)q);
    cr_assert(dbg_error_count(DBG_UNDERFLOW) == 1 && dbg_live_blocks() == 1,
              "%zu underflow(s), %zu live; expected 1 and 1" MC_READ("12.4 Guard bytes"),
              dbg_error_count(DBG_UNDERFLOW), dbg_live_blocks());
    q[20] = 0;
    dbg_free(q);
    cr_assert(dbg_live_blocks() == 0 && dbg_error_count(DBG_OVERFLOW) == 2,
              "freeing a damaged block: %zu live, %zu overflow(s); expected 0 and 2" MC_READ(
                  "12.4 Guard bytes"),
              dbg_live_blocks(), dbg_error_count(DBG_OVERFLOW));
    finish();
}

/* ---- 3 the quarantine ------------------------------------------------------- */

Test(hidden_quarantine, holds_exactly_the_last_sixteen_frees)
{
    MC_CLAUSE("3.3", "4.2", "4.3");
    capture_reports();
    enum { N = DBG_QUARANTINE_SLOTS + 1 };
    void *blocks[N];
    for (int i = 0; i < N; i++)
        blocks[i] = must_alloc(dbg_malloc_at(8, "q.c", i), "dbg_malloc(8)");
    for (int i = 0; i < N; i++)
        dbg_free_at(blocks[i], "q.c", 100 + i);
    cr_assert_eq(
        total_errors(), 0,
        "freeing %d good blocks gave the report '%s'" MC_READ("12.5 Poisoning and the quarantine"),
        N, quoted(reports()));
    dbg_free_at(blocks[0], "probe.c", 1);
    cr_assert(dbg_error_count(DBG_INVALID_FREE) == 1 && dbg_error_count(DBG_DOUBLE_FREE) == 0,
              "after %d frees, freeing the first block again gave %zu invalid-free and %zu "
              "double-free; expected 1 and 0: the quarantine holds the last %d frees, so the "
              "first was pushed out" MC_READ("12.5 Poisoning and the quarantine"),
              N, dbg_error_count(DBG_INVALID_FREE), dbg_error_count(DBG_DOUBLE_FREE),
              DBG_QUARANTINE_SLOTS);
    for (int i = 1; i < N; i++) {
        dbg_free_at(blocks[i], "probe.c", 2);
        cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), (size_t)i,
                     "after %d frees, freeing block %d again was not a double free: the "
                     "quarantine must hold the last %d freed blocks" MC_READ(
                         "12.5 Poisoning and the quarantine"),
                     N, i + 1, DBG_QUARANTINE_SLOTS);
    }
    finish();
}

Test(hidden_quarantine, a_block_pushed_out_is_checked_in_that_call)
{
    MC_CLAUSE("3.3", "3.4", "8.4", "8.6");
    capture_reports();
    unsigned char *v = must_alloc(dbg_malloc_at(8, "v.c", 1), "dbg_malloc(8)");
    dbg_free_at(v, "v.c", 2);
    v[0] = 'x';
    for (int i = 0; i < DBG_QUARANTINE_SLOTS - 1; i++)
        dbg_free(dbg_malloc(4));
    cr_assert_eq(total_errors(), 0,
                 "the damaged block was reported before it left quarantine: '%s'" MC_READ(
                     "12.5 Poisoning and the quarantine"),
                 quoted(reports()));
    unsigned char *w = must_alloc(dbg_malloc_at(8, "w.c", 5), "dbg_malloc(8)");
    w[8] = 0;
    dbg_free_at(w, "e.c", 99);
    char a[256], b[256], want[512];
    snprintf(want, sizeof want, "%s%s",
             line_alloc(a, sizeof a, "overflow", w, "e.c", 99, 8, "w.c", 5),
             line_freed(b, sizeof b, "use-after-free", v, "e.c", 99, 8, "v.c", 1, "v.c", 2));
    cr_assert_str_eq(
        reports(), want,
        "the free that pushed a damaged block out of quarantine reported\n%s\n"
        "expected\n%s(the block it was given first, then the one it pushed out)" MC_READ(
            "12.5 Poisoning and the quarantine"),
        quoted(reports()), quoted(want));
    /* The same through dbg_realloc: the quarantine is full again. */
    size_t mark = reported_length();
    unsigned char *oldest = NULL;
    for (int i = 0; i < DBG_QUARANTINE_SLOTS; i++) {
        unsigned char *t = must_alloc(dbg_malloc_at(6, "t.c", i), "dbg_malloc(6)");
        dbg_free_at(t, "t.c", 50 + i);
        if (i == 0)
            oldest = t;
    }
    oldest[5] = 0;
    unsigned char *x = must_alloc(dbg_malloc_at(3, "x.c", 7), "dbg_malloc(3)");
    x[-1] = 0;
    unsigned char *y = must_alloc(dbg_realloc_at(x, 9, "y.c", 8), "dbg_realloc(x, 9)");
    snprintf(want, sizeof want, "%s%s",
             line_alloc(a, sizeof a, "underflow", x, "y.c", 8, 3, "x.c", 7),
             line_freed(b, sizeof b, "use-after-free", oldest, "y.c", 8, 6, "t.c", 0, "t.c", 50));
    cr_assert_str_eq(reports_since(mark), want,
                     "the dbg_realloc that pushed a damaged block out of quarantine reported\n%s\n"
                     "expected\n%s" MC_READ("12.5 Poisoning and the quarantine"),
                     quoted(reports_since(mark)), quoted(want));
    dbg_free(y);
    finish();
}

Test(hidden_quarantine, any_change_to_a_quarantined_block_is_one_use_after_free)
{
    MC_CLAUSE("3.4", "2.6", "8.7");
    capture_reports();
    enum { N = 12 };
    static const char *const where[N] = {
        "its first byte",
        "its last byte",
        "every byte",
        "p[n] (the tail guard)",
        "p[n + 15]",
        "p[-1] (the front guard)",
        "p[-16]",
        "p[-17] (the header)",
        "p[-24]",
        "p[0], p[n] and p[-1]",
        "the whole tail guard",
        "the front guard and p[0]",
    };
    for (int c = 0; c < N; c++) {
        enum { SIZE = 20 };
        unsigned char *p = must_alloc(dbg_malloc_at(SIZE, "u.c", c), "dbg_malloc(20)");
        dbg_free_at(p, "u.c", 100 + c);
        switch (c) {
        case 0:
            p[0] = 0;
            break;
        case 1:
            p[SIZE - 1] = 0;
            break;
        case 2:
            memset(p, 0, SIZE);
            break;
        case 3:
            p[SIZE] = 0;
            break;
        case 4:
            p[SIZE + DBG_GUARD_SIZE - 1] = 0;
            break;
        case 5:
            p[-1] = 0;
            break;
        case 6:
            p[-DBG_GUARD_SIZE] = 0;
            break;
        case 7:
            p[-DBG_GUARD_SIZE - 1] ^= 0x5A;
            break;
        case 8:
            p[-DBG_GUARD_SIZE - 8] ^= 0x5A;
            break;
        case 9:
            p[0] = 0;
            p[SIZE] = 0;
            p[-1] = 0;
            break;
        case 10:
            memset(p + SIZE, 0, DBG_GUARD_SIZE);
            break;
        default:
            memset(p - DBG_GUARD_SIZE, 0, DBG_GUARD_SIZE + 1);
            break;
        }
        size_t mark = reported_length();
        size_t found = dbg_check_all_at("chk.c", 5);
        cr_assert(found == 1 && dbg_error_count(DBG_USE_AFTER_FREE) == (size_t)c + 1 &&
                      total_errors() == (size_t)c + 1,
                  "changing %s of a freed block: dbg_check_all() returned %zu, and %zu error(s) "
                  "in all; expected 1 use-after-free" MC_READ("12.5 Poisoning and the quarantine"),
                  where[c], found, total_errors() - (size_t)c);
        char prefix[128];
        snprintf(prefix, sizeof prefix,
                 "dbg: use-after-free of %p at chk.c:5 (20 bytes allocated at ", (void *)p);
        const char *got = reports_since(mark);
        cr_assert(
            strncmp(got, prefix, strlen(prefix)) == 0 && strstr(got, ", freed at ") != NULL,
            "changing %s of a freed block reported '%s', expected '%s..., freed at ...)'" MC_READ(
                "12.5 Poisoning and the quarantine"),
            where[c], quoted(got), quoted(prefix));
        cr_assert_eq(
            dbg_check_all(), 0,
            "after changing %s of a freed block, a second dbg_check_all() found it "
            "again: restore the block after reporting" MC_READ("12.5 Poisoning and the quarantine"),
            where[c]);
        cr_assert(all_bytes(p, SIZE, DBG_FREED_BYTE),
                  "after the report the freed block's bytes are not all 0x%02x again" MC_READ(
                      "12.5 Poisoning and the quarantine"),
                  DBG_FREED_BYTE);
    }
    finish();
}

Test(hidden_quarantine, free_and_check_all_work_while_every_allocation_fails)
{
    MC_CLAUSE("3.6", "3.2", "3.3");
    capture_reports();
    enum { N = DBG_QUARANTINE_SLOTS + 2 };
    unsigned char *blocks[N];
    for (int i = 0; i < N; i++)
        blocks[i] = must_alloc(dbg_malloc_at(12, "m.c", i), "dbg_malloc(12)");
    blocks[1][12] = 0; /* an overflow */
    mc_fail_allocs_after(0);
    dbg_free(blocks[0]);
    dbg_free(blocks[1]);
    blocks[0][3] = 0; /* a use after free */
    size_t found = dbg_check_all();
    dbg_free(blocks[1]);
    for (int i = 2; i < N; i++)
        dbg_free(blocks[i]);
    const char *note = mc_fail_note();
    size_t failed = mc_failed_allocs();
    mc_fail_none();
    cr_assert(found == 1 && dbg_error_count(DBG_OVERFLOW) == 1 &&
                  dbg_error_count(DBG_DOUBLE_FREE) == 1 && dbg_error_count(DBG_USE_AFTER_FREE) == 1,
              "with %s failing: dbg_check_all() found %zu; %zu overflow, %zu double-free, %zu "
              "use-after-free; expected 1; 1, 1, 1 (dbg_free and dbg_check_all need no memory; "
              "%zu allocation(s) were refused)" MC_READ("12.5 Poisoning and the quarantine"),
              note, found, dbg_error_count(DBG_OVERFLOW), dbg_error_count(DBG_DOUBLE_FREE),
              dbg_error_count(DBG_USE_AFTER_FREE), failed);
    cr_assert(
        dbg_live_blocks() == 0 && dbg_current_bytes() == 0,
        "with %s failing, freeing every block left %zu live, %zu bytes; expected 0 and 0" MC_READ(
            "12.5 Poisoning and the quarantine"),
        note, dbg_live_blocks(), dbg_current_bytes());
    dbg_free(blocks[N - 1]);
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 2,
                 "a block freed while every allocation failed was not in quarantine (no "
                 "double free when freed again)" MC_READ("12.5 Poisoning and the quarantine"));
    finish();
}

/* ---- 4 pointers that were not handed out ------------------------------------- */

Test(hidden_pointers, every_kind_of_foreign_pointer_is_an_invalid_free)
{
    MC_CLAUSE("4.1", "4.3", "8.3", "8.4");
    capture_reports();
    static char in_data[64];
    char on_stack[64];
    int fd = open("/dev/zero", O_RDONLY);
    cr_assert(fd >= 0, "cannot open /dev/zero for the test" MC_READ(
                           "12.6 Looking a pointer up before touching it"));
    char *no_access = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE, fd, 0);
    close(fd);
    cr_assert(no_access != MAP_FAILED, "cannot map a page for the test" MC_READ(
                                           "12.6 Looking a pointer up before touching it"));
    char *from_malloc = malloc(64);
    cr_assert_not_null(from_malloc, "malloc(64) failed in the test" MC_READ(
                                        "12.6 Looking a pointer up before touching it"));
    unsigned char *p = must_alloc(dbg_malloc_at(32, "p.c", 1), "dbg_malloc(32)");
    memset(p, 'p', 32);
    unsigned char *q = must_alloc(dbg_malloc_at(32, "q.c", 2), "dbg_malloc(32)");
    dbg_free_at(q, "q.c", 3);
    void *bad[] = {on_stack,       in_data,
                   p + 1,          p + 31,
                   p + 32,         p - 8,
                   p - 1,          p - DBG_GUARD_SIZE,
                   q + 1,          q + 32,
                   q - 4,          from_malloc,
                   no_access + 64, (void *)(uintptr_t)0x1000};
    static const char *const what[] = {"a stack address",
                                       "a static array",
                                       "p + 1 (live block)",
                                       "p + 31 (live block)",
                                       "p + n (one past a live block)",
                                       "p - 8 (a header)",
                                       "p - 1 (a guard)",
                                       "p - DBG_GUARD_SIZE",
                                       "q + 1 (quarantined block)",
                                       "q + n (quarantined block)",
                                       "q - 4 (quarantined header)",
                                       "a pointer from malloc",
                                       "an address nobody may read",
                                       "the address 0x1000"};
    enum { KINDS = sizeof bad / sizeof bad[0] };
    struct observed before;
    observe(&before);
    char want[256];
    for (size_t i = 0; i < KINDS; i++) {
        size_t mark = reported_length();
        dbg_free_at(bad[i], "bad.c", (int)i);
        line_of(want, sizeof want, "invalid-free", bad[i], "bad.c", (int)i);
        cr_assert_str_eq(reports_since(mark), want,
                         "dbg_free(%s) reported '%s', expected '%s'" MC_READ(
                             "12.6 Looking a pointer up before touching it"),
                         what[i], quoted(reports_since(mark)), quoted(want));
        mark = reported_length();
        void *r = dbg_realloc_at(bad[i], 8, "bad.c", 100 + (int)i);
        cr_assert_null(r,
                       "dbg_realloc(%s, 8) returned %p, expected NULL" MC_READ(
                           "12.6 Looking a pointer up before touching it"),
                       what[i], r);
        line_of(want, sizeof want, "invalid-free", bad[i], "bad.c", 100 + (int)i);
        cr_assert_str_eq(reports_since(mark), want,
                         "dbg_realloc(%s, 8) reported '%s', expected '%s'" MC_READ(
                             "12.6 Looking a pointer up before touching it"),
                         what[i], quoted(reports_since(mark)), quoted(want));
    }
    cr_assert_eq(dbg_error_count(DBG_INVALID_FREE), 2 * KINDS,
                 "%zu invalid-free(s) counted, expected %zu" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 dbg_error_count(DBG_INVALID_FREE), (size_t)(2 * KINDS));
    before.errors[DBG_INVALID_FREE] += 2 * KINDS;
    struct observed after;
    observe(&after);
    before.reported = after.reported;
    expect_no_effect(&before, "dbg_free or dbg_realloc of a pointer never handed out",
                     "the pointer was rejected",
                     MC_READ("12.6 Looking a pointer up before touching it"));
    cr_assert(all_bytes(p, 32, 'p') && all_bytes(q, 32, DBG_FREED_BYTE),
              "the rejected calls changed the bytes of a live or quarantined block" MC_READ(
                  "12.6 Looking a pointer up before touching it"));
    cr_assert_eq(dbg_check_all(), 0,
                 "the rejected calls damaged a block: '%s'" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 quoted(reports()));
    dbg_free(q);
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 1,
                 "the quarantined block q left quarantine during the rejected calls" MC_READ(
                     "12.6 Looking a pointer up before touching it"));
    dbg_free(p);
    free(from_malloc);
    munmap(no_access, 4096);
    finish();
}

Test(hidden_pointers, a_quarantined_pointer_is_a_double_free_for_free_and_realloc)
{
    MC_CLAUSE("4.2", "4.1", "8.4", "8.5");
    capture_reports();
    unsigned char *q = must_alloc(dbg_malloc_at(16, "q.c", 1), "dbg_malloc(16)");
    dbg_free_at(q, "q.c", 2);
    struct observed before;
    observe(&before);
    void *r = dbg_realloc_at(q, 8, "r.c", 3);
    cr_assert_null(r,
                   "dbg_realloc of a freed pointer returned %p, expected NULL" MC_READ(
                       "12.6 Looking a pointer up before touching it"),
                   r);
    char want[256];
    line_freed(want, sizeof want, "double-free", q, "r.c", 3, 16, "q.c", 1, "q.c", 2);
    cr_assert_str_eq(reports_since(before.reported), want,
                     "dbg_realloc of a freed pointer reported '%s', expected '%s'" MC_READ(
                         "12.6 Looking a pointer up before touching it"),
                     quoted(reports_since(before.reported)), quoted(want));
    size_t mark = reported_length();
    dbg_free_at(q, "f.c", 4);
    line_freed(want, sizeof want, "double-free", q, "f.c", 4, 16, "q.c", 1, "q.c", 2);
    cr_assert_str_eq(reports_since(mark), want,
                     "freeing it once more reported '%s', expected '%s': the block stays in "
                     "quarantine as it was" MC_READ("12.6 Looking a pointer up before touching it"),
                     quoted(reports_since(mark)), quoted(want));
    cr_assert(all_bytes(q, 16, DBG_FREED_BYTE) && dbg_check_all() == 0,
              "the double frees changed the quarantined block" MC_READ(
                  "12.6 Looking a pointer up before touching it"));
    before.errors[DBG_DOUBLE_FREE] += 2;
    before.reported = reported_length();
    expect_no_effect(&before, "dbg_realloc or dbg_free of a freed pointer",
                     "the pointer was rejected",
                     MC_READ("12.6 Looking a pointer up before touching it"));
    /* A stale write into a quarantined block's header, then a double free: the
     * report still has the double free's form, each site true or ?:0. */
    unsigned char *q2 = must_alloc(dbg_malloc_at(16, "q2.c", 5), "dbg_malloc(16)");
    dbg_free_at(q2, "q2.c", 6);
    q2[-DBG_GUARD_SIZE - 1] ^= 0x5A;
    size_t from = reported_length();
    dbg_free_at(q2, "f.c", 7);
    char head[128];
    snprintf(head, sizeof head, "dbg: double-free of %p at f.c:7 (16 bytes allocated at ",
             (void *)q2);
    const char *got = reports_since(from);
    const char *rest = strncmp(got, head, strlen(head)) == 0 ? got + strlen(head) : "";
    static const char *const tails[] = {"q2.c:5, freed at q2.c:6)\n", "?:0, freed at ?:0)\n",
                                        "q2.c:5, freed at ?:0)\n", "?:0, freed at q2.c:6)\n"};
    int known = 0;
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++)
        known |= strcmp(rest, tails[i]) == 0;
    cr_assert(known,
              "a double free of a freed block whose header was written to reported '%s', "
              "expected '%sq2.c:5, freed at q2.c:6)', with ?:0 for a site that cannot be "
              "trusted" MC_READ("12.3 The block header and its magic number"),
              quoted(got), quoted(head));
    size_t found = dbg_check_all();
    cr_assert(
        found == 1 && dbg_error_count(DBG_USE_AFTER_FREE) == 1,
        "after that double free, dbg_check_all() found %zu error(s), %zu use-after-free; "
        "expected the write into the header: 1 and 1" MC_READ("12.5 Poisoning and the quarantine"),
        found, dbg_error_count(DBG_USE_AFTER_FREE));
    finish();
}

Test(hidden_pointers, nothing_is_read_through_an_unreadable_pointer)
{
    MC_CLAUSE("4.1");
    capture_reports();
    int fd = open("/dev/zero", O_RDONLY);
    cr_assert(fd >= 0, "cannot open /dev/zero for the test" MC_READ(
                           "12.6 Looking a pointer up before touching it"));
    unsigned char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE, fd, 0);
    close(fd);
    cr_assert(page != MAP_FAILED, "cannot map a page for the test" MC_READ(
                                      "12.6 Looking a pointer up before touching it"));
    void *live = must_alloc(dbg_malloc(8), "dbg_malloc(8)");
    static const size_t offsets[] = {0, 16, 64, 80, 2048, 4096 - 16};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        cr_assert_null(dbg_realloc(page + offsets[i], 8),
                       "dbg_realloc of an unreadable address must return NULL" MC_READ(
                           "12.6 Looking a pointer up before touching it"));
        cr_assert_null(dbg_realloc(page + offsets[i], 0),
                       "dbg_realloc(unreadable, 0) must return NULL" MC_READ(
                           "12.6 Looking a pointer up before touching it"));
        dbg_free(page + offsets[i]);
    }
    cr_assert_eq(dbg_error_count(DBG_INVALID_FREE), 18,
                 "%zu invalid-free(s) for 18 calls with an unreadable address, expected 18" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 dbg_error_count(DBG_INVALID_FREE));
    cr_assert_eq(
        dbg_live_blocks(), 1,
        "%zu live blocks, expected 1" MC_READ("12.6 Looking a pointer up before touching it"),
        dbg_live_blocks());
    dbg_free(live);
    munmap(page, 4096);
    finish();
}

/* ---- 5 dbg_realloc ------------------------------------------------------------ */

Test(hidden_realloc, moves_the_block_keeps_the_bytes_and_takes_the_new_site)
{
    MC_CLAUSE("5.3", "5.4", "1.6", "7.3");
    capture_reports();
    unsigned char *p = dbg_malloc_at(8, "first.c", 1);
    cr_assert_not_null(
        p, "dbg_malloc returned NULL" MC_READ("12.3 The block header and its magic number"));
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)i;
    unsigned char *q = dbg_realloc_at(p, 20, "second.c", 2);
    cr_assert_not_null(q, "dbg_realloc(p, 20) returned NULL" MC_READ(
                              "12.3 The block header and its magic number"));
    cr_assert_neq(q, p,
                  "dbg_realloc returned the same address: it must always move the block" MC_READ(
                      "12.5 Poisoning and the quarantine"));
    for (int i = 0; i < 20; i++) {
        unsigned want = i < 8 ? (unsigned)i : DBG_FRESH_BYTE;
        cr_assert_eq(q[i], want,
                     "byte %d after growing 8 to 20 is 0x%02x, expected 0x%02x" MC_READ(
                         "12.3 The block header and its magic number"),
                     i, q[i], want);
    }
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    cr_assert(
        leaked == 1 && strstr(text, "dbg: leak 20 bytes in 1 block(s) at second.c:2\n") != NULL,
        "after dbg_realloc at second.c:2 the leak report was '%s' (%zu block(s)), "
        "expected 'dbg: leak 20 bytes in 1 block(s) at second.c:2'" MC_READ("12.8 The leak report"),
        quoted(text), leaked);
    cr_assert(all_bytes(p, 8, DBG_FREED_BYTE),
              "the old block of a dbg_realloc is not poisoned with 0x%02x" MC_READ(
                  "12.5 Poisoning and the quarantine"),
              DBG_FREED_BYTE);
    p[0] = 0xAA; /* stale pointer: the old block must be in quarantine */
    size_t found = dbg_check_all();
    cr_assert(
        found == 1 && dbg_error_count(DBG_USE_AFTER_FREE) == 1,
        "writing through the pointer dbg_realloc replaced: dbg_check_all() returned %zu, "
        "%zu use-after-free(s); expected 1 and 1" MC_READ("12.5 Poisoning and the quarantine"),
        found, dbg_error_count(DBG_USE_AFTER_FREE));
    unsigned char *r = dbg_realloc_at(q, 4, "third.c", 3);
    cr_assert_not_null(
        r, "dbg_realloc(q, 4) returned NULL" MC_READ("12.3 The block header and its magic number"));
    cr_assert(memcmp(r, "\0\1\2\3", 4) == 0, "shrinking to 4 bytes lost the first bytes" MC_READ(
                                                 "12.3 The block header and its magic number"));
    cr_assert(dbg_current_bytes() == 4 && dbg_peak_bytes() == 20 && dbg_live_blocks() == 1,
              "after 8 -> 20 -> 4: current %zu, peak %zu, live %zu; expected 4, 20, 1" MC_READ(
                  "12.9 Current and peak usage"),
              dbg_current_bytes(), dbg_peak_bytes(), dbg_live_blocks());
    dbg_free(r);
    cr_assert_eq(total_errors(), 1,
                 "%zu errors in all, expected only the use after free" MC_READ(
                     "12.5 Poisoning and the quarantine"),
                 total_errors());
    finish();
}

Test(hidden_realloc, arms_the_guard_at_the_new_end)
{
    MC_CLAUSE("5.3", "2.1", "2.3");
    capture_reports();
    unsigned char *p = dbg_malloc(8);
    cr_assert_not_null(p, "dbg_malloc returned NULL" MC_READ("12.4 Guard bytes"));
    p = dbg_realloc(p, 32);
    cr_assert_not_null(p, "dbg_realloc(p, 32) returned NULL" MC_READ("12.4 Guard bytes"));
    memset(p, 'g', 32);
    size_t found = dbg_check_all();
    cr_assert_eq(found, 0,
                 "filling all 32 bytes of a block grown from 8 gave %zu error(s)" MC_READ(
                     "12.4 Guard bytes"),
                 found);
    p[32] = 0;
    found = dbg_check_all();
    cr_assert(found == 1 && dbg_error_count(DBG_OVERFLOW) == 1,
              "writing p[32] of a block grown to 32: dbg_check_all() returned %zu, %zu "
              "overflow(s); expected 1 and 1" MC_READ("12.4 Guard bytes"),
              found, dbg_error_count(DBG_OVERFLOW));
    p = dbg_realloc(p, 5);
    cr_assert_not_null(p, "dbg_realloc(p, 5) returned NULL" MC_READ("12.4 Guard bytes"));
    p[4] = 0;
    p[5] = 0;
    dbg_free(p);
    cr_assert_eq(dbg_error_count(DBG_OVERFLOW), 2,
                 "writing p[5] of a block shrunk to 5 and freeing it: %zu overflow(s) in all, "
                 "expected 2" MC_READ("12.4 Guard bytes"),
                 dbg_error_count(DBG_OVERFLOW));
    cr_assert_eq(total_errors(), 2,
                 "%zu errors in all, expected the 2 overflows" MC_READ("12.4 Guard bytes"),
                 total_errors());
    finish();
}

Test(hidden_realloc, null_is_malloc_for_every_size_and_zero_frees)
{
    MC_CLAUSE("5.1", "5.2", "1.3", "7.1");
    capture_reports();
    unsigned char *e = dbg_realloc_at(NULL, 0, "n0.c", 1);
    cr_assert_not_null(
        e, "dbg_realloc(NULL, 0) returned NULL, expected a new block of no bytes "
           "(it is dbg_malloc(0))" MC_READ("12.3 The block header and its magic number"));
    unsigned char *e2 = dbg_realloc_at(NULL, 0, "n0.c", 1);
    cr_assert(e2 != NULL && e2 != e,
              "two dbg_realloc(NULL, 0) returned %p and %p, expected two different blocks" MC_READ(
                  "12.3 The block header and its magic number"),
              (void *)e, (void *)e2);
    cr_assert(dbg_live_blocks() == 2 && dbg_current_bytes() == 0,
              "after two dbg_realloc(NULL, 0): %zu live, %zu bytes; expected 2 and 0" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_current_bytes());
    cr_assert_eq(e[0], DBG_GUARD_BYTE,
                 "byte 0 of a block of no bytes is 0x%02x, expected the tail guard 0x%02x" MC_READ(
                     "12.4 Guard bytes"),
                 e[0], DBG_GUARD_BYTE);
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    cr_assert(strstr(text, "dbg: leak 0 bytes in 2 block(s) at n0.c:1\n") != NULL,
              "after two dbg_realloc(NULL, 0) at n0.c:1 the leak report was\n%s\nexpected the "
              "line 'dbg: leak 0 bytes in 2 block(s) at n0.c:1'" MC_READ("12.8 The leak report"),
              quoted(text));
    dbg_free(e);
    dbg_free(e2);
    unsigned char *p = dbg_realloc_at(NULL, 12, "null.c", 7);
    cr_assert_not_null(p, "dbg_realloc(NULL, 12) returned NULL, expected a new block" MC_READ(
                              "12.3 The block header and its magic number"));
    cr_assert(all_bytes(p, 12, DBG_FRESH_BYTE),
              "dbg_realloc(NULL, 12) must fill the block with 0x%02x like dbg_malloc" MC_READ(
                  "12.5 Poisoning and the quarantine"),
              DBG_FRESH_BYTE);
    text = leak_text(&leaked);
    cr_assert(strstr(text, "dbg: leak 12 bytes in 1 block(s) at null.c:7\n") != NULL,
              "after dbg_realloc(NULL, 12) at null.c:7 the report was '%s'" MC_READ(
                  "12.8 The leak report"),
              quoted(text));
    cr_assert_null(dbg_realloc_at(p, 0, "z.c", 5),
                   "dbg_realloc(p, 0) must free p and return NULL" MC_READ(
                       "12.5 Poisoning and the quarantine"));
    cr_assert(dbg_live_blocks() == 0 && dbg_current_bytes() == 0,
              "after dbg_realloc(p, 0): %zu live, %zu bytes; expected 0 and 0" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_current_bytes());
    cr_assert(all_bytes(p, 12, DBG_FREED_BYTE),
              "dbg_realloc(p, 0) must poison p like dbg_free" MC_READ(
                  "12.5 Poisoning and the quarantine"));
    dbg_free_at(p, "d.c", 6);
    char want[256];
    line_freed(want, sizeof want, "double-free", p, "d.c", 6, 12, "null.c", 7, "z.c", 5);
    cr_assert_str_eq(
        reports(), want,
        "freeing p after dbg_realloc(p, 0) reported '%s', expected '%s' (the block "
        "is in quarantine, freed at the dbg_realloc)" MC_READ("12.5 Poisoning and the quarantine"),
        quoted(reports()), quoted(want));
    finish();
}

/* ---- 6 failing cleanly ------------------------------------------------------------ */

/* The state the failed-realloc test starts from: p live and damaged, a full
 * quarantine whose oldest block was written to. NULL if it cannot be built. */
static unsigned char *failed_realloc_setup(unsigned char **oldest)
{
    capture_reports();
    unsigned char *p = dbg_malloc_at(16, "old.c", 1);
    if (!check(p != NULL, "dbg_malloc(16) returned NULL, expected a block" MC_READ(
                              "12.3 The block header and its magic number")))
        return NULL;
    memset(p, 'k', 16);
    p[16] = 0; /* damage: a failed call must leave it for the next check */
    for (int i = 0; i < DBG_QUARANTINE_SLOTS; i++) {
        unsigned char *t = dbg_malloc_at(4, "t.c", i);
        if (!check(t != NULL, "dbg_malloc(4) returned NULL, expected a block" MC_READ(
                                  "12.3 The block header and its magic number")))
            return NULL;
        dbg_free_at(t, "t.c", 100 + i);
        if (i == 0)
            *oldest = t;
    }
    (*oldest)[0] = 0; /* a use after free, found only when it leaves quarantine */
    return p;
}

Test(hidden_failure, a_failed_realloc_reports_nothing_and_keeps_the_old_block)
{
    MC_CLAUSE("5.5", "6.1");
    /* Each allocation dbg_realloc makes fails in turn, until one that makes
     * none fail succeeds. */
    for (size_t n = 1; problems == 0; n++) {
        unsigned char *oldest = NULL;
        unsigned char *p = failed_realloc_setup(&oldest);
        if (p == NULL)
            break;
        struct observed before;
        observe(&before);
        mc_fail_nth_alloc(n);
        void *q = dbg_realloc_at(p, 1000, "new.c", 2);
        size_t failed = mc_failed_allocs();
        const char *note = mc_fail_note();
        mc_fail_none();
        if (q != NULL) {
            check(n > 1, "dbg_realloc(p, 1000) made no allocation" MC_READ(
                             "11.10 Injecting allocation failures"));
            reset_and_check();
            break;
        }
        if (!check(failed > 0 && n<100,
                                   "dbg_realloc(p, 1000) returned NULL although %s" MC_READ(
                                       "11.10 Injecting allocation failures"),
                                   failed> 0
                       ? "it was given 100 tries"
                       : "no allocation failed"))
            break;
        char call[160];
        snprintf(call, sizeof call, "dbg_realloc(p, 1000) with %s failing", note);
        unchanged(&before, call, "out of memory", MC_READ("11.10 Injecting allocation failures"));
        check(all_bytes(p, 16, 'k'),
              "%s returned NULL but changed the old block's bytes" MC_READ(
                  "11.10 Injecting allocation failures"),
              call);
        size_t found = dbg_check_all();
        check(found == 2 && dbg_error_count(DBG_OVERFLOW) == 1 &&
                  dbg_error_count(DBG_USE_AFTER_FREE) == 1,
              "after %s, dbg_check_all() found %zu (%zu overflow, %zu use-after-free); "
              "expected 2: the old block's overflow and the oldest quarantined block's use "
              "after free, both left for the next check" MC_READ(
                  "11.10 Injecting allocation failures"),
              call, found, dbg_error_count(DBG_OVERFLOW), dbg_error_count(DBG_USE_AFTER_FREE));
        dbg_free(oldest);
        check(dbg_error_count(DBG_DOUBLE_FREE) == 1,
              "after %s, the oldest block was no longer in quarantine" MC_READ(
                  "11.10 Injecting allocation failures"),
              call);
        dbg_free(p);
        reset_and_check();
    }
    finish();
}

/* A model of what the allocator holds, for the long run below. RUN_FILL
 * blocks first, then RUN_OPS calls of every kind: enough for a table of 64
 * entries to have to grow during the calls. */
enum { RUN_FILL = 50, RUN_OPS = 40, RUN_MAX = RUN_FILL + RUN_OPS + 1 };

struct model {
    unsigned char *ptr[RUN_MAX];
    size_t size[RUN_MAX];
    int line[RUN_MAX];
    unsigned char tag[RUN_MAX];
    size_t live;
    size_t current;
    size_t peak;
    unsigned char *freed[RUN_OPS]; /* every block freed, in order */
    size_t nfreed;
};

static void model_add(struct model *m, unsigned char *p, size_t size, int line, unsigned char tag)
{
    m->ptr[m->live] = p;
    m->size[m->live] = size;
    m->line[m->live] = line;
    m->tag[m->live] = tag;
    m->live++;
    m->current += size;
    if (m->current > m->peak)
        m->peak = m->current;
}

static void model_remove(struct model *m, size_t i)
{
    m->current -= m->size[i];
    m->freed[m->nfreed++] = m->ptr[i];
    memmove(&m->ptr[i], &m->ptr[i + 1], (m->live - i - 1) * sizeof m->ptr[0]);
    memmove(&m->size[i], &m->size[i + 1], (m->live - i - 1) * sizeof m->size[0]);
    memmove(&m->line[i], &m->line[i + 1], (m->live - i - 1) * sizeof m->line[0]);
    memmove(&m->tag[i], &m->tag[i + 1], (m->live - i - 1) * sizeof m->tag[0]);
    m->live--;
}

/* The leak report the model predicts: sites run.c:1 to run.c:4. */
static void model_leaks(const struct model *m, char *out, size_t cap)
{
    size_t bytes[5] = {0}, blocks[5] = {0}, sites = 0;
    for (size_t i = 0; i < m->live; i++) {
        sites += blocks[m->line[i]] == 0;
        bytes[m->line[i]] += m->size[i];
        blocks[m->line[i]]++;
    }
    int order[4] = {1, 2, 3, 4};
    for (int i = 1; i < 4; i++) /* insertion sort into the report's order */
        for (int j = i; j > 0; j--) {
            int a = order[j - 1], b = order[j];
            int later = bytes[a] < bytes[b] || (bytes[a] == bytes[b] && blocks[a] < blocks[b]);
            if (!later)
                break;
            order[j - 1] = b;
            order[j] = a;
        }
    size_t len = (size_t)snprintf(out, cap,
                                  "dbg: leak summary: %zu bytes in %zu block(s) from %zu "
                                  "site(s)\n",
                                  m->current, m->live, sites);
    for (int k = 0; k < 4; k++)
        if (blocks[order[k]] != 0 && len < cap)
            len += (size_t)snprintf(out + len, cap - len,
                                    "dbg: leak %zu bytes in %zu block(s) at run.c:%d\n",
                                    bytes[order[k]], blocks[order[k]], order[k]);
}

/* One call of the run: operation i on the model's blocks. Returns the block
 * it handed out (NULL if none, or if it failed); *what names the call. */
static unsigned char *run_op(struct model *m, int i, size_t *size, int *line, size_t *victim,
                             const char **what)
{
    switch (i % 5) {
    case 0:
        if (m->live == 0)
            return NULL;
        *victim = (size_t)(i * 7) % m->live;
        *size = (size_t)(i % 13) + 1;
        *line = 3;
        *what = "dbg_realloc(p, n)";
        return dbg_realloc_at(m->ptr[*victim], *size, "run.c", 3);
    case 1:
        *size = 3 * (size_t)(i % 4);
        *line = 2;
        *what = "dbg_calloc(3, n)";
        return dbg_calloc_at(3, (size_t)(i % 4), "run.c", 2);
    case 2:
        *what = "dbg_free(p)";
        if (m->live >= 2) {
            *victim = (size_t)(i * 3) % m->live;
            dbg_free_at(m->ptr[*victim], "run.c", 5);
            model_remove(m, *victim);
        }
        return NULL;
    case 3:
        *size = (size_t)(i % 9);
        *line = 4;
        *what = "dbg_realloc(NULL, n)";
        return dbg_realloc_at(NULL, *size, "run.c", 4);
    default:
        *size = (size_t)(i % 17);
        *line = 1;
        *what = "dbg_malloc(n)";
        return dbg_malloc_at(*size, "run.c", 1);
    }
}

/* One run; the nth allocation of its calls fails (0: none). Returns how many
 * allocation calls the calls made. Problems are recorded with check(). */
static size_t long_run(size_t n)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    capture_reports();
    for (int i = 0; i < RUN_FILL; i++) {
        unsigned char *p = dbg_malloc_at((size_t)i % 7, "run.c", 1);
        if (!check(p != NULL, "dbg_malloc returned NULL, expected a block" MC_READ(
                                  "12.3 The block header and its magic number")))
            return 0;
        memset(p, 'a', (size_t)i % 7);
        model_add(&m, p, (size_t)i % 7, 1, 'a');
    }
    size_t calls_before = mc_alloc_calls();
    if (n != 0)
        mc_fail_nth_alloc(n);
    const char *note = "no allocation";
    int ok = 1;
    for (int i = 0; i < RUN_OPS && ok; i++) {
        size_t failed_before = mc_failed_allocs();
        size_t size = 0, victim = 0;
        int line = 0;
        const char *what = "";
        unsigned char *got = run_op(&m, i, &size, &line, &victim, &what);
        int failed_here = mc_failed_allocs() != failed_before;
        if (failed_here)
            note = mc_fail_note();
        int allocates = i % 5 != 2 && (i % 5 != 0 || m.live != 0);
        if (allocates && got == NULL) {
            ok = check(failed_here,
                       "operation %d of the run, %s, returned NULL although no allocation "
                       "failed" MC_READ("11.10 Injecting allocation failures"),
                       i, what);
        } else if (allocates) {
            if (i % 5 == 0)
                model_remove(&m, victim);
            unsigned char tag = (unsigned char)('A' + i % 26);
            memset(got, tag, size);
            model_add(&m, got, size, line, tag);
        }
        ok = ok &&
             check(dbg_live_blocks() == m.live && dbg_current_bytes() == m.current &&
                       dbg_peak_bytes() == m.peak,
                   "with %s failing, after operation %d (%s%s): live %zu, current %zu, "
                   "peak %zu; expected %zu, %zu, %zu (a call that fails has no effect)" MC_READ(
                       "11.10 Injecting allocation failures"),
                   note, i, what, allocates && got == NULL ? ", which returned NULL" : "",
                   dbg_live_blocks(), dbg_current_bytes(), dbg_peak_bytes(), m.live, m.current,
                   m.peak);
        ok = ok && check(total_errors() == 0 && reported_length() == 0,
                         "with %s failing, after operation %d (%s) the allocator reported '%s', "
                         "expected nothing" MC_READ("11.10 Injecting allocation failures"),
                         note, i, what, quoted(reports()));
    }
    size_t calls = mc_alloc_calls() - calls_before;
    mc_fail_none();
    if (!ok)
        return calls;
    char want[1024];
    model_leaks(&m, want, sizeof want);
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    check(strcmp(text, want) == 0,
          "with %s failing, the leak report after the run was\n%s\nexpected\n%s(a call that "
          "fails changes nothing; every block handed out is tracked)" MC_READ(
              "11.10 Injecting allocation failures"),
          note, quoted(text), quoted(want));
    for (size_t i = 0; i < m.live; i++)
        check(all_bytes(m.ptr[i], m.size[i], m.tag[i]),
              "with %s failing, a live block's bytes changed during the run" MC_READ(
                  "11.10 Injecting allocation failures"),
              note);
    check(dbg_check_all() == 0,
          "with %s failing, dbg_check_all() after the run reported '%s'" MC_READ(
              "11.10 Injecting allocation failures"),
          note, quoted(reports()));
    size_t held = m.nfreed < DBG_QUARANTINE_SLOTS ? m.nfreed : DBG_QUARANTINE_SLOTS;
    for (size_t k = m.nfreed - held; k < m.nfreed; k++)
        dbg_free(m.freed[k]);
    check(dbg_error_count(DBG_DOUBLE_FREE) == held && total_errors() == held,
          "with %s failing, freeing the %zu most recently freed blocks again gave %zu "
          "double-free(s) and %zu error(s) in all; expected %zu and %zu: the quarantine "
          "must hold them" MC_READ("11.10 Injecting allocation failures"),
          note, held, dbg_error_count(DBG_DOUBLE_FREE), total_errors(), held, held);
    return calls;
}

Test(hidden_failure, a_failure_anywhere_in_a_long_run_changes_nothing)
{
    MC_CLAUSE("6.1", "6.2", "7.1", "7.2", "7.3");
    size_t calls = long_run(0);
    reset_and_check();
    for (size_t n = 1; n <= calls && problems == 0; n++) {
        long_run(n);
        reset_and_check();
    }
    finish();
}

Test(hidden_failure, malloc_failure_changes_nothing_and_tracking_never_stops)
{
    MC_CLAUSE("6.1", "6.2");
    enum { CALLS = 70 }; /* a table of 64 entries must grow */
    static void *blocks[CALLS];
    size_t before = mc_alloc_calls();
    for (int i = 0; i < CALLS; i++)
        dbg_free(dbg_malloc(8));
    size_t total = mc_alloc_calls() - before + 2;
    dbg_reset();
    for (size_t n = 1; n <= total && problems == 0; n++) {
        mc_fail_nth_alloc(n);
        size_t nulls = 0;
        for (int i = 0; i < CALLS; i++) {
            blocks[i] = dbg_malloc(8);
            nulls += blocks[i] == NULL;
        }
        const char *note = mc_fail_note();
        int failed = mc_failed_allocs() != 0;
        mc_fail_none();
        check(nulls <= 1 && (nulls == 0 || failed),
              "with %s failing, %zu of %d dbg_malloc calls returned NULL, expected at most "
              "1" MC_READ("12.7 The live-allocation table"),
              note, nulls, CALLS);
        check(dbg_live_blocks() == CALLS - nulls,
              "with %s failing, dbg_live_blocks() is %zu, expected %zu" MC_READ(
                  "12.7 The live-allocation table"),
              note, dbg_live_blocks(), CALLS - nulls);
        check(dbg_current_bytes() == 8 * (CALLS - nulls),
              "with %s failing, dbg_current_bytes() is %zu, expected %zu" MC_READ(
                  "12.9 Current and peak usage"),
              note, dbg_current_bytes(), 8 * (CALLS - nulls));
        size_t leaked = 0;
        const char *text = leak_text(&leaked);
        char want[256];
        snprintf(want, sizeof want, "dbg: leak summary: %zu bytes in %zu block(s) from 1 site(s)\n",
                 8 * (CALLS - nulls), CALLS - nulls);
        check(strncmp(text, want, strlen(want)) == 0,
              "with %s failing, the leak report began '%s', expected '%s'" MC_READ(
                  "12.7 The live-allocation table"),
              note, quoted(text), want);
        for (int i = 0; i < CALLS; i++)
            dbg_free(blocks[i]);
        check(total_errors() == 0,
              "with %s failing, freeing the %zu blocks that succeeded gave %zu errors" MC_READ(
                  "12.7 The live-allocation table"),
              note, CALLS - nulls, total_errors());
        reset_and_check();
    }
    finish();
}

/* ---- 7, 8 counts and reports ---------------------------------------------------------- */

Test(hidden_reports, reports_go_to_standard_error_unless_a_stream_is_set)
{
    MC_CLAUSE("8.1", "10.2");
    char local = 0;
    FILE *sink = tmpfile();
    cr_assert_not_null(sink, "tmpfile failed: the test cannot capture standard error" MC_READ(
                                 "12.2 Recording the call site with macros"));
    fflush(stderr);
    int saved = dup(2);
    cr_assert(saved >= 0 && dup2(fileno(sink), 2) >= 0,
              "cannot redirect standard error for the test" MC_READ(
                  "12.2 Recording the call site with macros"));
    dbg_free_at(&local, "start.c", 1); /* at the start: standard error */
    capture_reports();
    dbg_free_at(&local, "stream.c", 2);
    dbg_set_report_stream(NULL);
    dbg_free_at(&local, "null.c", 3);
    dbg_set_report_stream(cap_stream);
    dbg_reset();
    dbg_free_at(&local, "reset.c", 4);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char err[1024] = "";
    rewind(sink);
    size_t n = fread(err, 1, sizeof err - 1, sink);
    err[n] = '\0';
    fclose(sink);
    char a[128], b[128], c[128], want[512];
    snprintf(want, sizeof want, "%s%s%s",
             line_of(a, sizeof a, "invalid-free", &local, "start.c", 1),
             line_of(b, sizeof b, "invalid-free", &local, "null.c", 3),
             line_of(c, sizeof c, "invalid-free", &local, "reset.c", 4));
    cr_assert_str_eq(err, want,
                     "standard error received\n%s\nexpected\n%s(reports go to standard error at "
                     "the start, after dbg_set_report_stream(NULL) and after dbg_reset())" MC_READ(
                         "12.2 Recording the call site with macros"),
                     quoted(err), quoted(want));
    line_of(want, sizeof want, "invalid-free", &local, "stream.c", 2);
    cr_assert_str_eq(
        reports(), want,
        "the stream set with dbg_set_report_stream received '%s', expected '%s'" MC_READ(
            "12.2 Recording the call site with macros"),
        quoted(reports()), quoted(want));
    fputs("still open\n", cap_stream); /* the stream is still the test's */
    finish();
}

Test(hidden_reports, every_kind_of_report_line_is_exact)
{
    MC_CLAUSE("8.2", "8.3", "8.4", "3.2");
    capture_reports();
    char l[5][256], want[1280];
    unsigned char *a = must_alloc(dbg_malloc_at(5, "a.c", 1), "dbg_malloc(5)");
    unsigned char *b = must_alloc(dbg_calloc_at(2, 3, "b.c", 2), "dbg_calloc(2, 3)");
    unsigned char *c = must_alloc(dbg_malloc_at(7, "c.c", 3), "dbg_malloc(7)");
    char local = 0;
    a[5] = 1;
    dbg_free_at(a, "fa.c", 10); /* overflow */
    dbg_free_at(a, "fa.c", 11); /* double-free */
    b[-3] = 1;
    dbg_check_all_at("ck.c", 12);    /* underflow */
    dbg_free_at(&local, "fl.c", 13); /* invalid-free */
    dbg_free_at(c, "fc.c", 14);
    c[6] = 0;
    dbg_check_all_at("ck.c", 15); /* use-after-free */
    snprintf(
        want, sizeof want, "%s%s%s%s%s",
        line_alloc(l[0], sizeof l[0], "overflow", a, "fa.c", 10, 5, "a.c", 1),
        line_freed(l[1], sizeof l[1], "double-free", a, "fa.c", 11, 5, "a.c", 1, "fa.c", 10),
        line_alloc(l[2], sizeof l[2], "underflow", b, "ck.c", 12, 6, "b.c", 2),
        line_of(l[3], sizeof l[3], "invalid-free", &local, "fl.c", 13),
        line_freed(l[4], sizeof l[4], "use-after-free", c, "ck.c", 15, 7, "c.c", 3, "fc.c", 14));
    cr_assert_str_eq(
        reports(), want,
        "the reports were\n%s\nexpected\n%s" MC_READ("12.2 Recording the call site with macros"),
        quoted(reports()), quoted(want));
    for (int k = 0; k < DBG_ERROR_KINDS; k++)
        cr_assert_eq(dbg_error_count((enum dbg_error)k), 1,
                     "dbg_error_count for '%s' is %zu after one such report, expected 1" MC_READ(
                         "12.2 Recording the call site with macros"),
                     kind_names[k], dbg_error_count((enum dbg_error)k));
    size_t mark = reported_length();
    void *d = must_alloc(dbg_malloc(9), "dbg_malloc(9)");
    d = must_alloc(dbg_realloc(d, 30), "dbg_realloc(d, 30)");
    dbg_check_all();
    size_t leaked = 0;
    leak_text(&leaked);
    dbg_free(d);
    dbg_free(NULL);
    cr_assert_eq(
        reported_length(), mark,
        "calls that found no error wrote '%s' to the report stream, expected nothing" MC_READ(
            "12.2 Recording the call site with macros"),
        quoted(reports_since(mark)));
    finish();
}

Test(hidden_reports, check_all_reports_live_blocks_oldest_first_then_the_quarantine)
{
    MC_CLAUSE("8.6", "8.7", "2.5");
    capture_reports();
    unsigned char *a = must_alloc(dbg_malloc_at(10, "a.c", 1), "dbg_malloc(10)");
    unsigned char *b = must_alloc(dbg_malloc_at(11, "b.c", 2), "dbg_malloc(11)");
    unsigned char *c = must_alloc(dbg_malloc_at(12, "c.c", 3), "dbg_malloc(12)");
    unsigned char *d = must_alloc(dbg_malloc_at(13, "d.c", 4), "dbg_malloc(13)");
    unsigned char *e = must_alloc(dbg_malloc_at(14, "e.c", 5), "dbg_malloc(14)");
    unsigned char *q1 = must_alloc(dbg_malloc_at(15, "q1.c", 6), "dbg_malloc(15)");
    unsigned char *q2 = must_alloc(dbg_malloc_at(16, "q2.c", 7), "dbg_malloc(16)");
    dbg_free_at(b, "fb.c", 8);
    dbg_free_at(q1, "fq.c", 9);
    dbg_free_at(q2, "fq.c", 10);
    unsigned char *a2 = must_alloc(dbg_realloc_at(a, 20, "ra.c", 11), "dbg_realloc(a, 20)");
    c[12] = 0;  /* overflow */
    d[-1] = 0;  /* underflow */
    d[13] = 0;  /* and overflow */
    e[-2] = 0;  /* underflow */
    a2[20] = 0; /* overflow of the newest live block */
    b[11] = 0;  /* quarantined, freed first */
    q2[0] = 0;  /* quarantined, freed third */
    a[9] = 0;   /* quarantined by the realloc, freed last */
    size_t found = dbg_check_all_at("chk.c", 99);
    char l[8][256], want[2048];
    snprintf(
        want, sizeof want, "%s%s%s%s%s%s%s%s",
        line_alloc(l[0], sizeof l[0], "overflow", c, "chk.c", 99, 12, "c.c", 3),
        line_alloc(l[1], sizeof l[1], "underflow", d, "chk.c", 99, 13, "d.c", 4),
        line_alloc(l[2], sizeof l[2], "overflow", d, "chk.c", 99, 13, "d.c", 4),
        line_alloc(l[3], sizeof l[3], "underflow", e, "chk.c", 99, 14, "e.c", 5),
        line_alloc(l[4], sizeof l[4], "overflow", a2, "chk.c", 99, 20, "ra.c", 11),
        line_freed(l[5], sizeof l[5], "use-after-free", b, "chk.c", 99, 11, "b.c", 2, "fb.c", 8),
        line_freed(l[6], sizeof l[6], "use-after-free", q2, "chk.c", 99, 16, "q2.c", 7, "fq.c", 10),
        line_freed(l[7], sizeof l[7], "use-after-free", a, "chk.c", 99, 10, "a.c", 1, "ra.c", 11));
    cr_assert_eq(
        found, 8,
        "dbg_check_all() returned %zu, expected 8" MC_READ("12.5 Poisoning and the quarantine"),
        found);
    cr_assert_str_eq(
        reports(), want,
        "dbg_check_all() reported\n%s\nexpected\n%s(live blocks oldest allocation "
        "first, then the quarantine oldest free first; underflow before overflow)" MC_READ(
            "12.5 Poisoning and the quarantine"),
        quoted(reports()), quoted(want));
    finish();
}

Test(hidden_reports, error_count_of_a_value_that_is_not_a_kind_is_zero)
{
    MC_CLAUSE("7.4");
    capture_reports();
    char local = 0;
    for (int i = 0; i < 3; i++)
        dbg_free(&local);
    unsigned char *p = must_alloc(dbg_malloc(4), "dbg_malloc(4)");
    p[4] = 0;
    p[-1] = 0;
    dbg_free(p);
    dbg_free(p);
    p[0] = 0;
    dbg_check_all();
    static const int others[] = {DBG_ERROR_KINDS, DBG_ERROR_KINDS + 1, 1000, -1};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        size_t got = dbg_error_count((enum dbg_error)others[i]);
        cr_assert_eq(got, 0,
                     "dbg_error_count(%d) returned %zu, expected 0: it is not a kind" MC_READ(
                         "12.2 Recording the call site with macros"),
                     others[i], got);
    }
    cr_assert_eq(dbg_error_count(DBG_INVALID_FREE), 3,
                 "dbg_error_count(DBG_INVALID_FREE) is %zu, expected 3" MC_READ(
                     "12.2 Recording the call site with macros"),
                 dbg_error_count(DBG_INVALID_FREE));
    finish();
}

/* ---- 9 the leak report ------------------------------------------------------------ */

Test(hidden_leaks, breaks_ties_and_survives_running_out_of_memory)
{
    MC_CLAUSE("9.4", "9.5", "9.6");
    capture_reports();
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    const char *empty = "dbg: leak summary: 0 bytes in 0 block(s) from 0 site(s)\n";
    cr_assert(
        leaked == 0 && strcmp(text, empty) == 0,
        "with nothing live the report was '%s', expected '%s'" MC_READ("12.8 The leak report"),
        quoted(text), empty);
    void *kept[] = {
        dbg_malloc_at(16, "tie.c", 2),   dbg_malloc_at(16, "tie.c", 1),
        dbg_malloc_at(8, "big.c", 5),    dbg_malloc_at(8, "big.c", 5),
        dbg_malloc_at(16, "alpha.c", 9), dbg_malloc_at(16, "Zeta.c", 9),
        dbg_malloc_at(16, "tie.c", 10),
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        cr_assert_not_null(kept[i], "dbg_malloc returned NULL" MC_READ("12.8 The leak report"));
    const char *want = "dbg: leak summary: 96 bytes in 7 block(s) from 6 site(s)\n"
                       "dbg: leak 16 bytes in 2 block(s) at big.c:5\n"
                       "dbg: leak 16 bytes in 1 block(s) at Zeta.c:9\n"
                       "dbg: leak 16 bytes in 1 block(s) at alpha.c:9\n"
                       "dbg: leak 16 bytes in 1 block(s) at tie.c:1\n"
                       "dbg: leak 16 bytes in 1 block(s) at tie.c:2\n"
                       "dbg: leak 16 bytes in 1 block(s) at tie.c:10\n";
    text = leak_text(&leaked);
    cr_assert(leaked == 7 && strcmp(text, want) == 0,
              "the report was\n%s\n(%zu blocks) expected\n%s(ties: more blocks first, then file "
              "name in strcmp order, then the smaller line)" MC_READ("12.8 The leak report"),
              quoted(text), leaked, quoted(want));
    struct observed before;
    observe(&before);
    struct mc_snapshot held = mc_snapshot();
    mc_fail_allocs_after(0);
    text = leak_text(&leaked);
    const char *note = mc_fail_note();
    mc_fail_none();
    const char *failed = "dbg: leak report failed: out of memory\n";
    cr_assert(leaked == 7 && (strcmp(text, failed) == 0 || strcmp(text, want) == 0),
              "with %s failing the report was '%s' (%zu blocks), expected '%s' or the "
              "full report, and 7" MC_READ("12.8 The leak report"),
              note, quoted(text), leaked, failed);
    mc_assert_no_leak_since(held, "dbg_leak_report()", "12.8 The leak report");
    expect_no_effect(&before, "dbg_leak_report()", "out of memory",
                     MC_READ("12.8 The leak report"));
    finish();
}

Test(hidden_leaks, groups_by_file_name_and_line_whatever_made_the_block)
{
    MC_CLAUSE("9.2", "9.3", "1.6");
    capture_reports();
    static const char name1[] = "same.c";
    static const char name2[] = "same.c"; /* another array, the same name */
    cr_assert((const void *)name1 != (const void *)name2,
              "the test needs two different arrays" MC_READ("12.8 The leak report"));
    void *kept[] = {
        dbg_malloc_at(10, name1, 5),       dbg_calloc_at(2, 3, name2, 5),
        dbg_realloc_at(NULL, 4, name1, 5), dbg_malloc_at(0, "z.c", 1),
        dbg_calloc_at(0, 9, "z.c", 1),     dbg_malloc_at(7, name2, 6),
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        cr_assert_not_null(kept[i], "an allocation returned NULL" MC_READ("12.8 The leak report"));
    void *moved = must_alloc(dbg_malloc_at(100, "elsewhere.c", 1), "dbg_malloc(100)");
    moved = must_alloc(dbg_realloc_at(moved, 3, name2, 5), "dbg_realloc(p, 3)");
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    const char *want = "dbg: leak summary: 30 bytes in 7 block(s) from 3 site(s)\n"
                       "dbg: leak 23 bytes in 4 block(s) at same.c:5\n"
                       "dbg: leak 7 bytes in 1 block(s) at same.c:6\n"
                       "dbg: leak 0 bytes in 2 block(s) at z.c:1\n";
    cr_assert(
        leaked == 7 && strcmp(text, want) == 0,
        "the report was\n%s\n(%zu blocks) expected\n%s(one site per file name and line, "
        "whichever call made the block; blocks of no bytes count)" MC_READ("12.8 The leak report"),
        quoted(text), leaked, quoted(want));
    finish();
}

Test(hidden_leaks, covers_live_blocks_only_and_changes_nothing)
{
    MC_CLAUSE("9.1");
    capture_reports();
    unsigned char *p = must_alloc(dbg_malloc_at(6, "live.c", 1), "dbg_malloc(6)");
    unsigned char *q = must_alloc(dbg_malloc_at(50, "gone.c", 2), "dbg_malloc(50)");
    dbg_free(q);
    p[6] = 0; /* damage the leak report must not look at */
    q[1] = 0;
    size_t leaked = 0;
    const char *text = leak_text(&leaked);
    const char *want = "dbg: leak summary: 6 bytes in 1 block(s) from 1 site(s)\n"
                       "dbg: leak 6 bytes in 1 block(s) at live.c:1\n";
    cr_assert(leaked == 1 && strcmp(text, want) == 0,
              "the report was\n%s\n(%zu blocks) expected\n%s(blocks in quarantine are not "
              "leaks)" MC_READ("12.8 The leak report"),
              quoted(text), leaked, quoted(want));
    cr_assert(total_errors() == 0 && reported_length() == 0,
              "the leak report reported '%s' on the report stream, expected nothing: it "
              "checks nothing" MC_READ("12.8 The leak report"),
              quoted(reports()));
    size_t found = dbg_check_all();
    cr_assert_eq(found, 2,
                 "dbg_check_all() after the leak report found %zu errors, expected 2: the leak "
                 "report must repair nothing" MC_READ("12.8 The leak report"),
                 found);
    finish();
}

/* ---- 10 dbg_reset ------------------------------------------------------------------- */

Test(hidden_reset, errors_leave_the_bookkeeping_exact)
{
    MC_CLAUSE("7.1", "7.2", "7.3", "10.2", "10.3");
    capture_reports();
    void *a = dbg_malloc_at(64, "keep.c", 1);
    char *b = dbg_malloc_at(32, "gone.c", 2);
    cr_assert(a != NULL && b != NULL,
              "dbg_malloc returned NULL" MC_READ("12.7 The live-allocation table"));
    b[32] = 0;
    dbg_free(b);
    dbg_free(b);
    dbg_free(b + 1);
    dbg_free(a);
    dbg_free(a);
    void *c = dbg_malloc_at(16, "keep.c", 3);
    cr_assert_not_null(
        c, "dbg_malloc after errors returned NULL" MC_READ("12.7 The live-allocation table"));
    cr_assert(dbg_error_count(DBG_OVERFLOW) == 1 && dbg_error_count(DBG_DOUBLE_FREE) == 2 &&
                  dbg_error_count(DBG_INVALID_FREE) == 1,
              "counted %zu overflow, %zu double-free, %zu invalid-free; expected 1, 2, 1" MC_READ(
                  "12.6 Looking a pointer up before touching it"),
              dbg_error_count(DBG_OVERFLOW), dbg_error_count(DBG_DOUBLE_FREE),
              dbg_error_count(DBG_INVALID_FREE));
    cr_assert(dbg_live_blocks() == 1 && dbg_current_bytes() == 16 && dbg_peak_bytes() == 96,
              "live %zu, current %zu, peak %zu; expected 1, 16, 96" MC_READ(
                  "12.9 Current and peak usage"),
              dbg_live_blocks(), dbg_current_bytes(), dbg_peak_bytes());
    dbg_reset();
    cr_assert(
        dbg_live_blocks() == 0 && dbg_current_bytes() == 0 && dbg_peak_bytes() == 0 &&
            total_errors() == 0,
        "after dbg_reset(): live %zu, current %zu, peak %zu, errors %zu; expected all 0" MC_READ(
            "12.7 The live-allocation table"),
        dbg_live_blocks(), dbg_current_bytes(), dbg_peak_bytes(), total_errors());
    dbg_set_report_stream(cap_stream);
    void *d = dbg_malloc(8);
    cr_assert_not_null(
        d, "dbg_malloc after dbg_reset() returned NULL" MC_READ("12.7 The live-allocation table"));
    dbg_free(d);
    finish();
}

Test(hidden_reset, releases_everything_and_forgets_old_pointers)
{
    MC_CLAUSE("10.1", "10.2", "10.3", "4.3");
    capture_reports();
    void *live[40];
    for (int i = 0; i < 40; i++)
        live[i] = must_alloc(dbg_malloc_at((size_t)i, "r.c", i), "dbg_malloc");
    for (int i = 0; i < 20; i++)
        dbg_free(live[i]);
    dbg_reset();
    cr_assert_eq(mc_live_blocks(), 0,
                 "after dbg_reset() with blocks live and in quarantine, %zu block(s) from "
                 "malloc were still held, expected 0" MC_READ("12.7 The live-allocation table"),
                 mc_live_blocks());
    dbg_set_report_stream(cap_stream);
    size_t mark = reported_length();
    dbg_free_at(live[30], "old.c", 1);
    dbg_free_at(live[10], "old.c", 2);
    char a[128], b[128], want[256];
    snprintf(want, sizeof want, "%s%s", line_of(a, sizeof a, "invalid-free", live[30], "old.c", 1),
             line_of(b, sizeof b, "invalid-free", live[10], "old.c", 2));
    cr_assert_str_eq(reports_since(mark), want,
                     "freeing pointers from before dbg_reset() reported\n%s\nexpected\n%s"
                     "(after a reset no block is live or in quarantine)" MC_READ(
                         "12.6 Looking a pointer up before touching it"),
                     quoted(reports_since(mark)), quoted(want));
    unsigned char *p = must_alloc(dbg_malloc_at(8, "new.c", 1), "dbg_malloc(8) after dbg_reset()");
    dbg_free(p);
    dbg_free(p);
    cr_assert(dbg_error_count(DBG_DOUBLE_FREE) == 1 && dbg_peak_bytes() == 8,
              "after dbg_reset() the allocator does not work as new: %zu double-free(s), peak "
              "%zu; expected 1 and 8" MC_READ("12.7 The live-allocation table"),
              dbg_error_count(DBG_DOUBLE_FREE), dbg_peak_bytes());
    finish();
}
