/*
 * Hidden tests for bug hunt 08-hunt-ring-buffer: the exact place of every
 * record, pushes that fit exactly or by a byte too few, messages that never
 * fit, empty messages, an empty ring, when skipped bytes are released, and
 * allocation failures. The tests of the room check push messages that begin
 * with their own length and read back lengths only, and the tests of the
 * record layout never wrap, so that each planted bug is judged alone. Every
 * test makes the same number of assertions whatever the design (the grader
 * counts them).
 */
#include "mc_test.h"
#include "ring_buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define READ_FIRST_WORD MC_READ("13.6 A worked hunt: the ring buffer")
#define READ_WATCH      MC_READ("13.4 Watchpoints on the corrupted word")
#define READ_STRONG     MC_READ("5.5 The strong guarantee")
#define READ_RUNS_OUT   MC_READ("2.7 When memory runs out")
#define READ_TEST       MC_READ("13.5 Fix minimally and pin it with a test")

enum { HDR = sizeof(size_t), STEPS = 400, QUEUE = 64 };

MC_SUITE(ring_buffer_edges);

static size_t record_of(size_t len)
{
    return HDR + (len + RB_ALIGN - 1) / RB_ALIGN * RB_ALIGN;
}

static size_t header_at(const struct ring_buffer *r, size_t at)
{
    size_t len;
    memcpy(&len, r->buf + at, sizeof len);
    return len;
}

/* Message id: len bytes, each (id * 7 + k + 1) & 0xff. */
static void fill_message(unsigned char *msg, size_t id, size_t len)
{
    for (size_t k = 0; k < len; k++)
        msg[k] = (unsigned char)((id * 7 + k + 1) & 0xff);
}

/* A message of len >= HDR bytes that begins with its own length: whatever
 * rb_push does with its record's first word, the length reads right. */
static void sized_message(unsigned char *msg, size_t len)
{
    memcpy(msg, &len, sizeof len);
    for (size_t k = HDR; k < len; k++)
        msg[k] = (unsigned char)(0xC0 + k);
}

static struct ring_buffer *new_ring(size_t cap)
{
    struct ring_buffer *r = rb_new(cap);
    cr_assert_not_null(r, "rb_new(%zu) returned NULL, expected a ring" READ_TEST, cap);
    return r;
}

/* A new ring whose every byte has been written: filled with empty messages
 * (one length word each), which are then all popped. head and tail are back
 * at 0, and comparing the buffer's bytes reads no uninitialized memory. */
static struct ring_buffer *written_ring(size_t cap)
{
    struct ring_buffer *r = new_ring(cap);
    int ok = 1;
    for (size_t i = 0; i < r->cap / HDR; i++)
        ok &= rb_push(r, "", 0) == 0;
    for (size_t i = 0; i < r->cap / HDR; i++)
        rb_pop(r);
    cr_assert(ok && r->head == 0 && r->tail == 0 && r->used == 0 && r->count == 0,
              "filling a %zu-byte ring with empty messages and popping them all left head %zu, "
              "tail %zu, used %zu, count %zu: expected all 0" READ_TEST,
              cap, r->head, r->tail, r->used, r->count);
    return r;
}

struct fields {
    size_t head, tail, used, count;
};

static struct fields fields_of(const struct ring_buffer *r)
{
    return (struct fields){r->head, r->tail, r->used, r->count};
}

static int same_fields(const struct fields *a, const struct fields *b)
{
    return a->head == b->head && a->tail == b->tail && a->used == b->used && a->count == b->count;
}

Test(ring_buffer_edges, new_rounds_the_capacity_down_and_starts_empty)
{
    MC_CLAUSE("1.1", "1.2");
    static const size_t asked[] = {8, 9, 15, 16, 100, 1000};
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        struct ring_buffer *r = new_ring(asked[i]);
        size_t want = asked[i] / RB_ALIGN * RB_ALIGN;
        cr_assert(r->cap == want && r->head == 0 && r->tail == 0 && r->used == 0 && r->count == 0 &&
                      mc_live_size_of(r->buf) >= want,
                  "rb_new(%zu) has cap %zu, head %zu, tail %zu, used %zu, count %zu and a buffer "
                  "of %zu bytes: expected cap %zu, all else 0, and a buffer of cap bytes" READ_TEST,
                  asked[i], r->cap, r->head, r->tail, r->used, r->count, mc_live_size_of(r->buf),
                  want);
        rb_free(r);
    }
    for (size_t cap = 0; cap < RB_ALIGN; cap++) {
        size_t calls = mc_alloc_calls();
        cr_assert_null(rb_new(cap), "rb_new(%zu) returned a ring, expected NULL" READ_TEST, cap);
        cr_assert_eq(mc_alloc_calls(), calls,
                     "rb_new(%zu) made an allocation call before refusing" READ_TEST, cap);
    }
    rb_free(NULL);
}

Test(ring_buffer_edges, new_leaks_nothing_when_memory_runs_out)
{
    MC_CLAUSE("1.3", "5.1");
    for (size_t n = 1; n <= 3; n++) {
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct ring_buffer *r = rb_new(32);
        mc_fail_none();
        cr_assert(r == NULL ? mc_failed_allocs() > failed : r->cap == 32 && r->count == 0,
                  "rb_new(32) with %s failing returned %s" READ_RUNS_OUT, mc_fail_note(),
                  r == NULL ? "NULL though no allocation failed" : "a broken ring");
        rb_free(r);
        cr_assert_eq(mc_live_blocks(), 0,
                     "rb_new(32) with %s failing left %zu block(s) live, expected 0" READ_RUNS_OUT,
                     mc_fail_note(), mc_live_blocks());
    }
}

Test(ring_buffer_edges, every_record_sits_where_the_layout_says)
{
    MC_CLAUSE("2.1", "3.1");
    struct ring_buffer *r = new_ring(2048); /* the 41 records take 1288 bytes: no wrap */
    unsigned char msg[48];
    size_t at = 0;
    for (size_t len = 0; len <= 40; len++) {
        fill_message(msg, len, len);
        cr_assert_eq(rb_push(r, msg, len), 0,
                     "rb_push(%zu bytes) into a roomy ring failed" READ_FIRST_WORD, len);
        size_t want_head = at + record_of(len);
        cr_assert(header_at(r, at) == len && memcmp(r->buf + at + HDR, msg, len) == 0,
                  "the record of a %zu-byte message at offset %zu holds length %zu and the message "
                  "%s: expected the length in its first word and the message right after "
                  "it" READ_FIRST_WORD,
                  len, at, header_at(r, at),
                  memcmp(r->buf + at + HDR, msg, len) == 0 ? "after it" : "elsewhere");
        cr_assert(r->head == want_head && r->used == want_head && r->count == len + 1,
                  "after pushing a %zu-byte message head is %zu, used %zu, count %zu: expected "
                  "%zu, %zu, %zu" READ_FIRST_WORD,
                  len, r->head, r->used, r->count, want_head, want_head, len + 1);
        at = want_head;
    }
    at = 0;
    for (size_t len = 0; len <= 40; len++) {
        size_t got_len = 99;
        const unsigned char *got = rb_front(r, &got_len);
        fill_message(msg, len, len);
        cr_assert(got == r->buf + at + HDR && got_len == len && memcmp(got, msg, len) == 0,
                  "rb_front() for the %zu-byte message returned offset %td and length %zu: "
                  "expected offset %zu, length %zu, and the message's bytes" READ_FIRST_WORD,
                  len, got != NULL ? got - r->buf : -1, got_len, at + HDR, len);
        rb_pop(r);
        at += record_of(len);
    }
    rb_free(r);
}

Test(ring_buffer_edges, a_record_that_reaches_the_end_wraps_head_to_zero)
{
    MC_CLAUSE("2.1");
    struct ring_buffer *r = new_ring(64);
    unsigned char msg[24];
    fill_message(msg, 1, 24);
    cr_assert(rb_push(r, msg, 24) == 0 && rb_push(r, msg, 24) == 0,
              "pushing two 24-byte messages into a 64-byte ring failed" READ_FIRST_WORD);
    cr_assert(r->head == 0 && r->used == 64 && r->count == 2,
              "two 32-byte records in a 64-byte ring left head %zu, used %zu: expected 0 and "
              "64" READ_FIRST_WORD,
              r->head, r->used);
    size_t len = 0;
    const unsigned char *got = rb_front(r, &len);
    cr_assert(got == r->buf + HDR && len == 24 && memcmp(got, msg, 24) == 0,
              "the first message of a full ring is not whole at offset %zu" READ_FIRST_WORD,
              (size_t)HDR);
    rb_free(r);
}

Test(ring_buffer_edges, a_record_that_does_not_fit_at_the_end_starts_at_zero)
{
    MC_CLAUSE("2.2", "4.3");
    struct ring_buffer *r = new_ring(64);
    unsigned char msg[16];
    fill_message(msg, 2, 16);
    /* Two 24-byte records, both popped: head and tail at 48, 16 bytes to the end. */
    cr_assert(rb_push(r, msg, 16) == 0 && rb_push(r, msg, 16) == 0,
              "pushing two 16-byte messages into a 64-byte ring failed" READ_WATCH);
    rb_pop(r);
    rb_pop(r);
    cr_assert(r->head == 48 && r->tail == 48 && r->used == 0 && r->count == 0,
              "after two pushes and two pops: head %zu, tail %zu, used %zu, expected 48, 48, "
              "0" READ_WATCH,
              r->head, r->tail, r->used);
    fill_message(msg, 3, 16);
    cr_assert_eq(rb_push(r, msg, 16), 0, "rb_push(16 bytes) into an empty ring failed" READ_WATCH);
    cr_assert(r->head == 24 && r->used == 16 + 24 && header_at(r, 0) == 16 &&
                  memcmp(r->buf + HDR, msg, 16) == 0,
              "a 24-byte record with 16 bytes left at the end: head %zu, used %zu, length at 0 "
              "reads %zu: expected the 16 bytes skipped (used 40), the record at offset 0 and "
              "head 24" READ_WATCH,
              r->head, r->used, header_at(r, 0));
    size_t len = 0;
    const unsigned char *got = rb_front(r, &len);
    cr_assert(got == r->buf + HDR && len == 16 && memcmp(got, msg, 16) == 0,
              "rb_front() after a wrap returned offset %td, length %zu: expected offset %zu, "
              "16" READ_WATCH,
              got != NULL ? got - r->buf : -1, len, (size_t)HDR);
    cr_assert(r->tail == 0 && r->used == 24,
              "rb_front() of the record after the skipped bytes left tail %zu and used %zu: "
              "expected 0 and 24" READ_WATCH,
              r->tail, r->used);
    rb_pop(r);
    cr_assert(r->tail == 24 && r->used == 0 && r->count == 0,
              "popping the wrapped record left tail %zu, used %zu, count %zu: expected 24, 0, "
              "0" READ_WATCH,
              r->tail, r->used, r->count);
    rb_free(r);
}

Test(ring_buffer_edges, skipped_bytes_count_until_the_record_after_them_is_reached)
{
    MC_CLAUSE("4.3");
    struct ring_buffer *r = new_ring(64);
    unsigned char msg[24];
    fill_message(msg, 4, 24);
    /* A at 0, B at 24 (24 bytes each); A popped; C (24) skips 48..63 and goes to 0. */
    cr_assert(rb_push(r, msg, 16) == 0 && rb_push(r, msg, 16) == 0, "setting up failed" READ_WATCH);
    rb_pop(r);
    cr_assert_eq(rb_push(r, msg, 16), 0,
                 "a push that fits exactly (skip 16 + 24) failed" READ_WATCH);
    cr_assert(r->used == 64 && r->head == 24, "the ring is not full: used %zu, head %zu" READ_WATCH,
              r->used, r->head);
    rb_pop(r); /* B: tail reaches the skipped bytes, which still count */
    cr_assert(r->tail == 48 && r->used == 40 && r->count == 1,
              "after popping B, tail %zu, used %zu: expected 48 and 40 (the 16 skipped bytes "
              "count until the record after them is reached)" READ_WATCH,
              r->tail, r->used);
    cr_assert_eq(
        rb_push(r, msg, 24), -1,
        "a 32-byte record was accepted with 24 bytes free (16 skipped still count)" READ_WATCH);
    size_t len = 0;
    cr_assert(rb_front(r, &len) != NULL && len == 16 && r->tail == 0 && r->used == 24,
              "rb_front() did not pass the skipped bytes: tail %zu, used %zu, expected 0 and "
              "24" READ_WATCH,
              r->tail, r->used);
    cr_assert_eq(rb_push(r, msg, 24), 0,
                 "a 32-byte record was refused with 40 bytes free after rb_front()" READ_WATCH);
    rb_free(r);
}

/* A ring of cap bytes holding self-sized messages of these lengths (up to 4,
 * 0 ends the list), then pops times rb_pop(), then rb_push(try_len). */
struct room_case {
    size_t cap;
    size_t lengths[4];
    size_t pops;
    size_t try_len;
    int fits;
};

Test(ring_buffer_edges, a_push_is_refused_exactly_when_record_and_skip_exceed_the_free_space)
{
    MC_CLAUSE("2.3");
    static const struct room_case cases[] = {
        /* no skip: a record that fills the free space exactly fits */
        {64, {8, 16, 0, 0}, 0, 8, 1},  /* used 40, free 24, need 16 */
        {64, {8, 16, 0, 0}, 0, 16, 1}, /* need 24 == free */
        {64, {8, 16, 0, 0}, 0, 17, 0}, /* need 32 > free */
        {64, {8, 8, 8, 8}, 0, 0, 0},   /* a full ring takes nothing */
        /* skip: A 24 at 0, B 24 at 24, A popped, head 48, free 40, to_end 16 */
        {64, {16, 16, 0, 0}, 1, 16, 1}, /* skip 16 + 24 == 40 */
        {64, {16, 16, 0, 0}, 1, 17, 0}, /* skip 16 + 32 > 40, though 32 < 40 */
        {64, {16, 16, 0, 0}, 1, 24, 0}, /* skip 16 + 32 > 40 */
        {64, {16, 16, 0, 0}, 1, 8, 1},  /* 16 fits before the end: no skip */
        /* A 24 at 0, B 48 at 24, A popped: head 72, free 48, to_end 24 */
        {96, {16, 40, 0, 0}, 1, 24, 0}, /* skip 24 + 32 > 48, though 32 < 48 */
        {96, {16, 40, 0, 0}, 1, 16, 1}, /* 24 fits before the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct room_case *c = &cases[i];
        struct ring_buffer *r = written_ring(c->cap);
        unsigned char msg[64];
        int set_up = 1;
        for (size_t k = 0; k < 4 && c->lengths[k] != 0; k++) {
            sized_message(msg, c->lengths[k]);
            set_up &= rb_push(r, msg, c->lengths[k]) == 0;
        }
        for (size_t k = 0; k < c->pops; k++)
            rb_pop(r);
        cr_assert(set_up, "case %zu: setting up the ring failed" READ_WATCH, i);
        struct fields before = fields_of(r);
        unsigned char *copy = malloc(r->cap);
        cr_assert_not_null(copy, "malloc() failed: the test cannot run");
        memcpy(copy, r->buf, r->cap);
        sized_message(msg, c->try_len < HDR ? HDR : c->try_len);
        int rc = rb_push(r, msg, c->try_len);
        struct fields after = fields_of(r);
        int ok =
            c->fits ? rc == 0 && r->used <= r->cap
                    : rc == -1 && same_fields(&before, &after) && memcmp(copy, r->buf, r->cap) == 0;
        cr_assert(ok,
                  "case %zu: rb_push(%zu bytes) with head %zu and used %zu of %zu returned %d "
                  "(used now %zu): expected %s" READ_WATCH,
                  i, c->try_len, before.head, before.used, c->cap, rc, after.used,
                  c->fits ? "0, the record fits" : "-1, and no field or byte changed");
        free(copy);
        rb_free(r);
    }
}

Test(ring_buffer_edges, a_long_run_never_takes_more_than_the_free_space)
{
    MC_CLAUSE("2.3");
    static const size_t lengths[] = {40, 8, 24, 16, 56, 8, 32, 48, 12, 9};
    enum { N = sizeof lengths / sizeof lengths[0] };
    struct ring_buffer *r = new_ring(136);
    size_t queue[QUEUE], first = 0, last = 0, next_id = 0, refused = 0;
    unsigned char msg[64];
    for (size_t step = 0; step < STEPS; step++) {
        size_t len = lengths[next_id % N];
        sized_message(msg, len);
        if (rb_push(r, msg, len) == 0) {
            cr_assert(r->used <= r->cap,
                      "step %zu: rb_push(%zu bytes) was accepted and the ring now uses %zu of %zu "
                      "bytes" READ_WATCH,
                      step, len, r->used, r->cap);
            queue[last++ % QUEUE] = next_id++;
            continue;
        }
        refused++;
        size_t id = queue[first++ % QUEUE], got = 0;
        cr_assert(rb_front(r, &got) != NULL && got == lengths[id % N],
                  "step %zu: message %zu reads length %zu, expected %zu: a later record was "
                  "written over it" READ_WATCH,
                  step, id, got, lengths[id % N]);
        rb_pop(r);
    }
    cr_assert(refused > 0 && r->count == last - first,
              "after %d steps the ring counts %zu messages, expected %zu" READ_WATCH, STEPS,
              r->count, last - first);
    rb_free(r);
}

Test(ring_buffer_edges, refuses_what_never_fits_and_changes_nothing)
{
    MC_CLAUSE("2.4");
    struct ring_buffer *r = new_ring(64);
    static const unsigned char big[64] = {1};
    cr_assert_eq(rb_push(r, big, 8), 0, "rb_push(8 bytes) into an empty ring failed" READ_TEST);
    struct fields before = fields_of(r);
    static const size_t too_big[] = {57, 64, 1000, SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - HDR};
    for (size_t i = 0; i < sizeof too_big / sizeof too_big[0]; i++) {
        int rc = rb_push(r, big, too_big[i]);
        struct fields after = fields_of(r);
        cr_assert(rc == -1 && same_fields(&before, &after),
                  "rb_push(%zu bytes) into a 64-byte ring returned %d or changed the ring: "
                  "expected -1 and nothing changed" READ_TEST,
                  too_big[i], rc);
    }
    rb_free(r);
    r = new_ring(64);
    cr_assert_eq(
        rb_push(r, big, 56), 0,
        "rb_push(56 bytes), a record of exactly 64, into a new 64-byte ring failed" READ_TEST);
    rb_free(r);
}

Test(ring_buffer_edges, empty_messages_take_one_word)
{
    MC_CLAUSE("2.1", "3.1");
    struct ring_buffer *r = new_ring(64);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(rb_push(r, "", 0), 0, "rb_push() of empty message %d returned -1" READ_TEST,
                     i);
    cr_assert(r->used == 64 && r->count == 8,
              "eight empty messages use %zu bytes (count %zu), expected 64 and 8" READ_TEST,
              r->used, r->count);
    cr_assert_eq(rb_push(r, "", 0), -1, "a ring full of empty messages accepted another" READ_TEST);
    for (int i = 0; i < 8; i++) {
        size_t len = 99;
        cr_assert(rb_front(r, &len) != NULL && len == 0,
                  "empty message %d is missing or has length %zu" READ_FIRST_WORD, i, len);
        rb_pop(r);
    }
    rb_free(r);
}

Test(ring_buffer_edges, an_empty_ring_lends_nothing_and_pops_nothing)
{
    MC_CLAUSE("3.2", "4.2");
    struct ring_buffer *r = new_ring(64);
    size_t len = 99;
    cr_assert(rb_front(r, &len) == NULL && len == 99,
              "rb_front() of an empty ring returned a message or changed *len to %zu" READ_TEST,
              len);
    struct fields before = fields_of(r);
    rb_pop(r);
    struct fields after = fields_of(r);
    cr_assert(same_fields(&before, &after),
              "rb_pop() of an empty ring changed its fields" READ_TEST);
    cr_assert_eq(rb_push(r, "abc", 3), 0, "rb_push(3 bytes) failed" READ_TEST);
    rb_pop(r);
    before = fields_of(r);
    cr_assert(rb_front(r, &len) == NULL && len == 99,
              "rb_front() of an emptied ring returned a message" READ_TEST);
    rb_pop(r);
    after = fields_of(r);
    cr_assert(same_fields(&before, &after) && r->count == 0 && r->used == 0,
              "rb_pop() of an emptied ring changed its fields" READ_TEST);
    rb_free(r);
}

Test(ring_buffer_edges, a_lent_message_survives_later_pushes)
{
    MC_CLAUSE("3.1");
    struct ring_buffer *r = new_ring(256);
    unsigned char msg[32];
    fill_message(msg, 9, 32);
    cr_assert_eq(rb_push(r, msg, 32), 0, "rb_push(32 bytes) failed" READ_TEST);
    size_t len = 0;
    const unsigned char *lent = rb_front(r, &len);
    cr_assert_not_null(lent, "rb_front() returned NULL" READ_TEST);
    unsigned char other[40];
    for (int i = 0; i < 4; i++) {
        fill_message(other, 20 + (size_t)i, 40);
        rb_push(r, other, 40);
    }
    cr_assert(len == 32 && memcmp(lent, msg, 32) == 0,
              "the message rb_front() lent changed when more messages were pushed" READ_TEST);
    rb_free(r);
}

/* The ring's layout, modelled: the offsets a correct ring must use. */
struct model {
    size_t cap, head, tail, used, count;
    size_t at[QUEUE], len[QUEUE], id[QUEUE], first, last;
    int skip_pending[QUEUE]; /* bytes skipped just before record i */
    size_t skip[QUEUE];
};

static int model_push(struct model *m, size_t len, size_t id)
{
    size_t need = record_of(len), to_end = m->cap - m->head;
    size_t skip = need > to_end ? to_end : 0;
    if (need > m->cap || skip + need > m->cap - m->used)
        return -1;
    size_t at = skip != 0 ? 0 : m->head;
    size_t i = m->last++ % QUEUE;
    m->at[i] = at;
    m->len[i] = len;
    m->id[i] = id;
    m->skip[i] = skip;
    m->skip_pending[i] = skip != 0;
    m->head = (at + need) % m->cap;
    m->used += skip + need;
    m->count++;
    return 0;
}

/* What rb_front or rb_pop does first: pass bytes skipped before the oldest. */
static void model_reach(struct model *m)
{
    size_t i = m->first % QUEUE;
    if (m->count != 0 && m->skip_pending[i]) {
        m->used -= m->skip[i];
        m->tail = 0;
        m->skip_pending[i] = 0;
    }
}

static void model_pop(struct model *m)
{
    model_reach(m);
    size_t i = m->first++ % QUEUE;
    m->tail = (m->at[i] + record_of(m->len[i])) % m->cap;
    m->used -= record_of(m->len[i]);
    m->count--;
}

Test(ring_buffer_edges, a_long_run_matches_the_layout_at_every_step)
{
    MC_CLAUSE("2.2", "4.1", "4.3");
    static const size_t lengths[] = {16, 3, 32, 0, 24, 1, 40, 12, 7, 50};
    enum { N = sizeof lengths / sizeof lengths[0] };
    struct ring_buffer *r = new_ring(200);
    struct model m = {.cap = 200};
    unsigned char msg[64];
    size_t next_id = 0, mismatches = 0, first_bad = 0;
    for (size_t step = 0; step < STEPS; step++) {
        size_t len = lengths[next_id % N];
        fill_message(msg, next_id, len);
        int want = model_push(&m, len, next_id);
        int got = rb_push(r, msg, len);
        if (want == 0)
            next_id++;
        if (got != want || r->head != m.head || r->used != m.used || r->count != m.count) {
            mismatches++;
            first_bad = step;
            break;
        }
        if (want == 0)
            continue;
        model_reach(&m);
        size_t i = m.first % QUEUE, got_len = 0;
        const unsigned char *front = rb_front(r, &got_len);
        fill_message(msg, m.id[i], m.len[i]);
        if (front != r->buf + m.at[i] + HDR || got_len != m.len[i] ||
            memcmp(front, msg, m.len[i]) != 0 || r->tail != m.tail || r->used != m.used) {
            mismatches++;
            first_bad = step;
            break;
        }
        model_pop(&m);
        rb_pop(r);
        if (r->tail != m.tail || r->used != m.used || r->count != m.count) {
            mismatches++;
            first_bad = step;
            break;
        }
    }
    cr_assert_eq(mismatches, 0,
                 "at step %zu the ring left the layout: head %zu, tail %zu, used %zu, count %zu; "
                 "expected head %zu, tail %zu, used %zu, count %zu" READ_WATCH,
                 first_bad, r->head, r->tail, r->used, r->count, m.head, m.tail, m.used, m.count);
    rb_free(r);
}
