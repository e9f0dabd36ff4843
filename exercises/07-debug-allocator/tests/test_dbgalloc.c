/*
 * Public tests for the debug allocator. Some tests write past the end of a
 * block or through a freed pointer on purpose: the debug allocator owns the
 * memory around and behind every block, so these writes land in its guard
 * bytes and quarantine, which is exactly what it must detect.
 */
#include "mc_test.h"
#include "dbgalloc.h"
#include "dbgalloc_helpers.h"

#include <fcntl.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

MC_SUITE(basics);
MC_SUITE(guards);
MC_SUITE(frees);
MC_SUITE(quarantine);
MC_SUITE(leaks);

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

/* Collects what the allocator reports, in memory. */
struct capture {
    FILE *stream;
    char *text;
    size_t len;
};

static void capture_start(struct capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->stream = open_memstream(&c->text, &c->len);
    cr_assert_not_null(c->stream, "open_memstream failed: the test cannot capture reports" MC_READ(
                                      "12.2 Recording the call site with macros"));
    dbg_set_report_stream(c->stream);
}

static const char *capture_text(struct capture *c)
{
    fflush(c->stream);
    return c->text != NULL ? c->text : "";
}

static void capture_end(struct capture *c)
{
    dbg_set_report_stream(NULL);
    fclose(c->stream);
    free(c->text);
}

/* Ends a test: releasing everything must leave nothing behind. */
static void reset_and_expect_nothing_left(void)
{
    dbg_reset();
    cr_assert_eq(mc_live_blocks(), 0,
                 "after dbg_reset() %zu block(s) from malloc were still live, expected 0" MC_READ(
                     "12.7 The live-allocation table"),
                 mc_live_blocks());
}

Test(basics, hands_out_distinct_aligned_blocks_filled_with_the_fresh_byte)
{
    MC_CLAUSE("1.1", "1.2", "1.3", "3.2", "7.1", "7.2");
    static const size_t sizes[] = {0, 1, 7, 16, 33, 100, 4096};
    enum { N = sizeof sizes / sizeof sizes[0] };
    unsigned char *blocks[N];
    size_t total = 0;
    for (size_t i = 0; i < N; i++) {
        blocks[i] = dbg_malloc(sizes[i]);
        cr_assert_not_null(blocks[i],
                           "dbg_malloc(%zu) returned NULL, expected a block" MC_READ(
                               "12.3 The block header and its magic number"),
                           sizes[i]);
        cr_assert_eq((uintptr_t)blocks[i] % alignof(max_align_t), 0,
                     "dbg_malloc(%zu) returned %p, not aligned to %zu bytes" MC_READ(
                         "12.3 The block header and its magic number"),
                     sizes[i], (void *)blocks[i], alignof(max_align_t));
        for (size_t j = 0; j < sizes[i]; j++)
            cr_assert_eq(blocks[i][j], DBG_FRESH_BYTE,
                         "byte %zu of a fresh %zu-byte block is 0x%02x, expected 0x%02x" MC_READ(
                             "12.5 Poisoning and the quarantine"),
                         j, sizes[i], blocks[i][j], DBG_FRESH_BYTE);
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(blocks[i], blocks[j],
                          "dbg_malloc returned %p twice" MC_READ(
                              "12.3 The block header and its magic number"),
                          (void *)blocks[i]);
        memset(blocks[i], 'x', sizes[i]);
        total += sizes[i];
    }
    cr_assert_eq(
        dbg_live_blocks(), N,
        "dbg_live_blocks() is %zu after %d allocations" MC_READ("12.7 The live-allocation table"),
        dbg_live_blocks(), (int)N);
    cr_assert_eq(dbg_current_bytes(), total,
                 "dbg_current_bytes() is %zu, expected %zu" MC_READ("12.9 Current and peak usage"),
                 dbg_current_bytes(), total);
    for (size_t i = 0; i < N; i++)
        dbg_free(blocks[i]);
    cr_assert_eq(total_errors(), 0,
                 "using blocks correctly produced %zu error report(s)" MC_READ("12.4 Guard bytes"),
                 total_errors());
    cr_assert_eq(dbg_live_blocks(), 0,
                 "dbg_live_blocks() is %zu after freeing everything" MC_READ(
                     "12.7 The live-allocation table"),
                 dbg_live_blocks());
    reset_and_expect_nothing_left();
}

Test(basics, calloc_zeroes_and_rejects_an_overflowing_product)
{
    MC_CLAUSE("1.4", "1.5");
    unsigned char *p = dbg_calloc(10, 8);
    cr_assert_not_null(
        p, "dbg_calloc(10, 8) returned NULL" MC_READ("12.3 The block header and its magic number"));
    for (size_t i = 0; i < 80; i++)
        cr_assert_eq(p[i], 0,
                     "byte %zu of dbg_calloc(10, 8) is 0x%02x, expected 0" MC_READ(
                         "12.3 The block header and its magic number"),
                     i, p[i]);
    static const size_t counts[][2] = {
        {SIZE_MAX, 2}, {2, SIZE_MAX}, {SIZE_MAX / 2 + 1, 2}, {(SIZE_MAX >> 4) + 1, 16}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        void *q = dbg_calloc(counts[i][0], counts[i][1]);
        cr_assert_null(
            q,
            "dbg_calloc(%zu, %zu) overflows size_t but returned %p, expected NULL" MC_READ(
                "12.3 The block header and its magic number"),
            counts[i][0], counts[i][1], q);
    }
    cr_assert_eq(dbg_live_blocks(), 1,
                 "dbg_live_blocks() is %zu, expected 1" MC_READ("12.7 The live-allocation table"),
                 dbg_live_blocks());
    dbg_free(p);
    reset_and_expect_nothing_left();
}

Test(basics, counts_current_and_peak_bytes)
{
    MC_CLAUSE("7.2", "7.3", "5.3");
    void *a = dbg_malloc(100);
    void *b = dbg_malloc(50);
    cr_assert(a != NULL && b != NULL,
              "dbg_malloc returned NULL" MC_READ("12.3 The block header and its magic number"));
    cr_assert_eq(dbg_current_bytes(), 150,
                 "current is %zu after mallocs of 100 and 50, expected 150" MC_READ(
                     "12.9 Current and peak usage"),
                 dbg_current_bytes());
    dbg_free(a);
    cr_assert_eq(dbg_current_bytes(), 50,
                 "current is %zu after freeing 100 of 150, expected 50" MC_READ(
                     "12.9 Current and peak usage"),
                 dbg_current_bytes());
    cr_assert_eq(
        dbg_peak_bytes(), 150,
        "peak is %zu, expected 150 (it never goes down)" MC_READ("12.9 Current and peak usage"),
        dbg_peak_bytes());
    b = dbg_realloc(b, 400);
    cr_assert_not_null(b, "dbg_realloc(b, 400) returned NULL" MC_READ(
                              "12.3 The block header and its magic number"));
    cr_assert_eq(dbg_current_bytes(), 400,
                 "current is %zu after growing 50 to 400, expected 400" MC_READ(
                     "12.9 Current and peak usage"),
                 dbg_current_bytes());
    cr_assert_eq(
        dbg_peak_bytes(), 400,
        "peak is %zu after growing 50 to 400, expected 400" MC_READ("12.9 Current and peak usage"),
        dbg_peak_bytes());
    b = dbg_realloc(b, 10);
    cr_assert_not_null(b, "dbg_realloc(b, 10) returned NULL" MC_READ(
                              "12.3 The block header and its magic number"));
    cr_assert_eq(
        dbg_current_bytes(), 10,
        "current is %zu after shrinking to 10, expected 10" MC_READ("12.9 Current and peak usage"),
        dbg_current_bytes());
    cr_assert_eq(dbg_peak_bytes(), 400,
                 "peak is %zu after shrinking, expected 400" MC_READ("12.9 Current and peak usage"),
                 dbg_peak_bytes());
    dbg_free(b);
    cr_assert_eq(dbg_current_bytes(), 0,
                 "current is %zu after freeing everything, expected 0" MC_READ(
                     "12.9 Current and peak usage"),
                 dbg_current_bytes());
    reset_and_expect_nothing_left();
}

Test(guards, reports_an_overflow_at_free_with_the_allocation_site)
{
    MC_CLAUSE("2.3", "2.4", "2.7", "1.6", "8.2", "8.4");
    struct capture cap;
    capture_start(&cap);
    const int alloc_line = __LINE__ + 1;
    unsigned char *p = dbg_malloc(16);
    cr_assert_not_null(p, "dbg_malloc(16) returned NULL" MC_READ("12.4 Guard bytes"));
    p[16] = 'x'; /* one byte too far */
    dbg_free(p);
    cr_assert_eq(dbg_error_count(DBG_OVERFLOW), 1,
                 "writing p[16] in a 16-byte block and freeing it gave %zu overflow report(s), "
                 "expected 1" MC_READ("12.4 Guard bytes"),
                 dbg_error_count(DBG_OVERFLOW));
    cr_assert_eq(total_errors(), 1,
                 "expected only the overflow, got %zu reports in all" MC_READ("12.4 Guard bytes"),
                 total_errors());
    char want[512];
    snprintf(want, sizeof want, "(16 bytes allocated at %s:%d)\n", __FILE__, alloc_line);
    const char *text = capture_text(&cap);
    cr_assert(strncmp(text, "dbg: overflow of ", 17) == 0 && strstr(text, want) != NULL,
              "the report was '%s', expected 'dbg: overflow of <ptr> at <file>:<line> %s'" MC_READ(
                  "12.2 Recording the call site with macros"),
              shown(text), want);
    cr_assert_eq(dbg_live_blocks(), 0,
                 "the damaged block was not freed: %zu live" MC_READ("12.4 Guard bytes"),
                 dbg_live_blocks());
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(guards, reports_an_overflow_at_check_all_while_the_block_is_live)
{
    MC_CLAUSE("2.3", "2.4", "2.6", "8.7");
    struct capture cap;
    capture_start(&cap);
    static const size_t offsets[] = {24, 25, 24 + DBG_GUARD_SIZE - 1};
    unsigned char *p = dbg_malloc(24);
    cr_assert_not_null(p, "dbg_malloc(24) returned NULL" MC_READ("12.4 Guard bytes"));
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        p[offsets[i]] = 0;
        size_t found = dbg_check_all();
        cr_assert_eq(found, 1,
                     "after writing p[%zu] of a live 24-byte block, dbg_check_all() "
                     "returned %zu, expected 1" MC_READ("12.4 Guard bytes"),
                     offsets[i], found);
        cr_assert_eq(dbg_error_count(DBG_OVERFLOW), i + 1,
                     "%zu overflow(s) counted, expected %zu" MC_READ("12.4 Guard bytes"),
                     dbg_error_count(DBG_OVERFLOW), i + 1);
        found = dbg_check_all();
        cr_assert_eq(found, 0,
                     "a second dbg_check_all() found %zu errors, expected 0: the "
                     "guard must be restored after a report" MC_READ("12.4 Guard bytes"),
                     found);
    }
    memset(p, 'y', 24);
    dbg_free(p);
    cr_assert_eq(total_errors(), 3,
                 "%zu errors in all, expected the 3 overflows" MC_READ("12.4 Guard bytes"),
                 total_errors());
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(guards, reports_an_underflow_into_the_header)
{
    MC_CLAUSE("2.3", "2.4");
    struct capture cap;
    capture_start(&cap);
    static const int offsets[] = {-1, -2, -DBG_GUARD_SIZE};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        unsigned char *p = dbg_malloc(32);
        cr_assert_not_null(p, "dbg_malloc(32) returned NULL" MC_READ("12.4 Guard bytes"));
        p[offsets[i]] = 0;
        dbg_free(p);
        cr_assert_eq(dbg_error_count(DBG_UNDERFLOW), i + 1,
                     "after writing p[%d] and freeing p, %zu underflow(s) were counted, "
                     "expected %zu" MC_READ("12.4 Guard bytes"),
                     offsets[i], dbg_error_count(DBG_UNDERFLOW), i + 1);
    }
    cr_assert_eq(total_errors(), 3,
                 "%zu errors in all, expected the 3 underflows" MC_READ("12.4 Guard bytes"),
                 total_errors());
    cr_assert(strstr(capture_text(&cap), "dbg: underflow of ") != NULL,
              "no line 'dbg: underflow of ...' in the report '%s'" MC_READ("12.4 Guard bytes"),
              shown(capture_text(&cap)));
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(guards, reports_both_sides_of_each_block_oldest_block_first)
{
    MC_CLAUSE("2.5", "8.6", "8.7");
    struct capture cap;
    capture_start(&cap);
    unsigned char *old = dbg_malloc_at(8, "old.c", 1);
    unsigned char *gone = dbg_malloc_at(8, "gone.c", 2);
    unsigned char *young = dbg_malloc_at(8, "young.c", 3);
    cr_assert(old != NULL && gone != NULL && young != NULL,
              "dbg_malloc returned NULL" MC_READ("12.4 Guard bytes"));
    dbg_free_at(gone, "gone.c", 4);
    young[8] = 0; /* overflow */
    old[8] = 0;   /* overflow */
    old[-1] = 0;  /* and underflow */
    gone[0] = 0;  /* use after free */
    size_t found = dbg_check_all_at("check.c", 5);
    char want[1024];
    snprintf(want, sizeof want,
             "dbg: underflow of %p at check.c:5 (8 bytes allocated at old.c:1)\n"
             "dbg: overflow of %p at check.c:5 (8 bytes allocated at old.c:1)\n"
             "dbg: overflow of %p at check.c:5 (8 bytes allocated at young.c:3)\n"
             "dbg: use-after-free of %p at check.c:5 (8 bytes allocated at gone.c:2, freed at "
             "gone.c:4)\n",
             (void *)old, (void *)old, (void *)young, (void *)gone);
    cr_assert_eq(found, 4,
                 "dbg_check_all() returned %zu, expected 4: a block damaged on both sides is two "
                 "errors" MC_READ("12.4 Guard bytes"),
                 found);
    cr_assert_str_eq(
        capture_text(&cap), want,
        "dbg_check_all() reported\n%s\nexpected\n%s(live blocks oldest first, the "
        "underflow before the overflow, then the quarantine)" MC_READ("12.4 Guard bytes"),
        shown(capture_text(&cap)), shown(want));
    dbg_free(old);
    dbg_free(young);
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(frees, reports_a_double_free_and_keeps_working)
{
    MC_CLAUSE("4.2", "8.4");
    struct capture cap;
    capture_start(&cap);
    void *p = dbg_malloc(32);
    cr_assert_not_null(
        p, "dbg_malloc(32) returned NULL" MC_READ("12.6 Looking a pointer up before touching it"));
    const int free_line = __LINE__ + 1;
    dbg_free(p);
    dbg_free(p);
    cr_assert_eq(dbg_error_count(DBG_DOUBLE_FREE), 1,
                 "freeing p twice gave %zu double-free "
                 "report(s), expected 1" MC_READ("12.6 Looking a pointer up before touching it"),
                 dbg_error_count(DBG_DOUBLE_FREE));
    cr_assert_eq(total_errors(), 1,
                 "%zu errors in all, expected only the double free" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 total_errors());
    char want[512];
    snprintf(want, sizeof want, ", freed at %s:%d)\n", __FILE__, free_line);
    const char *text = capture_text(&cap);
    cr_assert(strncmp(text, "dbg: double-free of ", 20) == 0 && strstr(text, want) != NULL,
              "the report was '%s', expected 'dbg: double-free of ...%s'" MC_READ(
                  "12.6 Looking a pointer up before touching it"),
              shown(text), want);
    void *q = dbg_malloc(32);
    cr_assert_not_null(q, "dbg_malloc after a double free returned NULL" MC_READ(
                              "12.6 Looking a pointer up before touching it"));
    dbg_free(q);
    cr_assert(
        dbg_live_blocks() == 0 && dbg_current_bytes() == 0,
        "after the double free the counts are %zu blocks, %zu bytes; expected 0 and 0" MC_READ(
            "12.6 Looking a pointer up before touching it"),
        dbg_live_blocks(), dbg_current_bytes());
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(frees, reports_frees_of_pointers_never_handed_out)
{
    MC_CLAUSE("3.1", "4.1", "4.3");
    struct capture cap;
    capture_start(&cap);
    static char in_data[64];
    char on_stack[64];
    int fd = open("/dev/zero", O_RDONLY);
    cr_assert(fd >= 0, "cannot open /dev/zero for the test" MC_READ(
                           "12.6 Looking a pointer up before touching it"));
    char *no_access = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE, fd, 0);
    close(fd);
    cr_assert(no_access != MAP_FAILED, "cannot map a page for the test" MC_READ(
                                           "12.6 Looking a pointer up before touching it"));
    char *p = dbg_malloc(64);
    cr_assert_not_null(
        p, "dbg_malloc(64) returned NULL" MC_READ("12.6 Looking a pointer up before touching it"));
    void *bad[] = {on_stack, in_data, p + 1, p + 16, p - 8, no_access + 2048};
    const char *what[] = {"a stack address",           "a static array",
                          "p + 1 (interior pointer)",  "p + 16 (interior pointer)",
                          "p - 8 (inside the header)", "an address nobody may read"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dbg_free(bad[i]);
        cr_assert_eq(dbg_error_count(DBG_INVALID_FREE), i + 1,
                     "dbg_free(%s) gave %zu invalid-free report(s) so far, expected %zu" MC_READ(
                         "12.6 Looking a pointer up before touching it"),
                     what[i], dbg_error_count(DBG_INVALID_FREE), i + 1);
    }
    dbg_free(NULL);
    cr_assert_eq(
        total_errors(), 6,
        "%zu errors in all, expected the 6 invalid frees (and "
        "nothing for dbg_free(NULL))" MC_READ("12.6 Looking a pointer up before touching it"),
        total_errors());
    cr_assert_eq(dbg_live_blocks(), 1,
                 "%zu live blocks, expected p to be still live" MC_READ(
                     "12.6 Looking a pointer up before touching it"),
                 dbg_live_blocks());
    cr_assert(strncmp(capture_text(&cap), "dbg: invalid-free of ", 21) == 0,
              "the report was '%s', expected lines 'dbg: invalid-free of ...'" MC_READ(
                  "12.6 Looking a pointer up before touching it"),
              shown(capture_text(&cap)));
    dbg_free(p);
    cr_assert_eq(total_errors(), 6,
                 "freeing p after the invalid frees gave a new report" MC_READ(
                     "12.6 Looking a pointer up before touching it"));
    munmap(no_access, 4096);
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(quarantine, catches_a_write_after_free_at_check_all)
{
    MC_CLAUSE("3.2", "3.4");
    struct capture cap;
    capture_start(&cap);
    unsigned char *p = dbg_malloc(40);
    cr_assert_not_null(p,
                       "dbg_malloc(40) returned NULL" MC_READ("12.5 Poisoning and the quarantine"));
    dbg_free(p);
    for (size_t i = 0; i < 40; i++)
        cr_assert_eq(p[i], DBG_FREED_BYTE,
                     "byte %zu of a freed block is 0x%02x, expected the "
                     "poison 0x%02x" MC_READ("12.5 Poisoning and the quarantine"),
                     i, p[i], DBG_FREED_BYTE);
    p[3] = 'x'; /* a use after free: the block waits in quarantine */
    size_t found = dbg_check_all();
    cr_assert_eq(found, 1,
                 "dbg_check_all() after a write to a freed block returned %zu, "
                 "expected 1" MC_READ("12.5 Poisoning and the quarantine"),
                 found);
    cr_assert_eq(dbg_error_count(DBG_USE_AFTER_FREE), 1,
                 "%zu use-after-free report(s), "
                 "expected 1" MC_READ("12.5 Poisoning and the quarantine"),
                 dbg_error_count(DBG_USE_AFTER_FREE));
    cr_assert(strncmp(capture_text(&cap), "dbg: use-after-free of ", 23) == 0,
              "the report was '%s', expected 'dbg: use-after-free of ...'" MC_READ(
                  "12.5 Poisoning and the quarantine"),
              shown(capture_text(&cap)));
    found = dbg_check_all();
    cr_assert_eq(found, 0,
                 "a second dbg_check_all() found %zu errors, expected 0: the poison "
                 "must be restored after a report" MC_READ("12.5 Poisoning and the quarantine"),
                 found);
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(quarantine, checks_a_block_when_it_leaves_and_stays_bounded)
{
    MC_CLAUSE("3.3", "3.4", "3.5");
    struct capture cap;
    capture_start(&cap);
    unsigned char *victim = dbg_malloc(8);
    cr_assert_not_null(victim,
                       "dbg_malloc(8) returned NULL" MC_READ("12.5 Poisoning and the quarantine"));
    dbg_free(victim);
    victim[7] = 0; /* caught when the block leaves quarantine */
    for (int i = 0; i < DBG_QUARANTINE_SLOTS; i++)
        dbg_free(dbg_malloc(8));
    cr_assert_eq(
        dbg_error_count(DBG_USE_AFTER_FREE), 1,
        "after %d more frees pushed the damaged block out of quarantine, %zu "
        "use-after-free report(s), expected 1" MC_READ("12.5 Poisoning and the quarantine"),
        DBG_QUARANTINE_SLOTS, dbg_error_count(DBG_USE_AFTER_FREE));
    size_t held = mc_live_blocks();
    for (int i = 0; i < 10 * DBG_QUARANTINE_SLOTS; i++)
        dbg_free(dbg_malloc(100));
    cr_assert_eq(
        mc_live_blocks(), held,
        "after %d more malloc/free pairs the allocator holds %zu blocks of malloc, "
        "%zu before: the quarantine must stay bounded" MC_READ("12.5 Poisoning and the quarantine"),
        10 * DBG_QUARANTINE_SLOTS, mc_live_blocks(), held);
    cr_assert_eq(total_errors(), 1,
                 "%zu errors in all, expected 1" MC_READ("12.5 Poisoning and the quarantine"),
                 total_errors());
    capture_end(&cap);
    reset_and_expect_nothing_left();
}

Test(leaks, groups_the_report_by_site_largest_first)
{
    MC_CLAUSE("9.1", "9.2", "9.3", "9.4");
    void *kept[8];
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        kept[n++] = dbg_malloc_at(10, "alpha.c", 10);
    kept[n++] = dbg_malloc_at(100, "beta.c", 20);
    kept[n++] = dbg_calloc_at(1, 5, "gamma.c", 30);
    kept[n++] = dbg_calloc_at(5, 1, "gamma.c", 30);
    dbg_free_at(dbg_malloc_at(1000, "freed.c", 40), "freed.c", 41);
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(kept[i], "allocation %zu returned NULL" MC_READ("12.8 The leak report"),
                           i);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out, "open_memstream failed: the test cannot capture the report" MC_READ(
                                "12.8 The leak report"));
    size_t leaked = dbg_leak_report(out);
    fclose(out);
    const char *want = "dbg: leak summary: 140 bytes in 6 block(s) from 3 site(s)\n"
                       "dbg: leak 100 bytes in 1 block(s) at beta.c:20\n"
                       "dbg: leak 30 bytes in 3 block(s) at alpha.c:10\n"
                       "dbg: leak 10 bytes in 2 block(s) at gamma.c:30\n";
    cr_assert_eq(
        leaked, 6,
        "dbg_leak_report returned %zu, expected 6 live blocks" MC_READ("12.8 The leak report"),
        leaked);
    cr_assert_str_eq(text, want,
                     "the leak report was\n%s\nexpected\n%s" MC_READ("12.8 The leak report"),
                     shown(text), want);
    free(text);
    reset_and_expect_nothing_left();
}

Test(leaks, tracks_every_block_however_many)
{
    MC_CLAUSE("6.2", "9.2");
    enum { MANY = 3000 };
    static void *blocks[MANY];
    for (int i = 0; i < MANY; i++) {
        blocks[i] = dbg_malloc_at(3, "many.c", 1);
        cr_assert_not_null(
            blocks[i],
            "allocation %d of %d returned NULL" MC_READ("12.7 The live-allocation table"), i, MANY);
    }
    cr_assert_eq(dbg_live_blocks(), MANY,
                 "dbg_live_blocks() is %zu after %d allocations: the "
                 "table must grow, never stop tracking" MC_READ("12.7 The live-allocation table"),
                 dbg_live_blocks(), MANY);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out, "open_memstream failed: the test cannot capture the report" MC_READ(
                                "12.8 The leak report"));
    size_t leaked = dbg_leak_report(out);
    fclose(out);
    cr_assert_eq(
        leaked, MANY,
        "dbg_leak_report returned %zu, expected %d" MC_READ("12.7 The live-allocation table"),
        leaked, MANY);
    cr_assert(strstr(text, "dbg: leak 9000 bytes in 3000 block(s) at many.c:1\n") != NULL,
              "the leak report was '%s', expected a line for 3000 blocks of 3 bytes" MC_READ(
                  "12.8 The leak report"),
              shown(text));
    free(text);
    for (int i = MANY - 1; i >= 0; i--)
        dbg_free(blocks[i]);
    cr_assert_eq(total_errors(), 0,
                 "freeing %d valid blocks gave %zu error report(s)" MC_READ(
                     "12.7 The live-allocation table"),
                 MANY, total_errors());
    cr_assert_eq(
        dbg_live_blocks(), 0,
        "%zu blocks still live after freeing all" MC_READ("12.7 The live-allocation table"),
        dbg_live_blocks());
    reset_and_expect_nothing_left();
}
