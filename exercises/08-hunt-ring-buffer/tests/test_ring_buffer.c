/*
 * Public tests for bug hunt 08-hunt-ring-buffer: the symptoms users reported.
 */
#include "mc_test.h"
#include "ring_buffer.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define READ_FIRST_WORD MC_READ("13.6 A worked hunt: the ring buffer")
#define READ_WATCH      MC_READ("13.4 Watchpoints on the corrupted word")

enum { QUEUE = 64, STEPS = 200 };

MC_SUITE(ring_buffer);

Test(ring_buffer, messages_come_back_in_order_and_intact)
{
    MC_CLAUSE("2.1", "3.1", "4.1");
    static const char *const messages[] = {"hi", "hello", "eight ch", "memory",
                                           "a message longer than one header word"};
    enum { N = sizeof messages / sizeof messages[0] };
    struct ring_buffer *r = rb_new(256);
    cr_assert_not_null(r, "rb_new(256) returned NULL, expected a ring" READ_FIRST_WORD);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(rb_push(r, messages[i], strlen(messages[i])), 0,
                     "rb_push(\"%s\") into a roomy ring returned -1" READ_FIRST_WORD, messages[i]);
    for (size_t i = 0; i < N; i++) {
        size_t len = 0;
        const char *got = rb_front(r, &len);
        cr_assert_not_null(got, "rb_front() returned NULL with %zu messages left" READ_FIRST_WORD,
                           N - i);
        cr_assert_eq(len, strlen(messages[i]),
                     "message %zu has length %zu, expected %zu (\"%s\")" READ_FIRST_WORD, i, len,
                     strlen(messages[i]), messages[i]);
        cr_assert(memcmp(got, messages[i], len) == 0,
                  "message %zu reads \"%.*s\", expected \"%s\"" READ_FIRST_WORD, i, (int)len, got,
                  messages[i]);
        rb_pop(r);
    }
    cr_assert_null(rb_front(r, &(size_t){0}),
                   "the ring is empty but rb_front() returned a message" READ_FIRST_WORD);
    rb_free(r);
}

/* Message number id: len bytes, each (id + k) & 0xff. */
static void fill(unsigned char *msg, size_t id, size_t len)
{
    for (size_t k = 0; k < len; k++)
        msg[k] = (unsigned char)((id + k) & 0xff);
}

/* A message of len >= sizeof(size_t) bytes that begins with its own length,
 * then bytes from 0xA0 up. This test reads back lengths, never bytes: it
 * checks which pushes the ring accepts, and nothing else. */
static void self_sized(unsigned char *msg, size_t len)
{
    memcpy(msg, &len, sizeof len);
    for (size_t k = sizeof len; k < len; k++)
        msg[k] = (unsigned char)(0xA0 + k);
}

Test(ring_buffer, a_push_that_would_overwrite_unread_messages_is_refused)
{
    MC_CLAUSE("2.3");
    /* 64 bytes: A and B take 24 each; with A gone, a 40-byte record fits
     * in the 40 free bytes only by overwriting B, since the 16 at the end
     * must be skipped. */
    struct ring_buffer *small = rb_new(64);
    cr_assert_not_null(small, "rb_new(64) returned NULL, expected a ring" READ_WATCH);
    unsigned char a[16], b[16], c[32];
    self_sized(a, 16);
    self_sized(b, 16);
    self_sized(c, 32);
    cr_assert(rb_push(small, a, 16) == 0 && rb_push(small, b, 16) == 0,
              "pushing two 16-byte messages into a 64-byte ring failed" READ_WATCH);
    rb_pop(small);
    cr_assert_eq(rb_push(small, c, 32), -1,
                 "rb_push(32 bytes) succeeded, but after skipping the 16 bytes at the end only 24 "
                 "bytes were free: expected -1" READ_WATCH);
    size_t b_len = 0;
    cr_assert(
        rb_front(small, &b_len) != NULL && b_len == 16,
        "message B did not survive a refused push: its length reads %zu, expected 16" READ_WATCH,
        b_len);
    rb_free(small);

    static const size_t lengths[] = {16, 11, 32, 9, 24, 8, 40, 12};
    enum { N_LENGTHS = sizeof lengths / sizeof lengths[0] };
    struct ring_buffer *r = rb_new(128);
    cr_assert_not_null(r, "rb_new(128) returned NULL, expected a ring" READ_WATCH);
    size_t queue[QUEUE]; /* ids of the messages in the ring, oldest first */
    size_t first = 0, last = 0, next_id = 0;
    unsigned char msg[64];
    for (size_t step = 0; step < STEPS; step++) {
        size_t len = lengths[next_id % N_LENGTHS];
        self_sized(msg, len);
        if (rb_push(r, msg, len) == 0) {
            cr_assert(r->used <= r->cap,
                      "after rb_push(%zu bytes) the ring uses %zu of its %zu bytes (step %zu): it "
                      "accepted a record that did not fit" READ_WATCH,
                      len, r->used, r->cap, step);
            queue[last++ % QUEUE] = next_id++;
            continue;
        }
        cr_assert(first != last, "rb_push(%zu bytes) into an empty ring returned -1" READ_WATCH,
                  len);
        /* Full: drop the oldest message, then try again. */
        size_t id = queue[first++ % QUEUE], got_len = 0;
        cr_assert_not_null(rb_front(r, &got_len),
                           "rb_front() returned NULL with messages in the ring" READ_WATCH);
        cr_assert_eq(got_len, lengths[id % N_LENGTHS],
                     "message %zu has length %zu, expected %zu (step %zu): a later push "
                     "overwrote its record" READ_WATCH,
                     id, got_len, lengths[id % N_LENGTHS], step);
        rb_pop(r);
    }
    cr_assert_eq(r->count, last - first, "the ring counts %zu messages, expected %zu" READ_WATCH,
                 r->count, last - first);
    rb_free(r);
}

Test(ring_buffer, wrapping_around_keeps_unread_messages_intact)
{
    MC_CLAUSE("2.2", "3.1", "4.1");
    static const size_t lengths[] = {16, 3, 32, 9, 24, 1, 40, 12};
    enum { N_LENGTHS = sizeof lengths / sizeof lengths[0] };
    struct ring_buffer *r = rb_new(128);
    cr_assert_not_null(r, "rb_new(128) returned NULL, expected a ring" READ_WATCH);
    size_t queue[QUEUE]; /* ids of the messages in the ring, oldest first */
    size_t first = 0, last = 0, next_id = 0;
    unsigned char want[64];
    for (size_t step = 0; step < STEPS; step++) {
        size_t len = lengths[next_id % N_LENGTHS];
        fill(want, next_id, len);
        if (rb_push(r, want, len) == 0) {
            queue[last++ % QUEUE] = next_id++;
            continue;
        }
        cr_assert(first != last, "rb_push(%zu bytes) into an empty ring returned -1" READ_WATCH,
                  len);
        /* Full: read and drop the oldest message, then try again. */
        size_t id = queue[first++ % QUEUE], got_len = 0;
        const unsigned char *got = rb_front(r, &got_len);
        cr_assert_not_null(got, "rb_front() returned NULL with messages in the ring" READ_WATCH);
        size_t want_len = lengths[id % N_LENGTHS];
        cr_assert_eq(got_len, want_len,
                     "message %zu has length %zu, expected %zu (step %zu)" READ_WATCH, id, got_len,
                     want_len, step);
        fill(want, id, want_len);
        cr_assert(
            memcmp(got, want, want_len) == 0,
            "message %zu came back corrupted at step %zu: a later push overwrote it" READ_WATCH, id,
            step);
        rb_pop(r);
    }
    cr_assert_eq(r->count, last - first, "the ring counts %zu messages, expected %zu" READ_WATCH,
                 r->count, last - first);
    rb_free(r);
}
