/*
 * Hidden tests for the debug allocator: realloc, failure paths, every guard
 * offset, the checker's coverage, ties in the leak report, and recovery
 * after errors. Writes past a block or through a freed pointer are on
 * purpose: they land in memory the debug allocator owns.
 */
#include "mc_test.h"
#include "dbgalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MC_SUITE(hidden_realloc);
MC_SUITE(hidden_failure);
MC_SUITE(hidden_checks);
MC_SUITE(hidden_report);

/* Text fit for a failure message: a captured report quoted inside a message
 * reads more clearly with its quotes and backslashes shown as apostrophes. */
static const char *shown(const char *text)
{
    static char buf[2048];
    size_t n = 0;
    for (; text != NULL && text[n] != '\0' && n + 1 < sizeof buf; n++)
        buf[n] = text[n] == '"' || text[n] == '\\' ? '\'' : text[n];
    buf[n] = '\0';
    return buf;
}

static FILE *quiet;

/* Sends error reports to a scratch stream: these tests count, not read. */
static void silence_reports(void)
{
    if (quiet != NULL)
        fclose(quiet);
    quiet = tmpfile();
    cr_assert_not_null(quiet, "tmpfile failed: the test cannot capture reports" MC_READ(
                                  "12.2 Recording the call site with macros"));
    dbg_set_report_stream(quiet);
}

static size_t total_errors(void)
{
    size_t sum = 0;
    for (int k = 0; k < DBG_ERROR_KINDS; k++)
        sum += dbg_error_count((enum dbg_error)k);
    return sum;
}

static void finish(void)
{
    dbg_reset();
    if (quiet != NULL)
        fclose(quiet);
    quiet = NULL;
    cr_assert_eq(mc_live_blocks(), 0,
                 "after dbg_reset() %zu block(s) from malloc were still live, expected 0" MC_READ(
                     "12.7 The live-allocation table"),
                 mc_live_blocks());
}

/* The leak report as a string the caller frees. */
static char *leak_report_text(size_t *leaked)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out, "open_memstream failed: the test cannot capture the report" MC_READ(
                                "12.8 The leak report"));
    *leaked = dbg_leak_report(out);
    fclose(out);
    return text;
}

Test(hidden_realloc, moves_the_block_keeps_the_bytes_and_takes_the_new_site)
{
    silence_reports();
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
    char *text = leak_report_text(&leaked);
    cr_assert(
        leaked == 1 && text != NULL &&
            strstr(text, "dbg: leak 20 bytes in 1 block(s) at second.c:2\n") != NULL,
        "after dbg_realloc at second.c:2 the leak report was '%s' (%zu block(s)), "
        "expected 'dbg: leak 20 bytes in 1 block(s) at second.c:2'" MC_READ("12.8 The leak report"),
        shown(text), leaked);
    free(text);
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
    silence_reports();
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

Test(hidden_realloc, handles_null_zero_and_pointers_it_does_not_own)
{
    silence_reports();
    char *p = dbg_realloc_at(NULL, 12, "null.c", 7);
    cr_assert_not_null(p, "dbg_realloc(NULL, 12) returned NULL, expected a new block" MC_READ(
                              "12.3 The block header and its magic number"));
    size_t leaked = 0;
    char *text = leak_report_text(&leaked);
    cr_assert(text != NULL && strstr(text, "dbg: leak 12 bytes in 1 block(s) at null.c:7\n"),
              "after dbg_realloc(NULL, 12) at null.c:7 the report was '%s'" MC_READ(
                  "12.8 The leak report"),
              shown(text));
    free(text);
    char local = 0;
    cr_assert_null(dbg_realloc(&local, 8),
                   "dbg_realloc of a stack address must return NULL" MC_READ(
                       "12.6 Looking a pointer up before touching it"));
    cr_assert_null(dbg_realloc(p + 4, 8),
                   "dbg_realloc of an interior pointer must return NULL" MC_READ(
                       "12.6 Looking a pointer up before touching it"));
    cr_assert_eq(
        dbg_error_count(DBG_INVALID_FREE), 2,
        "%zu invalid-free report(s) for 2 reallocs of foreign pointers, expected 2" MC_READ(
            "12.6 Looking a pointer up before touching it"),
        dbg_error_count(DBG_INVALID_FREE));
    cr_assert_null(dbg_realloc(p, 0), "dbg_realloc(p, 0) must free p and return NULL" MC_READ(
                                          "12.3 The block header and its magic number"));
    cr_assert(dbg_live_blocks() == 0 && dbg_current_bytes() == 0,
              "after dbg_realloc(p, 0): %zu live, %zu bytes; expected 0 and 0" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_current_bytes());
    cr_assert_null(dbg_realloc(p, 8), "dbg_realloc of a freed pointer must return NULL" MC_READ(
                                          "12.6 Looking a pointer up before touching it"));
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 1,
                 "%zu double-free report(s) for a realloc of a freed block, expected 1" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 dbg_error_count(DBG_DOUBLE_FREE));
    unsigned char *z1 = dbg_malloc(0);
    unsigned char *z2 = dbg_malloc(0);
    cr_assert(z1 != NULL && z2 != NULL && z1 != z2,
              "two dbg_malloc(0) gave %p and %p, expected two distinct blocks" MC_READ(
                  "12.3 The block header and its magic number"),
              (void *)z1, (void *)z2);
    z1[0] = 1; /* a zero-byte block has no byte 0 */
    dbg_free(z1);
    dbg_free(z2);
    cr_assert_eq(dbg_error_count(DBG_OVERFLOW), 1,
                 "writing byte 0 of a zero-byte block gave %zu overflow(s), expected 1" MC_READ(
                     "12.4 Guard bytes"),
                 dbg_error_count(DBG_OVERFLOW));
    finish();
}

Test(hidden_failure, realloc_failure_leaves_the_old_block_live_and_intact)
{
    silence_reports();
    unsigned char *p = dbg_malloc(16);
    cr_assert_not_null(p, "dbg_malloc(16) returned NULL" MC_READ("12.7 The live-allocation table"));
    memset(p, 'k', 16);
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    void *q = dbg_realloc(p, 1000);
    mc_fail_none();
    cr_assert_null(q,
                   "dbg_realloc returned %p while every malloc failed, expected NULL" MC_READ(
                       "12.7 The live-allocation table"),
                   q);
    mc_assert_no_leak_since(before, "a failed dbg_realloc()", "12.7 The live-allocation table");
    cr_assert(dbg_live_blocks() == 1 && dbg_current_bytes() == 16,
              "after a failed realloc: %zu live, %zu bytes; expected 1 and 16" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_current_bytes());
    for (int i = 0; i < 16; i++)
        cr_assert_eq(p[i], 'k',
                     "byte %d of the old block changed after a failed realloc" MC_READ(
                         "12.7 The live-allocation table"),
                     i);
    cr_assert_eq(
        dbg_check_all(), 0,
        "the old block's guards were damaged by a failed realloc" MC_READ("12.4 Guard bytes"));
    dbg_free(p);
    cr_assert_eq(total_errors(), 0,
                 "%zu errors, expected none" MC_READ("12.7 The live-allocation table"),
                 total_errors());
    finish();
}

Test(hidden_failure, malloc_failure_changes_nothing_and_tracking_never_stops)
{
    enum { CALLS = 150 };
    static void *blocks[CALLS];
    for (size_t n = 1; n <= 40; n++) {
        mc_fail_nth_alloc(n);
        size_t nulls = 0;
        for (int i = 0; i < CALLS; i++) {
            blocks[i] = dbg_malloc(8);
            nulls += blocks[i] == NULL;
        }
        mc_fail_none();
        cr_assert_eq(nulls, 1,
                     "with allocation %zu failing, %zu of %d dbg_malloc calls "
                     "returned NULL, expected exactly 1" MC_READ("12.7 The live-allocation table"),
                     n, nulls, CALLS);
        cr_assert_eq(dbg_live_blocks(), CALLS - nulls,
                     "with allocation %zu failing, dbg_live_blocks() is %zu, expected %zu" MC_READ(
                         "12.7 The live-allocation table"),
                     n, dbg_live_blocks(), CALLS - nulls);
        cr_assert_eq(
            dbg_current_bytes(), 8 * (CALLS - nulls),
            "with allocation %zu failing, dbg_current_bytes() is %zu, expected %zu" MC_READ(
                "12.9 Current and peak usage"),
            n, dbg_current_bytes(), 8 * (CALLS - nulls));
        for (int i = 0; i < CALLS; i++)
            dbg_free(blocks[i]);
        cr_assert_eq(total_errors(), 0,
                     "freeing the %zu blocks that succeeded gave %zu errors" MC_READ(
                         "12.7 The live-allocation table"),
                     CALLS - nulls, total_errors());
        dbg_reset();
        cr_assert_eq(mc_live_blocks(), 0,
                     "with allocation %zu failing, %zu malloc block(s) "
                     "outlived dbg_reset()" MC_READ("12.7 The live-allocation table"),
                     n, mc_live_blocks());
    }
    finish();
}

Test(hidden_checks, an_off_by_one_is_caught_on_either_side_for_every_size)
{
    silence_reports();
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

Test(hidden_checks, check_all_covers_every_live_and_quarantined_block)
{
    silence_reports();
    enum { LIVE = 10, FREED = 5 };
    unsigned char *live[LIVE];
    unsigned char *freed[FREED];
    for (int i = 0; i < LIVE; i++)
        live[i] = dbg_malloc((size_t)(10 + i));
    for (int i = 0; i < FREED; i++)
        freed[i] = dbg_malloc((size_t)(20 + i));
    for (int i = 0; i < LIVE; i++)
        cr_assert_not_null(live[i], "dbg_malloc returned NULL" MC_READ("12.4 Guard bytes"));
    for (int i = 0; i < FREED; i++) {
        cr_assert_not_null(freed[i], "dbg_malloc returned NULL" MC_READ("12.4 Guard bytes"));
        dbg_free(freed[i]);
    }
    live[3][13] = 0;  /* overflow */
    live[7][-3] = 0;  /* underflow */
    freed[1][10] = 0; /* use after free, in the middle */
    freed[4][23] = 0; /* use after free, the last byte */
    size_t found = dbg_check_all();
    cr_assert_eq(
        found, 4,
        "dbg_check_all() found %zu errors, expected 4 (an overflow, an "
        "underflow and two writes to freed blocks)" MC_READ("12.5 Poisoning and the quarantine"),
        found);
    cr_assert(dbg_error_count(DBG_OVERFLOW) == 1 && dbg_error_count(DBG_UNDERFLOW) == 1 &&
                  dbg_error_count(DBG_USE_AFTER_FREE) == 2,
              "counted %zu overflow, %zu underflow, %zu use-after-free; expected 1, 1, 2" MC_READ(
                  "12.5 Poisoning and the quarantine"),
              dbg_error_count(DBG_OVERFLOW), dbg_error_count(DBG_UNDERFLOW),
              dbg_error_count(DBG_USE_AFTER_FREE));
    cr_assert_eq(dbg_check_all(), 0,
                 "a second dbg_check_all() found errors again" MC_READ("12.4 Guard bytes"));
    for (int i = 0; i < LIVE; i++)
        dbg_free(live[i]);
    cr_assert_eq(
        total_errors(), 4,
        "freeing the repaired blocks added reports: %zu in all" MC_READ("12.4 Guard bytes"),
        total_errors());
    finish();
}

Test(hidden_checks, errors_leave_the_bookkeeping_exact)
{
    silence_reports();
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
    cr_assert(dbg_live_blocks() == 0 && dbg_peak_bytes() == 0 && total_errors() == 0,
              "after dbg_reset(): live %zu, peak %zu, errors %zu; expected all 0" MC_READ(
                  "12.7 The live-allocation table"),
              dbg_live_blocks(), dbg_peak_bytes(), total_errors());
    silence_reports();
    void *d = dbg_malloc(8);
    cr_assert_not_null(
        d, "dbg_malloc after dbg_reset() returned NULL" MC_READ("12.7 The live-allocation table"));
    dbg_free(d);
    finish();
}

Test(hidden_report, breaks_ties_and_survives_running_out_of_memory)
{
    size_t leaked = 0;
    char *text = leak_report_text(&leaked);
    const char *empty = "dbg: leak summary: 0 bytes in 0 block(s) from 0 site(s)\n";
    cr_assert(
        leaked == 0 && text != NULL && strcmp(text, empty) == 0,
        "with nothing live the report was '%s', expected '%s'" MC_READ("12.8 The leak report"),
        shown(text), empty);
    free(text);
    void *kept[] = {
        dbg_malloc_at(16, "tie.c", 2),   dbg_malloc_at(16, "tie.c", 1),
        dbg_malloc_at(8, "big.c", 5),    dbg_malloc_at(8, "big.c", 5),
        dbg_malloc_at(16, "alpha.c", 9),
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        cr_assert_not_null(kept[i], "dbg_malloc returned NULL" MC_READ("12.8 The leak report"));
    const char *want = "dbg: leak summary: 64 bytes in 5 block(s) from 4 site(s)\n"
                       "dbg: leak 16 bytes in 2 block(s) at big.c:5\n"
                       "dbg: leak 16 bytes in 1 block(s) at alpha.c:9\n"
                       "dbg: leak 16 bytes in 1 block(s) at tie.c:1\n"
                       "dbg: leak 16 bytes in 1 block(s) at tie.c:2\n";
    text = leak_report_text(&leaked);
    cr_assert(leaked == 5 && text != NULL && strcmp(text, want) == 0,
              "the report was\n%s\n(%zu blocks) expected\n%s(ties: more blocks first, then file "
              "name, then line)" MC_READ("12.8 The leak report"),
              shown(text), leaked, want);
    free(text);
    struct mc_snapshot before = mc_snapshot();
    mc_fail_allocs_after(0);
    text = leak_report_text(&leaked);
    mc_fail_none();
    const char *failed = "dbg: leak report failed: out of memory\n";
    cr_assert(leaked == 5 && text != NULL && (strcmp(text, failed) == 0 || strcmp(text, want) == 0),
              "with malloc failing the report was '%s' (%zu blocks), expected '%s' or the "
              "full report, and 5" MC_READ("12.8 The leak report"),
              shown(text), leaked, failed);
    free(text);
    mc_assert_no_leak_since(before, "dbg_leak_report()", "12.8 The leak report");
    finish();
}
