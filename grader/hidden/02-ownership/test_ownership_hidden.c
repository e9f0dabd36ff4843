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
    struct own_contact *original = new_contact("Ada Lovelace", "ada@example.org");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct own_contact *copy = own_contact_copy(original);
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        if (hit)
            cr_assert_null(copy,
                           "own_contact_copy() with allocation %zu failing returned a "
                           "contact, expected NULL" READ_CREATE,
                           n);
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
    int rc = own_contact_set_email(c, NULL);
    cr_assert_eq(rc, -1, "own_contact_set_email(c, NULL) returned %d, expected -1" READ_BORROW, rc);
    expect_text(own_contact_email(c), "x@y.z", "own_contact_email() after set_email(c, NULL)",
                READ_BORROW);
    own_contact_destroy(c);
}

Test(contact_edges, set_email_replaces_the_address_and_frees_the_old_one)
{
    static const char *const addresses[] = {"ada@example.org", "",
                                            "a.much.longer.address@"
                                            "analytical-engine.example"};
    struct own_contact *c = new_contact("Ada Lovelace", "first@example.org");
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
        struct mc_snapshot before = mc_snapshot();
        int rc = own_contact_set_email(c, addresses[i]);
        cr_assert_eq(rc, 0, "own_contact_set_email(c, '%s') returned %d, expected 0" READ_BORROW,
                     addresses[i], rc);
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
    own_contact_destroy(c);
}

Test(contact_edges, set_email_keeps_the_old_address_when_allocation_fails)
{
    struct own_contact *c = new_contact("Grace Hopper", "grace@example.net");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = own_contact_set_email(c, n % 2 ? "grace@example.org" : "grace@example.net");
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        const char *want = hit ? (n % 2 ? "grace@example.net" : "grace@example.org")
                               : (n % 2 ? "grace@example.org" : "grace@example.net");
        cr_assert_eq(rc, hit ? -1 : 0,
                     "own_contact_set_email() with allocation %zu failing (%s) returned %d, "
                     "expected %d" READ_BORROW,
                     n, hit ? "it did" : "it made fewer", rc, hit ? -1 : 0);
        const char *now = own_contact_email(c);
        cr_assert_neq(mc_live_size_of(now), 0,
                      "after set_email %s, the contact's email points at freed memory, "
                      "expected the %s address still owned" READ_BORROW,
                      hit ? "failed" : "succeeded", hit ? "old" : "new");
        expect_text(now, want, "own_contact_email() after set_email", READ_BORROW);
        mc_assert_no_leak_since(before, "own_contact_set_email() with one allocation failing",
                                "3.3 Borrowed pointers");
    }
    own_contact_destroy(c);
}

Test(contact_edges, format_leaves_out_untouched_when_allocation_fails)
{
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
        cr_assert_eq(
            rc, hit ? -1 : 0,
            "own_contact_format() with allocation %zu failing returned %d, expected %d" READ_OUT, n,
            rc, hit ? -1 : 0);
        if (hit)
            cr_assert(out == &marker,
                      "own_contact_format() failed but changed *out to %p, "
                      "expected it untouched (%p)" READ_OUT,
                      (void *)out, (void *)&marker);
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

Test(contact_edges, format_makes_room_for_long_strings)
{
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
    static const unsigned char bytes[16] = {1, 2, 3};
    struct mc_snapshot before = mc_snapshot();
    struct own_buf *huge = own_buf_create(bytes, SIZE_MAX - 4);
    cr_assert_null(huge,
                   "own_buf_create(bytes, SIZE_MAX - 4) returned %p, expected NULL: the "
                   "header plus the data overflows size_t" READ_REFS,
                   (void *)huge);
    mc_fail_nth_alloc(1);
    struct own_buf *starved = own_buf_create(bytes, sizeof bytes);
    mc_fail_none();
    cr_assert_null(starved,
                   "own_buf_create() with malloc failing returned %p, expected NULL" READ_REFS,
                   (void *)starved);
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
    struct own_contact *from = new_contact("Ada Lovelace", "ada@example.org");
    struct own_buf *picture = own_buf_create("pixels", 6);
    cr_assert_not_null(picture, "own_buf_create() returned NULL, expected a buffer" READ_REFS);
    struct mc_snapshot before = mc_snapshot();
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
    mc_assert_no_leak_since(before, "own_message_init() with NULL arguments",
                            "3.5 Init, cleanup and the single exit");
    own_buf_release(picture);
    own_contact_destroy(from);
}

Test(message_edges, a_message_without_attachment_cleans_up_twice_harmlessly)
{
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
    rc = own_message_take_body(&m, &second);
    cr_assert_eq(rc, -1,
                 "a second own_message_take_body() returned %d, expected -1: the body "
                 "was already given away" READ_OUT,
                 rc);
    cr_assert(second == &marker,
              "a failed own_message_take_body() changed *out to %p, expected "
              "it untouched" READ_OUT,
              (void *)second);
    own_message_cleanup(&m);
    expect_text(first, "Note G", "the body taken before cleanup", READ_OUT);
    free(first);
    own_contact_destroy(from);
    mc_assert_no_leak_since(before, "init, two takes, cleanup and free",
                            "3.4 Caller buffers and out-parameters");
}
