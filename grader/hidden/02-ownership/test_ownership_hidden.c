/*
 * Hidden tests for exercise 02: ownership. They cover what the public tests
 * leave out: copy and set_email failing part-way, arguments aliasing the
 * object, NULL arguments, size overflow, a second cleanup, a second take,
 * and one buffer shared by several messages.
 */
#include "mc_test.h"
#include "ownership.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CREATE  MC_READ("3.2 Create, copy and destroy")
#define READ_BORROW  MC_READ("3.3 Borrowed pointers")
#define READ_OUT     MC_READ("3.4 Caller buffers and out-parameters")
#define READ_CLEANUP MC_READ("3.5 Init, cleanup and the single exit")
#define READ_NULL    MC_READ("3.6 NULL after free")
#define READ_REFS    MC_READ("3.7 Reference counting")

enum { MAX_ALLOCS = 8 };

MC_SUITE(contact_edges);
MC_SUITE(buf_edges);
MC_SUITE(message_edges);

/* Two assertions whatever happens: got is a string equal to want. */
static void expect_text(const char *got, const char *want, const char *what, const char *read)
{
    cr_assert_not_null(got, "%s returned NULL, expected '%s'%s", what, want, read);
    cr_assert_str_eq(got, want, "%s returned '%s', expected '%s'%s", what, got, want, read);
}

static struct own_contact *new_contact(const char *name, const char *email)
{
    struct own_contact *c = own_contact_create(name, email);
    cr_assert_not_null(
        c, "own_contact_create('%s', '%s') returned NULL, expected a contact" READ_CREATE, name,
        email);
    return c;
}

/* ---- contacts ------------------------------------------------------------------ */

Test(contact_edges, copy_frees_everything_when_an_allocation_fails)
{
    MC_CLAUSE("2.6", "1.4");
    struct own_contact *original = new_contact("Ada Lovelace", "ada@example.org");
    const char *name = own_contact_name(original);
    const char *email = own_contact_email(original);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct own_contact *copy = own_contact_copy(original);
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        cr_assert(own_contact_name(original) == name && own_contact_email(original) == email,
                  "own_contact_copy() with %s failing changed the strings of the contact it "
                  "copied from, expected them untouched" READ_CREATE,
                  hit ? mc_fail_note() : "no allocation");
        if (hit)
            cr_assert_null(copy,
                           "own_contact_copy() with %s failing returned a contact, expected "
                           "NULL" READ_CREATE,
                           mc_fail_note());
        else
            cr_assert_not_null(copy,
                               "own_contact_copy() made fewer than %zu allocations and "
                               "none failed, yet it returned NULL, expected a copy" READ_CREATE,
                               n);
        own_contact_destroy(copy);
        mc_assert_no_leak_since(before, "own_contact_copy() with one allocation failing",
                                "3.5 Init, cleanup and the single exit");
    }
    expect_text(own_contact_name(original), "Ada Lovelace",
                "own_contact_name(original) after failed copies", READ_CREATE);
    expect_text(own_contact_email(original), "ada@example.org",
                "own_contact_email(original) after failed copies", READ_CREATE);
    own_contact_destroy(original);
}

Test(contact_edges, null_arguments_are_refused_without_allocating)
{
    MC_CLAUSE("2.2", "2.5", "2.7", "2.11");
    size_t calls = mc_alloc_calls();
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *no_name = own_contact_create(NULL, "x@y.z");
    struct own_contact *no_email = own_contact_create("X", NULL);
    struct own_contact *no_source = own_contact_copy(NULL);
    own_contact_destroy(NULL);
    cr_assert(no_name == NULL && no_email == NULL && no_source == NULL,
              "own_contact_create(NULL, ...), own_contact_create(..., NULL) and "
              "own_contact_copy(NULL) returned %p, %p, %p, expected NULL each" READ_CREATE,
              (void *)no_name, (void *)no_email, (void *)no_source);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "refusing NULL arguments made %zu allocation(s), expected none" READ_CREATE,
                 mc_alloc_calls() - calls);
    mc_assert_no_leak_since(before, "refusing NULL arguments", "3.2 Create, copy and destroy");

    struct own_contact *c = new_contact("X", "x@y.z");
    const char *email = own_contact_email(c);
    calls = mc_alloc_calls();
    before = mc_snapshot();
    int rc = own_contact_set_email(c, NULL);
    cr_assert_eq(rc, -1, "own_contact_set_email(c, NULL) returned %d, expected -1" READ_BORROW, rc);
    cr_assert(mc_alloc_calls() == calls && own_contact_email(c) == email,
              "own_contact_set_email(c, NULL) made %zu allocation call(s) and %s the email; "
              "expected no call and the same email string" READ_BORROW,
              mc_alloc_calls() - calls, own_contact_email(c) == email ? "kept" : "replaced");
    mc_assert_no_leak_since(before, "own_contact_set_email(c, NULL)", "3.3 Borrowed pointers");
    expect_text(own_contact_email(c), "x@y.z", "own_contact_email() after set_email(c, NULL)",
                READ_BORROW);
    own_contact_destroy(c);
}

Test(contact_edges, set_email_replaces_the_address_and_frees_the_old_one)
{
    MC_CLAUSE("2.9", "2.10");
    static const char *const addresses[] = {"ada@example.org", "",
                                            "a.much.longer.address@"
                                            "analytical-engine.example"};
    struct own_contact *c = new_contact("Ada Lovelace", "first@example.org");
    const char *name = own_contact_name(c);
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        int rc = own_contact_set_email(c, addresses[i]);
        cr_assert_eq(rc, 0, "own_contact_set_email(c, '%s') returned %d, expected 0" READ_BORROW,
                     addresses[i], rc);
        cr_assert(own_contact_name(c) == name && strcmp(name, "Ada Lovelace") == 0,
                  "own_contact_set_email() moved or changed the name, expected the name "
                  "untouched: only the email is replaced" READ_BORROW);
        const char *now = own_contact_email(c);
        cr_assert(now != addresses[i], "own_contact_email() returns the caller's string, "
                                       "expected the contact's own copy" READ_CREATE);
        expect_text(now, addresses[i], "own_contact_email() after set_email", READ_BORROW);
        cr_assert_eq(mc_snapshot().blocks, before.blocks,
                     "set_email changed the live blocks from %zu to %zu, expected the old "
                     "address freed as the new one was allocated" READ_BORROW,
                     before.blocks, mc_snapshot().blocks);
    }
    /* The argument may be borrowed from the contact itself. */
    struct mc_snapshot before = mc_snapshot();
    int rc = own_contact_set_email(c, own_contact_email(c));
    cr_assert_eq(rc, 0,
                 "own_contact_set_email(c, own_contact_email(c)) returned %d, "
                 "expected 0" READ_BORROW,
                 rc);
    expect_text(own_contact_email(c), "a.much.longer.address@analytical-engine.example",
                "own_contact_email() after setting it to itself (copy before freeing)",
                READ_BORROW);
    mc_assert_no_leak_since(before, "own_contact_set_email(c, own_contact_email(c))",
                            "3.3 Borrowed pointers");
    /* ... or point into the middle of it, */
    rc = own_contact_set_email(c, own_contact_email(c) + 7);
    cr_assert_eq(rc, 0,
                 "own_contact_set_email(c, own_contact_email(c) + 7) returned %d, "
                 "expected 0" READ_BORROW,
                 rc);
    expect_text(own_contact_email(c), "longer.address@analytical-engine.example",
                "own_contact_email() after setting it to a tail of itself", READ_BORROW);
    /* ... or be the contact's name. */
    rc = own_contact_set_email(c, own_contact_name(c));
    cr_assert_eq(
        rc, 0, "own_contact_set_email(c, own_contact_name(c)) returned %d, expected 0" READ_BORROW,
        rc);
    expect_text(own_contact_email(c), "Ada Lovelace",
                "own_contact_email() after setting it to the contact's name", READ_BORROW);
    cr_assert(own_contact_email(c) != own_contact_name(c),
              "after own_contact_set_email(c, own_contact_name(c)) the email and the name are "
              "one string, expected a copy: destroy would free it twice" READ_BORROW);
    cr_assert_eq(mc_snapshot().blocks, before.blocks,
                 "setting the email to a tail of itself and to the name changed the live blocks "
                 "from %zu to %zu, expected each old address freed as its copy was "
                 "made" READ_BORROW,
                 before.blocks, mc_snapshot().blocks);
    own_contact_destroy(c);
}

Test(contact_edges, set_email_keeps_the_old_address_when_allocation_fails)
{
    MC_CLAUSE("2.12", "1.4");
    struct own_contact *c = new_contact("Grace Hopper", "grace@example.net");
    const char *held = "grace@example.net"; /* what the contact should hold */
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        const char *asked = n % 2 ? "grace@example.org" : "grace@example.net";
        struct mc_snapshot before = mc_snapshot();
        const char *old = own_contact_email(c);
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = own_contact_set_email(c, asked);
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        if (!hit)
            held = asked;
        cr_assert_eq(rc, hit ? -1 : 0,
                     "own_contact_set_email() with %s failing returned %d, expected %d" READ_BORROW,
                     hit ? mc_fail_note() : "no allocation", rc, hit ? -1 : 0);
        const char *now = own_contact_email(c);
        cr_assert(!hit || now == old,
                  "own_contact_set_email() with %s failing replaced the email string %p by %p, "
                  "expected the contact unchanged" READ_BORROW,
                  mc_fail_note(), (const void *)old, (const void *)now);
        cr_assert_neq(mc_live_size_of(now), 0,
                      "after set_email %s, the contact's email points at freed memory, "
                      "expected the %s address still owned" READ_BORROW,
                      hit ? "failed" : "succeeded", hit ? "old" : "new");
        expect_text(now, held, "own_contact_email() after set_email", READ_BORROW);
        mc_assert_no_leak_since(before, "own_contact_set_email() with one allocation failing",
                                "3.3 Borrowed pointers");
    }
    own_contact_destroy(c);
}

Test(contact_edges, format_leaves_out_untouched_when_allocation_fails)
{
    MC_CLAUSE("2.14", "1.3", "1.4");
    struct own_contact *c = new_contact("Ada Lovelace", "ada@example.org");
    char marker;
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        char *out = &marker;
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = own_contact_format(c, &out);
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        cr_assert_eq(rc, hit ? -1 : 0,
                     "own_contact_format() with %s failing returned %d, expected %d" READ_OUT,
                     hit ? mc_fail_note() : "no allocation", rc, hit ? -1 : 0);
        if (hit)
            cr_assert(out == &marker,
                      "own_contact_format() with %s failing changed *out to %p, "
                      "expected it untouched (%p)" READ_OUT,
                      mc_fail_note(), (void *)out, (void *)&marker);
        else
            cr_assert(out != &marker && out != NULL &&
                          strcmp(out, "Ada Lovelace <ada@example.org>") == 0,
                      "own_contact_format() succeeded but *out is not 'Ada Lovelace "
                      "<ada@example.org>'" READ_OUT);
        if (!hit)
            free(out);
        mc_assert_no_leak_since(before, "own_contact_format() with one allocation failing",
                                "3.4 Caller buffers and out-parameters");
    }
    own_contact_destroy(c);
}

Test(contact_edges, every_contact_is_three_blocks_of_its_own)
{
    MC_CLAUSE("2.1", "2.4", "2.9");
    struct mc_snapshot start = mc_snapshot();
    struct own_contact *c = new_contact("Edsger Dijkstra", "ewd@example.nl");
    size_t made = mc_snapshot().blocks - start.blocks;
    cr_assert_eq(made, 3,
                 "own_contact_create() left %zu new block(s), expected 3: the contact, its "
                 "name and its email" READ_CREATE,
                 made);
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *copy = own_contact_copy(c);
    cr_assert_not_null(copy, "own_contact_copy() returned NULL, expected a copy" READ_CREATE);
    made = mc_snapshot().blocks - before.blocks;
    cr_assert(made == 3 && mc_live_size_of(own_contact_name(copy)) != 0 &&
                  mc_live_size_of(own_contact_email(copy)) != 0,
              "own_contact_copy() left %zu new block(s), expected 3, with the name and the "
              "email each at the start of a block of its own" READ_CREATE,
              made);
    int rc = own_contact_set_email(copy, "edsger@example.nl");
    cr_assert_eq(rc, 0, "own_contact_set_email() returned %d, expected 0" READ_BORROW, rc);
    made = mc_snapshot().blocks - before.blocks;
    cr_assert(made == 3 && mc_live_size_of(own_contact_email(copy)) != 0,
              "after own_contact_set_email() the copy holds %zu block(s), expected 3, the new "
              "email in a block of its own" READ_BORROW,
              made);
    own_contact_destroy(copy);
    own_contact_destroy(c);
    mc_assert_no_leak_since(start, "creating, copying and destroying two contacts",
                            "3.2 Create, copy and destroy");
}

Test(contact_edges, format_makes_room_for_long_strings)
{
    MC_CLAUSE("2.13");
    static char name[1001];
    static char email[513];
    static char want[1001 + 512 + 3];
    memset(name, 'n', sizeof name - 1);
    memset(email, 'e', sizeof email - 1);
    snprintf(want, sizeof want, "%s <%s>", name, email);
    struct own_contact *c = new_contact(name, email);
    char *out = NULL;
    int rc = own_contact_format(c, &out);
    cr_assert_eq(rc, 0,
                 "own_contact_format() of a 1000-character name returned %d, expected 0" READ_OUT,
                 rc);
    cr_assert_not_null(out, "own_contact_format() returned 0 but left *out NULL" READ_OUT);
    cr_assert(mc_live_size_of(out) >= strlen(want) + 1,
              "own_contact_format() put %zu characters and a terminator in a block of %zu "
              "bytes, expected at least %zu" READ_OUT,
              strlen(want), mc_live_size_of(out), strlen(want) + 1);
    cr_assert(strcmp(out, want) == 0,
              "own_contact_format() of long strings returned a string "
              "of %zu characters, expected %zu" READ_OUT,
              strlen(out), strlen(want));
    free(out);
    own_contact_destroy(c);
}

/* ---- shared buffers ------------------------------------------------------------ */

Test(buf_edges, create_fails_cleanly)
{
    MC_CLAUSE("3.2", "3.3", "3.4", "3.6");
    static const unsigned char bytes[16] = {1, 2, 3};
    struct mc_snapshot before = mc_snapshot();
    static const size_t huge_sizes[] = {SIZE_MAX - 4, SIZE_MAX,
                                        SIZE_MAX - sizeof(struct own_buf) + 1};
    for (size_t i = 0; i < sizeof huge_sizes / sizeof *huge_sizes; i++) {
        size_t calls = mc_alloc_calls();
        struct own_buf *huge = own_buf_create(bytes, huge_sizes[i]);
        size_t made = mc_alloc_calls() - calls;
        cr_assert(huge == NULL && made == 0,
                  "own_buf_create(bytes, %zu) returned %p after %zu allocation call(s), "
                  "expected NULL and no call: the header plus the data overflows "
                  "size_t" READ_REFS,
                  huge_sizes[i], (void *)huge, made);
    }
    mc_fail_nth_alloc(1);
    struct own_buf *starved = own_buf_create(bytes, sizeof bytes);
    mc_fail_none();
    cr_assert_null(starved, "own_buf_create() with %s failing returned %p, expected NULL" READ_REFS,
                   mc_fail_note(), (void *)starved);
    cr_assert_eq(mc_snapshot().blocks, before.blocks,
                 "own_buf_create() with %s failing left %zu block(s) allocated, expected "
                 "none" READ_REFS,
                 mc_fail_note(), mc_snapshot().blocks - before.blocks);
    struct own_buf *empty = own_buf_create(NULL, 0);
    cr_assert_not_null(empty,
                       "own_buf_create(NULL, 0) returned NULL, expected an empty buffer" READ_REFS);
    cr_assert(empty->refs == 1 && empty->size == 0,
              "own_buf_create(NULL, 0) gave refs %zu and size %zu, expected 1 and 0" READ_REFS,
              empty->refs, empty->size);
    own_buf_release(empty);
    own_buf_release(NULL);
    mc_assert_no_leak_since(before, "failed and empty own_buf_create() calls",
                            "3.7 Reference counting");
}

Test(buf_edges, one_buffer_shared_by_two_messages_lives_until_its_last_owner_lets_go)
{
    MC_CLAUSE("3.6", "4.1", "4.5");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *from = new_contact("Ada Lovelace", "ada@example.org");
    struct own_buf *plan = own_buf_create("engine plans", 12);
    cr_assert_not_null(plan, "own_buf_create() returned NULL, expected a buffer" READ_REFS);
    struct own_message first;
    struct own_message second;
    int rc1 = own_message_init(&first, from, "Plans", "See attached", plan);
    int rc2 = own_message_init(&second, from, "Plans again", "Attached again", plan);
    cr_assert(rc1 == 0 && rc2 == 0,
              "own_message_init() returned %d and %d, expected 0 and 0" READ_CLEANUP, rc1, rc2);
    cr_assert_eq(plan->refs, 3,
                 "a buffer held by its creator and two messages has refs %zu, "
                 "expected 3" READ_REFS,
                 plan->refs);

    own_buf_release(plan); /* the creator lets go; the messages still own it */
    cr_assert_neq(mc_live_size_of(plan), 0,
                  "the buffer was freed while two messages still "
                  "held references" READ_REFS);
    own_message_cleanup(&first);
    cr_assert_neq(mc_live_size_of(second.attachment), 0,
                  "the buffer was freed while one message still held a reference" READ_REFS);
    cr_assert_eq(second.attachment->refs, 1,
                 "with one owner left the buffer has refs %zu, "
                 "expected 1" READ_REFS,
                 second.attachment->refs);
    cr_assert(memcmp(second.attachment->data, "engine plans", 12) == 0,
              "the shared buffer's bytes changed while it was shared, expected 'engine "
              "plans'" READ_REFS);
    own_message_cleanup(&second);
    own_contact_destroy(from);
    mc_assert_no_leak_since(before, "sharing one buffer between two messages",
                            "3.7 Reference counting");
}

/* ---- messages --------------------------------------------------------------------- */

Test(message_edges, init_refuses_null_arguments_and_leaves_the_attachment_alone)
{
    MC_CLAUSE("4.3");
    struct own_contact *from = new_contact("Ada Lovelace", "ada@example.org");
    struct own_buf *picture = own_buf_create("pixels", 6);
    cr_assert_not_null(picture, "own_buf_create() returned NULL, expected a buffer" READ_REFS);
    struct mc_snapshot before = mc_snapshot();
    size_t calls = mc_alloc_calls();
    struct own_message m;
    int rc[3];
    memset(&m, 0xA5, sizeof m);
    rc[0] = own_message_init(&m, NULL, "s", "b", picture);
    memset(&m, 0xA5, sizeof m);
    rc[1] = own_message_init(&m, from, NULL, "b", picture);
    memset(&m, 0xA5, sizeof m);
    rc[2] = own_message_init(&m, from, "s", NULL, picture);
    cr_assert(rc[0] == -1 && rc[1] == -1 && rc[2] == -1,
              "own_message_init() with a NULL sender, subject or body returned %d, %d, %d, "
              "expected -1 each" READ_CLEANUP,
              rc[0], rc[1], rc[2]);
    cr_assert_eq(picture->refs, 1,
                 "failed inits left the attachment with refs %zu, expected 1" READ_CLEANUP,
                 picture->refs);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "own_message_init() with a NULL sender, subject or body made %zu allocation "
                 "call(s), expected none: check the arguments before acquiring "
                 "anything" READ_CLEANUP,
                 mc_alloc_calls() - calls);
    mc_assert_no_leak_since(before, "own_message_init() with NULL arguments",
                            "3.5 Init, cleanup and the single exit");
    own_buf_release(picture);
    own_contact_destroy(from);
}

Test(message_edges, a_message_without_attachment_cleans_up_twice_harmlessly)
{
    MC_CLAUSE("4.6", "4.1", "4.5");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *from = new_contact("Grace Hopper", "grace@example.net");
    struct own_message m;
    memset(&m, 0xA5, sizeof m);
    int rc = own_message_init(&m, from, "Bug", "Moth found in relay", NULL);
    cr_assert_eq(rc, 0,
                 "own_message_init() without attachment returned %d, expected 0" READ_CLEANUP, rc);
    cr_assert_null(m.attachment,
                   "own_message_init(..., NULL) left m.attachment %p, expected "
                   "NULL" READ_CLEANUP,
                   (void *)m.attachment);
    own_message_cleanup(&m);
    own_message_cleanup(&m); /* harmless: cleanup left every field NULL */
    cr_assert(m.sender == NULL && m.subject == NULL && m.body == NULL,
              "after own_message_cleanup() a field is still non-NULL, expected all NULL" READ_NULL);
    own_contact_destroy(from);
    mc_assert_no_leak_since(before, "init, then cleanup twice", "3.6 NULL after free");
}

Test(message_edges, a_second_cleanup_does_not_release_the_attachment_again)
{
    MC_CLAUSE("4.6");
    struct own_contact *from = new_contact("Ada Lovelace", "ada@example.org");
    struct own_buf *picture = own_buf_create("pixels", 6);
    cr_assert_not_null(picture, "own_buf_create() returned NULL, expected a buffer" READ_REFS);
    struct own_message m;
    int rc = own_message_init(&m, from, "Notes", "Note G", picture);
    cr_assert_eq(rc, 0, "own_message_init() returned %d, expected 0" READ_CLEANUP, rc);
    own_message_cleanup(&m);
    own_message_cleanup(&m);
    cr_assert_neq(mc_live_size_of(picture), 0,
                  "two cleanups of one message freed a buffer the "
                  "test still owns: the second released a reference it no longer held" READ_NULL);
    cr_assert_eq(picture->refs, 1,
                 "after two cleanups the attachment has refs %zu, expected 1" READ_NULL,
                 picture->refs);
    own_buf_release(picture);
    own_contact_destroy(from);
}

Test(message_edges, take_body_twice_fails_and_leaves_out_untouched)
{
    MC_CLAUSE("4.8");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *from = new_contact("Ada Lovelace", "ada@example.org");
    struct own_message m;
    int rc = own_message_init(&m, from, "Notes", "Note G", NULL);
    cr_assert_eq(rc, 0, "own_message_init() returned %d, expected 0" READ_CLEANUP, rc);
    char *first = NULL;
    rc = own_message_take_body(&m, &first);
    cr_assert_eq(rc, 0, "the first own_message_take_body() returned %d, expected 0" READ_OUT, rc);
    char marker;
    char *second = &marker;
    struct own_message kept = m;
    rc = own_message_take_body(&m, &second);
    cr_assert_eq(rc, -1,
                 "a second own_message_take_body() returned %d, expected -1: the body "
                 "was already given away" READ_OUT,
                 rc);
    cr_assert(second == &marker,
              "a failed own_message_take_body() changed *out to %p, expected "
              "it untouched" READ_OUT,
              (void *)second);
    cr_assert(m.sender == kept.sender && m.subject == kept.subject && m.body == NULL &&
                  m.attachment == kept.attachment,
              "a failed own_message_take_body() changed the message's fields, expected them "
              "unchanged" READ_OUT);
    own_message_cleanup(&m);
    expect_text(first, "Note G", "the body taken before cleanup", READ_OUT);
    free(first);
    own_contact_destroy(from);
    mc_assert_no_leak_since(before, "init, two takes, cleanup and free",
                            "3.4 Caller buffers and out-parameters");
}
