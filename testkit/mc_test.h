/*
 * mc_test.h: the test kit every memcraft test includes.
 *
 * It adds three things to Criterion:
 *
 *  1. MC_SUITE(name) declares a suite whose every test starts with a clean
 *     allocation record and a per-test time limit, and is tagged so that the
 *     Valgrind and sanitizer checks can say which test caused an error.
 *
 *  2. Allocation tracking and failure injection. Every call that the code
 *     under test makes to malloc, calloc, realloc, reallocarray,
 *     aligned_alloc, posix_memalign, strdup, strndup and free goes through
 *     this kit (the build links with -Wl,--wrap=...). A test can make the
 *     Nth allocation fail, or every allocation after the next N, and can
 *     count the blocks and bytes still live, to prove that a failure path
 *     returns an error and leaks nothing.
 *
 *  3. MC_READ(section): the tail of every failure message, telling the
 *     student which section of the book explains what went wrong.
 *
 * Ownership: the kit owns its bookkeeping; tests own nothing of it.
 */
#ifndef MC_TEST_H
#define MC_TEST_H

#include <criterion/criterion.h>
#include <stddef.h>

/* Seconds a single test may run before Criterion stops it. */
#ifndef MC_TEST_TIMEOUT
#define MC_TEST_TIMEOUT 10
#endif

void mc_test_begin(void);
void mc_test_end(void);

#define MC_SUITE(name)                                                                             \
    TestSuite(name, .init = mc_test_begin, .fini = mc_test_end, .timeout = MC_TEST_TIMEOUT)

/* Appended to a failure message: where in the book to read. */
#define MC_READ(section) "\n      read: section " section

/* Names the contract clauses of the exercise's README that a test checks, as
 * the first statement of its body: MC_CLAUSE("3.2", "3.4");. A clause is a
 * numbered promise in the README ("**3.2**"). The self-test reads these tags
 * from the source: every clause must have a test, and every mutant must be
 * rejected by a test tagged with the clause it breaks. No effect at run time. */
#define MC_CLAUSE(...) ((void)sizeof((const char *[]){__VA_ARGS__}))

/* Failure injection. Counting starts at the call; the count is of allocation
 * calls (free is not one), whichever function makes them. */
void mc_fail_nth_alloc(size_t n);    /* only the nth allocation from now fails (n >= 1) */
void mc_fail_allocs_after(size_t n); /* the next n succeed, every later one fails */
void mc_fail_none(void);             /* allocations succeed again */

/* What the last injection did, for a failure message: "the 3rd allocation
 * (vector.c:35, in grow)" or "every allocation after the first 2 (the first
 * refused at ...)". Use it in every message about an injected failure. */
const char *mc_fail_note(void);

/* What the code under test has done since the test began. */
size_t mc_alloc_calls(void);           /* allocation calls, failed ones included */
size_t mc_failed_allocs(void);         /* allocation calls that the kit made fail */
size_t mc_live_blocks(void);           /* blocks allocated and not yet freed */
size_t mc_live_bytes(void);            /* bytes requested for those blocks */
size_t mc_live_size_of(const void *p); /* requested size of a live block, 0 if unknown */

/* A snapshot of the live counts, to compare after a call. */
struct mc_snapshot {
    size_t blocks;
    size_t bytes;
};

struct mc_snapshot mc_snapshot(void);

/* Fails the test unless the live blocks and bytes equal those in `before`:
 * the call in between freed everything it allocated. */
#define mc_assert_no_leak_since(before, call_text, section)                                        \
    do {                                                                                           \
        struct mc_snapshot mc_after_ = mc_snapshot();                                              \
        cr_assert(mc_after_.blocks == (before).blocks && mc_after_.bytes == (before).bytes,        \
                  "%s leaked memory: expected %zu live block(s) (%zu bytes) afterwards, "          \
                  "found %zu (%zu bytes)" MC_READ(section),                                        \
                  call_text, (before).blocks, (before).bytes, mc_after_.blocks, mc_after_.bytes);  \
    } while (0)

#endif
