/*
 * Public tests for exercise 02: ownership.
 *
 * Each test proves one clause of the contract in ownership.h. Tests that
 * inject allocation failures try every allocation in turn (n = 1..K, with K
 * larger than any sensible solution needs), so the failure paths of your
 * code run even if you never saw them fail.
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
#define READ_REFS    MC_READ("3.7 Reference counting")

/* Enough for any sensible solution: failing allocations past the last one
 * simply lets the call succeed. */
enum { MAX_ALLOCS = 8 };

MC_SUITE(contact);
MC_SUITE(buf);
MC_SUITE(message);

/* Two assertions whatever happens: got is a string equal to want. */
static void expect_string(const char *got, const char *want, const char *what, const char *read)
{
    cr_assert_not_null(got, "%s returned NULL, expected '%s'%s", what, want, read);
    cr_assert_str_eq(got, want, "%s returned '%s', expected '%s'%s", what, got, want, read);
}

struct person {
    const char *name;
    const char *email;
    const char *formatted;
};

static const struct person people[] = {
    {"Ada Lovelace", "ada@example.org", "Ada Lovelace <ada@example.org>"},
    {"Grace Hopper", "grace@example.net", "Grace Hopper <grace@example.net>"},
    {"", "", " <>"},
    {"X", "x@y.z", "X <x@y.z>"},
};

#define N_PEOPLE (sizeof people / sizeof people[0])

/* ---- contacts ---------------------------------------------------------------- */

Test(contact, create_keeps_private_copies_of_both_strings)
{
    MC_CLAUSE("2.1", "1.2", "2.7");
    for (size_t i = 0; i < N_PEOPLE; i++) {
        char name[64];
        char email[64];
        snprintf(name, sizeof name, "%s", people[i].name);
        snprintf(email, sizeof email, "%s", people[i].email);
        struct mc_snapshot before = mc_snapshot();

        struct own_contact *c = own_contact_create(name, email);
        cr_assert_not_null(
            c, "own_contact_create('%s', '%s') returned NULL, expected a contact" READ_CREATE, name,
            email);
        size_t blocks = mc_snapshot().blocks - before.blocks;
        cr_assert(blocks == 3 && mc_live_size_of(own_contact_name(c)) != 0 &&
                      mc_live_size_of(own_contact_email(c)) != 0,
                  "own_contact_create() made %zu new block(s), with the name %s and the email "
                  "%s; expected 3: the contact, and each string in a block of its "
                  "own" READ_CREATE,
                  blocks, mc_live_size_of(own_contact_name(c)) ? "in its own block" : "not",
                  mc_live_size_of(own_contact_email(c)) ? "in its own block" : "not");
        /* The caller's buffers are borrowed only during the call. */
        memset(name, '#', sizeof name - 1);
        memset(email, '#', sizeof email - 1);
        name[sizeof name - 1] = '\0';
        email[sizeof email - 1] = '\0';
        expect_string(own_contact_name(c), people[i].name,
                      "own_contact_name() after the caller overwrote its name buffer", READ_CREATE);
        expect_string(own_contact_email(c), people[i].email,
                      "own_contact_email() after the caller overwrote its email buffer",
                      READ_CREATE);
        own_contact_destroy(c);
        mc_assert_no_leak_since(before, "own_contact_create() followed by own_contact_destroy()",
                                "3.2 Create, copy and destroy");
    }
}

Test(contact, copy_shares_no_memory_with_the_original)
{
    MC_CLAUSE("2.4", "1.1", "2.7");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *original = own_contact_create("Ada Lovelace", "ada@example.org");
    cr_assert_not_null(original,
                       "own_contact_create() returned NULL, expected a contact" READ_CREATE);
    struct own_contact *copy = own_contact_copy(original);
    cr_assert_not_null(copy, "own_contact_copy() returned NULL, expected a contact" READ_CREATE);
    cr_assert(copy != original,
              "own_contact_copy() returned its argument, expected a new contact" READ_CREATE);
    cr_assert(own_contact_name(copy) != own_contact_name(original),
              "the copy's name is the original's very string (%p): a shallow copy; both "
              "destroys would free it, expected a new string" READ_CREATE,
              (const void *)own_contact_name(copy));
    cr_assert(own_contact_email(copy) != own_contact_email(original),
              "the copy's email is the original's very string (%p): a shallow copy, expected "
              "a new string" READ_CREATE,
              (const void *)own_contact_email(copy));

    cr_assert_eq(own_contact_set_email(copy, "countess@example.org"), 0,
                 "own_contact_set_email() on the copy failed, expected 0" READ_CREATE);
    expect_string(own_contact_email(original), "ada@example.org",
                  "own_contact_email(original) after changing the copy's email", READ_CREATE);
    own_contact_destroy(original);
    expect_string(own_contact_name(copy), "Ada Lovelace",
                  "own_contact_name(copy) after destroying the original", READ_CREATE);
    own_contact_destroy(copy);
    mc_assert_no_leak_since(before, "creating, copying and destroying two contacts",
                            "3.2 Create, copy and destroy");
}

Test(contact, accessors_lend_the_contacts_own_strings)
{
    MC_CLAUSE("2.8");
    struct own_contact *c = own_contact_create("Grace Hopper", "grace@example.net");
    cr_assert_not_null(c, "own_contact_create() returned NULL, expected a contact" READ_CREATE);
    struct mc_snapshot before = mc_snapshot();
    size_t calls = mc_alloc_calls();

    const char *name = own_contact_name(c);
    const char *again = own_contact_name(c);
    const char *email = own_contact_email(c);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "the accessors made %zu allocation(s), expected none: a borrowed pointer "
                 "lends the contact's own string, and nobody would free a copy" READ_BORROW,
                 mc_alloc_calls() - calls);
    cr_assert(
        name == again,
        "own_contact_name() returned %p, then %p: expected the same borrowed string" READ_BORROW,
        (const void *)name, (const void *)again);
    mc_assert_no_leak_since(before, "own_contact_name() and own_contact_email()",
                            "3.3 Borrowed pointers");
    expect_string(name, "Grace Hopper", "own_contact_name()", READ_BORROW);
    expect_string(email, "grace@example.net", "own_contact_email()", READ_BORROW);
    own_contact_destroy(c);
}

Test(contact, format_hands_the_caller_a_new_string)
{
    MC_CLAUSE("2.13", "1.3");
    for (size_t i = 0; i < N_PEOPLE; i++) {
        struct own_contact *c = own_contact_create(people[i].name, people[i].email);
        cr_assert_not_null(c, "own_contact_create() returned NULL, expected a contact" READ_CREATE);
        struct mc_snapshot before = mc_snapshot();
        char *text = NULL;
        int rc = own_contact_format(c, &text);
        cr_assert_eq(rc, 0, "own_contact_format() returned %d, expected 0" READ_OUT, rc);
        expect_string(text, people[i].formatted, "own_contact_format()", READ_OUT);
        size_t block = mc_live_size_of(text);
        cr_assert(block >= strlen(text) + 1,
                  "own_contact_format() produced '%s' (%zu characters and a terminator) in a "
                  "block of %zu bytes, expected a malloc'd block of at least %zu bytes" READ_OUT,
                  text, strlen(text), block, strlen(text) + 1);
        free(text); /* ours now: the out-parameter transferred it */
        mc_assert_no_leak_since(before, "own_contact_format() once its result was freed",
                                "3.4 Caller buffers and out-parameters");
        own_contact_destroy(c);
    }
}

Test(contact, create_frees_everything_when_an_allocation_fails)
{
    MC_CLAUSE("2.3", "1.4");
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        struct own_contact *c = own_contact_create("Ada Lovelace", "ada@example.org");
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        if (hit)
            cr_assert_null(c,
                           "own_contact_create() with %s failing returned a contact, "
                           "expected NULL" READ_CREATE,
                           mc_fail_note());
        else
            cr_assert_not_null(c,
                               "own_contact_create() made fewer than %zu allocations and "
                               "none failed, yet it returned NULL, expected a contact" READ_CREATE,
                               n);
        own_contact_destroy(c);
        cr_assert_eq(mc_snapshot().blocks, before.blocks,
                     "own_contact_create() with %s failing, then own_contact_destroy() of "
                     "what it returned, left %zu block(s) allocated, expected none" READ_CLEANUP,
                     hit ? mc_fail_note() : "no allocation", mc_snapshot().blocks - before.blocks);
    }
}

/* ---- shared buffers ------------------------------------------------------------ */

Test(buf, create_copies_the_bytes_and_counts_one_owner)
{
    MC_CLAUSE("3.1", "3.6");
    static const size_t sizes[] = {0, 1, 7, 4096};
    static unsigned char pattern[4096];
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (unsigned char)(i * 31 + 7);

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t size = sizes[i];
        struct mc_snapshot before = mc_snapshot();
        struct own_buf *b = own_buf_create(pattern, size);
        cr_assert_not_null(
            b, "own_buf_create(pattern, %zu) returned NULL, expected a buffer" READ_REFS, size);
        size_t blocks = mc_snapshot().blocks - before.blocks;
        cr_assert(blocks == 1 && mc_live_size_of(b) >= sizeof *b + size,
                  "own_buf_create(pattern, %zu) made %zu block(s), the buffer's of %zu bytes; "
                  "expected one block of at least %zu bytes: the header and the data "
                  "together" READ_REFS,
                  size, blocks, mc_live_size_of(b), sizeof *b + size);
        cr_assert_eq(b->refs, 1,
                     "a new buffer has refs == %zu, expected 1: its creator is "
                     "its first owner" READ_REFS,
                     b->refs);
        cr_assert_eq(b->size, size, "own_buf_create(pattern, %zu) set size to %zu" READ_REFS, size,
                     b->size);
        cr_assert(memcmp(b->data, pattern, size) == 0,
                  "own_buf_create(pattern, %zu) did not copy the bytes into data" READ_REFS, size);
        own_buf_release(b);
        mc_assert_no_leak_since(before, "own_buf_create() then one own_buf_release()",
                                "3.7 Reference counting");
    }
}

Test(buf, the_last_release_frees_the_buffer)
{
    MC_CLAUSE("3.5", "3.6");
    struct mc_snapshot before = mc_snapshot();
    struct own_buf *b = own_buf_create("shared", 6);
    cr_assert_not_null(b, "own_buf_create('shared', 6) returned NULL, expected a buffer" READ_REFS);
    size_t calls = mc_alloc_calls();
    struct own_buf *second = own_buf_retain(b);
    struct own_buf *third = own_buf_retain(b);
    cr_assert(second == b && third == b,
              "own_buf_retain(b) returned %p and %p, expected b (%p)" READ_REFS, (void *)second,
              (void *)third, (void *)b);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "two own_buf_retain() calls made %zu allocation call(s), expected none: a "
                 "reference is a count, not a copy" READ_REFS,
                 mc_alloc_calls() - calls);
    cr_assert_eq(b->refs, 3, "after two retains refs == %zu, expected 3" READ_REFS, b->refs);

    own_buf_release(third);
    cr_assert_neq(mc_live_size_of(b), 0,
                  "the buffer was freed by the first of three releases, expected it to live "
                  "until the last" READ_REFS);
    cr_assert_eq(b->refs, 2, "after one release of three refs == %zu, expected 2" READ_REFS,
                 b->refs);
    own_buf_release(second);
    cr_assert_neq(mc_live_size_of(b), 0,
                  "the buffer was freed by the second of three releases, expected it to live "
                  "until the last" READ_REFS);
    cr_assert_eq(b->refs, 1, "after two releases of three refs == %zu, expected 1" READ_REFS,
                 b->refs);
    own_buf_release(b);
    mc_assert_no_leak_since(before, "three releases of a buffer with three owners",
                            "3.7 Reference counting");
}

/* ---- messages ---------------------------------------------------------------- */

/* Fills *m with garbage, as an uninitialized local would hold. */
static void scribble(struct own_message *m)
{
    memset(m, 0xA5, sizeof *m);
}

Test(message, init_copies_everything_and_cleanup_releases_it)
{
    MC_CLAUSE("4.1", "4.2", "4.5", "1.2");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *from = own_contact_create("Ada Lovelace", "ada@example.org");
    struct own_buf *picture = own_buf_create("pixels", 6);
    cr_assert(from != NULL && picture != NULL,
              "own_contact_create() or own_buf_create() returned NULL, expected both to "
              "succeed" READ_CREATE);
    char subject[] = "Notes";
    char body[] = "On the Analytical Engine";
    struct own_message m;
    scribble(&m);

    int rc = own_message_init(&m, from, subject, body, picture);
    cr_assert_eq(rc, 0, "own_message_init() returned %d, expected 0" READ_CLEANUP, rc);
    cr_assert(m.sender != NULL && m.sender != from,
              "m.sender is %p and the contact passed in is %p: expected a deep copy the "
              "message owns" READ_CREATE,
              (void *)m.sender, (void *)from);
    cr_assert(m.subject != subject && m.body != body,
              "the message keeps the caller's subject or body array, expected its own "
              "copies" READ_CREATE);
    cr_assert(m.attachment == picture,
              "m.attachment is %p, expected the buffer passed in (%p)" READ_REFS,
              (void *)m.attachment, (void *)picture);
    cr_assert_eq(picture->refs, 2,
                 "after init the attachment has refs == %zu, expected 2: "
                 "the test and the message" READ_REFS,
                 picture->refs);
    own_contact_destroy(from); /* the message has its own copy */
    subject[0] = '#';
    body[0] = '#';
    expect_string(own_contact_name(m.sender), "Ada Lovelace",
                  "the sender's name after the original contact was destroyed", READ_CREATE);
    expect_string(m.subject, "Notes", "m.subject after the caller overwrote its array",
                  READ_CREATE);
    expect_string(m.body, "On the Analytical Engine", "m.body after the caller overwrote its array",
                  READ_CREATE);

    own_message_cleanup(&m);
    cr_assert(m.sender == NULL && m.subject == NULL && m.body == NULL && m.attachment == NULL,
              "after own_message_cleanup() a field is still non-NULL, expected all NULL" MC_READ(
                  "3.6 NULL after free"));
    cr_assert_eq(picture->refs, 1,
                 "after cleanup the attachment has refs == %zu, expected 1" READ_REFS,
                 picture->refs);
    own_buf_release(picture);
    mc_assert_no_leak_since(before, "own_message_init() then own_message_cleanup()",
                            "3.5 Init, cleanup and the single exit");
}

Test(message, init_undoes_what_it_acquired_when_an_allocation_fails)
{
    MC_CLAUSE("4.4", "4.2", "1.4");
    struct own_contact *from = own_contact_create("Grace Hopper", "grace@example.net");
    struct own_buf *picture = own_buf_create("pixels", 6);
    cr_assert(from != NULL && picture != NULL,
              "own_contact_create() or own_buf_create() returned NULL, expected both to "
              "succeed" READ_CREATE);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct own_message m;
        scribble(&m); /* init must not free or read what it has not written */
        struct mc_snapshot before = mc_snapshot();
        size_t failed = mc_failed_allocs();
        mc_fail_nth_alloc(n);
        int rc = own_message_init(&m, from, "Compilers", "A-0 works", picture);
        mc_fail_none();
        bool hit = mc_failed_allocs() != failed;
        if (hit)
            cr_assert_eq(rc, -1,
                         "own_message_init() with %s failing returned %d, expected "
                         "-1" READ_CLEANUP,
                         mc_fail_note(), rc);
        else
            cr_assert_eq(rc, 0,
                         "own_message_init() made fewer than %zu allocations and none "
                         "failed, yet it returned %d, expected 0" READ_CLEANUP,
                         n, rc);
        if (rc == 0)
            own_message_cleanup(&m);
        cr_assert_eq(picture->refs, 1,
                     "with %s failing, init (and cleanup on success) left the attachment "
                     "with refs == %zu, expected 1" READ_CLEANUP,
                     hit ? mc_fail_note() : "no allocation", picture->refs);
        cr_assert(strcmp(own_contact_name(from), "Grace Hopper") == 0 &&
                      strcmp(own_contact_email(from), "grace@example.net") == 0,
                  "with %s failing, own_message_init() changed the sender it was given to "
                  "'%s <%s>', expected it untouched" READ_CLEANUP,
                  hit ? mc_fail_note() : "no allocation", own_contact_name(from),
                  own_contact_email(from));
        cr_assert_eq(mc_snapshot().blocks, before.blocks,
                     "own_message_init() with %s failing (and cleanup on success) left %zu "
                     "block(s) allocated, expected none" READ_CLEANUP,
                     hit ? mc_fail_note() : "no allocation", mc_snapshot().blocks - before.blocks);
    }
    own_buf_release(picture);
    own_contact_destroy(from);
}

Test(message, take_body_moves_ownership_to_the_caller)
{
    MC_CLAUSE("4.7", "1.3");
    struct mc_snapshot before = mc_snapshot();
    struct own_contact *from = own_contact_create("Ada Lovelace", "ada@example.org");
    cr_assert_not_null(from, "own_contact_create() returned NULL, expected a contact" READ_CREATE);
    struct own_message m;
    scribble(&m);
    int rc = own_message_init(&m, from, "Notes", "Note G", NULL);
    cr_assert_eq(rc, 0, "own_message_init() returned %d, expected 0" READ_CLEANUP, rc);
    char *held = m.body;

    char *body = NULL;
    rc = own_message_take_body(&m, &body);
    cr_assert_eq(rc, 0, "own_message_take_body() returned %d, expected 0" READ_OUT, rc);
    cr_assert(body == held,
              "own_message_take_body() gave %p, expected the message's own "
              "body (%p): a move hands over the block, it does not copy it" READ_OUT,
              (void *)body, (void *)held);
    cr_assert_null(m.body,
                   "after own_message_take_body() m.body is %p, expected NULL: two "
                   "owners would free it twice" READ_OUT,
                   (void *)m.body);
    own_message_cleanup(&m);
    expect_string(body, "Note G", "the taken body after own_message_cleanup()", READ_OUT);
    free(body);
    own_contact_destroy(from);
    mc_assert_no_leak_since(before, "init, take_body, cleanup and free(body)",
                            "3.4 Caller buffers and out-parameters");
}
