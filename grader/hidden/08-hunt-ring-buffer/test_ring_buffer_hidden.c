/*
 * Hidden tests for bug hunt 08-hunt-ring-buffer: messages that never fit,
 * empty messages, an empty ring, and allocation failures.
 */
#include "mc_test.h"
#include "ring_buffer.h"

#include <stdint.h>
#include <string.h>

#define READ_FIRST_WORD MC_READ("13.6 A worked hunt: the ring buffer")
#define READ_TEST       MC_READ("13.5 Fix minimally and pin it with a test")

MC_SUITE(ring_buffer_edges);

Test(ring_buffer_edges, refuses_what_never_fits_and_handles_empty_messages)
{
    cr_assert_null(rb_new(0), "rb_new(0) returned a ring, expected NULL" READ_TEST);
    cr_assert_null(rb_new(RB_ALIGN - 1), "rb_new(%d) returned a ring, expected NULL" READ_TEST,
                   (int)RB_ALIGN - 1);
    struct ring_buffer *r = rb_new(64);
    cr_assert_not_null(r, "rb_new(64) returned NULL" READ_TEST);
    static const unsigned char big[64] = {1};
    static const size_t too_big[] = {57, 64, SIZE_MAX, SIZE_MAX - 7};
    for (size_t i = 0; i < sizeof too_big / sizeof too_big[0]; i++)
        cr_assert_eq(rb_push(r, big, too_big[i]), -1,
                     "rb_push(%zu bytes) into a 64-byte ring returned 0, expected -1" READ_TEST,
                     too_big[i]);
    size_t len = 99;
    cr_assert_null(rb_front(r, &len), "rb_front() of an empty ring returned a message" READ_TEST);
    rb_pop(r);
    cr_assert_eq(r->count, 0, "rb_pop() of an empty ring changed the count to %zu" READ_TEST,
                 r->count);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(rb_push(r, "", 0), 0, "rb_push() of empty message %d returned -1" READ_TEST,
                     i);
    cr_assert_eq(rb_push(r, "x", 1), -1,
                 "a ring full of empty messages accepted another" READ_TEST);
    for (int i = 0; i < 8; i++) {
        cr_assert_not_null(rb_front(r, &len), "empty message %d is missing" READ_FIRST_WORD, i);
        cr_assert_eq(len, 0, "empty message %d has length %zu" READ_FIRST_WORD, i, len);
        rb_pop(r);
    }
    cr_assert_eq(rb_push(r, big, 56), 0,
                 "rb_push(56 bytes) into an empty 64-byte ring failed" READ_TEST);
    const unsigned char *got = rb_front(r, &len);
    cr_assert(got != NULL && len == 56 && memcmp(got, big, 56) == 0,
              "the 56-byte message did not come back whole (length %zu)" READ_FIRST_WORD, len);
    rb_free(r);
}

Test(ring_buffer_edges, frees_everything_when_memory_runs_out)
{
    for (size_t n = 1; n <= 3; n++) {
        mc_fail_nth_alloc(n);
        struct ring_buffer *r = rb_new(32);
        mc_fail_none();
        if (r != NULL)
            cr_assert_eq(rb_push(r, "abc", 3), 0, "rb_push() into a new ring failed" READ_TEST);
        rb_free(r);
        cr_assert_eq(mc_live_blocks(), 0,
                     "rb_new() with allocation %zu failing left %zu block(s) live" READ_TEST, n,
                     mc_live_blocks());
    }
}
